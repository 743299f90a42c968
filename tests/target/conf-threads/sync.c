/* Synchronisation: mutexes, condition variables, read-write locks,
 * barriers, spin locks and semaphores. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include "cases.h"
#include "util.h"

#define MS 1000000ull

static pthread_mutex_t mtx = PTHREAD_MUTEX_INITIALIZER;
static long shared_count;

static void *lock_add_2000(void *arg)
{
	pthread_mutex_t *m = arg;

	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(m);
		long v = shared_count;
		if (i % 256 == 0)
			sched_yield();          /* let others find it held */
		shared_count = v + 1;
		pthread_mutex_unlock(m);
	}
	return NULL;
}

static void t_pthread_mutex_lock__excludes_under_contention(void)
{
	pthread_t t[4];

	shared_count = 0;
	for (int i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, lock_add_2000, &mtx) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(shared_count, 8000);
}

static void t_pthread_mutex_lock__errorcheck_relock_is_EDEADLK(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	REQUIRE(pthread_mutex_init(&m, &a) == 0);
	CHECK_EQ(pthread_mutex_lock(&m), 0);
	CHECK_EQ(pthread_mutex_lock(&m), EDEADLK);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	CHECK_EQ(pthread_mutex_unlock(&m), EPERM);
	CHECK_EQ(pthread_mutex_destroy(&m), 0);
}

static pthread_mutex_t probe_m;
static int probe_result;

static void *trylock_probe(void *arg)
{
	(void)arg;
	probe_result = pthread_mutex_trylock(&probe_m);
	if (probe_result == 0)
		pthread_mutex_unlock(&probe_m);
	return NULL;
}

static int trylock_from_other_thread(void)
{
	pthread_t t;

	pthread_create(&t, NULL, trylock_probe, NULL);
	pthread_join(t, NULL);
	return probe_result;
}

static void t_pthread_mutex_lock__recursive_counts_locks(void)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	REQUIRE(pthread_mutex_init(&probe_m, &a) == 0);
	CHECK_EQ(pthread_mutex_lock(&probe_m), 0);
	CHECK_EQ(pthread_mutex_lock(&probe_m), 0);
	CHECK_EQ(pthread_mutex_trylock(&probe_m), 0);
	CHECK_EQ(pthread_mutex_unlock(&probe_m), 0);
	CHECK_EQ(pthread_mutex_unlock(&probe_m), 0);
	CHECK_EQ(trylock_from_other_thread(), EBUSY);
	CHECK_EQ(pthread_mutex_unlock(&probe_m), 0);
	CHECK_EQ(trylock_from_other_thread(), 0);
	CHECK_EQ(pthread_mutex_unlock(&probe_m), EPERM);
}

static void *unlock_probe(void *arg)
{
	probe_result = pthread_mutex_unlock(arg);
	return NULL;
}

static void t_pthread_mutex_unlock__not_owner_is_EPERM(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_t t;

	pthread_mutex_lock(&m);
	REQUIRE(pthread_create(&t, NULL, unlock_probe, &m) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(probe_result, EPERM);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
}

static void t_pthread_mutex_trylock__held_is_EBUSY(void)
{
	probe_m = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	CHECK_EQ(trylock_from_other_thread(), 0);
	pthread_mutex_lock(&probe_m);
	CHECK_EQ(trylock_from_other_thread(), EBUSY);
	CHECK_EQ(pthread_mutex_trylock(&probe_m), EBUSY);  /* error-checking: held by us */
	pthread_mutex_unlock(&probe_m);
}

static sem_t held, release;

static void *hold_mutex(void *arg)
{
	pthread_mutex_lock(arg);
	sem_post(&held);
	sem_wait(&release);
	pthread_mutex_unlock(arg);
	return NULL;
}

static void hold_in_thread(pthread_t *t, pthread_mutex_t *m)
{
	sem_init(&held, 0, 0);
	sem_init(&release, 0, 0);
	pthread_create(t, NULL, hold_mutex, m);
	sem_wait(&held);
}

static void t_pthread_mutex_timedlock__times_out_when_held(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_t t;

	hold_in_thread(&t, &m);
	uint64_t t0 = now_ns();                        /* before the deadline is taken */
	struct timespec dl = deadline_ms(CLOCK_REALTIME, 50);
	CHECK_EQ(pthread_mutex_timedlock(&m, &dl), ETIMEDOUT);
	CHECK(now_ns() - t0 >= 45 * MS);
	sem_post(&release);
	pthread_join(t, NULL);
	CHECK_EQ(pthread_mutex_timedlock(&m, &dl), 0);      /* free: past deadline is fine */
	pthread_mutex_unlock(&m);
}

static void t_pthread_mutex_timedlock__bad_nsec_is_EINVAL_when_held(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_t t;
	struct timespec bad = { 0, 1000000000 };

	hold_in_thread(&t, &m);
	CHECK_EQ(pthread_mutex_timedlock(&m, &bad), EINVAL);
	sem_post(&release);
	pthread_join(t, NULL);
}

static void t_pthread_mutex_timedlock__normal_relock_times_out(void)
{
	pthread_mutexattr_t a;
	pthread_mutex_t m;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_NORMAL);
	pthread_mutex_init(&m, &a);
	pthread_mutex_lock(&m);
	struct timespec dl = deadline_ms(CLOCK_REALTIME, 30);
	CHECK_EQ(pthread_mutex_timedlock(&m, &dl), ETIMEDOUT);  /* it deadlocks, bounded */
	pthread_mutex_unlock(&m);
}

