/* lseek(2): an _IO_LSEEK message; the console fds cannot seek (ESPIPE). */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

off_t lseek(int fd, off_t off, int whence)
{
	if (__fd_console(fd)) {
		errno = ESPIPE;
		return -1;
	}
	struct _io_lseek m = { .hdr = { .type = _IO_LSEEK }, .offset = off, .whence = whence };
	struct _io_lseek_reply rep;
	iov_t s, r;
	SETIOV(&s, &m, sizeof m);
	SETIOV(&r, &rep, sizeof rep);
	long st = __io_sendv(fd, &s, 1, &r, 1);
	if (st < 0)
		return __syscall_ret(st);
	return rep.offset;
}
