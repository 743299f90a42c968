/* pty COMMAND [ARG...]: runs COMMAND on a new pseudo-terminal (devc-pty)
 * in a session of its own, whose foreground process group it is, and
 * relays: what is typed here goes to the pseudo-terminal, what COMMAND
 * writes there comes out here.  This terminal is put in raw mode meanwhile
 * (so ^C, line editing and echo are the pseudo-terminal's, as for a remote
 * login) and gets its settings back at the end.  Ends when COMMAND ends and
 * its terminal is closed; exits with COMMAND's status (128 + signal when a
 * signal ended it).  `pty /sbin/getty` is a login on a pseudo-terminal: the
 * slave is the session's controlling terminal (/dev/tty), so a shell there
 * has job control.
 *
 * pty -m MASTER: connects this terminal to MASTER, the master side of a
 * named pseudo-terminal (/dev/ptypX) whose slave something else holds,
 * such as the getty init keeps on each terminal of /etc/ttys.  The same
 * relay, until the far side has closed its last open of the slave (a
 * logout; exit status 0) or "~." is typed at the start of a line (status
 * 0 too).  A master already connected is EBUSY: said, status 1. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

/* Writes all of len bytes; false when fd fails. */
static bool write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		len -= (size_t)n;
	}
	return true;
}

static int open_master(char *name, size_t size)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	if (m < 0) {
		fprintf(stderr, "pty: no pseudo-terminal: %s\n", strerror(errno));
		return -1;
	}
	int r = grantpt(m) || unlockpt(m) ? errno : ptsname_r(m, name, size);
	if (r) {
		fprintf(stderr, "pty: cannot set up %s: %s\n", name, strerror(r));
		close(m);
		return -1;
	}
	return m;
}

/* The child: a session of its own whose controlling terminal is the
 * slave (opened by the session leader, so the terminal's foreground group
 * is the child's before COMMAND can ask: an interactive shell waits with
 * SIGTTIN until it is in the foreground, and stops for good if it asks too
 * early), then COMMAND. */
static pid_t start(char **argv, const char *name, int m)
{
	pid_t pid = fork();

	if (pid != 0) {
		if (pid < 0)
			fprintf(stderr, "pty: cannot fork: %s\n", strerror(errno));
		return pid;
	}
	close(m);
	setsid();
	int s = open(name, O_RDWR);
	if (s < 0) {
		fprintf(stderr, "pty: cannot open %s: %s\n", name, strerror(errno));
		_exit(127);
	}
	tcsetpgrp(s, getpid());
	for (int fd = 0; fd < 3; fd++)
		if (s != fd)
			dup2(s, fd);
	if (s > 2)
		close(s);
	execvp(argv[0], argv);
	fprintf(stderr, "pty: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Typed bytes [0, n) of buf for the far side, with "~." at the start of
 * a line taken out: true when it was typed (the relay ends).  A '~' at a
 * line's start waits for the next byte; "~~" sends one '~'. */
static bool escape(char *buf, ssize_t *n, bool *line_start, bool *tilde)
{
	ssize_t out = 0;

	for (ssize_t i = 0; i < *n; i++) {
		char c = buf[i];
		if (*tilde) {
			*tilde = false;
			if (c == '.')
				return true;
			if (c != '~')
				buf[out++] = '~';
		} else if (*line_start && c == '~') {
			*tilde = true;
			*line_start = false;
			continue;
		}
		buf[out++] = c;
		*line_start = c == '\r' || c == '\n';
	}
	*n = out;
	return false;
}

/* Both ways until the pseudo-terminal has no slave open any more (its
 * master reads EIO) or this side's output fails; with escapes, until
 * "~." is typed too. */
static void relay(int m, bool escapes)
{
	char buf[1024];
	bool in_open = true, line_start = true, tilde = false;

	for (;;) {
		struct pollfd p[2] = { { m, POLLIN, 0 }, { 0, POLLIN, 0 } };
		if (poll(p, in_open ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[0].revents) {
			ssize_t n = read(m, buf, sizeof buf);
			if (n <= 0 || !write_all(1, buf, (size_t)n))
				return;
		}
		if (in_open && p[1].revents) {
			ssize_t n = read(0, buf, sizeof buf);
			if (n <= 0)
				in_open = false;
			else if (escapes && escape(buf, &n, &line_start, &tilde))
				return;
			else if (!write_all(m, buf, (size_t)n))
				return;
		}
	}
}

/* Relays between this terminal (raw meanwhile) and master m. */
static void connect_terminal(int m, bool escapes)
{
	struct termios saved, raw;
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(m, TIOCSWINSZ, &ws);
	bool tty = tcgetattr(0, &saved) == 0;
	if (tty) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(0, TCSANOW, &raw);
	}
	relay(m, escapes);
	if (tty)
		tcsetattr(0, TCSANOW, &saved);
}

int main(int argc, char **argv)
{
	char name[32] = "";
	int status = 0;

	if (argc == 3 && !strcmp(argv[1], "-m")) {
		int m = open(argv[2], O_RDWR | O_NOCTTY);
		if (m < 0) {
			fprintf(stderr, "pty: cannot open %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		connect_terminal(m, true);
		close(m);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: pty COMMAND [ARG...]\n       pty -m MASTER\n");
		return 2;
	}
	int m = open_master(name, sizeof name);
	if (m < 0)
		return 1;
	pid_t pid = start(argv + 1, name, m);
	if (pid < 0)
		return 127;
	connect_terminal(m, false);
	close(m);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
