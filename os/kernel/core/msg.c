/* Messages: synchronous send, receive and reply between threads, copied by
 * the kernel between address spaces (through the direct map, page by page,
 * after checking each page's user permissions).  See ipc.h for the states a
 * client goes through and the contracts. */
#include <keel/errno.h>
#include <keel/msg.h>
#include <keel/thread.h>
#include "atomic.h"
#include "ipc.h"
#include "ipc_fast.h"
#include "kcall.h"
#include "kstring.h"
#include "panic.h"
#include "process.h"
#include "sched.h"
#include "spinlock.h"
#include "spinlock_fast.h"
#include "sync.h"
#include "thread.h"
#include "timer.h"
#include "uaccess.h"
#include "vmspace.h"
#include "waitq.h"

/* ---- copying between address spaces -------------------------------------- */

/* transfer's answers when a copy faults: in the source buffers or in the
 * destination ones.  Whose call fails depends on who gave the bad buffer
 * (sender and receiver may be threads of one process: the spaces alone do
 * not tell). */
#define SRC_FAULTED (-ENXIO)
#define DST_FAULTED (-EFAULT)

/* What a call whose copy failed returns to its caller: EFAULT either way. */
static long copy_status(long n)
{
	return n < 0 ? -EFAULT : n;
}

static size_t iov_total(const struct ipc_iov *v, uint32_t n)
{
	size_t t = 0;

	for (uint32_t i = 0; i < n; i++)
		t += v[i].len;
	return t;
}

/* A short copy between two buffers of the caller's own space (threads of
 * one process): through the stack, each side reached through the MMU, so
 * neither page table is walked; which copy failed tells whose buffer was
 * bad.  Longer copies take vmspace_copy_cross, one copy instead of two. */
#define WITHIN_MAX 256

static long __attribute__((noinline)) copy_within(uint64_t dst, uint64_t src, size_t n)
{
	uint8_t buf[WITHIN_MAX];

	if (copy_from_user(buf, src, n))
		return SRC_FAULTED;
	if (copy_to_user_locked(dst, buf, n))   /* under the channel's lock */
		return DST_FAULTED;
	return 0;
}

/* transfer's general case: any parts, any offset (own: the caller's space). */
static long __attribute__((noinline)) transfer_iov(struct vmspace *own, struct vmspace *dvs,
						   const struct ipc_iov *dv, uint32_t dn,
						   struct vmspace *svs, const struct ipc_iov *sv,
						   uint32_t sn, size_t skip)
{
	uint32_t di = 0, si = 0;
	uint64_t doff = 0, soff = 0;
	long done = 0;

	while (si < sn && skip >= sv[si].len - soff) {
		skip -= sv[si].len - soff;
		si++;
		soff = 0;
	}
	soff += skip;
	while (di < dn && si < sn) {
		uint64_t n = dv[di].len - doff;
		if (sv[si].len - soff < n)
			n = sv[si].len - soff;
		/* vmspace_copy_cross: -EFAULT is the caller's side (uva), -ENXIO
		 * the other space's (va). */
		if (n && svs == dvs && n <= WITHIN_MAX) {
			long e = copy_within(dv[di].base + doff, sv[si].base + soff, n);
			if (e)
				return e;
		} else if (n && svs == own) {
			int e = vmspace_copy_cross(dvs, dv[di].base + doff, sv[si].base + soff, n,
						   true);
			if (e)
				return e == -ENXIO ? DST_FAULTED : SRC_FAULTED;
		} else if (n) {
			int e = vmspace_copy_cross(svs, sv[si].base + soff, dv[di].base + doff, n,
						   false);
			if (e)
				return e == -ENXIO ? SRC_FAULTED : DST_FAULTED;
		}
		done += (long)n;
		doff += n;
		soff += n;
		if (doff == dv[di].len) {
			di++;
			doff = 0;
		}
		if (soff == sv[si].len) {
			si++;
			soff = 0;
		}
	}
	return done;
}

/* Copy from (svs, sv) skipping `skip` source bytes into (dvs, dv); returns
 * the bytes copied, SRC_FAULTED or DST_FAULTED.  One side is always the
 * caller's own space (the sender, the receiver taking a message, the
 * replier, the reader or writer), reached through the MMU; the other
 * through its page table.  The common cases first, inline: nothing to
 * copy, and one part to one part (short ones within a process through the
 * stack). */
static inline long transfer(struct vmspace *dvs, const struct ipc_iov *dv, uint32_t dn,
			    struct vmspace *svs, const struct ipc_iov *sv, uint32_t sn, size_t skip)
{
	struct vmspace *own = this_hart()->current->proc->vs;  /* a channel locked: irqs off */

	if (svs != own && dvs != own)
		return -EFAULT;
	if (!skip && (!sn || !dn || (sn == 1 && !sv[0].len)))
		return 0;                       /* an empty message or reply */
	if (!skip && sn == 1 && dn == 1) {
		uint64_t n = sv[0].len < dv[0].len ? sv[0].len : dv[0].len;
		long e;
		if (!n)
			return 0;
		if (svs == dvs && n <= WITHIN_MAX) {
			e = copy_within(dv[0].base, sv[0].base, n);
		} else if (svs == own) {        /* see transfer_iov for the answers */
			e = vmspace_copy_cross(dvs, dv[0].base, sv[0].base, n, true);
			e = !e ? 0 : e == -ENXIO ? DST_FAULTED : SRC_FAULTED;
		} else {
			e = vmspace_copy_cross(svs, sv[0].base, dv[0].base, n, false);
			e = !e ? 0 : e == -ENXIO ? SRC_FAULTED : DST_FAULTED;
		}
		return e ? e : (long)n;
	}
	return transfer_iov(own, dvs, dv, dn, svs, sv, sn, skip);
}

