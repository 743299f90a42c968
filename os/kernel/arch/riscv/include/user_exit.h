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

/* Whether the way out of a kernel call of t on hart h (interrupts off) has
 * anything to do: a restart or an end, a signal, a timeout to clear, a
 * preemption or hand-off, a signal mask to restore.  One look at each
 * word: two adjacent 32-bit flag words are read as one 64-bit load
 * (aligned: asserted in kcall.c), and a racing store to either is seen or
 * not, as by two loads.  kcall_exit and the IPC fast path's switch test it. */
static inline uint64_t kcall_flag_pair(const volatile uint32_t *first)
{
	return *(const volatile uint64_t *)(const volatile void *)first;
}

static inline __attribute__((always_inline)) bool kcall_exit_busy(const struct thread *t,
								  const struct hart *h)
{
	/* (need_resched as a signed word: only nonzero matters, and no
	 * zero-extension is then needed) */
	return (kcall_flag_pair(&t->restart_pending) | kcall_flag_pair(&t->sig_wake) |
		t->tmo_states | (uint64_t)(int64_t)(int32_t)atomic_load32(&h->need_resched) |
		(uint64_t)h->handoff | t->sig_saved) != 0;
}

/* The quick end of a kernel call of t on hart h with result r, once
 * kcall_exit_busy has found nothing to do: t's frame, ready to resume
 * (kcall_exit, the IPC fast path's continuations and its handlers). */
static inline __attribute__((always_inline)) struct trap_frame *kcall_end_quick(struct thread *t,
									      struct hart *h,
									      long r)
{
	struct trap_frame *f = t->uframe;

	t->call_state = 0;
	t->sig_call = 0;
	f->x[9] = (uint64_t)r;
	f->hart = (uint64_t)h;
	return f;
}
