/* conf-fork: fork, the exec family, the working directory and the boot
 * file system (/sbin/bootfs, started here).  fork is for single-threaded
 * processes, so this program makes no thread until its last case; its
 * file server is a child (/bin/conf-child serve).
 * Cases name the XSH page they check.  make run CMDLINE="init=/bin/conf-fork" */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/procinfo.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/iomsg.h>
#include <keel/procmsg.h>
#include <conf.h>
#include <server.h>

#define CHILD "/bin/conf-child"
#define FILE_ "/conf/fork"

extern char **environ;

/* The wait status of child pid, or -1000 - errno. */
static int reap(pid_t pid)
{
	int st = 0;

	if (pid < 0)
		return -1000 - errno;
	return waitpid(pid, &st, 0) == pid ? st : -1000 - errno;
}

static bool EXITED_WITH(int st, int code)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

/* Forks a child that runs fn(arg) and exits with its result: the status. */
static int in_child(int (*fn)(const void *), const void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(fn(arg));
	return reap(pid);
}

static int memo = 1;

static int change_memo(const void *arg)
{
	(void)arg;
	memo = 2;
	return memo;
}

static void t_fork__child_gets_zero_and_parent_its_pid(void)
{
	pid_t me = getpid(), pid = fork();

	if (pid == 0)
		_exit(getppid() == me && getpid() != me ? 7 : 1);
	REQUIRE(pid > 0);
	CHECK(pid != me);
	int st = 0;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(EXITED_WITH(st, 7));
}

static void t_fork__child_memory_is_a_copy(void)
{
	CHECK(EXITED_WITH(in_child(change_memo, NULL), 2));
	CHECK_EQ(memo, 1);
}

static int write_abc(const void *arg)
{
	return write(*(const int *)arg, "abc", 3) == 3 ? 0 : 1;
}

static void t_fork__open_files_share_the_offset(void)
{
	int fd = open(FILE_, O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	CHECK(EXITED_WITH(in_child(write_abc, &fd), 0));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3);            /* the child moved our offset */
	CHECK_EQ(write(fd, "d", 1), 1);
	char buf[8] = "";
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 4);
	CHECK(memcmp(buf, "abcd", 4) == 0);
	close(fd);
}

static int close_and_check(const void *arg)
{
	int fd = *(const int *)arg;
	return close(fd) == 0 ? 0 : 1;
}

static void t_fork__child_closing_leaves_parent_fd_open(void)
{
	int fd = open(FILE_, O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	CHECK(EXITED_WITH(in_child(close_and_check, &fd), 0));
	CHECK_EQ(write(fd, "still", 5), 5);
	close(fd);
}

static void t_execv__replaces_the_image_keeping_the_pid(void)
{
	pid_t me = getpid(), pid = fork();

	if (pid == 0) {
		char num[12];
		snprintf(num, sizeof num, "%d", (int)me);
		char *a[] = { CHILD, "ppid", num, NULL };
		execv(CHILD, a);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 0));
}

static void t_execve__passes_argv_and_envp(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *a[] = { CHILD, "env", "KEEL_FRUIT", "quince", NULL };
		char *e[] = { "X=1", "KEEL_FRUIT=quince", NULL };
		execve(CHILD, a, e);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 0));
}

static void t_execv__missing_file_fails_and_returns(void)
{
	char *a[] = { "/bin/no-such-program", NULL };

	CHECK_ERR(execv("/bin/no-such-program", a), ENOENT);
	CHECK_ERR(execv("/test/notelf", a), ENOEXEC);
	CHECK_ERR(execv(NULL, a), EFAULT);
}

static void t_execv__open_fds_stay_open(void)
{
	int fd = open(FILE_, O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		char num[12];
		snprintf(num, sizeof num, "%d", fd);
		char *a[] = { CHILD, "write", num, "kept", NULL };
		execv(CHILD, a);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 0));
	char buf[8] = "";
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), 4);
	CHECK(memcmp(buf, "kept", 4) == 0);
	close(fd);
}

static void t_execv__FD_CLOEXEC_fds_are_closed(void)
{
	int fd = open(FILE_, O_RDWR | O_CLOEXEC);

	REQUIRE(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		char num[12];
		snprintf(num, sizeof num, "%d", fd);
		char *a[] = { CHILD, "closed", num, NULL };
		execv(CHILD, a);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 0));
	CHECK_EQ(write(fd, "x", 1), 1);                 /* ours is still open */
	close(fd);
}

static void t_execvp__searches_PATH(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		setenv("PATH", "/no/such/dir:/bin", 1);
		char *a[] = { "conf-child", "exit", "5", NULL };
		execvp("conf-child", a);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 5));
	setenv("PATH", "/no/such/dir", 1);
	char *a[] = { "conf-child", NULL };
	CHECK_ERR(execvp("conf-child", a), ENOENT);
	unsetenv("PATH");
}

