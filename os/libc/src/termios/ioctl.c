/* ioctl: the requests of <sys/ioctl.h>, as devctl commands. */
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include "libc.h"

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (request) {
	case TIOCGWINSZ:
		if (!__uptr_ok(arg, sizeof(struct winsize)))
			return (int)__syscall_ret(-EFAULT);
		return (int)__syscall_ret(__devctl(fd, (unsigned)request, arg, 0,
						   sizeof(struct winsize)));
	case TIOCSWINSZ: {
		if (!__uptr_ok(arg, sizeof(struct winsize)))
			return (int)__syscall_ret(-EFAULT);
		struct winsize w = *(const struct winsize *)arg;
		return (int)__syscall_ret(__devctl(fd, (unsigned)request, &w, sizeof w, 0));
	}
	case FIONREAD:
		if (!__uptr_ok(arg, sizeof(int32_t)))
			return (int)__syscall_ret(-EFAULT);
		return (int)__syscall_ret(__devctl(fd, (unsigned)request, arg, 0, sizeof(int32_t)));
	default:
		return (int)__syscall_ret(-ENOTTY);
	}
}
