/* conf-libc: the C library base on Keel's libc — errno and strerror, the
 * kernel-call shapes, the heap, stdio, strings and numbers, the
 * environment, and the console-only fds of today.  Each case names the XSH
 * page it checks (tests/target/include/conf.h).  Run as the first process:
 *   make run CMDLINE="init=/bin/conf-libc"                            */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <conf.h>

static const int all_errnos[] = {
	EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF, ECHILD, EAGAIN,
	ENOMEM, EACCES, EFAULT, ENOTBLK, EBUSY, EEXIST, EXDEV, ENODEV, ENOTDIR, EISDIR,
	EINVAL, ENFILE, EMFILE, ENOTTY, ETXTBSY, EFBIG, ENOSPC, ESPIPE, EROFS, EMLINK,
	EPIPE, EDOM, ERANGE, ENOMSG, EIDRM, EDEADLK, ENOLCK, ECANCELED, ENOTSUP, EDQUOT,
	ENOSTR, ENODATA, ETIME, ENOSR, ENOLINK, EPROTO, EMULTIHOP, EBADMSG, ENAMETOOLONG,
	EOVERFLOW, EILSEQ, ENOSYS, ELOOP, ENOTEMPTY, EOPNOTSUPP, ESTALE, ENOTCONN,
	EINPROGRESS, EALREADY, ENOTSOCK, EDESTADDRREQ, EMSGSIZE, EPROTOTYPE, ENOPROTOOPT,
	EPROTONOSUPPORT, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL, ENETDOWN, ENETUNREACH,
	ENETRESET, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ETIMEDOUT, ECONNREFUSED,
	EHOSTUNREACH, ESRVRFAULT, EOWNERDEAD, ENOTRECOVERABLE,
};
#define NERR (sizeof all_errnos / sizeof all_errnos[0])

static void t_strerror__every_errno_has_its_own_message(void)
{
	for (size_t i = 0; i < NERR; i++) {
		const char *m = strerror(all_errnos[i]);
		if (!m || !*m || strncmp(m, "Unknown", 7) == 0)
			CONF_FAIL("errno %d has no message", all_errnos[i]);
		for (size_t j = 0; j < i; j++)
			if (all_errnos[j] == all_errnos[i] || strcmp(strerror(all_errnos[j]), m) == 0)
				CONF_FAIL("errno %d and %d share number or message", all_errnos[i],
					  all_errnos[j]);
	}
}

static void t_strerror__unknown_number_says_so(void)
{
	CHECK(strstr(strerror(9999), "9999") != NULL);
	CHECK(strstr(strerror(-3), "-3") != NULL);
}

static void t_errno__values_are_the_kernel_abis(void)
{
	CHECK_EQ(EWOULDBLOCK, EAGAIN);
	CHECK_EQ(ETIMEDOUT, 260);
	CHECK_EQ(ENOSYS, 89);
	CHECK_EQ(EOWNERDEAD, 358);
	uint64_t ns;
	CHECK_ERR(ClockTime(99999, NULL, &ns), EINVAL);         /* Foo(): -1 and errno */
	errno = 0;
	CHECK_EQ(ClockTime_r(99999, NULL, &ns), -EINVAL);      /* Foo_r(): -errno */
	CHECK_EQ(errno, 0);
}

static void t_malloc__aligned_and_writable(void)
{
	for (size_t n = 1; n < 5000; n = n * 3 + 1) {
		unsigned char *p = malloc(n);
		REQUIRE(p != NULL);
		CHECK(((uintptr_t)p & 15) == 0);
		memset(p, 0xa5, n);
		free(p);
	}
}

static void t_malloc__exhaustion_is_ENOMEM(void)
{
	errno = 0;
	void *p = malloc((size_t)1 << 34);
	CHECK(p == NULL);
	CHECK_EQ(errno, ENOMEM);
}

static void t_calloc__zeroes_and_detects_overflow(void)
{
	unsigned char *p = calloc(100, 40);

	REQUIRE(p != NULL);
	for (int i = 0; i < 4000; i++)
		if (p[i]) {
			CONF_FAIL("byte %d is %d", i, p[i]);
			break;
		}
	free(p);
	volatile size_t huge = SIZE_MAX / 2;    /* count * size overflows */
	errno = 0;
	CHECK(calloc(huge, 4) == NULL);
	CHECK_EQ(errno, ENOMEM);
}