/* A file that is no program (a script without "#!") found by execvp runs
 * as a shell script (POSIX exec: execlp and execvp), its arguments after
 * it; execv of it is ENOEXEC.  (execvp failed with ENOEXEC too.) */
static void t_execvp__a_script_without_interpreter_runs_in_the_shell(void)
{
	int fd = open(FILE_, O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	REQUIRE(write(fd, "exit $(( 40 + $1 ))\n", 20) == 20);
	close(fd);
	REQUIRE(chmod(FILE_, 0755) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("PATH", "/conf", 1);
		char *a[] = { "fork", "2", NULL };
		execvp("fork", a);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 42));
	char *v[] = { FILE_, "2", NULL };
	CHECK_ERR(execv(FILE_, v), ENOEXEC);
	unsetenv("PATH");
	chmod(FILE_, 0644);
}

static void t_execl__list_form(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl(CHILD, CHILD, "exit", "9", (char *)NULL);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 9));
}

static void t_getcwd__starts_at_root_and_checks_size(void)
{
	char buf[64];

	CHECK(getcwd(buf, sizeof buf) == buf);
	CHECK(strcmp(buf, "/") == 0);
	CHECK(getcwd(buf, 1) == NULL && errno == ERANGE);
	CHECK(getcwd(buf, 0) == NULL && errno == EINVAL);
	char *m = getcwd(NULL, 0);
	CHECK(m && strcmp(m, "/") == 0);
	free(m);
}

static void t_chdir__errors(void)
{
	CHECK_ERR(chdir(FILE_), ENOTDIR);
	CHECK_ERR(chdir("/conf/none"), ENOENT);
	CHECK_ERR(chdir(""), ENOENT);
	CHECK_ERR(chdir(NULL), EFAULT);
	char buf[64];
	CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0);        /* unchanged */
}

static void t_open__relative_paths_and_dot_dot(void)
{
	int fd = open("conf/fork", O_RDONLY);           /* from "/" */

	CHECK(fd >= 0);
	close(fd);
	fd = open("/bin/../conf/./fork", O_RDONLY);
	CHECK(fd >= 0);
	close(fd);
	fd = open("../../conf//fork", O_RDONLY);        /* ".." of "/" is "/" */
	CHECK(fd >= 0);
	close(fd);
}

static void t_chdir__into_a_directory_and_back(void)
{
	char buf[64];

	CHECK_EQ(chdir("/bin"), 0);
	CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/bin") == 0);
	int fd = open("conf-child", O_RDONLY);          /* relative to /bin */
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(chdir("../test"), 0);
	CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/test") == 0);
	CHECK_EQ(chdir(".."), 0);
	CHECK(getcwd(buf, sizeof buf) && strcmp(buf, "/") == 0);
	CHECK_ERR(chdir("/bin/conf-child"), ENOTDIR);
}

static void t_posix_spawn__child_starts_in_the_parent_directory(void)
{
	char *a[] = { CHILD, "cwd", "/test", NULL };
	pid_t pid;

	REQUIRE(chdir("/test") == 0);
	CHECK_EQ(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL), 0);
	CHECK(EXITED_WITH(reap(pid), 0));
	char *r[] = { "../bin/conf-child", "cwd", "/test", NULL };      /* a relative path */
	CHECK_EQ(posix_spawn(&pid, r[0], NULL, NULL, r, NULL), 0);
	CHECK(EXITED_WITH(reap(pid), 0));
	chdir("/");
}

static void t_execv__keeps_the_working_directory(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *a[] = { CHILD, "cwd", "/sbin", NULL };
		if (chdir("/sbin") == 0)
			execv(CHILD, a);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 0));
}