/* The fast paths' copy (the caller's buffers into another thread's, the
 * channel locked, interrupts off).  Between two spaces, a short message
 * goes through the stack: gathered through the MMU in the caller's space,
 * then scattered through the MMU in the destination's, switched to now
 * (the switch to its thread comes next and finds it there).  No page
 * table is walked and no space is locked.  A fault (or a copy-on-write
 * page, which interrupts off cannot copy) declines: -1, the caller's
 * space active again, and the general path copies (and says whose buffer
 * was bad).  Longer messages, and copies within a space, as transfer. */
#define FAST_COPY_MAX 256

static long __attribute__((noinline)) transfer_bounce(struct vmspace *dvs,
						       const struct ipc_iov *dv, uint32_t dn,
						       struct vmspace *own,
						       const struct ipc_iov *sv, uint32_t sn)
{
	size_t n = iov_total(sv, sn), room = iov_total(dv, dn);

	if (room < n)
		n = room;
	if (!n)
		return 0;
	if (n > FAST_COPY_MAX) {
		long r = transfer(dvs, dv, dn, own, sv, sn, 0);
		return r < 0 ? -1 : r;
	}
	uint8_t buf[FAST_COPY_MAX];
	size_t at = 0;
	for (uint32_t i = 0; at < n; i++) {
		size_t k = sv[i].len < n - at ? sv[i].len : n - at;
		if (k && copy_from_user(buf + at, sv[i].base, k))
			return -1;
		at += k;
	}
	vmspace_activate(dvs);
	at = 0;
	for (uint32_t i = 0; at < n; i++) {
		size_t k = dv[i].len < n - at ? dv[i].len : n - at;
		if (k && copy_to_user(dv[i].base, buf + at, k)) {
			vmspace_activate(own);
			return -1;
		}
		at += k;
	}
	return (long)n;
}

/* transfer_bounce's common case, one buffer each way (MsgSend,
 * MsgReplyReceives), n bytes (1 to FAST_COPY_MAX), inline in the fused
 * paths: both buffers were checked as they were loaded (ipc_load_buf),
 * so the copies are uaccess_copy's alone. */
static inline __attribute__((always_inline)) long bounce_one(struct vmspace *dvs, uint64_t dst,
							     struct vmspace *own, uint64_t src,
							     size_t n)
{
	uint8_t buf[FAST_COPY_MAX];

	if (uaccess_copy(buf, (const void *)src, n))
		return -1;
	vmspace_activate_quick(dvs);
	if (uaccess_copy((void *)dst, buf, n)) {
		vmspace_activate(own);
		return -1;
	}
	return (long)n;
}

/* The fast paths' copy (transfer_bounce's header says how), inline: one
 * buffer each way, nothing to copy (a read's reply to a request with no
 * room, a wait's buffer) or a short message, costs no call but the copy's. */
static inline __attribute__((always_inline)) long transfer_fast(struct vmspace *dvs,
								 const struct ipc_iov *dv,
								 uint32_t dn, struct vmspace *own,
								 const struct ipc_iov *sv,
								 uint32_t sn)
{
	if (sn == 1 && dn == 1) {
		if (!sv[0].len || !dv[0].len)
			return 0;
		size_t n = sv[0].len < dv[0].len ? sv[0].len : dv[0].len;
		uint64_t d = dv[0].base, from = sv[0].base;
		/* Within one space, buffers apart: one copy, user to user (a
		 * fault declines, as any; the general path says whose). */
		if (dvs == own && (d + n <= from || from + n <= d))
			return uaccess_copy((void *)d, (const void *)from, n) ? -1 : (long)n;
		if (dvs != own && n <= FAST_COPY_MAX)
			return bounce_one(dvs, d, own, from, n);
	}
	if (dvs != own)
		return transfer_bounce(dvs, dv, dn, own, sv, sn);
	long r = transfer(dvs, dv, dn, own, sv, sn, 0);
	return r < 0 ? -1 : r;
}

/* ---- send and receive ------------------------------------------------------ */

/* A length for _msg_info's int32 fields: a client's iov may total more
 * (only what is copied must be mapped), and cut to 32 bits it came out
 * negative, which a server comparing it as unsigned took for huge. */
static inline int32_t len32(size_t n)
{
	return n > INT32_MAX ? INT32_MAX : (int32_t)n;
}

static void fill_info(struct _msg_info *mi, struct thread *c, struct channel *ch,
		      long msglen, size_t srclen, size_t dstlen)
{
	/* Field by field, every one (a compound literal became a memset). */
	mi->nd = 0;
	mi->srcnd = 0;
	mi->pid = (int32_t)c->proc->pid;
	mi->tid = (int32_t)c->tid;
	mi->chid = (int32_t)ch->chid;
	mi->scoid = (int32_t)c->proc->pid;
	mi->coid = c->ipc.coid;
	mi->msglen = (int32_t)msglen;
	mi->srcmsglen = len32(srclen);
	mi->dstmsglen = len32(dstlen);
	mi->priority = c->prio;
	mi->flags = 0;
	mi->reserved = 0;
}

