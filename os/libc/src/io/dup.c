/* dup and dup2 (POSIX.1-2017): a new connection to the fd's server, bound
 * to the same open by _IO_DUP (shared offset and flags).  The console fds
 * are no connections and cannot be duplicated (EBADF) until a console
 * server exists. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "libc.h"

/* A connection at the lowest free number >= lowest (or exactly `exact`),
 * bound to fd's open. */
int __fd_dup(int fd, int lowest, int exact)
{
	if (fd < 0 || fd >= __FD_MAX || !__fds[fd].pid)
		return -EBADF;
	int nfd = __fd_attach(__fds[fd].pid, __fds[fd].chid, lowest, exact);
	if (nfd < 0)
		return nfd;
	struct _io_dup m = { .hdr = { .type = _IO_DUP }, .coid = fd };
	iov_t s;
	SETIOV(&s, &m, sizeof m);
	long st = MsgSendv_r(nfd, &s, 1, NULL, 0);
	if (st < 0) {
		ConnectDetach_r(nfd);
		return (int)st;
	}
	__fd_console_drop(nfd);
	__fds[nfd] = (struct __fd){ .pid = __fds[fd].pid, .chid = __fds[fd].chid };
	__at_dup(fd, nfd);
	return nfd;
}

int dup(int fd)
{
	return (int)__syscall_ret(__fd_dup(fd, __fd_lowest(), -1));
}

int dup2(int fd, int fd2)
{
	if (fd < 0 || fd >= __FD_MAX || !__fds[fd].pid || fd2 < 0 || fd2 >= __FD_MAX) {
		errno = EBADF;
		return -1;
	}
	if (fd == fd2)
		return fd2;
	if (__fd_console(fd2) || __fds[fd2].pid)
		close(fd2);
	return (int)__syscall_ret(__fd_dup(fd, 0, fd2));
}
