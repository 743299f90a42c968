/* realpath (POSIX.1-2017): the absolute path that names the same file as
 * path, without ".", ".." or symbolic links.  It is resolved the way Keel
 * resolves every path, so that open(realpath(p)) opens what open(p) does:
 * made absolute against the working directory and cleaned lexically first
 * ("x/.." is the directory x is in, whatever x is: the path manager
 * matches names by prefix), then each part is looked at with lstat from
 * the root; a symbolic link is replaced by its text (a relative one
 * against the link's directory), the result cleaned again and walked
 * anew, as a server's link reply makes open start again.  At most
 * _IO_SYMLOOP_MAX links, as open follows. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

_Static_assert(PATH_MAX == _IO_PATH_MAX, "realpath's buffer is a Keel path");

/* The link at the first len bytes of path (clean, absolute), whose parts
 * after it are path + len: path rewritten through the link's text and
 * cleaned, in place.  0 or -errno. */
static int follow(char *path, size_t len)
{
	char text[PATH_MAX], joined[PATH_MAX];
	char c = path[len];

	path[len] = 0;
	ssize_t n = readlink(path, text, sizeof text - 1);
	path[len] = c;
	if (n < 0)
		return -errno;
	text[n] = 0;
	size_t dir = text[0] == '/' ? 0 : len;  /* a relative text goes after path[0..dir) */
	while (dir > 0 && path[dir - 1] != '/')
		dir--;
	size_t rest = strlen(path + len);
	if (dir + (size_t)n + rest >= sizeof joined)
		return -ENAMETOOLONG;
	memcpy(joined, path, dir);
	memcpy(joined + dir, text, (size_t)n);
	memcpy(joined + dir + (size_t)n, path + len, rest + 1);
	return __path_abs(joined, path);
}

/* Walks path (clean, absolute) part by part from the root, following the
 * links in it: 0 with path free of links, or -errno (ENOENT, ENOTDIR,
 * ELOOP, EACCES, ENAMETOOLONG).  must_dir: the caller's path ended in
 * '/', so the file it names must be a directory. */
static int resolve(char *path, bool must_dir)
{
	struct stat st;
	int links = 0;
	size_t at = 0;

	while (path[1] && path[at]) {          /* "/" itself needs no look */
		size_t end = at + 1;            /* path[at] is the '/' before the part */
		while (path[end] && path[end] != '/')
			end++;
		char c = path[end];
		path[end] = 0;
		int r = lstat(path, &st);
		path[end] = c;
		if (r < 0)
			return -errno;
		if (S_ISLNK(st.st_mode)) {
			if (++links > _IO_SYMLOOP_MAX)
				return -ELOOP;
			if ((r = follow(path, end)) < 0)
				return r;
			at = 0;                 /* the new path is walked from the root */
			continue;
		}
		if (!S_ISDIR(st.st_mode) && (c || must_dir))
			return -ENOTDIR;
		at = end;
	}
	return 0;
}

char *realpath(const char *restrict path, char *restrict resolved)
{
	char buf[PATH_MAX];
	int r;

	if (!path)
		r = -EINVAL;
	else if (!__uptr_ok(path, 1))
		r = -EFAULT;
	else if (strnlen(path, PATH_MAX) >= PATH_MAX)
		r = -ENAMETOOLONG;
	else if ((r = __path_abs(path, buf)) == 0)
		r = resolve(buf, path[0] && path[strlen(path) - 1] == '/');
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	if (!resolved)
		return strdup(buf);
	return strcpy(resolved, buf);
}
