#pragma once
/* Message passing with QNX semantics: channels, connections, messages and
 * pulses.  One header for the four objects' contracts; the code is one file
 * per object (core/channel.c, connect.c, msg.c, pulse.c) and the kernel
 * calls' decoders are in core/sys_channel.c and core/sys_msg.c.
 *
 * A client sending on a connection either finds a receiver waiting (the
 * message is copied straight into the receiver's buffers) or queues in
 * priority order on the channel, SEND-blocked.  Once received it is
 * REPLY-blocked until MsgReply/MsgError names it by rcvid (its thread id).
 * The receiver runs at the sender's priority unless the channel is
 * _NTO_CHF_FIXED_PRIORITY.
 *
 * Locks: a channel's lock (LR_CHAN) guards the channel and the IPC state of
 * every thread queued on it or blocked in it; a process's lock guards its
 * channel and connection vectors; the pulse pool has its own (LR_SYNCPOOL),
 * always taken inside a channel's. */
#include <stdbool.h>
#include <stdint.h>
#include <keel/errno.h>
#include <keel/msg.h>
#include "list.h"
#include "spinlock.h"
#include "uaccess.h"
#include "waitq.h"

struct _msg_info;
struct _client_info;
struct process;
struct thread;
struct vmspace;

/* One element of a user iov (iov_t: base, length). */
struct ipc_iov {
	uint64_t base, len;
};
#define IPC_IOV_MAX     KEEL_MSG_PARTS_MAX     /* <keel/msg.h>: the ABI says it */

/* One buffer of the caller as the one part of a vector, checked as a part
 * of a vector is: EFAULT for one that is not in the user half (MsgSend's
 * and MsgReplyReceives' buffers: what a one-part MsgSendv or
 * MsgReplyReceivev would answer, EFAULT for a length no user buffer has). */
static inline int ipc_load_buf(struct ipc_iov *out, uint64_t base, uint64_t len)
{
	if (len && !user_range_ok(base, len))
		return -EFAULT;
	out[0] = (struct ipc_iov){ base, len };
	return 0;
}

enum ipc_state { IPC_NONE, IPC_SEND, IPC_REPLY, IPC_RECEIVE };

/* A thread's message-passing state (struct thread's `ipc`).  Guarded by the
 * lock of the channel in `ch` while the thread is queued on or blocked in
 * it; the thread itself fills the vectors before it takes that lock. */
struct thread_ipc {
	struct channel *ch;             /* the channel it last sent on; set only by itself */
	uint32_t state;                 /* enum ipc_state */
	/* The iov arrays, copied in once when the call starts: a client's
	 * message (sv) and reply buffers (rv), a receiver's buffers (rv). */
	struct ipc_iov sv[IPC_IOV_MAX];
	struct ipc_iov rv[IPC_IOV_MAX];
	uint32_t sparts, rparts;
	int32_t coid;
	struct list link;               /* in the channel's senders or repliers */
	struct waitq wq;                /* a client blocks here until replied */
	union {                         /* struct _msg_info for a receiver woken by a sender */
		uint8_t info[48];
		uint64_t info_w[6];     /* zeroes for one woken by a pulse (pulse.c) */
	};
	long status;                    /* what the server answered (also after a timeout race) */
	uint64_t reply_deadline;        /* TimerTimeout for the REPLY state, armed at delivery */
	bool pulse_only;                /* waiting in MsgReceivePulsev: messages pass it by */
	bool unblock_req;               /* REPLY-blocked, timed out, asked the server to unblock */
};

/* A channel.  Channels live in a static pool and are never freed, so a
 * pointer read without a lock stays a channel; whether it is still the
 * same one is checked under its lock (live, gen, owner, chid). */
struct channel {
	struct spinlock lock;           /* every field below */
	uint32_t gen;                   /* bumped on create and on close */
	bool live;
	struct process *owner;
	uint32_t chid, flags;
	struct waitq receivers;
	struct list senders;            /* threads SEND-blocked, by priority */
	struct list repliers;           /* threads REPLY-blocked on messages taken here */
	struct list pulses;             /* struct kpulse, by priority */
};

/* A process's connection: guarded by its process's lock. */
struct connection {
	struct channel *ch;
	uint32_t gen;                   /* the channel's generation when attached */
};

/* ---- channels (channel.c) ------------------------------------------------ */

