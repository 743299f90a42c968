/* Cancellation points (POSIX.1-2017 XSH 2.9.5.2 "Cancellation Points"):
 * a thread blocked in one, with a deferred request made from another
 * thread, ends with PTHREAD_CANCELED after its cleanup handlers ran; one
 * that has cancellation disabled, or is inside libc, is not cut short. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cases.h"
#include "util.h"

/* One blocked thread: started is posted just before it blocks, ended by
 * its cleanup handler. */
struct blocked {
	sem_t started, ended;
	int fd;                         /* what it blocks on, when a fd */
	int result;                     /* what the blocking call returned, if it did */
	int extra;
	pthread_mutex_t m;
	pthread_cond_t c;
	sem_t never;
	pthread_t other;
	int (*call)(struct blocked *);  /* the blocking call blocked_thread makes */
};

static void ended(void *arg)
{
	sem_post(&((struct blocked *)arg)->ended);
}

/* The thread of a case: posts started, makes b->call, and ends the
 * wait for it from its cleanup handler. */
static void *blocked_thread(void *arg)
{
	struct blocked *b = arg;

	pthread_cleanup_push(ended, b);
	sem_post(&b->started);
	b->result = b->call(b);
	pthread_cleanup_pop(0);
	return NULL;
}

/* Starts fn(b) as thread *t and waits until it is about to block, and a
 * little more.  0, or pthread_create's error. */
static int start_blocked(pthread_t *t, void *(*fn)(void *), struct blocked *b)
{
	sem_init(&b->started, 0, 0);
	sem_init(&b->ended, 0, 0);
	b->result = -100;
	int r = pthread_create(t, NULL, fn, b);
	if (r)
		return r;
	sem_wait(&b->started);
	sleep_ms(30);                   /* into the call */
	return 0;
}

/* Starts a thread making call(b), waits until it is (about to be) blocked and a little
 * more, cancels it, and checks it ends cancelled with its cleanup handler
 * run within 5 s.  unstick(b) lets a thread that was not cancelled go. */
static void cancel_blocked(int (*call)(struct blocked *), struct blocked *b,
			   void (*unstick)(struct blocked *))
{
	pthread_t t;
	void *v = NULL;

	b->call = call;
	REQUIRE(start_blocked(&t, blocked_thread, b) == 0);
	CHECK_EQ(pthread_cancel(t), 0);
	struct timespec until = deadline_ms(CLOCK_REALTIME, 5000);
	int r = sem_timedwait(&b->ended, &until);
	CHECK_EQ(r, 0);
	if (r != 0)
		unstick(b);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == PTHREAD_CANCELED);
	CHECK_EQ(b->result, -100);      /* the call never returned to it */
}

static int do_read(struct blocked *b)
{
	char c;

	return (int)read(b->fd, &c, 1);
}

static void write_a_byte(struct blocked *b)
{
	write(b->extra, "x", 1);
}

static void t_read__a_blocked_read_is_a_cancellation_point(void)
{
	struct blocked b;
	int p[2];

	REQUIRE(pipe(p) == 0);
	b.fd = p[0];
	b.extra = p[1];
	cancel_blocked(do_read, &b, write_a_byte);
	/* The pipe still works: nothing of the read was left behind. */
	char c = 0;
	CHECK_EQ(write(p[1], "y", 1), 1);
	CHECK_EQ(read(p[0], &c, 1), 1);
	CHECK_EQ(c, 'y');
	close(p[0]);
	close(p[1]);
}

static int do_write(struct blocked *b)
{
	return (int)write(b->fd, "z", 1);
}

static void drain(struct blocked *b)
{
	char buf[256];

	fcntl(b->extra, F_SETFL, O_NONBLOCK);
	while (read(b->extra, buf, sizeof buf) > 0)
		;
}