static void *lock_after_wait(void *arg)
{
	pthread_mutex_lock(arg);
	pthread_mutex_unlock(arg);
	return NULL;
}

static void t_pthread_mutex_unlock__hands_over_to_waiter(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_t t;

	pthread_mutex_lock(&m);
	REQUIRE(pthread_create(&t, NULL, lock_after_wait, &m) == 0);
	sleep_ms(20);                   /* it blocks in the kernel */
	CHECK(m.__owner & _NTO_SYNC_WAITING);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
	pthread_join(t, NULL);
	CHECK_EQ(m.__owner, 0);
}

static void t_pthread_mutex_destroy__locked_is_EBUSY(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

	pthread_mutex_lock(&m);
	CHECK_EQ(pthread_mutex_destroy(&m), EBUSY);
	pthread_mutex_unlock(&m);
	CHECK_EQ(pthread_mutex_destroy(&m), 0);
}

static void t_pthread_mutexattr_settype__round_trip_and_bad_type(void)
{
	pthread_mutexattr_t a;
	int type = -1;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_gettype(&a, &type);
	CHECK_EQ(type, PTHREAD_MUTEX_DEFAULT);
	CHECK_EQ(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE), 0);
	pthread_mutexattr_gettype(&a, &type);
	CHECK_EQ(type, PTHREAD_MUTEX_RECURSIVE);
	CHECK_EQ(pthread_mutexattr_settype(&a, 99), EINVAL);
}

static void t_pthread_mutexattr_setprotocol__inherit_yes_protect_no(void)
{
	pthread_mutexattr_t a;
	int p = -1;

	pthread_mutexattr_init(&a);
	CHECK_EQ(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT), 0);
	pthread_mutexattr_getprotocol(&a, &p);
	CHECK_EQ(p, PTHREAD_PRIO_INHERIT);
	CHECK_EQ(pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_PROTECT), ENOTSUP);
	CHECK_EQ(pthread_mutexattr_setprotocol(&a, 42), EINVAL);
}

/* ---- condition variables ------------------------------------------------- */

static pthread_mutex_t cm = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int ready, woken;

static void *wait_ready(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cm);
	while (!ready)
		pthread_cond_wait(&cv, &cm);
	woken++;
	pthread_mutex_unlock(&cm);
	return NULL;
}

static void t_pthread_cond_signal__wakes_a_waiter(void)
{
	pthread_t t;

	ready = woken = 0;
	REQUIRE(pthread_create(&t, NULL, wait_ready, NULL) == 0);
	sleep_ms(10);
	pthread_mutex_lock(&cm);
	ready = 1;
	CHECK_EQ(pthread_cond_signal(&cv), 0);
	pthread_mutex_unlock(&cm);
	pthread_join(t, NULL);
	CHECK_EQ(woken, 1);
}

static void t_pthread_cond_broadcast__wakes_every_waiter(void)
{
	pthread_t t[4];

	ready = woken = 0;
	for (int i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, wait_ready, NULL) == 0);
	sleep_ms(20);
	pthread_mutex_lock(&cm);
	ready = 1;
	CHECK_EQ(pthread_cond_broadcast(&cv), 0);
	pthread_mutex_unlock(&cm);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(woken, 4);
}

