/* statvfs and fstatvfs (POSIX.1-2017): the _DCMD_FSYS_STATVFS devctl, by
 * path as a combine.  A server that is no file system answers ENOTTY,
 * reported as ENOSYS (POSIX names no errno for it). */
#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>
#include "libc.h"

struct statvfs_msg {
	struct _io_devctl m;
};

struct statvfs_rep {
	struct _io_devctl_reply r;
	struct _io_statvfs_reply v;
};

static int fill(long st, const struct statvfs_rep *rep, struct statvfs *buf)
{
	if (st == -ENOTTY)
		st = -ENOSYS;
	if (st < 0)
		return (int)__syscall_ret(st);
	const struct _io_statvfs_reply *v = &rep->v;
	memset(buf, 0, sizeof *buf);
	buf->f_bsize = (unsigned long)v->bsize;
	buf->f_frsize = (unsigned long)v->frsize;
	buf->f_blocks = (fsblkcnt_t)v->blocks;
	buf->f_bfree = (fsblkcnt_t)v->bfree;
	buf->f_bavail = (fsblkcnt_t)v->bavail;
	buf->f_files = (fsfilcnt_t)v->files;
	buf->f_ffree = (fsfilcnt_t)v->ffree;
	buf->f_favail = (fsfilcnt_t)v->favail;
	buf->f_fsid = (unsigned long)v->fsid;
	buf->f_flag = (unsigned long)v->flag;
	buf->f_namemax = (unsigned long)v->namemax;
	return 0;
}

static const struct statvfs_msg msg = {
	{ .hdr = { .type = _IO_DEVCTL }, .dcmd = _DCMD_FSYS_STATVFS, .nbytes = 0 }
};

int statvfs(const char *restrict path, struct statvfs *restrict buf)
{
	struct statvfs_rep rep;

	if (!__uptr_ok(buf, sizeof *buf))
		return (int)__syscall_ret(-EFAULT);
	return fill(__path_combine(path, true, &msg, sizeof msg, &rep, sizeof rep), &rep, buf);
}

int fstatvfs(int fd, struct statvfs *buf)
{
	struct statvfs_rep rep;

	if (!__uptr_ok(buf, sizeof *buf))
		return (int)__syscall_ret(-EFAULT);
	return fill(__io_msg(fd, &msg, sizeof msg, &rep, sizeof rep), &rep, buf);
}
