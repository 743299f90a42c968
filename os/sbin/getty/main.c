/* getty TERMINAL: the login prompt on one terminal (init starts it with
 * fds 0-2 open on TERMINAL and starts it again when it ends).  It makes a
 * session of its own with the terminal's foreground group, puts the line
 * in its usual state (canonical, echo, signals, CR to NL, NL to CR NL),
 * prints the banner and "login: ", and runs /bin/login with the name
 * typed.  End of file on the terminal ends getty. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <termios.h>
#include <unistd.h>

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

int main(int argc, char **argv)
{
	const char *tty = argc > 1 ? argv[1] : "the console";
	struct utsname u;
	char name[64];

	setsid();
	tcsetpgrp(0, getpgrp());
	sane(0);
	if (uname(&u) < 0)
		strcpy(u.nodename, "keel");
	printf("\n%s %s (%s) (%s)\n\n", u.sysname, u.release, u.nodename, tty);
	for (;;) {
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
