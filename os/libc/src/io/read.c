/* read(2): an _IO_READ message; the server replies the data straight into
 * buf (a bad buf is EFAULT from the kernel).  Console fd 0 is at end of
 * file (see libc.h).  A terminal read from a background process group is
 * answered _IO_ERR_BACKGROUND (<keel/iomsg.h>): then SIGTTIN goes to the
 * caller's group, which stops it (the default action), and the read is
 * asked again when it runs on; a caller that ignores or blocks SIGTTIN gets
 * EIO instead, as POSIX says.  Not checked: whether the group is orphaned
 * (POSIX: EIO too); such a group stops until someone continues it. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include "libc.h"

/* A background read: 0 to ask again (SIGTTIN sent), or -EIO. */
static long background(void)
{
	struct sigaction sa;
	sigset_t mask;

	if (sigaction(SIGTTIN, NULL, &sa) < 0 || sa.sa_handler == SIG_IGN ||
	    sigprocmask(SIG_BLOCK, NULL, &mask) < 0 || sigismember(&mask, SIGTTIN))
		return -EIO;
	kill(0, SIGTTIN);
	return 0;
}

ssize_t read(int fd, void *buf, size_t n)
{
	if (__fd_console(fd))
		return 0;
	struct _io_read m = { .hdr = { .type = _IO_READ }, .nbytes = n };
	iov_t s, r;
	SETIOV(&s, &m, sizeof m);
	SETIOV(&r, buf, n);
	long got;
	while ((got = __io_sendv(fd, &s, 1, &r, 1)) == -_IO_ERR_BACKGROUND)
		if ((got = background()) < 0)
			break;
	return __syscall_ret(got);
}