static void t_read__boot_image_file_whole(void)
{
	static const char want[] = "this is not a program\n";
	char buf[64] = "";
	struct stat st;
	int fd = open("/test/notelf", O_RDONLY);

	REQUIRE(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, (off_t)strlen(want));
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(read(fd, buf, sizeof buf), (ssize_t)strlen(want));
	CHECK(strcmp(buf, want) == 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	close(fd);
	CHECK_EQ(stat("/bin/conf-child", &st), 0);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 0111) && st.st_size > 1000);
	CHECK_EQ(stat("/bin", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
}

static void t_readdir__boot_image_directory(void)
{
	DIR *d = opendir("/bin");
	int child = 0, self = 0, n = 0;
	struct dirent *e;

	REQUIRE(d != NULL);
	while ((e = readdir(d))) {
		n++;
		child += !strcmp(e->d_name, "conf-child") && e->d_type == DT_REG;
		self += !strcmp(e->d_name, "conf-fork");
	}
	closedir(d);
	CHECK_EQ(child, 1);
	CHECK_EQ(self, 1);
	CHECK(n > 10);
	d = opendir("/");
	int sbin = 0;
	while (d && (e = readdir(d)))
		sbin += !strcmp(e->d_name, "sbin") && e->d_type == DT_DIR;
	if (d)
		closedir(d);
	CHECK_EQ(sbin, 1);
}

static void t_open__boot_image_is_read_only(void)
{
	CHECK_ERR(open("/bin/conf-child", O_WRONLY), EROFS);
	CHECK_ERR(open("/bin/new-file", O_WRONLY | O_CREAT, 0644), EROFS);
	CHECK_ERR(open("/bin", O_RDWR), EISDIR);
	CHECK_ERR(open("/bin/none", O_RDONLY), ENOENT);
}

static void t_fexecve__runs_the_file_the_fd_names(void)
{
	int fd = open(CHILD, O_RDONLY);

	REQUIRE(fd >= 0);
	pid_t pid = fork();
	if (pid == 0) {
		char *a[] = { CHILD, "exit", "9", NULL };
		fexecve(fd, a, environ);
		_exit(99);
	}
	CHECK(EXITED_WITH(reap(pid), 9));
	close(fd);
}

static void t_fexecve__bad_fd_is_EBADF(void)
{
	char *a[] = { CHILD, "exit", "9", NULL };
	int fd = open(CHILD, O_RDONLY);

	REQUIRE(fd >= 0);
	close(fd);
	CHECK_ERR(fexecve(fd, a, environ), EBADF);      /* closed */
	CHECK_ERR(fexecve(-1, a, environ), EBADF);
	CHECK_ERR(fexecve(100000, a, environ), EBADF);
}

/* fexecve(fd) of CHILD "exit 9" in a child: its wait status; a failed
 * fexecve exits with 100 + errno. */
static int fexecve_child(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		char *a[] = { CHILD, "exit", "9", NULL };
		fexecve(fd, a, environ);
		_exit(100 + errno);
	}
	return reap(pid);
}

/* The fd's file is no longer what its path names (another server took the
 * name over: the longest attached name wins): fexecve must not run what
 * the path names now, but fail; once the name is back, it runs again. */
static void t_fexecve__path_naming_another_file_now_is_ENOENT(void)
{
	char *a[] = { CHILD, "serve", CHILD, NULL };
	int fd = open(CHILD, O_RDONLY);

	REQUIRE(fd >= 0);
	pid_t over = conf_start_server(a, CHILD);
	REQUIRE(over > 0);
	/* conf_start_server's "it opens" held before the server came (the boot
	 * image has the name): wait until the name is the server's file. */
	struct timespec tick = { 0, 5 * 1000 * 1000 };
	struct stat st, fst;
	int i = 0;
	while (i++ < 200 && (stat(CHILD, &st) != 0 || fstat(fd, &fst) != 0 ||
			     st.st_ino == fst.st_ino))
		nanosleep(&tick, NULL);
	CHECK(st.st_ino != fst.st_ino);
	CHECK(EXITED_WITH(fexecve_child(fd), 100 + ENOENT));
	kill(over, SIGKILL);
	reap(over);
	for (i = 0; i < 200 && stat(CHILD, &st) == 0 && fstat(fd, &fst) == 0 &&
	     st.st_ino != fst.st_ino; i++)
		nanosleep(&tick, NULL);                 /* until taskman dropped its name */
	CHECK(EXITED_WITH(fexecve_child(fd), 9));
	close(fd);
}

/* ---- memory from taskman: mmap, munmap, mprotect, and the heap ---- */

#define PG 4096

static void t_mmap__anonymous_memory_is_zeroed_and_writable(void)
{
	unsigned char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);

	REQUIRE(p != MAP_FAILED);
	CHECK(((uintptr_t)p & (PG - 1)) == 0);
	size_t nonzero = 0;
	for (size_t i = 0; i < 3 * PG; i++)
		nonzero += p[i] != 0;
	CHECK_EQ(nonzero, 0);
	for (size_t i = 0; i < 3 * PG; i++)
		p[i] = (unsigned char)(i * 7);
	CHECK_EQ(p[3 * PG - 1], (unsigned char)((3 * PG - 1) * 7));
	unsigned char *q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
	REQUIRE(q != MAP_FAILED);
	CHECK(q + PG <= p || q >= p + 3 * PG);          /* never over a live mapping */
	CHECK_EQ(munmap(p, 3 * PG), 0);
	CHECK_EQ(munmap(q, PG), 0);
}

