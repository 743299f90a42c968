#pragma once
/* The way back to user mode of thread t (the current one, interrupts off)
 * through frame f: a restart, a preemption, signals, the end of a thread
 * told to end.  Returns the frame to resume.  Inline: every kernel call
 * and every trap from user mode leaves through it (user.c, kcall.c, the
 * IPC fast path's continuations). */
#include <stdbool.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "panic.h"
#include "sched.h"
#include "sig.h"
#include "thread.h"
#include "trapframe.h"

static inline __attribute__((always_inline)) struct trap_frame *user_exit(struct thread *t,
									struct trap_frame *f)
{
	/* On the way out, each check is one load here; the work, when there
	 * is any, is in the functions called.  The thread may have moved to
	 * another hart in a preemption: t is still the current thread. */
	if (__builtin_expect(atomic_load32(&t->restart_pending), 0))
		arch_user_restart_check();
	if (__builtin_expect(atomic_load32(&this_hart()->need_resched), 0))
		sched_preempt_point();
	/* after the preemption: what came meanwhile too (sig_user_return's
	 * own first test, widened: it decides) */
	if (__builtin_expect(atomic_load32(&t->sig_wake) || t->sig_saved ||
			     atomic_load32(&t->sig_broke), 0))
		sig_user_return(f);
	else
		t->sig_call = 0;
	if (__builtin_expect(atomic_load32(&t->killed), 0))
		thread_user_return();
	struct hart *h = this_hart();   /* the preemption may have moved us */
	if (__builtin_expect(h->handoff != 0, 0))
		panic("thread %s handed to hart %u by a waker that did not block",
		      h->handoff->name, h->index);
	f->hart = (uint64_t)h;
	return f;
}