static void t_realloc__keeps_contents(void)
{
	char *p = malloc(10);

	REQUIRE(p != NULL);
	memcpy(p, "keel-libc", 10);
	p = realloc(p, 100000);
	REQUIRE(p != NULL);
	CHECK(memcmp(p, "keel-libc", 10) == 0);
	p = realloc(p, 5);
	REQUIRE(p != NULL);
	CHECK(memcmp(p, "keel-", 5) == 0);
	free(p);
}

static void t_free__memory_is_reused(void)
{
	for (int i = 0; i < 200; i++) {
		void *p = malloc(1 << 20);
		if (!p) {
			CONF_FAIL("round %d: %s", i, strerror(errno));
			return;
		}
		free(p);
	}
}

static void t_posix_memalign__alignment_and_EINVAL(void)
{
	void *p = NULL;

	CHECK_EQ(posix_memalign(&p, 4096, 100), 0);
	CHECK(((uintptr_t)p & 4095) == 0);
	free(p);
	CHECK_EQ(posix_memalign(&p, 24, 100), EINVAL);
}

static int heap_errors;

static void *heap_worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	unsigned char *live[16] = { 0 };
	size_t len[16] = { 0 };

	for (int i = 0; i < 1500; i++) {
		seed = seed * 1103515245 + 12345;
		unsigned k = (seed >> 8) % 16;
		if (live[k]) {
			for (size_t j = 0; j < len[k]; j++)
				if (live[k][j] != (unsigned char)(k + (uintptr_t)arg)) {
					__atomic_fetch_add(&heap_errors, 1, __ATOMIC_RELAXED);
					break;
				}
			free(live[k]);
			live[k] = NULL;
		} else {
			len[k] = 1 + (seed >> 16) % 700;
			live[k] = malloc(len[k]);
			if (!live[k]) {
				__atomic_fetch_add(&heap_errors, 1, __ATOMIC_RELAXED);
				continue;
			}
			memset(live[k], (int)(k + (uintptr_t)arg), len[k]);
		}
	}
	for (int k = 0; k < 16; k++)
		free(live[k]);
	return NULL;
}

static void t_malloc__threads_share_the_heap_safely(void)
{
	pthread_t t[4];

	heap_errors = 0;
	for (uintptr_t i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, heap_worker, (void *)(i * 40 + 1)) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(heap_errors, 0);
}

static void t_snprintf__formats_and_reports_full_length(void)
{
	char buf[8];
	volatile size_t size = sizeof buf;      /* truncation on purpose */

	CHECK_EQ(snprintf(buf, size, "%d-%s-%x", 42, "abc", 255u), 9);
	CHECK(strcmp(buf, "42-abc-") == 0);
	CHECK_EQ(snprintf(NULL, 0, "%5ld|%-3c|", -7L, 'z'), 10);
	char big[64];
	snprintf(big, sizeof big, "%08.3f|%g|%.2e", 3.25, 0.5, 12345.0);
	CHECK(strcmp(big, "0003.250|0.5|1.23e+04") == 0);
}

static void t_sscanf__parses_fields(void)
{
	int a = 0;
	char s[16] = "";
	unsigned x = 0;

	CHECK_EQ(sscanf("17 keel ff", "%d %15s %x", &a, s, &x), 3);
	CHECK_EQ(a, 17);
	CHECK(strcmp(s, "keel") == 0);
	CHECK_EQ(x, 255);
}

static void t_printf__stdout_counts_and_flushes(void)
{
	CHECK_EQ(printf("# printf to stdout: %d\n", 12345), 26);
	CHECK_EQ(fflush(stdout), 0);
	CHECK_EQ(fprintf(stderr, "# fprintf to stderr\n"), 20);
}

static void t_fputs__to_stdout(void)
{
	CHECK(fputs("# fputs to stdout\n", stdout) >= 0);
	CHECK_EQ(fflush(stdout), 0);
}