static void t_pthread_cond_wait__unowned_mutex_is_EPERM(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;

	CHECK_EQ(pthread_cond_wait(&c, &m), EPERM);
}

static void t_pthread_cond_timedwait__realtime_times_out_holding_mutex(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;

	pthread_mutex_lock(&m);
	uint64_t t0 = now_ns();                        /* before the deadline is taken */
	struct timespec dl = deadline_ms(CLOCK_REALTIME, 40);
	CHECK_EQ(pthread_cond_timedwait(&c, &m, &dl), ETIMEDOUT);
	CHECK(now_ns() - t0 >= 35 * MS);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);          /* it was held again */
}

static void t_pthread_cond_timedwait__monotonic_clock_attr(void)
{
	pthread_condattr_t a;
	pthread_cond_t c;
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	clockid_t clk = -1;

	pthread_condattr_init(&a);
	REQUIRE(pthread_condattr_setclock(&a, CLOCK_MONOTONIC) == 0);
	pthread_condattr_getclock(&a, &clk);
	CHECK_EQ(clk, CLOCK_MONOTONIC);
	REQUIRE(pthread_cond_init(&c, &a) == 0);
	pthread_mutex_lock(&m);
	uint64_t t0 = now_ns();                        /* before the deadline is taken */
	struct timespec dl = deadline_ms(CLOCK_MONOTONIC, 40);
	CHECK_EQ(pthread_cond_timedwait(&c, &m, &dl), ETIMEDOUT);
	uint64_t took = now_ns() - t0;
	CHECK(took >= 35 * MS);
	CHECK(took < 2000 * MS);
	pthread_mutex_unlock(&m);
	CHECK_EQ(pthread_cond_destroy(&c), 0);
}

static void t_pthread_cond_timedwait__past_deadline_and_bad_nsec(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	struct timespec past = { 0, 0 }, bad = { 0, -1 };

	pthread_mutex_lock(&m);
	CHECK_EQ(pthread_cond_timedwait(&c, &m, &past), ETIMEDOUT);
	CHECK_EQ(pthread_cond_timedwait(&c, &m, &bad), EINVAL);
	CHECK_EQ(pthread_mutex_unlock(&m), 0);
}

static void t_pthread_condattr_setclock__cputime_clock_is_EINVAL(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	CHECK_EQ(pthread_condattr_setclock(&a, CLOCK_THREAD_CPUTIME_ID), EINVAL);
}

static pthread_mutex_t rm;
static int rec_woken;

static void *signal_recursive(void *arg)
{
	pthread_mutex_lock(&rm);
	rec_woken = 1;
	pthread_cond_signal(arg);
	pthread_mutex_unlock(&rm);
	return NULL;
}

static void t_pthread_cond_wait__recursive_mutex_depth_survives(void)
{
	pthread_mutexattr_t a;
	pthread_cond_t c = PTHREAD_COND_INITIALIZER;
	pthread_t t;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&rm, &a);
	rec_woken = 0;
	pthread_mutex_lock(&rm);
	pthread_mutex_lock(&rm);
	REQUIRE(pthread_create(&t, NULL, signal_recursive, &c) == 0);
	while (!rec_woken)
		pthread_cond_wait(&c, &rm);
	CHECK_EQ(pthread_mutex_unlock(&rm), 0);
	CHECK_EQ(pthread_mutex_unlock(&rm), 0);
	CHECK_EQ(pthread_mutex_unlock(&rm), EPERM);
	pthread_join(t, NULL);
}

/* ---- read-write locks ---------------------------------------------------- */

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;

static void *try_rd(void *arg)
{
	*(int *)arg = pthread_rwlock_tryrdlock(&rw);
	if (*(int *)arg == 0)
		pthread_rwlock_unlock(&rw);
	return NULL;
}

static void *try_wr(void *arg)
{
	*(int *)arg = pthread_rwlock_trywrlock(&rw);
	if (*(int *)arg == 0)
		pthread_rwlock_unlock(&rw);
	return NULL;
}

static int in_thread(void *(*fn)(void *))
{
	pthread_t t;
	int r = -1;

	pthread_create(&t, NULL, fn, &r);
	pthread_join(t, NULL);
	return r;
}

