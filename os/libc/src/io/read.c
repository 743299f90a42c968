/* read(2): an _IO_READ message; the server replies the data straight into
 * buf (a bad buf is EFAULT from the kernel).  Console fd 0 is at end of
 * file (see libc.h).  A terminal read from a background process group:
 * SIGTTIN, then again (io/ttybg.c). */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include "libc.h"

ssize_t read(int fd, void *buf, size_t n)
{
	if (__fd_console(fd))
		return 0;
	struct _io_read m = { .hdr = { .type = _IO_READ }, .nbytes = n };
	iov_t s, r;
	SETIOV(&s, &m, sizeof m);
	SETIOV(&r, buf, n);
	long got;
	while ((got = __io_sendv_cp(fd, &s, 1, &r, 1)) == -_IO_ERR_BACKGROUND)
		if ((got = __tty_background(SIGTTIN)) < 0)
			break;
	return __syscall_ret(got);
}
