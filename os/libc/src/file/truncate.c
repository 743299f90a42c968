/* truncate and ftruncate (POSIX.1-2017): _IO_SPACE with
 * _IO_SPACE_SETSIZE, truncate on an open for writing (it needs write
 * permission as open does). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "libc.h"

int ftruncate(int fd, off_t len)
{
	struct _io_space m = { .hdr = { .type = _IO_SPACE }, .subtype = _IO_SPACE_SETSIZE,
			       .len = len };

	if (len < 0)
		return (int)__syscall_ret(-EINVAL);
	long r = __io_msg(fd, &m, sizeof m, NULL, 0);
	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int truncate(const char *path, off_t len)
{
	if (len < 0)
		return (int)__syscall_ret(-EINVAL);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int r = ftruncate(fd, len), e = errno;
	close(fd);
	errno = e;
	return r;
}
