/* ktest-taskman: spawn (POSIX.1-2017 posix_spawn): exit status, arguments,
 * scripts, malformed messages, the spawn attributes (groups, sessions,
 * RESETIDS, IOPRIV, signal masks and defaults, NOZOMBIE) and the limits. */
#include <keel/hwinfo.h>
#include "ktest_taskman.h"

/* ---- spawn (POSIX.1-2017 posix_spawn) ----------------------------------------------- */

void t_spawn_exit_status(void)
{
	int pid = child("exit", "7", 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(7));
}

void t_spawn_exit_status_low_byte(void)
{
	int pid = child("exit", "513", 0);      /* only the low 8 bits reach the parent */

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(1));
}

void t_spawn_argv_envp(void)
{
	const char *argv[] = { "tm-child", "args", "one", "two words", "", 0 };
	const char *envp[] = { "A=b", "KEEL_T=1", 0 };
	int pid = urt_tm_spawn(CHILD, argv, envp, 0, 0, 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_spawn_auxv_and_data(void)
{
	const char *argv[] = { "tm-child", "auxv", CHILD, "startup-data", 0 };
	int pid = urt_tm_spawn(CHILD, argv, 0, 0, 0, "startup-data", 13);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_spawn_missing_enoent(void)
{
	KTAP_EQ(child("exit", "0", 0) > 0, 1);
	KTAP_EQ(urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &(struct _proc_wait_reply){ 0 }) > 0, 1);
	KTAP_EQ(urt_tm_spawn("/bin/no-such-program", 0, 0, 0, 0, 0, 0), -ENOENT);
	KTAP_EQ(urt_tm_spawn("/bin", 0, 0, 0, 0, 0, 0), -EACCES);   /* a directory */
}

void t_spawn_not_elf_enoexec(void)
{
	KTAP_EQ(urt_tm_spawn("/test/notelf", 0, 0, 0, 0, 0, 0), -ENOEXEC);
	KTAP_EQ(urt_tm_spawn("/test/empty", 0, 0, 0, 0, 0, 0), -ENOEXEC);
}

void t_spawn_truncated_enoexec(void)
{
	KTAP_EQ(urt_tm_spawn("/test/truncated", 0, 0, 0, 0, 0, 0), -ENOEXEC);
}

void t_spawn_script_runs_interpreter(void)
{
	const char *argv[] = { "script", "x", 0 };
	int pid = urt_tm_spawn("/test/script", argv, 0, 0, 0, 0, 0);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_spawn_script_bad_interpreter(void)
{
	KTAP_EQ(urt_tm_spawn("/test/badscript", 0, 0, 0, 0, 0, 0), -ENOENT);
	KTAP_EQ(urt_tm_spawn("/test/emptyscript", 0, 0, 0, 0, 0, 0), -ENOEXEC);
}

void t_spawn_relative_path(void)
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

void t_spawn_malformed_einval(void)
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

void t_spawn_e2big(void)
{
	static struct _proc_spawn m = { .hdr.type = _PROC_SPAWN };
	iov_t iov[2];

	/* Claims more than _PROC_SPAWN_MAX bytes: refused before anything is read. */
	SETIOV(&iov[0], &m, sizeof m);
	SETIOV(&iov[1], (void *)0x10000, _PROC_SPAWN_MAX);
	KTAP_EQ(MsgSendv_r(urt_tm_coid(), iov, 2, 0, 0), -E2BIG);
}

void t_spawn_bad_pointer_efault(void)
{
	KTAP_EQ(urt_tm_send((void *)0xffffffff80000000ul, 64, 0, 0), -EFAULT);
}

void t_spawn_setpgroup(void)
{
	int pid = spawn_flags(_PROC_SPAWN_SETPGROUP, 0, "sleep");
	struct _proc_ids ids;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_ids(pid, &ids), 0);
	KTAP_EQ(ids.pgid, pid);
	KTAP_EQ(ids.ppid, my_pid());
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_spawn_setpgroup_negative_einval(void)
{
	KTAP_EQ(spawn_flags(_PROC_SPAWN_SETPGROUP, -5, "exit"), -EINVAL);
	/* a group that is not there (here: a pid to come) is not joined */
	KTAP_EQ(spawn_flags(_PROC_SPAWN_SETPGROUP, my_pid() + 1000, "exit"), -EPERM);
}

void t_spawn_setsid(void)
{
	int pid = spawn_flags(_PROC_SPAWN_SETSID, 0, "sleep");
	struct _proc_ids ids;

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(urt_tm_ids(pid, &ids), 0);
	KTAP_EQ(ids.sid, pid);
	KTAP_EQ(ids.pgid, pid);
	KTAP_EQ(reap(pid), EXITED(0));
}

void t_spawn_many_in_a_row(void)
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

void t_failed_spawns_leave_nothing(void)
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

/* ---- attributes, limits and malformed messages ------------------------------------------- */

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

void t_spawn_resetids(void)
{
	KTAP_EQ(in_child(resetids_checks), EXITED(0));
}

/* The driver calls are for those that have them: the first program does. */
void t_spawn_iopriv_needs_privilege(void)
{
	int pid = spawn_flags(_PROC_SPAWN_IOPRIV, 0, "exit");

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(30));
	KTAP_EQ(child_status("nopriv"), EXITED(0));
}

/* A driver child (tm-child `what` [dev2] pa) that may map devs: its status
 * word, or the spawn's -errno. */
static int dev_child(uint32_t flags, const char *devs, size_t devlen, const char *what,
		     const char *dev2, uint64_t pa)
{
	char hex[24];

	snprintf(hex, sizeof hex, "0x%lx", (unsigned long)pa);
	const char *argv[] = { "tm-child", what, dev2 ? dev2 : hex, dev2 ? hex : 0, 0 };
	int pid = urt_tm_spawn_devices(CHILD, argv, flags, devs, devlen);

	return pid < 0 ? pid : reap(pid);
}

#define DEVS(s) s, sizeof s
#define IOPRIV _PROC_SPAWN_IOPRIV

/* A driver maps the devices its spawner named and nothing else: taskman
 * grants their ranges to its space, the kernel refuses every other page
 * (EPERM), through taskman's mmap too, and after an exec; a driver hands on
 * only what it holds.  The power-off device is the one whose page matters. */
void t_spawn_devices_granted_only(void)
{
	struct _hw_device d, off;
	const char *uart = "ns16550a";

	if (HwInfoDevice_r(uart, 0, &d) == -ENOENT)
		uart = "sifive,uart0";
	KTAP_REQUIRE(HwInfoDevice_r(uart, 0, &d) == 0);
	size_t ulen = strlen(uart) + 1;
	uint64_t pa = d.base & ~0xffful;
	bool poweroff = HwInfoDevice_r("sifive,test0", 0, &off) == 0;

	KTAP_EQ(dev_child(IOPRIV, uart, ulen, "mapdev", 0, pa), EXITED(0));
	KTAP_EQ(dev_child(IOPRIV, uart, ulen, "mmapdev", 0, pa), EXITED(0));
	KTAP_EQ(dev_child(IOPRIV, uart, ulen, "execmap", 0, pa), EXITED(0));
	KTAP_EQ(dev_child(IOPRIV, uart, ulen, "spawndev", uart, pa), EXITED(0));
	KTAP_EQ(dev_child(IOPRIV, 0, 0, "mapdev", 0, pa), EXITED(EPERM));
	KTAP_EQ(dev_child(IOPRIV, 0, 0, "mmapdev", 0, pa), EXITED(EPERM));
	if (poweroff) {
		uint64_t opa = off.base & ~0xffful;
		KTAP_EQ(dev_child(IOPRIV, uart, ulen, "mapdev", 0, opa), EXITED(EPERM));
		KTAP_EQ(dev_child(IOPRIV, uart, ulen, "mmapdev", 0, opa), EXITED(EPERM));
		KTAP_EQ(dev_child(IOPRIV, uart, ulen, "spawndev", "sifive,test0", opa),
			EXITED(100 + EPERM));
	} else {
		ktap_diag("no sifive,test0 here: the power-off device's checks are not made");
	}
	/* What taskman refuses before anything starts. */
	KTAP_EQ(dev_child(0, uart, ulen, "mapdev", 0, pa), -EINVAL);            /* no IOPRIV */
	KTAP_EQ(dev_child(IOPRIV, DEVS("keel,no-such-device"), "mapdev", 0, pa), -ENODEV);
	KTAP_EQ(dev_child(IOPRIV, DEVS("riscv,plic0"), "mapdev", 0, pa), -EINVAL); /* the kernel's */
	KTAP_EQ(dev_child(IOPRIV, DEVS("\0ns16550a"), "mapdev", 0, pa), -EINVAL); /* an empty name */
	KTAP_EQ(dev_child(IOPRIV, uart, ulen - 1, "mapdev", 0, pa), -EINVAL);   /* no NUL */
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

void t_spawn_rlimit_nproc_eagain(void)
{
	KTAP_EQ(in_child(nproc_checks), EXITED(0));
}

static char big_msg[200 * 1024] __attribute__((aligned(8)));

/* Under the message limit but more than the new stack holds. */
void t_spawn_args_beyond_stack_e2big(void)
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

void t_spawn_env_and_cwd_malformed_einval(void)
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

void t_spawn_cwd_too_long_enametoolong(void)
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

/* ---- spawn's signal attributes and NOZOMBIE ---------------------------------------------- */

void t_spawn_sigmask_reaches_child(void)
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

void t_spawn_nozombie_is_not_waited_for(void)
{
	struct _proc_wait_reply r;
	int pid = spawn_flags(_PROC_SPAWN_NOZOMBIE, 0, "sleep");

	KTAP_REQUIRE(pid > 1);
	/* Nobody reaps it: the wait ends with ECHILD once it is gone. */
	KTAP_EQ(urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r), -ECHILD);
	KTAP_EQ(urt_tm_ids(pid, &(struct _proc_ids){ 0 }), -ESRCH);
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

void t_spawn_keeps_ignored_signals_but_sigdefault(void)
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