static void t_pthread_rwlock_rdlock__readers_share(void)
{
	CHECK_EQ(pthread_rwlock_rdlock(&rw), 0);
	CHECK_EQ(in_thread(try_rd), 0);
	CHECK_EQ(in_thread(try_wr), EBUSY);
	CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
	CHECK_EQ(in_thread(try_wr), 0);
}

static void t_pthread_rwlock_wrlock__excludes_readers_and_writers(void)
{
	CHECK_EQ(pthread_rwlock_wrlock(&rw), 0);
	CHECK_EQ(in_thread(try_rd), EBUSY);
	CHECK_EQ(in_thread(try_wr), EBUSY);
	CHECK_EQ(pthread_rwlock_wrlock(&rw), EDEADLK);
	CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
	CHECK_EQ(in_thread(try_rd), 0);
}

static void t_pthread_rwlock_unlock__unheld_is_EPERM(void)
{
	CHECK_EQ(pthread_rwlock_unlock(&rw), EPERM);
}

static void *hold_write(void *arg)
{
	(void)arg;
	pthread_rwlock_wrlock(&rw);
	sem_post(&held);
	sem_wait(&release);
	pthread_rwlock_unlock(&rw);
	return NULL;
}

static void t_pthread_rwlock_timedwrlock__times_out(void)
{
	pthread_t t;

	sem_init(&held, 0, 0);
	sem_init(&release, 0, 0);
	REQUIRE(pthread_create(&t, NULL, hold_write, NULL) == 0);
	sem_wait(&held);
	struct timespec dl = deadline_ms(CLOCK_REALTIME, 30);
	CHECK_EQ(pthread_rwlock_timedwrlock(&rw, &dl), ETIMEDOUT);
	dl = deadline_ms(CLOCK_REALTIME, 30);
	CHECK_EQ(pthread_rwlock_timedrdlock(&rw, &dl), ETIMEDOUT);
	sem_post(&release);
	pthread_join(t, NULL);
}

static long rw_value, rw_bad;

static void *rw_worker(void *arg)
{
	for (int i = 0; i < 300; i++) {
		if ((i + (int)(uintptr_t)arg) % 4 == 0) {
			pthread_rwlock_wrlock(&rw);
			long v = rw_value;
			sched_yield();
			rw_value = v + 1;
			pthread_rwlock_unlock(&rw);
		} else {
			pthread_rwlock_rdlock(&rw);
			long v = rw_value;
			sched_yield();
			if (rw_value != v)
				__atomic_fetch_add(&rw_bad, 1, __ATOMIC_RELAXED);
			pthread_rwlock_unlock(&rw);
		}
	}
	return NULL;
}

static void t_pthread_rwlock_wrlock__readers_see_no_writes_under_contention(void)
{
	pthread_t t[4];

	rw_value = rw_bad = 0;
	for (int i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, rw_worker, (void *)(uintptr_t)i) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(rw_bad, 0);
	CHECK_EQ(rw_value, 300);
	CHECK_EQ(pthread_rwlock_destroy(&rw), 0);
	rw = (pthread_rwlock_t)PTHREAD_RWLOCK_INITIALIZER;
}

/* ---- barriers and spin locks --------------------------------------------- */

static pthread_barrier_t bar;
static int serials, passes;

static void *barrier_worker(void *arg)
{
	(void)arg;
	for (int cycle = 0; cycle < 3; cycle++) {
		int r = pthread_barrier_wait(&bar);
		if (r == PTHREAD_BARRIER_SERIAL_THREAD)
			__atomic_fetch_add(&serials, 1, __ATOMIC_RELAXED);
		else if (r == 0)
			__atomic_fetch_add(&passes, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void t_pthread_barrier_wait__one_serial_thread_per_cycle(void)
{
	pthread_t t[4];

	serials = passes = 0;
	REQUIRE(pthread_barrier_init(&bar, NULL, 4) == 0);
	for (int i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, barrier_worker, NULL) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(serials, 3);
	CHECK_EQ(passes, 9);
	CHECK_EQ(pthread_barrier_destroy(&bar), 0);
}

static void t_pthread_barrier_init__zero_count_is_EINVAL(void)
{
	pthread_barrier_t b;

	CHECK_EQ(pthread_barrier_init(&b, NULL, 0), EINVAL);
}

static pthread_spinlock_t spin;
static long spin_count;

static void *spin_worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < 2000; i++) {
		pthread_spin_lock(&spin);
		spin_count++;
		pthread_spin_unlock(&spin);
	}
	return NULL;
}

static void t_pthread_spin_lock__excludes_under_contention(void)
{
	pthread_t t[4];

	spin_count = 0;
	REQUIRE(pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE) == 0);
	for (int i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, spin_worker, NULL) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(spin_count, 8000);
	CHECK_EQ(pthread_spin_destroy(&spin), 0);
}

