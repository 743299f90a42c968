/* Decoders of the message and pulse calls (MsgSendv … MsgDeliverEvent):
 * check the caller's arguments and copy its iov arrays in once, call the
 * operation in msg.c or pulse.c, copy results out. */
#include <keel/errno.h>
#include <keel/msg.h>
#include <keel/sigevent.h>
#include "ipc.h"
#include "kcall.h"
#include "process.h"
#include "sig.h"
#include "sched.h"
#include "sync.h"
#include "thread.h"
#include "uaccess.h"

/* load_iov's rare case, a misaligned array (C allows none, but a caller
 * may pass one): copied bytewise, then checked. */
static int __attribute__((noinline)) load_iov_misaligned(struct ipc_iov *out, uint64_t uiov,
							 long parts)
{
	if (copy_from_user(out, uiov, (size_t)parts * sizeof *out))
		return -EFAULT;
	for (long i = 0; i < parts; i++)
		if (out[i].len && !user_range_ok(out[i].base, out[i].len))
			return -EFAULT;
	return 0;
}

/* Copy the caller's iov array (parts elements at uiov) into out and check
 * every buffer lies in the user half.  Only the caller's own memory is read,
 * through the MMU.  Inline and calling only at its end: it is on the way
 * of every message. */
static inline int load_iov(struct ipc_iov *out, uint64_t uiov, long parts)
{
	if ((unsigned long)parts > IPC_IOV_MAX)
		return -EINVAL;
	if (!parts)
		return 0;
	if (!user_range_ok(uiov, (size_t)parts * sizeof *out))
		return -EFAULT;
	if (!(uiov & 7))
		return uaccess_iov((uint64_t *)out, uiov, parts);
	return load_iov_misaligned(out, uiov, parts);
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

/* Client c's message (c->ipc.sv and rv loaded) on connection coid: the
 * fast path if it may, else msg_send. */
static inline long send(struct thread *c, long coid, uint32_t sparts, uint32_t rparts)
{
	if (ipc_fast_ok(c))
		msg_send_fast(c, coid, sparts, rparts);         /* returns if it may not */
	return msg_send(c, coid, sparts, rparts);
}

long sys_MsgSendv(long coid, long siov, long sparts, long riov, long rparts)
{
	struct thread *c = thread_current();

	if (sparts < 0 || rparts < 0 || sparts > IPC_IOV_MAX || rparts > IPC_IOV_MAX)
		return -EINVAL;
	long bad = load_iov(c->ipc.sv, (uint64_t)siov, sparts);
	if (!bad)
		bad = load_iov(c->ipc.rv, (uint64_t)riov, rparts);
	return bad ? bad : send(c, coid, (uint32_t)sparts, (uint32_t)rparts);
}

/* MsgSendvs(coid, siov, sparts, rmsg, rbytes): the reply into one buffer. */
long sys_MsgSendvs(long coid, long siov, long sparts, long rmsg, long rbytes)
{
	struct thread *c = thread_current();

	long bad = load_iov(c->ipc.sv, (uint64_t)siov, sparts);
	if (!bad)
		bad = load_one(c->ipc.rv, (uint64_t)rmsg, rbytes);
	return bad ? bad : send(c, coid, (uint32_t)sparts, 1);
}

/* MsgSendsv(coid, smsg, sbytes, riov, rparts): the message from one buffer. */
long sys_MsgSendsv(long coid, long smsg, long sbytes, long riov, long rparts)
{
	struct thread *c = thread_current();

	long bad = load_one(c->ipc.sv, (uint64_t)smsg, sbytes);
	if (!bad)
		bad = load_iov(c->ipc.rv, (uint64_t)riov, rparts);
	return bad ? bad : send(c, coid, 1, (uint32_t)rparts);
}

/* MsgSend(coid, smsg, sbytes, rmsg, rbytes): one buffer each way, so no
 * vector to read from the caller (the common message). */
long sys_MsgSend(long coid, long smsg, long sbytes, long rmsg, long rbytes)
{
	struct thread *c = thread_current();

	long bad = ipc_load_buf(c->ipc.sv, (uint64_t)smsg, (uint64_t)sbytes);
	if (!bad)
		bad = ipc_load_buf(c->ipc.rv, (uint64_t)rmsg, (uint64_t)rbytes);
	return bad ? bad : send(c, coid, 1, 1);
}

/* Receive on chid into r->ipc.rv (loaded: rparts parts, the caller's). */
static long receive_loaded(struct thread *r, struct channel *ch, long chid, long rparts,
			   long uinfo, bool pulse_only)
{
	struct _msg_info mi;
	bool has_info;

	long rc = msg_receive(r, ch, chid, (uint32_t)rparts, pulse_only, &mi, &has_info,
			      (uint64_t)uinfo);
	if (has_info && uinfo && copy_to_user((uintptr_t)uinfo, &mi, sizeof mi))
		return -EFAULT;
	return rc;
}

static long receive(long chid, long riov, long rparts, long uinfo, bool pulse_only)
{
	struct thread *r = thread_current();
	struct channel *ch = chan_of(r->proc, chid);
	long rc;

	if (!ch)
		return -EINVAL;
	if ((rc = load_iov(r->ipc.rv, (uint64_t)riov, rparts)))
		return rc;
	return receive_loaded(r, ch, chid, rparts, uinfo, pulse_only);
}

long sys_MsgReceivev(long chid, long riov, long rparts, long uinfo)
{
	return receive(chid, riov, rparts, uinfo, false);
}

/* MsgReceive(chid, msg, bytes, info): MsgReceivev into one buffer, with no
 * vector to read from the caller. */
long sys_MsgReceive(long chid, long msg, long bytes, long uinfo)
{
	struct thread *r = thread_current();
	struct channel *ch = chan_of(r->proc, chid);
	long rc;

	if (!ch)
		return -EINVAL;
	if ((rc = ipc_load_buf(r->ipc.rv, (uint64_t)msg, (uint64_t)bytes)))
		return rc;
	return receive_loaded(r, ch, chid, 1, uinfo, false);
}

/* MsgReceivePulsev: like MsgReceivev, but only pulses; messages wait. */
long sys_MsgReceivePulsev(long chid, long riov, long rparts, long uinfo)
{
	return receive(chid, riov, rparts, uinfo, true);
}

/* Reply (rv, rn loaded: the caller's) to rcvid with status. */
static long reply_loaded(long rcvid, long status, const struct ipc_iov *rv, uint32_t rn)
{
	struct channel *ch;
	struct thread *c = msg_client_locked(rcvid, &ch);

	if (!c)
		return -ESRCH;
	return msg_reply(thread_current(), c, ch, status, rv, rn);
}

/* A reply whose own buffers are bad (EFAULT before anything is copied)
 * still answers its client, with EFAULT, as one whose copy faults does
 * (msg_reply): a server that does not look at its reply's error (a
 * resource manager's handler replying past its data) left the client
 * waiting for good.  Returns err. */
static long reply_bad(long rcvid, long err)
{
	struct channel *ch;
	struct thread *c;

	if (err == -EFAULT && (c = msg_client_locked(rcvid, &ch)))
		msg_error(c, ch, EFAULT);
	return err;
}

long sys_MsgReplyv(long rcvid, long status, long riov, long rparts)
{
	struct ipc_iov rv[IPC_IOV_MAX];

	long n = load_iov(rv, (uint64_t)riov, rparts);
	return n ? reply_bad(rcvid, n) : reply_loaded(rcvid, status, rv, (uint32_t)rparts);
}

/* MsgReplyReceivev(ids, status, riov, parts, rcviov, info): ids is rcvid in
 * the low half and chid in the high one, parts the reply's part count in
 * the low half and the receive's in the high one (<keel/neutrino.h>). */
long sys_MsgReplyReceivev(long ids, long status, long riov, long parts, long rcviov, long uinfo)
{
	long rcvid = (long)(uint32_t)ids, chid = (long)((uint64_t)ids >> 32);
	long rparts = (long)(uint32_t)parts, rcvparts = (long)((uint64_t)parts >> 32);
	struct thread *r = thread_current();
	struct ipc_iov rv[IPC_IOV_MAX];

	if (rcvid > INT32_MAX || chid > INT32_MAX)
		return -EINVAL;
	long n = load_iov(rv, (uint64_t)riov, rparts);
	if (n)
		return reply_bad(rcvid, n);
	if (ipc_fast_ok(r) && !load_iov(r->ipc.rv, (uint64_t)rcviov, rcvparts))
		msg_reply_receive_fast(r, rcvid, chid, status, rv, (uint32_t)rparts,
				       (uint32_t)rcvparts, (uint64_t)uinfo);   /* returns if it may not */
	n = reply_loaded(rcvid, status, rv, (uint32_t)rparts);
	return n < 0 ? n : receive(chid, rcviov, rcvparts, uinfo, false);
}

/* MsgReplyReceives(ids, status, rmsg, sizes, msg, info): MsgReplyReceivev
 * with one buffer each way (their sizes in one register as the part counts
 * are there: the reply's in the low half, the receive's in the high one). */
long sys_MsgReplyReceives(long ids, long status, long rmsg, long sizes, long msg, long uinfo)
{
	long rcvid = (long)(uint32_t)ids, chid = (long)((uint64_t)ids >> 32);
	long rbytes = (long)(uint32_t)sizes, bytes = (long)((uint64_t)sizes >> 32);
	struct thread *r = thread_current();
	struct ipc_iov rv[1];

	if (rcvid > INT32_MAX || chid > INT32_MAX)
		return -EINVAL;
	long n = ipc_load_buf(rv, (uint64_t)rmsg, (uint64_t)rbytes);
	if (n)
		return reply_bad(rcvid, n);
	if (ipc_fast_ok(r) && !ipc_load_buf(r->ipc.rv, (uint64_t)msg, (uint64_t)bytes))
		msg_reply_receive_fast(r, rcvid, chid, status, rv, 1, 1, (uint64_t)uinfo);
	n = reply_loaded(rcvid, status, rv, 1);
	if (n < 0)
		return n;
	struct channel *ch = chan_of(r->proc, chid);
	if (!ch)
		return -EINVAL;
	return (n = ipc_load_buf(r->ipc.rv, (uint64_t)msg, (uint64_t)bytes)) ? n :
	       receive_loaded(r, ch, chid, 1, uinfo, false);
}

long sys_MsgError(long rcvid, long err)
{
	struct channel *ch;
	struct thread *c = msg_client_locked(rcvid, &ch);

	if (!c)
		return -ESRCH;
	return msg_error(c, ch, err);
}

/* MsgReadv and MsgWritev: the caller's iov and an offset into the client's
 * message (read) or reply buffers (write). */
static long client_copy(long rcvid, long uiov, long parts, long offset, bool write)
{
	struct ipc_iov v[IPC_IOV_MAX];
	struct channel *ch;

	if (offset < 0)
		return -EINVAL;
	long n = load_iov(v, (uint64_t)uiov, parts);
	if (n)
		return n;
	struct thread *c = msg_client_locked(rcvid, &ch);
	if (!c)
		return -ESRCH;
	return write ? msg_write(c, ch, v, (uint32_t)parts, (uint64_t)offset) :
		       msg_read(c, ch, v, (uint32_t)parts, (uint64_t)offset);
}

/* MsgReadv(rcvid, iov, parts, offset): more of the client's message. */
long sys_MsgReadv(long rcvid, long uiov, long parts, long offset)
{
	return client_copy(rcvid, uiov, parts, offset, false);
}

/* MsgWritev(rcvid, iov, parts, offset): write into the client's reply
 * buffers at an offset, before the reply. */
long sys_MsgWritev(long rcvid, long uiov, long parts, long offset)
{
	return client_copy(rcvid, uiov, parts, offset, true);
}

/* MsgInfo(rcvid, struct _msg_info *): what MsgReceive reported for it. */
long sys_MsgInfo(long rcvid, long uinfo)
{
	struct _msg_info mi;
	struct channel *ch;
	struct thread *c = msg_client_locked(rcvid, &ch);

	if (!c)
		return -ESRCH;
	msg_info(c, ch, &mi);
	return copy_to_user((uintptr_t)uinfo, &mi, sizeof mi);
}

/* MsgSendPulse(coid, priority, code, value). */
long sys_MsgSendPulse(long coid, long prio, long code, long value)
{
	struct thread *s = thread_current();
	struct channel *ch;

	if (code < -128 || code > 127 || prio < -1 || prio > PRIO_MAX)
		return -EINVAL;
	if (!(ch = conn_channel_locked_own(s->proc, coid)))
		return -EBADF;
	int rc = pulse_queue_user(ch, prio < 0 ? s->prio : (int)prio, (int)code, value,
				  (int)coid);
	spin_unlock(&ch->lock);
	sched_preempt_if_needed();
	return rc;
}

/* MsgDeliverEvent(rcvid, const struct sigevent *): the server notifies the
 * client named by rcvid (any time, not only while it is blocked) with a
 * pulse on one of the client's own connections, or with a signal to its
 * process (SIGEV_SIGNAL, _SIGNAL_CODE) or to that thread (_SIGNAL_THREAD).
 * Only a client's server may: the client's process has a connection to one
 * of the caller's channels (or is the caller); anyone else gets ESRCH, as
 * for a client that has ended. */
long sys_MsgDeliverEvent(long rcvid, long uev)
{
	struct process *me = thread_current()->proc;
	struct sigevent ev;

	if (copy_from_user(&ev, (uintptr_t)uev, sizeof ev))
		return -EFAULT;
	if (ev.sigev_notify != SIGEV_PULSE && !sig_event_ok(&ev))
		return -EINVAL;
	struct thread *c = rcvid > 0 && rcvid <= UINT32_MAX ? thread_lookup((uint32_t)rcvid) : 0;
	/* The slot may be reused meanwhile: processes live in a static table
	 * and conn_client_of checks the pid under the process's lock. */
	struct process *p = c ? *(struct process *volatile *)&c->proc : 0;
	uint32_t pid = p ? __atomic_load_n(&p->pid, __ATOMIC_RELAXED) : 0;
	if (!p || !pid || (p != me && !conn_client_of(p, pid, me, 0)))
		return -ESRCH;
	/* Each delivery checks pid again where it acts: p may end, and its
	 * slot go to another process, after conn_client_of. */
	if (ev.sigev_notify != SIGEV_PULSE) {
		sig_event(p, pid, c, &ev, SI_USER);
		sched_preempt_if_needed();
		return 0;
	}
	int r = ipc_pulse_to(p, pid, ev.sigev_coid, ev.sigev_priority, ev.sigev_code,
			     (long)ev.sigev_value.sival_ptr, false);
	sched_preempt_if_needed();
	return r == -EBADF ? -ESRCH : r;
}
