/* The *at family (POSIX.1-2017 openat, fstatat, faccessat, fchmodat,
 * fchownat, mkdirat, mknodat, readlinkat, symlinkat, linkat, unlinkat,
 * renameat): a path relative to a directory descriptor.
 *
 * Keel's servers see only absolute paths and ".." is taken lexically (see
 * unistd/cwd.c), so a call here becomes the path call on dirfd's path
 * joined with the relative one.  An fd does not keep its path, so libc
 * does: open() and openat remember the path of everything they open.  A
 * call trusts a path only while it names the very directory dirfd is (the
 * number may have been closed and reused, the directory renamed): stat of
 * the path and fstat of dirfd agree on st_dev and st_ino, checked on every
 * use.  A directory descriptor whose path is not known (fdopendir on an fd
 * from elsewhere) or no longer names it has relative names ENOTSUP, never
 * a wrong answer (a removed directory, no links left: ENOENT); dup() and dup2() copy what is known of the old number to
 * the new.
 * AT_FDCWD and absolute paths need no table.  AT_EMPTY_PATH is not
 * supported; AT_EACCESS checks as access() does (Keel's access uses the
 * real ids). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

/* A directory openat opened: its absolute path and identity.  Guarded by
 * dir_lock. */
struct at_dir {
	char *path;                     /* malloc'd; NULL: none known */
};

static struct at_dir dirs[__FD_MAX];
static pthread_mutex_t dir_lock = PTHREAD_MUTEX_INITIALIZER;

/* In a signal handler (open, openat and dup are async-signal-safe) the
 * table is left alone: its lock and malloc may be the interrupted code's.
 * The number's entry is then what it was, which every use checks against
 * the file the number names (known_path): an entry left from an earlier
 * file of that number is not believed. */
void __at_opened(int fd, const char *abs)
{
	if (fd < 0 || fd >= __FD_MAX || __in_handler())
		return;
	char *copy = strdup(abs);               /* NULL: nothing known, ENOTSUP later */
	pthread_mutex_lock(&dir_lock);
	free(dirs[fd].path);
	dirs[fd] = (struct at_dir){ .path = copy };
	pthread_mutex_unlock(&dir_lock);
}

/* fd's known path into out if it names st's file (fd's fstat) now,
 * checked on every use: the file may have been renamed, the number reused.
 * 0; -ENOTSUP when no path is known; -ENOENT when the path is gone or
 * names another file now. */
static int known_path(int fd, const struct stat *st, char *out)
{
	struct stat now;

	/* In a signal handler, the lock may be held by the code it broke
	 * into, this thread: no path known then (ENOTSUP), never a hang. */
	if (__in_handler() &&
	    (__atomic_load_n(&dir_lock.__owner, __ATOMIC_RELAXED) & ~_NTO_SYNC_WAITING) == __tid())
		return -ENOTSUP;
	pthread_mutex_lock(&dir_lock);
	const char *p = dirs[fd].path;
	bool known = p && strlen(p) < _IO_PATH_MAX;
	if (known)
		strcpy(out, p);
	pthread_mutex_unlock(&dir_lock);
	if (!known)
		return -ENOTSUP;
	if (stat(out, &now) < 0)
		return -ENOENT;
	return now.st_dev == st->st_dev && now.st_ino == st->st_ino ? 0 : -ENOENT;
}

int __fd_path(int fd, char *out)
{
	struct stat st;

	if (fd < 0 || fd >= __FD_MAX || fstat(fd, &st) < 0)
		return -EBADF;
	return known_path(fd, &st, out);
}

/* The absolute path that (dirfd, path) names, into out (_IO_PATH_MAX
 * bytes): 0 or -errno. */
static int at_path(int dirfd, const char *path, char *out)
{
	char joined[_IO_PATH_MAX];
	struct stat st;

	if (!__uptr_ok(path, 1))
		return -EFAULT;
	size_t n = strnlen(path, _IO_PATH_MAX);
	if (n >= _IO_PATH_MAX)
		return -ENAMETOOLONG;
	if (n == 0)
		return -ENOENT;
	if (path[0] == '/' || dirfd == AT_FDCWD)
		return __path_abs(path, out);
	if (dirfd < 0 || dirfd >= __FD_MAX || fstat(dirfd, &st) < 0)
		return -EBADF;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (known_path(dirfd, &st, joined) < 0)
		/* A directory removed since it was opened has no names and takes
		 * none (POSIX rmdir); any other's path is not known now. */
		return st.st_nlink == 0 ? -ENOENT : -ENOTSUP;
	size_t dl = strlen(joined);
	if (dl + 1 + n >= sizeof joined)
		return -ENAMETOOLONG;
	joined[dl] = '/';
	memcpy(joined + dl + 1, path, n + 1);
	return __path_abs(joined, out);
}

