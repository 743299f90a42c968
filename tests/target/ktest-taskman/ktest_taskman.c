/* ktest-taskman: taskman's messages seen from a client, as KTAP.  Run as
 * the first program (init=/bin/ktest-taskman): taskman starts it, so it is
 * also the heir of orphans.  The children are /bin/tm-child, whose exit
 * status says whether what it saw was right.  With the argument `faults`
 * it runs only the cases whose children fault on purpose (their fault
 * reports belong in a boot that expects them). */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/iomsg.h>
#include <keel/kcall.h>
#include <keel/procmgr.h>
#include <keel/signal.h>
#include <keel/start.h>
#include "ktap.h"
#include "urt.h"
#include "urt_tm.h"

#define CHILD "/bin/tm-child"

static int child(const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { "tm-child", a1, a2, a3, 0 };

	return urt_tm_spawn(CHILD, argv, 0, 0, 0, 0, 0);
}

/* Waits for pid; its status word, or -errno. */
static int reap(int pid)
{
	struct _proc_wait_reply r;
	int got = urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r);

	return got == pid ? r.status : got < 0 ? got : -1000;
}

/* The status word of an exit with code c. */
#define EXITED(c) _PROC_W_EXITCODE(c)

static int spawn_flags(uint32_t flags, int32_t pgroup, const char *a1)
{
	const char *argv[] = { "tm-child", a1, "30", "0", 0 };  /* sleep 30 ms or exit 30 */

	return urt_tm_spawn(CHILD, argv, 0, flags, pgroup, 0, 0);
}

static int my_pid(void)
{
	struct _client_info ci;

	return ConnectClientInfo_r(-1, &ci, 0) == 0 ? ci.pid : -1;
}

/* ---- spawn (POSIX.1-2017 posix_spawn) ----------------------------------------------- */

static void t_spawn_exit_status(void)
{
	int pid = child("exit", "7", 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(7));
}

static void t_spawn_exit_status_low_byte(void)
{
	int pid = child("exit", "513", 0);      /* only the low 8 bits reach the parent */

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(1));
}

static void t_spawn_argv_envp(void)
{
	const char *argv[] = { "tm-child", "args", "one", "two words", "", 0 };
	const char *envp[] = { "A=b", "KEEL_T=1", 0 };
	int pid = urt_tm_spawn(CHILD, argv, envp, 0, 0, 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_spawn_auxv_and_data(void)
{
	const char *argv[] = { "tm-child", "auxv", CHILD, "startup-data", 0 };
	int pid = urt_tm_spawn(CHILD, argv, 0, 0, 0, "startup-data", 13);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_spawn_missing_enoent(void)
{
	KTAP_EQ(child("exit", "0", 0) > 0, 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &(struct _proc_wait_reply){ 0 }) > 0, 1);
	KTAP_EQ(urt_tm_spawn("/bin/no-such-program", 0, 0, 0, 0, 0, 0), -ENOENT);
	KTAP_EQ(urt_tm_spawn("/bin", 0, 0, 0, 0, 0, 0), -EACCES);   /* a directory */
}

static void t_spawn_not_elf_enoexec(void)
{
	KTAP_EQ(urt_tm_spawn("/test/notelf", 0, 0, 0, 0, 0, 0), -ENOEXEC);
	KTAP_EQ(urt_tm_spawn("/test/empty", 0, 0, 0, 0, 0, 0), -ENOEXEC);
}

static void t_spawn_truncated_enoexec(void)
{
	KTAP_EQ(urt_tm_spawn("/test/truncated", 0, 0, 0, 0, 0, 0), -ENOEXEC);
}

static void t_spawn_script_runs_interpreter(void)
{
	const char *argv[] = { "script", "x", 0 };
	int pid = urt_tm_spawn("/test/script", argv, 0, 0, 0, 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_spawn_script_bad_interpreter(void)
{
	KTAP_EQ(urt_tm_spawn("/test/badscript", 0, 0, 0, 0, 0, 0), -ENOENT);
	KTAP_EQ(urt_tm_spawn("/test/emptyscript", 0, 0, 0, 0, 0, 0), -ENOEXEC);
}

static void t_spawn_relative_path(void)
{
	static char buf[512];
	struct _proc_spawn *m = (void *)buf;
	static const char strs[] = "tm-child\0/bin\0tm-child\0exit\0" "3";
	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = 9, .cwdlen = 5,
				   .argc = 3, .argvlen = 16 };
	memcpy(m + 1, strs, sizeof strs);
	int pid = (int)urt_tm_send(buf, sizeof *m + sizeof strs, 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(3));
}

static void t_spawn_malformed_einval(void)
{
	static char buf[512];
	struct _proc_spawn *m = (void *)buf;

	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = 14, .argc = 1,
				   .argvlen = 14 };
	memcpy(m + 1, "/bin/tm-child\0/bin/tm-child", 28);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 27, 0, 0), -EINVAL);      /* a byte short */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 29, 0, 0), -EINVAL);      /* a byte long */
	m->argc = 2;                                                    /* one string given */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 28, 0, 0), -EINVAL);
	m->argc = 0;
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 28, 0, 0), -EINVAL);
	m->argc = 1;
	buf[sizeof *m + 13] = 'x';                                      /* path not terminated */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 28, 0, 0), -EINVAL);
	KTAP_EQ(urt_tm_send(buf, 12, 0, 0), -EINVAL);                   /* shorter than the header */
}

static void t_spawn_e2big(void)
{
	static struct _proc_spawn m = { .hdr.type = _PROC_SPAWN };
	iov_t iov[2];

	/* Claims more than _PROC_SPAWN_MAX bytes: refused before anything is read. */
	SETIOV(&iov[0], &m, sizeof m);
	SETIOV(&iov[1], (void *)0x10000, _PROC_SPAWN_MAX);
	KTAP_EQ(MsgSendv_r(urt_tm_coid(), iov, 2, 0, 0), -E2BIG);
}

static void t_spawn_bad_pointer_efault(void)
{
	KTAP_EQ(urt_tm_send((void *)0xffffffff80000000ul, 64, 0, 0), -EFAULT);
}

static void t_spawn_setpgroup(void)
{
	int pid = spawn_flags(_PROC_SPAWN_SETPGROUP, 0, "sleep");
	struct _proc_ids ids;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_ids(pid, &ids), 0);
	KTAP_EQ(ids.pgid, pid);
	KTAP_EQ(ids.ppid, my_pid());
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_spawn_setpgroup_negative_einval(void)
{
	KTAP_EQ(spawn_flags(_PROC_SPAWN_SETPGROUP, -5, "exit"), -EINVAL);
}

static void t_spawn_setsid(void)
{
	int pid = spawn_flags(_PROC_SPAWN_SETSID, 0, "sleep");
	struct _proc_ids ids;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_ids(pid, &ids), 0);
	KTAP_EQ(ids.sid, pid);
	KTAP_EQ(ids.pgid, pid);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_spawn_many_in_a_row(void)
{
	for (int i = 0; i < 100; i++) {
		char code[4];
		snprintf(code, sizeof code, "%d", i);
		int pid = child("exit", code, 0);
		KTAP_REQUIRE(pid > 1);
		KTAP_EQ(reap(pid), EXITED(i));
	}
}

static long taskman_mem(void)
{
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .pid = 1 };
	struct _proc_info r;

	return urt_tm_send(&m, sizeof m, &r, sizeof r) < 0 ? -1 : (long)r.mem_bytes;
}

static void t_failed_spawns_leave_nothing(void)
{
	long before = taskman_mem();

	KTAP_REQUIRE(before > 0);
	for (int i = 0; i < 1000; i++) {
		int r = urt_tm_spawn(i % 2 ? "/test/notelf" : "/test/truncated", 0, 0, 0, 0, 0, 0);
		if (r != -ENOEXEC) {
			KTAP_EQ(r, -ENOEXEC);
			return;
		}
	}
	KTAP_EQ(taskman_mem(), before);
	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED | _PROC_WNOHANG,
			    &(struct _proc_wait_reply){ 0 }), -ECHILD);
}

/* ---- wait (POSIX.1-2017 waitpid, waitid) ----------------------------------------------- */

static void t_wait_no_children_echild(void)
{
	struct _proc_wait_reply r;

	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, 4242, _PROC_WEXITED, &r), -ECHILD);
}

static void t_wait_wnohang_running(void)
{
	struct _proc_wait_reply r;
	int pid = child("sleep", "50", "4");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED | _PROC_WNOHANG, &r), 0);
	KTAP_EQ(reap(pid), EXITED(4));
}

static void t_wait_blocks_until_exit(void)
{
	uint64_t t0 = 0, t1 = 0;
	int pid = child("sleep", "30", "6");

	KTAP_REQUIRE(pid > 1);
	ClockTime_r(CLOCK_MONOTONIC, 0, &t0);
	KTAP_EQ(reap(pid), EXITED(6));
	ClockTime_r(CLOCK_MONOTONIC, 0, &t1);
	KTAP_CHECK(t1 - t0 >= 20 * 1000000ul);
}

