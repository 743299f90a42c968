/* Thread life: create, join, detach, exit, self, once, keys, attributes,
 * cleanup handlers and cancellation. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/sysinfo.h>
#include "cases.h"
#include "util.h"

static void *ret_arg_plus_one(void *arg)
{
	return (void *)((uintptr_t)arg + 1);
}

static void t_pthread_create__runs_start_with_arg(void)
{
	pthread_t t;
	void *v = NULL;

	REQUIRE(pthread_create(&t, NULL, ret_arg_plus_one, (void *)41) == 0);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK_EQ((uintptr_t)v, 42);
}

/* The new thread's mask as it starts: whether SIGUSR1 and SIGUSR2 are in it. */
static void *mask_bits(void *arg)
{
	sigset_t m;

	(void)arg;
	if (pthread_sigmask(SIG_BLOCK, NULL, &m))
		return (void *)-1;
	return (void *)(uintptr_t)(sigismember(&m, SIGUSR1) | sigismember(&m, SIGUSR2) << 1);
}

/* POSIX: "The signal mask shall be inherited from the creating thread." */
static void t_pthread_create__new_thread_inherits_signal_mask(void)
{
	sigset_t usr1, old;
	pthread_t t;
	void *v = NULL;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	REQUIRE(pthread_sigmask(SIG_BLOCK, &usr1, &old) == 0);
	int r = pthread_create(&t, NULL, mask_bits, NULL);
	if (r == 0)
		CHECK_EQ(pthread_join(t, &v), 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	REQUIRE(r == 0);
	CHECK_EQ((uintptr_t)v, 1);      /* SIGUSR1 blocked, SIGUSR2 not */
}

static void *exit_with_7(void *arg)
{
	(void)arg;
	pthread_exit((void *)7);
}

static void t_pthread_exit__value_reaches_joiner(void)
{
	pthread_t t;
	void *v = NULL;

	REQUIRE(pthread_create(&t, NULL, exit_with_7, NULL) == 0);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK_EQ((uintptr_t)v, 7);
}

static int counter;

static void *add_1000(void *arg)
{
	(void)arg;
	for (int i = 0; i < 1000; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void t_pthread_create__sixteen_threads_run_concurrently(void)
{
	pthread_t t[16];

	counter = 0;
	for (int i = 0; i < 16; i++)
		REQUIRE(pthread_create(&t[i], NULL, add_1000, NULL) == 0);
	for (int i = 0; i < 16; i++)
		CHECK_EQ(pthread_join(t[i], NULL), 0);
	CHECK_EQ(counter, 16000);
}

static void t_pthread_create__500_create_join_cycles_reuse_memory(void)
{
	for (int i = 0; i < 500; i++) {
		pthread_t t;
		void *v;
		REQUIRE(pthread_create(&t, NULL, ret_arg_plus_one, (void *)(uintptr_t)i) == 0);
		REQUIRE(pthread_join(t, &v) == 0);
		REQUIRE((uintptr_t)v == (uintptr_t)i + 1);
	}
}

static sem_t done_sem;

static void *post_done(void *arg)
{
	(void)arg;
	sem_post(&done_sem);
	return NULL;
}

/* This process's threads as the kernel counts them (SysInfo's walk). */
static unsigned own_threads(void)
{
	struct _thread_stats t;
	unsigned n = 0;
	pid_t me = getpid();

	for (unsigned i = 0; SysInfo_r(_SYSINFO_THREAD, i, &t, sizeof t) == (long)sizeof t;
	     i = t.slot + 1)
		n += t.pid == me;
	return n;
}

/* 400 detached threads with 64 KiB stacks need 25 MiB over time: reclaimed
 * as they end, the heap (the break, sbrk(0)) grows by far less; and the
 * kernel's threads go too, soon after the last has posted (it still runs
 * its way out then, and the kernel frees a detached thread once it is off
 * its hart): within 10 s, or they are not reclaimed.  The cases after this
 * one (fork) need a process with one thread. */
static void t_pthread_create__detached_threads_are_reclaimed(void)
{
	pthread_attr_t a;

	REQUIRE(sem_init(&done_sem, 0, 0) == 0);
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	char *brk0 = sbrk(0);
	for (int i = 0; i < 400; i++) {
		pthread_t t;
		int r = pthread_create(&t, &a, post_done, NULL);
		if (r) {
			CONF_FAIL("create %d: %s", i, strerror(r));
			break;
		}
		REQUIRE(sem_wait(&done_sem) == 0);
	}
	sem_destroy(&done_sem);
	long grew = (long)((char *)sbrk(0) - brk0);
	if (grew > (4l << 20))
		CONF_FAIL("the heap grew by %ld bytes for 400 short-lived threads", grew);
	unsigned n = own_threads();
	for (int ms = 0; n > 1 && ms < 10000; ms++, n = own_threads())
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	if (n != 1)
		CONF_FAIL("%u threads 10 s after the last detached one posted (the kernel's count)",
			  n);
}

static void *stack_probe(void *arg)
{
	int local;

	*(uintptr_t *)arg = (uintptr_t)&local;
	return NULL;
}

static char user_stack[64 << 10] __attribute__((aligned(16)));

static void t_pthread_attr_setstack__thread_runs_on_given_stack(void)
{
	pthread_attr_t a;
	pthread_t t;
	uintptr_t where = 0;

	pthread_attr_init(&a);
	REQUIRE(pthread_attr_setstack(&a, user_stack, sizeof user_stack) == 0);
	REQUIRE(pthread_create(&t, &a, stack_probe, &where) == 0);
	CHECK_EQ(pthread_join(t, NULL), 0);
	CHECK(where >= (uintptr_t)user_stack && where < (uintptr_t)user_stack + sizeof user_stack);
}

static void *set_errno_eio(void *arg)
{
	errno = EIO;
	*(int *)arg = errno;
	return NULL;
}

static void t_errno__is_per_thread(void)
{
	pthread_t t;
	int seen = 0;

	errno = ENOENT;
	REQUIRE(pthread_create(&t, NULL, set_errno_eio, &seen) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(seen, EIO);
	CHECK_EQ(errno, ENOENT);
}

static __thread int tls_value = 5;

static void *tls_probe(void *arg)
{
	*(int *)arg = tls_value;        /* the template's value, not main's */
	tls_value = 99;
	return NULL;
}

static void t_thread_local__each_thread_starts_from_template(void)
{
	pthread_t t;
	int seen = 0;

	tls_value = 6;
	REQUIRE(pthread_create(&t, NULL, tls_probe, &seen) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(seen, 5);
	CHECK_EQ(tls_value, 6);
}

static void t_pthread_join__self_is_EDEADLK(void)
{
	CHECK_EQ(pthread_join(pthread_self(), NULL), EDEADLK);
}

static sem_t hold;

static void *wait_hold(void *arg)
{
	(void)arg;
	sem_wait(&hold);
	return NULL;
}

static void t_pthread_join__detached_is_EINVAL(void)
{
	pthread_t t;

	sem_init(&hold, 0, 0);
	REQUIRE(pthread_create(&t, NULL, wait_hold, NULL) == 0);
	CHECK_EQ(pthread_detach(t), 0);
	CHECK_EQ(pthread_join(t, NULL), EINVAL);
	sem_post(&hold);
}

static void t_pthread_detach__twice_is_EINVAL(void)
{
	pthread_t t;

	sem_init(&hold, 0, 0);
	REQUIRE(pthread_create(&t, NULL, wait_hold, NULL) == 0);
	CHECK_EQ(pthread_detach(t), 0);
	CHECK_EQ(pthread_detach(t), EINVAL);
	sem_post(&hold);
}

static void t_pthread_detach__after_thread_ended(void)
{
	pthread_t t;

	REQUIRE(pthread_create(&t, NULL, ret_arg_plus_one, NULL) == 0);
	sleep_ms(20);
	CHECK_EQ(pthread_detach(t), 0);
}

static void *report_self(void *arg)
{
	*(pthread_t *)arg = pthread_self();
	return NULL;
}

static void t_pthread_self__matches_creators_handle(void)
{
	pthread_t t, seen = NULL;

	REQUIRE(pthread_create(&t, NULL, report_self, &seen) == 0);
	pthread_join(t, NULL);
	CHECK(pthread_equal(t, seen));
}

static void t_pthread_equal__distinguishes_threads(void)
{
	pthread_t t, seen = NULL;

	REQUIRE(pthread_create(&t, NULL, report_self, &seen) == 0);
	pthread_join(t, NULL);
	CHECK(!pthread_equal(pthread_self(), seen));
	CHECK(pthread_equal(pthread_self(), pthread_self()));
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void once_fn(void)
{
	sleep_ms(10);                   /* others arrive while it runs */
	__atomic_fetch_add(&once_runs, 1, __ATOMIC_RELAXED);
}

static void *call_once(void *arg)
{
	pthread_once(&once, once_fn);
	*(int *)arg = __atomic_load_n(&once_runs, __ATOMIC_RELAXED);
	return NULL;
}

static void t_pthread_once__runs_once_and_others_wait(void)
{
	pthread_t t[6];
	int seen[6] = { 0 };

	for (int i = 0; i < 6; i++)
		REQUIRE(pthread_create(&t[i], NULL, call_once, &seen[i]) == 0);
	for (int i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(seen[i], 1);
	}
	CHECK_EQ(once_runs, 1);
}

/* POSIX pthread_once: an init routine cancelled (a cancellation point in
 * it) leaves the once as if pthread_once had never been called: the next
 * call runs its routine.  (Before, the next call waited for good.) */
static pthread_once_t once_cut = PTHREAD_ONCE_INIT;
static int once_cut_runs;
static sem_t once_cut_done;

static void once_cut_cancelled_fn(void)
{
	pthread_cancel(pthread_self());
	pthread_testcancel();
}

static void once_cut_fn(void)
{
	once_cut_runs++;
}

static void *once_cut_first(void *arg)
{
	(void)arg;
	pthread_once(&once_cut, once_cut_cancelled_fn);
	return NULL;
}

static void *once_cut_second(void *arg)
{
	(void)arg;
	pthread_once(&once_cut, once_cut_fn);
	sem_post(&once_cut_done);
	return NULL;
}

static void t_pthread_once__a_cancelled_routine_leaves_it_never_called(void)
{
	pthread_t t;
	void *v = NULL;
	struct timespec until;

	sem_init(&once_cut_done, 0, 0);
	REQUIRE(pthread_create(&t, NULL, once_cut_first, NULL) == 0);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == PTHREAD_CANCELED);
	REQUIRE(pthread_create(&t, NULL, once_cut_second, NULL) == 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 5;
	CHECK_EQ(sem_timedwait(&once_cut_done, &until), 0);
	CHECK_EQ(once_cut_runs, 1);
	if (once_cut_runs)
		pthread_join(t, NULL);
}

static pthread_key_t key;

static void *key_probe(void *arg)
{
	*(void **)arg = pthread_getspecific(key);
	pthread_setspecific(key, (void *)0x1234);
	return NULL;
}

static void t_pthread_getspecific__values_are_per_thread(void)
{
	pthread_t t;
	void *seen = (void *)1;

	REQUIRE(pthread_key_create(&key, NULL) == 0);
	REQUIRE(pthread_setspecific(key, (void *)0x55) == 0);
	REQUIRE(pthread_create(&t, NULL, key_probe, &seen) == 0);
	pthread_join(t, NULL);
	CHECK(seen == NULL);
	CHECK(pthread_getspecific(key) == (void *)0x55);
	pthread_key_delete(key);
}

static int dtor_calls;
static void *dtor_value;

static void count_dtor(void *v)
{
	dtor_calls++;
	dtor_value = v;
}

static void *set_and_exit(void *arg)
{
	pthread_setspecific(key, arg);
	return NULL;
}

static void t_pthread_key_create__destructor_runs_at_thread_exit(void)
{
	pthread_t t;

	dtor_calls = 0;
	REQUIRE(pthread_key_create(&key, count_dtor) == 0);
	REQUIRE(pthread_create(&t, NULL, set_and_exit, (void *)0x77) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(dtor_calls, 1);
	CHECK(dtor_value == (void *)0x77);
	pthread_key_delete(key);
}

static void t_pthread_key_create__new_key_reads_null(void)
{
	pthread_key_t k1, k2;

	REQUIRE(pthread_key_create(&k1, NULL) == 0);
	REQUIRE(pthread_setspecific(k1, (void *)9) == 0);
	REQUIRE(pthread_key_delete(k1) == 0);
	REQUIRE(pthread_key_create(&k2, NULL) == 0);
	CHECK(pthread_getspecific(k2) == NULL);
	pthread_key_delete(k2);
}

static void t_pthread_key_create__keys_max_then_EAGAIN(void)
{
	static pthread_key_t keys[PTHREAD_KEYS_MAX + 1];
	int made = 0, r = 0;

	while (made <= PTHREAD_KEYS_MAX && (r = pthread_key_create(&keys[made], NULL)) == 0)
		made++;
	CHECK_EQ(made, PTHREAD_KEYS_MAX);
	CHECK_EQ(r, EAGAIN);
	for (int i = 0; i < made; i++)
		pthread_key_delete(keys[i]);
}

static void t_pthread_setspecific__deleted_key_is_EINVAL(void)
{
	pthread_key_t k;

	REQUIRE(pthread_key_create(&k, NULL) == 0);
	REQUIRE(pthread_key_delete(k) == 0);
	CHECK_EQ(pthread_setspecific(k, (void *)1), EINVAL);
}

static void t_pthread_attr_init__defaults(void)
{
	pthread_attr_t a;
	int v;
	size_t sz;

	REQUIRE(pthread_attr_init(&a) == 0);
	pthread_attr_getdetachstate(&a, &v);
	CHECK_EQ(v, PTHREAD_CREATE_JOINABLE);
	pthread_attr_getinheritsched(&a, &v);
	CHECK_EQ(v, PTHREAD_INHERIT_SCHED);
	pthread_attr_getscope(&a, &v);
	CHECK_EQ(v, PTHREAD_SCOPE_SYSTEM);
	pthread_attr_getstacksize(&a, &sz);
	CHECK(sz >= PTHREAD_STACK_MIN);
	pthread_attr_getguardsize(&a, &sz);
	CHECK_EQ(sz, 4096);                     /* a page below every stack */
	CHECK_EQ(pthread_attr_destroy(&a), 0);
}

/* The fault a thread takes just below its own stack: in the guard page. */
static volatile char *volatile guard_target;   /* stored before the touch */
static sem_t guard_hold;

static void guard_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	/* the handler runs on the faulting thread's stack, which still has
	 * room: only the access below it went wrong */
	_exit(sig == SIGSEGV && si->si_addr == (void *)guard_target ? 42 : 43);
}

static void *hold_block(void *arg)
{
	(void)arg;
	sem_wait(&guard_hold);
	return NULL;
}

#define GUARD_STACK (60 * 1024)         /* a size no cached block has */

static void *touch_below_stack(void *arg)
{
	char here;

	(void)arg;
	/* The thread's block is whole pages: its top page holds the record,
	 * the TLS and these first frames (`here`), the GUARD_STACK bytes of
	 * stack lie below that page, and the byte below them is the guard's
	 * (or, with no guard, the top of the block mapped just before). */
	uintptr_t top_page = (uintptr_t)&here & ~(uintptr_t)4095;
	guard_target = (volatile char *)(top_page - GUARD_STACK - 1);
	*guard_target = *guard_target;
	return NULL;
}

/* In a child: a thread holding a block, then one just above it that
 * touches the byte below its stack, each with guard size `guard`.  The
 * child's exit status: 42 the touch faulted there, 0 it went through. */
static int guard_child(size_t guard)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sigaction sa = { .sa_sigaction = guard_fault, .sa_flags = SA_SIGINFO };
		pthread_attr_t a;
		pthread_t holder, toucher;
		sigaction(SIGSEGV, &sa, NULL);
		sem_init(&guard_hold, 0, 0);
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, GUARD_STACK);
		pthread_attr_setguardsize(&a, guard);
		if (pthread_create(&holder, &a, hold_block, NULL) ||
		    pthread_create(&toucher, &a, touch_below_stack, NULL))
			_exit(44);
		pthread_join(toucher, NULL);
		sem_post(&guard_hold);
		pthread_join(holder, NULL);
		_exit(0);
	}
	int st;
	if (pid < 0) {
		CONF_FAIL("fork: %s (%u threads)", strerror(errno), own_threads());
		return -1;
	}
	if (waitpid(pid, &st, 0) != pid) {
		CONF_FAIL("waitpid %d: %s", (int)pid, strerror(errno));
		return -1;
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void t_pthread_create__a_touch_below_the_stack_faults_in_its_guard(void)
{
	CHECK_EQ(guard_child(4096), 42);
	CHECK_EQ(guard_child(0), 0);            /* no guard: the block below answers */
}

static void t_pthread_attr_setdetachstate__bad_value_is_EINVAL(void)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	CHECK_EQ(pthread_attr_setdetachstate(&a, 7), EINVAL);
}

static void t_pthread_attr_setstacksize__below_min_is_EINVAL(void)
{
	pthread_attr_t a;
	size_t sz = 0;

	pthread_attr_init(&a);
	CHECK_EQ(pthread_attr_setstacksize(&a, PTHREAD_STACK_MIN - 1), EINVAL);
	CHECK_EQ(pthread_attr_setstacksize(&a, 128 << 10), 0);
	pthread_attr_getstacksize(&a, &sz);
	CHECK_EQ(sz, 128 << 10);
}

static void t_pthread_attr_setscope__process_scope_is_ENOTSUP(void)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	CHECK_EQ(pthread_attr_setscope(&a, PTHREAD_SCOPE_PROCESS), ENOTSUP);
	CHECK_EQ(pthread_attr_setscope(&a, 99), EINVAL);
}

static void t_pthread_attr_setinheritsched__bad_value_is_EINVAL(void)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	CHECK_EQ(pthread_attr_setinheritsched(&a, 77), EINVAL);
	CHECK_EQ(pthread_attr_setschedpolicy(&a, 77), EINVAL);
}

static void *explicit_prio(void *arg)
{
	struct sched_param p;
	int pol;

	pthread_getschedparam(pthread_self(), &pol, &p);
	*(int *)arg = p.sched_priority;
	return NULL;
}

static void t_pthread_attr_setschedparam__explicit_priority_applies(void)
{
	pthread_attr_t a;
	struct sched_param p = { .sched_priority = 7 };
	pthread_t t;
	int seen = 0;

	pthread_attr_init(&a);
	REQUIRE(pthread_attr_setinheritsched(&a, PTHREAD_EXPLICIT_SCHED) == 0);
	REQUIRE(pthread_attr_setschedpolicy(&a, SCHED_RR) == 0);
	REQUIRE(pthread_attr_setschedparam(&a, &p) == 0);
	REQUIRE(pthread_create(&t, &a, explicit_prio, &seen) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(seen, 7);
}

static int cleanup_order[3], cleanup_n;

static void note(void *arg)
{
	cleanup_order[cleanup_n++] = (int)(uintptr_t)arg;
}

static void *push_two_and_exit(void *arg)
{
	(void)arg;
	pthread_cleanup_push(note, (void *)1);
	pthread_cleanup_push(note, (void *)2);
	pthread_exit(NULL);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static void t_pthread_cleanup_push__exit_runs_handlers_in_reverse(void)
{
	pthread_t t;

	cleanup_n = 0;
	REQUIRE(pthread_create(&t, NULL, push_two_and_exit, NULL) == 0);
	pthread_join(t, NULL);
	CHECK_EQ(cleanup_n, 2);
	CHECK_EQ(cleanup_order[0], 2);
	CHECK_EQ(cleanup_order[1], 1);
}

static void t_pthread_cleanup_pop__runs_handler_only_when_asked(void)
{
	cleanup_n = 0;
	pthread_cleanup_push(note, (void *)5);
	pthread_cleanup_pop(0);
	pthread_cleanup_push(note, (void *)6);
	pthread_cleanup_pop(1);
	CHECK_EQ(cleanup_n, 1);
	CHECK_EQ(cleanup_order[0], 6);
}

static sem_t cancel_go;

static void *cancel_target(void *arg)
{
	(void)arg;
	sem_wait(&cancel_go);
	pthread_testcancel();
	return (void *)1;
}

static void t_pthread_cancel__testcancel_ends_with_PTHREAD_CANCELED(void)
{
	pthread_t t;
	void *v = NULL;

	sem_init(&cancel_go, 0, 0);
	REQUIRE(pthread_create(&t, NULL, cancel_target, NULL) == 0);
	CHECK_EQ(pthread_cancel(t), 0);
	sem_post(&cancel_go);
	pthread_join(t, &v);
	CHECK(v == PTHREAD_CANCELED);
}

static void *cancel_disabled(void *arg)
{
	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	sem_wait(&cancel_go);
	pthread_testcancel();           /* disabled: no effect */
	return (void *)1;
}

static void t_pthread_setcancelstate__disabled_request_stays_pending(void)
{
	pthread_t t;
	void *v = NULL;
	int old;

	sem_init(&cancel_go, 0, 0);
	REQUIRE(pthread_create(&t, NULL, cancel_disabled, NULL) == 0);
	CHECK_EQ(pthread_cancel(t), 0);
	sem_post(&cancel_go);
	pthread_join(t, &v);
	CHECK(v == (void *)1);
	CHECK_EQ(pthread_setcancelstate(5, &old), EINVAL);
	CHECK_EQ(pthread_setcanceltype(5, &old), EINVAL);
}

static void t_sched_yield__returns_zero(void)
{
	CHECK_EQ(sched_yield(), 0);
}

static void t_sched_get_priority_max__range_and_bad_policy(void)
{
	int lo = sched_get_priority_min(SCHED_FIFO), hi = sched_get_priority_max(SCHED_FIFO);

	CHECK(lo >= 1);
	CHECK(hi > lo);
	CHECK(hi - lo + 1 >= 32);       /* POSIX: at least 32 priorities for FIFO and RR */
	CHECK_ERR(sched_get_priority_max(42), EINVAL);
	CHECK_ERR(sched_get_priority_min(42), EINVAL);
}

static void t_pthread_setschedparam__priority_round_trips(void)
{
	struct sched_param p = { .sched_priority = 12 }, q;
	int pol = -1, oldpol;
	struct sched_param old;

	REQUIRE(pthread_getschedparam(pthread_self(), &oldpol, &old) == 0);
	REQUIRE(pthread_setschedparam(pthread_self(), SCHED_FIFO, &p) == 0);
	REQUIRE(pthread_getschedparam(pthread_self(), &pol, &q) == 0);
	CHECK_EQ(pol, SCHED_FIFO);
	CHECK_EQ(q.sched_priority, 12);
	pthread_setschedparam(pthread_self(), oldpol, &old);
	CHECK_EQ(pthread_setschedparam(pthread_self(), 99, &p), EINVAL);
}

const struct conf_case conf_thread_cases[] = {
	CONF_CASE(pthread_create, runs_start_with_arg),
	CONF_CASE(pthread_exit, value_reaches_joiner),
	CONF_CASE(pthread_create, sixteen_threads_run_concurrently),
	CONF_CASE(pthread_create, 500_create_join_cycles_reuse_memory),
	CONF_CASE(pthread_create, detached_threads_are_reclaimed),
	CONF_CASE(pthread_attr_setstack, thread_runs_on_given_stack),
	CONF_CASE(pthread_create, a_touch_below_the_stack_faults_in_its_guard),
	CONF_CASE(errno, is_per_thread),
	CONF_CASE(thread_local, each_thread_starts_from_template),
	CONF_CASE(pthread_join, self_is_EDEADLK),
	CONF_CASE(pthread_join, detached_is_EINVAL),
	CONF_CASE(pthread_detach, twice_is_EINVAL),
	CONF_CASE(pthread_detach, after_thread_ended),
	CONF_CASE(pthread_self, matches_creators_handle),
	CONF_CASE(pthread_equal, distinguishes_threads),
	CONF_CASE(pthread_once, runs_once_and_others_wait),
	CONF_CASE(pthread_once, a_cancelled_routine_leaves_it_never_called),
	CONF_CASE(pthread_getspecific, values_are_per_thread),
	CONF_CASE(pthread_key_create, destructor_runs_at_thread_exit),
	CONF_CASE(pthread_key_create, new_key_reads_null),
	CONF_CASE(pthread_key_create, keys_max_then_EAGAIN),
	CONF_CASE(pthread_setspecific, deleted_key_is_EINVAL),
	CONF_CASE(pthread_create, new_thread_inherits_signal_mask),
	CONF_CASE(pthread_attr_init, defaults),
	CONF_CASE(pthread_attr_setdetachstate, bad_value_is_EINVAL),
	CONF_CASE(pthread_attr_setstacksize, below_min_is_EINVAL),
	CONF_CASE(pthread_attr_setscope, process_scope_is_ENOTSUP),
	CONF_CASE(pthread_attr_setinheritsched, bad_value_is_EINVAL),
	CONF_CASE(pthread_attr_setschedparam, explicit_priority_applies),
	CONF_CASE(pthread_cleanup_push, exit_runs_handlers_in_reverse),
	CONF_CASE(pthread_cleanup_pop, runs_handler_only_when_asked),
	CONF_CASE(pthread_cancel, testcancel_ends_with_PTHREAD_CANCELED),
	CONF_CASE(pthread_setcancelstate, disabled_request_stays_pending),
	CONF_CASE(sched_yield, returns_zero),
	CONF_CASE(sched_get_priority_max, range_and_bad_policy),
	CONF_CASE(pthread_setschedparam, priority_round_trips),
};
const size_t conf_thread_ncases = sizeof conf_thread_cases / sizeof conf_thread_cases[0];