/* A child's SIGSEGV ends it through this handler (a fault with no handler
 * is also reported on the console, which a test run takes for a crash):
 * exit 42 when si_addr is the address expected, 43 otherwise. */
static volatile uintptr_t fault_expected;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	_exit(sig == SIGSEGV && (uintptr_t)si->si_addr == fault_expected ? 42 : 43);
}

static int catch_segv(void)
{
	struct sigaction a = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };

	return sigaction(SIGSEGV, &a, NULL);
}

static int touch_unmapped(const void *arg)
{
	(void)arg;
	volatile unsigned char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANON, -1, 0);
	if (p == MAP_FAILED || catch_segv())
		return 2;
	p[0] = 1;
	if (munmap((void *)p, PG))
		return 3;
	fault_expected = (uintptr_t)p;
	return p[0] + 10;       /* SIGSEGV here */
}

static void t_munmap__a_touch_afterwards_is_SIGSEGV(void)
{
	CHECK(EXITED_WITH(in_child(touch_unmapped, NULL), 42));
}

static int write_read_only(const void *arg)
{
	(void)arg;
	volatile unsigned char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
					 MAP_PRIVATE | MAP_ANON, -1, 0);
	if (p == MAP_FAILED || catch_segv())
		return 2;
	p[PG] = 5;
	if (mprotect((void *)p, PG, PROT_READ))
		return 3;
	p[PG] = 6;              /* the second page stays writable */
	if (p[0] != 0 || p[PG] != 6)
		return 4;
	fault_expected = (uintptr_t)p + 8;
	p[8] = 1;               /* SIGSEGV here */
	return 5;
}

static void t_mprotect__a_write_to_a_read_only_page_is_SIGSEGV(void)
{
	CHECK(EXITED_WITH(in_child(write_read_only, NULL), 42));
	CHECK_ERR(mprotect((void *)(uintptr_t)1, PG, PROT_READ), EINVAL);
}

static void t_mmap__MAP_FIXED_replaces_only_its_range(void)
{
	unsigned char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);

	REQUIRE(p != MAP_FAILED);
	p[0] = 1;
	p[PG] = 2;
	unsigned char *q = mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON | MAP_FIXED,
				-1, 0);
	CHECK(q == p);
	CHECK_EQ(p[0], 0);                              /* new, zeroed */
	CHECK_EQ(p[PG], 2);                             /* untouched */
	CHECK(mmap(p + 1, PG, PROT_READ, MAP_PRIVATE | MAP_ANON | MAP_FIXED, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	CHECK_EQ(munmap(p, 2 * PG), 0);
}

static void t_mmap__bad_arguments(void)
{
	errno = 0;
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANON, -1, 0) == MAP_FAILED);
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0) == MAP_FAILED);     /* no file */
	CHECK_EQ(errno, EBADF);
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ, MAP_ANON, -1, 0) == MAP_FAILED);  /* neither kind */
	CHECK_EQ(errno, EINVAL);
}

static unsigned char *shared_probe;

static int write_probe(const void *arg)
{
	(void)arg;
	int was = shared_probe[100];
	shared_probe[100] = 9;
	return was;
}

static void t_fork__a_private_mapping_is_copied(void)
{
	shared_probe = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
	REQUIRE(shared_probe != MAP_FAILED);
	shared_probe[100] = 4;
	CHECK(EXITED_WITH(in_child(write_probe, NULL), 4));
	CHECK_EQ(shared_probe[100], 4);
	CHECK_EQ(munmap(shared_probe, PG), 0);
}

/* MAP_SHARED anonymous memory: the child writes the parent's pages (and
 * a grandchild the same ones), while a private page beside it is copied. */
static int write_shared(const void *arg)
{
	volatile unsigned char *p = (volatile unsigned char *)arg;
	int was = p[100];

	p[100] = 9;
	p[PG] = 7;                              /* the private page: a copy */
	if (was == 4) {
		pid_t g = fork();
		if (g == 0) {
			p[101] = 11;
			_exit(0);
		}
		if (g < 0 || !EXITED_WITH(reap(g), 0) || p[101] != 11)
			return 99;
	}
	return was;
}

/* A process's own shared memory may be made read-only and writable again
 * (only a read-only share from another process stays read-only). */
static void t_mprotect__own_shared_memory_back_to_writable(void)
{
	unsigned char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);

	REQUIRE(p != MAP_FAILED);
	p[0] = 5;
	CHECK_EQ(mprotect(p, PG, PROT_READ), 0);
	CHECK_EQ(mprotect(p, PG, PROT_READ | PROT_WRITE), 0);
	p[0] = 6;
	CHECK_EQ(p[0], 6);
	CHECK_EQ(munmap(p, PG), 0);
}