/* Copy client c's message into receiver r's buffers (channel locked).
 * Returns bytes copied or -EFAULT. */
static long deliver(struct thread *r, const struct ipc_iov *rv, uint32_t rn, struct thread *c,
		    struct channel *ch, struct _msg_info *mi)
{
	long n = transfer(r->proc->vs, rv, rn, c->proc->vs, c->ipc.sv, c->ipc.sparts, 0);

	if (n >= 0)
		fill_info(mi, c, ch, n, iov_total(c->ipc.sv, c->ipc.sparts),
			  iov_total(c->ipc.rv, c->ipc.rparts));
	if (!(ch->flags & _NTO_CHF_FIXED_PRIORITY) && c->prio > r->prio)
		sched_set_prio(r, c->prio);     /* the receiver works at its client's priority */
	return n;
}

static void enqueue_sender(struct channel *ch, struct thread *c)
{
	list_for_each(n, &ch->senders) {
		if (list_entry(n, struct thread, ipc.link)->prio < c->prio) {
			list_insert_before(n, &c->ipc.link);
			return;
		}
	}
	list_add_tail(&ch->senders, &c->ipc.link);
}

/* Asks the server of REPLY-blocked client c (ch locked) to unblock it: its
 * unblock pulse, once.  The pulse pool is shared, and may be empty (a
 * process that sends pulses nobody reads): then the ask is made again
 * after UNBLOCK_RETRY_NS, so a signal or a timeout is late but never lost.
 * Returns the deadline to wait until: d, or the retry's if that is sooner. */
#define UNBLOCK_RETRY_NS 1000000ull

static uint64_t ask_unblock(struct thread *c, struct channel *ch, uint64_t d)
{
	if (c->ipc.unblock_req)
		return d;
	c->ipc.unblock_req = true;      /* (MsgInfo says so: under ch's lock, as the pulse) */
	if (pulse_queue(ch, c->prio, _PULSE_CODE_UNBLOCK, (long)c->tid, (int)c->proc->pid) == 0)
		return d;
	c->ipc.unblock_req = false;
	uint64_t retry = arch_time() + ns_to_ticks(UNBLOCK_RETRY_NS);
	return d == WAIT_FOREVER || retry < d ? retry : d;
}

/* A signal ended client c's wait (ch unlocked): a SEND-blocked client
 * leaves at once with EINTR, marked sig_unseen: no server saw its message,
 * so the send starts again after the handler whatever SA_RESTART says (as
 * if the signal had come just before the call: a POSIX call that may not
 * fail with EINTR, such as stat or pipe, never does because its server was
 * busy); a REPLY-blocked one on a channel that asked
 * for _NTO_CHF_UNBLOCK stays until the server answers (normally with
 * EINTR), having sent it the unblock pulse, and only its REPLY timeout or
 * its end cut that short.  Returns what send_wait's wait would have: the
 * answer, -EINTR, or -ETIMEDOUT. */
static long send_signalled(struct thread *c, struct channel *ch, uint64_t d)
{
	spin_lock(&ch->lock);
	if (c->ipc.state == IPC_NONE) {                 /* answered meanwhile */
		spin_unlock(&ch->lock);
		return c->ipc.status;
	}
	if (c->ipc.state == IPC_REPLY && (ch->flags & _NTO_CHF_UNBLOCK)) {
		atomic_store32(&c->sig_nointr, 1);      /* the server decides when we go */
		long r;
		for (;;) {
			uint64_t dd = ask_unblock(c, ch, d);
			r = waitq_block(&c->ipc.wq, &ch->lock, dd);
			if (r == -ETIMEDOUT && dd != d) {
				spin_lock(&ch->lock);   /* the pool's retry time, not ours */
				if (c->ipc.state == IPC_NONE) {
					spin_unlock(&ch->lock);
					r = c->ipc.status;
					break;
				}
				continue;
			}
			if (r != -EINTR || atomic_load32(&c->killed))
				break;
			/* Another signal's notifier read the flag before we set it
			 * and broke this wait too: still REPLY-blocked, keep waiting
			 * (returning left us on the repliers queue, and a restarted
			 * MsgSend queued us twice: the 'deliver' panic). */
			spin_lock(&ch->lock);
			if (c->ipc.state == IPC_NONE) {
				spin_unlock(&ch->lock);
				r = c->ipc.status;
				break;
			}
		}
		atomic_store32(&c->sig_nointr, 0);
		return r;
	}
	c->sig_unseen = c->ipc.state == IPC_SEND;
	list_del(&c->ipc.link);                 /* off the senders or the repliers */
	c->ipc.state = IPC_NONE;
	spin_unlock(&ch->lock);
	return -EINTR;
}

/* What send_wait does with the result r of a wait (the channel unlocked):
 * a signal, a timeout (which may mean waiting on), or the answer.  Waits
 * again, under the given deadlines, as that needs. */
