/* ktest-taskman: fork and exec (POSIX.1-2017 fork, exec): copy on write,
 * what a child inherits, what exec keeps and what it ends. */
#include "ktest_taskman.h"

/* ---- fork and exec (POSIX.1-2017 fork, exec) -------------------------------------------- */

static volatile int cow_word = 5;

void t_fork_child_returns_zero(void)
{
	int pid = urt_tm_fork();

	if (pid == 0)
		ProcessExit(42);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(42));
}

void t_fork_copy_on_write(void)
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		cow_word = 7;
		ProcessExit(cow_word);
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(7));
	KTAP_EQ(cow_word, 5);
}

void t_fork_child_ids(void)
{
	int me = my_pid();
	int pid = urt_tm_fork();

	if (pid == 0) {
		struct _proc_ids ids;
		int ok = urt_tm_ids(0, &ids) == 0 && ids.ppid == me && ids.pid == my_pid() &&
			 ids.pid != me;
		ProcessExit(ok ? 0 : 1);
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void *idle_thread(void *arg)
{
	urt_sleep_ms(100);
	return arg;
}

void t_fork_threaded_enosys(void)
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		static char stack[8192];
		int tid = urt_thread_create(idle_thread, 0, stack, sizeof stack, 0);
		int r = tid > 0 ? urt_tm_fork() : -1;  /* while the thread lives */
		if (tid > 0)
			ThreadJoin_r(tid, 0);
		ProcessExit(r == -ENOSYS ? 0 : r == 0 ? 2 : 1);
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_fork_many(void)
{
	for (int i = 0; i < 50; i++) {
		int pid = urt_tm_fork();
		if (pid == 0)
			ProcessExit(i);
		KTAP_REQUIRE(pid > 1);
		KTAP_EQ(reap(pid), EXITED(i));
	}
}

void t_exec_replaces_image(void)
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		const char *argv[] = { "tm-child", "exit", "33", 0 };
		int r = urt_tm_exec(CHILD, argv, 0);
		ProcessExit(100 - r);           /* only if exec failed */
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(33));
}

void t_exec_keeps_pid_and_parent(void)
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		const char *argv[] = { "tm-child", "ids", 0 };
		urt_tm_exec(CHILD, argv, 0);
		ProcessExit(50);
	}
	KTAP_REQUIRE(pid > 1);
	struct _proc_wait_reply r;
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);  /* the same pid */
	KTAP_EQ(r.status, EXITED(0));
}

void t_exec_failure_returns(void)
{
	const char *argv[] = { "x", 0 };

	KTAP_EQ(urt_tm_exec("/bin/no-such-program", argv, 0), -ENOENT);
	KTAP_EQ(urt_tm_exec("/test/notelf", argv, 0), -ENOEXEC);
	KTAP_EQ(urt_tm_exec("/bin", argv, 0), -EACCES);
	KTAP_EQ(cow_word, 5);                   /* still us */
}

void t_exec_setpgid_after_exec_eacces(void)
{
	int pid = child("sleep", "40", "0");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(setpgid_(pid, 0), 0);           /* a spawned child has not exec'd */
	int f = urt_tm_fork();
	if (f == 0) {
		const char *argv[] = { "tm-child", "sleep", "300", "0", 0 };
		urt_tm_exec(CHILD, argv, 0);
		ProcessExit(50);
	}
	KTAP_REQUIRE(f > 1);
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .pid = f };
	struct _proc_info info = { 0 };
	for (int i = 0; i < 400 && strcmp(info.name, "tm-child"); i++) {
		urt_sleep_ms(5);                /* until taskman has seen the exec */
		urt_tm_send(&m, sizeof m, &info, sizeof info);
	}
	KTAP_EQ(strcmp(info.name, "tm-child"), 0);
	KTAP_EQ(setpgid_(f, 0), -EACCES);
	KTAP_EQ(reap(f), EXITED(0));
	KTAP_EQ(reap(pid), EXITED(0));
}

/* ---- exec with threads and scripts, what a fork inherits --------------------------------- */