static void t_mmap__MAP_SHARED_stays_shared_with_forked_children(void)
{
	unsigned char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
	unsigned char *q = mmap(p + PG, PG, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANON | MAP_FIXED_NOREPLACE, -1, 0);

	REQUIRE(p != MAP_FAILED && q == p + PG);
	CHECK_EQ(p[100], 0);
	p[100] = 4;
	q[0] = 3;
	CHECK(EXITED_WITH(in_child(write_shared, p), 4));
	CHECK_EQ(p[100], 9);                    /* the child's store */
	CHECK_EQ(p[101], 11);                   /* the grandchild's */
	CHECK_EQ(q[0], 3);                      /* private: still ours */
	CHECK_EQ(munmap(p, 2 * PG), 0);
}

/* The bytes taskman says this process maps (_PROC_INFO, /proc's Memory). */
static uint64_t mapped_bytes(void)
{
	struct _proc_info pi;

	return proc_info(0, 0, &pi) == 0 ? pi.mem_bytes : 0;
}

static void t_mmap__counted_in_the_process_memory(void)
{
	uint64_t before = mapped_bytes();
	unsigned char *p = mmap(NULL, 5 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);

	REQUIRE(before > 0 && p != MAP_FAILED);
	CHECK_EQ(mapped_bytes(), before + 5 * PG);
	CHECK_EQ(munmap(p + PG, 2 * PG), 0);
	CHECK_EQ(mapped_bytes(), before + 3 * PG);
	CHECK_EQ(munmap(p, 5 * PG), 0);
	CHECK_EQ(mapped_bytes(), before);
}

/* In a child, so the limit goes with it. */
static int limited(const void *arg)
{
	(void)arg;
	struct rlimit rl = { .rlim_cur = mapped_bytes() + 16 * PG, .rlim_max = RLIM_INFINITY };

	if (rl.rlim_cur == 16 * PG || setrlimit(RLIMIT_AS, &rl))
		return 2;
	void *a = mmap(NULL, 10 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0);
	if (a == MAP_FAILED)
		return 3;
	errno = 0;
	if (mmap(NULL, 7 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0) != MAP_FAILED ||
	    errno != ENOMEM)
		return 4;                       /* 17 pages: past the limit */
	void *b = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON, -1, 0);
	if (b == MAP_FAILED)
		return 5;                       /* 16: at it */
	if (munmap(a, 10 * PG) || mmap(NULL, 10 * PG, PROT_READ, MAP_PRIVATE | MAP_ANON, -1, 0) ==
	    MAP_FAILED)
		return 6;                       /* room again */
	if (malloc(8u << 20) != NULL)
		return 7;                       /* the heap is mapped by the same rule */
	return 0;
}

static void t_setrlimit__RLIMIT_AS_bounds_mmap(void)
{
	CHECK_EQ(WEXITSTATUS(in_child(limited, NULL)), 0);
}

/* MAP_CONTIG is a driver's (the I/O privilege): a child spawned without it
 * is refused.  (ktest-taskman, which has it, checks the run itself.) */
static void t_mmap__MAP_CONTIG_needs_the_io_privilege(void)
{
	char *a[] = { CHILD, "contig", NULL };
	pid_t pid;

	CHECK_EQ(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL), 0);
	CHECK(EXITED_WITH(reap(pid), 0));
}

/* ---- shared memory objects: shm_open, shm_unlink, and mmap of them ---- */

#define SHM "/conf-fork-shm"

/* A forked child opens the object by name and maps it again: the pages
 * are the parent's. */
static int shm_child(const void *arg)
{
	(void)arg;
	int fd = shm_open(SHM, O_RDWR, 0);
	if (fd < 0)
		return 2;
	volatile unsigned char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 3;
	int was = p[PG + 5];
	p[PG + 6] = 66;
	return was;
}