static long send_wait_from(struct thread *c, struct channel *ch, long r, uint64_t d_send,
			   uint64_t d_reply, uint64_t d)
{
	for (;;) {
		if (r == -EINTR && !atomic_load32(&c->killed))
			r = send_signalled(c, ch, d);
		if (r != -ETIMEDOUT)
			return r;
		spin_lock(&ch->lock);
		if (c->ipc.state == IPC_NONE) {                 /* answered meanwhile */
			spin_unlock(&ch->lock);
			return c->ipc.status;
		}
		bool sending = c->ipc.state == IPC_SEND;
		if (!sending && (ch->flags & _NTO_CHF_UNBLOCK) && d_reply != WAIT_FOREVER) {
			/* The server decides: it gets a pulse and replies when it can
			 * (d_reply stays: a wait that ends at it asks again, if the
			 * pool had no pulse the last time). */
			d = ask_unblock(c, ch, WAIT_FOREVER);
		} else if (sending ? d_send != WAIT_FOREVER : d_reply != WAIT_FOREVER) {
			list_del(&c->ipc.link);         /* off the senders or the repliers */
			c->ipc.state = IPC_NONE;
			spin_unlock(&ch->lock);
			return -ETIMEDOUT;
		} else {
			d = d_reply;    /* the SEND timeout passed after delivery: wait for the reply */
		}
		r = waitq_block(&c->ipc.wq, &ch->lock, d);
	}
}

/* Wait (channel locked on entry, released) for the reply, honouring a
 * TimerTimeout on the SEND and REPLY states.  A timeout that races a reply
 * returns the reply.  A signal: see send_signalled. */
static long send_wait(struct thread *c, struct channel *ch)
{
	uint64_t d_send = kcall_deadline(STATE_SEND), d_reply = kcall_deadline(STATE_REPLY);
	uint64_t d = c->ipc.state == IPC_SEND ? d_send : d_reply;

	c->ipc.status = 0;
	c->ipc.unblock_req = false;
	c->ipc.reply_deadline = d_reply;
	return send_wait_from(c, ch, waitq_block(&c->ipc.wq, &ch->lock, d), d_send, d_reply, d);
}

long msg_send_resume(struct thread *c, long r)
{
	return send_wait_from(c, c->ipc.ch, r, WAIT_FOREVER, WAIT_FOREVER, WAIT_FOREVER);
}

/* msg_send's fast path: c's message is in receiver r's buffers (ch locked,
 * r still on ch's receivers).  c becomes REPLY-blocked with a continuation
 * and r runs at once (here, if it may: sched.h).  Returns only if the wait
 * was refused (a signal or an end came meanwhile): then as send_wait. */
/* Client c's message was taken on ch (locked): it is REPLY-blocked there,
 * with no REPLY timeout (the fast paths' case). */
static inline void replier_add(struct thread *c, struct channel *ch)
{
	c->ipc.state = IPC_REPLY;
	list_add_tail(&ch->repliers, &c->ipc.link);
	c->ipc.status = 0;
	c->ipc.unblock_req = false;
	c->ipc.reply_deadline = WAIT_FOREVER;
	c->call_state = STATE_REPLY;
}

static long send_fast(struct thread *c, struct channel *ch, struct thread *r)
{
	replier_add(c, ch);
	if (!ipc_claim_waiter(&ch->receivers, r, (int)c->tid))
		panic("send_fast: receiver %s is not waiting on channel %u", r->name, ch->chid);
	waitq_prepare(&c->ipc.wq, &ch->lock, WAIT_FOREVER);
	if (atomic_load32(&c->state) == TS_RUNNING) {   /* refused */
		sched_queue_claimed(r);
		spin_unlock(&ch->lock);
		return send_wait_from(c, ch, c->wait_result, WAIT_FOREVER, WAIT_FOREVER,
				      WAIT_FOREVER);
	}
	ipc_cont_set(c, IPC_CONT_SEND, 0);
	ch->lock.irq_state = 0;                 /* interrupts stay off until the switch */
	spin_unlock(&ch->lock);
	struct hart *h = this_hart();
	if (sched_may_run_on(h, r, r->prio))
		ipc_switch_cont(h, c, r);
	sched_queue_claimed(r);
	schedule_cont();
}

/* The receiver's _msg_info, if it wants one, straight into its buffer (its
 * space is next anyway; a fault declines, as the copy's): the
 * continuation then has nothing left to do (ipc_cont_quick_inline).
 * False to decline. */
static inline __attribute__((always_inline)) bool fused_info(struct thread *r, struct thread *c,
							     struct channel *ch, long n,
							     uint32_t sparts, uint32_t rparts)
{
	struct _msg_info *mi = (struct _msg_info *)r->ipc.info;
	uint64_t uinfo = r->cont_uinfo;

	if (!user_range_ok(uinfo, sizeof *mi))
		return false;
	fill_info(mi, c, ch, n, sparts == 1 ? c->ipc.sv[0].len : iov_total(c->ipc.sv, sparts),
		  rparts == 1 ? c->ipc.rv[0].len : iov_total(c->ipc.rv, rparts));
	vmspace_activate_quick(r->proc->vs);
	if (uaccess_copy((void *)uinfo, mi, sizeof *mi)) {
		vmspace_activate(c->proc->vs);
		return false;
	}
	r->cont_uinfo = 0;
	return true;
}

