/* mkdir and rmdir (POSIX.1-2017): _IO_CONNECT_MKNOD with S_IFDIR (the
 * server applies the umask the connect carries) and _IO_CONNECT_UNLINK
 * with S_IFDIR (the server refuses anything but an empty directory). */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

int mkdir(const char *path, mode_t mode)
{
	struct __connect rq = { .subtype = _IO_CONNECT_MKNOD, .mode = S_IFDIR | (mode & 07777) };
	long r = __path_call(path, &rq);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int rmdir(const char *path)
{
	struct __connect rq = { .subtype = _IO_CONNECT_UNLINK, .mode = S_IFDIR };
	long r = __path_call(path, &rq);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}
