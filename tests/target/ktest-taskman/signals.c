/* ktest-taskman: signals and children (POSIX.1-2017 kill, waitpid, 2.4.3):
 * SIGCHLD, kill, stop and continue, process groups, who may signal whom. */
#include "ktest_taskman.h"

/* ---- signals and children (POSIX.1-2017 kill, waitpid, 2.4.3) ------------------------------- */

static sigset_t one_signal(int signo)
{
	sigset_t s = { { 0, 0 } };

	s.__bits[(signo - 1) / 32] |= 1u << ((signo - 1) % 32);
	return s;
}

void t_sigchld_names_the_child(void)
{
	sigset_t chld = one_signal(SIGCHLD), old;
	siginfo_t info;

	KTAP_EQ(SignalProcmask_r(0, 0, SIG_BLOCK, &chld, &old), 0);
	int pid = child("exit", "12", 0);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(SignalWaitinfo_r(&chld, &info), SIGCHLD);
	KTAP_EQ(info.si_pid, pid);
	KTAP_EQ(info.si_code, CLD_EXITED);
	KTAP_EQ(info.si_status, 12);
	KTAP_EQ(reap(pid), EXITED(12));
	SignalProcmask_r(0, 0, SIG_SETMASK, &old, 0);
}

void t_kill_is_wifsignaled(void)
{
	int pid = child("sleep", "2000", "0");
	struct _proc_wait_reply r;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(SignalKill_r(pid, 0, SIGTERM, 0, 0), 0);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.code, _PROC_CLD_KILLED);
	KTAP_EQ(r.signo, SIGTERM);
	KTAP_EQ(r.status, _PROC_W_SIGNALED(SIGTERM));
}

void t_stop_and_continue_reported(void)
{
	int pid = child("sleep", "300", "0");
	struct _proc_wait_reply r;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(SignalKill_r(pid, 0, SIGSTOP, 0, 0), 0);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WUNTRACED, &r), pid);
	KTAP_EQ(r.status, _PROC_W_STOPPED(SIGSTOP));
	KTAP_EQ(r.code, _PROC_CLD_STOPPED);
	/* Reported once: a second WUNTRACED|WNOHANG finds nothing new. */
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WUNTRACED | _PROC_WNOHANG, &r), 0);
	KTAP_EQ(SignalKill_r(pid, 0, SIGCONT, 0, 0), 0);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WCONTINUED, &r), pid);
	KTAP_EQ(r.status, _PROC_W_CONTINUED);
	KTAP_EQ(r.code, _PROC_CLD_CONTINUED);
	KTAP_EQ(SignalKill_r(pid, 0, SIGKILL, 0, 0), 0);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.signo, SIGKILL);
}

void t_sigkill_ends_a_stopped_child(void)
{
	int pid = child("sleep", "2000", "0");
	struct _proc_wait_reply r;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(SignalKill_r(pid, 0, SIGSTOP, 0, 0), 0);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WUNTRACED, &r), pid);
	KTAP_EQ(SignalKill_r(pid, 0, SIGKILL, 0, 0), 0);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.signo, SIGKILL);
}

/* Both members sleep 2 s, so both are there for the kill however slowly
 * the host runs us (a 30 ms sleeper could end by itself first). */
void t_kill_a_group(void)
{
	const char *argv[] = { "tm-child", "sleep", "2000", "0", 0 };
	int a = urt_tm_spawn(CHILD, argv, 0, _PROC_SPAWN_SETPGROUP, 0, 0, 0);
	struct _proc_wait_reply r;

	KTAP_REQUIRE(a > 1);
	int b = urt_tm_spawn(CHILD, argv, 0, _PROC_SPAWN_SETPGROUP, a, 0, 0);
	KTAP_REQUIRE(b > 1);
	KTAP_EQ(SignalKill_r(-a, 0, SIGKILL, 0, 0), 0);
	for (int i = 0; i < 2; i++) {
		int got = urt_tm_wait(_PROC_P_PGID, a, _PROC_WEXITED, &r);
		KTAP_CHECK(got == a || got == b);
		KTAP_EQ(r.signo, SIGKILL);
	}
	KTAP_EQ(SignalKill_r(-a, 0, SIGKILL, 0, 0), -ESRCH);     /* nobody left */
}

void t_taskman_is_shielded(void)
{
	KTAP_EQ(SignalKill_r(1, 0, SIGKILL, 0, 0), 0);           /* discarded */
	KTAP_EQ(child("exit", "0", 0) > 1, 1);                    /* still serving */
	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &(struct _proc_wait_reply){ 0 }) > 1, 1);
}

/* From a child without the manager's privilege, whose uid is its own. */
void t_kill_same_uid_only(void)
{
	KTAP_EQ(child_status("killown"), EXITED(0));
}