/* The send's fused fast path (ipc.h): every decision first, with the
 * channel locked, and nothing changed until all of them pass; then the
 * message, the client's REPLY wait and the switch to the receiver in one
 * go.  Hart h, interrupts off, no lock held; c->ipc.sv and rv loaded.
 * Returns (having done nothing) when the call must take msg_send.  The
 * common case calls nothing: every piece is inline. */
static inline __attribute__((always_inline)) void send_fused(struct hart *h, struct thread *c,
							     long coid, uint32_t sparts,
							     uint32_t rparts)
{
	uint32_t gen;
	struct channel *ch = conn_own_peek(c->proc, coid, &gen);

	if (!ch || !spin_trylock_first(h, &ch->lock))
		return;
	if (!ch->live || ch->gen != gen || list_empty(&ch->receivers.head) ||
	    list_linked(&c->ipc.link))
		goto decline;
	struct thread *r = list_entry(ch->receivers.head.next, struct thread, wait_link);
	unsigned prio = r->prio;
	if (!(ch->flags & _NTO_CHF_FIXED_PRIORITY) && c->prio > prio)
		prio = c->prio;                 /* it works at its client's priority */
	if (r->ipc.pulse_only || r->cont != IPC_CONT_RECV || !sched_may_run_on(h, r, prio))
		goto decline;
	/* The client's wait, as waitq_prepare would start it: a signal or an
	 * end that came since ipc_fast_ok refuses it (the general path then
	 * says so), and nothing is done yet. */
	atomic_add32(&c->wait_seq, 1);
	c->wq_lock = &ch->lock;
	c->ipc.ch = ch;                         /* before any state of this send (msg_send) */
	smp_mb();
	if (atomic_load32(&c->killed) ||
	    (atomic_load32(&c->sig_wake) && !atomic_load32(&c->sig_nointr)))
		goto decline;
	c->ipc.sparts = sparts;
	c->ipc.rparts = rparts;
	c->ipc.coid = (int32_t)coid;
	long n = transfer_fast(r->proc->vs, r->ipc.rv, r->ipc.rparts, c->proc->vs, c->ipc.sv,
				sparts);
	if (n < 0)
		goto decline;                   /* msg_send tells whose buffer was bad */
	if (r->cont_uinfo && !fused_info(r, c, ch, n, sparts, rparts))
		goto decline;
	if (prio != r->prio)
		sched_set_prio(r, prio);
	/* The receiver leaves the channel's queue with the rcvid ... */
	list_del(&r->wait_link);
	r->wq = 0;
	r->wait_result = (int)c->tid;
	if (!sched_claim(r))
		panic("msg_send_fast: receiver %s is not blocked", r->name);
	/* ... and the client waits for the reply on its own queue. */
	replier_add(c, ch);
	c->wq = &c->ipc.wq;
	c->wait_result = 0;
	list_add_tail(&c->ipc.wq.head, &c->wait_link);
	atomic_store32(&c->state, TS_BLOCKED);
	ipc_cont_set(c, IPC_CONT_SEND, 0);
	spin_unlock_first(h, &ch->lock);
	ipc_switch_cont(h, c, r);
decline:
	spin_unlock_first(h, &ch->lock);
}

void msg_send_fast(struct thread *c, long coid, uint32_t sparts, uint32_t rparts)
{
	unsigned long s = arch_irq_save();

	send_fused(this_hart(), c, coid, sparts, rparts);
	arch_irq_restore(s);
}

void ipc_fast_MsgSend(long coid, long smsg, long sbytes, long rmsg, long rbytes, long a5,
		      struct thread *c)
{
	if (!ipc_fast_ok_entry(c) || ipc_load_buf(c->ipc.sv, (uint64_t)smsg, (uint64_t)sbytes) ||
	    ipc_load_buf(c->ipc.rv, (uint64_t)rmsg, (uint64_t)rbytes))
		return;
	c->sig_call = KCALL_MsgSend + 1;        /* as the dispatch sets them (kcall.c) */
	c->sig_call_arg0 = (uint64_t)coid;
	send_fused(this_hart(), c, coid, 1, 1);
}

long msg_send(struct thread *c, long coid, uint32_t sparts, uint32_t rparts)
{
	struct channel *ch;

	if (!(ch = conn_channel_locked_own(c->proc, coid)))
		return -EBADF;
	if (list_linked(&c->ipc.link)) {        /* a wait before left it queued */
		ipc_describe_links(c);
		panic("thread %s (tid 0x%x) sends while on a channel's queue (ipc state %u)",
		      c->name, c->tid, c->ipc.state);
	}
	c->ipc.ch = ch;
	/* A server still holding the lock of the channel c last used may look
	 * at c now (a late reply to c's earlier message): it reads c's state,
	 * then c's channel (msg_client_locked).  The new channel is visible
	 * before any state of this send, so a state of this send is never
	 * taken for one on that server's channel. */
	smp_mb();
	c->ipc.sparts = sparts;
	c->ipc.rparts = rparts;
	c->ipc.coid = (int32_t)coid;
	struct thread *r;
	while ((r = chan_first_receiver(ch, false))) {
		long n = deliver(r, r->ipc.rv, r->ipc.rparts, c, ch, (struct _msg_info *)r->ipc.info);
		if (n == DST_FAULTED) {
			/* The receiver's buffers are bad: its MsgReceive fails, and
			 * the message goes to the next receiver or waits. */
			waitq_wake_thread(&ch->receivers, r, -EFAULT);
			continue;
		}
		if (n < 0) {                    /* our own message is bad */
			spin_unlock(&ch->lock);
			return -EFAULT;
		}
		if (r->cont == IPC_CONT_RECV && ipc_fast_ok(c))
			return send_fast(c, ch, r);
		c->ipc.state = IPC_REPLY;
		list_add_tail(&ch->repliers, &c->ipc.link);
		waitq_wake_thread_handoff(&ch->receivers, r, (int)c->tid);  /* send_wait blocks */
		return send_wait(c, ch);
	}
	c->ipc.state = IPC_SEND;
	enqueue_sender(ch, c);
	return send_wait(c, ch);
}

