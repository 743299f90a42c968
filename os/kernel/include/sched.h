#pragma once
/* The scheduler: per-hart run queues with 256 priorities and a bitmap, no
 * global lock.  Interrupts are off around every run-queue change (the
 * run-queue lock guarantees it). */
#include <stdbool.h>
#include <stdint.h>

struct thread;

enum sched_how {
	SCHED_HOW_BLOCK,        /* current thread is not runnable */
	SCHED_HOW_PREEMPT,      /* keep its place: back at the head of its priority */
	SCHED_HOW_YIELD,        /* go behind its peers: tail of its priority */
};

void sched_init(void);                  /* boot hart, before other harts start */
void sched_init_hart(void);             /* every hart: its idle thread and queue */
/* Switch away from the current thread.  Interrupts off, no locks held. */
void schedule(enum sched_how how);
/* Make a blocked thread runnable; false if it was not blocked.  Any context. */
bool sched_wakeup(struct thread *t);
/* sched_wakeup for a waker that blocks next on this hart, interrupts off
 * until it does (a client sending to a waiting server): if t last ran on
 * this hart it is not queued; this hart's next schedule() switches straight
 * to it, unless a better thread is ready there. */
bool sched_wakeup_handoff(struct thread *t);
/* The IPC fast path (core/ipc_fast.c).  A thread can block "with a
 * continuation": its context (ctx) is set to start over, on an empty kernel
 * stack, at a function that finishes its kernel call; nothing it needs is
 * on its stack.  Such a thread is resumed like any other (schedule() loads
 * its context), or straight from a waker on the same hart:
 *
 * sched_claim (sched_switch.h, inline): take t, blocked, for the caller
 * (BLOCKED -> READY, queued nowhere).  False if t was not blocked.
 * sched_may_run_on(h, t, prio) (sched_switch.h, inline): whether t, claimed
 * or still blocked, may run on hart h now at priority prio,
 * instead of a thread of the run queue (interrupts off): it last ran here,
 * may run here, has finished switching out, nothing better is ready here,
 * no hand-off is pending.
 * sched_queue_claimed: queue a claimed t as sched_wakeup would have.
 * ipc_switch_cont (ipc_fast.h): the current thread has blocked with a
 * continuation; switch to next (claimed, with a continuation, may run
 * here) without saving anything.  Interrupts off, no locks held.
 * schedule_cont: the same but to whatever schedule() picks. */
/* The first thing after every switch, on the new thread's stack. */
void sched_finish_switch(struct thread *prev);
/* Its part after prev's on_cpu is cleared, when prev's wake_queue is set
 * (arch_cont_leave finishes the rest itself). */
void sched_finish_woken(struct thread *prev);
void sched_queue_claimed(struct thread *t);
void schedule_cont(void) __attribute__((noreturn));
/* Queue a new thread for the first time. */
void sched_start(struct thread *t);
void sched_yield(void);
/* SchedYield's fast handler (a kcall row's: kcall.h), whole in sched.c. */
void sched_fast_SchedYield(long a0, long a1, long a2, long a3, long a4, long a5,
			   struct thread *t);
/* Change t's effective priority, requeueing it where it waits or runs.
 * Caller holds the PI lock or owns t. */
void sched_set_prio(struct thread *t, unsigned prio);
/* Tick accounting for the current thread (timer interrupt). */
void sched_tick(void);
/* At trap exit: switch if a reschedule is pending and the interrupted
 * context could be preempted. */
void sched_preempt_point(void);
/* Switch now if a wake-up made that due and the caller may be preempted. */
void sched_preempt_if_needed(void);
/* The idle loop of this hart (never returns). */
void sched_idle_loop(void) __attribute__((noreturn));
uint32_t sched_ready_count(uint32_t hart);
/* Restrict the calling thread to the harts in mask (by index), moving it now
 * if it runs elsewhere. */
void sched_set_runmask(uint64_t mask);
/* The hart the caller runs on (may change right after, unless pinned). */
uint32_t sched_this_hart(void);
