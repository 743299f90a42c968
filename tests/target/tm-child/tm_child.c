/* tm-child: the child that ktest-taskman and spawn-stress start.  The first
 * argument says what to do; the exit status says how it went (0: as
 * expected), so the parent checks both taskman's report and the child's
 * own view.
 *
 *   exit N              exit with status N
 *   sleep MS N          sleep MS milliseconds, then exit N
 *   args one "two words" ""   exit 0 if argv is exactly that and KEEL_T=1 is in envp
 *   auxv PATH DATA      exit 0 if the auxv has the page size, AT_EXECFN PATH and
 *                       the spawn data DATA (a string)
 *   script ARG PATH X   started through "#!/bin/tm-child script": argv is
 *                       [interp, "script", PATH, X]; exit 0 if so
 *   ids                 exit 0 if taskman's ids match ConnectClientInfo's pid
 *   setsid              setsid succeeds (sid = pgid = pid), a second is EPERM
 *   orphan MS           spawn "sleep MS 5" and exit 0 at once (an orphan)
 *   attach PATH         attach PATH to a channel of its own and exit 0
 *   daemon MS           detach from the parent, sleep MS, exit 0
 *   cred                setuid and friends, and the permission they give
 *                       (exit: the number of the first check that failed)
 *   fault               store through NULL
 *   sigmask SIG         exit 0 if signal SIG is blocked in its mask
 *   sigign SIG          exit 0 if signal SIG is ignored (SIG_IGN), 1 if not
 *   nopriv              exit 0 if the driver-only requests are EPERM for it
 *                       (spawned without _PROC_SPAWN_IOPRIV)
 *   killown             as uid 800, signal its own child (allowed) and its
 *                       parent, root's (EPERM)
 *   stackguard          store just below its stack (the auxv's stack base)
 *   mapdev PA           map the device page at PA itself (AsMap AS_MAP_PHYS);
 *                       exit 0, or the errno it got
 *   mmapdev PA          the same through taskman (_PROC_MMAP _PROC_MAP_PHYS)
 *   execmap PA          exec "tm-child mapdev PA" (exit 90: the exec failed)
 *   spawndev DEV PA     spawn "tm-child mapdev PA" as a driver that may map
 *                       device DEV; exit with its status, or 100 + the
 *                       spawn's errno */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/procmgr.h>
#include "urt.h"
#include <keel/signal.h>
#include "urt_tm.h"

static int check_args(int argc, char **argv, char **envp)
{
	bool env = false;

	for (char **e = envp; e && *e; e++)
		env |= !strcmp(*e, "KEEL_T=1");
	if (!env || argc != 5 || argv[5])
		return 1;
	return !strcmp(argv[2], "one") && !strcmp(argv[3], "two words") && !argv[4][0] ? 0 : 2;
}

static int check_auxv(char **argv, const uint64_t *aux)
{
	bool page = false, fn = false, data = false;
	const char *want = argv[3];
	uint64_t dptr = 0, dlen = 0;

	for (; aux && aux[0] != AT_NULL; aux += 2) {
		if (aux[0] == AT_PAGESZ)
			page = aux[1] == 4096;
		if (aux[0] == AT_EXECFN)
			fn = !strcmp((const char *)aux[1], argv[2]);
		if (aux[0] == AT_KEEL_SPAWNDATA)
			dptr = aux[1];
		if (aux[0] == AT_KEEL_SPAWNDATALEN)
			dlen = aux[1];
	}
	data = dptr && dlen == strlen(want) + 1 && !strcmp((const char *)dptr, want);
	return page && fn && data ? 0 : 1;
}

static int check_ids(void)
{
	struct _client_info ci;
	struct _proc_ids ids;

	if (ConnectClientInfo_r(-1, &ci, 0) < 0 || urt_tm_ids(0, &ids) < 0)
		return 1;
	return ids.pid == ci.pid && ids.ppid > 1 ? 0 : 2;
}

static int do_setsid(void)
{
	struct _proc_hdr m = { .type = _PROC_SETSID };
	struct _proc_ids ids;
	long sid = urt_tm_send(&m, sizeof m, 0, 0);

	if (sid <= 0 || urt_tm_ids(0, &ids) < 0 || ids.sid != sid || ids.pgid != sid ||
	    ids.pid != sid)
		return 1;
	return urt_tm_send(&m, sizeof m, 0, 0) == -EPERM ? 0 : 2;
}