static void t_wait_any_reports_each_once(void)
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

static void t_wait_by_group(void)
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

static void t_wait_wnowait_leaves_it(void)
{
	struct _proc_wait_reply r;
	int pid = child("exit", "9", 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED | _PROC_WNOWAIT, &r), pid);
	KTAP_EQ(r.status, EXITED(9));
	KTAP_EQ(reap(pid), EXITED(9));
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), -ECHILD);
}

static void t_wait_bad_options_einval(void)
{
	struct _proc_wait_reply r;
	int pid = child("exit", "0", 0);

	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, 0, &r), -EINVAL);         /* nothing to wait for */
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, 0x1000 | _PROC_WEXITED, &r), -EINVAL);
	KTAP_EQ(urt_tm_wait(7, pid, _PROC_WEXITED, &r), -EINVAL);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_zombie_until_reaped(void)
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

static void t_orphans_go_to_init(void)
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

static void t_daemon_leaves_parent(void)
{
	struct _proc_wait_reply r;
	int pid = child("daemon", "30", 0);

	KTAP_REQUIRE(pid > 1);
	/* Once it has detached, the parent has no child to wait for. */
	int got = urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r);
	KTAP_EQ(got, -ECHILD);
}

/* ---- ids, groups, sessions (POSIX.1-2017 getpgid, setpgid, setsid) ----------------------- */

static void t_ids_of_self(void)
{
	struct _proc_ids ids;

	KTAP_EQ(urt_tm_ids(0, &ids), 0);
	KTAP_EQ(ids.pid, my_pid());
	KTAP_EQ(ids.ppid, 1);
	KTAP_EQ(urt_tm_ids(424242, &ids), -ESRCH);
}

static void t_ids_seen_by_child(void)
{
	int pid = child("ids", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

static int setpgid_(int pid, int pgid)
{
	struct _proc_setpgid m = { .hdr.type = _PROC_SETPGID, .pid = pid, .pgid = pgid };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

static void t_setpgid_child(void)
{
	int pid = child("sleep", "300", "0");
	struct _proc_ids ids;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(setpgid_(pid, 0), 0);
	KTAP_EQ(urt_tm_ids(pid, &ids), 0);
	KTAP_EQ(ids.pgid, pid);
	KTAP_EQ(setpgid_(pid, -1), -EINVAL);
	KTAP_EQ(setpgid_(pid, 777777), -EPERM);         /* no such group in the session */
	KTAP_EQ(reap(pid), EXITED(0));
	KTAP_EQ(setpgid_(pid, 0), -ESRCH);              /* gone */
}

static void t_setpgid_other_session_eperm(void)
{
	int pid = spawn_flags(_PROC_SPAWN_SETSID, 0, "sleep");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(setpgid_(pid, 0), -EPERM);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_setpgid_not_a_child_esrch(void)
{
	KTAP_EQ(setpgid_(1, 0), -ESRCH);                /* taskman is nobody's child */
}

static void t_setsid_rules(void)
{
	int pid = child("setsid", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

/* ---- resource limits (POSIX.1-2017 getrlimit) ------------------------------------------- */

static int rlimit(int sub, int res, uint64_t *cur, uint64_t *max)
{
	struct _proc_rlimit m = { .hdr.type = _PROC_RLIMIT, .hdr.subtype = (uint16_t)sub,
				  .resource = res, .cur = *cur, .max = *max };
	struct _proc_rlimit r;
	int s = (int)urt_tm_send(&m, sizeof m, &r, sizeof r);

	if (s == 0) {
		*cur = r.cur;
		*max = r.max;
	}
	return s;
}

static void t_rlimit_get_set(void)
{
	uint64_t cur = 0, max = 0;

	KTAP_EQ(rlimit(0, _PROC_RLIMIT_NOFILE, &cur, &max), 0);
	KTAP_EQ(cur, 256);
	uint64_t c2 = 100, m2 = 200;
	KTAP_EQ(rlimit(1, _PROC_RLIMIT_NOFILE, &c2, &m2), 0);
	c2 = m2 = 0;
	KTAP_EQ(rlimit(0, _PROC_RLIMIT_NOFILE, &c2, &m2), 0);
	KTAP_EQ(c2, 100);
	KTAP_EQ(m2, 200);
	KTAP_EQ(rlimit(1, _PROC_RLIMIT_NOFILE, &cur, &max), 0);  /* euid 0 may raise again */
}

static void t_rlimit_errors(void)
{
	uint64_t cur = 10, max = 5;

	KTAP_EQ(rlimit(1, _PROC_RLIMIT_STACK, &cur, &max), -EINVAL);    /* cur > max */
	KTAP_EQ(rlimit(0, _PROC_RLIMIT_COUNT, &cur, &max), -EINVAL);
	KTAP_EQ(rlimit(0, -1, &cur, &max), -EINVAL);
	KTAP_EQ(rlimit(2, _PROC_RLIMIT_CORE, &cur, &max), -EINVAL);
}

static void t_rlimit_inherited(void)
{
	uint64_t cur = 64, max = 64;

	KTAP_EQ(rlimit(1, _PROC_RLIMIT_CORE, &cur, &max), 0);
	int pid = child("sleep", "20", "0");
	KTAP_REQUIRE(pid > 1);
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .pid = pid };
	struct _proc_info r;
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), 0);
	KTAP_EQ(r.ppid, my_pid());
	KTAP_EQ(reap(pid), EXITED(0));
	cur = max = 0;
	KTAP_EQ(rlimit(1, _PROC_RLIMIT_CORE, &cur, &max), 0);
}

/* ---- the path space --------------------------------------------------------------------- */

static int attach(int type, const char *path, const char *target, int chid, uint32_t flags,
		  uint32_t handle)
{
	static char buf[512];
	struct _proc_path_attach *m = (void *)buf;
	size_t n = strlen(path) + 1, t = target ? strlen(target) + 1 : 0;

	*m = (struct _proc_path_attach){ .hdr.type = (uint16_t)type, .flags = flags, .chid = chid,
					 .handle = handle, .pathlen = (uint32_t)n,
					 .targetlen = (uint32_t)t };
	memcpy(m + 1, path, n);
	if (t)
		memcpy((char *)(m + 1) + n, target, t);
	return (int)urt_tm_send(buf, sizeof *m + n + t, 0, 0);
}

static int detach(int id)
{
	struct _proc_path_detach m = { .hdr.type = _PROC_PATH_DETACH, .id = id };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

struct redirect {
	struct _io_connect_link_reply hdr;
	struct _io_connect_entry e[_IO_CONNECT_ENTRIES_MAX];
	char path[256];
};

/* _IO_CONNECT to taskman: the reply status, the redirect in *r. */
static long connect(const char *path, struct redirect *r)
{
	static char buf[512];
	struct _io_connect *m = (void *)buf;
	size_t n = strlen(path) + 1;

	*m = (struct _io_connect){ .type = _IO_CONNECT, .subtype = _IO_CONNECT_OPEN,
				   .path_len = (uint16_t)n };
	memcpy(m + 1, path, n);
	memset(r, 0, sizeof *r);
	return urt_tm_send(buf, sizeof *m + n, r, sizeof *r);
}

static void t_path_attach_and_resolve(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int id = attach(_PROC_PATH_ATTACH, "/t/file", 0, chid, 0, 77);

	KTAP_REQUIRE(id > 0);
	KTAP_EQ(connect("/t/file", &r), _IO_CONNECT_RET_LINK | 1);
	KTAP_EQ(r.hdr.nentries, 1);
	KTAP_EQ(r.e[0].pid, my_pid());
	KTAP_EQ(r.e[0].chid, chid);
	KTAP_EQ(r.e[0].handle, 77);
	KTAP_EQ(r.e[0].prefix_len, 7);
	KTAP_EQ(connect("/t/file/below", &r), -ENOENT);    /* a file name covers only itself */
	KTAP_EQ(connect("/t/fil", &r), -ENOENT);
	KTAP_EQ(detach(id), 0);
	KTAP_EQ(connect("/t/file", &r), -ENOENT);
	KTAP_EQ(detach(id), -ENOENT);
	ChannelDestroy_r(chid);
}

static void t_path_directory_and_longest_first(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int outer = attach(_PROC_PATH_ATTACH, "/u", 0, chid, _PROC_PATH_DIR, 1);
	int inner = attach(_PROC_PATH_ATTACH, "/u/v", 0, chid, _PROC_PATH_DIR, 2);

	KTAP_REQUIRE(outer > 0 && inner > 0);
	KTAP_EQ(connect("/u/v/w/x", &r), _IO_CONNECT_RET_LINK | 2);
	KTAP_EQ(r.e[0].handle, 2);
	KTAP_EQ(r.e[0].prefix_len, 5);                  /* "/u/v/" */
	KTAP_EQ(r.e[1].handle, 1);
	KTAP_EQ(r.e[1].prefix_len, 3);                  /* "/u/" */
	KTAP_EQ(connect("/u", &r), _IO_CONNECT_RET_LINK | 1);
	KTAP_EQ(r.e[0].prefix_len, 2);
	KTAP_EQ(connect("/uv", &r), -ENOENT);
	KTAP_EQ(detach(outer), 0);
	KTAP_EQ(detach(inner), 0);
	ChannelDestroy_r(chid);
}

static void t_path_union_order(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int a = attach(_PROC_PATH_ATTACH, "/w", 0, chid, _PROC_PATH_DIR | _PROC_PATH_AFTER, 1);
	int b = attach(_PROC_PATH_ATTACH, "/w", 0, chid + 0, _PROC_PATH_DIR, 2);
	int c = attach(_PROC_PATH_ATTACH, "/w", 0, chid, _PROC_PATH_DIR | _PROC_PATH_BEFORE, 3);

	KTAP_EQ(a > 0, 1);
	KTAP_EQ(b, -EEXIST);                            /* the same chid and name twice */
	int chid2 = ChannelCreate_r(0);
	b = attach(_PROC_PATH_ATTACH, "/w", 0, chid2, _PROC_PATH_DIR, 2);
	KTAP_EQ(c, -EEXIST);
	int chid3 = ChannelCreate_r(0);
	c = attach(_PROC_PATH_ATTACH, "/w", 0, chid3, _PROC_PATH_DIR | _PROC_PATH_BEFORE, 3);
	KTAP_REQUIRE(a > 0 && b > 0 && c > 0);
	KTAP_EQ(connect("/w/x", &r), _IO_CONNECT_RET_LINK | 3);
	KTAP_EQ(r.e[0].handle, 3);
	KTAP_EQ(r.e[1].handle, 2);
	KTAP_EQ(r.e[2].handle, 1);
	detach(a);
	detach(b);
	detach(c);
	ChannelDestroy_r(chid);
	ChannelDestroy_r(chid2);
	ChannelDestroy_r(chid3);
}

static void t_path_symlink(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int d = attach(_PROC_PATH_ATTACH, "/real", 0, chid, _PROC_PATH_DIR, 9);
	int l = attach(_PROC_PATH_LINK, "/alias", "/real/sub", 0, 0, 0);

	KTAP_REQUIRE(d > 0 && l > 0);
	KTAP_EQ(connect("/alias/x/y", &r), _IO_CONNECT_RET_LINK);
	KTAP_EQ(r.hdr.nentries, 0);
	KTAP_EQ(strcmp((const char *)&r.e[0], "/real/sub/x/y"), 0);
	KTAP_EQ(connect("/alias", &r), _IO_CONNECT_RET_LINK);
	KTAP_EQ(strcmp((const char *)&r.e[0], "/real/sub"), 0);
	KTAP_EQ(detach(l), 0);
	KTAP_EQ(connect("/alias/x", &r), -ENOENT);
	detach(d);
	ChannelDestroy_r(chid);
}

static void t_path_bad_names_einval(void)
{
	int chid = ChannelCreate_r(0);
	static const char *const bad[] = { "relative", "/a/../b", "/a/./b", "/a/", "//a", "/a//b" };

	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++)
		KTAP_EQ(attach(_PROC_PATH_ATTACH, bad[i], 0, chid, 0, 0), -EINVAL);
	KTAP_EQ(attach(_PROC_PATH_ATTACH, "/ok", 0, chid, 0x80, 0), -EINVAL);  /* unknown flag */
	ChannelDestroy_r(chid);
}

static void t_path_connect_malformed_einval(void)
{
	static char buf[64];
	struct _io_connect *m = (void *)buf;
	struct redirect r;

	*m = (struct _io_connect){ .type = _IO_CONNECT, .path_len = 4 };
	memcpy(m + 1, "/abc", 4);                       /* no NUL inside path_len */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 4, &r, sizeof r), -EINVAL);
	m->path_len = 0;
	KTAP_EQ(urt_tm_send(buf, sizeof *m, &r, sizeof r), -EINVAL);
	m->path_len = 3;
	memcpy(m + 1, "ab", 3);                         /* relative */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 3, &r, sizeof r), -EINVAL);
	KTAP_EQ(urt_tm_send(buf, 10, &r, sizeof r), -EINVAL);       /* short */
	KTAP_EQ(connect("/nothing/here", &r), -ENOENT);
}

