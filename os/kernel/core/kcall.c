/* Kernel call dispatch, expanded from the one table in <keel/kcall.h>.
 *
 * Each row declares its handler with exactly the registers the row names
 * (the prototypes in kcall.h), so the compiler checks every handler's
 * arity against the table where the handler is defined; dispatch is one
 * indexed load and call (a switch of 76 cases cost a second bounds check
 * and a jump through a table of offsets).  Every row has its handler: one
 * missing is a link error, not a call that answers -ENOSYS at run time. */
#include <keel/errno.h>
#include <keel/kcall.h>
#include "atomic.h"
#include "ipc.h"
#include "sched.h"
#include "kcall.h"
#include "process.h"
#include "thread.h"
#include "waitq.h"
#include "trapframe.h"
#include "user_exit.h"

/* The handlers by number, each with the privileges its caller's process
 * needs (0: none).  Each handler is defined with its own arity (the
 * prototypes in kcall.h, checked where it is defined); called through one
 * six-argument type, as the RISC-V calling convention allows: a handler
 * reads only the argument registers it names.  trap.S dispatches the
 * common case by this table too (KCALL_ROW_*), and comes to kcall_entry
 * for the rest. */
/* The IPC fast path's calls and SchedYield have fast handlers (ipc.h, sched.h). */
#define KCALL_HAS_FAST_(num) ((num) == KCALL_MsgSend || (num) == KCALL_MsgReplyReceives ||   \
			      (num) == KCALL_MsgSendPulse || (num) == KCALL_MsgReceivev ||     \
			      (num) == KCALL_MsgReceive || (num) == KCALL_SchedYield)
/* ... of which these are leaves (kcall.h KCALL_ROW_LEAF). */
#define KCALL_IS_LEAF_(num) ((num) == KCALL_MsgSendPulse || (num) == KCALL_MsgReceivev ||   \
			     (num) == KCALL_MsgReceive)
#define LEAF_(fn) ((kcall_fast_fn)(void (*)(void))(fn))
#define KCALL_FAST_(num) ((num) == KCALL_MsgSend ? ipc_fast_MsgSend :                   \
			  (num) == KCALL_MsgReplyReceives ? ipc_fast_MsgReplyReceives :    \
			  (num) == KCALL_MsgSendPulse ? LEAF_(ipc_fast_MsgSendPulse) :     \
			  (num) == KCALL_MsgReceivev ? LEAF_(ipc_fast_MsgReceivev) :       \
			  (num) == KCALL_MsgReceive ? LEAF_(ipc_fast_MsgReceive) :         \
			  (num) == KCALL_SchedYield ? sched_fast_SchedYield : 0)
const struct kcall_row kcall_rows[KCALL_COUNT] = {
#define KCALL_ROW_(num, name, nargs, priv) \
	[num] = { .fn = (kcall_fn)(void (*)(void))sys_##name,                            \
		  .privs = (priv) | (KCALL_HAS_FAST_(num) ? KCALL_ROW_FAST : 0) |              \
			   (KCALL_IS_LEAF_(num) ? KCALL_ROW_LEAF : 0),                          \
		  .fast = KCALL_FAST_(num) },
	KCALL_TABLE(KCALL_ROW_)
#undef KCALL_ROW_
};

