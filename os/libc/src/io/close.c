/* close(2): _IO_CLOSE to the server, then the connection goes.  A server
 * that died already still frees the fd (EBADF only for an fd that was no
 * connection at all). */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

int close(int fd)
{
	__testcancel();                 /* a cancellation point before anything is done */
	if (__fd_console(fd)) {
		__fd_console_drop(fd);
		return 0;
	}
	struct _io_close m = { .hdr = { .type = _IO_CLOSE } };
	iov_t s;
	SETIOV(&s, &m, sizeof m);
	long st = __io_sendv(fd, &s, 1, NULL, 0);
	bool ours = fd >= 0 && fd < __FD_MAX && __fds[fd].pid;
	if (st == -EBADF && !ours)
		return (int)__syscall_ret(st);          /* no connection at all */
	int r = ConnectDetach_r(fd);
	if (fd >= 0 && fd < __FD_MAX)
		__fds[fd] = (struct __fd){ 0 };
	return r < 0 ? (int)__syscall_ret(-EBADF) : 0;
}
