/* ktest-taskman: wait (POSIX.1-2017 waitpid, waitid), zombies, orphans and
 * daemons; taskman's message loop and its process information. */
#include "ktest_taskman.h"

/* ---- wait (POSIX.1-2017 waitpid, waitid) ----------------------------------------------- */

void t_wait_no_children_echild(void)
{
	struct _proc_wait_reply r;

	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, 4242, _PROC_WEXITED, &r), -ECHILD);
}

void t_wait_wnohang_running(void)
{
	struct _proc_wait_reply r;
	int pid = child("sleep", "50", "4");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED | _PROC_WNOHANG, &r), 0);
	KTAP_EQ(reap(pid), EXITED(4));
}

/* The wait returns only once the child has slept its 30 ms: timed from
 * before the spawn, since the child may start its sleep before the spawn's
 * reply reaches us (on a busy host, well before). */
void t_wait_blocks_until_exit(void)
{
	uint64_t t0 = 0, t1 = 0;

	ClockTime_r(CLOCK_MONOTONIC, 0, &t0);
	int pid = child("sleep", "30", "6");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(6));
	ClockTime_r(CLOCK_MONOTONIC, 0, &t1);
	KTAP_CHECK(t1 - t0 >= 20 * 1000000ul);
}

void t_wait_any_reports_each_once(void)
{
	int a = child("exit", "1", 0), b = child("exit", "2", 0);
	struct _proc_wait_reply r;
	int seen = 0;

	KTAP_REQUIRE(a > 1 && b > 1);
	for (int i = 0; i < 2; i++) {
		int got = urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &r);
		KTAP_CHECK(got == a || got == b);
		KTAP_EQ(r.status, EXITED(got == a ? 1 : 2));
		KTAP_EQ(r.code, _PROC_CLD_EXITED);
		seen |= got == a ? 1 : 2;
	}
	KTAP_EQ(seen, 3);
	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &r), -ECHILD);
}

/* A thread parked in a wait that is destroyed takes nothing: taskman hears
 * of its end (the unblock pulse, its channel asks for them) and lets the
 * wait go, so 300 of them neither fill its table of parked waits (256) nor
 * take the child's report, which the next wait gets.  (Before, each stayed
 * parked: the table filled, and the first report went to a thread that was
 * gone, and was lost.) */
static volatile int waiter_rc;
static int waited_pid;
static char wstack[16384] __attribute__((aligned(16)));

static void *wait_for_child(void *arg)
{
	struct _proc_wait_reply r;

	(void)arg;
	waiter_rc = urt_tm_wait(_PROC_P_PID, waited_pid, _PROC_WEXITED, &r);
	return 0;
}

/* Starts a thread that waits (fn) into *rc, 1000 until answered, and
 * returns its tid once taskman has dealt with that wait: a request of ours
 * after it (taskman has received it: REPLY) is answered after it, taskman
 * serving one message at a time.  Then it is parked or answered. */
static int start_waiter(void *(*fn)(void *), void *arg, char *stack, size_t size,
			volatile int *rc)
{
	struct _proc_ids ids;

	*rc = 1000;
	int tid = urt_thread_create(fn, arg, stack, size, 10);
	for (int ms = 0; tid > 0 && ms < 5000 && ThreadState_r(tid) != STATE_REPLY &&
	     *rc == 1000; ms++)
		urt_sleep_ms(1);
	urt_tm_ids(my_pid(), &ids);
	return tid;
}

static bool parked(int tid, volatile int *rc)
{
	return *rc == 1000 && ThreadState_r(tid) == STATE_REPLY;
}

void t_wait_of_a_destroyed_thread_takes_nothing(void)
{
	int pid = long_child(0, 0), n_parked = 0, refused = 0, answered = 0;

	KTAP_REQUIRE(pid > 1);
	waited_pid = pid;
	for (int i = 0; i < 300; i++) {
		/* taskman hears of the ends by pulses, which may come after the
		 * next wait: one refused meanwhile (EAGAIN, this process's 64
		 * parked) is made again */
		int tid = 0;
		for (int again = 0; again < 200 && !tid; again++) {
			tid = start_waiter(wait_for_child, 0, wstack, sizeof wstack, &waiter_rc);
			KTAP_REQUIRE(tid > 0);
			if (!parked(tid, &waiter_rc)) {
				ThreadJoin_r(tid, 0);
				refused += waiter_rc != -EAGAIN;
				tid = 0;
				urt_sleep_ms(1);
			}
		}
		n_parked += tid != 0;
		if (tid) {
			ThreadDestroy_r(tid, -1, 0);
			ThreadJoin_r(tid, 0);
			answered += waiter_rc != 1000;
		}
	}
	KTAP_EQ(refused, 0);
	KTAP_EQ(n_parked, 300);
	KTAP_EQ(answered, 0);
	KTAP_EQ(end_child(pid), KILLED);        /* the report was there */
}

