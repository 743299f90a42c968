/* conf-signals: POSIX.1-2017 signals on the kernel's signal calls
 * (<keel/signal.h>): sigaction, raise, kill, masks, pending signals,
 * sigwait/sigtimedwait, sigqueue values, interrupted sleeps, and a child
 * ended by a signal.  Cases name the XSH page they check.
 *   make run CMDLINE="init=/bin/conf-signals"                         */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <conf.h>
#include <server.h>

static volatile sig_atomic_t hits, last_sig, last_code, last_pid, last_value;

static void on_signal(int sig)
{
	hits++;
	last_sig = sig;
}

static void on_info(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	hits++;
	last_sig = sig;
	last_code = si->si_code;
	last_pid = si->si_pid;
	last_value = si->si_value.sival_int;
}

static void catch(int sig, int flags)
{
	struct sigaction a = { .sa_flags = flags };

	if (flags & SA_SIGINFO)
		a.sa_sigaction = on_info;
	else
		a.sa_handler = on_signal;
	sigemptyset(&a.sa_mask);
	sigaction(sig, &a, NULL);
	hits = 0;
	last_sig = 0;
}

static void t_raise__handler_runs_before_raise_returns(void)
{
	catch(SIGUSR1, 0);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_sig, SIGUSR1);
}

static void t_sigaction__siginfo_names_the_sender(void)
{
	catch(SIGUSR2, SA_SIGINFO);
	CHECK_EQ(kill(getpid(), SIGUSR2), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_code, SI_USER);
	CHECK_EQ(last_pid, getpid());
}

static void t_sigaction__old_action_and_SIG_IGN(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;

	catch(SIGUSR1, 0);
	CHECK_EQ(sigaction(SIGUSR1, &ign, &old), 0);
	CHECK(old.sa_handler == on_signal);
	CHECK_EQ(raise(SIGUSR1), 0);
	CHECK_EQ(hits, 0);                              /* ignored */
	CHECK(signal(SIGUSR1, on_signal) == SIG_IGN);
	raise(SIGUSR1);
	CHECK_EQ(hits, 1);
}

/* XSH 2.4.1: "Setting a signal action to SIG_IGN for a signal that is
 * pending shall cause the pending signal to be discarded, whether or not
 * it is blocked": one directed at the thread as well as one at the
 * process, and with it what was queued of it (a later one carries its own
 * information, not the discarded one's). */
