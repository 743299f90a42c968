/* The two message shapes the file calls share: a combine by path (connect
 * plus one I/O message, closed at once: one round trip, and no read or
 * write permission needed, so stat and chmod work on a file the caller
 * may not open) and a bare I/O message on a descriptor. */
#include <errno.h>
#include <fcntl.h>
#include "libc.h"

long __path_combine(const char *path, bool follow, const void *msg, size_t len, void *reply,
		    size_t reply_len)
{
	struct __connect rq = {
		.subtype = _IO_CONNECT_COMBINE_CLOSE,
		.oflag = follow ? 0 : O_NOFOLLOW,
		.extra_type = _IO_CONNECT_EXTRA_COMBINE,
		.extra = msg, .extra_len = len,
		.reply = reply, .reply_len = reply_len,
	};

	return __path_call(path, &rq);
}

long __io_msg(int fd, const void *msg, size_t len, void *reply, size_t reply_len)
{
	iov_t s, r;

	if (__fd_console(fd))
		return -EINVAL;                 /* the kernel console is no file */
	if (fd < 0 || fd >= __FD_MAX || !__fds[fd].pid)
		return -EBADF;
	SETIOV(&s, msg, len);
	SETIOV(&r, reply, reply_len);
	return __io_sendv(fd, &s, 1, &r, reply ? 1 : 0);
}