/* A new channel of p with these _NTO_CHF_* flags; returns its chid (>= 1) or
 * -EAGAIN when the pool or p's vector is full.  No locks held. */
long chan_create(struct process *p, uint32_t flags);
/* p's channel chid, or NULL: a lock-free read (the caller checks, under the
 * channel's lock, that it is still live and still p's). */
struct channel *chan_of(struct process *p, long chid);
/* Remove channel chid from p's vector and close it; -EINVAL if p has none. */
int chan_destroy(struct process *p, long chid);
/* Close ch: receivers fail with EINTR, its senders and REPLY-blocked clients
 * with ESRCH, queued pulses go back to the pool.  No locks held. */
void chan_close(struct channel *ch);
/* The first receiver waiting on ch that takes a message (pulse: any
 * receiver), or NULL.  ch locked. */
struct thread *chan_first_receiver(struct channel *ch, bool pulse);
/* p's last thread is gone: its connections go (servers hear DISCONNECT),
 * its clients hear COIDDEATH, its channels close.  No locks held. */
void ipc_process_gone(struct process *p);
/* The STATE_* of a thread blocked in a message call (SEND, REPLY, RECEIVE),
 * or 0 if it is not in one.  A racy read, for reports. */
uint32_t ipc_thread_state(const struct thread *t);
/* Live channels and queued pulses, system-wide (racy counts, for reports). */
uint32_t ipc_channels_in_use(void);
uint32_t ipc_pulses_queued(void);
/* True if t is SEND- or REPLY-blocked on a channel of process server.  No
 * locks held; a snapshot. */
bool ipc_blocked_on(struct thread *t, struct process *server);

/* ---- connections (connect.c) --------------------------------------------- */

/* Attach p to channel ch as it was at generation gen (read under its lock;
 * a later generation leaves the connection dead), side: in the side-channel
 * half; returns the coid
 * or -EAGAIN when p's vector is full.  No locks held. */
long conn_attach(struct process *p, struct channel *ch, uint32_t gen, bool side);
/* Drop p's connection coid; the server hears DISCONNECT if it was p's last
 * to that channel.  -EINVAL for an unknown coid.  No locks held. */
int conn_detach(struct process *p, long coid);
/* The live channel of connection coid of p, if p is still the live process
 * pid, locked; NULL (unlocked) if it is not, the connection is unknown or
 * its channel was destroyed since. */
struct channel *conn_channel_locked(struct process *p, uint32_t pid, long coid);
/* The same for the caller's own process p, without p's lock: p's vector
 * outlives the call (it goes only with p's last thread), and a slot
 * changed meanwhile shows in the channel's generation, checked under the
 * channel's lock.  (A vector slot is two words: read apart, a channel
 * that was replaced pairs with the new one's generation and is refused
 * unless it is live with that generation, a send that linearises before
 * the replacement.) */
struct channel *conn_channel_locked_own(struct process *p, long coid);
/* p's end: every connection goes, each channel's server hearing DISCONNECT
 * once (not p's own channels, which close with it). */
void conn_drop_all(struct process *p);
/* Clients connected to p's channels hear COIDDEATH on a channel of theirs
 * that asked for it (value: their connection id). */
void conn_tell_clients(struct process *p);
/* What ConnectClientInfo reports for thread t of process p (the caller's
 * own: for another, conn_client_of reads it). */
void conn_client_info(struct process *p, struct thread *t, struct _client_info *ci);
/* Whether p (still the live process pid) holds a live connection to one of
 * server's channels: a server may learn its clients' credentials.  If so
 * and ci is not NULL, what ConnectClientInfo reports for p is read into
 * *ci under the same hold of p->lock (the slot may change hands between
 * two).  Takes p->lock. */
bool conn_client_of(struct process *p, uint32_t pid, struct process *server,
		    struct _client_info *ci);
/* Whether p (still the live process pid) holds a live connection to
 * channel ch (ConnectClientOf).  Takes p->lock. */
bool conn_holds(struct process *p, uint32_t pid, const struct channel *ch);

/* ---- messages (msg.c) ---------------------------------------------------- */

/* Send client c's message (c->ipc.sv/rv loaded, sparts/rparts checked) on
 * connection coid and wait for the reply, honouring a TimerTimeout on the
 * SEND and REPLY states.  Returns the server's status, -EBADF for a dead
 * connection, -EFAULT, -ESRCH, -ETIMEDOUT, -EINTR.  No locks held. */
