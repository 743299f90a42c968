/* fstat(2): an _IO_STAT message; struct stat is filled from Keel's fixed
 * reply.  A console fd is a character device. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "libc.h"

static void ns_to_ts(int64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
}

void __stat_fill(struct stat *st, const struct _io_stat_reply *rep)
{
	memset(st, 0, sizeof *st);
	st->st_dev = (dev_t)rep->dev;
	st->st_ino = (ino_t)rep->ino;
	st->st_mode = (mode_t)rep->mode;
	st->st_nlink = (nlink_t)rep->nlink;
	st->st_uid = rep->uid;
	st->st_gid = rep->gid;
	st->st_rdev = (dev_t)rep->rdev;
	st->st_size = (off_t)rep->size;
	st->st_blksize = (blksize_t)rep->blksize;
	st->st_blocks = (blkcnt_t)rep->blocks;
	ns_to_ts(rep->atime_ns, &st->st_atim);
	ns_to_ts(rep->mtime_ns, &st->st_mtim);
	ns_to_ts(rep->ctime_ns, &st->st_ctim);
}

int fstat(int fd, struct stat *st)
{
	struct _io_stat_reply rep = { 0 };

	if (!__uptr_ok(st, sizeof *st)) {
		errno = EFAULT;
		return -1;
	}
	if (__fd_console(fd)) {
		rep.mode = S_IFCHR | 0620;
	} else {
		struct _io_stat m = { .hdr = { .type = _IO_STAT } };
		iov_t s, r;
		SETIOV(&s, &m, sizeof m);
		SETIOV(&r, &rep, sizeof rep);
		long rc = __io_sendv(fd, &s, 1, &r, 1);
		if (rc < 0)
			return (int)__syscall_ret(rc);
	}
	__stat_fill(st, &rep);
	return 0;
}
