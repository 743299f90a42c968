#pragma once
/* <sys/uio.h> (POSIX.1-2017): vectored I/O.  struct iovec has the layout
 * of Keel's iov_t (<keel/msg.h>), so readv and writev hand the caller's
 * vector to the kernel as the parts of one I/O message (io/readv.c
 * asserts the layout).  At most IOV_MAX (<limits.h>) elements. */
#include <limits.h>
#include <sys/types.h>

struct iovec {
	void *iov_base;
	size_t iov_len;
};

ssize_t readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t writev(int fd, const struct iovec *iov, int iovcnt);
