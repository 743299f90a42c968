/* init: the first program taskman starts when the command line names no
 * other.  It brings the system up and keeps it up:
 *
 *   1. the services of its own table, in order, each waited for until its
 *      name opens: the boot file system, the devices, pipes, and the
 *      console driver for the UART this board has (found with
 *      HwInfoDevice).  Drivers get the driver calls (POSIX_SPAWN_KEEL_
 *      IOPRIV); init's own fds 0-2 then move to /dev/console;
 *   2. pci-server when the board has a PCIe host it knows (it alone
 *      reaches configuration space; PCI drivers ask it), then the block
 *      drivers for the disk controllers this board has (a driver
 *      that finds no disk ends with status 0 and is not started again),
 *      then a file-system server for each /etc/fstab line whose device is
 *      there ("<device> <directory> keel [ro]", # comments), each waited
 *      for until its directory opens (one that ends cleanly was unmounted
 *      and is not started again);
 *   2a. /etc from the disk: when the volume on /usr carries etc/ (the
 *      build puts a copy of the boot image's /etc there), /etc becomes a
 *      link to /usr/etc in the path space, so what changes there (passwd)
 *      lasts; without such a disk /etc stays the boot image's, read-only;
 *      likewise /home is /usr/home when the volume carries one (the users'
 *      own directories, which the boot image only has read-only);
 *   3. /etc/rc, run once by /bin/sh if it exists;
 *   4. a getty for each terminal in /etc/ttys ("<device> <program> [arg]",
 *      # comments).
 *
 * A service or getty that ends is started again: at once after a clean
 * end (exit status 0, or a getty's session ended by SIGHUP: its terminal
 * hung up), else after a back-off that doubles (1 s up to 30 s)
 * while it keeps failing within 10 s of its start and resets once it has
 * run longer.  Orphans that taskman hands to init
 * are reaped.  Every start and end is said on the console and, once
 * slogger (the first service) serves, in the system log.
 *
 * init keeps SIGTERM, SIGUSR1 and SIGCHLD blocked and takes them with sigtimedwait
 * (no window between a check and a wait where one could be missed); what it
 * starts gets an empty signal mask.
 *
 * SIGTERM (from shutdown) takes the system down: nothing is restarted any
 * more; the terminals' sessions get SIGHUP and SIGTERM (an interactive
 * shell ignores SIGTERM), the services SIGTERM in the reverse of their
 * start order, the console driver last so that what init says is seen;
 * a terminal's session still there gets SIGHUP again each second (a shell
 * can miss one that comes just before it blocks), and whatever has not
 * ended within STOP_WAIT_NS gets SIGKILL, its threads' states said first.
 * Each end is said with the time it took.  Then init
 * ends, and with it the system: taskman ends and the kernel powers off.
 * SIGUSR1 (from shutdown -r) does the same and then, instead of ending,
 * has taskman reboot the machine (sysmgr_reboot); should that be refused,
 * init says why and ends, and the machine powers off. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pathmgr.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmgr.h>
#include <sys/wait.h>
#include <syslog.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>
#include <keel/sysinfo.h>
#include <keel/thread.h>

#define SERVICES_MAX 16
#define ARGS_MAX     4
#define BACKOFF_MIN_NS  1000000000ull
#define BACKOFF_MAX_NS  30000000000ull
#define STABLE_NS       10000000000ull
#define STOP_WAIT_NS    5000000000ull
#define HUP_AGAIN_NS    1000000000ull

struct service {
	char *argv[ARGS_MAX + 1];
	const char *ready;              /* a name that opens once it serves; NULL: none */
	const char *tty;                /* a getty's terminal: fds 0-2 there, own session */
	bool iopriv;
	const char *device;             /* iopriv: the device-tree `compatible` of the
					 * devices it may map (taskman grants them) */
	bool once;                      /* a clean end is final: a driver with nothing to drive */
	bool mount;                     /* ready is a directory it serves (statvfs says so) */
	bool quiet;                     /* a getty on another terminal than init's: what
					 * init says of it goes to the system log only, not
					 * across the console's prompt */
	pid_t pid;                      /* 0: not running */
	uint64_t started, restart_at, backoff;
};

/* What init says goes to the system log (once slogger serves: before,
 * syslog drops it) and, when console is true, to its console. */
