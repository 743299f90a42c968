/* stat, lstat and access by path (POSIX.1-2017).  stat and lstat are one
 * combine message (connect + _IO_STAT, closed at once: no read
 * permission needed); lstat's does not follow a last symbolic link.  A
 * server that takes no combine (ENOSYS) is asked by open, _IO_STAT and
 * close.  access checks the mode bits against the caller's real ids from
 * the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

static int stat_by_open(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	int r = fstat(fd, st), e = errno;
	close(fd);
	errno = e;
	return r;
}

static int stat_path(const char *path, bool follow, struct stat *st)
{
	struct _io_stat m = { .hdr = { .type = _IO_STAT } };
	struct _io_stat_reply rep;

	if (!__uptr_ok(st, sizeof *st))
		return (int)__syscall_ret(-EFAULT);
	long r = __path_combine(path, follow, &m, sizeof m, &rep, sizeof rep);
	if (r == -ENOSYS)
		return stat_by_open(path, st);
	if (r < 0)
		return (int)__syscall_ret(r);
	__stat_fill(st, &rep);
	return 0;
}

int stat(const char *restrict path, struct stat *restrict st)
{
	return stat_path(path, true, st);
}

int lstat(const char *restrict path, struct stat *restrict st)
{
	return stat_path(path, false, st);
}

int access(const char *path, int mode)
{
	struct stat st;
	struct _client_info ci;

	if (mode & ~(R_OK | W_OK | X_OK))
		return (int)__syscall_ret(-EINVAL);
	if (stat(path, &st) < 0)
		return -1;
	if (mode == F_OK || ConnectClientInfo_r(-1, &ci, 0) < 0)
		return 0;
	unsigned want = (mode & R_OK ? 4 : 0) | (mode & W_OK ? 2 : 0) | (mode & X_OK ? 1 : 0);
	if (ci.cred.ruid == 0)                  /* root: execute needs some x bit */
		return !(mode & X_OK) || (st.st_mode & 0111) ? 0 : (int)__syscall_ret(-EACCES);
	unsigned shift = ci.cred.ruid == (uint32_t)st.st_uid ? 6 :
			 ci.cred.rgid == (uint32_t)st.st_gid ? 3 : 0;
	return ((st.st_mode >> shift) & want) == want ? 0 : (int)__syscall_ret(-EACCES);
}
