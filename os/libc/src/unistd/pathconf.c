/* pathconf and fpathconf (POSIX.1-2017): the limits of a file, after a
 * stat of it (so a bad path or fd fails as stat does).  Keel's servers
 * answer no _IO_PATHCONF yet; the figures are what bounds them:
 *   NAME_MAX      the file system's own (statvfs f_namemax: tmpfs 255,
 *                 fs-keel 58); a server that is no file system answers
 *                 no statvfs, and has no such limit to give: EINVAL.
 *   PATH_MAX      _IO_PATH_MAX, the NUL counted: every path message's.
 *   SYMLINK_MAX   a link's text is sent as a path (symlink: _IO_PATH_MAX - 1 bytes).
 *   PIPE_BUF      the pipe server's atomic write (the package's PIPE_BUF);
 *                 every FIFO, whoever names it, is one of its pipes.
 *   MAX_CANON,    the line discipline's input ring (os/lib/termdisc.h
 *   MAX_INPUT     TD_RING) that every terminal server (devc-pty, the
 *                 UART drivers) uses: a line holds TD_RING bytes with its
 *                 delimiter.
 *   LINK_MAX      the stat reply's 32-bit count, one short of all ones
 *                 (fs-keel's NLINK_MAX; tmpfs runs out of memory first).
 *   VDISABLE      0 (the line discipline's TD_VDISABLE).
 * Options Keel lacks (asynchronous, prioritised, synchronised I/O) and
 * figures no server recommends (the _PC_REC_* and allocation sizes) are
 * -1 with errno as it was. */
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include "libc.h"

#define TTY_INPUT_MAX 4096              /* os/lib/include/termdisc.h TD_RING */
#define LINKS_MAX     0xfffffffeL

/* NAME_MAX from a file system's statvfs result r (0 or -1/errno). */
static long name_max(int r, const struct statvfs *v)
{
	if (r < 0) {
		if (errno == ENOSYS)            /* no file system: no name limit of its own */
			errno = EINVAL;
		return -1;
	}
	return (long)v->f_namemax;
}

/* The value of name for a file that exists; NAME_MAX is asked of the
 * server by the caller.  -1 with errno unchanged for no figure, -1/EINVAL
 * for a name not known. */
static long value(int name)
{
	struct timespec res;

	switch (name) {
	case _PC_LINK_MAX:         return LINKS_MAX;
	case _PC_MAX_CANON:        return TTY_INPUT_MAX;
	case _PC_MAX_INPUT:        return TTY_INPUT_MAX;
	case _PC_PATH_MAX:         return _IO_PATH_MAX;
	case _PC_PIPE_BUF:         return PIPE_BUF;
	case _PC_CHOWN_RESTRICTED: return 1;    /* <keel/iomsg.h> _IO_CHOWN: EPERM */
	case _PC_NO_TRUNC:         return 1;    /* a long name is ENAMETOOLONG */
	case _PC_VDISABLE:         return 0;
	case _PC_FILESIZEBITS:     return 64;   /* sizes and offsets are 64-bit */
	case _PC_2_SYMLINKS:       return 1;
	case _PC_SYMLINK_MAX:      return _IO_PATH_MAX - 1;
	case _PC_TIMESTAMP_RESOLUTION:          /* ns fields, set from the realtime clock */
		return clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_sec == 0 ?
		       res.tv_nsec : 1;
	case _PC_ASYNC_IO: case _PC_PRIO_IO: case _PC_SYNC_IO:
	case _PC_ALLOC_SIZE_MIN: case _PC_REC_INCR_XFER_SIZE: case _PC_REC_MAX_XFER_SIZE:
	case _PC_REC_MIN_XFER_SIZE: case _PC_REC_XFER_ALIGN:
		return -1;
	default:
		errno = EINVAL;
		return -1;
	}
}

long pathconf(const char *path, int name)
{
	struct stat st;
	struct statvfs v;

	if (stat(path, &st) < 0)
		return -1;
	return name == _PC_NAME_MAX ? name_max(statvfs(path, &v), &v) : value(name);
}

long fpathconf(int fd, int name)
{
	struct stat st;
	struct statvfs v;

	if (fstat(fd, &st) < 0)
		return -1;
	return name == _PC_NAME_MAX ? name_max(fstatvfs(fd, &v), &v) : value(name);
}