static void vsay(bool console, int pri, const char *fmt, va_list ap)
{
	va_list ap2;

	va_copy(ap2, ap);
	if (console) {
		fputs("init: ", stdout);
		vprintf(fmt, ap);
	}
	vsyslog(LOG_DAEMON | pri, fmt, ap2);
	va_end(ap2);
}

static void __attribute__((format(printf, 2, 3))) say(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(true, pri, fmt, ap);
	va_end(ap);
}

/* say, for what concerns s: on the console unless s is quiet. */
static void __attribute__((format(printf, 3, 4))) say_of(const struct service *s, int pri,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(!s->quiet, pri, fmt, ap);
	va_end(ap);
}

static struct service svc[SERVICES_MAX];
static int nsvc;
static sigset_t no_signals;             /* the mask of what init starts */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };

	nanosleep(&ts, NULL);
}

static struct service *add(const char *ready, bool iopriv, const char *tty)
{
	if (nsvc == SERVICES_MAX) {
		say(LOG_ERR, "too many services; %s not started\n", ready ? ready : tty);
		return NULL;
	}
	struct service *s = &svc[nsvc++];
	*s = (struct service){ .ready = ready, .iopriv = iopriv, .tty = tty };
	return s;
}

/* The next start of s, which ran ran_ns before it ended (or failed to
 * start): the back-off doubles while it keeps dying young.  A clean end
 * (status 0: a getty whose user logged out) comes back at once. */
static void schedule(struct service *s, uint64_t ran_ns, bool clean)
{
	s->pid = 0;
	s->backoff = ran_ns >= STABLE_NS || clean ? 0 :
		     s->backoff ? (s->backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : s->backoff * 2) :
		     BACKOFF_MIN_NS;
	s->restart_at = now_ns() + s->backoff;
	if (s->backoff)
		say_of(s, LOG_NOTICE, "restarting %s in %llu s\n", s->argv[0],
		       (unsigned long long)(s->backoff / 1000000000u));
}

static int start(struct service *s)
{
	posix_spawnattr_t sa;
	posix_spawn_file_actions_t fa;
	short flags = 0;

	posix_spawnattr_init(&sa);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_setsigmask(&sa, &no_signals);
	flags |= POSIX_SPAWN_SETSIGMASK;
	if (s->iopriv)
		flags |= POSIX_SPAWN_KEEL_IOPRIV;
	if (s->iopriv && s->device)
		posix_spawnattr_keel_device(&sa, s->device);
	if (s->tty) {                   /* the getty makes its own session */
		for (int fd = 0; fd < 3; fd++)
			posix_spawn_file_actions_addopen(&fa, fd, s->tty, O_RDWR, 0);
	}
	posix_spawnattr_setflags(&sa, flags);
	/* Said before the start: a getty's prompt must not share its line. */
	say_of(s, LOG_INFO, "starting %s%s%s\n", s->argv[0], s->tty ? " on " : "", s->tty ? s->tty : "");
	int r = posix_spawn(&s->pid, s->argv[0], &fa, &sa, s->argv, NULL);
	posix_spawnattr_destroy(&sa);
	posix_spawn_file_actions_destroy(&fa);
	if (r) {
		say_of(s, LOG_ERR, "cannot start %s: %s\n", s->argv[0], strerror(r));
		schedule(s, 0, false);
		return -1;
	}
	s->started = now_ns();
	return 0;
}

static void ended(pid_t pid, int st);

/* Whether s serves its ready name: it opens; for a file-system server, the
 * directory (which may exist before, as a mount point) is the server's own
 * (statvfs's f_fsid is the serving process). */
