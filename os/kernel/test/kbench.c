/* Kernel benchmarks, run by the `kbench` command line word.  Figures are
 * instret deltas: guest instructions when QEMU runs with -icount shift=0
 * (sleep=off makes them repeatable), cycles-ish on hardware. */
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "kbench.h"
#include "kprintf.h"
#include "sched.h"
#include "sync.h"
#include "thread.h"
#include "timer.h"
#include "waitq.h"

#define KAS ((const void *)0)
#define A(x) ((uintptr_t)&(x))

struct bench {
	volatile uint32_t ready, go, done;
	volatile uint64_t t0, t1;
	uint32_t n;
	uint32_t m, cv;
	volatile uint32_t turn;
};

static void report(const char *name, uint64_t instr, uint64_t ops)
{
	kprintf("kbench: %-40s %8lu instructions/op  (%lu ops)\n", name, ops ? instr / ops : 0, ops);
}

static void start_together(struct bench *b)
{
	atomic_add32(&b->ready, 1);
	while (atomic_load32(&b->ready) < 2)
		sched_yield();          /* the partner may share this hart */
}

static void yielder(void *arg)
{
	struct bench *b = arg;

	start_together(b);
	if (atomic_add32(&b->go, 1) == 0)
		b->t0 = arch_instret();
	for (uint32_t i = 0; i < b->n; i++)
		sched_yield();
	if (atomic_add32(&b->done, 1) == 1)
		b->t1 = arch_instret();
}

static void mutexer(void *arg)
{
	struct bench *b = arg;

	start_together(b);
	if (atomic_add32(&b->go, 1) == 0)
		b->t0 = arch_instret();
	for (uint32_t i = 0; i < b->n; i++) {
		sync_mutex_lock(KAS, A(b->m), WAIT_FOREVER);
		for (int k = 0; k < 20; k++)
			cpu_relax();
		sync_mutex_unlock(KAS, A(b->m));
	}
	if (atomic_add32(&b->done, 1) == 1)
		b->t1 = arch_instret();
}

static void pinger(void *arg)
{
	struct bench *b = arg;
	uint32_t me = atomic_add32(&b->go, 1);

	start_together(b);
	if (me == 0)
		b->t0 = arch_instret();
	for (uint32_t i = 0; i < b->n; i++) {
		sync_mutex_lock(KAS, A(b->m), WAIT_FOREVER);
		while (b->turn != me)
			sync_condvar_wait(KAS, A(b->cv), A(b->m), WAIT_FOREVER);
		b->turn = !me;
		sync_condvar_signal(KAS, A(b->cv), false);
		sync_mutex_unlock(KAS, A(b->m));
	}
	if (atomic_add32(&b->done, 1) == 1)
		b->t1 = arch_instret();
}

/* Two threads running fn on harts ha and hb; returns the instret span. */
static void self_prio(unsigned p)
{
	struct thread *t = thread_current();

	t->base_prio = (uint8_t)p;
	sched_set_prio(t, p);
}

static uint64_t pair(void (*fn)(void *), struct bench *b, uint32_t ha, uint32_t hb)
{
	unsigned mine = thread_current()->base_prio;

	self_prio(50);                  /* create both before either runs */
	struct thread *x = kthread_create("bench-a", fn, b, 40, SCHED_FIFO, 1ul << ha);
	struct thread *y = kthread_create("bench-b", fn, b, 40, SCHED_FIFO, 1ul << hb);
	self_prio(mine);
	sched_yield();
	if (!x || !y)
		return 0;
	thread_join(x->tid, 0);
	thread_join(y->tid, 0);
	return b->t1 - b->t0;
}

static void bench_timer_irq(void)
{
	uint64_t sum = 0, n = 0;

	kbench_timer_reset();
	thread_sleep_ns(200 * 1000 * 1000);     /* 20 ticks on every hart */
	kbench_timer_read(&sum, &n);
	report("timer interrupt, trap entry to handler return", sum, n);
}

void kbench_run(void)
{
	static struct bench b;
	uint32_t other = nharts > 1 ? 1 : 0;

	kprintf("kbench: figures are instret deltas (guest instructions under -icount shift=0)\n");
	b = (struct bench){ .n = 2000 };
	report("thread yield, two threads on one hart", pair(yielder, &b, 0, 0), 2 * b.n);
	b = (struct bench){ .n = 1000 };
	report("contended mutex lock+unlock, two harts", pair(mutexer, &b, 0, other), 2 * b.n);
	b = (struct bench){ .n = 1000 };
	report("condvar signal to wake, across harts", pair(pinger, &b, 0, other), 2 * b.n);
	bench_timer_irq();
	kprintf("kbench: done\n");
}