/* Take the first SEND-blocked client of ch (locked) into r's buffers;
 * returns its rcvid, DST_FAULTED when r's own buffers are bad (the client
 * stays first in line), or SRC_FAULTED when the client's message is (its
 * MsgSend fails with EFAULT; the receiver takes the next one: a client's
 * bad buffer never fails a server's MsgReceive). */
static long take_sender(struct thread *r, struct channel *ch, uint32_t rparts,
			struct _msg_info *mi)
{
	struct thread *c = list_entry(ch->senders.next, struct thread, ipc.link);

	if (c->ipc.state != IPC_SEND || c->ipc.ch != ch || !c->proc) {
		ipc_describe_links(c);
		panic("channel %u of pid %u: sender %p (tid 0x%x %s, ipc state %u, on channel %p, "
		      "process %p) is not SEND-blocked here", ch->chid, ch->owner->pid, (void *)c,
		      c->tid, c->name, c->ipc.state, (void *)c->ipc.ch, (void *)c->proc);
	}
	long rc = deliver(r, r->ipc.rv, rparts, c, ch, mi);
	if (rc == DST_FAULTED)
		return -EFAULT;
	list_del(&c->ipc.link);
	if (rc < 0) {
		c->ipc.state = IPC_NONE;
		c->ipc.status = -EFAULT;        /* for a client whose timeout woke it first */
		waitq_wake_one(&c->ipc.wq, -EFAULT);
		return rc;
	}
	c->ipc.state = IPC_REPLY;
	list_add_tail(&ch->repliers, &c->ipc.link);
	if (c->ipc.reply_deadline != WAIT_FOREVER)
		waitq_rearm(c, c->ipc.reply_deadline);  /* its REPLY timeout starts now */
	return (long)c->tid;
}

long msg_receive(struct thread *r, struct channel *ch, long chid, uint32_t rparts,
		 bool pulse_only, struct _msg_info *mi, bool *has_info, uint64_t uinfo)
{
	long rc;

	*has_info = false;
	if (list_linked(&r->ipc.link)) {        /* a wait before left it queued */
		ipc_describe_links(r);
		panic("thread %s (tid 0x%x) receives while on a channel's queue (ipc state %u)",
		      r->name, r->tid, r->ipc.state);
	}
	sync_own_prio(r);                       /* a new message brings its own priority */
	spin_lock(&ch->lock);
	if (!ch->live || ch->owner != r->proc || ch->chid != (uint32_t)chid) {
		spin_unlock(&ch->lock);         /* destroyed, perhaps reused, since */
		return -EINVAL;
	}
	if (!list_empty(&ch->pulses)) {
		rc = pulse_take(r, ch, r->ipc.rv, rparts);
		spin_unlock(&ch->lock);
		return rc;
	}
	while (!pulse_only && !list_empty(&ch->senders)) {
		rc = take_sender(r, ch, rparts, mi);
		if (rc == SRC_FAULTED)
			continue;               /* that client failed; the next */
		spin_unlock(&ch->lock);
		*has_info = rc >= 0;
		return rc;
	}
	r->ipc.rparts = rparts;
	r->ipc.pulse_only = pulse_only;
	if (ipc_fast_ok(r)) {
		/* Wait with a continuation: a sender on this hart switches
		 * straight to us (send_fast); msg_receive_resume finishes. */
		r->call_state = STATE_RECEIVE;
		waitq_prepare(&ch->receivers, &ch->lock, WAIT_FOREVER);
		if (atomic_load32(&r->state) == TS_RUNNING) {   /* refused */
			spin_unlock(&ch->lock);
			return r->wait_result;
		}
		ipc_cont_set(r, IPC_CONT_RECV, uinfo);
		ch->lock.irq_state = 0;
		spin_unlock(&ch->lock);
		schedule_cont();
	}
	rc = waitq_block(&ch->receivers, &ch->lock, kcall_deadline(STATE_RECEIVE));
	if (rc >= 0) {
		memcpy(mi, r->ipc.info, sizeof *mi);
		*has_info = true;
	}
	return rc;
}

long msg_receive_resume(struct thread *r, long rc, uint64_t uinfo)
{
	if (rc >= 0 && uinfo && copy_to_user((uintptr_t)uinfo, r->ipc.info, sizeof(struct _msg_info)))
		return -EFAULT;
	return rc;
}

/* ---- a REPLY-blocked client --------------------------------------------- */

struct thread *msg_client_locked(long rcvid, struct channel **chp)
{
	struct thread *c = thread_lookup((uint32_t)rcvid);

