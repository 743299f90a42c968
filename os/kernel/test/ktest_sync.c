/* Self-tests of mutexes, condition variables, semaphores and the
 * lock-order checker, and an SMP stress over all of them. */
#include <keel/errno.h>
#include "hart.h"
#include "kstring.h"
#include "ktest.h"
#include "ktest_util.h"
#include "spinlock.h"
#include "sync.h"
#include "waitq.h"

#define KAS ((const void *)0)   /* kernel tests use the null address space */
#define A(x) ((uintptr_t)&(x))

struct unlock_try {
	uintptr_t m;
	volatile int rc;
};

static void try_unlock(void *arg)
{
	struct unlock_try *u = arg;

	u->rc = sync_mutex_unlock(KAS, u->m);
}

KTEST(mutex_ownership)
{
	static uint32_t m;
	static struct unlock_try u;

	KT_EQ(sync_mutex_lock(KAS, A(m), WAIT_FOREVER), 0);
	KT_EQ(sync_mutex_lock(KAS, A(m), WAIT_FOREVER), -EDEADLK);
	u = (struct unlock_try){ .m = A(m), .rc = 1 };
	struct thread *t = kthread_create("unlocker", try_unlock, &u, 20, SCHED_RR, 0);
	KT_ASSERT(t);
	KT_EQ(thread_join(t->tid, 0), 0);
	KT_EQ(u.rc, -EPERM);                    /* not the owner */
	KT_EQ(sync_mutex_unlock(KAS, A(m)), 0);
	KT_EQ(sync_mutex_unlock(KAS, A(m)), -EPERM);
	return 0;
}

struct lock_try {
	uintptr_t m;
	uint64_t deadline;
	volatile int rc;
	volatile uint64_t at;
};

static void timed_lock(void *arg)
{
	struct lock_try *l = arg;

	l->rc = sync_mutex_lock(KAS, l->m, l->deadline);
	l->at = arch_time();
	if (l->rc == 0)
		sync_mutex_unlock(KAS, l->m);
}

/* Returns the lateness of a timed-out lock attempt, or -1 on a failure. */
static int64_t lock_timeout_late(struct lock_try *l, uintptr_t m)
{
	struct thread *self = thread_current();

	*l = (struct lock_try){ .m = m, .deadline = arch_time() + kt_ticks(3), .rc = 1 };
	struct thread *t = kthread_create("timed", timed_lock, l, self->prio + 5, SCHED_RR, 0);
	if (!t)
		return -1;
	uint32_t tid = t->tid;
	if (!kt_wait_blocked(t, 1000) || !kt_wait_prio(self, self->base_prio + 5u, 1000))
		return -1;                      /* the waiter must lend us its priority */
	if (thread_join(tid, 0) || l->rc != -ETIMEDOUT || l->at < l->deadline)
		return -1;
	if (!kt_wait_prio(self, self->base_prio, 1000))
		return -1;                      /* and take it back */
	return (int64_t)(l->at - l->deadline);
}

KTEST(mutex_lock_times_out)
{
	static uint32_t m;
	static struct lock_try l;
	int64_t late = -1;

	KT_EQ(sync_mutex_lock(KAS, A(m), WAIT_FOREVER), 0);
	int i;
	for (i = 0; i < KT_ATTEMPTS; i++) {
		late = lock_timeout_late(&l, A(m));
		KT_ASSERT(late >= 0);
		if (late <= (int64_t)kt_ticks(1))
			break;
		kt_retry_miss(i, "lock timeout lateness", (uint64_t)late, kt_ticks(1));
	}
	kt_retry_done(i < KT_ATTEMPTS ? i + 1 : i);
	KT_EQ(sync_mutex_unlock(KAS, A(m)), 0);
	KT_ASSERT(late <= (int64_t)kt_ticks(1));
	return 0;
}

/* L holds m1; M holds m2 and waits for m1; H waits for m2.  L must run at
 * H's priority, through M. */
static uint32_t pi_m1, pi_m2;
static volatile uint32_t pi_stage, pi_release;