static void t_shm_open__an_object_is_shared_by_name(void)
{
	shm_unlink(SHM);                        /* a run before may have left it */
	int fd = shm_open(SHM, O_RDWR | O_CREAT | O_EXCL, 0600);
	struct stat st;

	REQUIRE(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	CHECK(S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	CHECK_EQ(ftruncate(fd, 2 * PG), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 2 * PG);
	unsigned char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(p != MAP_FAILED);
	CHECK_EQ(p[0] + p[2 * PG - 1], 0);
	p[PG + 5] = 55;
	CHECK(EXITED_WITH(in_child(shm_child, NULL), 55));
	CHECK_EQ(p[PG + 6], 66);                /* the child's store, through its own map */
	unsigned char *q = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, PG);   /* at an offset */
	REQUIRE(q != MAP_FAILED);
	CHECK_EQ(q[6], 66);
	CHECK_EQ(munmap(q, PG), 0);
	CHECK_EQ(munmap(p, 2 * PG), 0);
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(shm_unlink(SHM), 0);
}

static void t_shm_open__errors(void)
{
	shm_unlink(SHM);
	int fd = shm_open(SHM, O_RDWR | O_CREAT, 0600);

	REQUIRE(fd >= 0);
	CHECK_ERR(shm_open(SHM, O_RDWR | O_CREAT | O_EXCL, 0600), EEXIST);
	CHECK_ERR(shm_open("/conf-fork-none", O_RDWR, 0), ENOENT);
	CHECK_ERR(shm_open("no-slash", O_RDWR | O_CREAT, 0600), EINVAL);
	CHECK_ERR(shm_open("/a/b", O_RDWR | O_CREAT, 0600), EINVAL);
	CHECK_ERR(shm_open(SHM, O_WRONLY, 0), EINVAL);
	CHECK_ERR(shm_unlink("/conf-fork-none"), ENOENT);
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED);     /* size 0 */
	CHECK_EQ(errno, ENXIO);
	CHECK_EQ(ftruncate(fd, PG), 0);
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 1) == MAP_FAILED);     /* unaligned */
	CHECK_EQ(errno, EINVAL);
	errno = 0;
	CHECK(mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED); /* past the end */
	CHECK_EQ(errno, ENXIO);
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	close(fd);
	shm_unlink(SHM);
}

/* /dev/shmem is every user's: one user's objects hold a quarter of the
 * server's budget at most (64 MiB by default), in 16 objects, and the rest
 * stays the others'.  (One user's two objects of 256 MiB took every page
 * of the machine.) */
static int shm_user_limits(const void *arg)
{
	char name[32];
	int fds[17], made = 0, bad = 0;

	(void)arg;
	if (setuid(100) != 0)
		return 1;
	int fd = shm_open("/conf-fork-big", O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return 2;
	bad += ftruncate(fd, 256 << 20) == 0 || errno != ENOSPC;        /* past its share */
	bad += ftruncate(fd, 8 << 20) != 0;                             /* within it */
	close(fd);
	shm_unlink("/conf-fork-big");
	for (; made < 17; made++) {
		snprintf(name, sizeof name, "/conf-fork-u%d", made);
		if ((fds[made] = shm_open(name, O_RDWR | O_CREAT, 0600)) < 0)
			break;
	}
	bad += made != 16 || errno != ENOSPC;
	for (int i = 0; i < made; i++) {
		snprintf(name, sizeof name, "/conf-fork-u%d", i);
		close(fds[i]);
		shm_unlink(name);
	}
	return bad ? 10 + bad : 0;
}

static void t_shm_open__a_users_objects_have_a_limit(void)
{
	CHECK(EXITED_WITH(in_child(shm_user_limits, NULL), 0));
	int fd = shm_open(SHM, O_RDWR | O_CREAT, 0600);         /* root's, after it */
	REQUIRE(fd >= 0);
	CHECK_EQ(ftruncate(fd, 32 << 20), 0);
	close(fd);
	shm_unlink(SHM);
}

/* A forked child of a process holding a read-only share holds it read-only too. */
static int protect_rw(const void *arg)
{
	return mprotect((void *)arg, PG, PROT_READ | PROT_WRITE) == -1 && errno == EACCES ? 42 : 1;
}

/* A read-only open maps only for reading, and the map stays so (in a
 * forked child too); a private map of it is a copy the object never sees. */
static void t_mmap__access_follows_the_open(void)
{
	shm_unlink(SHM);
	int rw = shm_open(SHM, O_RDWR | O_CREAT, 0600), ro = shm_open(SHM, O_RDONLY, 0);

	REQUIRE(rw >= 0 && ro >= 0);
	REQUIRE(ftruncate(rw, PG) == 0);
	unsigned char *w = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, rw, 0);
	REQUIRE(w != MAP_FAILED);
	w[1] = 1;
	errno = 0;
	CHECK(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0) == MAP_FAILED);
	CHECK_EQ(errno, EACCES);
	unsigned char *r = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	REQUIRE(r != MAP_FAILED);
	CHECK_EQ(r[1], 1);
	CHECK_ERR(mprotect(r, PG, PROT_READ | PROT_WRITE), EACCES);
	CHECK(EXITED_WITH(in_child(protect_rw, r), 42));
	unsigned char *c = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	REQUIRE(c != MAP_FAILED);
	CHECK_EQ(c[1], 1);
	c[1] = 9;                               /* the copy's own */
	CHECK_EQ(w[1], 1);
	w[2] = 2;
	CHECK_EQ(r[2], 2);
	CHECK_EQ(c[2], 0);                      /* copied when mapped */
	munmap(c, PG);
	munmap(r, PG);
	munmap(w, PG);
	close(ro);
	close(rw);
	shm_unlink(SHM);
}