static int do_attach(const char *path)
{
	static char buf[256];
	struct _proc_path_attach *m = (void *)buf;
	size_t n = strlen(path) + 1;
	int chid = ChannelCreate_r(0);

	if (chid < 0 || n > sizeof buf - sizeof *m)
		return 1;
	*m = (struct _proc_path_attach){ .hdr.type = _PROC_PATH_ATTACH, .chid = chid,
					 .pathlen = (uint32_t)n };
	memcpy(m + 1, path, n);
	return urt_tm_send(buf, sizeof *m + n, 0, 0) > 0 ? 0 : 2;
}

static int do_orphan(const char *ms)
{
	const char *argv[] = { "tm-child", "sleep", ms, "5", 0 };

	return urt_tm_spawn("/bin/tm-child", argv, 0, 0, 0, 0, 0) > 0 ? 0 : 1;
}

static int do_daemon(const char *ms)
{
	struct _proc_hdr m = { .type = _PROC_DAEMON };

	if (urt_tm_send(&m, sizeof m, 0, 0) < 0)
		return 1;
	urt_sleep_ms((unsigned)strtoul(ms, 0, 10));
	return 0;
}

static int setcred(int sub, int a, int b, int c)
{
	struct _proc_setcred m = { .hdr.type = _PROC_SETCRED, .hdr.subtype = (uint16_t)sub,
				   .ids = { a, b, c } };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

static int my_cred(struct _cred_info *c)
{
	struct _client_info ci;
	int r = ConnectClientInfo_r(-1, &ci, 0);

	*c = ci.cred;
	return r;
}

/* The exit code is the number of the first check that failed. */
static int cred_checks(void)
{
	struct _cred_info c;

	if (setcred(_PROC_SETEUID, 100, 0, 0) || my_cred(&c) || c.euid != 100 || c.ruid != 0)
		return 1;
	if (setcred(_PROC_SETEUID, 0, 0, 0))            /* back: 0 is the real uid */
		return 2;
	if (setcred(_PROC_SETRESUID, 200, 200, 200) || my_cred(&c) || c.suid != 200)
		return 3;
	if (setcred(_PROC_SETUID, 0, 0, 0) != -EPERM)   /* no way back now */
		return 4;
	if (setcred(_PROC_SETEUID, 300, 0, 0) != -EPERM)
		return 5;
	if (setcred(_PROC_SETGID, 5, 0, 0) != -EPERM)   /* not root any more */
		return 6;
	struct _proc_ids ids;
	if (urt_tm_ids(0, &ids) || SignalKill_r(ids.ppid, 0, 0, 0, 0) != -EPERM)
		return 7;                       /* may not signal root's processes */
	if (setcred(_PROC_SETGROUPS, 0, 0, 0) != -EPERM)
		return 8;
	if (setcred(99, 0, 0, 0) != -EINVAL)
		return 9;
	return 0;
}

static int blocked(int signo)
{
	sigset_t now;

	if (SignalProcmask_r(0, 0, SIG_BLOCK, 0, &now) < 0)
		return 2;
	return now.__bits[(signo - 1) / 32] >> ((signo - 1) % 32) & 1 ? 0 : 1;
}

static int ignored(int signo)
{
	struct sigaction old;

	if (SignalAction_r(0, 0, signo, 0, &old) < 0)
		return 2;
	return old.sa_handler == SIG_IGN ? 0 : 1;
}

/* The exit code is the number of the first check that failed. */
static int nopriv_checks(void)
{
	const char *argv[] = { "tm-child", "exit", "0", 0 };
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .len = 4096, .prot = PROT_READ | PROT_WRITE,
				.flags = _PROC_MAP_PRIVATE | _PROC_MAP_ANON | _PROC_MAP_CONTIG };
	struct _proc_mmap_reply r;

	if (urt_tm_spawn("/bin/tm-child", argv, 0, _PROC_SPAWN_IOPRIV, 0, 0, 0) != -EPERM)
		return 1;
	if (urt_tm_send(&m, sizeof m, &r, sizeof r) != -EPERM)
		return 2;
	m.flags = _PROC_MAP_SHARED | _PROC_MAP_PHYS;
	m.paddr = 0x10000000;           /* a device page, were it allowed */
	if (urt_tm_send(&m, sizeof m, &r, sizeof r) != -EPERM)
		return 3;
	return 0;
}

#define MAPDEV_VA 0x30000000ul

static int map_device(const char *pa)
{
	int r = AsMap_r(AS_SELF, MAPDEV_VA, 4096, PROT_READ, AS_MAP_PHYS, strtoul(pa, 0, 0));

	return -r;
}