static void *spin_try(void *arg)
{
	*(int *)arg = pthread_spin_trylock(&spin);
	return NULL;
}

static void t_pthread_spin_trylock__held_is_EBUSY(void)
{
	pthread_spin_init(&spin, 0);
	pthread_spin_lock(&spin);
	CHECK_EQ(in_thread(spin_try), EBUSY);
	CHECK_EQ(pthread_spin_lock(&spin), EDEADLK);
	pthread_spin_unlock(&spin);
	CHECK_EQ(in_thread(spin_try), 0);
}

/* ---- semaphores ---------------------------------------------------------- */

static void t_sem_init__value_above_max_is_EINVAL(void)
{
	sem_t s;

	CHECK_ERR(sem_init(&s, 0, (unsigned)SEM_VALUE_MAX + 1), EINVAL);
	CHECK_EQ(sem_init(&s, 0, SEM_VALUE_MAX), 0);
	CHECK_ERR(sem_post(&s), EOVERFLOW);
}

static void t_sem_post__increments_value(void)
{
	sem_t s;
	int v = -1;

	REQUIRE(sem_init(&s, 0, 2) == 0);
	sem_getvalue(&s, &v);
	CHECK_EQ(v, 2);
	CHECK_EQ(sem_post(&s), 0);
	sem_getvalue(&s, &v);
	CHECK_EQ(v, 3);
	CHECK_EQ(sem_wait(&s), 0);
	CHECK_EQ(sem_trywait(&s), 0);
	sem_getvalue(&s, &v);
	CHECK_EQ(v, 1);
	CHECK_EQ(sem_destroy(&s), 0);
}

static void t_sem_trywait__empty_is_EAGAIN(void)
{
	sem_t s;

	sem_init(&s, 0, 0);
	CHECK_ERR(sem_trywait(&s), EAGAIN);
}

static sem_t ws;
static int ws_done;

