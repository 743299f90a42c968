/* pread and pwrite (POSIX.1-2017): _IO_PREAD and _IO_PWRITE, a read or
 * write at an offset of the message's own (<keel/iomsg.h>), so the open's
 * offset never moves, not even for a moment another thread could see.  A
 * negative offset is EINVAL here; a FIFO, terminal or other character
 * device is ESPIPE from the server. */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	if (off < 0)
		return (ssize_t)__syscall_ret(-EINVAL);
	if (__fd_console(fd))
		return (ssize_t)__syscall_ret(-ESPIPE);
	struct _io_pread m = { .hdr = { .type = _IO_PREAD }, .nbytes = n, .offset = off };
	iov_t s, r;
	SETIOV(&s, &m, sizeof m);
	SETIOV(&r, buf, n);
	return __syscall_ret(__io_sendv_cp(fd, &s, 1, &r, 1));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (off < 0)
		return (ssize_t)__syscall_ret(-EINVAL);
	if (__fd_console(fd))
		return (ssize_t)__syscall_ret(-ESPIPE);
	struct _io_pwrite m = { .hdr = { .type = _IO_PWRITE }, .nbytes = n, .offset = off };
	iov_t s[2];
	SETIOV(&s[0], &m, sizeof m);
	SETIOV(&s[1], buf, n);
	return __syscall_ret(__io_sendv_cp(fd, s, 2, NULL, 0));
}
