/* Per-hart run queues and the switch between threads.
 *
 * Rules that keep this correct without a global lock:
 * - a run queue is changed only under its lock, and every spinlock keeps
 *   interrupts off while held, so no handler on the same hart can see a
 *   half-done change;
 * - a thread's state word moves BLOCKED -> READY only by compare-and-swap,
 *   so exactly one waker enqueues it;
 * - a thread may be picked by another hart while it is still switching away
 *   here: on_cpu stays 1 until the switch is complete, and the picker waits
 *   for it before loading the thread's context. */
#include "arch.h"
#include "atomic.h"
#include "bitops.h"
#include "hart.h"
#include "ipc.h"
#include "list.h"
#include "panic.h"
#include "sched.h"
#include "sched_switch.h"
#include "ipc_fast.h"
#include "spinlock_fast.h"
#include "smp.h"
#include "spinlock.h"
#include "thread.h"
#include "trace.h"

struct runq runqs[MAX_HARTS];
/* Where a switch keeps the context of a thread that goes with a
 * continuation: written, never read. */
static struct context discarded[MAX_HARTS];

void sched_finish_switch(struct thread *prev);
static void schedule_from(struct hart *h, struct context *save, enum sched_how how);

static void rq_enqueue(struct runq *rq, struct thread *t, bool head)
{
	unsigned p = t->prio;

	t->rq_prio = (uint8_t)p;
	if (head)
		list_add_head(&rq->q[p], &t->rq_link);
	else
		list_add_tail(&rq->q[p], &t->rq_link);
	rq->bitmap[p / 64] |= 1ul << (p % 64);
	if ((int)p > rq->top)
		rq->top = (int)p;
	rq->nready++;
}

/* The highest priority in the bitmap, or -1 (rq->top's source). */
static int rq_top_scan(const struct runq *rq)
{
	for (int w = NPRIO / 64 - 1; w >= 0; w--)
		if (rq->bitmap[w])
			return w * 64 + bit_highest(rq->bitmap[w]);
	return -1;
}

static void rq_dequeue(struct runq *rq, struct thread *t)
{
	unsigned p = t->rq_prio;

	list_del(&t->rq_link);
	if (list_empty(&rq->q[p])) {
		rq->bitmap[p / 64] &= ~(1ul << (p % 64));
		if ((int)p == rq->top)
			rq->top = rq_top_scan(rq);
	}
	rq->nready--;
}

static struct thread *rq_pick(struct runq *rq)
{
	int p = rq_top(rq);

	if (p < 0)
		return 0;
	struct thread *t = list_entry(rq->q[p].next, struct thread, rq_link);
	rq_dequeue(rq, t);
	return t;
}

uint32_t sched_ready_count(uint32_t hart)
{
	return atomic_load32(&runqs[hart].nready);
}

void sched_init(void)
{
	for (uint32_t i = 0; i < MAX_HARTS; i++) {
		spin_init(&runqs[i].lock, "runq", LR_RUNQ);
		runqs[i].top = -1;
		harts[i].rq = &runqs[i];
		for (int p = 0; p < NPRIO; p++)
			list_init(&runqs[i].q[p]);
	}
}

void sched_init_hart(void)
{
	thread_init_idle();
}

static bool hart_is_idle(const struct hart *h)
{
	return h->current == h->idle && !atomic_load32(&runqs[h->index].nready);
}

/* Where a thread that became ready should run: its last hart if allowed and
 * the thread would run there now, else an idle allowed hart, else its last
 * hart (or the first allowed one). */
static uint32_t select_hart(const struct thread *t)
{
	uint32_t last = t->last_hart;
	bool last_ok = last < nharts && (t->runmask & (1ul << last));

	if (last_ok) {
		const struct hart *h = &harts[last];
		const struct thread *cur = h->current;
		if (hart_is_idle(h) || (cur && t->prio > cur->prio))
			return last;
	}
	for (uint32_t i = 0; i < nharts; i++)
		if ((t->runmask & (1ul << i)) && atomic_load32(&harts[i].online) && hart_is_idle(&harts[i]))
			return i;
	return last_ok ? last : (uint32_t)bit_lowest(t->runmask);
}

/* Tell hart hi that t is queued there, if t should run there now: at once,
 * or when this hart has let go of its last lock (spinlock.c). */