/* One process parks at most 64 waits in taskman (of its 256): the 65th is
 * EAGAIN, and the 64 come back when their threads end. */
static char wstacks[65][8192] __attribute__((aligned(16)));
static volatile int waits_rc[65];

static void *wait_into(void *arg)
{
	struct _proc_wait_reply r;
	int i = (int)(long)arg;

	waits_rc[i] = urt_tm_wait(_PROC_P_PID, waited_pid, _PROC_WEXITED, &r);
	return 0;
}

void t_wait_parked_per_process_bounded(void)
{
	int pid = long_child(0, 0), tids[65], n_parked = 0;

	KTAP_REQUIRE(pid > 1);
	waited_pid = pid;
	for (int i = 0; i < 65; i++) {
		tids[i] = start_waiter(wait_into, (void *)(long)i, wstacks[i], sizeof wstacks[i],
				       &waits_rc[i]);
		KTAP_REQUIRE(tids[i] > 0);
		n_parked += i < 64 && parked(tids[i], &waits_rc[i]);
	}
	KTAP_EQ(n_parked, 64);
	KTAP_EQ(ThreadJoin_r(tids[64], 0), 0);
	KTAP_EQ(waits_rc[64], -EAGAIN);
	for (int i = 0; i < 64; i++) {          /* their ends give the 64 back */
		ThreadDestroy_r(tids[i], -1, 0);
		ThreadJoin_r(tids[i], 0);
	}
	int tid = 0;
	for (int again = 0; again < 200 && !tid; again++) {
		tid = start_waiter(wait_into, 0, wstacks[0], sizeof wstacks[0], &waits_rc[0]);
		KTAP_REQUIRE(tid > 0);
		if (!parked(tid, &waits_rc[0])) {       /* not all heard of yet */
			ThreadJoin_r(tid, 0);
			tid = 0;
			urt_sleep_ms(1);
		}
	}
	KTAP_CHECK(tid > 0);                    /* parked again */
	KTAP_EQ(end_child(pid), -ECHILD);       /* the parked wait took the report */
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(waits_rc[0], pid);
}

void t_wait_by_group(void)
{
	int a = spawn_flags(_PROC_SPAWN_SETPGROUP, 0, "sleep");
	struct _proc_wait_reply r;

	KTAP_REQUIRE(a > 1);
	int b = spawn_flags(_PROC_SPAWN_SETPGROUP, a, "exit");
	int c = child("exit", "0", 0);          /* in our group, not a's */
	KTAP_REQUIRE(b > 1 && c > 1);
	int first = urt_tm_wait(_PROC_P_PGID, a, _PROC_WEXITED, &r);
	int second = urt_tm_wait(_PROC_P_PGID, a, _PROC_WEXITED, &r);
	KTAP_CHECK((first == a && second == b) || (first == b && second == a));
	KTAP_EQ(urt_tm_wait(_PROC_P_PGID, a, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(reap(c), EXITED(0));
}

void t_wait_wnowait_leaves_it(void)
{
	struct _proc_wait_reply r;
	int pid = child("exit", "9", 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED | _PROC_WNOWAIT, &r), pid);
	KTAP_EQ(r.status, EXITED(9));
	KTAP_EQ(reap(pid), EXITED(9));
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), -ECHILD);
}

void t_wait_bad_options_einval(void)
{
	struct _proc_wait_reply r;
	int pid = child("exit", "0", 0);

	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, 0, &r), -EINVAL);         /* nothing to wait for */
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, 0x1000 | _PROC_WEXITED, &r), -EINVAL);
	KTAP_EQ(urt_tm_wait(7, pid, _PROC_WEXITED, &r), -EINVAL);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_zombie_until_reaped(void)
{
	struct _proc_info_req m = { .hdr.type = _PROC_INFO };
	struct _proc_info r;
	int pid = child("exit", "0", 0);

	KTAP_REQUIRE(pid > 1);
	m.pid = pid;
	for (int i = 0; i < 200; i++) {         /* it ends soon after it starts */
		if (urt_tm_send(&m, sizeof m, &r, sizeof r) == 0 && r.state == _PROC_STATE_ZOMBIE)
			break;
		urt_sleep_ms(5);
	}
	KTAP_EQ(r.state, _PROC_STATE_ZOMBIE);
	KTAP_EQ(reap(pid), EXITED(0));
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), -ESRCH);
}