static void t_strtol__range_error_is_ERANGE(void)
{
	char *end;

	errno = 0;
	CHECK_EQ(strtol("99999999999999999999", &end, 10), LONG_MAX);
	CHECK_EQ(errno, ERANGE);
	errno = 0;
	CHECK_EQ(strtol("  -0x1f tail", &end, 0), -31);
	CHECK_EQ(errno, 0);
	CHECK(strcmp(end, " tail") == 0);
	CHECK_EQ(strtoul("ff", NULL, 16), 255);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void t_qsort__sorts_and_bsearch_finds(void)
{
	int v[50];

	for (int i = 0; i < 50; i++)
		v[i] = (i * 37) % 50;
	qsort(v, 50, sizeof v[0], cmp_int);
	for (int i = 0; i < 50; i++)
		CHECK_EQ(v[i], i);
	int key = 33;
	int *hit = bsearch(&key, v, 50, sizeof v[0], cmp_int);
	CHECK(hit && *hit == 33);
}

static void t_setenv__set_get_unset(void)
{
	CHECK_EQ(setenv("KEEL_TEST", "one", 1), 0);
	CHECK(getenv("KEEL_TEST") && strcmp(getenv("KEEL_TEST"), "one") == 0);
	CHECK_EQ(setenv("KEEL_TEST", "two", 0), 0);
	CHECK(strcmp(getenv("KEEL_TEST"), "one") == 0);
	CHECK_EQ(unsetenv("KEEL_TEST"), 0);
	CHECK(getenv("KEEL_TEST") == NULL);
	CHECK_ERR(setenv("A=B", "x", 1), EINVAL);
	CHECK_ERR(setenv("", "x", 1), EINVAL);
}

static void t_write__bad_fd_is_EBADF(void)
{
	CHECK_ERR(write(-1, "x", 1), EBADF);
	CHECK_ERR(write(77, "x", 1), EBADF);
}

static void t_write__bad_buffer_is_EFAULT(void)
{
	CHECK_ERR(write(1, (void *)0xffffffff80000000ul, 4), EFAULT);
	CHECK_ERR(write(1, (void *)8, 4), EFAULT);
}

static void t_read__bad_fd_is_EBADF(void)
{
	char c;

	CHECK_ERR(read(-3, &c, 1), EBADF);
	CHECK_ERR(read(55, &c, 1), EBADF);
}

static void t_close__bad_fd_is_EBADF(void)
{
	CHECK_ERR(close(-1), EBADF);
	CHECK_ERR(close(1234), EBADF);
}

static void t_lseek__terminal_is_ESPIPE(void)
{
	CHECK_ERR(lseek(1, 0, SEEK_SET), ESPIPE);
	CHECK_ERR(lseek(99, 0, SEEK_SET), EBADF);
}

static void t_getpid__first_process_is_positive(void)
{
	pid_t p = getpid();

	CHECK(p > 0);
	CHECK_EQ(getpid(), p);
}

static jmp_buf jb;

static void jump_back(int v)
{
	longjmp(jb, v);
}

static void t_longjmp__returns_value_to_setjmp(void)
{
	volatile int rounds = 0;
	int r = setjmp(jb);

	if (r == 0) {
		rounds++;
		jump_back(5);
	}
	CHECK_EQ(r, 5);
	CHECK_EQ(rounds, 1);
	if (setjmp(jb) == 0)
		longjmp(jb, 0);         /* 0 becomes 1 */
	else
		CHECK(1);
}

static void t_memmove__handles_overlap(void)
{
	char s[] = "abcdefgh";

	memmove(s + 2, s, 5);
	CHECK(strcmp(s, "ababcdeh") == 0);
	memmove(s, s + 1, 4);
	CHECK(strncmp(s, "babc", 4) == 0);
}

static void t_strtok_r__splits_in_place(void)
{
	char s[] = "a,b,,c";
	char *save, *tok;
	int n = 0;

	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		n++;
	CHECK_EQ(n, 3);
}

static void t_posix_spawnattr_setflags__round_trip_and_bad_flags(void)
{
	posix_spawnattr_t a;
	short f = -1;

	REQUIRE(posix_spawnattr_init(&a) == 0);
	posix_spawnattr_getflags(&a, &f);
	CHECK_EQ(f, 0);
	CHECK_EQ(posix_spawnattr_setflags(&a, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK), 0);
	posix_spawnattr_getflags(&a, &f);
	CHECK_EQ(f, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	CHECK_EQ(posix_spawnattr_setflags(&a, 0x4000), EINVAL);
	CHECK_EQ(posix_spawnattr_destroy(&a), 0);
}

static void t_posix_spawnattr_setpgroup__and_sigmask_round_trip(void)
{
	posix_spawnattr_t a;
	pid_t pg = 0;
	sigset_t in, out;

	sigemptyset(&in);
	sigemptyset(&out);
	sigaddset(&in, SIGUSR1);
	sigaddset(&in, SIGRTMAX);

	REQUIRE(posix_spawnattr_init(&a) == 0);
	CHECK_EQ(posix_spawnattr_setpgroup(&a, 42), 0);
	posix_spawnattr_getpgroup(&a, &pg);
	CHECK_EQ(pg, 42);
	CHECK_EQ(posix_spawnattr_setsigmask(&a, &in), 0);
	posix_spawnattr_getsigmask(&a, &out);
	CHECK(sigismember(&out, SIGUSR1) == 1 && sigismember(&out, SIGRTMAX) == 1);
	CHECK(sigismember(&out, SIGINT) == 0);
	CHECK_EQ(posix_spawnattr_setschedpolicy(&a, 1234), EINVAL);
	posix_spawnattr_destroy(&a);
}

static void t_posix_spawn_file_actions_addclose__negative_fd_is_EBADF(void)
{
	posix_spawn_file_actions_t fa;

	REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, -1), EBADF);
	CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, 1, -2), EBADF);
	CHECK_EQ(posix_spawn_file_actions_addopen(&fa, -3, "/x", O_RDONLY, 0), EBADF);
	CHECK_EQ(posix_spawn_file_actions_addclose(&fa, 3), 0);
	CHECK_EQ(posix_spawn_file_actions_adddup2(&fa, 1, 4), 0);
	CHECK_EQ(posix_spawn_file_actions_addopen(&fa, 5, "/dev/null", O_RDONLY, 0), 0);
	CHECK_EQ(posix_spawn_file_actions_destroy(&fa), 0);
}

