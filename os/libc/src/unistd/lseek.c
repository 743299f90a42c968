/* lseek(2).  STOPGAP until fds are connections: fds 0..2 are terminals
 * (ESPIPE), every other fd is EBADF. */
#include <errno.h>
#include <unistd.h>

off_t lseek(int fd, off_t off, int whence)
{
	(void)off;
	(void)whence;
	errno = fd >= 0 && fd <= 2 ? ESPIPE : EBADF;
	return -1;
}
