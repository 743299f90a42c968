/* write(2): an _IO_WRITE message with the data as its second part (a bad
 * buf is EFAULT from the kernel).  Console fds 1 and 2 print through
 * DebugPutString (see libc.h).  A terminal write from a background process
 * group with TOSTOP set: SIGTTOU, then again (io/ttybg.c). */
#include <errno.h>
#include <signal.h>
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
	long r;
	while ((r = __io_sendv_cp(fd, s, 2, NULL, 0)) == -_IO_ERR_BACKGROUND) {
		if ((r = __tty_background(SIGTTOU)) < 0)
			break;
		if (r == 1)
			m.hdr.xflags |= _IO_XFLAG_TTOU_BLOCKED;
	}
	return __syscall_ret(r);
}