/* Fills the pipe's write end wfd until a write would block. */
static int fill(int wfd)
{
	char buf[256] = { 0 };
	int total = 0, fl = fcntl(wfd, F_GETFL);
	ssize_t n;

	fcntl(wfd, F_SETFL, fl | O_NONBLOCK);
	while ((n = write(wfd, buf, sizeof buf)) > 0 && total < (1 << 22))
		total += (int)n;
	while (write(wfd, buf, 1) == 1)
		total++;
	fcntl(wfd, F_SETFL, fl);
	return total;
}

static void t_write__a_blocked_write_is_a_cancellation_point(void)
{
	struct blocked b;
	int p[2];

	REQUIRE(pipe(p) == 0);
	REQUIRE(fill(p[1]) > 0);
	b.fd = p[1];
	b.extra = p[0];
	cancel_blocked(do_write, &b, drain);
	close(p[0]);
	close(p[1]);
}

static int unlocked_in_cleanup;

static void cond_cleanup(void *arg)
{
	struct blocked *b = arg;

	/* An error-checking mutex: unlock succeeds only for its owner. */
	unlocked_in_cleanup = pthread_mutex_unlock(&b->m) == 0;
}

/* Waits on b->c until an error (never, unless something is wrong). */
static int do_cond_wait(struct blocked *b)
{
	int r;

	pthread_mutex_lock(&b->m);
	pthread_cleanup_push(cond_cleanup, b);
	do
		r = pthread_cond_wait(&b->c, &b->m);
	while (r == 0);                 /* a spurious wake-up: wait again */
	pthread_cleanup_pop(1);
	return r;
}

static void cond_unstick(struct blocked *b)
{
	(void)b;                        /* it waits for good: nothing ends it */
}

static void t_pthread_cond_wait__cancelled_waiter_cleans_up_holding_the_mutex(void)
{
	struct blocked b;
	pthread_mutexattr_t ma;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&b.m, &ma);
	pthread_cond_init(&b.c, NULL);
	unlocked_in_cleanup = 0;
	cancel_blocked(do_cond_wait, &b, cond_unstick);
	CHECK_EQ(unlocked_in_cleanup, 1);
	CHECK_EQ(pthread_mutex_trylock(&b.m), 0);        /* and it was let go */
	pthread_mutex_unlock(&b.m);
}

static int do_cond_timedwait(struct blocked *b)
{
	int r;

	pthread_mutex_lock(&b->m);
	pthread_cleanup_push(cond_cleanup, b);
	struct timespec until = deadline_ms(CLOCK_REALTIME, 60000);
	do
		r = pthread_cond_timedwait(&b->c, &b->m, &until);
	while (r == 0);
	pthread_cleanup_pop(1);
	return r;
}

static void t_pthread_cond_timedwait__cancelled_waiter_cleans_up_holding_the_mutex(void)
{
	struct blocked b;
	pthread_mutexattr_t ma;

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&b.m, &ma);
	pthread_cond_init(&b.c, NULL);
	unlocked_in_cleanup = 0;
	cancel_blocked(do_cond_timedwait, &b, cond_unstick);
	CHECK_EQ(unlocked_in_cleanup, 1);
	/* The deadline it had armed is gone with it: a wait now is not cut
	 * short by it (nor by anything: 50 ms, then ETIMEDOUT). */
	pthread_mutex_lock(&b.m);
	struct timespec until = deadline_ms(CLOCK_REALTIME, 50);
	CHECK_EQ(pthread_cond_timedwait(&b.c, &b.m, &until), ETIMEDOUT);
	pthread_mutex_unlock(&b.m);
}

static int do_sem_wait(struct blocked *b)
{
	return sem_wait(&b->never);
}

static void post_never(struct blocked *b)
{
	sem_post(&b->never);
}

static void t_sem_wait__a_blocked_wait_is_a_cancellation_point(void)
{
	struct blocked b;

	sem_init(&b.never, 0, 0);
	cancel_blocked(do_sem_wait, &b, post_never);
	int v = -1;
	sem_getvalue(&b.never, &v);
	CHECK_EQ(v, 0);
}

static int do_sleep(struct blocked *b)
{
	(void)b;
	return (int)sleep(60);
}

