/* mkfifo and mknod (POSIX.1-2017): _IO_CONNECT_MKNOD with S_IFIFO to the
 * name's file system, which makes the node (the umask the connect carries
 * applied there); opening it then reaches the pipe server
 * (<keel/pipemsg.h>).  mknod makes FIFOs only: Keel names its devices by
 * resmgr_attach, never by nodes in a file system. */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

int mkfifo(const char *path, mode_t mode)
{
	struct __connect rq = { .subtype = _IO_CONNECT_MKNOD, .mode = S_IFIFO | (mode & 07777) };
	long r = __path_call(path, &rq);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int mknod(const char *path, mode_t mode, dev_t dev)
{
	(void)dev;
	if (!S_ISFIFO(mode))
		return (int)__syscall_ret(-EPERM);
	return mkfifo(path, mode);
}
