#pragma once
/* The scheduler's inside, for sched.c and the IPC fast path (msg.c), which
 * switches between two threads of a message round trip by itself: the run
 * queues, the test whether a thread may run here now, and the switch's
 * bookkeeping, all inline (out of line, their calls and saved registers
 * were a third of a round trip).  Everything here runs with interrupts off
 * on the hart concerned. */
#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "list.h"
#include "process.h"
#include "spinlock.h"
#include "thread.h"
#include "trace.h"
#include "vmspace.h"

#define NPRIO 256

struct runq {
	struct spinlock lock;
	uint64_t bitmap[NPRIO / 64];
	int top;                        /* the highest bit of bitmap, -1 when empty */
	struct list q[NPRIO];
	volatile uint32_t nready;
};

extern struct runq runqs[MAX_HARTS];

/* Highest priority with a ready thread, or -1 (the run queue locked, or a
 * racy read where the caller says so). */
static inline int rq_top(const struct runq *rq)
{
	return *(const volatile int *)&rq->top;
}

/* See sched.h. */
static inline bool sched_claim(struct thread *t)
{
	return atomic_cas32(&t->state, TS_BLOCKED, TS_READY) == TS_BLOCKED;
}

/* Whether t (blocked, or claimed) may run on hart h now at priority prio,
 * instead of a thread of h's run queue: see sched.h. */
static inline __attribute__((always_inline)) bool sched_may_run_on(const struct hart *h,
								 const struct thread *t,
								 unsigned prio)
{
	/* The run queue's top read without its lock: a thread queued here
	 * meanwhile by another hart comes with a kick, and the preemption
	 * point on the way to user mode takes it. */
	const struct runq *rq = h->rq;

	return !h->handoff && t->last_hart == h->index && (t->runmask & (1ul << h->index)) &&
	       !atomic_load32(&t->on_cpu) &&
	       (!atomic_load32(&rq->nready) || rq_top(rq) <= (int)prio);
}

/* The switch's bookkeeping: prev's CPU time ends, next's starts, at now
 * (see thread_cpu_ticks for the readers' side). */
static inline __attribute__((always_inline)) void sched_account(struct thread *prev,
							      struct thread *next, uint64_t now)
{

	/* A sequence round: the adds are full-fence atomics (aq and rl), so
	 * the stores between stay between for a reader. */
	atomic_add32(&prev->cpu_seq, 1);
	uint64_t since = prev->run_since;       /* (one load of the volatile word) */
	if (since)
		prev->cpu_ticks += now - since;
	prev->run_since = 0;
	atomic_add32(&prev->cpu_seq, 1);
	/* next changes one word, 0 -> now, in one store: a reader sees its
	 * ticks with either value, and both add up (thread_cpu_ticks), so
	 * no sequence round. */
	next->run_since = now;
}

/* Switch hart h's bookkeeping, address space and FP state from prev to
 * next (off every run queue, on_cpu clear); the registers are the
 * caller's business (arch_switch, or a continuation). */
static inline __attribute__((always_inline)) void sched_switch_in(struct hart *h,
								struct thread *prev,
								struct thread *next)
{
	atomic_store32(&next->state, TS_RUNNING);
	atomic_store32(&next->on_cpu, 1);
	next->last_hart = h->index;
	next->switches++;
	h->switches++;
	h->current = next;
	uint64_t now = arch_time();             /* once: the accounting's and the trace's */
	sched_account(prev, next, now);
	if (next->proc)
		vmspace_activate_quick(next->proc->vs);
	else
		arch_switch_space(next);
	/* FP state moves only for a thread that has used it: a thread without
	 * runs with FS Off already. */
	if (prev->fp_on | next->fp_on)
		arch_fp_switch(prev, next);
	trace_at(TR_SWITCH, prev->tid, next->tid, now);
}