static void nothing(struct blocked *b)
{
	(void)b;
}

static void t_sleep__a_sleep_is_a_cancellation_point(void)
{
	struct blocked b;
	uint64_t t0 = now_ns();

	cancel_blocked(do_sleep, &b, nothing);
	CHECK(now_ns() - t0 < 10000000000ull);
}

static int do_join(struct blocked *b)
{
	return pthread_join(b->other, NULL);
}

static void *wait_never(void *arg)
{
	struct blocked *b = arg;

	sem_wait(&b->never);
	return (void *)7;
}

static void t_pthread_join__a_join_is_a_cancellation_point(void)
{
	struct blocked b;
	void *v = NULL;

	sem_init(&b.never, 0, 0);
	REQUIRE(pthread_create(&b.other, NULL, wait_never, &b) == 0);
	cancel_blocked(do_join, &b, post_never);
	/* The thread it was joining is still joinable (POSIX). */
	sem_post(&b.never);
	CHECK_EQ(pthread_join(b.other, &v), 0);
	CHECK_EQ((long)v, 7);
}

static int do_poll(struct blocked *b)
{
	struct pollfd pf = { .fd = b->fd, .events = POLLIN };

	return poll(&pf, 1, -1);
}

static void t_poll__a_blocked_poll_is_a_cancellation_point(void)
{
	struct blocked b;
	int p[2];

	REQUIRE(pipe(p) == 0);
	b.fd = p[0];
	b.extra = p[1];
	cancel_blocked(do_poll, &b, write_a_byte);
	/* poll still works for the next caller. */
	struct pollfd pf = { .fd = p[0], .events = POLLIN };
	CHECK_EQ(write(p[1], "w", 1), 1);
	CHECK_EQ(poll(&pf, 1, 5000), 1);
	CHECK(pf.revents & POLLIN);
	close(p[0]);
	close(p[1]);
}

static int do_sigwait(struct blocked *b)
{
	sigset_t s;
	int sig = 0;

	(void)b;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	return sigwait(&s, &sig);
}

static void t_sigwait__a_blocked_sigwait_is_a_cancellation_point(void)
{
	struct blocked b;

	cancel_blocked(do_sigwait, &b, nothing);
}

static int do_pause(struct blocked *b)
{
	(void)b;
	return pause();
}

static void t_pause__is_a_cancellation_point(void)
{
	struct blocked b;

	cancel_blocked(do_pause, &b, nothing);
}

static int do_waitpid(struct blocked *b)
{
	int st;

	return (int)waitpid(b->extra, &st, 0);
}

static void kill_child(struct blocked *b)
{
	kill(b->extra, SIGKILL);
}