static void t_path_names_go_with_their_server(void)
{
	struct redirect r;
	int pid = child("attach", "/gone/soon", 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
	KTAP_EQ(connect("/gone/soon", &r), -ENOENT);
}

static void t_path_link_needs_root_target_checked(void)
{
	KTAP_EQ(attach(_PROC_PATH_LINK, "/l", "", 0, 0, 0), -EINVAL);  /* empty target */
}

/* ---- the message loop --------------------------------------------------------------------- */

static void t_unknown_message_enosys(void)
{
	struct _proc_hdr m = { .type = 0x00fe };

	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), -ENOSYS);
	m.type = 0x01fe;
	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), -ENOSYS);
}

static void t_short_message_einval(void)
{
	uint16_t t = _PROC_WAIT;

	KTAP_EQ(urt_tm_send(&t, sizeof t, 0, 0), -EINVAL);
	struct _proc_hdr h = { .type = _PROC_WAIT };
	KTAP_EQ(urt_tm_send(&h, sizeof h, 0, 0), -EINVAL);      /* no wait body */
}

static void t_info_walk(void)
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

/* ---- fork and exec (POSIX.1-2017 fork, exec) -------------------------------------------- */

static volatile int cow_word = 5;

static void t_fork_child_returns_zero(void)
{
	int pid = urt_tm_fork();

	if (pid == 0)
		ProcessExit(42);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(42));
}

static void t_fork_copy_on_write(void)
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

static void t_fork_child_ids(void)
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

static void t_fork_threaded_enosys(void)
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

static void t_fork_many(void)
{
	for (int i = 0; i < 50; i++) {
		int pid = urt_tm_fork();
		if (pid == 0)
			ProcessExit(i);
		KTAP_REQUIRE(pid > 1);
		KTAP_EQ(reap(pid), EXITED(i));
	}
}

static void t_exec_replaces_image(void)
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

static void t_exec_keeps_pid_and_parent(void)
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

static void t_exec_failure_returns(void)
{
	const char *argv[] = { "x", 0 };

	KTAP_EQ(urt_tm_exec("/bin/no-such-program", argv, 0), -ENOENT);
	KTAP_EQ(urt_tm_exec("/test/notelf", argv, 0), -ENOEXEC);
	KTAP_EQ(urt_tm_exec("/bin", argv, 0), -EACCES);
	KTAP_EQ(cow_word, 5);                   /* still us */
}

static void t_exec_setpgid_after_exec_eacces(void)
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

/* ---- signals and children (POSIX.1-2017 kill, waitpid, 2.4.3) ------------------------------- */

static sigset_t one_signal(int signo)
{
	sigset_t s = { { 0, 0 } };

	s.__bits[(signo - 1) / 32] |= 1u << ((signo - 1) % 32);
	return s;
}

static void t_sigchld_names_the_child(void)
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

static void t_kill_is_wifsignaled(void)
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

static void t_stop_and_continue_reported(void)
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

static void t_sigkill_ends_a_stopped_child(void)
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

static void t_kill_a_group(void)
{
	int a = spawn_flags(_PROC_SPAWN_SETPGROUP, 0, "sleep");
	struct _proc_wait_reply r;

	KTAP_REQUIRE(a > 1);
	const char *argv[] = { "tm-child", "sleep", "2000", "0", 0 };
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

static void t_taskman_is_shielded(void)
{
	KTAP_EQ(SignalKill_r(1, 0, SIGKILL, 0, 0), 0);           /* discarded */
	KTAP_EQ(child("exit", "0", 0) > 1, 1);                    /* still serving */
	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &(struct _proc_wait_reply){ 0 }) > 1, 1);
}

/* ---- credentials (POSIX.1-2017 setuid, seteuid, setreuid, setgroups) --------------------- */

static int my_cred(struct _cred_info *c)
{
	struct _client_info ci;
	int r = ConnectClientInfo_r(-1, &ci, 0);

	*c = ci.cred;
	return r;
}

