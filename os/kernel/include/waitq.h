#pragma once
/* Wait queues: threads blocked on a kernel object, highest priority first
 * (FIFO within a priority).  A wait queue has no lock of its own: every call
 * names the lock of the object that owns the queue, held by the caller. */
#include <stdbool.h>
#include <stdint.h>
#include "list.h"

struct spinlock;
struct thread;

struct waitq {
	struct list head;
};

#define WAIT_FOREVER 0

static inline void waitq_init(struct waitq *wq) { list_init(&wq->head); }

/* Block the current thread on wq until woken or until the absolute timebase
 * deadline (WAIT_FOREVER for none).  `lock` guards wq and is held on entry;
 * it is released before the thread sleeps and NOT re-taken.  Returns the
 * result given by the waker, or -ETIMEDOUT; -EINTR at once, without
 * sleeping, for a thread told to end (thread_kill), so a caller that waits
 * in a loop must stop on -EINTR. */
int waitq_block(struct waitq *wq, struct spinlock *lock, uint64_t deadline);
/* Enqueue the current thread as blocked without sleeping yet; the caller
 * releases its locks and then calls waitq_sleep().  For operations that
 * must drop another lock between enqueueing and sleeping (condvar wait). */
void waitq_prepare(struct waitq *wq, struct spinlock *lock, uint64_t deadline);
int waitq_sleep(void);
/* Wake the first waiter with `result`; returns it, or NULL if none.  Caller
 * holds the queue's lock. */
struct thread *waitq_wake_one(struct waitq *wq, int result);
/* Wake t, which waits on wq, with `result`; false if it does not wait there. */
bool waitq_wake_thread(struct waitq *wq, struct thread *t, int result);
/* The same for a waker that blocks next (sched_wakeup_handoff). */
bool waitq_wake_thread_handoff(struct waitq *wq, struct thread *t, int result);
struct thread *waitq_wake_one_handoff(struct waitq *wq, int result);
/* Wake every waiter with `result`; returns how many. */
int waitq_wake_all(struct waitq *wq, int result);
/* Wake thread t, while its id is still tid, out of whatever wait it is in,
 * with -EINTR; false if it does not wait.  for_signal: only a wait a signal
 * may end, and only while t has not yet looked at its signals (sig_wake).
 * No lock held on entry: this takes the lock of t's wait itself. */
bool waitq_interrupt(struct thread *t, uint32_t tid, bool for_signal);
/* Give blocked thread t a (new) timeout at `deadline`; the caller holds the
 * lock of the queue t waits on. */
void waitq_rearm(struct thread *t, uint64_t deadline);
/* Put t (the caller, about to block with wq's lock held: the IPC fast
 * path, which does the rest of waitq_prepare itself) on wq by priority. */
void waitq_insert(struct waitq *wq, struct thread *t);
/* Re-insert t at the place its (changed) priority calls for. */
void waitq_requeue(struct waitq *wq, struct thread *t);
static inline int waitq_empty(const struct waitq *wq) { return list_empty(&wq->head); }
struct thread *waitq_first(const struct waitq *wq);
/* The first waiter not told to end (thread_kill), or NULL: whom a lock is
 * handed to (one told to end would take it to its end, and the lock's
 * word would name a dead thread for good). */
struct thread *waitq_first_live(const struct waitq *wq);
