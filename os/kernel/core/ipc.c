/* Channels, connections and synchronous message passing (QNX semantics).
 *
 * A client sending on a connection either finds a receiver waiting (the
 * message is copied straight into the receiver's buffers) or queues in
 * priority order on the channel, SEND-blocked.  Once received it is
 * REPLY-blocked until MsgReply/MsgError names it by rcvid (its thread id).
 * Messages are copied by the kernel between address spaces through the
 * direct map, page by page, after checking each page's user permissions.
 * The receiver runs at the sender's priority unless the channel is
 * _NTO_CHF_FIXED_PRIORITY. */
#include <keel/errno.h>
#include <keel/msg.h>
#include <keel/thread.h>
#include "atomic.h"
#include "hart.h"
#include "kcall.h"
#include "kstring.h"
#include "list.h"
#include "process.h"
#include "sched.h"
#include "spinlock.h"
#include "sync.h"
#include "thread.h"
#include "uaccess.h"
#include "vmspace.h"
#include "waitq.h"

#define CHAN_MAX   128
#define PULSE_MAX  256
#define IOV_MAX    IPC_IOV_MAX

enum { IPC_NONE, IPC_SEND, IPC_REPLY, IPC_RECEIVE };

struct kpulse {
	struct list link;
	uint8_t prio;
	struct _pulse p;
};

struct channel {
	struct spinlock lock;
	uint32_t gen;
	bool live;
	struct process *owner;
	uint32_t chid, flags;
	struct waitq receivers;
	struct list senders;            /* threads SEND-blocked, by priority */
	struct list repliers;           /* threads REPLY-blocked on messages taken here */
	struct list pulses;             /* struct kpulse, by priority */
};

static struct channel chans[CHAN_MAX];
static struct kpulse pulse_pool[PULSE_MAX];
static struct list free_pulses = LIST_INIT(free_pulses);
static struct spinlock pool_lock = SPINLOCK_INIT("ipc-pool", LR_SYNCPOOL);
static bool ipc_ready;

static void ipc_init_once(void)
{
	spin_lock(&pool_lock);
	if (!ipc_ready) {
		for (int i = 0; i < PULSE_MAX; i++)
			list_add_tail(&free_pulses, &pulse_pool[i].link);
		for (int i = 0; i < CHAN_MAX; i++)
			spin_init(&chans[i].lock, "channel", LR_CHAN);
		ipc_ready = true;
	}
	spin_unlock(&pool_lock);
}

static struct process *self(void)
{
	return thread_current()->proc;
}

/* ---- copying between address spaces -------------------------------------- */

/* Copy the caller's iov array (parts elements at uiov) into out and check
 * every buffer lies in the user half.  Only the caller's own memory is read,
 * through the MMU. */
static int load_iov(struct ipc_iov *out, uint64_t uiov, long parts)
{
	if (parts < 0 || parts > IOV_MAX)
		return -EINVAL;
	if (parts && copy_from_user(out, uiov, (size_t)parts * sizeof *out))
		return -EFAULT;
	for (long i = 0; i < parts; i++)
		if (out[i].len && !user_range_ok(out[i].base, out[i].len))
			return -EFAULT;
	return 0;
}

/* One buffer of the caller as a one-part vector (the scalar side of
 * MsgSendsv / MsgSendvs). */
static int load_one(struct ipc_iov *out, uint64_t base, long len)
{
	if (len < 0)
		return -EINVAL;
	if (len && !user_range_ok(base, (size_t)len))
		return -EFAULT;
	out[0] = (struct ipc_iov){ base, (uint64_t)len };
	return 0;
}

static size_t iov_total(const struct ipc_iov *v, uint32_t n)
{
	size_t t = 0;

	for (uint32_t i = 0; i < n; i++)
		t += v[i].len;
	return t;
}

/* Copy from (svs, sv) skipping `skip` source bytes into (dvs, dv); returns
 * the bytes copied or -EFAULT.  One side is always the caller's own space
 * (the sender, the receiver taking a message, the replier, the reader or
 * writer), reached through the MMU; the other through its page table. */
static long transfer(struct vmspace *dvs, const struct ipc_iov *dv, uint32_t dn,
		     struct vmspace *svs, const struct ipc_iov *sv, uint32_t sn, size_t skip)
{
	struct vmspace *own = self()->vs;
	uint32_t di = 0, si = 0;
	uint64_t doff = 0, soff = 0;
	long done = 0;

