/* write(2): an _IO_WRITE message with the data as its second part (a bad
 * buf is EFAULT from the kernel).  Console fds 1 and 2 print through
 * DebugPutString (see libc.h). */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

ssize_t write(int fd, const void *buf, size_t n)
{
	if (__fd_console(fd))
		return fd == 0 ? (errno = EBADF, -1) : n ? __debug_write(buf, n) : 0;
	struct _io_write m = { .hdr = { .type = _IO_WRITE }, .nbytes = n };
	iov_t s[2];
	SETIOV(&s[0], &m, sizeof m);
	SETIOV(&s[1], buf, n);
	return __syscall_ret(__io_sendv(fd, s, 2, NULL, 0));
}