/* In a spawned child, which holds no privilege: see tm-child's "cred". */
static void t_credentials(void)
{
	int pid = child("cred", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

static void t_setgroups_as_root(void)
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		struct _proc_setcred m = { .hdr.type = _PROC_SETCRED, .hdr.subtype = _PROC_SETGROUPS,
					   .ngroups = 2, .groups = { 10, 20 } };
		struct _cred_info c;
		int r = (int)urt_tm_send(&m, sizeof m, 0, 0);
		ProcessExit(r == 0 && !my_cred(&c) && c.ngroups == 2 && c.grouplist[1] == 20 ? 0 : 1);
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

/* ---- more of the same, from a child's point of view --------------------------------------- */

/* Runs fn in a forked child, whose exit code is fn's result (0: every
 * check held, else the number of the first that failed); its status word. */
static int in_child(int (*fn)(void))
{
	int pid = urt_tm_fork();

	if (pid == 0)
		ProcessExit(fn());
	return pid < 0 ? pid : reap(pid);
}

/* A child that lives until end_child(): for checks that need it alive
 * (a short sleeper may end before a slow machine gets to them). */
static int long_child(uint32_t flags, int32_t pgroup)
{
	const char *argv[] = { "tm-child", "sleep", "5000", "0", 0 };

	return urt_tm_spawn(CHILD, argv, 0, flags, pgroup, 0, 0);
}

/* Kills and reaps a long_child: its status word. */
static int end_child(int pid)
{
	int r = SignalKill_r(pid, 0, SIGKILL, 0, 0);

	return r < 0 ? r : reap(pid);
}

#define KILLED _PROC_W_SIGNALED(SIGKILL)

/* Runs tm-child's check `what` to its end: its status word, or -errno. */
static int child_status(const char *what)
{
	int pid = child(what, 0, 0);

	return pid > 0 ? reap(pid) : pid;
}

static int setcred(int sub, int a, int b, int c)
{
	struct _proc_setcred m = { .hdr.type = _PROC_SETCRED, .hdr.subtype = (uint16_t)sub,
				   .ids = { a, b, c } };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

static int info_of(int pid, struct _proc_info *r)
{
	struct _proc_info_req m = { .hdr.type = _PROC_INFO, .pid = pid };

	return (int)urt_tm_send(&m, sizeof m, r, sizeof *r);
}

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

static int resetids_checks(void)
{
	struct _proc_info info;

	if (setcred(_PROC_SETEUID, 100, 0, 0))          /* real 0, effective 100 */
		return 1;
	int plain = spawn_flags(0, 0, "sleep");
	int reset = spawn_flags(_PROC_SPAWN_RESETIDS, 0, "sleep");
	if (plain <= 0 || reset <= 0)
		return 2;
	if (info_of(plain, &info) || info.euid != 100 || info.ruid != 0)
		return 3;
	if (info_of(reset, &info) || info.euid != 0 || info.ruid != 0)
		return 4;
	return reap(plain) == EXITED(0) && reap(reset) == EXITED(0) ? 0 : 5;
}

static void t_spawn_resetids(void)
{
	KTAP_EQ(in_child(resetids_checks), EXITED(0));
}

/* The driver calls are for those that have them: the first program does. */
static void t_spawn_iopriv_needs_privilege(void)
{
	int pid = spawn_flags(_PROC_SPAWN_IOPRIV, 0, "exit");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(30));
	KTAP_EQ(child_status("nopriv"), EXITED(0));
}

/* Drops root for uid (real, effective and saved), then sets a limit:
 * whether both went through. */
static bool as_uid_with_limit(int uid, int res, uint64_t cur, uint64_t max)
{
	return !setcred(_PROC_SETRESUID, uid, uid, uid) && !rlimit(1, res, &cur, &max);
}

static int nproc_checks(void)
{
	if (!as_uid_with_limit(601, _PROC_RLIMIT_NPROC, 2, 2))
		return 1;
	int a = long_child(0, 0);                       /* two of uid 601 */
	if (a <= 0)
		return 3;
	if (spawn_flags(0, 0, "exit") != -EAGAIN)
		return 4;
	if (end_child(a) != KILLED)
		return 5;
	int b = spawn_flags(0, 0, "exit");              /* room again */
	return b > 0 && reap(b) == EXITED(30) ? 0 : 6;
}

static void t_spawn_rlimit_nproc_eagain(void)
{
	KTAP_EQ(in_child(nproc_checks), EXITED(0));
}

static char big_msg[200 * 1024] __attribute__((aligned(8)));

/* Under the message limit but more than the new stack holds. */
static void t_spawn_args_beyond_stack_e2big(void)
{
	struct _proc_spawn *m = (void *)big_msg;
	const uint32_t arg = 150 * 1024;
	long before = taskman_mem();

	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = 14, .argc = 2,
				   .argvlen = 9 + arg };
	char *p = (char *)(m + 1);
	memcpy(p, CHILD, 14);
	memcpy(p + 14, "tm-child", 9);
	memset(p + 23, 'a', arg - 1);
	p[23 + arg - 1] = 0;
	KTAP_EQ(urt_tm_send(big_msg, sizeof *m + 23 + arg, 0, 0), -E2BIG);
	KTAP_EQ(taskman_mem(), before);
	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED | _PROC_WNOHANG,
			    &(struct _proc_wait_reply){ 0 }), -ECHILD);
}

static void t_spawn_env_and_cwd_malformed_einval(void)
{
	static char buf[512];
	struct _proc_spawn *m = (void *)buf;
	static const char strs[] = CHILD "\0tm-child\0A=1";

	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = 14, .argc = 1,
				   .argvlen = 9, .envc = 2, .envlen = 4 };
	memcpy(m + 1, strs, sizeof strs);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + sizeof strs, 0, 0), -EINVAL);  /* one env string */
	m->envc = 1;
	buf[sizeof *m + sizeof strs - 1] = '!';                             /* not terminated */
	KTAP_EQ(urt_tm_send(buf, sizeof *m + sizeof strs, 0, 0), -EINVAL);
	static const char cwd[] = "tm-child\0/bintm-child";                 /* cwd without NUL */
	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = 9, .cwdlen = 4, .argc = 1,
				   .argvlen = 9 };
	memcpy(m + 1, cwd, sizeof cwd);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + sizeof cwd, 0, 0), -EINVAL);
	static const char empty[] = "\0tm-child";                           /* an empty path */
	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = 1, .argc = 1, .argvlen = 9 };
	memcpy(m + 1, empty, sizeof empty);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + sizeof empty, 0, 0), -EINVAL);
}

static void t_spawn_cwd_too_long_enametoolong(void)
{
	static char buf[1200];
	struct _proc_spawn *m = (void *)buf;
	const uint32_t cwdlen = 1020;                   /* with the NUL */
	char *p = (char *)(m + 1);

	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = 9, .cwdlen = cwdlen,
				   .argc = 1, .argvlen = 9 };
	memcpy(p, "tm-child", 9);
	p[9] = '/';
	memset(p + 10, 'd', cwdlen - 2);
	p[9 + cwdlen - 1] = 0;
	memcpy(p + 9 + cwdlen, "tm-child", 9);
	KTAP_EQ(urt_tm_send(buf, sizeof *m + 18 + cwdlen, 0, 0), -ENAMETOOLONG);
}

/* ---- waits, continued --------------------------------------------------------------------- */

static void t_wait_not_a_child_echild(void)
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

static void t_wait_wnohang_sees_a_stop(void)
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

static void t_wait_pgid_zero_is_callers_group(void)
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

static void t_wait_reports_child_uid(void)
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

/* ---- process information, ids ----------------------------------------------------------- */

static void t_info_of_a_child(void)
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

static void t_info_stopped_is_t(void)
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

static void t_info_errors(void)
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

static void t_info_args_cut(void)
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

static void t_getids_of_a_child_and_errors(void)
{
	struct _proc_ids ids;
	struct _proc_ids_req m = { .hdr.type = _PROC_GETIDS, .hdr.subtype = 5 };
	int pid = spawn_flags(_PROC_SPAWN_SETSID, 0, "sleep");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_ids(pid, &ids), 0);
	KTAP_EQ(ids.pid, pid);
	KTAP_EQ(ids.ppid, my_pid());
	KTAP_EQ(ids.sid, pid);
	KTAP_EQ(ids.pgid, pid);
	KTAP_EQ(urt_tm_send(&m, sizeof m, &ids, sizeof ids), -EINVAL);  /* unknown subtype */
	KTAP_EQ(urt_tm_send(&m, sizeof m.hdr, &ids, sizeof ids), -EINVAL);      /* short */
	KTAP_EQ(reap(pid), EXITED(0));
	KTAP_EQ(urt_tm_ids(pid, &ids), -ESRCH);         /* reaped */
}

static void t_getids_orphaned_group(void)
{
	struct _proc_ids_req m = { .hdr.type = _PROC_GETIDS, .hdr.subtype = _PROC_GETIDS_ORPHANED };
	/* A group of its own in our session: we, its parent, are outside it
	 * in the same session, so it is not orphaned.  A new session's group
	 * has no such parent. */
	int inside = long_child(_PROC_SPAWN_SETPGROUP, 0);
	int apart = long_child(_PROC_SPAWN_SETSID, 0);

	KTAP_REQUIRE(inside > 1 && apart > 1);
	m.pid = inside;
	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), 0);
	m.pid = apart;
	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), 1);
	m.pid = 999999;
	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), -ESRCH);
	KTAP_EQ(end_child(inside), KILLED);
	KTAP_EQ(end_child(apart), KILLED);
}

static void t_setpgid_join_a_group(void)
{
	struct _proc_ids ids;
	int a = long_child(_PROC_SPAWN_SETPGROUP, 0);
	int b = long_child(0, 0);

	KTAP_REQUIRE(a > 1 && b > 1);
	KTAP_EQ(setpgid_(b, a), 0);
	KTAP_EQ(urt_tm_ids(b, &ids), 0);
	KTAP_EQ(ids.pgid, a);
	KTAP_EQ(setpgid_(b, 0), 0);                     /* and out into its own */
	KTAP_EQ(urt_tm_ids(b, &ids), 0);
	KTAP_EQ(ids.pgid, b);
	KTAP_EQ(end_child(a), KILLED);
	KTAP_EQ(end_child(b), KILLED);
}