static void t_waitpid__bad_options_is_EINVAL(void)
{
	int st;

	CHECK_ERR(waitpid(-1, &st, 0x4000), EINVAL);
	CHECK_ERR(waitpid(-1, (int *)0xffffffff80000000ul, WNOHANG), EFAULT);
}

static void t_waitid__needs_a_state_option(void)
{
	siginfo_t si;

	CHECK_ERR(waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
	CHECK_ERR(waitid(P_ALL, 0, NULL, WEXITED), EFAULT);
}

static void t_wait__status_macros_decode_taskmans_encoding(void)
{
	int exited = 3 << 8, killed = SIGSEGV, stopped = (SIGTSTP << 8) | 0x7f, cont = 0xffff;

	CHECK(WIFEXITED(exited) && WEXITSTATUS(exited) == 3);
	CHECK(!WIFSIGNALED(exited) && !WIFSTOPPED(exited));
	CHECK(WIFSIGNALED(killed) && WTERMSIG(killed) == SIGSEGV && !WIFEXITED(killed));
	CHECK(WIFSTOPPED(stopped) && WSTOPSIG(stopped) == SIGTSTP && !WIFSIGNALED(stopped));
	CHECK(WIFCONTINUED(cont) && !WIFEXITED(cont) && !WIFSTOPPED(cont));
}

static void t_getuid__ids_come_from_the_kernel(void)
{
	CHECK(getuid() == 0 && geteuid() == 0);         /* every process is root today */
	CHECK(getgid() == 0 && getegid() == 0);
	int n = getgroups(0, NULL);
	CHECK(n >= 0);
	gid_t g[16];
	CHECK_EQ(getgroups(16, g), n);
	if (n > 0)
		CHECK_ERR(getgroups(n - 1, g), EINVAL);
}

static void t_sysconf__limits_and_bad_name(void)
{
	CHECK_EQ(sysconf(_SC_PAGESIZE), 4096);
	CHECK_EQ(sysconf(_SC_CLK_TCK), CLOCKS_PER_SEC);
	CHECK(sysconf(_SC_OPEN_MAX) >= 16);             /* _POSIX_OPEN_MAX is 20: see the report */
	CHECK(sysconf(_SC_THREAD_KEYS_MAX) >= 128);
	CHECK(sysconf(_SC_ARG_MAX) >= 4096);
	CHECK_ERR(sysconf(-5), EINVAL);
}

static void t_uname__names_the_system(void)
{
	struct utsname u;

	CHECK_EQ(uname(&u), 0);
	CHECK(strcmp(u.sysname, "Keel") == 0);
	CHECK(strcmp(u.machine, "riscv64") == 0);
	CHECK_ERR(uname(NULL), EFAULT);
}

static void t_gethostname__and_short_buffer(void)
{
	char h[64], tiny[2];

	CHECK_EQ(gethostname(h, sizeof h), 0);
	CHECK(strlen(h) > 0);
	CHECK_ERR(gethostname(tiny, sizeof tiny), ENAMETOOLONG);
}

static volatile double fp_seed[4] = { 1.0, 2.0, 3.0, 4.0 };
static int fp_bad;

/* Each thread keeps a running value in FP registers across yields: the
 * kernel must save and restore every thread's FP state. */
static void *fp_worker(void *arg)
{
	int k = (int)(uintptr_t)arg;
	double a = fp_seed[k], b = 0.0;

	for (int i = 0; i < 2000; i++) {
		b += a * 0.5;
		if (i % 50 == 0)
			sched_yield();
	}
	if (b != fp_seed[k] * 0.5 * 2000)
		__atomic_fetch_add(&fp_bad, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void t_fenv__threads_keep_their_floating_point_state(void)
{
	pthread_t t[4];

	fp_bad = 0;
	for (uintptr_t i = 0; i < 4; i++)
		REQUIRE(pthread_create(&t[i], NULL, fp_worker, (void *)i) == 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK_EQ(fp_bad, 0);
}

static void t_strtod__parses_and_range_error(void)
{
	char *end;

	CHECK(strtod("2.5e3xyz", &end) == 2500.0);
	CHECK(strcmp(end, "xyz") == 0);
	errno = 0;
	strtod("1e999", NULL);
	CHECK_EQ(errno, ERANGE);
}

static void t_sqrt__and_libm(void)
{
	volatile double x = 2.0;

	CHECK(sqrt(x) > 1.41421356 && sqrt(x) < 1.41421357);
	CHECK(fabs(sin(0.0)) < 1e-12);
	CHECK(floor(-1.5) == -2.0);
}

static const struct conf_case cases[] = {
	CONF_CASE(strerror, every_errno_has_its_own_message),
	CONF_CASE(strerror, unknown_number_says_so),
	CONF_CASE(errno, values_are_the_kernel_abis),
	CONF_CASE(malloc, aligned_and_writable),
	CONF_CASE(malloc, exhaustion_is_ENOMEM),
	CONF_CASE(calloc, zeroes_and_detects_overflow),
	CONF_CASE(realloc, keeps_contents),
	CONF_CASE(free, memory_is_reused),
	CONF_CASE(posix_memalign, alignment_and_EINVAL),
	CONF_CASE(malloc, threads_share_the_heap_safely),
	CONF_CASE(snprintf, formats_and_reports_full_length),
	CONF_CASE(sscanf, parses_fields),
	CONF_CASE(printf, stdout_counts_and_flushes),
	CONF_CASE(fputs, to_stdout),
	CONF_CASE(strtol, range_error_is_ERANGE),
	CONF_CASE(qsort, sorts_and_bsearch_finds),
	CONF_CASE(setenv, set_get_unset),
	CONF_CASE(write, bad_fd_is_EBADF),
	CONF_CASE(write, bad_buffer_is_EFAULT),
	CONF_CASE(read, bad_fd_is_EBADF),
	CONF_CASE(close, bad_fd_is_EBADF),
	CONF_CASE(lseek, terminal_is_ESPIPE),
	CONF_CASE(getpid, first_process_is_positive),
	CONF_CASE(longjmp, returns_value_to_setjmp),
	CONF_CASE(memmove, handles_overlap),
	CONF_CASE(strtok_r, splits_in_place),
	CONF_CASE(posix_spawnattr_setflags, round_trip_and_bad_flags),
	CONF_CASE(posix_spawnattr_setpgroup, and_sigmask_round_trip),
	CONF_CASE(posix_spawn_file_actions_addclose, negative_fd_is_EBADF),
	CONF_CASE(waitpid, bad_options_is_EINVAL),
	CONF_CASE(waitid, needs_a_state_option),
	CONF_CASE(wait, status_macros_decode_taskmans_encoding),
	CONF_CASE(getuid, ids_come_from_the_kernel),
	CONF_CASE(sysconf, limits_and_bad_name),
	CONF_CASE(uname, names_the_system),
	CONF_CASE(gethostname, and_short_buffer),
	CONF_CASE(fenv, threads_keep_their_floating_point_state),
	CONF_CASE(strtod, parses_and_range_error),
	CONF_CASE(sqrt, and_libm),
};

int main(void)
{
	return conf_run("conf-libc", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
}