long msg_send(struct thread *c, long coid, uint32_t sparts, uint32_t rparts);
/* Receive on r's channel ch (r->ipc.rv loaded): a pulse (returns 0), a
 * message (returns the rcvid) or, when neither is queued, wait for one.
 * *has_info says whether *mi is what MsgReceive reports (a message, or
 * anything that came while it waited: a pulse then reports zeroes).
 * -EINVAL if ch stopped being r's channel chid.  uinfo: where the caller
 * wants the _msg_info, for a wait that finishes in a continuation (which
 * copies it out itself).  No locks held. */
long msg_receive(struct thread *r, struct channel *ch, long chid, uint32_t rparts,
		 bool pulse_only, struct _msg_info *mi, bool *has_info, uint64_t uinfo);
/* The REPLY-blocked client named by rcvid, with its channel locked in *chp;
 * NULL if rcvid names none of the caller's clients. */
struct thread *msg_client_locked(long rcvid, struct channel **chp);
/* The operations on a REPLY-blocked client c (ch locked on entry, released
 * on return), by replier r (the caller).  Reply: copy (rv, rn) into c's
 * reply buffers and wake it with status; 0 or -EFAULT. */
long msg_reply(struct thread *r, struct thread *c, struct channel *ch, long status,
	       const struct ipc_iov *rv, uint32_t rn);
/* Wake c with -err (err > 0, else -EINVAL); returns 0. */
long msg_error(struct thread *c, struct channel *ch, long err);
/* Copy c's message from offset into (dv, dn) of the caller; bytes or -EFAULT. */
long msg_read(struct thread *c, struct channel *ch, const struct ipc_iov *dv, uint32_t dn,
	      uint64_t offset);
/* Copy (sv, sn) of the caller into c's reply buffers at offset; bytes or -EFAULT. */
long msg_write(struct thread *c, struct channel *ch, const struct ipc_iov *sv, uint32_t sn,
	       uint64_t offset);
/* What MsgInfo reports for c. */
void msg_info(struct thread *c, struct channel *ch, struct _msg_info *mi);
/* Thread t (the caller, told to end) leaves the queue of the channel it was
 * sending on, SEND- or REPLY-blocked, so nobody receives or replies to it
 * any more; a REPLY-blocked one tells a server that asked for
 * _NTO_CHF_UNBLOCK with its unblock pulse.  No locks held. */
void ipc_thread_abandon(struct thread *t);
/* Prints where t's queue link points (for a panic's report). */
void ipc_describe_links(const struct thread *t);

/* ---- the fast path (ipc_fast.c) -------------------------------------------
 *
 * The common case of a message round trip on one hart: a client sends to a
 * server already waiting, the server replies and waits again.  Each side
 * blocks "with a continuation" (sched.h) and the other side switches
 * straight to it: no run queue, no kernel stack to unwind.  Everything
 * else takes the general path above, with the same results.  The boot
 * option ipc=slow turns the fast path off (the tests run both). */
/* IPC_CONT_DONE: a call that is over and returns its wait_result (0), for
 * a thread that yields (SchedYield's fast handler, sched.c). */
enum { IPC_CONT_NONE, IPC_CONT_SEND, IPC_CONT_RECV, IPC_CONT_DONE };
extern bool ipc_fast_off;
/* In thread.h, inline (they need the thread's fields):
 * ipc_fast_ok(t): whether thread t's current call may take the fast path:
 * a user thread, fast path on, no timeout armed, no signal or end pending;
 * ipc_cont_set(t, op, uinfo): t (the caller, in a kernel call) will block
 * with a continuation that finishes op (IPC_CONT_*); uinfo for
 * IPC_CONT_RECV. */
/* Take thread t off wait queue wq with `result` and claim it (sched.h);
 * false if it is not waiting there (its lock held). */
bool ipc_claim_waiter(struct waitq *wq, struct thread *t, int result);
/* The C half of arch_cont_entry: finishes the call, returns the frame. */
struct trap_frame;
struct trap_frame *ipc_continue(struct thread *prev);
/* ipc_cont_quick_inline (ipc_fast.h), ipc_continue's common case, for a
 * switch straight to t on hart h (ipc_switch_cont, interrupts off, t
 * current already): t's call ends with its wait's result and nothing to
 * do on the way out (kcall_exit's test).  Returns t's frame, ready to
 * resume, or NULL when t must go through ipc_continue (having changed
 * nothing). */
