/* Pulses: small non-blocking messages queued on a channel by priority, from
 * a pool shared by all channels.  Interrupts, timers, MsgDeliverEvent and
 * the kernel's own notices (DISCONNECT, COIDDEATH, THREADDEATH, UNBLOCK)
 * all arrive as pulses.  See ipc.h. */
#include <keel/errno.h>
#include <keel/msg.h>
#include "hart.h"
#include "ipc.h"
#include "ipc_fast.h"
#include "process.h"
#include "spinlock.h"
#include "spinlock_fast.h"
#include "thread.h"
#include "uaccess.h"
#include "vmspace.h"

#define PULSE_MAX  256
/* The last PULSE_RESERVE free pulses of the pool are the kernel's notices'
 * (pulse_queue's: interrupts, UNBLOCK, DISCONNECT, COIDDEATH, THREADDEATH):
 * pulses a process asks for (MsgSendPulse, MsgDeliverEvent, its timers:
 * pulse_queue_user) get -EAGAIN before them, so a process that sends
 * pulses nobody reads cannot starve a driver of its interrupts or a
 * client of its signal. */
#define PULSE_RESERVE 64

struct kpulse {
	struct list link;
	uint8_t prio;
	struct _pulse p;
};

static struct spinlock pool_lock = SPINLOCK_INIT("ipc-pool", LR_SYNCPOOL);
static struct kpulse pulse_pool[PULSE_MAX];             /* the free ones: pool_lock */
static struct list free_pulses = LIST_INIT(free_pulses);
static unsigned pool_free;                              /* on free_pulses: pool_lock */
static bool pool_ready;

/* A few free pulses per hart, taken and given back without the pool's
 * lock: a pulse sent and received on one hart (the common case: a timer's,
 * an interrupt's, a client's notice) never touches the shared pool.  Used
 * with interrupts off (every caller holds a channel's lock), so only this
 * hart's code reaches its cache.  At most HART_CACHED per hart are held
 * back from other harts: the pool's 256 are still far more than any
 * channel queues in practice. */
#define HART_CACHED 4
static struct hart_pulses {
	struct kpulse *free[HART_CACHED];
	uint32_t n;
} __attribute__((aligned(64))) hart_cache[MAX_HARTS];  /* a line each: no sharing */

static inline struct kpulse *pulse_alloc(bool notice)
{
	struct hart_pulses *hc = &hart_cache[this_hart()->index];

	if (hc->n)
		return hc->free[--hc->n];
	spin_lock(&pool_lock);
	if (!pool_ready) {
		for (int i = 0; i < PULSE_MAX; i++)
			list_add_tail(&free_pulses, &pulse_pool[i].link);
		pool_free = PULSE_MAX;
		pool_ready = true;
	}
	struct list *n = notice || pool_free > PULSE_RESERVE ? list_first(&free_pulses) : 0;
	if (n) {
		list_del(n);
		pool_free--;
	}
	spin_unlock(&pool_lock);
	return n ? list_entry(n, struct kpulse, link) : 0;
}

static inline void pulse_free(struct kpulse *kp)
{
	struct hart_pulses *hc = &hart_cache[this_hart()->index];

	/* Down to the reserve, a pulse goes back to the pool: cached, the next
	 * user pulse on this hart would take it, and a process that made
	 * itself notices and received them would drain the reserve one by one.
	 * (Read unlocked: a stale count caches at most HART_CACHED per hart.) */
	if (hc->n < HART_CACHED && __atomic_load_n(&pool_free, __ATOMIC_RELAXED) > PULSE_RESERVE) {
		hc->free[hc->n++] = kp;
		return;
	}
	spin_lock(&pool_lock);
	list_add_tail(&free_pulses, &kp->link);
	pool_free++;
	spin_unlock(&pool_lock);
}

static void pulse_enqueue(struct channel *ch, struct kpulse *kp)
{
	list_for_each(q, &ch->pulses)
		if (list_entry(q, struct kpulse, link)->prio < kp->prio) {
			list_insert_before(q, &kp->link);
			return;
		}
	list_add_tail(&ch->pulses, &kp->link);
}

