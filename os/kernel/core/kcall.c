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
#include "kcall.h"
#include "process.h"
#include "thread.h"
#include "waitq.h"
#include "trapframe.h"
#include "user_exit.h"

static const uint32_t privs[KCALL_COUNT] = {
#define KCALL_PRIV_(num, name, nargs, priv) [num] = (priv),
	KCALL_TABLE(KCALL_PRIV_)
#undef KCALL_PRIV_
};

_Static_assert(sizeof privs / sizeof privs[0] == KCALL_COUNT, "one privilege word per call");

/* The handlers by number.  Each is defined with its own arity (the
 * prototypes in kcall.h, checked where it is defined); called through one
 * six-argument type, as the RISC-V calling convention allows: a handler
 * reads only the argument registers it names. */
typedef long (*kcall_fn)(long, long, long, long, long, long);

static const kcall_fn handlers[KCALL_COUNT] = {
#define KCALL_FN_(num, name, nargs, priv) [num] = (kcall_fn)(void (*)(void))sys_##name,
	KCALL_TABLE(KCALL_FN_)
#undef KCALL_FN_
};

_Static_assert(sizeof handlers / sizeof handlers[0] == KCALL_COUNT, "one handler per call");

static inline __attribute__((always_inline)) long dispatch(long a0, long a1, long a2, long a3,
							   long a4, long a5, uint64_t n,
							   struct thread *t)
{
	if (n >= KCALL_COUNT)
		return -ENOSYS;
	if (__builtin_expect(privs[n] != 0, 0) && (privs[n] & ~t->proc->privs))
		return -EPERM;
	t->sig_call = (uint32_t)n + 1;          /* for a restart after a signal (signal.c) */
	t->sig_call_arg0 = (uint64_t)a0;
	if (atomic_load32(&t->sig_broke))
		atomic_store32(&t->sig_broke, 0);
	return kcall_finish(t, n, handlers[n](a0, a1, a2, a3, a4, a5));
}

struct trap_frame *kcall_entry(long a0, long a1, long a2, long a3, long a4, long a5, uint64_t n,
			       struct thread *t)
{
	long r = dispatch(a0, a1, a2, a3, a4, a5, n, t);
	struct trap_frame *f = t->uframe;

	arch_irq_save();
	f->x[9] = (uint64_t)r;
	return user_exit(t, f);
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