static int mmap_device(const char *pa)
{
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .addr = MAPDEV_VA, .len = 4096,
				.prot = PROT_READ, .flags = _PROC_MAP_SHARED | _PROC_MAP_PHYS |
				_PROC_MAP_FIXED, .paddr = strtoul(pa, 0, 0) };
	struct _proc_mmap_reply r;

	long e = urt_tm_send(&m, sizeof m, &r, sizeof r);

	return e < 0 ? (int)-e : 0;
}

static int exec_map(const char *pa)
{
	const char *argv[] = { "tm-child", "mapdev", pa, 0 };

	urt_tm_exec("/bin/tm-child", argv, 0);
	return 90;
}

static int spawn_device(const char *dev, const char *pa)
{
	const char *argv[] = { "tm-child", "mapdev", pa, 0 };
	struct _proc_wait_reply r;
	int pid = urt_tm_spawn_devices("/bin/tm-child", argv, _PROC_SPAWN_IOPRIV, dev,
				       strlen(dev) + 1);

	if (pid < 0)
		return 100 - pid;
	if (urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r) != pid || r.code != _PROC_CLD_EXITED)
		return 99;
	return r.signo;
}

static int killown_checks(void)
{
	const char *argv[] = { "tm-child", "sleep", "2000", "0", 0 };
	struct _proc_wait_reply r;
	struct _proc_ids ids;

	if (urt_tm_ids(0, &ids) || setcred(_PROC_SETRESUID, 800, 800, 800))
		return 1;
	int pid = urt_tm_spawn("/bin/tm-child", argv, 0, 0, 0, 0, 0);
	if (pid <= 0)
		return 2;
	if (SignalKill_r(pid, 0, SIGTERM, 0, 0) != 0)
		return 3;
	if (urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r) != pid || r.signo != SIGTERM ||
	    r.uid != 800)
		return 4;
	return SignalKill_r(ids.ppid, 0, 0, 0, 0) == -EPERM ? 0 : 5;
}

static uint64_t aux_value(const uint64_t *aux, uint64_t type)
{
	for (; aux && aux[0] != AT_NULL; aux += 2)
		if (aux[0] == type)
			return aux[1];
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	const char *what = argc > 1 ? argv[1] : "";

	if (!strcmp(what, "exit") && argc > 2)
		return (int)strtol(argv[2], 0, 10);
	if (!strcmp(what, "sleep") && argc > 3) {
		urt_sleep_ms((unsigned)strtoul(argv[2], 0, 10));
		return (int)strtol(argv[3], 0, 10);
	}
	if (!strcmp(what, "args"))
		return check_args(argc, argv, envp);
	if (!strcmp(what, "auxv") && argc > 3)
		return check_auxv(argv, (const uint64_t *)urt_start_a3);
	if (!strcmp(what, "script"))
		return argc == 4 && !strcmp(argv[2], "/test/script") && !strcmp(argv[3], "x") ? 0 : 1;
	if (!strcmp(what, "ids"))
		return check_ids();
	if (!strcmp(what, "setsid"))
		return do_setsid();
	if (!strcmp(what, "orphan") && argc > 2)
		return do_orphan(argv[2]);
	if (!strcmp(what, "attach") && argc > 2)
		return do_attach(argv[2]);
	if (!strcmp(what, "daemon") && argc > 2)
		return do_daemon(argv[2]);
	if (!strcmp(what, "cred"))
		return cred_checks();
	if (!strcmp(what, "fault"))
		*(volatile int *)0 = 1;
	if (!strcmp(what, "sigmask") && argc > 2)
		return blocked((int)strtol(argv[2], 0, 10));
	if (!strcmp(what, "sigign") && argc > 2)
		return ignored((int)strtol(argv[2], 0, 10));
	if (!strcmp(what, "killown"))
		return killown_checks();
	if (!strcmp(what, "nopriv"))
		return nopriv_checks();
	if (!strcmp(what, "mapdev") && argc > 2)
		return map_device(argv[2]);
	if (!strcmp(what, "mmapdev") && argc > 2)
		return mmap_device(argv[2]);
	if (!strcmp(what, "execmap") && argc > 2)
		return exec_map(argv[2]);
	if (!strcmp(what, "spawndev") && argc > 3)
		return spawn_device(argv[2], argv[3]);
	if (!strcmp(what, "stackguard")) {
		uint64_t base = aux_value((const uint64_t *)urt_start_a3, AT_KEEL_STACKBASE);
		if (base)
			*(volatile uint64_t *)(base - 8) = 1;
		return 98;              /* no stack base, or the store went through */
	}
	printf("tm-child: what is '%s'?\n", what);
	return 99;
}
