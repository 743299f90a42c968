/* Kernel call dispatch, expanded from the one table in <keel/kcall.h>.
 *
 * Each row becomes one case that passes its handler exactly the registers
 * the row names (the prototypes in kcall.h say how many), so the compiler
 * checks every handler's arity against the table.  A row whose handler the
 * kernel does not define yet resolves, through a weak alias of the same
 * arity, to a stub that answers -ENOSYS. */
#include <keel/errno.h>
#include <keel/kcall.h>
#include "atomic.h"
#include "kcall.h"
#include "process.h"
#include "thread.h"
#include "waitq.h"
#include "trapframe.h"
#include "user_exit.h"

long sys_enosys_0(void);
long sys_enosys_1(long);
long sys_enosys_2(long, long);
long sys_enosys_3(long, long, long);
long sys_enosys_4(long, long, long, long);
long sys_enosys_5(long, long, long, long, long);
long sys_enosys_6(long, long, long, long, long, long);
long sys_enosys_0(void) { return -ENOSYS; }
long sys_enosys_1(long a0) { return -ENOSYS; }
long sys_enosys_2(long a0, long a1) { return -ENOSYS; }
long sys_enosys_3(long a0, long a1, long a2) { return -ENOSYS; }
long sys_enosys_4(long a0, long a1, long a2, long a3) { return -ENOSYS; }
long sys_enosys_5(long a0, long a1, long a2, long a3, long a4) { return -ENOSYS; }
long sys_enosys_6(long a0, long a1, long a2, long a3, long a4, long a5) { return -ENOSYS; }

#define KCALL_WEAK_(num, name, nargs, priv) \
	long sys_##name(KCALL_PARAMS_##nargs) __attribute__((weak, alias("sys_enosys_" #nargs)));
KCALL_TABLE(KCALL_WEAK_)
#undef KCALL_WEAK_

/* The registers each arity passes on. */
#define KCALL_ARGS_0
#define KCALL_ARGS_1 a0
#define KCALL_ARGS_2 a0, a1
#define KCALL_ARGS_3 a0, a1, a2
#define KCALL_ARGS_4 a0, a1, a2, a3
#define KCALL_ARGS_5 a0, a1, a2, a3, a4
#define KCALL_ARGS_6 a0, a1, a2, a3, a4, a5

static const uint32_t privs[KCALL_COUNT] = {
#define KCALL_PRIV_(num, name, nargs, priv) [num] = (priv),
	KCALL_TABLE(KCALL_PRIV_)
#undef KCALL_PRIV_
};

_Static_assert(sizeof privs / sizeof privs[0] == KCALL_COUNT, "one privilege word per call");

static long invoke(uint64_t n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	switch (n) {
#define KCALL_CASE_(num, name, nargs, priv) \
	case num: return sys_##name(KCALL_ARGS_##nargs);
	KCALL_TABLE(KCALL_CASE_)
#undef KCALL_CASE_
	}
	__builtin_unreachable();        /* dispatch checked n */
}

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
	return kcall_finish(t, n, invoke(n, a0, a1, a2, a3, a4, a5));
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
