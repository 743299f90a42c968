/* libc-bench: guest instructions per libc operation, read from the instret
 * counter (deterministic under QEMU -icount shift=0,sleep=off), in kbench's
 * line format so the farm records each figure:
 *   kbench: <operation>   N instructions/op  (R ops)
 * Run as the first process on one hart:
 *   make run SMP=1 CMDLINE="init=/bin/libc-bench"                     */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <semaphore.h>
#include <spawn.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bench.h>
#include <keel/neutrino.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MEASURE(what, rounds, body) do { \
	{ long i_ = 1; (void)i_; body; }  /* warm up */ \
	uint64_t t0_ = instret(); \
	for (long i_ = 0; i_ < (rounds); i_++) { body; } \
	report(what, instret() - t0_, rounds); \
} while (0)

static void *volatile sink;
static iofunc_attr_t zattr;
static resmgr_t *zmgr;

/* A /dev/zero and /dev/null in one: reads give zeros, writes are taken. */
static int zero_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	static const char zeros[4096];

	(void)ocb;
	size_t n = m->nbytes < sizeof zeros ? m->nbytes : sizeof zeros;
	return resmgr_reply(ctp, (long)n, zeros, n);
}

static void *zero_server(void *arg)
{
	(void)arg;
	resmgr_loop(zmgr);
	return NULL;
}

static int start_zero(void)
{
	static const resmgr_io_funcs_t io = { .read = zero_read };
	pthread_t t;
	int chid = ChannelCreate(0);

	iofunc_attr_init(&zattr, S_IFCHR | 0666);
	zmgr = chid >= 0 ? resmgr_create(chid, NULL, &io, &zattr) : NULL;
	if (!zmgr || pthread_create(&t, NULL, zero_server, NULL))
		return -1;
	return resmgr_attach(zmgr, "/bench/zero", _FTYPE_ANY, 0);
}

static void *nothing(void *arg)
{
	return arg;
}

static volatile sig_atomic_t caught;

static void on_signal(int sig)
{
	caught += sig == SIGUSR1 || sig == SIGCHLD;
}

/* init=/bin/libc-bench profile: windows for os/utils/kbench/profile.py
 * --program libc-bench, between two null kernel calls. */
static int profile(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	printf("libc-bench: profile window: signal to a handler and back (raise), 10 ops\n");
	KernelNop();
	for (int i = 0; i < 10; i++)
		raise(SIGUSR1);
	KernelNop();
	if (start_zero() < 0)
		return 1;
	static char buf[1];
	int fd = open("/bench/zero", O_RDONLY);
	long got = read(fd, buf, 1);
	printf("libc-bench: profile window: read 1 byte (resmgr, same process), 10 ops\n");
	KernelNop();
	for (int i = 0; i < 10; i++)
		got += read(fd, buf, 1);
	KernelNop();
	char *devnull[] = { "/sbin/devnull", NULL };
	pid_t dn;
	if (posix_spawn(&dn, devnull[0], NULL, NULL, devnull, NULL))
		return 1;
	for (int ms = 0; access("/dev/zero", F_OK) != 0 && ms < 5000; ms += 10) {
		struct timespec w = { 0, 10 * 1000000L };
		nanosleep(&w, NULL);
	}
	int zfd = open("/dev/zero", O_RDONLY);
	got += read(zfd, buf, 1);
	printf("libc-bench: profile window: read 1 byte from /dev/zero (another process), 10 ops\n");
	KernelNop();
	for (int i = 0; i < 10; i++)
		got += read(zfd, buf, 1);
	KernelNop();
	kill(dn, SIGTERM);
	return caught == 11 && got == 22 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "profile"))
		return profile();
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	static char membuf[1 << 16];
	static sem_t s;
	struct timespec ts;

	/* First: fork is for a process that never made a thread. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	caught = 0;
	MEASURE("signal to a handler and back (raise)", 1000, raise(SIGUSR1));
	if (caught != 1001)
		printf("libc-bench: %d signals caught of 1001\n", (int)caught);
	caught = 0;
	MEASURE("fork, kill, SIGCHLD to a handler, waitpid", 20, {
		pid_t pid = fork();
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
		}
	});
	for (int ms = 0; caught < 21 && ms < 2000; ms += 10) {
		struct timespec w = { 0, 10 * 1000000L };
		nanosleep(&w, NULL);            /* the last one comes as its wait ends */
	}
	if (caught != 21)
		printf("libc-bench: %d SIGCHLD caught of 21\n", (int)caught);
	MEASURE("pthread_mutex_lock+unlock (uncontended)", 10000,
		pthread_mutex_lock(&m); pthread_mutex_unlock(&m));
	sem_init(&s, 0, 0);
	MEASURE("sem_post+sem_wait (no waiter)", 2000, sem_post(&s); sem_wait(&s));
	MEASURE("clock_gettime(CLOCK_MONOTONIC)", 2000, clock_gettime(CLOCK_MONOTONIC, &ts));
	MEASURE("malloc+free 64 bytes", 5000, { sink = malloc(64); free(sink); });
	MEASURE("malloc+free 66 KiB (a thread's block)", 200, { sink = malloc(66 << 10); free(sink); });
	FILE *f = fmemopen(membuf, sizeof membuf, "w");
	if (f) {
		setvbuf(f, NULL, _IOFBF, 4096);
		MEASURE("printf(\"%d\\n\") to a buffered stream", 2000,
			{ fprintf(f, "%d\n", (int)i_); if (i_ % 4096 == 0) rewind(f); });
		fclose(f);
	}
	MEASURE("pthread_create+join", 200, {
		pthread_t t;
		pthread_create(&t, NULL, nothing, NULL);
		pthread_join(t, NULL);
	});
	if (start_zero() >= 0) {
		static char buf[4096];
		struct stat st;
		int fd = open("/bench/zero", O_RDWR);
		MEASURE("read 1 byte (resmgr, same process)", 1000, read(fd, buf, 1));
		MEASURE("write 4 KiB (resmgr, same process)", 500, write(fd, buf, sizeof buf));
		MEASURE("open+close by path", 200, close(open("/bench/zero", O_RDONLY)));
		MEASURE("stat by path", 200, stat("/bench/zero", &st));
		close(fd);
	}
	/* /dev/zero itself: /sbin/devnull in a process of its own (as init
	 * starts it; libc-bench runs in init's place), so each read is a round
	 * trip between two address spaces. */
	char *devnull[] = { "/sbin/devnull", NULL };
	pid_t dn;
	if (posix_spawn(&dn, devnull[0], NULL, NULL, devnull, NULL) == 0) {
		static char buf[1];
		for (int ms = 0; access("/dev/zero", F_OK) != 0 && ms < 5000; ms += 10) {
			struct timespec w = { 0, 10 * 1000000L };
			nanosleep(&w, NULL);
		}
		int fd = open("/dev/zero", O_RDONLY);
		if (fd >= 0) {
			MEASURE("read 1 byte from /dev/zero (another process)", 1000,
				read(fd, buf, 1));
			close(fd);
		} else {
			printf("libc-bench: /dev/zero: %s\n", strerror(errno));
		}
		kill(dn, SIGTERM);
		waitpid(dn, NULL, 0);
	}
	char *hello[] = { "/bin/hello-libc", NULL };
	MEASURE("posix_spawn+waitpid of hello-libc", 20, {
		pid_t pid;
		if (posix_spawn(&pid, hello[0], NULL, NULL, hello, NULL) == 0)
			waitpid(pid, NULL, 0);
	});
	printf("kbench: done\n");
	return 0;
}