/* kp, filled in, on ch's queue by priority. */
static inline void pulse_enqueue_new(struct channel *ch, struct kpulse *kp, int prio, int code,
				     long value, int scoid)
{
	kp->prio = (uint8_t)prio;
	kp->p = (struct _pulse){ .code = (int8_t)code, .scoid = scoid };
	kp->p.value.sival_ptr = (void *)value;
	pulse_enqueue(ch, kp);
}

static int queue(struct channel *ch, int prio, int code, long value, int scoid, bool notice)
{
	struct kpulse *kp = pulse_alloc(notice);

	if (!kp)
		return -EAGAIN;
	pulse_enqueue_new(ch, kp, prio, code, value, scoid);
	struct thread *r = chan_first_receiver(ch, true);
	if (r) {
		long rc = pulse_take(r, ch, r->ipc.rv, r->ipc.rparts);
		/* A pulse reports zeroes for _msg_info (msg_receive_resume,
		 * msg_receive): a waiter's info is not cleared as it waits. */
		for (unsigned i = 0; i < 6; i++)
			r->ipc.info_w[i] = 0;
		waitq_wake_thread(&ch->receivers, r, rc < 0 ? (int)rc : 0);
	}
	return 0;
}

int pulse_queue(struct channel *ch, int prio, int code, long value, int scoid)
{
	return queue(ch, prio, code, value, scoid, true);
}

int pulse_queue_user(struct channel *ch, int prio, int code, long value, int scoid)
{
	return queue(ch, prio, code, value, scoid, false);
}

/* The pulse goes into the first non-empty buffer, cut to its length. */
long pulse_take(struct thread *r, struct channel *ch, const struct ipc_iov *rv, uint32_t rn)
{
	struct kpulse *kp = list_entry(ch->pulses.next, struct kpulse, link);

	list_del(&kp->link);
	long n = 0;
	for (uint32_t i = 0; i < rn && n == 0; i++)
		if (rv[i].len) {
			size_t len = rv[i].len < sizeof kp->p ? rv[i].len : sizeof kp->p;
			/* The receiver itself (MsgReceive found the pulse queued)
			 * writes through the MMU; one woken by pulse_queue is
			 * written through its page table. */
			int e = r == this_hart()->current ?
				copy_to_user_locked(rv[i].base, &kp->p, len) :
				vmspace_write_user(r->proc->vs, rv[i].base, &kp->p, len);
			n = e ? -EFAULT : 1;
		}
	pulse_free(kp);
	return n < 0 ? n : 0;
}

void pulse_drop_all(struct channel *ch)
{
	while (!list_empty(&ch->pulses)) {
		struct list *n = ch->pulses.next;
		list_del(n);
		pulse_free(list_entry(n, struct kpulse, link));
	}
}

int ipc_pulse_to(struct process *p, uint32_t pid, int coid, int prio, int code, long value,
		 bool notice)
{
	struct channel *ch = conn_channel_locked(p, pid, coid);

	if (!ch)
		return -EBADF;
	int r = queue(ch, prio < 0 ? PRIO_DEFAULT : prio, code, value, coid, notice);
	spin_unlock(&ch->lock);
	return r;
}

void ipc_thread_death(struct process *p, uint32_t tid)
{
	for (int c = 0; c < PROC_CHANNELS; c++) {
		spin_lock(&p->lock);
		struct channel *ch = p->chans[c];
		spin_unlock(&p->lock);
		if (!ch)
			continue;
		/* Still p's: another thread of p may have destroyed it since,
		 * and the object gone to another process's ChannelCreate. */
		spin_lock(&ch->lock);
		if (ch->live && ch->owner == p && (ch->flags & _NTO_CHF_THREAD_DEATH))
			pulse_queue(ch, PRIO_MAX, _PULSE_CODE_THREADDEATH, (long)tid, 0);
		spin_unlock(&ch->lock);
	}
}

