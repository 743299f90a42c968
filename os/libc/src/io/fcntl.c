/* fcntl (POSIX.1-2017): descriptor flags are libc's (FD_CLOEXEC: the fd is
 * not passed to a spawned child), F_DUPFD/F_DUPFD_CLOEXEC duplicate at or
 * above a number.  File status flags (F_GETFL/F_SETFL) are the server's
 * open's (_IO_FDINFO): shared by every descriptor dup'd from it.  A
 * console fd is read-write and has no flags to change. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <termios.h>
#include <unistd.h>
#include "libc.h"

int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, long);
	va_end(ap);
	bool console = __fd_console(fd);
	if (!console && (fd < 0 || fd >= __FD_MAX || !__fds[fd].pid))
		return (int)__syscall_ret(-EBADF);
	switch (cmd) {
	case F_GETFD:
		return console ? 0 : (int)(__fds[fd].flags & FD_CLOEXEC);
	case F_SETFD:
		if (!console)
			__fds[fd].flags = (uint32_t)(arg & FD_CLOEXEC);
		return 0;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC: {
		if (arg < 0 || arg >= __FD_MAX)
			return (int)__syscall_ret(-EINVAL);
		if (console)
			return (int)__syscall_ret(-EBADF);      /* no connection to copy */
		int lowest = (int)arg > __fd_lowest() ? (int)arg : __fd_lowest();
		int nfd = __fd_dup(fd, lowest, -1);
		if (nfd >= 0 && cmd == F_DUPFD_CLOEXEC)
			__fds[nfd].flags = FD_CLOEXEC;
		return (int)__syscall_ret(nfd);
	}
	case F_GETFL:
	case F_SETFL: {
		if (console)
			return cmd == F_GETFL ? O_RDWR : 0;
		struct _io_fdinfo m = { .hdr = { .type = _IO_FDINFO },
			.subtype = cmd == F_GETFL ? _IO_FDINFO_GETFL : _IO_FDINFO_SETFL,
			.flags = (uint32_t)arg };
		long r = __io_msg(fd, &m, sizeof m, NULL, 0);
		return (int)__syscall_ret(r < 0 ? r : cmd == F_GETFL ? r : 0);
	}
	default:
		return (int)__syscall_ret(-EINVAL);
	}
}

/* A terminal is what answers the terminal's devctl (the console fds are
 * the kernel's terminal). */
int isatty(int fd)
{
	struct termios t;

	if (__fd_console(fd))
		return 1;
	if (fd < 0 || fd >= __FD_MAX || !__fds[fd].pid) {
		errno = EBADF;
		return 0;
	}
	int r = __devctl(fd, _DCMD_TERM_GETATTR, &t, 0, sizeof t);
	if (r < 0)
		errno = r == -EBADF ? EBADF : ENOTTY;
	return r == 0;
}