static void *sleeper(void *arg)
{
	urt_sleep_ms(5000);
	return arg;
}

void t_exec_ends_other_threads(void)
{
	uint64_t t0 = 0, t1 = 0;
	int pid = urt_tm_fork();

	if (pid == 0) {
		static char stack[8192];
		const char *argv[] = { "tm-child", "exit", "21", 0 };
		if (urt_thread_create(sleeper, 0, stack, sizeof stack, 0) < 0)
			ProcessExit(1);
		urt_tm_exec(CHILD, argv, 0);
		ProcessExit(2);
	}
	KTAP_REQUIRE(pid > 1);
	ClockTime_r(CLOCK_MONOTONIC, 0, &t0);
	KTAP_EQ(reap(pid), EXITED(21));
	ClockTime_r(CLOCK_MONOTONIC, 0, &t1);
	KTAP_CHECK(t1 - t0 < 2000 * 1000000ul);         /* not after the sleeper's 5 s */
}

void t_exec_runs_a_script(void)
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		const char *argv[] = { "script", "x", 0 };
		int r = urt_tm_exec("/test/script", argv, 0);
		ProcessExit(100 - r);
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_exec_malformed_einval(void)
{
	static char buf[128];
	struct _proc_spawn *m = (void *)buf;

	*m = (struct _proc_spawn){ .hdr.type = _PROC_EXEC, .pathlen = 14, .argc = 0 };
	memcpy(m + 1, CHILD, 14);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 14, 0, 0), -EINVAL);       /* no argv[0] */
	m->argc = 1;
	m->argvlen = 3;
	memcpy(buf + sizeof *m + 14, "abc", 3);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 17, 0, 0), -EINVAL);       /* not terminated */
	KTAP_EQ(urt_tm_exec("/test/truncated", (const char *[]){ "t", 0 }, 0), -ENOEXEC);
	KTAP_EQ(my_pid() > 1, 1);                       /* still here, still served */
	KTAP_EQ(urt_tm_ids(0, &(struct _proc_ids){ 0 }), 0);
}

static int fork_inherit_checks(void)
{
	struct _proc_ids me;
	uint64_t cur = 0, max = 0;

	if (urt_tm_ids(0, &me))
		return 1;
	int pid = urt_tm_fork();
	if (pid == 0) {
		struct _proc_ids ids;
		struct _cred_info c;
		if (urt_tm_ids(0, &ids) || ids.ppid != me.pid || ids.pgid != me.pgid ||
		    ids.sid != me.sid)
			ProcessExit(1);
		if (my_cred(&c) || c.ruid != 900 || c.euid != 900)
			ProcessExit(2);
		if (rlimit(0, _PROC_RLIMIT_NOFILE, &cur, &max) || cur != 33 || max != 44)
			ProcessExit(3);
		ProcessExit(0);
	}
	if (pid < 0)
		return 50;
	int st = reap(pid);
	return st == EXITED(0) ? 0 : 10 + (st >> 8);
}

static int fork_inherit_setup(void)
{
	uint64_t cur = 33, max = 44;
	struct _proc_hdr m = { .type = _PROC_SETSID };

	if (urt_tm_send(&m, sizeof m, 0, 0) <= 0 || rlimit(1, _PROC_RLIMIT_NOFILE, &cur, &max) ||
	    setcred(_PROC_SETRESUID, 900, 900, 900))
		return 60;
	return fork_inherit_checks();
}

void t_fork_inherits_group_creds_limits(void)
{
	KTAP_EQ(in_child(fork_inherit_setup), EXITED(0));
}

static int fork_nproc_checks(void)
{
	if (!as_uid_with_limit(602, _PROC_RLIMIT_NPROC, 1, 1))
		return 1;
	int pid = urt_tm_fork();
	if (pid == 0)
		ProcessExit(0);
	if (pid > 0) {
		reap(pid);
		return 2;
	}
	return pid == -EAGAIN ? 0 : 3;
}

void t_fork_rlimit_nproc_eagain(void)
{
	KTAP_EQ(in_child(fork_nproc_checks), EXITED(0));
}
