/* passwd [NAME]: changes a password in /etc/shadow.
 *
 * Root may change anyone's (NAME, or its own); any other user only its
 * own, after giving the current one.  The new password is asked twice
 * with echo off; it is hashed with SHA-512 crypt ("$6$", a 16-character
 * salt from /dev/urandom) and the day of the change is recorded.
 *
 * The rewrite is atomic: the new database goes to /etc/nshadow (created
 * exclusively, so it is also the lock: a second passwd at the same time is
 * refused), is flushed to the disk (fsync), and then renamed over
 * /etc/shadow; any failure removes it and leaves /etc/shadow as it was.
 * Every other line is copied as it was.  /etc must be writable: with
 * /etc in the boot image (no disk carrying /etc) passwd says so and
 * changes nothing.
 *
 * passwd is set-user-ID root (taskman gives it the file owner's effective
 * id): the database is root's alone.  Exit status 0, or 1 with the reason
 * said (and sent to the system log). */
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <shadow.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define SHADOW    "/etc/shadow"
#define NSHADOW   "/etc/nshadow"
#define LINE_MAX_ 1024

/* Says why on standard error and in the system log; returns 1. */
static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	fputs("passwd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	vsyslog(LOG_AUTH | LOG_NOTICE, fmt, ap2);
	va_end(ap2);
	va_end(ap);
	return 1;
}

/* A line of input with echo off (a newline still echoed). */
static bool ask(const char *prompt, char *buf, size_t size)
{
	struct termios old, t;
	bool tty = tcgetattr(0, &old) == 0;

	if (tty) {
		t = old;
		t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
		t.c_lflag |= ECHONL;
		tcsetattr(0, TCSANOW, &t);
	}
	fputs(prompt, stdout);
	fflush(stdout);
	char *r = fgets(buf, (int)size, stdin);
	if (tty)
		tcsetattr(0, TCSANOW, &old);
	if (r)
		buf[strcspn(buf, "\n")] = 0;
	return r != NULL;
}

/* "$6$" and 16 salt characters from /dev/urandom, then '$'. */
static bool new_setting(char *out, size_t size)
{
	static const char abc[] =
		"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	unsigned char r[16];
	int fd = open("/dev/urandom", O_RDONLY);
	bool ok = fd >= 0 && read(fd, r, sizeof r) == (ssize_t)sizeof r;

	if (fd >= 0)
		close(fd);
	if (!ok || size < 3 + sizeof r + 2)
		return false;
	memcpy(out, "$6$", 3);
	for (size_t i = 0; i < sizeof r; i++)
		out[3 + i] = abc[r[i] % 64];
	out[3 + sizeof r] = '$';
	out[4 + sizeof r] = 0;
	return true;
}

/* Copies /etc/shadow to fd with name's hash and change day replaced:
 * 0, or an errno (ENOENT: no line for name). */
static int copy_with(FILE *in, int fd, const char *name, const char *hash, long day)
{
	char line[LINE_MAX_], out[LINE_MAX_ + 256];
	size_t n = strlen(name);
	bool done = false;

	while (fgets(line, sizeof line, in)) {
		const char *text = line;
		if (!done && !strncmp(line, name, n) && line[n] == ':') {
			const char *rest = strchr(line + n + 1, ':');       /* after the hash */
			const char *after = rest ? strchr(rest + 1, ':') : NULL; /* after lastchg */
			if (!after)
				return EINVAL;                  /* a malformed line: nothing changed */
			snprintf(out, sizeof out, "%s:%s:%ld%s", name, hash, day, after);
			text = out;
			done = true;
		}
		size_t len = strlen(text);
		if (write(fd, text, len) != (ssize_t)len)
			return errno ? errno : EIO;
	}
	return ferror(in) ? EIO : done ? 0 : ENOENT;
}

/* The new database in NSHADOW, then renamed over SHADOW: 0 or an errno. */
static int rewrite(const char *name, const char *hash)
{
	int fd = open(NSHADOW, O_WRONLY | O_CREAT | O_EXCL, 0600);

	if (fd < 0)
		return errno;
	FILE *in = fopen(SHADOW, "r");
	int r = in ? copy_with(in, fd, name, hash, (long)(time(NULL) / 86400)) : errno;
	if (in)
		fclose(in);
	if (!r && (fchmod(fd, 0600) < 0 || fchown(fd, 0, 0) < 0 || fsync(fd) < 0))
		r = errno;
	if (close(fd) < 0 && !r)
		r = errno;
	if (!r && rename(NSHADOW, SHADOW) < 0)
		r = errno;
	if (r)
		unlink(NSHADOW);
	return r;
}

int main(int argc, char **argv)
{
	uid_t uid = getuid();
	char name[64], cur[256], pw1[256], pw2[256], setting[32];

	openlog("passwd", LOG_PID, LOG_AUTH);
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: passwd [NAME]\n");
		return 2;
	}
	const struct passwd *me = getpwuid(uid);
	if (argc == 2 && uid != 0 && (!me || strcmp(argv[1], me->pw_name)))
		return fail("only root may change another user's password (%s)", argv[1]);
	if (argc < 2 && !me)
		return fail("no /etc/passwd entry for user id %u", (unsigned)uid);
	snprintf(name, sizeof name, "%s", argc == 2 ? argv[1] : me->pw_name);
	if (!getpwnam(name))
		return fail("no user %s", name);
	errno = 0;
	const struct spwd *sp = getspnam(name);
	if (!sp && errno)
		return fail("cannot read /etc/shadow: %s", strerror(errno));
	if (!sp)
		return fail("%s has no /etc/shadow entry", name);
	char old[256];
	snprintf(old, sizeof old, "%s", sp->sp_pwdp);
	printf("Changing the password of %s.\n", name);
	if (uid != 0) {
		if (!ask("Current password: ", cur, sizeof cur))
			return 1;
		const char *c = crypt(cur, old);
		if (strncmp(old, "$6$", 3) || !c || strcmp(c, old)) {
			sleep(2);
			return fail("wrong password for %s; nothing changed", name);
		}
	}
	if (!ask("New password: ", pw1, sizeof pw1) || !ask("Retype new password: ", pw2, sizeof pw2))
		return 1;
	if (strcmp(pw1, pw2))
		return fail("the two passwords differ; %s's is unchanged", name);
	if (!pw1[0])
		return fail("an empty password is refused; %s's is unchanged", name);
	const char *hash = new_setting(setting, sizeof setting) ? crypt(pw1, setting) : NULL;
	if (!hash || strncmp(hash, setting, strlen(setting)))
		return fail("cannot make a hash for %s's new password; it is unchanged", name);
	int r = rewrite(name, hash);
	if (r == EEXIST)
		return fail("%s exists: another passwd is changing /etc/shadow (remove it if none "
			    "is)", NSHADOW);
	if (r)
		return fail("cannot write /etc/shadow: %s; %s's password is unchanged", strerror(r),
			    name);
	syslog(LOG_AUTH | LOG_NOTICE, "password of %s changed by uid %u", name, (unsigned)uid);
	printf("passwd: the password of %s is changed.\n", name);
	return 0;
}
