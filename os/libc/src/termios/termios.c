/* The terminal interface (POSIX.1-2017 tcgetattr, tcsetattr, tcdrain,
 * tcflush, tcgetpgrp, tcsetpgrp) as devctl commands to the terminal's
 * server (<keel/iomsg.h> _DCMD_TERM_*); a server that is no terminal
 * answers ENOTTY. */
#include <errno.h>
#include <termios.h>
#include <unistd.h>
#include "libc.h"

int tcgetattr(int fd, struct termios *t)
{
	if (!__uptr_ok(t, sizeof *t))
		return (int)__syscall_ret(-EFAULT);
	return (int)__syscall_ret(__devctl(fd, _DCMD_TERM_GETATTR, t, 0, sizeof *t));
}

int tcsetattr(int fd, int action, const struct termios *t)
{
	static const unsigned dcmd[] = { _DCMD_TERM_SETATTR, _DCMD_TERM_SETATTRW,
					 _DCMD_TERM_SETATTRF };
	struct termios copy;

	if (action < TCSANOW || action > TCSAFLUSH)
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(t, sizeof *t))
		return (int)__syscall_ret(-EFAULT);
	copy = *t;
	return (int)__syscall_ret(__devctl(fd, dcmd[action], &copy, sizeof copy, 0));
}

int tcdrain(int fd)
{
	__testcancel();
	return (int)__syscall_ret(__devctl(fd, _DCMD_TERM_DRAIN, NULL, 0, 0));
}

int tcflush(int fd, int queue)
{
	int32_t q = queue;

	if (queue < TCIFLUSH || queue > TCIOFLUSH)
		return (int)__syscall_ret(-EINVAL);
	return (int)__syscall_ret(__devctl(fd, _DCMD_TERM_FLUSH, &q, sizeof q, 0));
}

int tcflow(int fd, int action)
{
	(void)fd;
	(void)action;
	return (int)__syscall_ret(-ENOSYS);
}

int tcsendbreak(int fd, int duration)
{
	(void)duration;
	return tcdrain(fd);
}

pid_t tcgetpgrp(int fd)
{
	int32_t pg = 0;
	int r = __devctl(fd, _DCMD_TERM_GETPGRP, &pg, 0, sizeof pg);

	return r < 0 ? (pid_t)__syscall_ret(r) : (pid_t)pg;
}

int tcsetpgrp(int fd, pid_t pgrp)
{
	int32_t pg = pgrp;

	if (pgrp < 0)
		return (int)__syscall_ret(-EINVAL);
	return (int)__syscall_ret(__devctl(fd, _DCMD_TERM_SETPGRP, &pg, sizeof pg, 0));
}

pid_t tcgetsid(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return -1;
	return getsid(0);
}
