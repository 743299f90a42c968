/* conf-process: processes through taskman (posix_spawn, waitpid, ids and
 * sessions) and files through the path manager (resmgr_attach, open),
 * including descriptors a spawned child inherits and the file actions of
 * posix_spawn.  The children are /bin/conf-child.  A server thread of
 * this process serves a memory file attached at /conf/mem.  Cases name the
 * XSH page they check.  make run CMDLINE="init=/bin/conf-process"     */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>
#include <conf.h>
#define MEMFILE_CAP 4096
#include <memfile.h>

#define CHILD "/bin/conf-child"

static iofunc_attr_t attr;
static resmgr_t *mgr;

static const resmgr_io_funcs_t io = { .read = mem_read, .write = mem_write };

static void *server(void *arg)
{
	(void)arg;
	resmgr_loop(mgr);
	return NULL;
}

/* Spawns conf-child with args; its wait status, or -1000 - errno. */
static int run(posix_spawn_file_actions_t *fa, char *const args[])
{
	pid_t pid;
	int st = 0;
	int r = posix_spawn(&pid, CHILD, fa, NULL, args, NULL);

	if (r)
		return -1000 - r;
	if (waitpid(pid, &st, 0) != pid)
		return -1000 - errno;
	return st;
}

/* (a function: its argument is often a spawn, which must run once) */
static bool EXITED_WITH(int st, int code)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == code;
}

static void t_posix_spawn__child_exit_status_reaches_waitpid(void)
{
	char *a0[] = { CHILD, "exit", "0", NULL }, *a7[] = { CHILD, "exit", "7", NULL };
	char *a255[] = { CHILD, "exit", "255", NULL };
	int st;

	st = run(NULL, a0);
	CHECK(EXITED_WITH(st, 0));
	st = run(NULL, a7);
	CHECK(EXITED_WITH(st, 7));
	st = run(NULL, a255);
	CHECK(EXITED_WITH(st, 255));
}

static void t_posix_spawn__missing_file_is_ENOENT(void)
{
	pid_t pid;
	char *a[] = { "/bin/no-such-program", NULL };

	CHECK_EQ(posix_spawn(&pid, "/bin/no-such-program", NULL, NULL, a, NULL), ENOENT);
}

static void t_posix_spawnp__searches_PATH(void)
{
	pid_t pid;
	int st = -1;
	char *a[] = { "conf-child", "exit", "3", NULL };

	setenv("PATH", "/nowhere:/bin", 1);
	REQUIRE(posix_spawnp(&pid, "conf-child", NULL, NULL, a, NULL) == 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(EXITED_WITH(st, 3));
	CHECK_EQ(posix_spawnp(&pid, "no-such-program", NULL, NULL, a, NULL), ENOENT);
}

/* POSIX posix_spawn: a scheduling priority the policy does not have is
 * EINVAL.  Said before any work: a hundred refused spawns (more than the
 * process manager has address spaces: each once leaked one) leave spawning
 * as it was. */
static void t_posix_spawn__bad_priority_is_EINVAL_and_costs_nothing(void)
{
	posix_spawnattr_t at;
	struct sched_param sp = { .sched_priority = 999 };
	char *a[] = { CHILD, "exit", "5", NULL };
	pid_t pid;
	int st = -1, bad = 0;

	REQUIRE(posix_spawnattr_init(&at) == 0);
	CHECK_EQ(posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSCHEDPARAM), 0);
	CHECK_EQ(posix_spawnattr_setschedparam(&at, &sp), 0);
	for (int i = 0; i < 100; i++)
		bad += posix_spawn(&pid, CHILD, NULL, &at, a, NULL) != EINVAL;
	CHECK_EQ(bad, 0);
	posix_spawnattr_destroy(&at);
	REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL) == 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(EXITED_WITH(st, 5));
}

static void t_getppid__child_sees_its_parent(void)
{
	char me[16];
	char *a[] = { CHILD, "ppid", me, NULL };

	snprintf(me, sizeof me, "%d", getpid());
	CHECK(EXITED_WITH(run(NULL, a), 0));
}

static void t_posix_spawn__argv_and_envp_arrive(void)
{
	char *a[] = { CHILD, "argc", "3", NULL };
	char *e[] = { CHILD, "env", "KEEL_COLOUR", "teal", NULL };
	char *env[] = { "A=1", "KEEL_COLOUR=teal", NULL };
	pid_t pid;
	int st = -1;

	CHECK(EXITED_WITH(run(NULL, a), 0));
	REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, e, env) == 0);
	waitpid(pid, &st, 0);
	CHECK(EXITED_WITH(st, 0));
}