static void t_waitpid__a_blocked_waitpid_is_a_cancellation_point(void)
{
	struct blocked b;
	int st = 0;
	pid_t pid;
	/* A child that outlives the case unless killed (fork is ENOSYS in a
	 * process that has made threads, as in QNX). */
	char *argv[] = { "/bin/conf-child", "sleep", "600000", NULL };

	REQUIRE(posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL) == 0);
	b.extra = pid;
	cancel_blocked(do_waitpid, &b, kill_child);
	/* The child was not reaped by the cancelled wait: it is ours still. */
	CHECK_EQ(kill(pid, SIGKILL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static int do_read_all_masked(struct blocked *b)
{
	sigset_t all;
	char c;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, NULL);
	return (int)read(b->fd, &c, 1);
}

/* The signal that carries a request is the implementation's own: a thread
 * that blocks every signal is still cancelled in a blocking call. */
static void t_pthread_sigmask__blocking_every_signal_keeps_cancellation(void)
{
	struct blocked b;
	int p[2];

	REQUIRE(pipe(p) == 0);
	b.fd = p[0];
	b.extra = p[1];
	cancel_blocked(do_read_all_masked, &b, write_a_byte);
	close(p[0]);
	close(p[1]);
}

static volatile int handler_go, handler_in;

static void spin_until_go(int sig)
{
	(void)sig;
	handler_in = 1;
	while (!handler_go)
		;
}

/* A request made while the thread, blocked in a read, runs a signal
 * handler is acted on when the handler returns into the read. */
static void t_pthread_cancel__a_request_outlasts_a_signal_handler(void)
{
	struct blocked b;
	pthread_t t;
	void *v = NULL;
	int p[2];
	struct sigaction sa = { .sa_handler = spin_until_go, .sa_flags = SA_RESTART }, old;

	REQUIRE(pipe(p) == 0);
	sigemptyset(&sa.sa_mask);
	REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
	handler_go = handler_in = 0;
	b.fd = p[0];
	b.call = do_read;
	REQUIRE(start_blocked(&t, blocked_thread, &b) == 0);
	CHECK_EQ(pthread_kill(t, SIGUSR1), 0);
	for (int i = 0; i < 500 && !handler_in; i++)
		sleep_ms(10);
	CHECK_EQ(handler_in, 1);
	CHECK_EQ(pthread_cancel(t), 0);
	sleep_ms(30);
	handler_go = 1;
	struct timespec until = deadline_ms(CLOCK_REALTIME, 5000);
	int r = sem_timedwait(&b.ended, &until);
	CHECK_EQ(r, 0);
	if (r != 0)
		write(p[1], "x", 1);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == PTHREAD_CANCELED);
	CHECK_EQ(b.result, -100);
	sigaction(SIGUSR1, &old, NULL);
	close(p[0]);
	close(p[1]);
}

static void *read_disabled(void *arg)
{
	struct blocked *b = arg;
	char c;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	pthread_cleanup_push(ended, b);
	sem_post(&b->started);
	b->result = (int)read(b->fd, &c, 1);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	pthread_testcancel();
	pthread_cleanup_pop(0);
	return (void *)1;
}

/* Disabled, a blocking read is not broken off by a request (not even with
 * EINTR); enabled again, the next cancellation point acts on it. */
static void t_pthread_setcancelstate__a_disabled_read_completes_then_testcancel_acts(void)
{
	struct blocked b;
	pthread_t t;
	void *v = NULL;
	int p[2];

	REQUIRE(pipe(p) == 0);
	b.fd = p[0];
	REQUIRE(start_blocked(&t, read_disabled, &b) == 0);
	CHECK_EQ(pthread_cancel(t), 0);
	sleep_ms(50);
	CHECK_EQ(b.result, -100);       /* still in the read */
	CHECK_EQ(write(p[1], "q", 1), 1);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == PTHREAD_CANCELED);
	CHECK_EQ(b.result, 1);
	close(p[0]);
	close(p[1]);
}

static void *sem_disabled(void *arg)
{
	struct blocked *b = arg;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	sem_post(&b->started);
	b->result = sem_wait(&b->never);
	b->extra = b->result < 0 ? errno : 0;
	return (void *)1;
}

/* A wait that would end with EINTR on a signal is not ended by a request
 * to a thread that has cancellation disabled. */
static void t_pthread_setcancelstate__a_disabled_sem_wait_sees_no_EINTR(void)
{
	struct blocked b;
	pthread_t t;
	void *v = NULL;

	sem_init(&b.never, 0, 0);
	REQUIRE(start_blocked(&t, sem_disabled, &b) == 0);
	CHECK_EQ(pthread_cancel(t), 0);
	sleep_ms(50);
	CHECK_EQ(b.result, -100);
	sem_post(&b.never);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == (void *)1);
	CHECK_EQ(b.result, 0);
	CHECK_EQ(b.extra, 0);
}

static volatile unsigned long spins;

static int do_spin_async(struct blocked *b)
{
	(void)b;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	for (;;)
		spins++;
	return 0;
}

static void t_pthread_setcanceltype__asynchronous_cancels_a_busy_loop(void)
{
	struct blocked b;

	cancel_blocked(do_spin_async, &b, nothing);
}

