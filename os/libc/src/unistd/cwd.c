/* The working directory (POSIX.1-2017 chdir, fchdir, getcwd): libc's own
 * record, a clean absolute path.  Servers see only absolute paths: open and
 * every other call by path make a relative one absolute here first, and
 * ".." is taken lexically, as the path manager resolves names by prefix.
 * A child gets its parent's directory in the spawn data, an exec keeps it,
 * a fork copies it with the rest of memory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

static char cwd[_IO_PATH_MAX] = "/";

const char *__cwd(void)
{
	return cwd;
}

void __cwd_set(const char *path)
{
	size_t n = strlen(path);

	if (path[0] == '/' && n < sizeof cwd)
		memcpy(cwd, path, n + 1);
}

int __path_abs(const char *path, char *out)
{
	size_t len = 0;
	const char *p = path;

	if (!*path)
		return -ENOENT;
	if (path[0] != '/') {                   /* start from the working directory */
		len = strlen(cwd);
		memcpy(out, cwd, len + 1);
		if (len == 1)
			len = 0;                /* "/": parts append after it */
	}
	while (*p) {
		while (*p == '/')
			p++;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;          /* the '/' before the part */
		} else {
			if (len + 1 + n + 1 > _IO_PATH_MAX)
				return -ENAMETOOLONG;
			out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p = e;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = 0;
	return 0;
}

int chdir(const char *path)
{
	char abs[_IO_PATH_MAX];
	struct stat st;

	if (!__uptr_ok(path, 1))
		return (int)__syscall_ret(-EFAULT);
	if (strnlen(path, _IO_PATH_MAX) >= _IO_PATH_MAX)
		return (int)__syscall_ret(-ENAMETOOLONG);
	int r = __path_abs(path, abs);
	if (r < 0)
		return (int)__syscall_ret(r);
	if (stat(abs, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return (int)__syscall_ret(-ENOTDIR);
	memcpy(cwd, abs, strlen(abs) + 1);
	return 0;
}

/* fchdir needs the directory's path, which an fd does not keep: the *at
 * family's table has it for a directory open() or openat opened, while
 * it still names that directory (io/at.c); otherwise ENOTSUP. */
int fchdir(int fd)
{
	char abs[_IO_PATH_MAX];
	int r = __at_dir_path(fd, abs);

	return r < 0 ? (int)__syscall_ret(r) : chdir(abs);
}

/* A NULL buf is allocated (size bytes, or as many as needed for size 0),
 * as common practice has it. */
char *getcwd(char *buf, size_t size)
{
	size_t n = strlen(cwd) + 1;
	int err = 0;

	if (!buf && size == 0)
		size = n;
	if (size == 0)
		err = EINVAL;
	else if (n > size)
		err = ERANGE;
	else if (!buf && !(buf = malloc(size)))
		err = ENOMEM;
	else if (!__uptr_ok(buf, size))
		err = EFAULT;
	if (err) {
		errno = err;
		return NULL;
	}
	memcpy(buf, cwd, n);
	return buf;
}