static void t_waitpid__WNOHANG_returns_zero_while_running(void)
{
	char *a[] = { CHILD, "sleep", "100", NULL };
	pid_t pid;
	int st = -1;

	REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL) == 0);
	CHECK_EQ(waitpid(pid, &st, WNOHANG), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(EXITED_WITH(st, 0));
}

static void t_waitpid__no_such_child_is_ECHILD(void)
{
	int st;

	CHECK_ERR(waitpid(1, &st, 0), ECHILD);          /* taskman is no child of ours */
	CHECK_ERR(waitpid(-1, &st, WNOHANG), ECHILD);   /* no children at all now */
}

static void t_wait__any_child(void)
{
	char *a[] = { CHILD, "exit", "9", NULL };
	pid_t pid;
	int st = -1;

	REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL) == 0);
	CHECK_EQ(wait(&st), pid);
	CHECK(EXITED_WITH(st, 9));
}

static void t_waitid__reports_exit_code(void)
{
	char *a[] = { CHILD, "exit", "4", NULL };
	pid_t pid;
	siginfo_t si;

	REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL) == 0);
	CHECK_EQ(waitid(P_PID, (id_t)pid, &si, WEXITED), 0);
	CHECK_EQ(si.si_pid, pid);
	CHECK_EQ(si.si_code, CLD_EXITED);
	CHECK_EQ(si.si_status, 4);
}

static void t_setsid__child_leads_a_new_session(void)
{
	char *a[] = { CHILD, "setsid", NULL };

	CHECK(EXITED_WITH(run(NULL, a), 0));
}

static void t_getpgid__and_getsid_of_self(void)
{
	CHECK(getpgid(0) > 0);
	CHECK(getsid(0) > 0);
	CHECK_EQ(getpgrp(), getpgid(0));
	CHECK_ERR(getpgid(99999), ESRCH);
}

static void t_open__through_the_path_manager(void)
{
	int fd = open("/conf/mem", O_RDWR | O_TRUNC);
	char buf[8] = "";

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "path", 4), 4);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 4);
	CHECK(memcmp(buf, "path", 4) == 0);
	CHECK_EQ(close(fd), 0);
}

static void t_open__unknown_name_is_ENOENT(void)
{
	CHECK_ERR(open("/conf/nothing-here", O_RDONLY), ENOENT);
	CHECK_ERR(open("/no/such/place", O_RDONLY), ENOENT);
	CHECK_ERR(open("", O_RDONLY), ENOENT);
	CHECK_ERR(open(NULL, O_RDONLY), EFAULT);
}

static void t_open__a_child_opens_by_path_and_writes(void)
{
	char *a[] = { CHILD, "openwrite", "/conf/mem", "child", NULL };
	char buf[16] = "";
	int fd = open("/conf/mem", O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	int st = run(NULL, a);
	CHECK_EQ(WEXITSTATUS(st), 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 5);
	CHECK(memcmp(buf, "child", 5) == 0);
	close(fd);
}

static void t_posix_spawn__child_inherits_open_fds(void)
{
	int fd = open("/conf/mem", O_RDWR | O_TRUNC);
	char num[12], buf[16] = "";

	REQUIRE(fd >= 0);
	snprintf(num, sizeof num, "%d", fd);
	char *a[] = { CHILD, "write", num, "inherited", NULL };
	CHECK(EXITED_WITH(run(NULL, a), 0));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 9);            /* the child moved our offset */
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ(read(fd, buf, sizeof buf), 9);
	CHECK(memcmp(buf, "inherited", 9) == 0);
	close(fd);
}

static void t_posix_spawn_file_actions_addopen__opens_in_the_child(void)
{
	posix_spawn_file_actions_t fa;
	char *a[] = { CHILD, "write", "6", "opened", NULL };
	char buf[16] = "";

	int fd = open("/conf/mem", O_RDWR | O_TRUNC);
	REQUIRE(fd >= 0);
	REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
	posix_spawn_file_actions_addopen(&fa, 6, "/conf/mem", O_WRONLY | O_APPEND, 0);
	CHECK(EXITED_WITH(run(&fa, a), 0));
	posix_spawn_file_actions_destroy(&fa);
	CHECK_EQ(read(fd, buf, sizeof buf), 6);
	CHECK(memcmp(buf, "opened", 6) == 0);
	close(fd);
}

/* Runs the children "write 9 <word>" and "closed <fd>" with fa: both must
 * end with 0, and fd must then hold word (written through fd 9). */