static void kick(uint32_t hi, const struct thread *t)
{
	struct hart *target = &harts[hi];
	const struct thread *cur = target->current;

	if (cur != target->idle && cur && t->prio <= cur->prio)
		return;
	unsigned long s = arch_irq_save();
	struct hart *me = this_hart();
	if (target == me)
		atomic_store32(&target->need_resched, 1);
	else if (me->locks_held)
		me->kicks_deferred |= 1ul << hi;
	else
		ipi_send(target, IPI_RESCHED);
	arch_irq_restore(s);
}

static void enqueue_ready(struct thread *t)
{
	uint32_t hi = select_hart(t);
	struct runq *rq = &runqs[hi];

	spin_lock(&rq->lock);
	t->rq_hart = hi;
	rq_enqueue(rq, t, false);
	spin_unlock(&rq->lock);
	kick(hi, t);
}

void sched_start(struct thread *t)
{
	atomic_store32(&t->state, TS_READY);
	enqueue_ready(t);
}

/* A thread woken while it is still switching away on its hart (on_cpu) is
 * queued by that hart once the switch is done (sched_finish_switch), not
 * by the waker: a waker that spun on on_cpu instead waited on another
 * hart's progress with interrupts off (under QEMU's -icount, which runs
 * the harts in turn, for the rest of its turn: up to a timer tick).  Two
 * harts that each picked the other's outgoing thread would wait for each
 * other forever.  Dekker on (wake_queue, on_cpu): the waker sets
 * wake_queue and then looks at on_cpu, the switching hart clears on_cpu
 * and then looks at wake_queue, each with a full fence between; at least
 * one of them sees the other's store, and the swap of wake_queue decides
 * which one queues t.  True: the caller queues t now. */
static bool queue_now(struct thread *t)
{
	if (!atomic_load32(&t->on_cpu))
		return true;
	atomic_store32(&t->wake_queue, 1);
	smp_mb();
	if (atomic_load32(&t->on_cpu))
		return false;                   /* its hart will see wake_queue */
	return atomic_swap32(&t->wake_queue, 0) != 0;
}

bool sched_wakeup(struct thread *t)
{
	if (atomic_cas32(&t->state, TS_BLOCKED, TS_READY) != TS_BLOCKED)
		return false;
	sched_queue_claimed(t);
	return true;
}

void sched_queue_claimed(struct thread *t)
{
	trace(TR_WAKE, t->tid, t->prio);
	if (queue_now(t))
		enqueue_ready(t);
}


bool sched_wakeup_handoff(struct thread *t)
{
	struct hart *h = this_hart();

	if (arch_irq_enabled())
		panic("handoff with interrupts on");
	if (h->handoff || t->last_hart != h->index || !(t->runmask & (1ul << h->index)))
		return sched_wakeup(t);
	if (atomic_cas32(&t->state, TS_BLOCKED, TS_READY) != TS_BLOCKED)
		return false;
	trace(TR_WAKE, t->tid, t->prio);
	if (queue_now(t))
		h->handoff = t;
	return true;
}

/* The thread handed to this hart, if it is to run next; otherwise it joins
 * the run queue (rq locked). */
static struct thread *take_handoff(struct hart *h, struct runq *rq)
{
	struct thread *t = h->handoff;

	if (!t)
		return 0;
	h->handoff = 0;
	if (rq_top(rq) <= (int)t->prio)
		return t;
	t->rq_hart = h->index;
	rq_enqueue(rq, t, false);
	return 0;
}

/* An idle hart takes the best ready thread it may run from a busy hart.
 * trylock: two run-queue locks are never waited for at once. */
static struct thread *__attribute__((noinline)) steal(struct hart *h)
{
	uint64_t bit = 1ul << h->index;

	for (uint32_t k = 1; k < nharts; k++) {
		struct runq *rq = &runqs[(h->index + k) % nharts];
		if (!atomic_load32(&rq->nready) || !spin_trylock(&rq->lock))
			continue;
		for (int p = rq_top(rq); p >= 0; p--) {
			list_for_each(n, &rq->q[p]) {
				struct thread *t = list_entry(n, struct thread, rq_link);
				if (t->runmask & bit) {
					rq_dequeue(rq, t);
					spin_unlock(&rq->lock);
					trace(TR_STEAL, t->tid, (h->index + k) % nharts);
					return t;
				}
			}
		}
		spin_unlock(&rq->lock);
	}
	return 0;
}

/* Put prev back if it is still runnable; true if it must move to a hart
 * its run mask allows (done after the lock is dropped). */