static int session_leader_checks(void)
{
	struct _proc_hdr m = { .type = _PROC_SETSID };
	int me = my_pid();

	if (urt_tm_send(&m, sizeof m, 0, 0) != me)
		return 1;
	if (setpgid_(0, 0) != -EPERM)                   /* a session leader stays */
		return 2;
	if (setpgid_(me, 0) != -EPERM)
		return 3;
	return urt_tm_send(&m, sizeof m, 0, 0) == -EPERM ? 0 : 4;
}

static void t_setpgid_session_leader_eperm(void)
{
	KTAP_EQ(in_child(session_leader_checks), EXITED(0));
}

/* ---- credentials, continued ----------------------------------------------------------- */

static int gid_checks(void)
{
	struct _cred_info c;

	if (setcred(_PROC_SETRESGID, 5, 6, 7) || my_cred(&c) || c.rgid != 5 || c.egid != 6 ||
	    c.sgid != 7)
		return 1;
	if (setcred(_PROC_SETREGID, -1, 5, 0) || my_cred(&c) || c.egid != 5 || c.sgid != 7)
		return 2;                               /* the real id: nothing saved */
	if (setcred(_PROC_SETREGID, -1, 6, 0) || my_cred(&c) || c.egid != 6 || c.sgid != 6)
		return 10;                              /* another: saved */
	if (setcred(_PROC_SETRESGID, -1, -1, 7) || setcred(_PROC_SETRESUID, 100, 100, 100))
		return 3;
	if (setcred(_PROC_SETEGID, 7, 0, 0) || my_cred(&c) || c.egid != 7)
		return 4;                               /* the saved one */
	if (setcred(_PROC_SETEGID, 8, 0, 0) != -EPERM)
		return 5;
	if (setcred(_PROC_SETGID, 5, 0, 0) || my_cred(&c) || c.egid != 5 || c.rgid != 5)
		return 6;
	if (setcred(_PROC_SETGID, 9, 0, 0) != -EPERM)
		return 7;
	if (setcred(_PROC_SETUID, -2, 0, 0) != -EINVAL)
		return 8;
	struct _proc_hdr h = { .type = _PROC_SETCRED, .subtype = _PROC_SETUID };
	return urt_tm_send(&h, sizeof h, 0, 0) == -EINVAL ? 0 : 9;     /* short */
}

static void t_setgid_family_rules(void)
{
	KTAP_EQ(in_child(gid_checks), EXITED(0));
}

/* From a child without the manager's privilege, whose uid is its own. */
static void t_kill_same_uid_only(void)
{
	KTAP_EQ(child_status("killown"), EXITED(0));
}

/* ---- limits, continued ---------------------------------------------------------------- */

static int hard_limit_checks(void)
{
	uint64_t cur, max;

	if (!as_uid_with_limit(100, _PROC_RLIMIT_NOFILE, 10, 20))
		return 2;                               /* lowering is anyone's */
	cur = max = 20;
	if (rlimit(1, _PROC_RLIMIT_NOFILE, &cur, &max))
		return 3;                               /* soft up to hard */
	cur = 20, max = 30;
	if (rlimit(1, _PROC_RLIMIT_NOFILE, &cur, &max) != -EPERM)
		return 4;
	cur = 0, max = 0;
	if (rlimit(0, _PROC_RLIMIT_NOFILE, &cur, &max) || cur != 20 || max != 20)
		return 5;                               /* unchanged by the refusal */
	cur = 5, max = 15;
	return rlimit(1, _PROC_RLIMIT_NOFILE, &cur, &max) == 0 ? 0 : 6;
}

static void t_rlimit_hard_limit_nonroot_eperm(void)
{
	KTAP_EQ(in_child(hard_limit_checks), EXITED(0));
}

static void t_rlimit_defaults(void)
{
	uint64_t cur = 0, max = 0;

	KTAP_EQ(rlimit(0, _PROC_RLIMIT_AS, &cur, &max), 0);
	KTAP_EQ(cur == _PROC_RLIM_INFINITY && max == _PROC_RLIM_INFINITY, 1);
	KTAP_EQ(rlimit(0, _PROC_RLIMIT_NPROC, &cur, &max), 0);
	KTAP_EQ(cur == _PROC_RLIM_INFINITY && max == _PROC_RLIM_INFINITY, 1);
	KTAP_EQ(rlimit(0, _PROC_RLIMIT_STACK, &cur, &max), 0);
	KTAP_EQ(cur, 128 * 1024);
	KTAP_EQ(max == _PROC_RLIM_INFINITY, 1);
	struct _proc_rlimit m = { .hdr.type = _PROC_RLIMIT, .resource = _PROC_RLIMIT_CPU };
	KTAP_EQ(urt_tm_send(&m, 12, 0, 0), -EINVAL);    /* short */
}

static int mmap_(uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags, uint64_t *got)
{
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .addr = addr, .len = len, .prot = prot,
				.flags = flags };
	struct _proc_mmap_reply r = { 0 };
	int s = (int)urt_tm_send(&m, sizeof m, &r, sizeof r);

	if (got)
		*got = s == 0 ? r.addr : 0;
	return s;
}

static int mem_op(int type, uint64_t addr, uint64_t len, uint32_t prot)
{
	struct _proc_mmap m = { .hdr.type = (uint16_t)type, .addr = addr, .len = len,
				.prot = prot };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

#define RW        (PROT_READ | PROT_WRITE)
#define ANON_PRIV (_PROC_MAP_PRIVATE | _PROC_MAP_ANON)

static int as_limit_checks(void)
{
	struct _proc_info me;
	uint64_t a = 0;

	if (info_of(0, &me))
		return 1;
	uint64_t cur = me.mem_bytes + 64 * 1024, max = cur;
	if (rlimit(1, _PROC_RLIMIT_AS, &cur, &max))
		return 2;
	if (mmap_(0, 1024 * 1024, RW, ANON_PRIV, &a) != -ENOMEM)
		return 3;
	if (mmap_(0, 16 * 1024, RW, ANON_PRIV, &a) || !a)
		return 4;
	return mem_op(_PROC_MUNMAP, a, 16 * 1024, 0) == 0 ? 0 : 5;
}

static void t_rlimit_as_bounds_mmap(void)
{
	KTAP_EQ(in_child(as_limit_checks), EXITED(0));
}

/* ---- memory (mmap, munmap, mprotect) ------------------------------------------------- */

static void t_mmap_anon_zeroed_and_counted(void)
{
	struct _proc_info before, mapped, after;
	uint64_t a = 0;

	KTAP_EQ(info_of(0, &before), 0);
	KTAP_REQUIRE(mmap_(0, 4 * 4096, RW, ANON_PRIV, &a) == 0);
	KTAP_CHECK(a != 0 && (a & 4095) == 0);
	volatile uint64_t *w = (volatile uint64_t *)a;
	bool zero = true;
	for (unsigned i = 0; i < 4 * 512; i++)
		zero &= w[i] == 0;
	KTAP_CHECK(zero);
	w[4 * 512 - 1] = 0x1234;
	KTAP_EQ(info_of(0, &mapped), 0);
	KTAP_EQ(mapped.mem_bytes - before.mem_bytes, 4 * 4096);
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 4 * 4096, 0), 0);
	KTAP_EQ(info_of(0, &after), 0);
	KTAP_EQ(after.mem_bytes, before.mem_bytes);
}

static void t_mmap_bad_arguments_einval(void)
{
	uint64_t a;
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .hdr.subtype = 1, .len = 4096, .prot = RW,
				.flags = ANON_PRIV };

	KTAP_EQ(mmap_(0, 0, RW, ANON_PRIV, &a), -EINVAL);                       /* no length */
	KTAP_EQ(mmap_(0, 4096, 0x8000, ANON_PRIV, &a), -EINVAL);                /* unknown prot */
	KTAP_EQ(mmap_(0, 4096, PROT_WRITE | PROT_EXEC, ANON_PRIV, &a), -EINVAL);        /* W^X */
	KTAP_EQ(mmap_(0, 4096, RW, _PROC_MAP_ANON, &a), -EINVAL);               /* neither kind */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | _PROC_MAP_SHARED, &a), -EINVAL); /* both */
	KTAP_EQ(mmap_(0, 4096, RW, _PROC_MAP_PRIVATE, &a), -EINVAL);            /* no source */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | _PROC_MAP_PHYS, &a), -EINVAL);   /* two */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | 0x8000, &a), -EINVAL);           /* unknown flag */
	KTAP_EQ(mmap_(0x40000000, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED | _PROC_MAP_NOREPLACE, &a),
		-EINVAL);
	KTAP_EQ(mmap_(0x40000100, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &a), -EINVAL); /* unaligned */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &a), -EINVAL);  /* page 0 */
	KTAP_EQ(mmap_(KEEL_USER_STACK_TOP, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &a), -EINVAL);
	KTAP_EQ(mmap_(0, ~0ul - 100, RW, ANON_PRIV, &a), -EINVAL);              /* wraps */
	KTAP_EQ(urt_tm_send(&m, sizeof m, &a, sizeof a), -EINVAL);              /* a subtype */
	KTAP_EQ(urt_tm_send(&m, 16, &a, sizeof a), -EINVAL);                    /* short */
	KTAP_EQ(mem_op(_PROC_MUNMAP, 0x40000100, 4096, 0), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MPROTECT, KEEL_USER_STACK_TOP - 4096, 8192, PROT_READ), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MUNMAP, 0x40000000, 0, 0), -EINVAL);
}