static void dup2_to_nine(posix_spawn_file_actions_t *fa, int fd, const char *word)
{
	char num[12], buf[16] = "";
	size_t n = strlen(word);

	snprintf(num, sizeof num, "%d", fd);
	char *w[] = { CHILD, "write", "9", (char *)word, NULL };
	CHECK(EXITED_WITH(run(fa, w), 0));
	char *c[] = { CHILD, "closed", num, NULL };
	CHECK(EXITED_WITH(run(fa, c), 0));
	lseek(fd, 0, SEEK_SET);
	CHECK_EQ(read(fd, buf, sizeof buf), (ssize_t)n);
	CHECK(memcmp(buf, word, n) == 0);
}

static void t_posix_spawn_file_actions_adddup2__and_addclose(void)
{
	posix_spawn_file_actions_t fa;
	int fd = open("/conf/mem", O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 9);
	posix_spawn_file_actions_addclose(&fa, fd);
	dup2_to_nine(&fa, fd, "duped");
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
}

/* File actions see the parent's FD_CLOEXEC descriptors (POSIX: as if
 * after fork, before exec): the pipe-capture pattern, a close-on-exec fd
 * dup2'd onto a standard one, works; the close-on-exec fd itself is not
 * the child's afterwards.  (The child ended with 127: it had no such fd.) */
static void t_posix_spawn_file_actions_adddup2__of_a_close_on_exec_fd(void)
{
	posix_spawn_file_actions_t fa;
	int fd = open("/conf/mem", O_RDWR | O_TRUNC | O_CLOEXEC);

	REQUIRE(fd >= 0);
	REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
	posix_spawn_file_actions_adddup2(&fa, fd, 9);   /* no addclose: fd goes by itself */
	dup2_to_nine(&fa, fd, "cloexec");
	posix_spawn_file_actions_destroy(&fa);
	close(fd);
}

static void t_posix_spawn__failed_file_action_ends_child_with_127(void)
{
	posix_spawn_file_actions_t fa;
	char *a[] = { CHILD, "exit", "0", NULL };

	REQUIRE(posix_spawn_file_actions_init(&fa) == 0);
	posix_spawn_file_actions_addopen(&fa, 5, "/conf/absent", O_RDONLY, 0);
	CHECK(EXITED_WITH(run(&fa, a), 127));
	posix_spawn_file_actions_destroy(&fa);
}

static void t_stat__by_path_through_the_path_manager(void)
{
	struct stat st;
	int fd = open("/conf/mem", O_RDWR | O_TRUNC);

	REQUIRE(fd >= 0);
	write(fd, "12345", 5);
	CHECK_EQ(stat("/conf/mem", &st), 0);
	CHECK_EQ(st.st_size, 5);
	CHECK(S_ISREG(st.st_mode));
	CHECK_ERR(stat("/conf/none", &st), ENOENT);
	CHECK_ERR(stat("/conf/mem", NULL), EFAULT);
	close(fd);
}

static void t_access__existence_and_modes(void)
{
	CHECK_EQ(access("/conf/mem", F_OK), 0);
	CHECK_EQ(access("/conf/mem", R_OK | W_OK), 0);
	CHECK_ERR(access("/conf/mem", X_OK), EACCES);   /* 0666: nobody may run it */
	CHECK_ERR(access("/conf/none", F_OK), ENOENT);
	CHECK_ERR(access("/conf/mem", 0100), EINVAL);
}