void t_orphans_go_to_init(void)
{
	struct _proc_wait_reply r;
	int pid = child("orphan", "60", 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
	/* Its child (exit 5 after 60 ms) is ours now: we are the first program. */
	int got = urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &r);
	KTAP_CHECK(got > pid);
	KTAP_EQ(r.status, EXITED(5));
}

void t_daemon_leaves_parent(void)
{
	struct _proc_wait_reply r;
	int pid = child("daemon", "30", 0);

	KTAP_REQUIRE(pid > 1);
	/* Once it has detached, the parent has no child to wait for. */
	int got = urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r);
	KTAP_EQ(got, -ECHILD);
}

void t_wait_not_a_child_echild(void)
{
	struct _proc_wait_reply r;
	int pid = child("sleep", "20", "0");

	KTAP_REQUIRE(pid > 1);
	/* Even with a child to wait for, these name nobody that is ours. */
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, 1, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, my_pid(), _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(urt_tm_wait(_PROC_P_PGID, 999999, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid + 100000, _PROC_WEXITED | _PROC_WNOHANG, &r), -ECHILD);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_wait_wnohang_sees_a_stop(void)
{
	struct _proc_wait_reply r;
	int pid = child("sleep", "2000", "0"), got = 0;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WUNTRACED | _PROC_WNOHANG, &r), 0);
	KTAP_EQ(SignalKill_r(pid, 0, SIGSTOP, 0, 0), 0);
	for (int i = 0; i < 1000 && !got; i++) {
		got = urt_tm_wait(_PROC_P_PID, pid, _PROC_WUNTRACED | _PROC_WNOHANG, &r);
		if (!got)
			urt_sleep_ms(2);
	}
	KTAP_EQ(got, pid);
	KTAP_EQ(r.status, _PROC_W_STOPPED(SIGSTOP));
	/* An exit wait does not take a stop. */
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED | _PROC_WNOHANG, &r), 0);
	KTAP_EQ(r.pid, 0);
	KTAP_EQ(SignalKill_r(pid, 0, SIGKILL, 0, 0), 0);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.signo, SIGKILL);
}

void t_wait_pgid_zero_is_callers_group(void)
{
	struct _proc_wait_reply r;
	int other = spawn_flags(_PROC_SPAWN_SETPGROUP, 0, "exit");
	int same = child("exit", "2", 0);

	KTAP_REQUIRE(other > 1 && same > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PGID, 0, _PROC_WEXITED, &r), same);
	KTAP_EQ(r.status, EXITED(2));
	KTAP_EQ(urt_tm_wait(_PROC_P_PGID, 0, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(reap(other), EXITED(30));
}

static int exit_as_uid_700(void)
{
	return setcred(_PROC_SETRESUID, 700, 700, 700) ? 1 : 3;
}

void t_wait_reports_child_uid(void)
{
	struct _proc_wait_reply r;
	int pid = urt_tm_fork();

	if (pid == 0)
		ProcessExit(exit_as_uid_700());
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.status, EXITED(3));
	KTAP_EQ(r.code, _PROC_CLD_EXITED);
	KTAP_EQ(r.signo, 3);
	KTAP_EQ(r.uid, 700);
}

/* ---- the message loop --------------------------------------------------------------------- */

void t_unknown_message_enosys(void)
{
	struct _proc_hdr m = { .type = 0x00fe };

	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), -ENOSYS);
	m.type = 0x01fe;
	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), -ENOSYS);
}

void t_short_message_einval(void)
{
	uint16_t t = _PROC_WAIT;

	KTAP_EQ(urt_tm_send(&t, sizeof t, 0, 0), -EINVAL);
	struct _proc_hdr h = { .type = _PROC_WAIT };
	KTAP_EQ(urt_tm_send(&h, sizeof h, 0, 0), -EINVAL);      /* no wait body */
}

void t_info_walk(void)
{
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .hdr.subtype = _PROC_INFO_NEXT };
	struct _proc_info r;
	bool taskman = false, me = false;
	int n = 0;

	while (urt_tm_send(&m, sizeof m, &r, sizeof r) == 0 && n++ < 1000) {
		taskman |= r.pid == 1 && !strcmp(r.name, "taskman");
		me |= r.pid == my_pid() && !strcmp(r.name, "ktest-taskman");
		KTAP_CHECK(r.pid > m.pid);
		m.pid = r.pid;
	}
	KTAP_CHECK(taskman);
	KTAP_CHECK(me);
}

