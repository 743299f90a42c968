/* fsync and fdatasync (POSIX.1-2017): _IO_SYNC with _IO_SYNC_ALL or _IO_SYNC_DATA. */
#include <unistd.h>
#include "libc.h"

static int sync_fd(int fd, unsigned flag)
{
	struct _io_sync m = { .hdr = { .type = _IO_SYNC }, .flag = flag };
	long r = __io_msg(fd, &m, sizeof m, NULL, 0);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int fsync(int fd)
{
	__testcancel();
	return sync_fd(fd, _IO_SYNC_ALL);
}

int fdatasync(int fd)
{
	__testcancel();
	return sync_fd(fd, _IO_SYNC_DATA);
}