static void t_fcntl__cloexec_fd_is_not_inherited(void)
{
	int fd = open("/conf/mem", O_RDWR | O_CLOEXEC);
	char num[12];

	REQUIRE(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
	snprintf(num, sizeof num, "%d", fd);
	char *a[] = { CHILD, "closed", num, NULL };
	CHECK(EXITED_WITH(run(NULL, a), 0));
	CHECK_EQ(fcntl(fd, F_SETFD, 0), 0);
	CHECK_EQ(fcntl(fd, F_GETFD), 0);
	char *w[] = { CHILD, "write", num, "x", NULL };
	CHECK(EXITED_WITH(run(NULL, w), 0));            /* now it is inherited */
	close(fd);
}

static void t_fcntl__dupfd_at_or_above(void)
{
	int fd = open("/conf/mem", O_RDWR);

	REQUIRE(fd >= 0);
	int d = fcntl(fd, F_DUPFD, 8);
	CHECK(d >= 8);
	int c = fcntl(fd, F_DUPFD_CLOEXEC, 5);
	CHECK(c >= 5);
	CHECK_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
	CHECK_EQ(fcntl(d, F_GETFD), 0);
	CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
	CHECK_ERR(fcntl(77, F_GETFD), EBADF);
	/* Far above the lowest free number, within OPEN_MAX (which is the
	 * descriptor limit): once EMFILE and EBADF past 64 free numbers. */
	struct rlimit rl;
	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK(sysconf(_SC_OPEN_MAX) >= 200 && sysconf(_SC_OPEN_MAX) == (long)rl.rlim_cur);
	int far = fcntl(fd, F_DUPFD, 150);
	CHECK(far >= 150);
	CHECK_EQ(dup2(fd, 200), 200);
	CHECK_EQ(write(200, "", 0), 0);
	close(far);
	close(200);
	close(c);
	close(d);
	close(fd);
}

static void t_isatty__console_yes_file_no(void)
{
	int fd = open("/conf/mem", O_RDONLY);

	REQUIRE(fd >= 0);
	CHECK_EQ(isatty(1), 1);
	errno = 0;
	CHECK_EQ(isatty(fd), 0);
	CHECK_EQ(errno, ENOTTY);
	CHECK_EQ(isatty(88), 0);
	CHECK_EQ(errno, EBADF);
	close(fd);
}

static void t_getrlimit__nofile_and_errors(void)
{
	struct rlimit rl = { 0, 0 };

	CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
	CHECK(rl.rlim_cur > 0 && rl.rlim_cur <= rl.rlim_max);
	CHECK_ERR(getrlimit(99, &rl), EINVAL);
	CHECK_ERR(getrlimit(RLIMIT_NOFILE, NULL), EFAULT);
}

static void t_setrlimit__lowers_and_checks(void)
{
	struct rlimit old, rl, back;

	REQUIRE(getrlimit(RLIMIT_CORE, &old) == 0);
	rl.rlim_cur = 0;
	rl.rlim_max = old.rlim_max;
	CHECK_EQ(setrlimit(RLIMIT_CORE, &rl), 0);
	CHECK_EQ(getrlimit(RLIMIT_CORE, &back), 0);
	CHECK_EQ(back.rlim_cur, 0);
	rl.rlim_cur = 10;
	rl.rlim_max = 5;
	CHECK_ERR(setrlimit(RLIMIT_CORE, &rl), EINVAL);         /* cur above max */
	setrlimit(RLIMIT_CORE, &old);
}

static void t_write__server_dying_mid_request_is_EBADF(void)
{
	char *a[] = { CHILD, "serve-die", "/conf/dies", NULL };
	pid_t pid;
	int fd = -1, st = -1;

	REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL) == 0);
	for (int i = 0; i < 400 && fd < 0; i++) {       /* until it has attached */
		fd = open("/conf/dies", O_RDWR);
		if (fd < 0) {
			struct timespec ts = { 0, 5000000 };
			nanosleep(&ts, NULL);
		}
	}
	REQUIRE(fd >= 0);
	CHECK_ERR(write(fd, "x", 1), EBADF);            /* not a hang */
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(EXITED_WITH(st, 0));
	CHECK_ERR(write(fd, "x", 1), EBADF);            /* and the fd stays dead */
	CHECK_EQ(close(fd), 0);                         /* close still frees it */
	CHECK_ERR(open("/conf/dies", O_RDWR), ENOENT);  /* its name went with it */
}

static void t_resmgr_attach__bad_paths_are_refused(void)
{
	CHECK_ERR(resmgr_attach(mgr, "relative", _FTYPE_ANY, 0), EINVAL);
	CHECK_ERR(resmgr_attach(mgr, "/conf/../x", _FTYPE_ANY, 0), EINVAL);
}

static void t_resmgr__opens_of_a_dead_client_are_closed(void)
{
	char *a[] = { CHILD, "write", "3", "x", NULL };
	int fd = open("/conf/mem", O_RDWR);
	unsigned before;

	REQUIRE(fd == 3);
	before = resmgr_open_count(mgr);
	CHECK(EXITED_WITH(run(NULL, a), 0));    /* it held fd 3 too, and ended */
	for (int i = 0; i < 100 && resmgr_open_count(mgr) != before; i++) {
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
	CHECK_EQ(resmgr_open_count(mgr), before);
	close(fd);
}

/* A child stopped in the middle of a 1 s sleep and continued wakes when
 * its sleep ends: the kernel restarts the broken wait with its deadline. */
static void t_kill__stopped_and_continued_child_finishes_its_sleep(void)
{
	char *a[] = { CHILD, "sleep", "1000", NULL };
	struct timespec t0, t1, pause = { 0, 300000000 };
	pid_t pid;
	int st = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL) == 0);
	nanosleep(&pause, NULL);
	CHECK_EQ(kill(pid, SIGSTOP), 0);
	CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
	CHECK(WIFSTOPPED(st));
	nanosleep(&pause, NULL);
	CHECK_EQ(kill(pid, SIGCONT), 0);
	for (int i = 0; i < 100; i++) {                 /* at most 5 s */
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			break;
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!WIFEXITED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		CONF_FAIL("the continued child never ended its sleep");
		return;
	}
	CHECK_EQ(WEXITSTATUS(st), 0);
	double took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	CHECK(took >= 0.9 && took < 4.0);
}