static bool requeue_prev(struct hart *h, struct runq *rq, struct thread *prev, enum sched_how how)
{
	if (prev == h->idle || atomic_load32(&prev->state) != TS_RUNNING)
		return false;
	atomic_store32(&prev->state, TS_READY);
	if (!(prev->runmask & (1ul << h->index)))
		return true;
	prev->rq_hart = h->index;
	rq_enqueue(rq, prev, how == SCHED_HOW_PREEMPT);
	return false;
}


void schedule_cont(void)
{
	struct hart *h = this_hart();

	schedule_from(h, &discarded[h->index], SCHED_HOW_BLOCK);
	panic("schedule_cont: a thread with a continuation came back");
}

void schedule(enum sched_how how)
{
	struct hart *h = this_hart();

	schedule_from(h, &h->current->ctx, how);
}

/* Switch away from the current thread, its callee-saved registers going
 * to *save (its own context, or nowhere for a continuation). */
static void schedule_from(struct hart *h, struct context *save, enum sched_how how)
{
	struct runq *rq = &runqs[h->index];
	struct thread *prev = h->current, *next;

	if (arch_irq_enabled())
		panic("schedule with interrupts on");
	spin_lock(&rq->lock);
	atomic_store32(&h->need_resched, 0);
	bool migrate = requeue_prev(h, rq, prev, how);
	next = take_handoff(h, rq);
	if (!next)
		next = rq_pick(rq);
	spin_unlock(&rq->lock);
	if (migrate)
		prev->migrating = 1;    /* queued elsewhere once it is off this hart */
	if (!next)
		next = steal(h);
	if (!next)
		next = h->idle;
	if (next == prev) {
		atomic_store32(&prev->state, TS_RUNNING);
		return;
	}
	/* next may still be switching away on another hart, deciding there
	 * from its state whether to requeue itself: its state may become
	 * RUNNING only once that hart is done with it. */
	while (atomic_load32(&next->on_cpu))
		cpu_relax();
	sched_switch_in(h, prev, next);
	prev = arch_switch(save, &next->ctx, prev);
	sched_finish_switch(prev);
}

_Static_assert(__builtin_offsetof(struct thread, on_cpu) == TH_ON_CPU &&
	       __builtin_offsetof(struct thread, migrating) == TH_MIGRATING &&
	       __builtin_offsetof(struct thread, wake_queue) == TH_WAKE_QUEUE,
	       "switch.S's arch_cont_leave");

void sched_finish_woken(struct thread *prev)
{
	if (atomic_swap32(&prev->wake_queue, 0))
		enqueue_ready(prev);
}

/* First thing after every switch, on the new thread's stack. */
void sched_finish_switch(struct thread *prev)
{
	bool migrate = prev->migrating;

	prev->migrating = 0;
	smp_mb();
	atomic_store32(&prev->on_cpu, 0);
	smp_mb();                               /* on_cpu before wake_queue: see queue_now */
	if (atomic_load32(&prev->wake_queue))
		sched_finish_woken(prev);       /* woken meanwhile (never also migrating) */
	if (migrate)
		enqueue_ready(prev);
	if (atomic_load32(&prev->state) == TS_DEAD)
		thread_reap_if_detached(prev);
}

/* SchedYield's fast handler (kcall.h): the common yield, to the first
 * thread of the caller's own priority on this hart's queue, whole here.
 * The caller goes behind its peers with a continuation that ends its call
 * with 0 (IPC_CONT_DONE: nothing of it is on its stack, so nothing is
 * saved), and the next thread starts the way schedule() would start it:
 * through its continuation, quickly where it has one, or its context
 * (the old stack given to arch_switch is thrown away).  Declines (having
 * changed nothing) for anything else: a timeout armed, a signal or an end
 * pending, a hand-off, the queue's lock not free at once, a better thread
 * ready, the next one still switching out elsewhere. */
void sched_fast_SchedYield(long a0, long a1, long a2, long a3, long a4, long a5,
			   struct thread *t)
{
	struct hart *h = this_hart();
	struct runq *rq = h->rq;