/* A grant maps only into the process it names, and only once: the
 * server's grant for this process, tried by a forked child, is EINVAL;
 * here it maps once; a grant id nobody made is EINVAL. */
static long redeem(uint64_t grant)
{
	int tm = ConnectAttach(ND_LOCAL_NODE, TASKMAN_PID, TASKMAN_CHID, _NTO_SIDE_CHANNEL, 0);
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .len = PG, .prot = PROT_READ,
				.flags = MAP_SHARED | _PROC_MAP_GRANT, .paddr = grant };
	struct _proc_mmap_reply r = { 0 };
	long n = tm < 0 ? -EBADF : MsgSend_r(tm, &m, sizeof m, &r, sizeof r);

	if (tm >= 0)
		ConnectDetach(tm);
	return n < 0 ? n : (long)r.addr;
}

static int redeem_in_child(const void *arg)
{
	return redeem(*(const uint64_t *)arg) == -EINVAL ? 0 : 1;
}

static void t_mmap__a_grant_is_for_its_process_once(void)
{
	shm_unlink(SHM);
	int fd = shm_open(SHM, O_RDWR | O_CREAT, 0600);
	struct _io_mmap m = { .hdr.type = _IO_MMAP, .prot = PROT_READ, .flags = MAP_SHARED,
			      .len = PG };
	struct _io_mmap_reply r = { 0 };

	REQUIRE(fd >= 0 && ftruncate(fd, PG) == 0);
	REQUIRE(MsgSend(fd, &m, sizeof m, &r, sizeof r) == 0);
	CHECK(r.grant != 0);
	CHECK(EXITED_WITH(in_child(redeem_in_child, &r.grant), 0));
	long at = redeem(r.grant);
	CHECK(at > 0);
	CHECK_EQ(redeem(r.grant), -EINVAL);     /* used up */
	CHECK_EQ(redeem(r.grant + 1000), -EINVAL);
	CHECK_EQ(redeem(0), -EINVAL);
	if (at > 0)
		munmap((void *)at, PG);
	close(fd);
	shm_unlink(SHM);
}

/* shm_unlink removes the name at once; the object lives on in its opens
 * and maps (POSIX), and a new object of the name is another one. */
static void t_shm_unlink__the_object_outlives_its_name(void)
{
	shm_unlink(SHM);
	int fd = shm_open(SHM, O_RDWR | O_CREAT, 0600);
	struct stat st;

	REQUIRE(fd >= 0 && ftruncate(fd, PG) == 0);
	unsigned char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	REQUIRE(p != MAP_FAILED);
	p[0] = 7;
	CHECK_EQ(shm_unlink(SHM), 0);
	CHECK_ERR(shm_open(SHM, O_RDWR, 0), ENOENT);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, PG);
	unsigned char *q = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);       /* still mappable */
	REQUIRE(q != MAP_FAILED);
	CHECK_EQ(q[0], 7);
	int again = shm_open(SHM, O_RDWR | O_CREAT, 0600);
	REQUIRE(again >= 0);
	CHECK_EQ(fstat(again, &st), 0);
	CHECK_EQ(st.st_size, 0);                /* a new object */
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(p[0], 7);                      /* the map outlives name and open */
	p[0] = 8;
	CHECK_EQ(q[0], 8);
	struct _proc_info pi;
	CHECK_EQ(proc_info(0, 0, &pi), 0);
	CHECK_EQ(pi.shared_bytes, 2 * PG);      /* the two maps of the object */
	munmap(p, PG);
	munmap(q, PG);
	close(again);
	shm_unlink(SHM);
}

static void t_malloc__the_heap_grows_past_4_MiB(void)
{
	size_t n = 24u << 20;
	unsigned char *a = malloc(n), *b = malloc(PG);

	REQUIRE(a && b);
	a[0] = 1;
	a[n - 1] = 2;
	CHECK_EQ(a[0] + a[n - 1], 3);
	CHECK(b + PG <= a || b >= a + n);
	free(a);
	free(b);
}

static void *sit(void *arg)
{
	(void)arg;
	pause();
	return NULL;
}

/* Last: after it this process has a thread. */
static void t_fork__a_process_with_threads_gets_ENOSYS(void)
{
	pthread_t t;

	REQUIRE(pthread_create(&t, NULL, sit, NULL) == 0);
	CHECK_ERR(fork(), ENOSYS);
}

/* posix_spawn's file actions happen in the parent's working directory (as
 * if after fork): a relative path is relative to it.  From /bin,
 * "conf-child" is the child's own program; from "/", where the actions
 * looked it up, there is no such file and the child ended with 127. */