	if (svs != own && dvs != own)
		return -EFAULT;
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
		if (n && (svs == own ?
			  vmspace_copy_cross(dvs, dv[di].base + doff, sv[si].base + soff, n, true) :
			  vmspace_copy_cross(svs, sv[si].base + soff, dv[di].base + doff, n, false)))
			return -EFAULT;
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

/* ---- channels and connections ---------------------------------------------- */

long sys_ChannelCreate(long flags, long a1, long a2, long a3, long a4, long a5)
{
	struct process *p = self();
	struct channel *ch = 0;

	(void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	ipc_init_once();
	for (int i = 0; i < CHAN_MAX && !ch; i++) {
		spin_lock(&chans[i].lock);
		if (!chans[i].live) {
			ch = &chans[i];
			ch->live = true;
			ch->gen++;
			ch->owner = p;
			ch->flags = (uint32_t)flags;
			waitq_init(&ch->receivers);
			list_init(&ch->senders);
			list_init(&ch->repliers);
			list_init(&ch->pulses);
		}
		spin_unlock(&chans[i].lock);
	}
	if (!ch)
		return -EAGAIN;
	spin_lock(&p->lock);
	for (int c = 0; c < PROC_CHANNELS; c++)
		if (!p->chans[c]) {
			ch->chid = (uint32_t)c + 1;
			smp_mb();               /* chan_of reads the slot without the lock */
			p->chans[c] = ch;
			spin_unlock(&p->lock);
			return c + 1;
		}
	spin_unlock(&p->lock);
	spin_lock(&ch->lock);
	ch->live = false;
	spin_unlock(&ch->lock);
	return -EAGAIN;
}

/* A lock-free read: channel objects live in a static pool and are never
 * freed, and every user checks ch->live under the channel's lock. */
static struct channel *chan_of(struct process *p, long chid)
{
	if (chid < 1 || chid > PROC_CHANNELS)
		return 0;
	return *(struct channel *volatile *)&p->chans[chid - 1];
}

/* Close ch: receivers fail with EINTR, its senders and REPLY-blocked
 * clients with ESRCH, queued pulses go back to the pool. */
static void chan_close(struct channel *ch)
{
	spin_lock(&ch->lock);
	ch->live = false;
	ch->gen++;
	waitq_wake_all(&ch->receivers, -EINTR);
	struct list *lists[2] = { &ch->senders, &ch->repliers };
	for (int i = 0; i < 2; i++)
		while (!list_empty(lists[i])) {
			struct thread *c = list_entry(lists[i]->next, struct thread, ipc_link);
			list_del(&c->ipc_link);
			c->ipc_state = IPC_NONE;
			c->ipc_status = -ESRCH;
			waitq_wake_one(&c->ipc_wq, -ESRCH);
		}
	while (!list_empty(&ch->pulses)) {
		struct list *n = ch->pulses.next;
		list_del(n);
		spin_lock(&pool_lock);
		list_add_tail(&free_pulses, n);
		spin_unlock(&pool_lock);
	}
	spin_unlock(&ch->lock);
}

/* Senders and receivers still blocked on a destroyed channel fail. */
long sys_ChannelDestroy(long chid, long a1, long a2, long a3, long a4, long a5)
{
	struct process *p = self();
	struct channel *ch = chan_of(p, chid);

	(void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	if (!ch)
		return -EINVAL;
	spin_lock(&p->lock);
	p->chans[chid - 1] = 0;
	spin_unlock(&p->lock);
	chan_close(ch);
	return 0;
}

/* ConnectAttach(nd, pid, chid, index, flags): a connection to channel chid
 * of process pid (0: the caller). */
long sys_ConnectAttach(long nd, long pid, long chid, long index, long flags, long a5)
{
	struct process *p = self();

	(void)a5; (void)flags;
	if (nd != ND_LOCAL_NODE)
		return -EINVAL;
	struct process *server = pid == 0 || (uint32_t)pid == p->pid ? p :
				 pid > 0 ? process_by_pid((uint32_t)pid) : 0;
	if (!server)
		return -ESRCH;
	struct channel *ch = chan_of(server, chid);
	if (!ch)
		return -ESRCH;
	bool side = index & _NTO_SIDE_CHANNEL;
	spin_lock(&p->lock);
	for (int c = side ? PROC_CONNECTIONS / 2 : 0; c < PROC_CONNECTIONS; c++)
		if (!p->conns[c].ch) {
			p->conns[c] = (struct connection){ ch, ch->gen };
			spin_unlock(&p->lock);
			return side ? (c | _NTO_SIDE_CHANNEL) : c;
		}
	spin_unlock(&p->lock);
	return -EAGAIN;
}

static int conn_index(long coid)
{
	long c = coid & ~(long)_NTO_SIDE_CHANNEL;

	if (coid < 0 || c >= PROC_CONNECTIONS)
		return -1;
	return (int)c;
}

/* Clear connection c of p; *cn is what it was.  True if it was p's last
 * connection to that channel (the same generation of it): the decision is
 * made under p's lock, so of two threads detaching p's last two
 * connections at once exactly one sees the last. */
static bool conn_drop(struct process *p, int c, struct connection *cn)
{
	spin_lock(&p->lock);
	*cn = p->conns[c];
	p->conns[c].ch = 0;
	bool last = cn->ch != 0;
	for (int i = 0; last && i < PROC_CONNECTIONS; i++)
		if (p->conns[i].ch == cn->ch && p->conns[i].gen == cn->gen)
			last = false;
	spin_unlock(&p->lock);
	return last;
}

static int queue_pulse(struct channel *ch, int prio, int code, long value, int scoid);

/* Client process p has no connection to cn's channel any more: its server
 * hears DISCONNECT if it asked, unless the channel went away meanwhile (or,
 * with skip_own, the channel is p's own and closes with it). */
static void disconnect_pulse(struct process *p, struct connection cn, bool skip_own)
{
	struct channel *ch = cn.ch;

	spin_lock(&ch->lock);
	if (ch->live && ch->gen == cn.gen && (ch->flags & _NTO_CHF_DISCONNECT) &&
	    !(skip_own && ch->owner == p))
		queue_pulse(ch, PRIO_MAX, _PULSE_CODE_DISCONNECT, 0, (int)p->pid);
	spin_unlock(&ch->lock);
}

/* The server hears DISCONNECT when the caller's process drops its last
 * connection to the channel (QNX: per client process, not per connection). */
long sys_ConnectDetach(long coid, long a1, long a2, long a3, long a4, long a5)
{
	struct process *p = self();
	struct connection cn;
	int c = conn_index(coid);

	(void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	if (c < 0)
		return -EINVAL;
	bool last = conn_drop(p, c, &cn);
	if (!cn.ch)
		return -EINVAL;
	if (last)
		disconnect_pulse(p, cn, false);
	sched_preempt_if_needed();
	return 0;
}

/* The live channel of a connection, locked; NULL (unlocked) if the
 * connection is unknown or its channel was destroyed since. */
static struct channel *conn_channel_locked(struct process *p, long coid)
{
	int c = conn_index(coid);

	if (c < 0)
		return 0;
	spin_lock(&p->lock);
	struct connection cn = p->conns[c];
	spin_unlock(&p->lock);
	if (!cn.ch)
		return 0;
	spin_lock(&cn.ch->lock);
	if (!cn.ch->live || cn.ch->gen != cn.gen) {
		spin_unlock(&cn.ch->lock);
		return 0;
	}
	return cn.ch;
}

/* ---- messages ---------------------------------------------------------------- */

static void fill_info(struct _msg_info *mi, struct thread *c, struct channel *ch,
		      long msglen, size_t srclen, size_t dstlen)
{
	*mi = (struct _msg_info){ .pid = (int32_t)c->proc->pid, .tid = (int32_t)c->tid,
				  .chid = (int32_t)ch->chid, .coid = c->ipc_coid,
				  .scoid = (int32_t)c->proc->pid,
				  .msglen = (int32_t)msglen, .srcmsglen = (int32_t)srclen,
				  .dstmsglen = (int32_t)dstlen, .priority = c->prio };
}

/* Copy client c's message into receiver r's buffers (channel locked).
 * Returns bytes copied or -EFAULT. */
static long deliver(struct thread *r, const struct ipc_iov *rv, uint32_t rn, struct thread *c,
		    struct channel *ch, struct _msg_info *mi)
{
	long n = transfer(r->proc->vs, rv, rn, c->proc->vs, c->ipc_sv, c->ipc_sparts, 0);

	if (n >= 0)
		fill_info(mi, c, ch, n, iov_total(c->ipc_sv, c->ipc_sparts),
			  iov_total(c->ipc_rv, c->ipc_rparts));
	if (!(ch->flags & _NTO_CHF_FIXED_PRIORITY) && c->prio > r->prio)
		sched_set_prio(r, c->prio);     /* the receiver works at its client's priority */
	return n;
}

static void enqueue_sender(struct channel *ch, struct thread *c)
{
	list_for_each(n, &ch->senders) {
		if (list_entry(n, struct thread, ipc_link)->prio < c->prio) {
			list_insert_before(n, &c->ipc_link);
			return;
		}
	}
	list_add_tail(&ch->senders, &c->ipc_link);
}

/* The first receiver waiting on ch that takes a message (pulses: any). */
static struct thread *first_receiver(struct channel *ch, bool pulse)
{
	list_for_each(n, &ch->receivers.head) {
		struct thread *r = list_entry(n, struct thread, wait_link);
		if (pulse || !r->ipc_pulse_only)
			return r;
	}
	return 0;
}

/* Wait (channel locked on entry, released) for the reply, honouring a
 * TimerTimeout on the SEND and REPLY states.  A timeout that races a reply
 * returns the reply. */
static long send_wait(struct thread *c, struct channel *ch)
{
	uint64_t d_send = kcall_deadline(STATE_SEND), d_reply = kcall_deadline(STATE_REPLY);
	uint64_t d = c->ipc_state == IPC_SEND ? d_send : d_reply;

	c->ipc_status = 0;
	c->ipc_unblock_req = false;
	c->ipc_reply_deadline = d_reply;
	for (;;) {
		long r = waitq_block(&c->ipc_wq, &ch->lock, d);
		if (r != -ETIMEDOUT)
			return r;
		spin_lock(&ch->lock);
		if (c->ipc_state == IPC_NONE) {                 /* answered meanwhile */
			spin_unlock(&ch->lock);
			return c->ipc_status;
		}
		bool sending = c->ipc_state == IPC_SEND;
		if (!sending && (ch->flags & _NTO_CHF_UNBLOCK) && d_reply != WAIT_FOREVER) {
			/* The server decides: it gets a pulse and replies when it can. */
			if (!c->ipc_unblock_req) {
				c->ipc_unblock_req = true;
				queue_pulse(ch, c->prio, _PULSE_CODE_UNBLOCK, (long)c->tid,
					    (int)c->proc->pid);
			}
			d = WAIT_FOREVER;
			continue;
		}
		if (sending ? d_send != WAIT_FOREVER : d_reply != WAIT_FOREVER) {
			list_del(&c->ipc_link);         /* off the senders or the repliers */
			c->ipc_state = IPC_NONE;
			spin_unlock(&ch->lock);
			return -ETIMEDOUT;
		}
		d = d_reply;    /* the SEND timeout passed after delivery: wait for the reply */
	}
}

static long msg_send(struct thread *c, long coid, uint32_t sparts, uint32_t rparts);

long sys_MsgSendv(long coid, long siov, long sparts, long riov, long rparts, long a5)
{
	struct thread *c = thread_current();

	(void)a5;
	if (sparts < 0 || rparts < 0 || sparts > IOV_MAX || rparts > IOV_MAX)
		return -EINVAL;
	long bad = load_iov(c->ipc_sv, (uint64_t)siov, sparts);
	if (!bad)
		bad = load_iov(c->ipc_rv, (uint64_t)riov, rparts);
	if (bad)
		return bad;
	return msg_send(c, coid, (uint32_t)sparts, (uint32_t)rparts);
}

/* MsgSendvs(coid, siov, sparts, rmsg, rbytes): the reply into one buffer. */
long sys_MsgSendvs(long coid, long siov, long sparts, long rmsg, long rbytes, long a5)
{
	struct thread *c = thread_current();

	(void)a5;
	long bad = load_iov(c->ipc_sv, (uint64_t)siov, sparts);
	if (!bad)
		bad = load_one(c->ipc_rv, (uint64_t)rmsg, rbytes);
	return bad ? bad : msg_send(c, coid, (uint32_t)sparts, 1);
}

/* MsgSendsv(coid, smsg, sbytes, riov, rparts): the message from one buffer. */
long sys_MsgSendsv(long coid, long smsg, long sbytes, long riov, long rparts, long a5)
{
	struct thread *c = thread_current();

	(void)a5;
	long bad = load_one(c->ipc_sv, (uint64_t)smsg, sbytes);
	if (!bad)
		bad = load_iov(c->ipc_rv, (uint64_t)riov, rparts);
	return bad ? bad : msg_send(c, coid, 1, (uint32_t)rparts);
}

/* The send itself, with the caller's vectors loaded into c->ipc_sv/rv. */
static long msg_send(struct thread *c, long coid, uint32_t sparts, uint32_t rparts)
{
	struct channel *ch;

	if (!(ch = conn_channel_locked(c->proc, coid)))
		return -EBADF;
	c->ipc_ch = ch;
	c->ipc_sparts = sparts;
	c->ipc_rparts = rparts;
	c->ipc_coid = (int32_t)coid;
	struct thread *r = first_receiver(ch, false);
	if (r) {
		long n = deliver(r, r->ipc_rv, r->ipc_rparts, c, ch, (struct _msg_info *)r->ipc_info);
		if (n < 0) {
			spin_unlock(&ch->lock);
			return n;
		}
		c->ipc_state = IPC_REPLY;
		list_add_tail(&ch->repliers, &c->ipc_link);
		waitq_wake_thread_handoff(&ch->receivers, r, (int)c->tid);  /* send_wait blocks */
	} else {
		c->ipc_state = IPC_SEND;
		enqueue_sender(ch, c);
	}
	return send_wait(c, ch);
}

static long take_pulse(struct thread *r, struct channel *ch, const struct ipc_iov *rv, uint32_t rn)
{
	struct kpulse *kp = list_entry(ch->pulses.next, struct kpulse, link);

	list_del(&kp->link);
	long n = 0;
	for (uint32_t i = 0; i < rn && n == 0; i++)
		if (rv[i].len) {
			size_t len = rv[i].len < sizeof kp->p ? rv[i].len : sizeof kp->p;
			n = vmspace_write_user(r->proc->vs, rv[i].base, &kp->p, len) ? -EFAULT : 1;
		}
	spin_lock(&pool_lock);
	list_add_tail(&free_pulses, &kp->link);
	spin_unlock(&pool_lock);
	return n < 0 ? n : 0;
}

static long receive(long chid, long riov, long rparts, long uinfo, bool pulse_only);

long sys_MsgReceivev(long chid, long riov, long rparts, long uinfo, long a4, long a5)
{
	(void)a4; (void)a5;
	return receive(chid, riov, rparts, uinfo, false);
}

/* MsgReceivePulsev: like MsgReceivev, but only pulses; messages wait. */
long sys_MsgReceivePulsev(long chid, long riov, long rparts, long uinfo, long a4, long a5)
{
	(void)a4; (void)a5;
	return receive(chid, riov, rparts, uinfo, true);
}

static long receive(long chid, long riov, long rparts, long uinfo, bool pulse_only)
{
	struct thread *r = thread_current();
	struct channel *ch = chan_of(r->proc, chid);
	struct ipc_iov *rv = r->ipc_rv;
	struct _msg_info mi;
	long rc;

	if (!ch)
		return -EINVAL;
	if ((rc = load_iov(rv, (uint64_t)riov, rparts)))
		return rc;
	sync_own_prio(r);                       /* a new message brings its own priority */
	spin_lock(&ch->lock);
	if (!ch->live || ch->owner != r->proc || ch->chid != (uint32_t)chid) {
		spin_unlock(&ch->lock);         /* destroyed, perhaps reused, since */
		return -EINVAL;
	}
	if (!list_empty(&ch->pulses)) {
		rc = take_pulse(r, ch, rv, (uint32_t)rparts);
		spin_unlock(&ch->lock);
		return rc;
	}
	if (!pulse_only && !list_empty(&ch->senders)) {
		struct thread *c = list_entry(ch->senders.next, struct thread, ipc_link);
		list_del(&c->ipc_link);
		rc = deliver(r, rv, (uint32_t)rparts, c, ch, &mi);
		if (rc < 0) {
			c->ipc_state = IPC_NONE;
			waitq_wake_one(&c->ipc_wq, -EFAULT);
			spin_unlock(&ch->lock);
			return rc;
		}
		c->ipc_state = IPC_REPLY;
		list_add_tail(&ch->repliers, &c->ipc_link);
		if (c->ipc_reply_deadline != WAIT_FOREVER)
			waitq_rearm(c, c->ipc_reply_deadline);  /* its REPLY timeout starts now */
		rc = (long)c->tid;
		spin_unlock(&ch->lock);
	} else {
		r->ipc_rparts = (uint32_t)rparts;
		r->ipc_pulse_only = pulse_only;
		memset(r->ipc_info, 0, sizeof r->ipc_info);
		rc = waitq_block(&ch->receivers, &ch->lock, kcall_deadline(STATE_RECEIVE));
		if (rc < 0)
			return rc;
		memcpy(&mi, r->ipc_info, sizeof mi);
	}
	if (uinfo && copy_to_user((uintptr_t)uinfo, &mi, sizeof mi))
		return -EFAULT;
	return rc;
}

/* The REPLY-blocked client named by rcvid, with its channel locked; the
 * channel must belong to the caller's process. */
static struct thread *client_locked(long rcvid, struct channel **chp)
{
	struct thread *c = thread_lookup((uint32_t)rcvid);

	if (!c || !c->proc)
		return 0;
	struct channel *ch = c->ipc_ch;
	if (!ch)
		return 0;
	spin_lock(&ch->lock);
	if (c->tid != (uint32_t)rcvid || c->ipc_ch != ch || c->ipc_state != IPC_REPLY ||
	    ch->owner != self()) {
		spin_unlock(&ch->lock);
		return 0;
	}
	*chp = ch;
	return c;
}

long sys_MsgReplyv(long rcvid, long status, long riov, long rparts, long a4, long a5)
{
	struct thread *r = thread_current();
	struct channel *ch;
	struct ipc_iov rv[IOV_MAX];

	(void)a4; (void)a5;
	long n = load_iov(rv, (uint64_t)riov, rparts);
	if (n)
		return n;
	struct thread *c = client_locked(rcvid, &ch);
	if (!c)
		return -ESRCH;
	n = transfer(c->proc->vs, c->ipc_rv, c->ipc_rparts, r->proc->vs, rv, (uint32_t)rparts, 0);
	c->ipc_state = IPC_NONE;
	list_del(&c->ipc_link);
	c->ipc_status = n < 0 ? -EFAULT : (int)status;
	if (c->prio <= r->base_prio || !ch->lock.irq_state) {
		/* The server goes on (QNX): the client runs when it blocks. */
		waitq_wake_one(&c->ipc_wq, (int)c->ipc_status);
		spin_unlock(&ch->lock);
		sync_own_prio(r);
		sched_preempt_if_needed();
		return n < 0 ? n : 0;
	}
	/* The client outranks the server back at its own priority: switch to
	 * it now, straight if it last ran here, the server first in line after
	 * it.  Interrupts stay off from the wake-up to the switch. */
	unsigned long s = ch->lock.irq_state;
	ch->lock.irq_state = 0;
	waitq_wake_one_handoff(&c->ipc_wq, (int)c->ipc_status);
	spin_unlock(&ch->lock);
	sync_own_prio(r);
	schedule(SCHED_HOW_PREEMPT);
	arch_irq_restore(s);
	return n < 0 ? n : 0;
}

long sys_MsgError(long rcvid, long err, long a2, long a3, long a4, long a5)
{
	struct channel *ch;

	(void)a2; (void)a3; (void)a4; (void)a5;
	struct thread *c = client_locked(rcvid, &ch);
	if (!c)
		return -ESRCH;
	c->ipc_state = IPC_NONE;
	list_del(&c->ipc_link);
	c->ipc_status = err > 0 ? -err : -EINVAL;
	waitq_wake_one(&c->ipc_wq, (int)c->ipc_status);
	spin_unlock(&ch->lock);
	sched_preempt_if_needed();
	return 0;
}

/* MsgReadv(rcvid, iov, parts, offset): more of the client's message. */
long sys_MsgReadv(long rcvid, long uiov, long parts, long offset, long a4, long a5)
{
	struct thread *r = thread_current();
	struct channel *ch;
	struct ipc_iov dv[IOV_MAX];

	(void)a4; (void)a5;
	if (offset < 0)
		return -EINVAL;
	long n = load_iov(dv, (uint64_t)uiov, parts);
	if (n)
		return n;
	struct thread *c = client_locked(rcvid, &ch);
	if (!c)
		return -ESRCH;
	n = transfer(r->proc->vs, dv, (uint32_t)parts, c->proc->vs, c->ipc_sv, c->ipc_sparts,
		     (size_t)offset);
	spin_unlock(&ch->lock);
	return n;
}

/* Queue a pulse on ch (locked) by priority, or hand it straight to a waiting
 * receiver.  0 or -EAGAIN when no pulse is left. */
static int queue_pulse(struct channel *ch, int prio, int code, long value, int scoid)
{
	spin_lock(&pool_lock);
	struct list *n = list_first(&free_pulses);
	if (n)
		list_del(n);
	spin_unlock(&pool_lock);
	if (!n)
		return -EAGAIN;
	struct kpulse *kp = list_entry(n, struct kpulse, link);
	kp->prio = (uint8_t)prio;
	kp->p = (struct _pulse){ .code = (int8_t)code, .scoid = scoid };
	kp->p.value.sival_ptr = (void *)value;
	list_for_each(q, &ch->pulses)
		if (list_entry(q, struct kpulse, link)->prio < kp->prio) {
			list_insert_before(q, &kp->link);
			goto queued;
		}
	list_add_tail(&ch->pulses, &kp->link);
queued:;
	struct thread *r = first_receiver(ch, true);
	if (r) {
		long rc = take_pulse(r, ch, r->ipc_rv, r->ipc_rparts);
		waitq_wake_thread(&ch->receivers, r, rc < 0 ? (int)rc : 0);
	}
	return 0;
}

/* MsgSendPulse(coid, priority, code, value). */
long sys_MsgSendPulse(long coid, long prio, long code, long value, long a4, long a5)
{
	struct thread *s = thread_current();
	struct channel *ch;

	(void)a4; (void)a5;
	if (code < -128 || code > 127 || prio < -1 || prio > PRIO_MAX)
		return -EINVAL;
	if (!(ch = conn_channel_locked(s->proc, coid)))
		return -EBADF;
	int rc = queue_pulse(ch, prio < 0 ? s->prio : (int)prio, (int)code, value, (int)coid);
	spin_unlock(&ch->lock);
	sched_preempt_if_needed();
	return rc;
}

void ipc_thread_abandon(struct thread *t)
{
	struct channel *ch = t->ipc_ch;         /* set only by t itself */

	if (!ch)
		return;
	spin_lock(&ch->lock);
	if (t->ipc_state == IPC_SEND || t->ipc_state == IPC_REPLY) {
		list_del(&t->ipc_link);
		t->ipc_state = IPC_NONE;
	}
	spin_unlock(&ch->lock);
}

/* A thread of p ended: channels that asked for it get a THREADDEATH pulse. */
void ipc_thread_death(struct process *p, uint32_t tid)
{
	for (int c = 0; c < PROC_CHANNELS; c++) {
		spin_lock(&p->lock);
		struct channel *ch = p->chans[c];
		spin_unlock(&p->lock);
		if (!ch)
			continue;
		spin_lock(&ch->lock);
		if (ch->live && (ch->flags & _NTO_CHF_THREAD_DEATH))
			queue_pulse(ch, PRIO_MAX, _PULSE_CODE_THREADDEATH, (long)tid, 0);
		spin_unlock(&ch->lock);
	}
}

/* MsgWritev(rcvid, iov, parts, offset): write into the client's reply
 * buffers at an offset, before the reply. */
long sys_MsgWritev(long rcvid, long uiov, long parts, long offset, long a4, long a5)
{
	struct thread *r = thread_current();
	struct channel *ch;
	struct ipc_iov sv[IOV_MAX], dv[IOV_MAX];

	(void)a4; (void)a5;
	if (offset < 0)
		return -EINVAL;
	long n = load_iov(sv, (uint64_t)uiov, parts);
	if (n)
		return n;
	struct thread *c = client_locked(rcvid, &ch);
	if (!c)
		return -ESRCH;
	/* Skip `offset` bytes of the destination by trimming a copy of it. */
	memcpy(dv, c->ipc_rv, c->ipc_rparts * sizeof dv[0]);
	uint32_t di = 0;
	uint64_t skip = (uint64_t)offset;
	while (di < c->ipc_rparts && skip >= dv[di].len)
		skip -= dv[di++].len;
	if (di < c->ipc_rparts) {
		dv[di].base += skip;
		dv[di].len -= skip;
	}
	n = transfer(c->proc->vs, dv + di, c->ipc_rparts - di, r->proc->vs, sv, (uint32_t)parts, 0);
	spin_unlock(&ch->lock);
	return n;
}

/* MsgInfo(rcvid, struct _msg_info *): what MsgReceive reported for it. */
long sys_MsgInfo(long rcvid, long uinfo, long a2, long a3, long a4, long a5)
{
	struct channel *ch;
	struct _msg_info mi;

	(void)a2; (void)a3; (void)a4; (void)a5;
	struct thread *c = client_locked(rcvid, &ch);
	if (!c)
		return -ESRCH;
	fill_info(&mi, c, ch, 0, iov_total(c->ipc_sv, c->ipc_sparts),
		  iov_total(c->ipc_rv, c->ipc_rparts));
	spin_unlock(&ch->lock);
	mi.msglen = mi.srcmsglen;
	if (c->ipc_unblock_req)
		mi.flags |= _NTO_MI_UNBLOCK_REQ;
	return copy_to_user((uintptr_t)uinfo, &mi, sizeof mi);
}

/* ConnectClientInfo(scoid, struct _client_info *, ngroups): the process
 * named by scoid (a pid in Keel; -1 is the caller). */
long sys_ConnectClientInfo(long scoid, long uinfo, long ngroups, long a3, long a4, long a5)
{
	struct process *me = self();
	struct _client_info ci;

	(void)ngroups; (void)a3; (void)a4; (void)a5;
	if (scoid != -1 && (uint32_t)scoid != me->pid)
		return -ESRCH;
	memset(&ci, 0, sizeof ci);
	ci.pid = (int32_t)me->pid;
	ci.tid = (int32_t)thread_current()->tid;
	ci.cred.ruid = ci.cred.euid = ci.cred.suid = me->uid;
	ci.cred.rgid = ci.cred.egid = ci.cred.sgid = me->gid;
	return copy_to_user((uintptr_t)uinfo, &ci, sizeof ci);
}

/* A pulse on connection coid of process p from kernel context (timers):
 * 0, -EBADF for a dead connection, -EAGAIN when out of pulses. */
int ipc_pulse_to(struct process *p, int coid, int prio, int code, long value)
{
	struct channel *ch = conn_channel_locked(p, coid);

	if (!ch)
		return -EBADF;
	int r = queue_pulse(ch, prio < 0 ? PRIO_DEFAULT : prio, code, value, coid);
	spin_unlock(&ch->lock);
	return r;
}

/* MsgDeliverEvent(rcvid, const struct sigevent *): the server notifies the
 * client named by rcvid (any time, not only while it is blocked) with a
 * pulse on one of the client's own connections. */
long sys_MsgDeliverEvent(long rcvid, long uev, long a2, long a3, long a4, long a5)
{
	struct sigevent ev;

	(void)a2; (void)a3; (void)a4; (void)a5;
	if (copy_from_user(&ev, (uintptr_t)uev, sizeof ev))
		return -EFAULT;
	if (ev.sigev_notify != SIGEV_PULSE)
		return -EINVAL;
	struct thread *c = thread_lookup((uint32_t)rcvid);
	if (!c || !c->proc)
		return -ESRCH;
	int r = ipc_pulse_to(c->proc, ev.sigev_coid, ev.sigev_priority, ev.sigev_code,
			     (long)ev.sigev_value.sival_ptr);
	sched_preempt_if_needed();
	return r == -EBADF ? -ESRCH : r;
}

/* ---- a process's end ------------------------------------------------------------ */

static void pulse_once(struct channel *ch, unsigned flag, int code, long value, int scoid)
{
	spin_lock(&ch->lock);
	if (ch->live && (ch->flags & flag))
		queue_pulse(ch, PRIO_MAX, code, value, scoid);
	spin_unlock(&ch->lock);
}

/* Servers p was connected to hear DISCONNECT, once per channel: as each
 * connection goes, the last one to a channel tells it. */
static void disconnect_from_servers(struct process *p)
{
	struct connection cn;

	for (int c = 0; c < PROC_CONNECTIONS; c++)
		if (conn_drop(p, c, &cn))
			disconnect_pulse(p, cn, true);
}

/* Clients connected to p's channels hear COIDDEATH on a channel of theirs
 * that asked for it (value: their connection id). */
static void tell_clients(struct process *p)
{
	for (int i = 0; i < PROC_TABLE; i++) {
		struct process *q = process_at(i);
		if (!q || q == p)
			continue;
		struct channel *note = 0;
		spin_lock(&q->lock);
		for (int c = 0; c < PROC_CHANNELS && !note; c++)
			if (q->chans[c] && (q->chans[c]->flags & _NTO_CHF_COID_DISCONNECT))
				note = q->chans[c];
		spin_unlock(&q->lock);
		for (int c = 0; note && c < PROC_CONNECTIONS; c++) {
			spin_lock(&q->lock);
			struct connection cn = q->conns[c];
			spin_unlock(&q->lock);
			if (cn.ch && cn.ch->owner == p && cn.ch->live && cn.ch->gen == cn.gen)
				pulse_once(note, _NTO_CHF_COID_DISCONNECT, _PULSE_CODE_COIDDEATH,
					   c, 0);
		}
	}
}

void ipc_process_gone(struct process *p)
{
	disconnect_from_servers(p);
	tell_clients(p);
	for (int c = 0; c < PROC_CHANNELS; c++) {
		spin_lock(&p->lock);
		struct channel *ch = p->chans[c];
		p->chans[c] = 0;
		spin_unlock(&p->lock);
		if (ch)
			chan_close(ch);
	}
}

uint32_t ipc_thread_state(const struct thread *t)
{
	static const uint32_t states[] = {
		[IPC_NONE] = 0, [IPC_SEND] = STATE_SEND, [IPC_REPLY] = STATE_REPLY,
		[IPC_RECEIVE] = STATE_RECEIVE,
	};
	uint32_t s = ((const volatile struct thread *)t)->ipc_state;

	return s < sizeof states / sizeof states[0] ? states[s] : 0;
}

uint32_t ipc_channels_in_use(void)
{
	uint32_t n = 0;

	for (int i = 0; i < CHAN_MAX; i++)
		n += ((volatile struct channel *)&chans[i])->live;
	return n;
}

uint32_t ipc_pulses_queued(void)
{
	uint32_t n = 0;

	for (int i = 0; i < CHAN_MAX; i++) {
		spin_lock(&chans[i].lock);
		if (chans[i].live)
			list_for_each(l, &chans[i].pulses)
				n++;
		spin_unlock(&chans[i].lock);
	}
	return n;
}
