/* readv and writev (POSIX.1-2017): read(2) and write(2) with the caller's
 * vector as the message's parts.  readv is an _IO_READ whose reply lands
 * straight in the caller's buffers (the kernel scatters it, a bad buffer
 * is EFAULT); writev is an _IO_WRITE whose data parts are the caller's
 * buffers, so the server sees one write of the total length: a pipe takes
 * it whole when that is at most PIPE_BUF, as for write.  Both are
 * cancellation points and stop a background process as read/write do
 * (io/ttybg.c).  Console fds behave as for read and write: fd 0 reads end
 * of file, fds 1 and 2 print each buffer through DebugPutString. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <sys/uio.h>
#include <unistd.h>
#include "libc.h"

_Static_assert(sizeof(struct iovec) == sizeof(iov_t), "struct iovec is iov_t");
_Static_assert(offsetof(struct iovec, iov_base) == offsetof(iov_t, iov_base),
	       "struct iovec is iov_t");
_Static_assert(offsetof(struct iovec, iov_len) == offsetof(iov_t, iov_len),
	       "struct iovec is iov_t");
/* The message's header takes one of the kernel's parts. */
_Static_assert(IOV_MAX == KEEL_MSG_PARTS_MAX - 1, "IOV_MAX is the kernel's parts less one");

/* The total length of iov[0..cnt): -EINVAL for a count outside
 * [1, IOV_MAX] or a total that ssize_t cannot hold (POSIX). */
static long iov_total(const struct iovec *iov, int cnt)
{
	size_t total = 0;

	if (cnt <= 0 || cnt > IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < cnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	return (long)total;
}

ssize_t readv(int fd, const struct iovec *iov, int iovcnt)
{
	long n = iov_total(iov, iovcnt);

	if (n < 0)
		return __syscall_ret(n);
	if (__fd_console(fd))
		return 0;
	struct _io_read m = { .hdr = { .type = _IO_READ }, .nbytes = (uint64_t)n };
	iov_t s;
	SETIOV(&s, &m, sizeof m);
	long got;
	while ((got = __io_sendv_cp(fd, &s, 1, (const iov_t *)iov, (size_t)iovcnt)) ==
	       -_IO_ERR_BACKGROUND)
		if ((got = __tty_background(SIGTTIN)) < 0)
			break;
	return __syscall_ret(got);
}

/* A console fd's writev: each buffer printed in turn (fd 0 is EBADF). */
static ssize_t console_writev(int fd, const struct iovec *iov, int iovcnt)
{
	ssize_t done = 0;

	if (fd == 0)
		return __syscall_ret(-EBADF);
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_len)
			continue;
		long r = __debug_write(iov[i].iov_base, iov[i].iov_len);
		if (r < 0)
			return done ? done : -1;  /* errno set */
		done += r;
	}
	return done;
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	long n = iov_total(iov, iovcnt);

	if (n < 0)
		return __syscall_ret(n);
	if (__fd_console(fd))
		return console_writev(fd, iov, iovcnt);
	struct _io_write m = { .hdr = { .type = _IO_WRITE }, .nbytes = (uint64_t)n };
	iov_t s[1 + IOV_MAX];
	SETIOV(&s[0], &m, sizeof m);
	for (int i = 0; i < iovcnt; i++)
		SETIOV(&s[1 + i], iov[i].iov_base, iov[i].iov_len);
	long r;
	while ((r = __io_sendv_cp(fd, s, 1 + (size_t)iovcnt, NULL, 0)) == -_IO_ERR_BACKGROUND) {
		if ((r = __tty_background(SIGTTOU)) < 0)
			break;
		if (r == 1)
			m.hdr.xflags |= _IO_XFLAG_TTOU_BLOCKED;
	}
	return __syscall_ret(r);
}