static void pi_low(void *arg)
{
	sync_mutex_lock(KAS, A(pi_m1), WAIT_FOREVER);
	atomic_store32(&pi_stage, 1);
	while (!atomic_load32(&pi_release))
		thread_sleep_ns(1000 * 1000);
	sync_mutex_unlock(KAS, A(pi_m1));
}

static void pi_mid(void *arg)
{
	sync_mutex_lock(KAS, A(pi_m2), WAIT_FOREVER);
	atomic_store32(&pi_stage, 2);
	sync_mutex_lock(KAS, A(pi_m1), WAIT_FOREVER);
	sync_mutex_unlock(KAS, A(pi_m1));
	sync_mutex_unlock(KAS, A(pi_m2));
}

static void pi_high(void *arg)
{
	sync_mutex_lock(KAS, A(pi_m2), WAIT_FOREVER);
	sync_mutex_unlock(KAS, A(pi_m2));
}

KTEST(mutex_priority_inheritance_chain_of_three)
{
	pi_stage = pi_release = 0;
	struct thread *l = kthread_create("pi-low", pi_low, 0, 11, SCHED_FIFO, 0);
	KT_ASSERT(l && kt_wait_ge(&pi_stage, 1, 1000));
	struct thread *m = kthread_create("pi-mid", pi_mid, 0, 21, SCHED_FIFO, 0);
	KT_ASSERT(m && kt_wait_ge(&pi_stage, 2, 1000) && kt_wait_blocked(m, 1000));
	KT_ASSERT(kt_wait_prio(l, 21, 1000));
	struct thread *h = kthread_create("pi-high", pi_high, 0, 31, SCHED_FIFO, 0);
	KT_ASSERT(h && kt_wait_blocked(h, 1000));
	uint32_t lt = l->tid, mt = m->tid, ht = h->tid;
	KT_ASSERT(kt_wait_prio(m, 31, 1000));
	KT_ASSERT(kt_wait_prio(l, 31, 1000));   /* transitive, through pi-mid */
	KT_EQ(l->base_prio, 11);
	atomic_store32(&pi_release, 1);
	KT_EQ(thread_join(ht, 0), 0);
	KT_EQ(thread_join(mt, 0), 0);
	KT_EQ(thread_join(lt, 0), 0);
	return 0;
}

struct cv_arg {
	uint32_t m, cv;
	volatile uint32_t waiting, woken, go;
};

static void cv_waiter(void *arg)
{
	struct cv_arg *c = arg;

	sync_mutex_lock(KAS, A(c->m), WAIT_FOREVER);
	atomic_add32(&c->waiting, 1);
	while (!atomic_load32(&c->go))
		sync_condvar_wait(KAS, A(c->cv), A(c->m), WAIT_FOREVER);
	atomic_add32(&c->go, (uint32_t)-1);     /* consume one wake-up token */
	atomic_add32(&c->woken, 1);
	sync_mutex_unlock(KAS, A(c->m));
}

static void cv_settle(void)
{
	thread_sleep_ns(3 * 1000000000ull / HZ);
}

KTEST(condvar_signal_one_broadcast_all)
{
	static struct cv_arg c;
	uint32_t tid[3];

	c = (struct cv_arg){ 0 };
	for (int i = 0; i < 3; i++) {
		struct thread *t = kthread_create("cv", cv_waiter, &c, 20, SCHED_RR, 0);
		KT_ASSERT(t);
		tid[i] = t->tid;
	}
	KT_ASSERT(kt_wait_ge(&c.waiting, 3, 1000));
	cv_settle();                            /* all three inside condvar_wait */
	sync_mutex_lock(KAS, A(c.m), WAIT_FOREVER);
	atomic_store32(&c.go, 1);
	sync_condvar_signal(KAS, A(c.cv), false);
	sync_mutex_unlock(KAS, A(c.m));
	KT_ASSERT(kt_wait_ge(&c.woken, 1, 1000));
	cv_settle();
	KT_EQ(c.woken, 1);                      /* signal woke exactly one */
	sync_mutex_lock(KAS, A(c.m), WAIT_FOREVER);
	atomic_store32(&c.go, 2);
	sync_condvar_signal(KAS, A(c.cv), true);
	sync_mutex_unlock(KAS, A(c.m));
	for (int i = 0; i < 3; i++)
		KT_EQ(thread_join(tid[i], 0), 0);
	KT_EQ(c.woken, 3);
	return 0;
}

