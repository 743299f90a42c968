/* login [-t TTY] [NAME]: asks for the password of NAME (or for a name, then its
 * password), checks it against /etc/shadow's "$6$" hash, and starts the
 * user's shell as a login shell ("-sh") with the user's groups and ids,
 * HOME, SHELL, USER, LOGNAME, PATH and TERM set, in the home directory,
 * after /etc/motd.  A wrong name or password waits 2 s, says "Login
 * incorrect" and asks again; the third failure ends login (getty comes
 * back).  The password is read with echo off.  Each login and each
 * failure goes to the system log (auth facility), naming the terminal
 * getty gave with -t. */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define TRIES 3

static char *read_line(const char *prompt, char *buf, size_t size, bool echo)
{
	struct termios old, t;
	bool tty = tcgetattr(0, &old) == 0;

	if (tty && !echo) {             /* before the prompt: a fast typist is echoed */
		t = old;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		t.c_lflag |= ECHONL;
		tcsetattr(0, TCSANOW, &t);
	}
	printf("%s", prompt);
	fflush(stdout);
	char *r = fgets(buf, (int)size, stdin);
	if (tty && !echo)
		tcsetattr(0, TCSANOW, &old);
	if (r && !strchr(buf, '\n')) {
		/* Longer than buf: the rest of the line is not the next answer
		 * (a long password's tail read as the next name), and what was
		 * kept is no answer at all. */
		int c;
		while ((c = getchar()) != EOF && c != '\n')
			;
		if (strlen(buf) + 1 == size)
			buf[0] = 0;
	}
	if (r)
		buf[strcspn(buf, "\n")] = 0;
	return r;
}

static bool good(const char *name, const char *pass, struct passwd **pw)
{
	*pw = getpwnam(name);
	const struct spwd *sp = *pw ? getspnam(name) : NULL;
	if (!sp || strncmp(sp->sp_pwdp, "$6$", 3))
		return false;               /* unknown, or locked ("*", "!") */
	const char *c = crypt(pass, sp->sp_pwdp);
	return c && !strcmp(c, sp->sp_pwdp);
}

static void motd(void)
{
	FILE *f = fopen("/etc/motd", "r");
	char line[256];

	while (f && fgets(line, sizeof line, f))
		fputs(line, stdout);
	if (f)
		fclose(f);
}

static int start_session(const struct passwd *pw, const char *line)
{
	const char *shell = pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
	char argv0[64];
	const char *base = strrchr(shell, '/');

	/* The terminal becomes the user's, as the terminal of a login is: group
	 * tty, mode 0620 (others may not read it).  A terminal that cannot
	 * change owner (the kernel console's fds) is left as it is. */
	const struct group *tty = getgrnam("tty");
	if (fchown(0, pw->pw_uid, tty ? tty->gr_gid : pw->pw_gid) == 0)
		fchmod(0, 0620);
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		printf("login: cannot take the ids of %s: %s\n", pw->pw_name, strerror(errno));
		return 1;
	}
	/* The session's own opens of its terminal, made as the user (getty's
	 * came from init, as root): when the next getty on this line hangs up
	 * every user's open (_DCMD_TERM_REVOKE), what this session leaves
	 * behind, a job holding the terminal, loses it too. */
	if (line[0] == '/') {
		int fd = open(line, O_RDWR);
		if (fd >= 0) {
			for (int i = 0; i < 3; i++)
				if (fd != i)
					dup2(fd, i);
			if (fd > 2)
				close(fd);
		}
	}
	const char *home = pw->pw_dir && *pw->pw_dir ? pw->pw_dir : "/";
	if (chdir(home) < 0) {
		printf("login: no home directory %s; logging in with HOME=/\n", home);
		home = "/";
		chdir("/");
	}
	const char *term = getenv("TERM");
	char env[6][300];
	snprintf(env[0], sizeof env[0], "HOME=%s", home);
	snprintf(env[1], sizeof env[1], "SHELL=%s", shell);
	snprintf(env[2], sizeof env[2], "USER=%s", pw->pw_name);
	snprintf(env[3], sizeof env[3], "LOGNAME=%s", pw->pw_name);
	snprintf(env[4], sizeof env[4], "PATH=%s", pw->pw_uid == 0 ? "/bin:/sbin" : "/bin");
	snprintf(env[5], sizeof env[5], "TERM=%s", term ? term : "vt100");
	char *envp[] = { env[0], env[1], env[2], env[3], env[4], env[5], NULL };
	motd();
	snprintf(argv0, sizeof argv0, "-%s", base ? base + 1 : shell);
	char *args[] = { argv0, NULL };
	fflush(stdout);
	/* getty ignored the job-control stops for the prompt; the shell and
	 * its jobs get them back (an ignored signal stays so across exec). */
	signal(SIGTSTP, SIG_DFL);
	signal(SIGTTIN, SIG_DFL);
	signal(SIGTTOU, SIG_DFL);
	execve(shell, args, envp);
	printf("login: cannot run %s: %s\n", shell, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	char name[64] = "", pass[256];          /* passwd takes up to 255 */
	struct passwd *pw;

	const char *tty = "an unnamed terminal";
	if (argc > 2 && !strcmp(argv[1], "-t")) {      /* getty names the line */
		tty = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc > 1)
		snprintf(name, sizeof name, "%s", argv[1]);
	openlog("login", LOG_PID, LOG_AUTH);
	for (int tries = 0; tries < TRIES; tries++) {
		if (!name[0] && !read_line("login: ", name, sizeof name, true))
			return 1;
		if (!read_line("Password: ", pass, sizeof pass, false))
			return 1;
		/* When the password line was read, on the clock of the shell's
		 * EPOCHREALTIME: where "login to the first prompt" starts. */
		struct timespec read_at;
		clock_gettime(CLOCK_REALTIME, &read_at);
		if (good(name, pass, &pw)) {
			memset(pass, 0, sizeof pass);
			syslog(LOG_AUTH | LOG_NOTICE, "%s logged in on %s (password read at %lld.%06ld)",
			       pw->pw_name, tty, (long long)read_at.tv_sec, read_at.tv_nsec / 1000);
			closelog();                     /* the shell gets no log fd */
			return start_session(pw, tty);
		}
		memset(pass, 0, sizeof pass);
		/* An unknown name is not written down: it is often a password
		 * typed a line too early, and the log is everyone's to read. */
		syslog(LOG_AUTH | LOG_WARNING, "failed login for %s on %s",
		       pw ? name : "an unknown user", tty);
		struct timespec delay = { 2, 0 };
		nanosleep(&delay, NULL);
		printf("Login incorrect\n");
		name[0] = 0;
	}
	return 1;
}
