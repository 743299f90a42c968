/* ttyname, ttyname_r (POSIX.1-2017): the name of the terminal open on fd,
 * found as the character device with fd's very file (fstat's st_dev and
 * st_ino) among the names under /dev: the entries of /dev/pts (devc-pty's
 * pairs from /dev/ptmx) first, then /dev's own (its named pairs ttyp*, the
 * serial lines ser*, ...; /dev is a directory of the path space that
 * procfs lists).  /dev/tty (whichever terminal is the caller's) is never
 * the answer, /dev/ptmx is not looked at (an open makes a new pair), and
 * /dev/console is the answer only when no other name of the same terminal
 * is found (the console driver serves its line under both).  A descriptor
 * on the kernel's early console is /dev/console. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

/* Is path st's file?  0 with path in buf, ERANGE, or ENOENT. */
static int same(const char *path, const struct stat *st, char *buf, size_t size)
{
	struct stat s;
	size_t n = strlen(path);

	if (stat(path, &s) < 0 || !S_ISCHR(s.st_mode) || s.st_dev != st->st_dev ||
	    s.st_ino != st->st_ino)
		return ENOENT;
	if (n >= size)
		return ERANGE;
	memcpy(buf, path, n + 1);
	return 0;
}

/* st's name among the entries of directory dir (its subdirectories not
 * looked into); 0, ERANGE or ENOENT. */
static int look_in(const char *dir, const struct stat *st, char *buf, size_t size)
{
	char path[96];
	int r = ENOENT;
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && r == ENOENT && (e = readdir(d)))
		if (e->d_name[0] != '.' && e->d_type != DT_DIR && strlen(e->d_name) < 64 &&
		    strcmp(e->d_name, "tty") && strcmp(e->d_name, "ptmx") &&
		    strcmp(e->d_name, "console")) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			r = same(path, st, buf, size);
		}
	if (d)
		closedir(d);
	return r;
}

static int look_up(const struct stat *st, char *buf, size_t size)
{
	int r = look_in("/dev/pts", st, buf, size);

	return r == ENOENT ? look_in("/dev", st, buf, size) : r;
}

int ttyname_r(int fd, char *buf, size_t size)
{
	static const char console[] = "/dev/console";
	struct stat st;
	bool on_console = false;

	if (!isatty(fd))
		return errno == EBADF ? EBADF : ENOTTY;
	if (__fd_console(fd)) {
		on_console = true;
	} else {
		if (fstat(fd, &st) < 0)
			return errno;
		int r = look_up(&st, buf, size);
		if (r != ENOENT)
			return r;
		struct stat c;
		on_console = stat("/dev/console", &c) == 0 && c.st_dev == st.st_dev &&
			     c.st_ino == st.st_ino;
	}
	if (!on_console)
		return ENOTTY;  /* a terminal with no name Keel knows */
	if (size < sizeof console)
		return ERANGE;
	memcpy(buf, console, sizeof console);
	return 0;
}

char *ttyname(int fd)
{
	static char name[64];
	int r = ttyname_r(fd, name, sizeof name);

	if (r) {
		errno = r;
		return NULL;
	}
	return name;
}