/* Ping-pong across harts: every round needs the other side's signal; a lost
 * wake-up stalls the round and the bounded wait fails the test. */
struct pingpong {
	uint32_t m, cv;
	volatile uint32_t turn;         /* guarded by m */
	volatile uint32_t rounds_done;
	volatile int err;
	uint32_t rounds;
};

static void pp_side(struct pingpong *p, uint32_t me)
{
	for (uint32_t i = 0; i < p->rounds; i++) {
		sync_mutex_lock(KAS, A(p->m), WAIT_FOREVER);
		while (p->turn != me) {
			int r = sync_condvar_wait(KAS, A(p->cv), A(p->m), arch_time() + kt_ticks(100));
			if (r) {
				p->err = r;
				sync_mutex_unlock(KAS, A(p->m));
				return;
			}
		}
		p->turn = !me;
		sync_condvar_signal(KAS, A(p->cv), false);
		sync_mutex_unlock(KAS, A(p->m));
	}
	atomic_add32(&p->rounds_done, 1);
}

static void pp_other(void *arg)
{
	pp_side(arg, 1);
}

KTEST(condvar_no_lost_wakeup_across_harts)
{
	static struct pingpong p;

	p = (struct pingpong){ .rounds = 500 };
	struct thread *t = kthread_create("pong", pp_other, &p, 20, SCHED_RR,
					  nharts > 1 ? kt_all_harts() & ~(1ul << sched_this_hart()) : 0);
	KT_ASSERT(t);
	uint32_t tid = t->tid;
	pp_side(&p, 0);
	KT_EQ(thread_join(tid, 0), 0);
	KT_EQ(p.err, 0);
	KT_EQ(p.rounds_done, 2);
	return 0;
}

KTEST(semaphore_counts_exactly)
{
	static uint32_t s;

	KT_EQ(sync_sem_init(KAS, A(s), 0), 0);
	for (int i = 0; i < 5; i++)
		KT_EQ(sync_sem_post(KAS, A(s)), 0);
	KT_EQ(sync_sem_value(KAS, A(s)), 5);
	for (int i = 0; i < 5; i++)
		KT_EQ(sync_sem_wait(KAS, A(s), WAIT_FOREVER), 0);
	uint64_t d = arch_time() + kt_ticks(2);
	KT_EQ(sync_sem_wait(KAS, A(s), d), -ETIMEDOUT);
	KT_ASSERT(arch_time() >= d);
	KT_EQ(sync_sem_value(KAS, A(s)), 0);
	KT_EQ(sync_destroy(KAS, A(s)), 0);
	KT_EQ(sync_sem_post(KAS, A(s)), -EINVAL);       /* destroyed */
	return 0;
}

/* Two processes with the same sync address are two objects. */
KTEST(sync_keys_include_the_address_space)
{
	static uint32_t word;
	const void *as1 = (const void *)0x1000, *as2 = (const void *)0x2000;

	KT_EQ(sync_sem_init(as1, A(word), 1), 0);
	KT_EQ(sync_sem_init(as2, A(word), 7), 0);
	KT_EQ(sync_sem_value(as1, A(word)), 1);
	KT_EQ(sync_sem_value(as2, A(word)), 7);
	KT_EQ(sync_destroy(as1, A(word)), 0);
	KT_EQ(sync_destroy(as2, A(word)), 0);
	return 0;
}

