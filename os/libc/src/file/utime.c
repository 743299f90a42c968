/* utime, utimes, futimens and utimensat (POSIX.1-2017): _IO_UTIME, by
 * path as a combine.  utimensat takes AT_FDCWD only (a directory fd keeps
 * no path yet: EBADF otherwise) and AT_SYMLINK_NOFOLLOW. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <utime.h>
#include "libc.h"

/* One timespec as _io_utime's field: 0 or -EINVAL. */
static int ts_field(const struct timespec *ts, int64_t *out)
{
	if (ts->tv_nsec == UTIME_NOW) {
		*out = _IO_UTIME_NOW;
		return 0;
	}
	if (ts->tv_nsec == UTIME_OMIT) {
		*out = _IO_UTIME_OMIT;
		return 0;
	}
	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L ||
	    ts->tv_sec > INT64_MAX / 1000000000 - 1 || ts->tv_sec < INT64_MIN / 1000000000 + 1)
		return -EINVAL;
	*out = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
	return 0;
}

/* The message for times (NULL: both now): 0 or -errno. */
static int utime_msg(const struct timespec times[2], struct _io_utime *m)
{
	*m = (struct _io_utime){ .hdr = { .type = _IO_UTIME }, .atime_ns = _IO_UTIME_NOW,
				 .mtime_ns = _IO_UTIME_NOW };
	if (!times)
		return 0;
	if (!__uptr_ok(times, 2 * sizeof times[0]))
		return -EFAULT;
	int r = ts_field(&times[0], &m->atime_ns);
	return r ? r : ts_field(&times[1], &m->mtime_ns);
}

int utimensat(int fd, const char *path, const struct timespec times[2], int flag)
{
	struct _io_utime m;

	if (flag & ~AT_SYMLINK_NOFOLLOW)
		return (int)__syscall_ret(-EINVAL);
	if (fd != AT_FDCWD)
		return (int)__syscall_ret(-EBADF);
	int r = utime_msg(times, &m);
	long st = r ? r : __path_combine(path, !(flag & AT_SYMLINK_NOFOLLOW), &m, sizeof m, NULL, 0);
	return st < 0 ? (int)__syscall_ret(st) : 0;
}

int futimens(int fd, const struct timespec times[2])
{
	struct _io_utime m;
	int r = utime_msg(times, &m);
	long st = r ? r : __io_msg(fd, &m, sizeof m, NULL, 0);

	return st < 0 ? (int)__syscall_ret(st) : 0;
}

int utimes(const char *path, const struct timeval times[2])
{
	struct timespec ts[2];

	if (!times)
		return utimensat(AT_FDCWD, path, NULL, 0);
	if (!__uptr_ok(times, 2 * sizeof times[0]))
		return (int)__syscall_ret(-EFAULT);
	for (int i = 0; i < 2; i++) {
		if (times[i].tv_usec < 0 || times[i].tv_usec >= 1000000)
			return (int)__syscall_ret(-EINVAL);
		ts[i] = (struct timespec){ times[i].tv_sec, (long)times[i].tv_usec * 1000 };
	}
	return utimensat(AT_FDCWD, path, ts, 0);
}

int utime(const char *path, const struct utimbuf *times)
{
	struct timespec ts[2];

	if (!times)
		return utimensat(AT_FDCWD, path, NULL, 0);
	if (!__uptr_ok(times, sizeof *times))
		return (int)__syscall_ret(-EFAULT);
	ts[0] = (struct timespec){ times->actime, 0 };
	ts[1] = (struct timespec){ times->modtime, 0 };
	return utimensat(AT_FDCWD, path, ts, 0);
}
