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
};

static const struct ktap_case fault_cases[] = {
	{ "fault_is_sigsegv", t_fault_is_sigsegv },
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