/* Stopped and continued again before the parent waits: waitpid with
 * WUNTRACED reports the child's end, never a stop that is over (a shell's
 * `wait` and `fg` took such a stale stop for the job's state). */
static void t_waitpid__a_stop_already_continued_is_not_reported(void)
{
	char *a[] = { CHILD, "sleep", "300", NULL };
	pid_t pid;
	int st = 0, stale = 0;

	for (int round = 0; round < 5; round++) {
		REQUIRE(posix_spawn(&pid, CHILD, NULL, NULL, a, NULL) == 0);
		for (int i = 0; i < 20; i++) {
			CHECK_EQ(kill(pid, SIGSTOP), 0);
			CHECK_EQ(kill(pid, SIGCONT), 0);
		}
		CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
		if (WIFSTOPPED(st)) {
			stale++;
			kill(pid, SIGCONT);
			waitpid(pid, &st, 0);
		}
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	CHECK_EQ(stale, 0);
}

static const struct conf_case cases[] = {
	CONF_CASE(posix_spawn, child_exit_status_reaches_waitpid),
	CONF_CASE(posix_spawn, missing_file_is_ENOENT),
	CONF_CASE(posix_spawnp, searches_PATH),
	CONF_CASE(posix_spawn, bad_priority_is_EINVAL_and_costs_nothing),
	CONF_CASE(getppid, child_sees_its_parent),
	CONF_CASE(posix_spawn, argv_and_envp_arrive),
	CONF_CASE(waitpid, WNOHANG_returns_zero_while_running),
	CONF_CASE(waitpid, no_such_child_is_ECHILD),
	CONF_CASE(wait, any_child),
	CONF_CASE(waitid, reports_exit_code),
	CONF_CASE(setsid, child_leads_a_new_session),
	CONF_CASE(getpgid, and_getsid_of_self),
	CONF_CASE(open, through_the_path_manager),
	CONF_CASE(open, unknown_name_is_ENOENT),
	CONF_CASE(open, a_child_opens_by_path_and_writes),
	CONF_CASE(posix_spawn, child_inherits_open_fds),
	CONF_CASE(posix_spawn_file_actions_addopen, opens_in_the_child),
	CONF_CASE(posix_spawn_file_actions_adddup2, of_a_close_on_exec_fd),
	CONF_CASE(posix_spawn_file_actions_adddup2, and_addclose),
	CONF_CASE(posix_spawn, failed_file_action_ends_child_with_127),
	CONF_CASE(stat, by_path_through_the_path_manager),
	CONF_CASE(access, existence_and_modes),
	CONF_CASE(fcntl, cloexec_fd_is_not_inherited),
	CONF_CASE(fcntl, dupfd_at_or_above),
	CONF_CASE(isatty, console_yes_file_no),
	CONF_CASE(getrlimit, nofile_and_errors),
	CONF_CASE(setrlimit, lowers_and_checks),
	CONF_CASE(write, server_dying_mid_request_is_EBADF),
	CONF_CASE(resmgr_attach, bad_paths_are_refused),
	CONF_CASE(resmgr, opens_of_a_dead_client_are_closed),
	CONF_CASE(kill, stopped_and_continued_child_finishes_its_sleep),
	CONF_CASE(waitpid, a_stop_already_continued_is_not_reported),
};

int main(void)
{
	pthread_t t;
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);

	iofunc_attr_init(&attr, S_IFREG | 0666);
	mgr = chid >= 0 ? resmgr_create(chid, NULL, &io, &attr) : NULL;
	if (!mgr || pthread_create(&t, NULL, server, NULL) ||
	    resmgr_attach(mgr, "/conf/mem", _FTYPE_FILE, 0) < 0) {
		conf_line("conf-process: cannot start the server: %s", strerror(errno));
		return 2;
	}
	return conf_run("conf-process", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
}