static bool serves(const struct service *s)
{
	if (s->mount) {
		struct statvfs sv;
		return statvfs(s->ready, &sv) == 0 && sv.f_fsid == (unsigned long)s->pid;
	}
	int fd = open(s->ready, O_RDONLY);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Waits up to 5 s for s to serve its ready name, looking again after 0.25 ms,
 * then twice as long each time up to 2 ms: a service is mostly up within a
 * few milliseconds, and a fixed 10 ms step made each one cost a whole step
 * of the boot (a look costs a few thousand instructions). */
static int wait_ready(struct service *s)
{
	uint64_t deadline = now_ns() + 5000000000ull, step = 250000;

	for (;;) {
		if (serves(s))
			return 0;
		int st;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			if (!s->once || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
				say(LOG_ERR, "%s ended before it served %s\n", s->argv[0], s->ready);
			ended(s->pid, st);
			return -1;
		}
		if (now_ns() >= deadline)
			break;
		sleep_ns(step);
		if (step < 2000000)
			step *= 2;
	}
	say(LOG_ERR, "%s did not serve %s within 5 s\n", s->argv[0], s->ready);
	return -1;
}

/* The console driver for the UART this board has. */
static const char *console_driver(const char **compatible)
{
	static const struct { const char *compatible, *driver; } uarts[] = {
		{ "ns16550a", "/sbin/devc-ser8250" },
		{ "sifive,uart0", "/sbin/devc-sersifive" },
	};
	struct _hw_device d;

	for (unsigned i = 0; i < sizeof uarts / sizeof uarts[0]; i++)
		if (HwInfoDevice_r(uarts[i].compatible, 0, &d) == 0) {
			*compatible = uarts[i].compatible;
			return uarts[i].driver;
		}
	return NULL;
}

static void console_fds(void)
{
	int fd = open("/dev/console", O_RDWR);

	if (fd < 0)
		return;
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

/* A table of init's, read while it starts what the table names: closed
 * on exec, so what init starts does not keep it open (an open file under
 * /etc, on the disk, would keep /usr from being unmounted). */
static FILE *config(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f)
		fcntl(fileno(f), F_SETFD, FD_CLOEXEC);
	return f;
}

/* The built-in table: the system's own services. */
static void bring_up(void)
{
	static const struct { const char *path, *ready; bool iopriv; } table[] = {
		{ "/sbin/slogger", "/dev/slog", false },
		{ "/sbin/bootfs", "/etc", false },
		{ "/sbin/devnull", "/dev/null", false },
		{ "/sbin/pipe", "/dev/pipe", false },
		{ "/sbin/devc-pty", "/dev/ptmx", false },
		{ "/sbin/tmpfs", "/tmp", false },
		{ "/sbin/shmem", "/dev/shmem", false },
		{ "/sbin/sysfs", "/sys", false },
		{ "/sbin/procfs", "/proc", false },
	};
	for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++) {
		struct service *s = add(table[i].ready, table[i].iopriv, NULL);
		if (!s)
			return;
		s->argv[0] = (char *)table[i].path;
		if (start(s) == 0)
			wait_ready(s);
	}
	const char *uart = NULL, *drv = console_driver(&uart);
	struct service *s = drv ? add("/dev/console", true, NULL) : NULL;
	if (!drv)
		say(LOG_ERR, "no UART this system has a driver for; staying on the kernel console\n");
	if (s) {
		s->argv[0] = (char *)drv;
		s->device = uart;
		if (start(s) == 0 && wait_ready(s) == 0)
			console_fds();
	}
}

/* The board's PCIe host: QEMU virt's generic one or the FU740's
 * DesignWare core (pci_host.h); NULL when there is none. */