static void *sem_waiter(void *arg)
{
	(void)arg;
	if (sem_wait(&ws) == 0)
		__atomic_fetch_add(&ws_done, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void t_sem_wait__each_post_wakes_one_waiter(void)
{
	pthread_t t[4];

	ws_done = 0;
	sem_init(&ws, 0, 0);
	for (int i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, sem_waiter, NULL) == 0);
	sleep_ms(20);
	CHECK_EQ(ws_done, 0);
	for (int i = 0; i < 4; i++)
		sem_post(&ws);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(ws_done, 4);
	int v = -1;
	sem_getvalue(&ws, &v);
	CHECK_EQ(v, 0);
}

static void t_sem_timedwait__times_out_when_empty(void)
{
	sem_t s;

	sem_init(&s, 0, 0);
	uint64_t t0 = now_ns();                        /* before the deadline is taken */
	struct timespec dl = deadline_ms(CLOCK_REALTIME, 40);
	CHECK_ERR(sem_timedwait(&s, &dl), ETIMEDOUT);
	CHECK(now_ns() - t0 >= 35 * MS);
}

static void t_sem_timedwait__bad_time_matters_only_when_empty(void)
{
	sem_t s;
	struct timespec bad = { 0, 1000000000 };

	sem_init(&s, 0, 1);
	CHECK_EQ(sem_timedwait(&s, &bad), 0);
	CHECK_ERR(sem_timedwait(&s, &bad), EINVAL);
}

static void t_sem_wait__uninitialised_is_EINVAL(void)
{
	sem_t s = { 0, 0 };

	CHECK_ERR(sem_wait(&s), EINVAL);
	CHECK_ERR(sem_post(&s), EINVAL);
}

/* A semaphore and a mutex that follow an int in a struct: the types keep
 * them where the kernel takes them (8-aligned; before, a sem_t at offset 4
 * failed every blocking wait with EINVAL). */
static struct {
	int32_t pad;
	sem_t s;
	int32_t pad2;
	pthread_mutex_t m;
} packed_after_int;

static void *post_later(void *arg)
{
	sleep_ms(20);
	sem_post(arg);
	return NULL;
}

static void t_sem_wait__a_semaphore_after_an_int_in_a_struct_blocks_and_wakes(void)
{
	pthread_t t;

	CHECK_EQ((uintptr_t)&packed_after_int.s % 8, 0);
	CHECK_EQ((uintptr_t)&packed_after_int.m % 8, 0);
	REQUIRE(sem_init(&packed_after_int.s, 0, 0) == 0);
	REQUIRE(pthread_create(&t, NULL, post_later, &packed_after_int.s) == 0);
	CHECK_EQ(sem_wait(&packed_after_int.s), 0);
	pthread_join(t, NULL);
	sem_destroy(&packed_after_int.s);
}

const struct conf_case conf_sync_cases[] = {
	CONF_CASE(pthread_mutex_lock, excludes_under_contention),
	CONF_CASE(pthread_mutex_lock, errorcheck_relock_is_EDEADLK),
	CONF_CASE(pthread_mutex_lock, recursive_counts_locks),
	CONF_CASE(pthread_mutex_unlock, not_owner_is_EPERM),
	CONF_CASE(pthread_mutex_trylock, held_is_EBUSY),
	CONF_CASE(pthread_mutex_timedlock, times_out_when_held),
	CONF_CASE(pthread_mutex_timedlock, bad_nsec_is_EINVAL_when_held),
	CONF_CASE(pthread_mutex_timedlock, normal_relock_times_out),
	CONF_CASE(pthread_mutex_unlock, hands_over_to_waiter),
	CONF_CASE(pthread_mutex_destroy, locked_is_EBUSY),
	CONF_CASE(pthread_mutexattr_settype, round_trip_and_bad_type),
	CONF_CASE(pthread_mutexattr_setprotocol, inherit_yes_protect_no),
	CONF_CASE(pthread_cond_signal, wakes_a_waiter),
	CONF_CASE(pthread_cond_broadcast, wakes_every_waiter),
	CONF_CASE(pthread_cond_wait, unowned_mutex_is_EPERM),
	CONF_CASE(pthread_cond_timedwait, realtime_times_out_holding_mutex),
	CONF_CASE(pthread_cond_timedwait, monotonic_clock_attr),
	CONF_CASE(pthread_cond_timedwait, past_deadline_and_bad_nsec),
	CONF_CASE(pthread_condattr_setclock, cputime_clock_is_EINVAL),
	CONF_CASE(pthread_cond_wait, recursive_mutex_depth_survives),
	CONF_CASE(pthread_rwlock_rdlock, readers_share),
	CONF_CASE(pthread_rwlock_wrlock, excludes_readers_and_writers),
	CONF_CASE(pthread_rwlock_unlock, unheld_is_EPERM),
	CONF_CASE(pthread_rwlock_timedwrlock, times_out),
	CONF_CASE(pthread_rwlock_wrlock, readers_see_no_writes_under_contention),
	CONF_CASE(pthread_barrier_wait, one_serial_thread_per_cycle),
	CONF_CASE(pthread_barrier_init, zero_count_is_EINVAL),
	CONF_CASE(pthread_spin_lock, excludes_under_contention),
	CONF_CASE(pthread_spin_trylock, held_is_EBUSY),
	CONF_CASE(sem_init, value_above_max_is_EINVAL),
	CONF_CASE(sem_post, increments_value),
	CONF_CASE(sem_trywait, empty_is_EAGAIN),
	CONF_CASE(sem_wait, each_post_wakes_one_waiter),
	CONF_CASE(sem_timedwait, times_out_when_empty),
	CONF_CASE(sem_timedwait, bad_time_matters_only_when_empty),
	CONF_CASE(sem_wait, uninitialised_is_EINVAL),
	CONF_CASE(sem_wait, a_semaphore_after_an_int_in_a_struct_blocks_and_wakes),
};
const size_t conf_sync_ncases = sizeof conf_sync_cases / sizeof conf_sync_cases[0];
