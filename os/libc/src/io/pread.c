/* pread and pwrite (POSIX.1-2017).  Stopgap: the I/O messages have no
 * offset of their own yet (<keel/iomsg.h> _IO_READ carries only a count),
 * so these move the open's offset, transfer, and move it back.  The file
 * offset is unchanged afterwards as POSIX asks, but another thread or
 * process sharing the open in between can see the moved offset. */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

static ssize_t at(int fd, off_t off, ssize_t (*io)(int, void *, size_t), void *buf, size_t n)
{
	if (off < 0)
		return (ssize_t)__syscall_ret(-EINVAL);
	off_t was = lseek(fd, 0, SEEK_CUR);
	if (was < 0)
		return -1;
	if (lseek(fd, off, SEEK_SET) < 0)
		return -1;
	ssize_t r = io(fd, buf, n);
	int e = errno;
	lseek(fd, was, SEEK_SET);
	errno = e;
	return r;
}

static ssize_t write_(int fd, void *buf, size_t n)
{
	return write(fd, buf, n);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	return at(fd, off, read, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return at(fd, off, write_, (void *)buf, n);
}