static void t_mmap_fixed_and_noreplace(void)
{
	uint64_t a = 0, b = 0;

	KTAP_REQUIRE(mmap_(0, 2 * 4096, RW, ANON_PRIV, &a) == 0);
	*(volatile int *)a = 5;
	KTAP_EQ(mmap_(a, 4096, RW, ANON_PRIV | _PROC_MAP_NOREPLACE, &b), -EEXIST);
	KTAP_EQ(*(volatile int *)a, 5);                 /* untouched */
	KTAP_EQ(mmap_(a, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &b), 0);
	KTAP_EQ(b, a);
	KTAP_EQ(*(volatile int *)a, 0);                 /* replaced by zeroed memory */
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 2 * 4096, 0), 0);
	KTAP_EQ(mmap_(a + 4096, 4096, RW, ANON_PRIV | _PROC_MAP_NOREPLACE, &b), 0);
	KTAP_EQ(b, a + 4096);                           /* free again: exactly there */
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 2 * 4096, 0), 0);       /* a hole is fine */
}

static void t_mmap_shared_seen_by_fork(void)
{
	uint64_t s = 0, p = 0;

	KTAP_REQUIRE(mmap_(0, 4096, RW, _PROC_MAP_SHARED | _PROC_MAP_ANON, &s) == 0);
	KTAP_REQUIRE(mmap_(0, 4096, RW, ANON_PRIV, &p) == 0);
	int pid = urt_tm_fork();
	if (pid == 0) {
		*(volatile int *)s = 11;
		*(volatile int *)p = 12;
		ProcessExit(0);
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
	KTAP_EQ(*(volatile int *)s, 11);                /* one object, both spaces */
	KTAP_EQ(*(volatile int *)p, 0);                 /* copied on write */
	KTAP_EQ(mem_op(_PROC_MUNMAP, s, 4096, 0), 0);
	KTAP_EQ(mem_op(_PROC_MUNMAP, p, 4096, 0), 0);
}

static void t_mprotect_round_trip(void)
{
	uint64_t a = 0;

	KTAP_REQUIRE(mmap_(0, 2 * 4096, RW, ANON_PRIV, &a) == 0);
	*(volatile int *)a = 9;
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 2 * 4096, PROT_READ), 0);
	KTAP_EQ(*(volatile int *)a, 9);                 /* still readable, same bytes */
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 4096, 0x8000), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 2 * 4096, RW), 0);
	*(volatile int *)(a + 4096) = 10;
	KTAP_EQ(*(volatile int *)(a + 4096), 10);
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 2 * 4096, 0), 0);
}

static uint64_t grant(int pid, uint64_t va, uint64_t len, uint32_t prot, int *status)
{
	struct _proc_shm_grant m = { .hdr.type = _PROC_SHM_GRANT, .pid = pid, .prot = prot,
				     .va = va, .len = len };
	struct _proc_shm_grant_reply r = { 0 };

	*status = (int)urt_tm_send(&m, sizeof m, &r, sizeof r);
	return r.grant;
}

static int map_grant(uint64_t g, uint64_t len, uint32_t prot, uint64_t *got)
{
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .len = len, .prot = prot,
				.flags = _PROC_MAP_SHARED | _PROC_MAP_GRANT, .paddr = g };
	struct _proc_mmap_reply r = { 0 };
	int s = (int)urt_tm_send(&m, sizeof m, &r, sizeof r);

	*got = r.addr;
	return s;
}

/* A server granting its own object pages (here: to itself, a second view). */
static void t_shm_grant_maps_the_same_pages(void)
{
	uint64_t obj = 0, view = 0;
	int s;

	KTAP_REQUIRE(mmap_(0, 2 * 4096, RW, _PROC_MAP_SHARED | _PROC_MAP_ANON, &obj) == 0);
	uint64_t g = grant(my_pid(), obj, 2 * 4096, RW, &s);
	KTAP_EQ(s, 0);
	KTAP_REQUIRE(g != 0);
	KTAP_EQ(map_grant(g, 2 * 4096, RW, &view), 0);
	KTAP_REQUIRE(view != 0 && view != obj);
	*(volatile int *)(obj + 4096) = 77;
	KTAP_EQ(*(volatile int *)(view + 4096), 77);
	uint64_t none;
	KTAP_EQ(map_grant(g, 4096, PROT_READ, &none), -EINVAL);         /* used up */
	g = grant(my_pid(), obj, 4096, PROT_READ, &s);
	KTAP_EQ(map_grant(g, 4096, RW, &none), -EACCES);                /* more than granted */
	g = grant(my_pid(), obj, 4096, PROT_READ, &s);
	KTAP_EQ(map_grant(g, 2 * 4096, PROT_READ, &none), -EACCES);
	grant(999999, obj, 4096, PROT_READ, &s);
	KTAP_EQ(s, -EINVAL);                                            /* nobody */
	grant(my_pid(), obj + 1, 4096, PROT_READ, &s);
	KTAP_EQ(s, -EINVAL);
	grant(my_pid(), obj, 0, PROT_READ, &s);
	KTAP_EQ(s, -EINVAL);
	grant(my_pid(), obj, 4096, PROT_EXEC, &s);
	KTAP_EQ(s, -EINVAL);
	KTAP_EQ(mem_op(_PROC_MUNMAP, view, 2 * 4096, 0), 0);
	KTAP_EQ(mem_op(_PROC_MUNMAP, obj, 2 * 4096, 0), 0);
}

/* ---- the path space, continued ------------------------------------------------------- */

static int detach_target;

static int detach_other(void)
{
	return detach(detach_target) == -EPERM ? 0 : 1;
}

static void t_path_detach_by_another_eperm(void)
{
	struct redirect r;
	int chid = ChannelCreate_r(0);
	int id = attach(_PROC_PATH_ATTACH, "/t/mine", 0, chid, 0, 5);

	KTAP_REQUIRE(id > 0);
	detach_target = id;
	KTAP_EQ(in_child(detach_other), EXITED(0));
	KTAP_EQ(connect("/t/mine", &r), _IO_CONNECT_RET_LINK | 1);     /* still there */
	KTAP_EQ(detach(id), 0);
	KTAP_EQ(detach(0), -ENOENT);
	KTAP_EQ(detach(-4), -ENOENT);
	ChannelDestroy_r(chid);
}

static int nonroot_link_checks(void)
{
	struct _proc_hdr reset = { .type = _PROC_SYSRESET, .subtype = _PROC_SYSRESET_POWEROFF };

	if (setcred(_PROC_SETRESUID, 100, 100, 100))
		return 1;
	if (attach(_PROC_PATH_LINK, "/nonroot", "/bin", 0, 0, 0) != -EPERM)
		return 2;
	if (urt_tm_send(&reset, sizeof reset, 0, 0) != -EPERM)
		return 3;
	return 0;
}

static void t_path_link_and_sysreset_need_root(void)
{
	struct redirect r;

	KTAP_EQ(in_child(nonroot_link_checks), EXITED(0));
	KTAP_EQ(connect("/nonroot", &r), -ENOENT);
	struct _proc_hdr h = { .type = _PROC_SYSRESET, .subtype = 7 };
	KTAP_EQ(urt_tm_send(&h, sizeof h, 0, 0), -EINVAL);              /* no such subtype */
	struct { struct _proc_hdr h; uint64_t x; } longer = { { .type = _PROC_SYSRESET }, 0 };
	KTAP_EQ(urt_tm_send(&longer, sizeof longer, 0, 0), -EINVAL);
}

static int setctty(int pid, const char *path)
{
	static char buf[128];
	struct _proc_setctty *m = (void *)buf;
	size_t n = strlen(path) + 1;

	*m = (struct _proc_setctty){ .hdr.type = _PROC_SETCTTY, .pid = pid, .pathlen = (uint32_t)n };
	memcpy(m + 1, path, n);
	return (int)urt_tm_send(buf, sizeof *m + n, 0, 0);
}

