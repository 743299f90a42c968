/* TEMPORARY: the path and file-system calls that toybox links against and
 * that the writable file-system work (branch tmpfs12: mkdir, rmdir, link,
 * symlink, chmod, chown, utimensat...) implements for real.  Until that
 * lands each is ENOSYS, so the commands that use them report the error.
 * This file is removed when the file-system calls land. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

int mkdir(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return (int)__syscall_ret(-ENOSYS);
}

int rmdir(const char *path)
{
	(void)path;
	return (int)__syscall_ret(-ENOSYS);
}

int link(const char *from, const char *to)
{
	(void)from;
	(void)to;
	return (int)__syscall_ret(-ENOSYS);
}

int symlink(const char *target, const char *path)
{
	(void)target;
	(void)path;
	return (int)__syscall_ret(-ENOSYS);
}

int chmod(const char *path, mode_t mode)
{
	(void)path;
	(void)mode;
	return (int)__syscall_ret(-ENOSYS);
}

int fchmod(int fd, mode_t mode)
{
	(void)fd;
	(void)mode;
	return (int)__syscall_ret(-ENOSYS);
}

int chown(const char *path, uid_t uid, gid_t gid)
{
	(void)path;
	(void)uid;
	(void)gid;
	return (int)__syscall_ret(-ENOSYS);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
	(void)path;
	(void)uid;
	(void)gid;
	return (int)__syscall_ret(-ENOSYS);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	(void)fd;
	(void)uid;
	(void)gid;
	return (int)__syscall_ret(-ENOSYS);
}

int utimensat(int dirfd, const char *path, const struct timespec times[2], int flag)
{
	(void)dirfd;
	(void)path;
	(void)times;
	(void)flag;
	return (int)__syscall_ret(-ENOSYS);
}

int futimens(int fd, const struct timespec times[2])
{
	(void)fd;
	(void)times;
	return (int)__syscall_ret(-ENOSYS);
}