/* ---- process information ----------------------------------------------------------------- */

/* Polls _PROC_INFO until pid's state is `state` (a stop or continue
 * reaches taskman a little after the signal); whether it did. */
static bool state_becomes(int pid, uint32_t state)
{
	struct _proc_info r;

	for (int i = 0; i < 1000; i++) {
		if (info_of(pid, &r) == 0 && r.state == state)
			return true;
		urt_sleep_ms(2);
	}
	return false;
}

void t_info_of_a_child(void)
{
	static const char args[] = "tm-child\0sleep\0" "5000\0" "0";
	struct {
		struct _proc_info i;
		char args[64];
	} r;
	struct _proc_info_req m = { .hdr.type = _PROC_INFO };
	struct _proc_ids me;
	uint64_t now = 0;
	int pid = long_child(_PROC_SPAWN_SETPGROUP, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_ids(0, &me), 0);
	m.pid = pid;
	memset(&r, 0x55, sizeof r);
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), 0);
	ClockTime_r(CLOCK_MONOTONIC, 0, &now);
	KTAP_EQ(r.i.pid, pid);
	KTAP_EQ(r.i.ppid, me.pid);
	KTAP_EQ(r.i.pgid, pid);
	KTAP_EQ(r.i.sid, me.sid);
	KTAP_EQ(r.i.state, _PROC_STATE_RUNNING);
	KTAP_EQ(strcmp(r.i.name, "tm-child"), 0);
	KTAP_EQ(r.i.argslen, sizeof args);
	KTAP_EQ(memcmp(r.args, args, sizeof args), 0);
	KTAP_CHECK(r.i.mem_bytes >= 128 * 1024);        /* at least its stack */
	KTAP_CHECK(r.i.start_ns > 0 && r.i.start_ns <= now);
	KTAP_EQ(r.i.ruid, 0);
	KTAP_EQ(end_child(pid), KILLED);
}

void t_info_stopped_is_t(void)
{
	int pid = child("sleep", "2000", "0");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(SignalKill_r(pid, 0, SIGSTOP, 0, 0), 0);
	KTAP_CHECK(state_becomes(pid, _PROC_STATE_STOPPED));
	KTAP_EQ(SignalKill_r(pid, 0, SIGCONT, 0, 0), 0);
	KTAP_CHECK(state_becomes(pid, _PROC_STATE_RUNNING));
	KTAP_EQ(SignalKill_r(pid, 0, SIGKILL, 0, 0), 0);
	KTAP_EQ(reap(pid), _PROC_W_SIGNALED(SIGKILL));
}

void t_info_errors(void)
{
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .hdr.subtype = 2 };
	struct _proc_info r;

	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), -EINVAL);      /* unknown subtype */
	KTAP_EQ(urt_tm_send(&m, sizeof m.hdr, &r, sizeof r), -EINVAL);  /* no pid */
	m.hdr.subtype = 0;
	m.pid = 999999;
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), -ESRCH);
	m.pid = -3;
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), -ESRCH);
	m.hdr.subtype = _PROC_INFO_NEXT;
	m.pid = 0x7fffffff;                             /* nothing above */
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), -ESRCH);
	m = (struct _proc_info_req){ .hdr.type = _PROC_INFO };          /* pid 0: the caller */
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), 0);
	KTAP_EQ(r.pid, my_pid());
}

void t_info_args_cut(void)
{
	static char longarg[300];
	struct {
		struct _proc_info i;
		char args[256];
	} r;

	memset(longarg, 'q', sizeof longarg - 1);
	const char *argv[] = { "tm-child", "sleep", "20", "0", longarg, 0 };
	int pid = urt_tm_spawn(CHILD, argv, 0, 0, 0, 0, 0);
	KTAP_REQUIRE(pid > 1);
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .pid = pid };
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), 0);
	KTAP_EQ(r.i.argslen, 128);                      /* what taskman keeps */
	KTAP_EQ(r.args[127], 0);                        /* and it still ends */
	KTAP_EQ(memcmp(r.args, "tm-child\0sleep\0" "20\0" "0\0qqqq", 24), 0);
	KTAP_EQ(r.args[126], 'q');
	KTAP_EQ(reap(pid), EXITED(0));
}
