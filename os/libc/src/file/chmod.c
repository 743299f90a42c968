/* chmod and fchmod (POSIX.1-2017): _IO_CHMOD, by path as a combine. */
#include <sys/stat.h>
#include "libc.h"

int chmod(const char *path, mode_t mode)
{
	struct _io_chmod m = { .hdr = { .type = _IO_CHMOD }, .mode = mode & 07777 };
	long r = __path_combine(path, true, &m, sizeof m, NULL, 0);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int fchmod(int fd, mode_t mode)
{
	struct _io_chmod m = { .hdr = { .type = _IO_CHMOD }, .mode = mode & 07777 };
	long r = __io_msg(fd, &m, sizeof m, NULL, 0);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}