static const char *pci_host(void)
{
	static const char *const hosts[] = { "pci-host-ecam-generic", "sifive,fu740-pcie" };
	struct _hw_device d;

	for (unsigned i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
		if (HwInfoDevice_r(hosts[i], 0, &d) == 0)
			return hosts[i];
	return NULL;
}

/* The PCIe host's owner, before any PCI driver: it may map the host
 * (configuration space and windows), as the PCI drivers may its windows. */
static void pci_server(void)
{
	const char *host = pci_host();

	if (!host)
		return;
	struct service *s = add("/dev/pci", true, NULL);
	if (!s)
		return;
	s->argv[0] = "/sbin/pci-server";
	s->device = host;
	if (start(s) == 0)
		wait_ready(s);
}

/* The block drivers for the disk controllers this board has. */
static void block_drivers(void)
{
	static const struct { const char *compatible, *driver, *ready; } drivers[] = {
		{ "virtio,mmio", "/sbin/devb-virtio", "/dev/vblk0" },
		{ NULL, "/sbin/devb-nvme", "/dev/nvme0n1" },      /* on the PCIe host */
	};
	struct _hw_device d;

	for (unsigned i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
		const char *dev = drivers[i].compatible ? drivers[i].compatible : pci_host();
		if (!dev || HwInfoDevice_r(dev, 0, &d) != 0)
			continue;
		struct service *s = add(drivers[i].ready, true, NULL);
		if (!s)
			return;
		s->argv[0] = (char *)drivers[i].driver;
		s->device = dev;
		s->once = true;
		if (start(s) == 0)
			wait_ready(s);
	}
}

/* /etc/fstab: "<device> <directory> keel [ro]" per line; a file-system
 * server for each whose device is there. */
static void mount_fstab(void)
{
	FILE *f = config("/etc/fstab");
	char line[256];
	unsigned n = 0;

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		char *save, *w[4] = { 0 };
		int k = 0;
		n++;
		for (char *t = strtok_r(line, " \t\n", &save); t && k < 4; t = strtok_r(NULL, " \t\n", &save))
			w[k++] = t;
		if (!w[0] || w[0][0] == '#')
			continue;
		if (!w[1] || !w[2] || strcmp(w[2], "keel") || (w[3] && strcmp(w[3], "ro") &&
							      strcmp(w[3], "rw"))) {
			say(LOG_ERR, "/etc/fstab:%u: not \"<device> <directory> keel [ro|rw]\"\n", n);
			continue;
		}
		if (access(w[0], F_OK) != 0) {
			say(LOG_NOTICE, "%s is not there: %s not mounted\n", w[0], w[1]);
			continue;
		}
		struct service *s = add(NULL, false, NULL);
		if (!s)
			break;
		bool ro = w[3] && !strcmp(w[3], "ro");
		int a = 0;
		s->argv[a++] = "/sbin/fs-keel";
		if (ro)
			s->argv[a++] = "-r";
		s->argv[a++] = strdup(w[0]);
		s->argv[a++] = strdup(w[1]);
		s->ready = s->argv[a - 1];
		s->once = true;                 /* a clean end is an umount: final */
		s->mount = true;
		if (!s->argv[a - 2] || !s->argv[a - 1]) {
			nsvc--;
			break;
		}
		if (start(s) == 0)
			wait_ready(s);
	}
	fclose(f);
}

/* 2a: /usr/etc for /etc when the disk carries a whole one, root's: its
 * passwd, shadow (root's alone) and ttys are there. */
static void etc_from_disk(void)
{
	static const char *const need[] = { "/usr/etc/passwd", "/usr/etc/shadow", "/usr/etc/ttys" };
	struct stat st;

	if (stat("/usr/etc", &st) != 0)
		return;                         /* no disk, or one without etc/ */
	for (unsigned i = 0; i < sizeof need / sizeof need[0]; i++)
		if (stat(need[i], &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
		    (st.st_mode & 022)) {
			say(LOG_ERR, "%s is missing or not root's alone: /etc stays the boot "
			    "image's\n", need[i]);
			return;
		}
	if (pathmgr_symlink("/usr/etc", "/etc") < 0)
		say(LOG_ERR, "cannot make /etc the disk's: %s\n", strerror(errno));
	else
		say(LOG_INFO, "/etc is /usr/etc, the disk's\n");
}

/* 2a: /usr/home for /home when the volume carries one that only root may
 * change (a user's files there then last). */
static void home_from_disk(void)
{
	struct stat st;

	if (stat("/usr/home", &st) != 0)
		return;                         /* no disk, or one without home/ */
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
		say(LOG_ERR, "/usr/home is no directory of root's alone: /home stays the boot "
		    "image's\n");
		return;
	}
	if (pathmgr_symlink("/usr/home", "/home") < 0)
		say(LOG_ERR, "cannot make /home the disk's: %s\n", strerror(errno));
	else
		say(LOG_INFO, "/home is /usr/home, the disk's\n");
}

static void run_rc(void)
{
	char *argv[] = { "/bin/sh", "/etc/rc", NULL };
	posix_spawnattr_t sa;
	pid_t pid;
	int st;

	if (access("/etc/rc", R_OK) != 0)
		return;
	posix_spawnattr_init(&sa);
	posix_spawnattr_setsigmask(&sa, &no_signals);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETSIGMASK);
	int r = posix_spawn(&pid, argv[0], NULL, &sa, argv, NULL);
	posix_spawnattr_destroy(&sa);
	if (r != 0) {
		say(LOG_ERR, "cannot run /etc/rc\n");
		return;
	}
	while (waitpid(pid, &st, 0) != pid)
		if (errno != EINTR)
			return;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		say(LOG_ERR, "/etc/rc failed (status %#x)\n", st);
}

/* Is tty the terminal init's output goes to (the console's line under
 * another name: the same file)? */