static void t_sigaction__SIG_IGN_discards_pending_of_the_process_and_the_thread(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigset_t set, old, pend;
	union sigval v = { .sival_int = 7 };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	REQUIRE(pthread_sigmask(SIG_BLOCK, &set, &old) == 0);
	catch(SIGUSR2, SA_SIGINFO);
	CHECK_EQ(pthread_kill(pthread_self(), SIGUSR2), 0);     /* the thread's */
	CHECK_EQ(kill(getpid(), SIGUSR2), 0);                   /* the process's */
	sigemptyset(&pend);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK_EQ(sigismember(&pend, SIGUSR2), 1);
	CHECK_EQ(sigaction(SIGUSR2, &ign, NULL), 0);
	sigemptyset(&pend);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK_EQ(sigismember(&pend, SIGUSR2), 0);               /* both gone */
	catch(SIGUSR2, SA_SIGINFO);
	CHECK_EQ(sigqueue(getpid(), SIGUSR2, v), 0);
	CHECK_EQ(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
	CHECK_EQ(hits, 1);                                      /* once: the queued one */
	CHECK_EQ(last_code, SI_QUEUE);
	CHECK_EQ(last_value, 7);
	signal(SIGUSR2, SIG_DFL);
}

static void t_sigaction__SIGKILL_and_bad_numbers_are_EINVAL(void)
{
	struct sigaction a = { .sa_handler = on_signal };

	CHECK_ERR(sigaction(SIGKILL, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(SIGSTOP, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(0, &a, NULL), EINVAL);
	CHECK_ERR(sigaction(65, &a, NULL), EINVAL);
}

static void t_sigprocmask__blocked_signal_waits_then_runs_on_unblock(void)
{
	sigset_t set, pend;

	catch(SIGUSR1, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK_EQ(sigprocmask(SIG_BLOCK, &set, NULL), 0);
	raise(SIGUSR1);
	CHECK_EQ(hits, 0);
	CHECK_EQ(sigpending(&pend), 0);
	CHECK_EQ(sigismember(&pend, SIGUSR1), 1);
	CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
	CHECK_EQ(hits, 1);                              /* delivered before it returned */
	CHECK_ERR(sigprocmask(99, &set, NULL), EINVAL);
}

static void t_sigaddset__bad_signal_is_EINVAL(void)
{
	sigset_t s;

	sigemptyset(&s);
	CHECK_ERR(sigaddset(&s, 0), EINVAL);
	CHECK_ERR(sigaddset(&s, 65), EINVAL);
	CHECK_ERR(sigismember(&s, -1), EINVAL);
	sigfillset(&s);
	CHECK_EQ(sigismember(&s, 64), 1);
	CHECK_EQ(sigdelset(&s, 64), 0);
	CHECK_EQ(sigismember(&s, 64), 0);
}

static void t_sigwait__takes_a_blocked_signal_without_its_handler(void)
{
	sigset_t set;
	int sig = 0;

	catch(SIGUSR2, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR2);
	CHECK_EQ(sigwait(&set, &sig), 0);
	CHECK_EQ(sig, SIGUSR2);
	CHECK_EQ(hits, 0);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* pthread_kill: the signal is the named thread's alone.  Both threads
 * block SIGUSR2; the other one waits for it 300 ms and must not get the
 * one sent to this thread, then gets the one sent to it. */
static long pk_first;                   /* the other thread's timed wait: -EAGAIN, or a signal */
static int pk_waited;

static void *pk_waiter(void *arg)
{
	sigset_t *set = arg;
	struct timespec t = { 0, 300 * 1000 * 1000 };
	int sig = sigtimedwait(set, NULL, &t);

	pk_first = sig < 0 ? -errno : sig;
	__atomic_store_n(&pk_waited, 1, __ATOMIC_RELEASE);
	sig = 0;
	return (void *)(long)(sigwait(set, &sig) == 0 ? sig : -1);
}

static void t_pthread_kill__only_the_named_thread_gets_it(void)
{
	sigset_t set, old;
	pthread_t t;
	void *got = NULL;
	int sig = 0;

	catch(SIGUSR2, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, &old);         /* the new thread has it blocked too */
	pk_waited = 0;
	REQUIRE(pthread_create(&t, NULL, pk_waiter, &set) == 0);
	CHECK_EQ(pthread_kill(pthread_self(), SIGUSR2), 0);
	CHECK_EQ(sigwait(&set, &sig), 0);
	CHECK_EQ(sig, SIGUSR2);
	while (!__atomic_load_n(&pk_waited, __ATOMIC_ACQUIRE))
		sched_yield();
	CHECK_EQ(pk_first, -EAGAIN);                    /* this thread's was not its */
	CHECK_EQ(pthread_kill(t, SIGUSR2), 0);
	CHECK_EQ(pthread_join(t, &got), 0);
	CHECK_EQ((long)got, SIGUSR2);                   /* then it got its own */
	CHECK_EQ(pthread_kill(pthread_self(), 0), 0);
	CHECK_EQ(pthread_kill(pthread_self(), 65), EINVAL);
	CHECK_EQ(hits, 0);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void t_sigtimedwait__times_out_with_EAGAIN(void)
{
	sigset_t set;
	struct timespec ts = { 0, 30 * 1000000 };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	CHECK_ERR(sigtimedwait(&set, NULL, &ts), EAGAIN);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* SA_RESTART restarts reads and writes, never the waits that POSIX ends
 * with EINTR whenever a handler runs (XSH 2.4.3; nanosleep, sem_wait and
 * poll each list EINTR): each is interrupted by SIGALRM 100 ms into a
 * 2 s wait. */
static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

static void t_nanosleep__SA_RESTART_still_ends_it_with_EINTR(void)
{
	struct itimerval soon = { .it_value = { 0, 100 * 1000 } }, off = { 0 };
	struct timespec t0, two = { 2, 0 }, left = { 0, 0 };
	sem_t sem;

	catch(SIGALRM, SA_RESTART);
	REQUIRE(sem_init(&sem, 0, 0) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	REQUIRE(setitimer(ITIMER_REAL, &soon, NULL) == 0);
	CHECK_ERR(nanosleep(&two, &left), EINTR);
	CHECK(ms_since(&t0) < 1500);
	CHECK(left.tv_sec >= 1);                        /* most of it was left */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	REQUIRE(setitimer(ITIMER_REAL, &soon, NULL) == 0);
	CHECK_ERR(sem_wait(&sem), EINTR);
	CHECK(ms_since(&t0) < 1500);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	REQUIRE(setitimer(ITIMER_REAL, &soon, NULL) == 0);
	CHECK_ERR(poll(NULL, 0, 2000), EINTR);         /* no fds: a plain wait */
	CHECK(ms_since(&t0) < 1500);
	setitimer(ITIMER_REAL, &off, NULL);
	CHECK_EQ(hits, 3);
	sem_destroy(&sem);
	signal(SIGALRM, SIG_DFL);
}

/* XSH timer_settime: a timer disarmed is disarmed.  An expiry taken on
 * another hart just before is delivered before timer_settime returns (so
 * at its return, to the caller): none comes once the caller goes on. */
static volatile int late_armed, late_hits, late_after;

static void late_handler(int sig)
{
	(void)sig;
	late_hits++;
	if (!late_armed)
		late_after++;
}

static void t_timer_settime__no_expiry_comes_after_a_disarm_returns(void)
{
	struct sigaction sa = { .sa_handler = late_handler }, old;
	struct sigevent ev = { 0 };
	struct itimerspec every = { { 0, 100000 }, { 0, 100000 } }, off = { 0 };
	struct timespec t0;
	timer_t tm;

	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	sigemptyset(&sa.sa_mask);
	REQUIRE(sigaction(SIGUSR1, &sa, &old) == 0);
	REQUIRE(timer_create(CLOCK_MONOTONIC, &ev, &tm) == 0);
	late_hits = late_after = 0;
	int rounds = 0;
	for (; rounds < 300; rounds++) {
		late_armed = 1;
		CHECK_EQ(timer_settime(tm, 0, &every, NULL), 0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		while (ms_since(&t0) < 1)
			;
		CHECK_EQ(timer_settime(tm, 0, &off, NULL), 0);
		late_armed = 0;
		for (volatile int i = 0; i < 2000; i++)
			;
	}
	CHECK_EQ(timer_delete(tm), 0);
	sigaction(SIGUSR1, &old, NULL);
	CHECK(late_hits > 0);
	CHECK_EQ(late_after, 0);
}

/* POSIX.1-2017 2.4.3: open, dup, dup2, close and execve are
 * async-signal-safe.  libc remembers each open's path under a lock and in
 * malloc'd memory (io/at.c): a handler that opens while the code it broke
 * into does the same must neither wait for that lock (its own thread holds
 * it) nor enter malloc. */
static volatile int io_runs, io_ok;

#define IO_DIR "/csig"                  /* a tmpfs of the case's */
#define IO_FILE IO_DIR "/f"

static void io_handler(int sig)
{
	int e = errno;

	(void)sig;
	int fd = open(IO_FILE, O_RDONLY);
	if (fd >= 0) {
		int d = dup(fd);
		if (d >= 0 && dup2(fd, d) == d && close(d) == 0 && close(fd) == 0)
			io_ok++;
	}
	io_runs++;
	errno = e;
}

static void t_sigaction__a_handler_opens_dups_and_closes_while_its_thread_does(void)
{
	struct sigaction sa = { .sa_handler = io_handler, .sa_flags = SA_RESTART }, old;
	struct itimerval every = { .it_interval = { 0, 1000 }, .it_value = { 0, 1000 } }, off = { 0 };
	struct timespec t0;
	int opens = 0, bad = 0, st, first_errno = 0;
	char *serve[] = { "/sbin/tmpfs", IO_DIR, NULL };
	pid_t server = conf_start_server(serve, IO_DIR);

	REQUIRE(server > 0);
	int made = open(IO_FILE, O_WRONLY | O_CREAT, 0644);
	if (made < 0) {
		CONF_FAIL("cannot make %s: %s", IO_FILE, strerror(errno));
		kill(server, SIGKILL);
		waitpid(server, &st, 0);
		return;
	}
	close(made);
	io_runs = io_ok = 0;
	sigemptyset(&sa.sa_mask);
	REQUIRE(sigaction(SIGALRM, &sa, &old) == 0);
	REQUIRE(setitimer(ITIMER_REAL, &every, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < 1500) {
		int fd = open(IO_FILE, O_RDONLY);
		char *p = malloc(40 + (size_t)(opens % 300));
		if (fd < 0 || !p)
			bad++;
		if (fd < 0 && !first_errno)
			first_errno = errno;
		free(p);
		if (fd >= 0 && close(fd) != 0) {
			bad++;
			if (!first_errno)
				first_errno = 1000 + errno;
		}
		opens++;
	}
	setitimer(ITIMER_REAL, &off, NULL);
	/* An expiry that came just before the timer stopped may still be
	 * pending (another hart made it): ignoring the signal discards it,
	 * before the old action (the default: the end) is back. */
	signal(SIGALRM, SIG_IGN);
	sigaction(SIGALRM, &old, NULL);
	kill(server, SIGKILL);
	waitpid(server, &st, 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(first_errno, 0);
	CHECK(opens > 0);
	CHECK(io_runs > 0);
	CHECK_EQ(io_ok, io_runs);
}

/* execve from a handler that broke into malloc: the child's new image
 * runs (conf-child exits with the status it is told).  The handler's
 * SIGALRM comes from setitimer in fork's child, after this process's own
 * use of it: the child's timer is its own (POSIX fork), not a copy of the
 * parent's id (before, it never fired and the child looped for good). */
static void exec_handler(int sig)
{
	char *argv[] = { "/bin/conf-child", "exit", "7", NULL };
	char *envp[] = { NULL };

	(void)sig;
	execve(argv[0], argv, envp);
	_exit(100 + errno % 100);
}

static void t_execve__from_a_handler_that_broke_into_malloc(void)
{
	int st = 0;
	pid_t pid = fork();

	REQUIRE(pid >= 0);
	if (pid == 0) {
		struct itimerval soon = { .it_value = { 0, 20 * 1000 } };
		signal(SIGALRM, exec_handler);
		setitimer(ITIMER_REAL, &soon, NULL);
		for (unsigned i = 0;; i++) {
			void *p = malloc(24 + i % 500);
			free(p);
		}
	}
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 7);
}

static void t_sigqueue__value_reaches_the_handler(void)
{
	union sigval v = { .sival_int = 4242 };

	catch(SIGRTMIN, SA_SIGINFO);
	CHECK_EQ(sigqueue(getpid(), SIGRTMIN, v), 0);
	CHECK_EQ(hits, 1);
	CHECK_EQ(last_code, SI_QUEUE);
	CHECK_EQ(last_value, 4242);
}

static void *kick_main(void *arg)
{
	sigset_t set;
	struct timespec ts = { 0, 30 * 1000000 };

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);         /* so the process signal goes to main */
	nanosleep(&ts, NULL);
	kill(getpid(), SIGUSR1);
	(void)arg;
	return NULL;
}

static void t_nanosleep__a_signal_ends_it_with_EINTR_and_the_rest(void)
{
	struct timespec req = { 3, 0 }, rem = { 0, 0 };
	pthread_t t;

	catch(SIGUSR1, 0);
	REQUIRE(pthread_create(&t, NULL, kick_main, NULL) == 0);
	CHECK_ERR(nanosleep(&req, &rem), EINTR);
	CHECK_EQ(hits, 1);
	CHECK(rem.tv_sec >= 1 && rem.tv_sec <= 3);
	pthread_join(t, NULL);
}

/* XSH nanosleep, 2.4.3: a signal whose action is to stop or to continue
 * the process is no handler, so a sleep it meets goes on to its end (a
 * restart, never EINTR).  The parent stops and continues the sleeping child
 * as fast as it can, so continues meet the child on its way back into the
 * sleep too (a late notice of one once ended the next wait with an EINTR
 * nobody restarted: `sleep` after ^Z and fg exited at once). */
static void t_nanosleep__stop_and_continue_do_not_end_it(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (int i = 0; i < 8; i++) {
			struct timespec ts = { 0, 150 * 1000000L };
			if (nanosleep(&ts, NULL) != 0)
				_exit(10 + i);
		}
		_exit(0);
	}
	REQUIRE(pid > 0);
	int st = 0, rounds = 0;
	pid_t got;
	while ((got = waitpid(pid, &st, WNOHANG)) == 0) {
		kill(pid, SIGSTOP);
		kill(pid, SIGCONT);
		rounds++;
	}
	CHECK_EQ(got, pid);
	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);           /* 10 + i: sleep i ended early */
	CHECK(rounds > 0);
}

/* XSH 2.4.3, <signal.h> SIGCHLD: a child's end is a SIGCHLD to its parent,
 * whose handler runs, with si_code and si_pid saying which child ended how;
 * a waitpid waiting for the child returns its status (the signal does not
 * break a wait taskman has: it answers the wait first; one still on its way
 * may see EINTR after the handler ran), and fork is not broken by the
 * signal either (the second and third rounds fork while it may come). */
static void t_SIGCHLD__the_handler_runs_when_a_child_ends(void)
{
	catch(SIGCHLD, SA_SIGINFO);
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(7);
		REQUIRE(pid > 0);
		int st = 0;
		pid_t got = waitpid(pid, &st, 0);
		/* The child may end, and its SIGCHLD come, while the wait is
		 * still on its way to taskman: then the handler has run and
		 * the wait fails with EINTR (POSIX allows it), and the next
		 * one finds the child. */
		if (got == -1 && errno == EINTR && hits == i + 1)
			got = waitpid(pid, &st, 0);
		CHECK_EQ(got, pid);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7);
		for (int ms = 0; hits < i + 1 && ms < 2000; ms += 10) {
			struct timespec ts = { 0, 10 * 1000000L };
			nanosleep(&ts, NULL);           /* the signal comes as the wait ends */
		}
		CHECK_EQ(hits, i + 1);
		CHECK_EQ(last_sig, SIGCHLD);
		CHECK_EQ(last_code, CLD_EXITED);
		CHECK_EQ(last_pid, pid);
	}
	pid_t pid = fork();                     /* and one killed while it waits */
	if (pid == 0) {
		pause();
		_exit(0);
	}
	REQUIRE(pid > 0);
	CHECK_EQ(kill(pid, SIGKILL), 0);
	int st = 0;
	pid_t got = waitpid(pid, &st, 0);
	if (got == -1 && errno == EINTR && hits == 4)   /* as above: the signal came first */
		got = waitpid(pid, &st, 0);
	CHECK_EQ(got, pid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	for (int ms = 0; hits < 4 && ms < 2000; ms += 10) {
		struct timespec ts = { 0, 10 * 1000000L };
		nanosleep(&ts, NULL);
	}
	CHECK_EQ(hits, 4);
	CHECK_EQ(last_code, CLD_KILLED);
	CHECK_EQ(last_pid, pid);
	signal(SIGCHLD, SIG_DFL);
}

static void t_kill__errors(void)
{
	CHECK_ERR(kill(99999, SIGUSR1), ESRCH);
	CHECK_ERR(kill(getpid(), 200), EINVAL);
	CHECK_EQ(kill(getpid(), 0), 0);                 /* only a check */
}

static void t_kill__ends_a_child_reported_by_waitpid(void)
{
	char *a[] = { "/bin/conf-child", "sleep", "5000", NULL };
	pid_t pid;
	int st = 0;

	REQUIRE(posix_spawn(&pid, a[0], NULL, NULL, a, NULL) == 0);
	CHECK_EQ(kill(pid, SIGTERM), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFSIGNALED(st));
	CHECK_EQ(WTERMSIG(st), SIGTERM);
}

static volatile double fp_keep;

static void t_sigaction__handler_leaves_the_interrupted_registers(void)
{
	volatile double x = 1.25;
	long n = 0;

	catch(SIGUSR1, 0);
	for (int i = 0; i < 5; i++) {
		double before = x * 3.0;
		raise(SIGUSR1);                         /* the handler uses FP too */
		fp_keep = before;
		n += before == 3.75;
	}
	CHECK_EQ(n, 5);
	CHECK_EQ(hits, 5);
}

static void t_strsignal__names_keels_numbers(void)
{
	CHECK(strcmp(strsignal(SIGSEGV), "Segmentation fault") == 0);
	CHECK(strcmp(strsignal(SIGTTIN), "Stopped (tty input)") == 0);
	CHECK(strstr(strsignal(200), "200") != NULL);
}

static sigjmp_buf jump;

static void jump_out(int sig)
{
	siglongjmp(jump, sig);
}

static void t_siglongjmp__from_a_handler_restores_the_mask(void)
{
	struct sigaction a = { .sa_handler = jump_out };
	sigset_t now;
	volatile int rounds = 0;

	sigemptyset(&a.sa_mask);
	sigaction(SIGUSR2, &a, NULL);
	int r = sigsetjmp(jump, 1);
	if (r == 0) {
		rounds++;
		raise(SIGUSR2);                 /* the handler runs with SIGUSR2 blocked */
		CONF_FAIL("siglongjmp did not happen");
	}
	CHECK_EQ(r, SIGUSR2);
	CHECK_EQ(rounds, 1);
	sigprocmask(SIG_BLOCK, NULL, &now);
	CHECK_EQ(sigismember(&now, SIGUSR2), 0);        /* the saved mask is back */
}

/* abort() ends the process with SIGABRT whatever was done with it: blocked,
 * ignored, or caught by a handler that returns (POSIX.1-2017 abort).  (It
 * exited with status 1 in those cases.) */
static void returning_handler(int sig)
{
	(void)sig;
}

static int aborted_how(int how)
{
	pid_t pid = fork();
	int st = 0;

	if (pid == 0) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGABRT);
		if (how == 0)
			sigprocmask(SIG_BLOCK, &s, NULL);
		else
			signal(SIGABRT, how == 1 ? SIG_IGN : returning_handler);
		abort();
		_exit(3);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFSIGNALED(st) ? WTERMSIG(st) : 1000 + (WIFEXITED(st) ? WEXITSTATUS(st) : 0);
}

static void t_abort__ends_with_SIGABRT_blocked_ignored_or_caught(void)
{
	CHECK_EQ(aborted_how(0), SIGABRT);              /* blocked */
	CHECK_EQ(aborted_how(1), SIGABRT);              /* ignored */
	CHECK_EQ(aborted_how(2), SIGABRT);              /* caught, the handler returned */
}

/* POSIX _exit: a process group that a process's end orphans (no member
 * has a parent in another group of its session any more), and that has a
 * stopped member, gets SIGHUP and then SIGCONT: nobody is left to continue
 * it.  A session leader puts a child in a group of its own, sees it
 * stopped and ends (the child's new parent is in another session); the
 * child's SIGHUP handler, and its going on, mark a shared page.  (Before,
 * the child stayed stopped for good.) */
static volatile int *orphan_page;

static void orphan_hup(int sig)
{
	(void)sig;
	orphan_page[1] = 1;
}

static void t_exit__an_orphaned_group_with_a_stopped_member_gets_SIGHUP_and_SIGCONT(void)
{
	orphan_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
	REQUIRE(orphan_page != MAP_FAILED);
	orphan_page[0] = orphan_page[1] = orphan_page[2] = 0;
	pid_t leader = fork();
	if (leader == 0) {
		if (setsid() < 0)
			_exit(100);
		pid_t c = fork();
		if (c == 0) {
			setpgid(0, 0);
			struct sigaction sa = { .sa_handler = orphan_hup };
			sigaction(SIGHUP, &sa, NULL);
			raise(SIGSTOP);
			orphan_page[2] = 1;             /* continued */
			_exit(0);
		}
		if (c < 0)
			_exit(101);
		setpgid(c, c);
		int st = 0;
		if (waitpid(c, &st, WUNTRACED) != c || !WIFSTOPPED(st))
			_exit(102);
		orphan_page[0] = c;
		_exit(0);               /* c's group is orphaned now, c stopped */
	}
	REQUIRE(leader > 0);
	int st = -1;
	CHECK_EQ(waitpid(leader, &st, 0), leader);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK(orphan_page[0] > 0);
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	for (int i = 0; i < 500 && !(orphan_page[1] && orphan_page[2]); i++)
		nanosleep(&tick, NULL);
	CHECK_EQ(orphan_page[1], 1);            /* SIGHUP came */
	CHECK_EQ(orphan_page[2], 1);            /* and SIGCONT */
	if (orphan_page[0] > 0 && !orphan_page[2])
		kill(orphan_page[0], SIGKILL);  /* leave no stopped process behind */
	munmap((void *)orphan_page, 4096);
}

static const struct conf_case cases[] = {
	CONF_CASE(raise, handler_runs_before_raise_returns),
	CONF_CASE(sigaction, siginfo_names_the_sender),
	CONF_CASE(sigaction, old_action_and_SIG_IGN),
	CONF_CASE(sigaction, SIG_IGN_discards_pending_of_the_process_and_the_thread),
	CONF_CASE(sigaction, SIGKILL_and_bad_numbers_are_EINVAL),
	CONF_CASE(sigprocmask, blocked_signal_waits_then_runs_on_unblock),
	CONF_CASE(sigaddset, bad_signal_is_EINVAL),
	CONF_CASE(sigwait, takes_a_blocked_signal_without_its_handler),
	CONF_CASE(pthread_kill, only_the_named_thread_gets_it),
	CONF_CASE(sigtimedwait, times_out_with_EAGAIN),
	CONF_CASE(sigqueue, value_reaches_the_handler),
	CONF_CASE(nanosleep, SA_RESTART_still_ends_it_with_EINTR),
	CONF_CASE(nanosleep, a_signal_ends_it_with_EINTR_and_the_rest),
	CONF_CASE(nanosleep, stop_and_continue_do_not_end_it),
	CONF_CASE(SIGCHLD, the_handler_runs_when_a_child_ends),
	CONF_CASE(kill, errors),
	CONF_CASE(kill, ends_a_child_reported_by_waitpid),
	CONF_CASE(abort, ends_with_SIGABRT_blocked_ignored_or_caught),
	CONF_CASE(exit, an_orphaned_group_with_a_stopped_member_gets_SIGHUP_and_SIGCONT),
	CONF_CASE(sigaction, handler_leaves_the_interrupted_registers),
	CONF_CASE(strsignal, names_keels_numbers),
	CONF_CASE(siglongjmp, from_a_handler_restores_the_mask),
	CONF_CASE(timer_settime, no_expiry_comes_after_a_disarm_returns),
	CONF_CASE(sigaction, a_handler_opens_dups_and_closes_while_its_thread_does),
	CONF_CASE(execve, from_a_handler_that_broke_into_malloc),
};

int main(void)
{
	return conf_run("conf-signals", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
}