_Static_assert(sizeof kcall_rows / sizeof kcall_rows[0] == KCALL_COUNT, "one row per call");
/* trap.S runs a leaf's handler before any privilege check. */
#define KCALL_LEAF_CHECK_(num, name, nargs, priv) \
	_Static_assert(!KCALL_IS_LEAF_(num) || ((priv) == 0 && KCALL_HAS_FAST_(num)), \
		       "kcall " #name ": a leaf needs no privilege and has a fast handler");
KCALL_TABLE(KCALL_LEAF_CHECK_)
#undef KCALL_LEAF_CHECK_
_Static_assert(sizeof(struct kcall_row) == 1 << KCALL_ROW_SHIFT &&
	       __builtin_offsetof(struct kcall_row, privs) == KCALL_ROW_PRIVS &&
	       __builtin_offsetof(struct kcall_row, fast) == KCALL_ROW_FASTFN &&
	       (int32_t)KCALL_ROW_FAST == KCALL_ROW_FAST_ASM && (int32_t)KCALL_ROW_LEAF < 0,
	       "trap.S's view of a row");

static inline __attribute__((always_inline)) long dispatch(long a0, long a1, long a2, long a3,
							   long a4, long a5, uint64_t n,
							   struct thread *t)
{
	if (n >= KCALL_COUNT)
		return -ENOSYS;
	uint32_t privs = kcall_rows[n].privs & ~(KCALL_ROW_FAST | KCALL_ROW_LEAF);
	if (__builtin_expect(privs != 0, 0) && (privs & ~t->proc->privs))
		return -EPERM;
	t->sig_call = (uint32_t)n + 1;          /* for a restart after a signal (signal.c) */
	t->sig_call_arg0 = (uint64_t)a0;
	if (atomic_load32(&t->sig_broke))
		atomic_store32(&t->sig_broke, 0);
	return kcall_finish(t, n, kcall_rows[n].fn(a0, a1, a2, a3, a4, a5));
}

_Static_assert(KCALL_COUNT == KCALL_COUNT_ASM, "trap.S's count of kernel calls");
_Static_assert(__builtin_offsetof(struct thread, sig_broke) == TH_SIG_BROKE, "trap.S: sig_broke");
_Static_assert(__builtin_offsetof(struct thread, sig_call_arg0) == TH_SIG_CALL_ARG0,
	       "trap.S: sig_call_arg0");
_Static_assert(__builtin_offsetof(struct thread, sig_call) == TH_SIG_CALL, "trap.S: sig_call");
_Static_assert(__builtin_offsetof(struct thread, restart_pending) == TH_RESTART_PENDING &&
	       __builtin_offsetof(struct thread, sig_saved) == TH_SIG_SAVED &&
	       __builtin_offsetof(struct thread, sig_wake) == TH_SIG_WAKE &&
	       __builtin_offsetof(struct thread, tmo_states) == TH_TMO_STATES &&
	       __builtin_offsetof(struct thread, call_state) == TH_TMO_STATES + 4 &&
	       TH_TMO_STATES % 8 == 0 &&
	       __builtin_offsetof(struct hart, handoff) == HART_HANDOFF &&
	       __builtin_offsetof(struct hart, kcall_rows) == HART_KCALL_ROWS &&
	       sizeof(((struct thread *)0)->sig_saved) == 1,
	       "trap.S's inline kcall_exit");

/* The way out of a call with result r (interrupts off): the one place
 * user_exit is expanded for kernel calls. */
static struct trap_frame *__attribute__((noinline)) leave(struct thread *t, long r)
{
	struct trap_frame *f = t->uframe;

	f->x[9] = (uint64_t)r;
	return user_exit(t, f);
}

/* kcall_exit's slow way, out of line: kcall_exit itself calls nothing. */
static struct trap_frame *__attribute__((noinline)) finish_and_leave(struct thread *t, uint64_t n,
								     long r)
{
	return leave(t, kcall_finish(t, n, r));
}

_Static_assert(__builtin_offsetof(struct thread, killed) ==
	       __builtin_offsetof(struct thread, restart_pending) + 4 &&
	       __builtin_offsetof(struct thread, restart_pending) % 8 == 0,
	       "restart_pending and killed: one aligned pair (kcall_exit_busy)");
_Static_assert(__builtin_offsetof(struct thread, sig_broke) ==
	       __builtin_offsetof(struct thread, sig_wake) + 4 &&
	       __builtin_offsetof(struct thread, sig_wake) % 8 == 0,
	       "sig_wake and sig_broke: one aligned pair (kcall_exit_busy)");

/* What kcall_finish and user_exit do when they have nothing to do, in a
 * function that calls nothing (so saves no registers): one look at
 * every word they test, interrupts off. */
struct trap_frame *kcall_exit(struct thread *t, uint64_t n, long r)
{
	arch_irq_save();
	struct hart *h = this_hart();

	if (__builtin_expect(kcall_exit_busy(t, h), 0))
		return finish_and_leave(t, n, r);
	return kcall_end_quick(t, h, r);
}

struct trap_frame *kcall_entry(long a0, long a1, long a2, long a3, long a4, long a5, uint64_t n,
			       struct thread *t)
{
	long r = dispatch(a0, a1, a2, a3, a4, a5, n, t);

	arch_irq_save();
	return leave(t, r);
}

long kcall_finish(struct thread *t, uint64_t n, long r)
{
	/* A timeout covers one call.  A call a signal broke keeps its (absolute)
	 * timeout for the restart the signal code may make of it, which clears
	 * it when a handler runs instead (sig_user_return); SignalReturn sets
	 * the one a handler's frame kept. */
	if (t->tmo_states && n != KCALL_TimerTimeout && n != KCALL_SignalReturn &&
	    !(r == -EINTR && atomic_load32(&t->sig_broke)))
		t->tmo_states = 0;
	t->call_state = 0;
	return r;
}

uint64_t kcall_deadline(uint32_t state)
{
	struct thread *t = thread_current();

	t->call_state = state;          /* what ThreadState reports while it blocks */
	return (t->tmo_states & (1u << state)) ? t->tmo_deadline : WAIT_FOREVER;
}
