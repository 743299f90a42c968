/* getpass (SUSv2, LEGACY; gone from POSIX.1-2001 but still what password
 * prompts call): the controlling terminal, /dev/tty (fd 0 for input and
 * fd 2 for the prompt when there is none), with echo off for one line,
 * then the old settings back and the newline the user's Enter did not
 * echo.  The line (PASS_MAX - 1 bytes at most, the rest dropped) is in a
 * static buffer that the next call overwrites. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

char *getpass(const char *prompt)
{
	static char buf[PASS_MAX];
	int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	int in = tty >= 0 ? tty : 0, out = tty >= 0 ? tty : 2;
	struct termios old, quiet;
	bool set = tcgetattr(in, &old) == 0;

	if (set) {                      /* TCSAFLUSH: nothing typed before the prompt is taken */
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
		tcsetattr(in, TCSAFLUSH, &quiet);
	}
	if (prompt && *prompt)
		write(out, prompt, strlen(prompt));
	/* A byte at a time: where fd 0 is a pipe or a file, nothing past the
	 * line is taken from whoever reads it next. */
	size_t n = 0;
	ssize_t r;
	char c;
	while ((r = read(in, &c, 1)) == 1 && c != '\n')
		if (n < sizeof buf - 1)
			buf[n++] = c;
	buf[n] = 0;
	int e = errno;
	if (set) {
		tcsetattr(in, TCSAFLUSH, &old);
		write(out, "\n", 1);
	}
	if (tty >= 0)
		close(tty);
	if (r < 0) {
		errno = e;
		return NULL;
	}
	return buf;
}