/* arch_cont_leave's way when finishing the switch (sched_finish_switch)
 * queued a thread here better than the current one, whose frame f is
 * ready (ipc_cont_quick_inline could not see it yet): the way out of a kernel
 * call (user_exit) from f, on the current thread's stack, interrupts off.
 * Returns the frame to resume. */
struct trap_frame *ipc_cont_preempt(struct trap_frame *f);
/* How the calls finish in a continuation (msg.c). */
long msg_send_resume(struct thread *c, long r);
long msg_receive_resume(struct thread *r, long rc, uint64_t uinfo);
/* MsgSendv's fused fast path: to a receiver waiting on the connection's
 * channel with a continuation, that may run here now; c (the caller) then
 * waits for the reply with a continuation.  Returns only when the call
 * must take msg_send instead, having changed nothing. */
void msg_send_fast(struct thread *c, long coid, uint32_t sparts, uint32_t rparts);
/* MsgReplyReceivev's fused fast path: r (the caller) replies to rcvid,
 * REPLY-blocked on r's channel chid, and waits there for the next message
 * with a continuation, for a channel where nothing else waits; the client
 * runs at once if it may (blocked with a continuation, may run here now),
 * else whatever the scheduler picks.  Returns
 * only when the call must take the general path, having changed nothing
 * (but r's priority, back to its own, as both paths do). */
void msg_reply_receive_fast(struct thread *r, long rcvid, long chid, long status,
			    const struct ipc_iov *rv, uint32_t rn, uint32_t rcvparts, uint64_t uinfo);
/* The same two for MsgSend and MsgReplyReceives, whole, as their rows'
 * fast handlers (kcall.h): called by trap.S at the call's entry,
 * interrupts off, with the call's arguments and the caller c (or r).
 * Each returns only to decline, having changed nothing (as above); the
 * call then takes the general way from its start. */
void ipc_fast_MsgSend(long coid, long smsg, long sbytes, long rmsg, long rbytes, long a5,
		      struct thread *c);
void ipc_fast_MsgReplyReceives(long ids, long status, long rmsg, long sizes, long msg,
			       long uinfo, struct thread *r);
/* And for pulses (pulse.c): MsgSendPulse to a channel where nobody waits,
 * MsgReceivev and MsgReceive that find a pulse queued.  Leaves (kcall.h
 * KCALL_ROW_LEAF): they never switch threads, and return to trap.S. */
struct kcall_leaf ipc_fast_MsgSendPulse(long coid, long prio, long code, long value, long a4,
					long a5, struct thread *s);
struct kcall_leaf ipc_fast_MsgReceivev(long chid, long riov, long rparts, long uinfo, long a4,
				       long a5, struct thread *r);
struct kcall_leaf ipc_fast_MsgReceive(long chid, long msg, long bytes, long uinfo, long a4,
				      long a5, struct thread *r);

/* ---- pulses (pulse.c) ---------------------------------------------------- */

/* Queue a pulse on ch (locked) by priority, or hand it straight to a
 * waiting receiver.  0, or -EAGAIN when no pulse is left.  pulse_queue is
 * for the kernel's own notices, which may take the pool's reserve;
 * pulse_queue_user for pulses a process asks for, which may not. */
int pulse_queue(struct channel *ch, int prio, int code, long value, int scoid);
int pulse_queue_user(struct channel *ch, int prio, int code, long value, int scoid);
/* Take ch's first pulse (ch locked, one queued) into receiver r's buffers
 * (rv, rn); 0 or -EFAULT (the pulse is gone either way). */
long pulse_take(struct thread *r, struct channel *ch, const struct ipc_iov *rv, uint32_t rn);
/* Return every pulse queued on ch (locked) to the pool. */
void pulse_drop_all(struct channel *ch);
/* A pulse on connection coid of process p from kernel context (timers,
 * interrupts, MsgDeliverEvent), if p is still the live process pid: 0,
 * -EBADF for a dead connection or a p that is not pid any more, -EAGAIN
 * when out of pulses.  notice: a kernel notice (an interrupt), which may
 * take the pool's reserve (pulse_queue).  Locks held: none, or
 * (interrupts) LR_INTR. */
int ipc_pulse_to(struct process *p, uint32_t pid, int coid, int prio, int code, long value,
		 bool notice);
/* A thread of p (the caller's process) is ending: p's channels that asked
 * hear THREADDEATH. */
void ipc_thread_death(struct process *p, uint32_t tid);