static bool on_console(const char *tty)
{
	struct stat a, b;

	return stat(tty, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && S_ISCHR(a.st_mode) &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* /etc/ttys: "<device> <program> [arg]" per line. */
static void read_ttys(void)
{
	FILE *f = config("/etc/ttys");
	char line[160];

	if (!f) {
		say(LOG_ERR, "no /etc/ttys: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *words[3] = { 0 }, *save = NULL;
		int n = 0;
		for (char *w = strtok_r(line, " \t\n", &save); w && n < 3; w = strtok_r(NULL, " \t\n", &save))
			words[n++] = w;
		if (n < 2 || words[0][0] == '#')
			continue;
		struct service *s = add(NULL, false, strdup(words[0]));
		if (!s)
			break;
		s->argv[0] = strdup(words[1]);
		s->argv[1] = strdup(words[0]);
		s->argv[2] = words[2] ? strdup(words[2]) : NULL;
		s->quiet = !on_console(words[0]);
		start(s);
	}
	fclose(f);
}

static void ended(pid_t pid, int st)
{
	for (int i = 0; i < nsvc; i++) {
		struct service *s = &svc[i];
		if (s->pid != pid)
			continue;
		if (WIFSIGNALED(st))
			say_of(s, s->tty && WTERMSIG(st) == SIGHUP ? LOG_NOTICE : LOG_ERR,
			       "%s (pid %d) killed by signal %d\n", s->argv[0], (int)pid, WTERMSIG(st));
		else
			say_of(s, LOG_NOTICE, "%s (pid %d) exited with %d\n", s->argv[0], (int)pid,
			       WEXITSTATUS(st));
		if (s->once && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			s->pid = 0;
			s->argv[0] = NULL;      /* never started again */
			return;
		}
		/* A terminal's session ended by its hang-up (a pseudo-terminal's
		 * master closed) ended as a terminal's session should. */
		bool clean = (WIFEXITED(st) && WEXITSTATUS(st) == 0) ||
			     (s->tty && WIFSIGNALED(st) && WTERMSIG(st) == SIGHUP);
		schedule(s, now_ns() - s->started, clean);
		return;
	}
	/* an orphan taskman gave us: reaped, nothing to restart */
}

/* Reaps what ends until every service in [first, last] has ended or the
 * deadline passes; true if they all ended.  Each end is said with the time
 * since since_ns (when it was told to stop). */
static bool reap_until(int first, int last, uint64_t since_ns, uint64_t deadline)
{
	for (;;) {
		bool running = false;
		for (int i = first; i <= last; i++)
			running |= svc[i].pid != 0;
		if (!running)
			return true;
		if (now_ns() >= deadline)
			return false;
		int st;
		pid_t pid = waitpid(-1, &st, WNOHANG);
		if (pid > 0) {
			for (int i = 0; i < nsvc; i++)
				if (svc[i].pid == pid) {
					say(LOG_INFO, "%s (pid %d) stopped after %llu ms\n",
					    svc[i].argv[0], (int)pid,
					    (unsigned long long)((now_ns() - since_ns) / 1000000));
					svc[i].pid = 0;
				}
		} else {
			sleep_ns(20000000);
		}
	}
}

/* Says what each thread of a process that did not stop is doing (the
 * kernel's SysInfo walk, so it needs no server): a line per thread, e.g.
 * "thread 1 REPLY on pid 9, prio 10, 35 ms of CPU". */
static void say_threads(const struct service *s)
{
	struct _thread_stats t;

	for (unsigned i = 0; SysInfo_r(_SYSINFO_THREAD, i, &t, sizeof t) == (long)sizeof t;
	     i = t.slot + 1) {
		if (t.pid != s->pid)
			continue;
		char on[24] = "";
		if (t.blocked_pid > 0)
			snprintf(on, sizeof on, " on pid %d", (int)t.blocked_pid);
		say(LOG_ERR, "%s (pid %d): thread %d %s%s, prio %u, %llu ms of CPU\n",
		    s->argv[0], (int)s->pid, (int)t.tid, thread_state_name(t.state), on,
		    t.prio, (unsigned long long)(t.cpu_ns / 1000000));
	}
}

/* Stops the services in [first, last] with sig (and SIGHUP to a terminal's
 * whole session group), then SIGKILL for what is left after STOP_WAIT_NS. */
static void stop_range(int first, int last, int sig)
{
	for (int i = last; i >= first; i--) {
		struct service *s = &svc[i];
		if (!s->pid)
			continue;
		if (s->tty) {                   /* its own session: the group is its pid */
			kill(-s->pid, SIGHUP);
			kill(-s->pid, SIGCONT);
		}
		kill(s->pid, sig);
	}
	/* A shell takes SIGHUP in a handler that only marks it, and acts on
	 * the mark when a call it is blocked in is interrupted: one that comes
	 * just before the shell blocks reading its terminal is missed until the
	 * next signal.  So a terminal's session still there after a second
	 * gets SIGHUP again (said), until STOP_WAIT_NS. */
	uint64_t told = now_ns(), give_up = told + STOP_WAIT_NS;
	for (uint64_t again = told + HUP_AGAIN_NS;; again += HUP_AGAIN_NS) {
		if (reap_until(first, last, told, again < give_up ? again : give_up))
			return;
		if (now_ns() >= give_up)
			break;
		for (int i = last; i >= first; i--)
			if (svc[i].pid && svc[i].tty) {
				say(LOG_WARNING, "%s (pid %d) still runs %llu ms after SIGHUP; "
				    "sending it again\n", svc[i].argv[0], (int)svc[i].pid,
				    (unsigned long long)((now_ns() - told) / 1000000));
				kill(-svc[i].pid, SIGHUP);
			}
	}
	for (int i = last; i >= first; i--)
		if (svc[i].pid) {
			say(LOG_ERR, "%s (pid %d) did not stop; killing it\n", svc[i].argv[0],
			       (int)svc[i].pid);
			say_threads(&svc[i]);
			kill(svc[i].pid, SIGKILL);
		}
	reap_until(first, last, told, now_ns() + STOP_WAIT_NS);
}

static void __attribute__((noreturn)) shut_down(bool reboot)
{
	int console = -1;

	say(LOG_NOTICE, reboot ? "shutting down to reboot\n" : "shutting down\n");
	for (int i = 0; i < nsvc; i++)
		if (svc[i].ready && !strcmp(svc[i].ready, "/dev/console"))
			console = i;
	/* Terminals, then services, each group in reverse start order: the
	 * gettys were added last, the console driver just before them. */
	int last_service = console >= 0 ? console - 1 : nsvc - 1;
	for (int i = nsvc - 1; i > last_service; i--)
		if (i != console)
			stop_range(i, i, SIGTERM);
	stop_range(0, last_service, SIGTERM);
	say(LOG_NOTICE, "the system is down\n");
	fflush(stdout);
	tcdrain(STDOUT_FILENO);                 /* out of the UART before its driver ends */
	if (console >= 0)
		stop_range(console, console, SIGTERM);
	if (reboot && sysmgr_reboot() != 0)     /* returns only when refused */
		say(LOG_ERR, "cannot reboot: %s; powering off\n", strerror(errno));
	exit(0);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	sigset_t wanted;

	sigemptyset(&no_signals);
	sigemptyset(&wanted);
	sigaddset(&wanted, SIGTERM);
	sigaddset(&wanted, SIGUSR1);
	sigaddset(&wanted, SIGCHLD);
	sigprocmask(SIG_BLOCK, &wanted, NULL);
	openlog("init", LOG_PID, LOG_DAEMON);
	say(LOG_NOTICE, "Keel is coming up\n");
	bring_up();
	pci_server();
	block_drivers();
	mount_fstab();
	etc_from_disk();
	home_from_disk();
	run_rc();
	read_ttys();
	for (;;) {
		int st;
		pid_t pid;
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			ended(pid, st);
		uint64_t next = 0, now = now_ns();
		for (int i = 0; i < nsvc; i++) {
			struct service *s = &svc[i];
			if (s->pid || !s->argv[0])
				continue;
			if (s->restart_at <= now)
				start(&svc[i]);
			else if (!next || s->restart_at < next)
				next = s->restart_at;
		}
		/* Until a signal comes, or the next restart is due (a minute at
		 * most: a lost SIGCHLD would cost no more than that). */
		uint64_t wait = 60000000000ull;
		now = now_ns();
		if (next)
			wait = next > now ? next - now : 0;
		struct timespec ts = { (time_t)(wait / 1000000000u), (long)(wait % 1000000000u) };
		int sig = sigtimedwait(&wanted, NULL, &ts);
		if (sig == SIGTERM || sig == SIGUSR1)
			shut_down(sig == SIGUSR1);
	}
}