	/* (t's run mask has this hart: only t changes it, and moves at once
	 * when it leaves this hart out, sched_set_runmask.) */
	if (!ipc_fast_ok_entry(t) || h->handoff || !spin_trylock_first(h, &rq->lock))
		return;
	unsigned p = t->prio;
	int top = rq->top;
	if (top < (int)p) {                     /* nobody to yield to */
		spin_unlock_first(h, &rq->lock);
		ipc_fast_return(t, KCALL_SchedYield, a0, 0);
	}
	struct thread *next = list_entry(rq->q[p].next, struct thread, rq_link);
	if (top > (int)p || atomic_load32(&next->on_cpu)) {
		spin_unlock_first(h, &rq->lock);
		return;
	}
	/* The same level stays as full as it was: the bitmap, top and nready
	 * do not change. */
	list_del(&next->rq_link);
	t->rq_prio = (uint8_t)p;
	t->rq_hart = h->index;
	list_add_tail(&rq->q[p], &t->rq_link);
	if (atomic_load32(&h->need_resched))
		atomic_store32(&h->need_resched, 0);    /* as schedule() does */
	/* (A yield is never restarted after a signal: no sig_call to set.) */
	t->wait_result = 0;
	ipc_cont_set_call(t, IPC_CONT_DONE, 0, KCALL_SchedYield);  /* before another hart
								    * may take t */
	atomic_store32(&t->state, TS_READY);
	spin_unlock_first(h, &rq->lock);
	sched_switch_in(h, t, next);
	if (next->cont != IPC_CONT_NONE) {
		struct trap_frame *f = ipc_cont_quick_inline(h, next);
		if (f)
			arch_cont_leave(f, t);
		arch_switch_cont(&next->ctx, t);
	}
	arch_switch(&discarded[h->index], &next->ctx, t);
	__builtin_unreachable();                /* t starts over at its continuation */
}

void sched_yield(void)
{
	unsigned long s = arch_irq_save();

	schedule(SCHED_HOW_YIELD);
	arch_irq_restore(s);
}

/* Only a thread sitting in a run queue has a position to fix; a thread that
 * runs, blocks, or is between queues (picked, waiting for on_cpu) just takes
 * the new value, which the next enqueue uses. */
void sched_set_prio(struct thread *t, unsigned prio)
{
	if (*(volatile uint8_t *)&t->prio == prio)
		return;         /* the common case in message passing: nothing to move */
	for (;;) {
		uint32_t hi = atomic_load32(&t->rq_hart);
		struct runq *rq = &runqs[hi];
		spin_lock(&rq->lock);
		bool queued = atomic_load32(&t->state) == TS_READY && list_linked(&t->rq_link);
		if (queued && t->rq_hart == hi) {
			rq_dequeue(rq, t);
			t->prio = (uint8_t)prio;
			rq_enqueue(rq, t, false);
			spin_unlock(&rq->lock);
			kick(hi, t);
			return;
		}
		if (!queued) {
			t->prio = (uint8_t)prio;
			spin_unlock(&rq->lock);
			return;
		}
		spin_unlock(&rq->lock);         /* queued on another hart's queue: look again */
	}
}

void sched_tick(void)
{
	struct hart *h = this_hart();
	struct thread *cur = h->current;

	if (cur == h->idle || cur->policy == SCHED_FIFO)
		return;
	if (cur->slice > 1) {
		cur->slice--;
		return;
	}
	cur->slice = RR_SLICE_TICKS;
	if (rq_top(&runqs[h->index]) >= cur->prio) {
		h->resched_yield = 1;
		atomic_store32(&h->need_resched, 1);
	}
}

void sched_preempt_point(void)
{
	struct hart *h = this_hart();

	if (!atomic_load32(&h->need_resched))
		return;
	enum sched_how how = h->resched_yield ? SCHED_HOW_YIELD : SCHED_HOW_PREEMPT;
	h->resched_yield = 0;
	schedule(how);
}

void sched_idle_loop(void)
{
	for (;;) {
		arch_irq_save();
		struct hart *h = this_hart();
		schedule(SCHED_HOW_PREEMPT);
		if (!atomic_load32(&h->need_resched) && !atomic_load32(&runqs[h->index].nready))
			arch_wait_for_interrupt();
		arch_irq_enable();
	}
}

void sched_set_runmask(uint64_t mask)
{
	unsigned long s = arch_irq_save();
	struct hart *h = this_hart();

	h->current->runmask = mask;
	if (!(mask & (1ul << h->index)))
		schedule(SCHED_HOW_YIELD);      /* requeue_prev moves it to an allowed hart */
	arch_irq_restore(s);
}

uint32_t sched_this_hart(void)
{
	unsigned long s = arch_irq_save();
	uint32_t i = this_hart()->index;

	arch_irq_restore(s);
	return i;
}

void sched_preempt_if_needed(void)
{
	unsigned long s = arch_irq_save();

	if (s)
		sched_preempt_point();
	arch_irq_restore(s);
}