static void t_posix_spawn_file_actions_addopen__relative_to_the_working_directory(void)
{
	posix_spawn_file_actions_t fa;
	char *a[] = { CHILD, "exit", "0", NULL };
	pid_t pid = -1;

	REQUIRE(chdir("/bin") == 0);
	REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
	posix_spawn_file_actions_addopen(&fa, 6, "conf-child", O_RDONLY, 0);
	CHECK_EQ(posix_spawn(&pid, CHILD, &fa, NULL, a, NULL), 0);
	posix_spawn_file_actions_destroy(&fa);
	CHECK(pid > 0 && EXITED_WITH(reap(pid), 0));
	CHECK_EQ(chdir("/"), 0);
}

static const struct conf_case cases[] = {
	CONF_CASE(fork, child_gets_zero_and_parent_its_pid),
	CONF_CASE(fork, child_memory_is_a_copy),
	CONF_CASE(fork, open_files_share_the_offset),
	CONF_CASE(fork, child_closing_leaves_parent_fd_open),
	CONF_CASE(posix_spawn_file_actions_addopen, relative_to_the_working_directory),
	CONF_CASE(execv, replaces_the_image_keeping_the_pid),
	CONF_CASE(execve, passes_argv_and_envp),
	CONF_CASE(execv, missing_file_fails_and_returns),
	CONF_CASE(execv, open_fds_stay_open),
	CONF_CASE(execv, FD_CLOEXEC_fds_are_closed),
	CONF_CASE(execvp, searches_PATH),
	CONF_CASE(execvp, a_script_without_interpreter_runs_in_the_shell),
	CONF_CASE(execl, list_form),
	CONF_CASE(getcwd, starts_at_root_and_checks_size),
	CONF_CASE(chdir, errors),
	CONF_CASE(open, relative_paths_and_dot_dot),
	CONF_CASE(chdir, into_a_directory_and_back),
	CONF_CASE(posix_spawn, child_starts_in_the_parent_directory),
	CONF_CASE(execv, keeps_the_working_directory),
	CONF_CASE(read, boot_image_file_whole),
	CONF_CASE(readdir, boot_image_directory),
	CONF_CASE(open, boot_image_is_read_only),
	CONF_CASE(fexecve, runs_the_file_the_fd_names),
	CONF_CASE(fexecve, bad_fd_is_EBADF),
	CONF_CASE(fexecve, path_naming_another_file_now_is_ENOENT),
	CONF_CASE(mmap, anonymous_memory_is_zeroed_and_writable),
	CONF_CASE(munmap, a_touch_afterwards_is_SIGSEGV),
	CONF_CASE(mprotect, a_write_to_a_read_only_page_is_SIGSEGV),
	CONF_CASE(mmap, MAP_FIXED_replaces_only_its_range),
	CONF_CASE(mmap, bad_arguments),
	CONF_CASE(fork, a_private_mapping_is_copied),
	CONF_CASE(mmap, MAP_SHARED_stays_shared_with_forked_children),
	CONF_CASE(mprotect, own_shared_memory_back_to_writable),
	CONF_CASE(mmap, counted_in_the_process_memory),
	CONF_CASE(setrlimit, RLIMIT_AS_bounds_mmap),
	CONF_CASE(mmap, MAP_CONTIG_needs_the_io_privilege),
	CONF_CASE(shm_open, an_object_is_shared_by_name),
	CONF_CASE(shm_open, errors),
	CONF_CASE(shm_open, a_users_objects_have_a_limit),
	CONF_CASE(mmap, access_follows_the_open),
	CONF_CASE(shm_unlink, the_object_outlives_its_name),
	CONF_CASE(mmap, a_grant_is_for_its_process_once),
	CONF_CASE(malloc, the_heap_grows_past_4_MiB),
	CONF_CASE(fork, a_process_with_threads_gets_ENOSYS),     /* last: leaves a thread */
};

int main(void)
{
	char *a[] = { CHILD, "serve", FILE_, NULL }, *b[] = { "/sbin/bootfs", NULL };
	char *c[] = { "/sbin/shmem", NULL };
	pid_t server = conf_start_server(a, FILE_), bootfs = conf_start_server(b, "/bin");
	pid_t shmem = conf_start_server(c, "/dev/shmem");

	if (server < 0 || bootfs < 0 || shmem < 0) {
		conf_line("conf-fork: cannot start %s", server < 0 ? "the file server" :
			  bootfs < 0 ? "bootfs" : "shmem");
		return 2;
	}
	int r = conf_run("conf-fork", cases, sizeof cases / sizeof cases[0]);
	kill(server, SIGKILL);
	kill(bootfs, SIGKILL);
	kill(shmem, SIGKILL);
	reap(server);
	reap(bootfs);
	reap(shmem);
	return r ? 1 : 0;
}
