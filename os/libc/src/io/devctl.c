/* The client side of _IO_DEVCTL: send n bytes of data, get up to n back
 * (the reply's own nbytes may be less).  Console fds are no terminals a
 * server answers for yet: ENOTTY.  A change of a terminal's settings from
 * a background process group: SIGTTOU, then again (io/ttybg.c). */
#include <errno.h>
#include <signal.h>
#include "libc.h"

int __devctl_info(int fd, unsigned dcmd, void *data, size_t in, size_t out, int *info)
{
	if (__fd_console(fd))
		return -ENOTTY;
	struct _io_devctl m = { .hdr = { .type = _IO_DEVCTL }, .dcmd = dcmd, .nbytes = (uint32_t)in };
	struct _io_devctl_reply rep = { 0 };
	iov_t s[2], r[2];
	SETIOV(&s[0], &m, sizeof m);
	SETIOV(&s[1], data, in);
	SETIOV(&r[0], &rep, sizeof rep);
	SETIOV(&r[1], data, out);
	long st;
	while ((st = __io_sendv(fd, s, in ? 2 : 1, r, out ? 2 : 1)) == -_IO_ERR_BACKGROUND) {
		if ((st = __tty_background(SIGTTOU)) < 0)
			break;
		if (st == 1)
			m.hdr.xflags |= _IO_XFLAG_TTOU_BLOCKED;
	}
	if (st < 0)
		return (int)st;
	if (info)
		*info = rep.ret_val;
	return 0;
}

int __devctl(int fd, unsigned dcmd, void *data, size_t in, size_t out)
{
	return __devctl_info(fd, dcmd, data, in, out, NULL);
}