	if (!c || !c->proc)
		return 0;
	struct channel *ch = c->ipc.ch;
	if (!ch)
		return 0;
	spin_lock(&ch->lock);
	/* c's state, then its channel: ch's lock orders what was done on ch,
	 * but a client that has left ch may be sending on another channel
	 * under that one's lock, and a REPLY of that send must not pass for
	 * one on ch.  msg_send publishes the new channel before the new state:
	 * a state read here that belongs to another channel comes with it.
	 * (Read in the other order, a late reply to a client that had left
	 * took it off its new server's queue under the wrong lock.) */
	uint32_t state = *(volatile uint32_t *)&c->ipc.state;
	smp_mb();
	if (c->tid != (uint32_t)rcvid || *(struct channel *volatile *)&c->ipc.ch != ch ||
	    state != IPC_REPLY || ch->owner != thread_current()->proc) {
		spin_unlock(&ch->lock);
		return 0;
	}
	*chp = ch;
	return c;
}

long msg_reply(struct thread *r, struct thread *c, struct channel *ch, long status,
	       const struct ipc_iov *rv, uint32_t rn)
{
	long n = transfer(c->proc->vs, c->ipc.rv, c->ipc.rparts, r->proc->vs, rv, rn, 0);

	c->ipc.state = IPC_NONE;
	list_del(&c->ipc.link);
	c->ipc.status = n < 0 ? -EFAULT : (int)status;
	if (c->prio <= r->base_prio || !ch->lock.irq_state) {
		/* The server goes on (QNX): the client runs when it blocks. */
		waitq_wake_one(&c->ipc.wq, (int)c->ipc.status);
		spin_unlock(&ch->lock);
		sync_own_prio(r);
		sched_preempt_if_needed();
		return n < 0 ? -EFAULT : 0;
	}
	/* The client outranks the server back at its own priority: switch to
	 * it now, straight if it last ran here, the server first in line after
	 * it.  Interrupts stay off from the wake-up to the switch. */
	unsigned long s = ch->lock.irq_state;
	ch->lock.irq_state = 0;
	waitq_wake_one_handoff(&c->ipc.wq, (int)c->ipc.status);
	spin_unlock(&ch->lock);
	sync_own_prio(r);
	schedule(SCHED_HOW_PREEMPT);
	arch_irq_restore(s);
	return n < 0 ? -EFAULT : 0;
}

/* The reply-and-receive's fused fast path (ipc.h), as send_fused: hart h,
 * interrupts off, no lock held; (rv, rn) the reply, r->ipc.rv loaded
 * with rcvparts parts.  Returns (having changed nothing but r's priority,
 * back to its own as both paths do) when the call must take the general
 * path. */
static inline __attribute__((always_inline)) void reply_receive_fused(
	struct hart *h, struct thread *r, long rcvid, long chid, long status,
	const struct ipc_iov *rv, uint32_t rn, uint32_t rcvparts, uint64_t uinfo)
{
	struct thread *c = thread_lookup((uint32_t)rcvid);
	/* c is one register from here on: the compiler, knowing it as the
	 * table's base plus slot times 1,656, otherwise made it again (a
	 * multiply) at every use. */
	__asm__("" : "+r"(c));
	struct channel *ch = c ? *(struct channel *volatile *)&c->ipc.ch : 0;

	if (!ch || ch != chan_of_inline(r->proc, chid))
		return;                         /* the reply goes to another channel */
	if (r->prio != r->base_prio)
		sync_own_prio(r);               /* both paths end at our own priority */
	if (!spin_trylock_first(h, &ch->lock))
		return;
	/* c's state, then its channel: see msg_client_locked. */
	uint32_t state = *(volatile uint32_t *)&c->ipc.state;
	smp_mb();
	if (c->tid != (uint32_t)rcvid || *(struct channel *volatile *)&c->ipc.ch != ch ||
	    state != IPC_REPLY || ch->owner != r->proc || !ch->live || ch->chid != (uint32_t)chid ||
	    !list_empty(&ch->senders) || !list_empty(&ch->pulses) || c->wq != &c->ipc.wq ||
	    list_linked(&r->ipc.link))
		goto decline;
	/* Our wait, as waitq_prepare starts it (see send_fused). */
	atomic_add32(&r->wait_seq, 1);
	r->wq_lock = &ch->lock;
	smp_mb();
	if (atomic_load32(&r->killed) ||
	    (atomic_load32(&r->sig_wake) && !atomic_load32(&r->sig_nointr)))
		goto decline;
	long n = transfer_fast(c->proc->vs, c->ipc.rv, c->ipc.rparts, r->proc->vs, rv, rn);
	if (n < 0)
		goto decline;                   /* MsgReplyv says whose buffer was bad */
	/* The client has its answer and is claimed for the switch ... */
	c->ipc.state = IPC_NONE;
	list_del(&c->ipc.link);
	c->ipc.status = (int)status;
	list_del(&c->wait_link);
	c->wq = 0;
	c->wait_result = (int)status;
	if (!sched_claim(c))
		panic("msg_reply_receive_fast: client %s is not blocked", c->name);
	/* ... and we wait on the channel for the next message. */
	r->ipc.rparts = rcvparts;
	r->ipc.pulse_only = false;
	r->call_state = STATE_RECEIVE;
	r->wq = &ch->receivers;
	r->wait_result = 0;
	if (list_empty(&ch->receivers.head))
		list_add_tail(&ch->receivers.head, &r->wait_link);     /* waitq_insert's order */
	else
		waitq_insert(&ch->receivers, r);
	atomic_store32(&r->state, TS_BLOCKED);
	ipc_cont_set(r, IPC_CONT_RECV, uinfo);
	spin_unlock_first(h, &ch->lock);
	if (c->cont == IPC_CONT_SEND && sched_may_run_on(h, c, c->prio))
		ipc_switch_cont(h, r, c);
	/* Not switching to c: the copy left this hart on c's space, which
	 * nothing here holds and which may go (c's process ending) before the
	 * switch to whatever runs next; its translations would then walk a
	 * freed root.  Back to our own first. */
	vmspace_activate(r->proc->vs);
	sched_queue_claimed(c);                 /* a client that sent the long way */
	schedule_cont();
decline:
	spin_unlock_first(h, &ch->lock);
}

