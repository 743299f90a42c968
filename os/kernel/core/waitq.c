/* Wait queues (see waitq.h).  A blocked thread's timeout is a ktimer on the
 * hart where it blocked; the timer and the waker race for the thread under
 * the queue owner's lock, and wait_seq tells a stale timer from a live one. */
#include <keel/errno.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "ktimer.h"
#include "panic.h"
#include "sched.h"
#include "spinlock.h"
#include "thread.h"
#include "trace.h"
#include "waitq.h"

struct thread *waitq_first(const struct waitq *wq)
{
	return list_empty(&wq->head) ? 0 : list_entry(wq->head.next, struct thread, wait_link);
}

struct thread *waitq_first_live(const struct waitq *wq)
{
	list_for_each(n, &wq->head) {
		struct thread *t = list_entry(n, struct thread, wait_link);
		if (!atomic_load32(&t->killed))
			return t;
	}
	return 0;
}

/* Priority order, FIFO among equals. */
static void insert(struct waitq *wq, struct thread *t)
{
	list_for_each(n, &wq->head) {
		if (list_entry(n, struct thread, wait_link)->prio < t->prio) {
			list_insert_before(n, &t->wait_link);
			return;
		}
	}
	list_add_tail(&wq->head, &t->wait_link);
}

void waitq_insert(struct waitq *wq, struct thread *t)
{
	insert(wq, t);
}

void waitq_requeue(struct waitq *wq, struct thread *t)
{
	list_del(&t->wait_link);
	insert(wq, t);
}

static void dequeue(struct thread *t, int result)
{
	list_del(&t->wait_link);
	t->wq = 0;
	t->wait_result = result;
}

/* cookie: the wait_seq of the wait that armed this expiry. */
static void timeout_fired(struct ktimer *k, uint64_t now, uint64_t cookie)
{
	struct thread *t = container_of(k, struct thread, timeout);
	uint32_t seq = (uint32_t)cookie;
	struct spinlock *lock = t->wq_lock;

	(void)now;
	if (!lock || atomic_load32(&t->wait_seq) != seq)
		return;
	spin_lock(lock);
	if (t->wq && t->wq_lock == lock && atomic_load32(&t->wait_seq) == seq) {
		dequeue(t, -ETIMEDOUT);
		sched_wakeup(t);
	}
	spin_unlock(lock);
}

/* A thread told to end (thread_kill) does not start a new wait: it stays
 * RUNNING with -EINTR as the wait's result, and waitq_sleep returns at once.
 * The killer sets the flag and then looks for the lock of the wait; we
 * publish the lock and then look at the flag.  With a full fence on both
 * sides at least one of us sees the other: either we see the flag here, or
 * the killer takes this lock after we have queued and wakes us. */
void waitq_prepare(struct waitq *wq, struct spinlock *lock, uint64_t deadline)
{
	struct thread *t = this_hart()->current;

	atomic_add32(&t->wait_seq, 1);
	t->wq_lock = lock;
	smp_mb();
	bool sig = atomic_load32(&t->sig_wake) && !atomic_load32(&t->sig_nointr);
	if (atomic_load32(&t->killed) || sig) {
		if (sig)
			atomic_store32(&t->sig_broke, 1);
		t->wq = 0;
		t->wait_result = -EINTR;
		return;
	}
	t->wq = wq;
	t->wait_result = 0;
	insert(wq, t);
	atomic_store32(&t->state, TS_BLOCKED);
	trace(TR_BLOCK, t->tid, (uint64_t)wq);
	if (deadline != WAIT_FOREVER) {
		t->timeout.fn = timeout_fired;
		ktimer_arm_cookie(&t->timeout, deadline, 0, t->wait_seq);
	}
}

int waitq_sleep(void)
{
	unsigned long s = arch_irq_save();
	struct thread *t = this_hart()->current;

	if (atomic_load32(&t->state) != TS_RUNNING)     /* RUNNING: the wait was refused */
		schedule(SCHED_HOW_BLOCK);
	else if (this_hart()->handoff)  /* refused, but a waker handed us a thread to run */
		schedule(SCHED_HOW_PREEMPT);
	ktimer_cancel(&t->timeout);
	arch_irq_restore(s);
	return t->wait_result;
}

int waitq_block(struct waitq *wq, struct spinlock *lock, uint64_t deadline)
{
	unsigned long s = lock->irq_state;

	waitq_prepare(wq, lock, deadline);
	lock->irq_state = 0;            /* stay with interrupts off until the switch */
	spin_unlock(lock);
	int r = waitq_sleep();
	arch_irq_restore(s);
	return r;
}

struct thread *waitq_wake_one(struct waitq *wq, int result)
{
	struct thread *t = waitq_first(wq);

	if (!t)
		return 0;
	dequeue(t, result);
	if (!sched_wakeup(t))
		panic("waitq: thread %s queued but not blocked", t->name);
	return t;
}

int waitq_wake_all(struct waitq *wq, int result)
{
	int n = 0;

	while (waitq_wake_one(wq, result))
		n++;
	return n;
}

void waitq_rearm(struct thread *t, uint64_t deadline)
{
	t->timeout.fn = timeout_fired;
	ktimer_arm_cookie(&t->timeout, deadline, 0, t->wait_seq);
}

static bool wake_thread(struct waitq *wq, struct thread *t, int result,
			bool (*wakeup)(struct thread *))
{
	if (t->wq != wq)
		return false;
	dequeue(t, result);
	if (!wakeup(t))
		panic("waitq: thread %s queued but not blocked", t->name);
	return true;
}

bool waitq_wake_thread(struct waitq *wq, struct thread *t, int result)
{
	return wake_thread(wq, t, result, sched_wakeup);
}

bool waitq_wake_thread_handoff(struct waitq *wq, struct thread *t, int result)
{
	return wake_thread(wq, t, result, sched_wakeup_handoff);
}

struct thread *waitq_wake_one_handoff(struct waitq *wq, int result)
{
	struct thread *t = waitq_first(wq);

	return t && wake_thread(wq, t, result, sched_wakeup_handoff) ? t : 0;
}

bool waitq_interrupt(struct thread *t, uint32_t tid, bool for_signal)
{
	smp_mb();       /* the caller's flag (killed, sig_wake) before the lock we look for */
	struct spinlock *lock = (struct spinlock *)atomic_load64((volatile uint64_t *)&t->wq_lock);

	if (!lock)
		return false;
	spin_lock(lock);
	bool waiting = t->tid == tid && t->wq && t->wq_lock == lock;
	/* For a signal, the wait must be one a signal may end, and the thread
	 * must not have looked at its signals since they were posted (it
	 * clears sig_wake when it has): a notice that comes late, after the
	 * thread went back to user mode and into a new wait, must not end that
	 * wait with an EINTR nobody restarts.  sig_broke is set here, with the
	 * wake, so the woken call always knows a signal ended it. */
	if (waiting && for_signal)
		waiting = atomic_load32(&t->sig_wake) && !atomic_load32(&t->sig_nointr);
	if (waiting) {
		if (for_signal)
			atomic_store32(&t->sig_broke, 1);
		dequeue(t, -EINTR);
		sched_wakeup(t);
	}
	spin_unlock(lock);
	return waiting;
}