void __at_dup(int fd, int nfd)
{
	if (fd < 0 || fd >= __FD_MAX || nfd < 0 || nfd >= __FD_MAX || fd == nfd || __in_handler())
		return;
	pthread_mutex_lock(&dir_lock);
	char *copy = dirs[fd].path ? strdup(dirs[fd].path) : NULL;
	free(dirs[nfd].path);
	dirs[nfd] = (struct at_dir){ .path = copy };
	pthread_mutex_unlock(&dir_lock);
}

int __at_dir_path(int fd, char *out)
{
	return at_path(fd, ".", out);
}

/* at_path for a call with flags: 0, or -1 with errno (EINVAL for a flag
 * outside allowed). */
static int at_call(int dirfd, const char *path, int flag, int allowed, char *abs)
{
	if (flag & ~allowed)
		return (int)__syscall_ret(-EINVAL);
	int r = at_path(dirfd, path, abs);
	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int openat(int dirfd, const char *path, int oflag, ...)
{
	char abs[_IO_PATH_MAX];
	mode_t mode = 0;

	__testcancel();
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (at_call(dirfd, path, 0, 0, abs) < 0)
		return -1;
	return open(abs, oflag, mode);          /* which remembers abs */
}

int fstatat(int dirfd, const char *restrict path, struct stat *restrict st, int flag)
{
	char abs[_IO_PATH_MAX];

	if (at_call(dirfd, path, flag, AT_SYMLINK_NOFOLLOW, abs) < 0)
		return -1;
	return (flag & AT_SYMLINK_NOFOLLOW) ? lstat(abs, st) : stat(abs, st);
}

int faccessat(int dirfd, const char *path, int amode, int flag)
{
	char abs[_IO_PATH_MAX];

	return at_call(dirfd, path, flag, AT_EACCESS, abs) < 0 ? -1 : access(abs, amode);
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flag)
{
	char abs[_IO_PATH_MAX];
	struct stat st;

	if (at_call(dirfd, path, flag, AT_SYMLINK_NOFOLLOW, abs) < 0)
		return -1;
	/* A link's own mode cannot be changed (POSIX allows EOPNOTSUPP). */
	if (flag & AT_SYMLINK_NOFOLLOW) {
		if (lstat(abs, &st) < 0)
			return -1;
		if (S_ISLNK(st.st_mode))
			return (int)__syscall_ret(-EOPNOTSUPP);
	}
	return chmod(abs, mode);
}

int fchownat(int dirfd, const char *path, uid_t owner, gid_t group, int flag)
{
	char abs[_IO_PATH_MAX];

	if (at_call(dirfd, path, flag, AT_SYMLINK_NOFOLLOW, abs) < 0)
		return -1;
	return (flag & AT_SYMLINK_NOFOLLOW) ? lchown(abs, owner, group) : chown(abs, owner, group);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	char abs[_IO_PATH_MAX];

	return at_call(dirfd, path, 0, 0, abs) < 0 ? -1 : mkdir(abs, mode);
}

int mknodat(int dirfd, const char *path, mode_t mode, dev_t dev)
{
	char abs[_IO_PATH_MAX];

	return at_call(dirfd, path, 0, 0, abs) < 0 ? -1 : mknod(abs, mode, dev);
}

int mkfifoat(int dirfd, const char *path, mode_t mode)
{
	char abs[_IO_PATH_MAX];

	return at_call(dirfd, path, 0, 0, abs) < 0 ? -1 : mkfifo(abs, mode);
}

ssize_t readlinkat(int dirfd, const char *restrict path, char *restrict buf, size_t len)
{
	char abs[_IO_PATH_MAX];

	return at_call(dirfd, path, 0, 0, abs) < 0 ? -1 : readlink(abs, buf, len);
}

int symlinkat(const char *target, int dirfd, const char *path)
{
	char abs[_IO_PATH_MAX];

	return at_call(dirfd, path, 0, 0, abs) < 0 ? -1 : symlink(target, abs);
}

/* AT_SYMLINK_FOLLOW is refused: link() itself does not follow a final
 * link on Keel's servers. */
int linkat(int fd1, const char *path1, int fd2, const char *path2, int flag)
{
	char a1[_IO_PATH_MAX], a2[_IO_PATH_MAX];

	if (at_call(fd1, path1, flag, 0, a1) < 0 || at_call(fd2, path2, 0, 0, a2) < 0)
		return -1;
	return link(a1, a2);
}

int unlinkat(int dirfd, const char *path, int flag)
{
	char abs[_IO_PATH_MAX];

	if (at_call(dirfd, path, flag, AT_REMOVEDIR, abs) < 0)
		return -1;
	return (flag & AT_REMOVEDIR) ? rmdir(abs) : unlink(abs);
}

int renameat(int fd1, const char *old, int fd2, const char *new)
{
	char a1[_IO_PATH_MAX], a2[_IO_PATH_MAX];

	if (at_call(fd1, old, 0, 0, a1) < 0 || at_call(fd2, new, 0, 0, a2) < 0)
		return -1;
	return rename(a1, a2);
}