static void t_setctty_rules(void)
{
	int chid = ChannelCreate_r(0);
	int t1 = attach(_PROC_PATH_ATTACH, "/t/tty1", 0, chid, 0, 1);
	int t2 = attach(_PROC_PATH_ATTACH, "/t/tty2", 0, chid, 0, 2);
	int a = long_child(_PROC_SPAWN_SETSID, 0);
	int b = long_child(_PROC_SPAWN_SETSID, 0);
	int c = long_child(0, 0);

	KTAP_REQUIRE(t1 > 0 && t2 > 0 && a > 1 && b > 1 && c > 1);
	KTAP_EQ(setctty(a, "/t/nottty"), -EPERM);       /* we do not serve it */
	KTAP_EQ(setctty(c, "/t/tty1"), -EPERM);         /* not a session leader */
	KTAP_EQ(setctty(a, "/t/tty1"), 0);
	KTAP_EQ(setctty(a, "/t/tty1"), 0);              /* again: the same one */
	KTAP_EQ(setctty(a, "/t/tty2"), -EEXIST);        /* it has one */
	KTAP_EQ(setctty(b, "/t/tty1"), -EBUSY);         /* another session has it */
	KTAP_EQ(setctty(0, "/t/tty1"), 0);              /* the terminal is gone */
	KTAP_EQ(setctty(b, "/t/tty1"), 0);
	KTAP_EQ(setctty(b, "relative"), -EINVAL);
	KTAP_EQ(end_child(a), KILLED);
	KTAP_EQ(end_child(b), KILLED);
	KTAP_EQ(end_child(c), KILLED);
	detach(t1);
	detach(t2);
	ChannelDestroy_r(chid);
}

static void t_bootimg_reads(void)
{
	struct _proc_bootimg m = { .hdr.type = _PROC_BOOTIMG };
	char buf[16];
	long size = urt_tm_send(&m, sizeof m, 0, 0);

	KTAP_REQUIRE(size > 110);                       /* a cpio header at least */
	m.len = 6;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 6);
	KTAP_EQ(memcmp(buf, "070701", 6), 0);           /* newc */
	m.offset = (uint64_t)size - 1;
	m.len = sizeof buf;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 1);         /* the last byte */
	m.offset = (uint64_t)size;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 0);
	m.offset = ~0ul;
	KTAP_EQ(urt_tm_send(&m, sizeof m, buf, sizeof buf), 0);
	KTAP_EQ(urt_tm_send(&m, 16, buf, sizeof buf), -EINVAL);         /* short */
}

/* ---- exec and fork, continued ---------------------------------------------------------- */

static void *sleeper(void *arg)
{
	urt_sleep_ms(5000);
	return arg;
}

static void t_exec_ends_other_threads(void)
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

static void t_exec_runs_a_script(void)
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

static void t_exec_malformed_einval(void)
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

static void t_fork_inherits_group_creds_limits(void)
{
	KTAP_EQ(in_child(fork_inherit_setup), EXITED(0));
}

/* ---- spawn attributes and limits the first cut missed -------------------------------- */

static void t_spawn_sigmask_reaches_child(void)
{
	const char *argv[] = { "tm-child", "sigmask", "16", 0 };        /* SIGUSR1 */
	static char buf[512];
	struct _proc_spawn *m = (void *)buf;
	static const char strs[] = CHILD "\0tm-child\0sigmask\0" "16";

	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .flags = _PROC_SPAWN_SETSIGMASK,
				   .sigmask = 1ul << (SIGUSR1 - 1), .pathlen = 14, .argc = 3,
				   .argvlen = sizeof strs - 14 };
	memcpy(m + 1, strs, sizeof strs);
	int pid = (int)urt_tm_send(buf, sizeof *m + sizeof strs, 0, 0);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
	pid = urt_tm_spawn(CHILD, argv, 0, 0, 0, 0, 0);   /* without: not blocked */
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(1));
}

static void t_spawn_nozombie_is_not_waited_for(void)
{
	struct _proc_wait_reply r;
	int pid = spawn_flags(_PROC_SPAWN_NOZOMBIE, 0, "sleep");

	KTAP_REQUIRE(pid > 1);
	/* Nobody reaps it: the wait ends with ECHILD once it is gone. */
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(urt_tm_ids(pid, &(struct _proc_ids){ 0 }), -ESRCH);
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

static void t_fork_rlimit_nproc_eagain(void)
{
	KTAP_EQ(in_child(fork_nproc_checks), EXITED(0));
}


/* posix_spawn: what the parent ignores stays ignored in the child, but for
 * SETSIGDEF's signals (SIGUSR2 here: tm-child's sigign reports it). */
static int spawn_sigign(uint32_t flags, uint64_t sigdefault)
{
	static char buf[512];
	struct _proc_spawn *m = (void *)buf;
	static const char strs[] = CHILD "\0tm-child\0sigign\0" "17";

	*m = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .flags = flags,
				   .sigdefault = sigdefault, .pathlen = 14, .argc = 3,
				   .argvlen = sizeof strs - 14 };
	memcpy(m + 1, strs, sizeof strs);
	return (int)urt_tm_send(buf, sizeof *m + sizeof strs, 0, 0);
}

static void t_spawn_keeps_ignored_signals_but_sigdefault(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, dfl = { .sa_handler = SIG_DFL };
	int pid;

	KTAP_EQ(SignalAction_r(0, 0, SIGUSR2, &ign, 0), 0);
	pid = spawn_sigign(0, 0);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));                  /* ignored there too */
	pid = spawn_sigign(_PROC_SPAWN_SETSIGDEF, 1ul << (SIGUSR2 - 1));
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(1));                  /* back to the default */
	KTAP_EQ(SignalAction_r(0, 0, SIGUSR2, &dfl, 0), 0);
	pid = spawn_sigign(0, 0);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(1));                  /* the parent's default */
}

/* ---- faults, continued (the `faults` run) ------------------------------------------------- */

static void killed_by_sigsegv(int pid)
{
	struct _proc_wait_reply r;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.code, _PROC_CLD_KILLED);
	KTAP_EQ(r.signo, SIGSEGV);
	KTAP_EQ(r.status, _PROC_W_SIGNALED(SIGSEGV));
}

static void t_below_the_stack_is_sigsegv(void)
{
	killed_by_sigsegv(child("stackguard", 0, 0));
}

/* Forks a child that runs body, which faults before it returns (exit 1:
 * its setup failed; 2: no fault); the child's pid. */
static int fork_to_fault(void (*body)(void))
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		body();
		ProcessExit(2);
	}
	return pid;
}

static void store_below_map_stack(void)
{
	uint64_t a = 0;

	if (mmap_(0, 4 * 4096, RW, ANON_PRIV | _PROC_MAP_STACK, &a))
		ProcessExit(1);
	*(volatile int *)a = 1;                 /* its lowest page is there */
	*(volatile int *)(a - 8) = 1;           /* the guard below is not */
}

static void store_to_read_only(void)
{
	uint64_t a = 0;

	if (mmap_(0, 4096, RW, ANON_PRIV, &a) || mem_op(_PROC_MPROTECT, a, 4096, PROT_READ))
		ProcessExit(1);
	*(volatile int *)a = 1;
}

static void load_from_unmapped(void)
{
	uint64_t a = 0;

	if (mmap_(0, 4096, RW, ANON_PRIV, &a) || mem_op(_PROC_MUNMAP, a, 4096, 0))
		ProcessExit(1);
	ProcessExit(*(volatile int *)a + 3);
}

static void t_map_stack_guard_is_sigsegv(void)
{
	killed_by_sigsegv(fork_to_fault(store_below_map_stack));
}

static void t_mprotect_readonly_store_is_sigsegv(void)
{
	killed_by_sigsegv(fork_to_fault(store_to_read_only));
}

static void t_munmapped_load_is_sigsegv(void)
{
	killed_by_sigsegv(fork_to_fault(load_from_unmapped));
}

/* ---- faults (the `faults` run) ---------------------------------------------------------- */

static void t_fault_is_sigsegv(void)
{
	struct _proc_wait_reply r;
	int pid = child("fault", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), pid);
	KTAP_EQ(r.code, _PROC_CLD_KILLED);
	KTAP_EQ(r.signo, 11);
	KTAP_EQ(r.status, _PROC_W_SIGNALED(11));
}

/* _PROC_MMAP with _PROC_MAP_CONTIG, for a driver (this program holds the
 * I/O privilege, as the first program does): zeroed memory in one physical
 * run, whose address the reply gives and MemPhys confirms. */
static void t_mmap_contig_is_one_run(void)
{
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .len = 5 * 4096,
				.prot = PROT_READ | PROT_WRITE,
				.flags = _PROC_MAP_PRIVATE | _PROC_MAP_ANON | _PROC_MAP_CONTIG };
	struct _proc_mmap_reply r = { 0 };
	uint64_t pa = 0;

	KTAP_REQUIRE(urt_tm_send(&m, sizeof m, &r, sizeof r) == 0);
	KTAP_CHECK(r.addr != 0 && r.paddr != 0 && (r.paddr & 4095) == 0);
	KTAP_EQ(MemPhys_r((void *)r.addr, 5 * 4096, &pa), 5 * 4096);
	KTAP_EQ(pa, r.paddr);
	KTAP_EQ(((volatile unsigned char *)r.addr)[5 * 4096 - 1], 0);
	m.hdr.type = _PROC_MUNMAP;
	m.addr = r.addr;
	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), 0);
	m = (struct _proc_mmap){ .hdr.type = _PROC_MMAP, .len = 4096, .prot = PROT_READ,
				 .flags = _PROC_MAP_PRIVATE | _PROC_MAP_CONTIG };
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), -EINVAL);  /* not anonymous */
}