/* ---- the fast handlers (ipc.h) --------------------------------------------
 *
 * A pulse sent where nobody waits and taken by the receiver itself: one
 * hart, the channel's lock at the first try, a free pulse in this hart's
 * cache.  Anything else (a receiver to hand it to, the shared pool, a
 * message, a wait) goes the general way (sys_MsgSendPulse, sys_MsgReceivev),
 * with the same answers. */

struct kcall_leaf ipc_fast_MsgSendPulse(long coid, long prio, long code, long value, long a4,
					long a5, struct thread *s)
{
	struct hart *h = this_hart();
	struct hart_pulses *hc = &hart_cache[h->index];
	uint32_t gen;

	if (!ipc_fast_ok_entry(s) || code < -128 || code > 127 || prio < -1 || prio > PRIO_MAX ||
	    !hc->n)
		return KCALL_LEAF_DECLINE;
	struct channel *ch = conn_own_peek(s->proc, coid, &gen);
	if (!ch || !spin_trylock_first(h, &ch->lock))
		return KCALL_LEAF_DECLINE;
	if (!ch->live || ch->gen != gen || !list_empty(&ch->receivers.head)) {
		spin_unlock_first(h, &ch->lock);
		return KCALL_LEAF_DECLINE;
	}
	pulse_enqueue_new(ch, hc->free[--hc->n], prio < 0 ? s->prio : (int)prio, (int)code, value,
			  (int)coid);
	spin_unlock_first(h, &ch->lock);
	return KCALL_LEAF_DONE(0);
}

/* A pulse queued on r's channel chid taken at once into r's buffer rv[0]
 * (loaded by the caller, whose call then ends with 0). */
static inline __attribute__((always_inline)) struct kcall_leaf pulse_take_fused(struct thread *r,
									       long chid)
{
	struct hart *h = this_hart();
	struct channel *ch = chan_of_inline(r->proc, chid);

	if (!ch || r->prio != r->base_prio || list_linked(&r->ipc.link) ||
	    !spin_trylock_first(h, &ch->lock))
		return KCALL_LEAF_DECLINE;
	if (!ch->live || ch->owner != r->proc || ch->chid != (uint32_t)chid ||
	    list_empty(&ch->pulses))
		goto decline;
	struct kpulse *kp = list_entry(ch->pulses.next, struct kpulse, link);
	size_t len = r->ipc.rv[0].len < sizeof kp->p ? r->ipc.rv[0].len : sizeof kp->p;
	/* Copied before the pulse leaves the queue: a fault (or a copy-on-write
	 * page, which needs interrupts) declines with nothing changed. */
	if (len && uaccess_copy((void *)r->ipc.rv[0].base, &kp->p, len))
		goto decline;
	list_del(&kp->link);
	pulse_free(kp);
	spin_unlock_first(h, &ch->lock);
	return KCALL_LEAF_DONE(0);
decline:
	spin_unlock_first(h, &ch->lock);
	return KCALL_LEAF_DECLINE;
}

/* (A pulse taken at once reports no _msg_info: uinfo stays as it is.) */
struct kcall_leaf ipc_fast_MsgReceivev(long chid, long riov, long rparts, long uinfo, long a4,
				       long a5, struct thread *r)
{
	if (!ipc_fast_ok_entry(r) || rparts != 1 || (riov & 7) ||
	    !user_range_ok((uint64_t)riov, sizeof(struct ipc_iov)) ||
	    uaccess_iov((uint64_t *)r->ipc.rv, (uint64_t)riov, 1))
		return KCALL_LEAF_DECLINE;
	return pulse_take_fused(r, chid);
}

struct kcall_leaf ipc_fast_MsgReceive(long chid, long msg, long bytes, long uinfo, long a4,
				      long a5, struct thread *r)
{
	if (!ipc_fast_ok_entry(r) || ipc_load_buf(r->ipc.rv, (uint64_t)msg, (uint64_t)bytes))
		return KCALL_LEAF_DECLINE;
	return pulse_take_fused(r, chid);
}