void msg_reply_receive_fast(struct thread *r, long rcvid, long chid, long status,
			    const struct ipc_iov *rv, uint32_t rn, uint32_t rcvparts, uint64_t uinfo)
{
	unsigned long s = arch_irq_save();

	reply_receive_fused(this_hart(), r, rcvid, chid, status, rv, rn, rcvparts, uinfo);
	arch_irq_restore(s);
}

void ipc_fast_MsgReplyReceives(long ids, long status, long rmsg, long sizes, long msg,
			       long uinfo, struct thread *r)
{
	long rcvid = (long)(uint32_t)ids, chid = (long)((uint64_t)ids >> 32);
	uint64_t rbytes = (uint32_t)sizes, bytes = (uint64_t)sizes >> 32;
	struct ipc_iov rv[1];

	if (!ipc_fast_ok_entry(r) || rcvid > INT32_MAX || chid > INT32_MAX ||
	    ipc_load_buf(rv, (uint64_t)rmsg, rbytes) || ipc_load_buf(r->ipc.rv, (uint64_t)msg, bytes))
		return;
	r->sig_call = KCALL_MsgReplyReceives + 1;       /* as the dispatch sets them (kcall.c) */
	r->sig_call_arg0 = (uint64_t)ids;
	reply_receive_fused(this_hart(), r, rcvid, chid, status, rv, 1, 1, (uint64_t)uinfo);
}

long msg_error(struct thread *c, struct channel *ch, long err)
{
	c->ipc.state = IPC_NONE;
	list_del(&c->ipc.link);
	c->ipc.status = err > 0 ? -err : -EINVAL;
	waitq_wake_one(&c->ipc.wq, (int)c->ipc.status);
	spin_unlock(&ch->lock);
	sched_preempt_if_needed();
	return 0;
}

long msg_read(struct thread *c, struct channel *ch, const struct ipc_iov *dv, uint32_t dn,
	      uint64_t offset)
{
	struct thread *r = thread_current();
	long n = transfer(r->proc->vs, dv, dn, c->proc->vs, c->ipc.sv, c->ipc.sparts,
			  (size_t)offset);

	spin_unlock(&ch->lock);
	return copy_status(n);
}

long msg_write(struct thread *c, struct channel *ch, const struct ipc_iov *sv, uint32_t sn,
	       uint64_t offset)
{
	struct thread *r = thread_current();
	struct ipc_iov dv[IPC_IOV_MAX];

	/* Skip `offset` bytes of the destination by trimming a copy of it. */
	memcpy(dv, c->ipc.rv, c->ipc.rparts * sizeof dv[0]);
	uint32_t di = 0;
	uint64_t skip = offset;
	while (di < c->ipc.rparts && skip >= dv[di].len)
		skip -= dv[di++].len;
	if (di < c->ipc.rparts) {
		dv[di].base += skip;
		dv[di].len -= skip;
	}
	long n = transfer(c->proc->vs, dv + di, c->ipc.rparts - di, r->proc->vs, sv, sn, 0);
	spin_unlock(&ch->lock);
	return copy_status(n);
}

void msg_info(struct thread *c, struct channel *ch, struct _msg_info *mi)
{
	fill_info(mi, c, ch, 0, iov_total(c->ipc.sv, c->ipc.sparts),
		  iov_total(c->ipc.rv, c->ipc.rparts));
	spin_unlock(&ch->lock);
	mi->msglen = mi->srcmsglen;
	if (c->ipc.unblock_req)
		mi->flags |= _NTO_MI_UNBLOCK_REQ;
}

void ipc_thread_abandon(struct thread *t)
{
	struct channel *ch = t->ipc.ch;         /* set only by t itself */

	if (!ch)
		return;
	spin_lock(&ch->lock);
	if (t->ipc.state == IPC_SEND || t->ipc.state == IPC_REPLY) {
		/* A server that asked for unblock pulses may hold the request
		 * parked (a read for data, a wait for a child): it hears of the
		 * end as of a signal, and lets go of it, instead of answering a
		 * client that is gone with what another would have had. */
		if (t->ipc.state == IPC_REPLY && (ch->flags & _NTO_CHF_UNBLOCK) && ch->live &&
		    !t->ipc.unblock_req)
			pulse_queue(ch, t->prio, _PULSE_CODE_UNBLOCK, (long)t->tid,
				    (int)t->proc->pid);
		list_del(&t->ipc.link);
		t->ipc.state = IPC_NONE;
	}
	spin_unlock(&ch->lock);
}
