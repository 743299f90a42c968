/* Per-hart timer queues and the tick (see ktimer.h).
 *
 * The hardware timer of a hart is programmed for the earlier of its next
 * tick and its earliest timer, so a timer fires at its deadline rather than
 * at the next tick. */
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "ktimer.h"
#include "sched.h"
#include "spinlock.h"
#include "timer.h"
#include "trace.h"

struct timerq {
	struct spinlock lock;
	struct list head;               /* by deadline */
};

static struct timerq queues[MAX_HARTS];

static uint64_t tick_period(void)
{
	return timebase_hz / HZ;
}

void ktimer_init(struct ktimer *t, ktimer_fn fn)
{
	list_init(&t->link);
	t->fn = fn;
	t->hart = ~0u;
	t->deadline = t->period = t->fired = t->last_late = 0;
}

void ktimer_queues_init(void)
{
	for (uint32_t i = 0; i < MAX_HARTS; i++) {
		spin_init(&queues[i].lock, "timerq", LR_TIMERQ);
		list_init(&queues[i].head);
	}
}

static void insert_sorted(struct timerq *q, struct ktimer *t)
{
	list_for_each(n, &q->head) {
		if (list_entry(n, struct ktimer, link)->deadline > t->deadline) {
			list_insert_before(n, &t->link);
			return;
		}
	}
	list_add_tail(&q->head, &t->link);
}

/* Caller holds this hart's queue lock. */
static void program(struct hart *h, struct timerq *q)
{
	uint64_t when = h->next_tick;

	if (!list_empty(&q->head)) {
		uint64_t d = list_entry(q->head.next, struct ktimer, link)->deadline;
		if (d < when)
			when = d;
	}
	arch_timer_arm(when);
}

void ktimer_reprogram(void)
{
	struct hart *h = this_hart();
	struct timerq *q = &queues[h->index];

	spin_lock(&q->lock);
	program(h, q);
	spin_unlock(&q->lock);
}

bool ktimer_cancel(struct ktimer *t)
{
	for (;;) {
		uint32_t hi = atomic_load32(&t->hart);
		if (hi == ~0u)
			return false;
		struct timerq *q = &queues[hi];
		spin_lock(&q->lock);
		if (t->hart == hi) {
			list_del(&t->link);
			atomic_store32(&t->hart, ~0u);
			spin_unlock(&q->lock);
			return true;
		}
		spin_unlock(&q->lock);          /* moved meanwhile: look again */
	}
}

void ktimer_arm(struct ktimer *t, uint64_t deadline, uint64_t period)
{
	ktimer_arm_cookie(t, deadline, period, 0);
}

void ktimer_arm_cookie(struct ktimer *t, uint64_t deadline, uint64_t period, uint64_t cookie)
{
	ktimer_cancel(t);
	unsigned long s = arch_irq_save();
	struct hart *h = this_hart();
	struct timerq *q = &queues[h->index];

	spin_lock(&q->lock);
	t->deadline = deadline;
	t->period = period;
	t->cookie = cookie;
	atomic_store32(&t->hart, h->index);
	insert_sorted(q, t);
	program(h, q);
	spin_unlock(&q->lock);
	arch_irq_restore(s);
}

/* Take the first expired timer off the queue (periodic ones go back at their
 * next absolute deadline); NULL when none is due. */
static struct ktimer *take_expired(struct hart *h, struct timerq *q, uint64_t now,
				   uint64_t *cookie)
{
	struct ktimer *t = 0;

	spin_lock(&q->lock);
	if (!list_empty(&q->head)) {
		struct ktimer *first = list_entry(q->head.next, struct ktimer, link);
		if (first->deadline <= now) {
			t = first;
			*cookie = t->cookie;
			list_del(&t->link);
			t->fired++;
			t->last_late = now - t->deadline;
			if (t->period) {
				t->deadline += t->period;
				if (t->deadline <= now)         /* missed periods are dropped */
					t->deadline += ((now - t->deadline) / t->period + 1) * t->period;
				insert_sorted(q, t);
			} else {
				atomic_store32(&t->hart, ~0u);
			}
		}
	}
	if (!t)
		program(h, q);
	spin_unlock(&q->lock);
	return t;
}

void ktimer_interrupt(void)
{
	struct hart *h = this_hart();
	struct timerq *q = &queues[h->index];
	uint64_t now = arch_time();

	if (now >= h->next_tick) {
		h->ticks++;
		h->next_tick += tick_period();
		if (h->next_tick <= now)        /* a slow host: do not replay missed ticks */
			h->next_tick = now + tick_period();
		sched_tick();
	}
	struct ktimer *t;
	uint64_t cookie;
	while ((t = take_expired(h, q, now, &cookie)) != 0) {
		trace(TR_KTIMER, t->deadline, t->last_late);
		if (t->fn)
			t->fn(t, now, cookie);
	}
}
