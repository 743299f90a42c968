/* ktest-taskman: ids, process groups and sessions (POSIX.1-2017 getpgid,
 * setpgid, setsid), credentials (setuid and its family, setgroups) and
 * resource limits (getrlimit, setrlimit). */
#include "ktest_taskman.h"

/* ---- ids, groups, sessions (POSIX.1-2017 getpgid, setpgid, setsid) ----------------------- */

void t_ids_of_self(void)
{
	struct _proc_ids ids;

	KTAP_EQ(urt_tm_ids(0, &ids), 0);
	KTAP_EQ(ids.pid, my_pid());
	KTAP_EQ(ids.ppid, 1);
	KTAP_EQ(urt_tm_ids(424242, &ids), -ESRCH);
}

void t_ids_seen_by_child(void)
{
	int pid = child("ids", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

int setpgid_(int pid, int pgid)
{
	struct _proc_setpgid m = { .hdr.type = _PROC_SETPGID, .pid = pid, .pgid = pgid };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

void t_setpgid_child(void)
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

void t_setpgid_other_session_eperm(void)
{
	int pid = spawn_flags(_PROC_SPAWN_SETSID, 0, "sleep");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(setpgid_(pid, 0), -EPERM);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_setpgid_not_a_child_esrch(void)
{
	KTAP_EQ(setpgid_(1, 0), -ESRCH);                /* taskman is nobody's child */
}

void t_setsid_rules(void)
{
	int pid = child("setsid", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_getids_of_a_child_and_errors(void)
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

void t_getids_orphaned_group(void)
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

void t_setpgid_join_a_group(void)
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

void t_setpgid_session_leader_eperm(void)
{
	KTAP_EQ(in_child(session_leader_checks), EXITED(0));
}

/* ---- credentials (POSIX.1-2017 setuid, seteuid, setreuid, setgroups) --------------------- */

int my_cred(struct _cred_info *c)
{
	struct _client_info ci;
	int r = ConnectClientInfo_r(-1, &ci, 0);

	*c = ci.cred;
	return r;
}

int setcred(int sub, int a, int b, int c)
{
	struct _proc_setcred m = { .hdr.type = _PROC_SETCRED, .hdr.subtype = (uint16_t)sub,
				   .ids = { a, b, c } };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

/* In a spawned child, which holds no privilege: see tm-child's "cred". */
void t_credentials(void)
{
	int pid = child("cred", 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_setgroups_as_root(void)
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

void t_setgid_family_rules(void)
{
	KTAP_EQ(in_child(gid_checks), EXITED(0));
}

/* ---- resource limits (POSIX.1-2017 getrlimit) ------------------------------------------- */

int rlimit(int sub, int res, uint64_t *cur, uint64_t *max)
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

void t_rlimit_get_set(void)
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

void t_rlimit_errors(void)
{
	uint64_t cur = 10, max = 5;

	KTAP_EQ(rlimit(1, _PROC_RLIMIT_STACK, &cur, &max), -EINVAL);    /* cur > max */
	KTAP_EQ(rlimit(0, _PROC_RLIMIT_COUNT, &cur, &max), -EINVAL);
	KTAP_EQ(rlimit(0, -1, &cur, &max), -EINVAL);
	KTAP_EQ(rlimit(2, _PROC_RLIMIT_CORE, &cur, &max), -EINVAL);
}

void t_rlimit_inherited(void)
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

/* Drops root for uid (real, effective and saved), then sets a limit:
 * whether both went through. */
bool as_uid_with_limit(int uid, int res, uint64_t cur, uint64_t max)
{
	return !setcred(_PROC_SETRESUID, uid, uid, uid) && !rlimit(1, res, &cur, &max);
}

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

void t_rlimit_hard_limit_nonroot_eperm(void)
{
	KTAP_EQ(in_child(hard_limit_checks), EXITED(0));
}

void t_rlimit_defaults(void)
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

void t_rlimit_as_bounds_mmap(void)
{
	KTAP_EQ(in_child(as_limit_checks), EXITED(0));
}