static const struct ktap_case cases[] = {
	{ "spawn_exit_status", t_spawn_exit_status },
	{ "spawn_exit_status_low_byte", t_spawn_exit_status_low_byte },
	{ "spawn_argv_envp", t_spawn_argv_envp },
	{ "spawn_auxv_and_data", t_spawn_auxv_and_data },
	{ "spawn_missing_enoent", t_spawn_missing_enoent },
	{ "spawn_not_elf_enoexec", t_spawn_not_elf_enoexec },
	{ "spawn_truncated_enoexec", t_spawn_truncated_enoexec },
	{ "spawn_script_runs_interpreter", t_spawn_script_runs_interpreter },
	{ "spawn_script_bad_interpreter", t_spawn_script_bad_interpreter },
	{ "spawn_relative_path", t_spawn_relative_path },
	{ "spawn_malformed_einval", t_spawn_malformed_einval },
	{ "spawn_e2big", t_spawn_e2big },
	{ "spawn_bad_pointer_efault", t_spawn_bad_pointer_efault },
	{ "spawn_setpgroup", t_spawn_setpgroup },
	{ "spawn_setpgroup_negative_einval", t_spawn_setpgroup_negative_einval },
	{ "spawn_setsid", t_spawn_setsid },
	{ "spawn_many_in_a_row", t_spawn_many_in_a_row },
	{ "failed_spawns_leave_nothing", t_failed_spawns_leave_nothing },
	{ "wait_no_children_echild", t_wait_no_children_echild },
	{ "wait_wnohang_running", t_wait_wnohang_running },
	{ "wait_blocks_until_exit", t_wait_blocks_until_exit },
	{ "wait_any_reports_each_once", t_wait_any_reports_each_once },
	{ "wait_by_group", t_wait_by_group },
	{ "wait_wnowait_leaves_it", t_wait_wnowait_leaves_it },
	{ "wait_bad_options_einval", t_wait_bad_options_einval },
	{ "zombie_until_reaped", t_zombie_until_reaped },
	{ "orphans_go_to_init", t_orphans_go_to_init },
	{ "daemon_leaves_parent", t_daemon_leaves_parent },
	{ "ids_of_self", t_ids_of_self },
	{ "ids_seen_by_child", t_ids_seen_by_child },
	{ "setpgid_child", t_setpgid_child },
	{ "setpgid_other_session_eperm", t_setpgid_other_session_eperm },
	{ "setpgid_not_a_child_esrch", t_setpgid_not_a_child_esrch },
	{ "setsid_rules", t_setsid_rules },
	{ "rlimit_get_set", t_rlimit_get_set },
	{ "rlimit_errors", t_rlimit_errors },
	{ "rlimit_inherited", t_rlimit_inherited },
	{ "path_attach_and_resolve", t_path_attach_and_resolve },
	{ "path_directory_and_longest_first", t_path_directory_and_longest_first },
	{ "path_union_order", t_path_union_order },
	{ "path_symlink", t_path_symlink },
	{ "path_bad_names_einval", t_path_bad_names_einval },
	{ "path_connect_malformed_einval", t_path_connect_malformed_einval },
	{ "path_names_go_with_their_server", t_path_names_go_with_their_server },
	{ "path_link_target_checked", t_path_link_needs_root_target_checked },
	{ "unknown_message_enosys", t_unknown_message_enosys },
	{ "short_message_einval", t_short_message_einval },
	{ "info_walk", t_info_walk },
	{ "sigchld_names_the_child", t_sigchld_names_the_child },
	{ "kill_is_wifsignaled", t_kill_is_wifsignaled },
	{ "stop_and_continue_reported", t_stop_and_continue_reported },
	{ "sigkill_ends_a_stopped_child", t_sigkill_ends_a_stopped_child },
	{ "kill_a_group", t_kill_a_group },
	{ "taskman_is_shielded", t_taskman_is_shielded },
	{ "credentials", t_credentials },
	{ "setgroups_as_root", t_setgroups_as_root },
	{ "fork_child_returns_zero", t_fork_child_returns_zero },
	{ "fork_copy_on_write", t_fork_copy_on_write },
	{ "fork_child_ids", t_fork_child_ids },
	{ "fork_threaded_enosys", t_fork_threaded_enosys },
	{ "fork_many", t_fork_many },
	{ "exec_replaces_image", t_exec_replaces_image },
	{ "exec_keeps_pid_and_parent", t_exec_keeps_pid_and_parent },
	{ "exec_failure_returns", t_exec_failure_returns },
	{ "exec_setpgid_after_exec_eacces", t_exec_setpgid_after_exec_eacces },
	{ "mmap_contig_is_one_run", t_mmap_contig_is_one_run },
	{ "spawn_resetids", t_spawn_resetids },
	{ "spawn_iopriv_needs_privilege", t_spawn_iopriv_needs_privilege },
	{ "spawn_rlimit_nproc_eagain", t_spawn_rlimit_nproc_eagain },
	{ "spawn_args_beyond_stack_e2big", t_spawn_args_beyond_stack_e2big },
	{ "spawn_env_and_cwd_malformed_einval", t_spawn_env_and_cwd_malformed_einval },
	{ "spawn_cwd_too_long_enametoolong", t_spawn_cwd_too_long_enametoolong },
	{ "wait_not_a_child_echild", t_wait_not_a_child_echild },
	{ "wait_wnohang_sees_a_stop", t_wait_wnohang_sees_a_stop },
	{ "wait_pgid_zero_is_callers_group", t_wait_pgid_zero_is_callers_group },
	{ "wait_reports_child_uid", t_wait_reports_child_uid },
	{ "info_of_a_child", t_info_of_a_child },
	{ "info_stopped_is_t", t_info_stopped_is_t },
	{ "info_errors", t_info_errors },
	{ "info_args_cut", t_info_args_cut },
	{ "getids_of_a_child_and_errors", t_getids_of_a_child_and_errors },
	{ "getids_orphaned_group", t_getids_orphaned_group },
	{ "setpgid_join_a_group", t_setpgid_join_a_group },
	{ "setpgid_session_leader_eperm", t_setpgid_session_leader_eperm },
	{ "setgid_family_rules", t_setgid_family_rules },
	{ "kill_same_uid_only", t_kill_same_uid_only },
	{ "rlimit_hard_limit_nonroot_eperm", t_rlimit_hard_limit_nonroot_eperm },
	{ "rlimit_defaults", t_rlimit_defaults },
	{ "rlimit_as_bounds_mmap", t_rlimit_as_bounds_mmap },
	{ "mmap_anon_zeroed_and_counted", t_mmap_anon_zeroed_and_counted },
	{ "mmap_bad_arguments_einval", t_mmap_bad_arguments_einval },
	{ "mmap_fixed_and_noreplace", t_mmap_fixed_and_noreplace },
	{ "mmap_shared_seen_by_fork", t_mmap_shared_seen_by_fork },
	{ "mprotect_round_trip", t_mprotect_round_trip },
	{ "shm_grant_maps_the_same_pages", t_shm_grant_maps_the_same_pages },
	{ "path_detach_by_another_eperm", t_path_detach_by_another_eperm },
	{ "path_link_and_sysreset_need_root", t_path_link_and_sysreset_need_root },
	{ "setctty_rules", t_setctty_rules },
	{ "bootimg_reads", t_bootimg_reads },
	{ "exec_ends_other_threads", t_exec_ends_other_threads },
	{ "exec_runs_a_script", t_exec_runs_a_script },
	{ "exec_malformed_einval", t_exec_malformed_einval },
	{ "fork_inherits_group_creds_limits", t_fork_inherits_group_creds_limits },
	{ "spawn_sigmask_reaches_child", t_spawn_sigmask_reaches_child },
	{ "spawn_nozombie_is_not_waited_for", t_spawn_nozombie_is_not_waited_for },
	{ "fork_rlimit_nproc_eagain", t_fork_rlimit_nproc_eagain },
	{ "spawn_keeps_ignored_signals_but_sigdefault", t_spawn_keeps_ignored_signals_but_sigdefault },
};

static const struct ktap_case fault_cases[] = {
	{ "fault_is_sigsegv", t_fault_is_sigsegv },
	{ "below_the_stack_is_sigsegv", t_below_the_stack_is_sigsegv },
	{ "map_stack_guard_is_sigsegv", t_map_stack_guard_is_sigsegv },
	{ "mprotect_readonly_store_is_sigsegv", t_mprotect_readonly_store_is_sigsegv },
	{ "munmapped_load_is_sigsegv", t_munmapped_load_is_sigsegv },
};

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc > 1 && !strcmp(argv[1], "faults")) {
		ktap_run(fault_cases, sizeof fault_cases / sizeof fault_cases[0]);
		return ktap_done("ktest-taskman faults") ? 1 : 0;
	}
	ktap_run(cases, sizeof cases / sizeof cases[0]);
	return ktap_done("ktest-taskman") ? 1 : 0;
}
