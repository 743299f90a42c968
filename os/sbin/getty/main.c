/* getty TERMINAL: the login prompt on one terminal (init starts it with
 * fds 0-2 open on TERMINAL and starts it again when it ends).  It makes a
 * session of its own with the terminal's foreground group, puts the line
 * in its usual state (canonical, echo, signals, CR to NL, NL to CR NL),
 * prints the banner and "login: ", and runs /bin/login with the name
 * typed.  End of file on the terminal ends getty.  Each prompt goes to the
 * system log with the machine's instruction count (rdinstret: every hart's
 * instructions since reset, OpenSBI's included, under QEMU's -icount) and
 * the time since boot: the boot-to-login figures. */
#include <devctl.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <syslog.h>
#include <time.h>
#include <termios.h>
#include <unistd.h>
#include <keel/iomsg.h>

static void sane(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return;
	t.c_iflag = ICRNL;
	t.c_oflag = OPOST | ONLCR;
	t.c_lflag = ICANON | ECHO | ECHOE | ECHOK | ISIG;
	t.c_cc[VERASE] = 0x7f;
	t.c_cc[VKILL] = 'U' & 0x1f;
	t.c_cc[VINTR] = 'C' & 0x1f;
	t.c_cc[VQUIT] = '\\' & 0x1f;
	t.c_cc[VSUSP] = 'Z' & 0x1f;
	t.c_cc[VEOF] = 'D' & 0x1f;
	tcsetattr(fd, TCSANOW, &t);
}

static void log_prompt(const char *tty)
{
	struct timespec ts;
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	syslog(LOG_INFO, "login prompt on %s at instret %llu, %llu us since boot", tty,
	       (unsigned long long)n,
	       (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
}

int main(int argc, char **argv)
{
	const char *tty = argc > 1 ? argv[1] : "the console";
	struct utsname u;
	char name[64];

	/* The job-control stops are not for a login prompt: ^Z at "login:" or
	 * "Password:" stopped getty or login, whose parent (init) does not
	 * wait for stopped children, and the terminal was frozen for good.
	 * Ignored here and in login until it starts the user's shell. */
	signal(SIGTSTP, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGTTOU, SIG_IGN);
	/* A session of its own; the terminal becomes its controlling terminal
	 * when the session leader opens it (init opened fds 0-2 before). */
	setsid();
	if (argc > 1) {
		int fd = open(argv[1], O_RDWR);
		if (fd >= 0)
			close(fd);
	}
	tcsetpgrp(0, getpgrp());
	/* The line is root's again until the next login gives it away (the
	 * last user's login left it theirs): root:tty 0620, as a free
	 * pseudo-terminal is, so nobody else opens it anew to read the next
	 * user's name and password. */
	const struct group *g = getgrnam("tty");
	if (fchown(0, 0, g ? g->gr_gid : 0) == 0)
		fchmod(0, g ? 0620 : 0600);
	/* And every open of it a user's process still has (a job the last
	 * session left, with its terminal as stdin) is hung up: it would read
	 * the next user's name and password.  A terminal server without the
	 * request (ENOTTY) has its own hang-up. */
	devctl(0, _DCMD_TERM_REVOKE, NULL, 0, NULL);
	sane(0);
	if (uname(&u) < 0)
		strcpy(u.nodename, "keel");
	printf("\n%s %s (%s) (%s)\n\n", u.sysname, u.release, u.nodename, tty);
	for (;;) {
		log_prompt(tty);
		printf("%s login: ", u.nodename);
		fflush(stdout);
		if (!fgets(name, sizeof name, stdin))
			return 0;
		name[strcspn(name, "\n")] = 0;
		if (!name[0])
			continue;
		if (name[0] == '-' || strchr(name, ' ')) {
			printf("getty: bad name\n");
			continue;
		}
		char *args[] = { "login", "-t", (char *)tty, name, NULL };
		execv("/bin/login", args);
		printf("getty: cannot run /bin/login: %s\n", strerror(errno));
		return 1;
	}
}