KTEST(lockcheck_reports_inversion_by_name)
{
	static struct spinlock outer = SPINLOCK_INIT("test-outer", LR_RUNQ);
	static struct spinlock inner = SPINLOCK_INIT("test-inner", LR_SYNC);

#ifndef KEEL_LOCKCHECK
	KT_SKIP("lock-order checker not built in");
#endif
	lockcheck_expect(true);
	spin_lock(&outer);
	spin_lock(&inner);                      /* rank 20 under rank 50: wrong order */
	spin_unlock(&inner);
	spin_unlock(&outer);
	lockcheck_expect(false);
	const char *v = lockcheck_last_violation();
	KT_ASSERT(strstr(v, "test-inner") && strstr(v, "test-outer"));
	return 0;
}

/* ---- SMP stress ------------------------------------------------------------------ */

#define STRESS_PER_HART 2
#define STRESS_ROUNDS   300

struct stress {
	uint32_t m, cv, sem_items, sem_space;
	volatile uint64_t counter;      /* guarded by m */
	volatile uint32_t produced, consumed;
	volatile uint32_t finished;
	volatile int err;
};

struct stress_role {
	struct stress *s;
	bool producer;
};

static void stress_worker(void *arg)
{
	struct stress_role *role = arg;
	struct stress *s = role->s;
	bool producer = role->producer;
	uint64_t dl;

	for (int i = 0; i < STRESS_ROUNDS && !s->err; i++) {
		dl = arch_time() + kt_ticks(500);
		if (sync_mutex_lock(KAS, A(s->m), dl)) {
			s->err = 1;
			break;
		}
		s->counter++;
		sync_condvar_signal(KAS, A(s->cv), (i & 7) == 0);
		sync_mutex_unlock(KAS, A(s->m));
		/* Half the workers produce, half consume, through a bounded buffer. */
		uint32_t *take = producer ? &s->sem_space : &s->sem_items;
		uint32_t *give = producer ? &s->sem_items : &s->sem_space;
		if (sync_sem_wait(KAS, A(*take), arch_time() + kt_ticks(500))) {
			s->err = 2;
			break;
		}
		atomic_add32(producer ? &s->produced : &s->consumed, 1);
		sync_sem_post(KAS, A(*give));
		if ((i & 15) == 0)
			sched_yield();
	}
	atomic_add32(&s->finished, 1);
}

/* Workers on every hart hammer one mutex, a condvar and two semaphores. */
KTEST(smp_sync_stress_exact_totals)
{
	static struct stress s;
	static struct stress_role role[MAX_HARTS * STRESS_PER_HART + 1];
	uint32_t tid[MAX_HARTS * STRESS_PER_HART + 1];
	uint32_t n = 0, objs = sync_objects_in_use();

	s = (struct stress){ 0 };
	uint32_t workers = nharts * STRESS_PER_HART;
	workers += workers & 1;                         /* producers == consumers */
	KT_EQ(sync_sem_init(KAS, A(s.sem_items), 0), 0);
	KT_EQ(sync_sem_init(KAS, A(s.sem_space), 4), 0);
	for (uint32_t i = 0; i < workers; i++) {
		role[i] = (struct stress_role){ &s, i & 1 };
		struct thread *t = kthread_create("stress", stress_worker, &role[i], 20 + (i % 3),
						  SCHED_RR, 1ul << (i % nharts));
		KT_ASSERT(t);
		tid[n++] = t->tid;
	}
	KT_ASSERT(kt_wait_ge(&s.finished, workers, 60000));
	for (uint32_t i = 0; i < n; i++)
		KT_EQ(thread_join(tid[i], 0), 0);
	KT_EQ(s.err, 0);
	KT_EQ(s.counter, (uint64_t)workers * STRESS_ROUNDS);
	KT_EQ(s.produced, s.consumed);
	KT_EQ(s.produced + s.consumed, workers * STRESS_ROUNDS);
	KT_EQ(sync_sem_value(KAS, A(s.sem_items)) + sync_sem_value(KAS, A(s.sem_space)), 4);
	KT_EQ(sync_destroy(KAS, A(s.sem_items)), 0);
	KT_EQ(sync_destroy(KAS, A(s.sem_space)), 0);
	KT_EQ(sync_objects_in_use(), objs);             /* nothing left owned or waited on */
	return 0;
}