static void *stdio_writer(void *arg)
{
	struct blocked *b = arg;
	FILE *f = fdopen(b->fd, "w");

	if (!f)
		return (void *)2;
	setvbuf(f, NULL, _IOFBF, 64);
	sem_post(&b->started);
	/* More than the buffer: fwrite writes to the full pipe, inside the
	 * stream's lock, and blocks there. */
	static const char text[4096];
	b->result = (int)fwrite(text, 1, sizeof text, f);
	pthread_testcancel();
	return (void *)f;
}

/* A request that comes while the thread is blocked in a write inside
 * stdio (holding the stream's lock) waits until it is out: the lock is
 * free for others afterwards. */
static void t_fwrite__a_write_inside_stdio_finishes_before_cancellation(void)
{
	struct blocked b;
	pthread_t t;
	void *v = NULL;
	int p[2];

	REQUIRE(pipe(p) == 0);
	REQUIRE(fill(p[1]) > 0);
	b.fd = p[1];
	b.extra = p[0];
	REQUIRE(start_blocked(&t, stdio_writer, &b) == 0);
	sleep_ms(20);
	CHECK_EQ(pthread_cancel(t), 0);
	sleep_ms(50);
	CHECK_EQ(b.result, -100);       /* blocked inside stdio still */
	drain(&b);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == PTHREAD_CANCELED);
	CHECK_EQ(b.result, 4096);
	close(p[0]);
}

static void *close_pending(void *arg)
{
	struct blocked *b = arg;

	pthread_cancel(pthread_self());
	close(b->fd);
	return (void *)1;
}

/* close is a cancellation point; acted on at its start, the fd stays open. */
static void t_close__a_pending_request_acts_before_the_close(void)
{
	struct blocked b;
	pthread_t t;
	void *v = NULL;
	int p[2];

	REQUIRE(pipe(p) == 0);
	b.fd = p[0];
	REQUIRE(pthread_create(&t, NULL, close_pending, &b) == 0);
	CHECK_EQ(pthread_join(t, &v), 0);
	CHECK(v == PTHREAD_CANCELED);
	CHECK(fcntl(p[0], F_GETFD) >= 0);
	CHECK_EQ(close(p[0]), 0);
	close(p[1]);
}

const struct conf_case conf_cancel_cases[] = {
	CONF_CASE(read, a_blocked_read_is_a_cancellation_point),
	CONF_CASE(write, a_blocked_write_is_a_cancellation_point),
	CONF_CASE(pthread_cond_wait, cancelled_waiter_cleans_up_holding_the_mutex),
	CONF_CASE(pthread_cond_timedwait, cancelled_waiter_cleans_up_holding_the_mutex),
	CONF_CASE(sem_wait, a_blocked_wait_is_a_cancellation_point),
	CONF_CASE(sleep, a_sleep_is_a_cancellation_point),
	CONF_CASE(pthread_join, a_join_is_a_cancellation_point),
	CONF_CASE(poll, a_blocked_poll_is_a_cancellation_point),
	CONF_CASE(sigwait, a_blocked_sigwait_is_a_cancellation_point),
	CONF_CASE(pause, is_a_cancellation_point),
	CONF_CASE(waitpid, a_blocked_waitpid_is_a_cancellation_point),
	CONF_CASE(pthread_sigmask, blocking_every_signal_keeps_cancellation),
	CONF_CASE(pthread_cancel, a_request_outlasts_a_signal_handler),
	CONF_CASE(pthread_setcancelstate, a_disabled_read_completes_then_testcancel_acts),
	CONF_CASE(pthread_setcancelstate, a_disabled_sem_wait_sees_no_EINTR),
	CONF_CASE(pthread_setcanceltype, asynchronous_cancels_a_busy_loop),
	CONF_CASE(fwrite, a_write_inside_stdio_finishes_before_cancellation),
	CONF_CASE(close, a_pending_request_acts_before_the_close),
};
const size_t conf_cancel_ncases = sizeof conf_cancel_cases / sizeof conf_cancel_cases[0];
