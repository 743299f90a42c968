/* getentropy (POSIX.1-2024): bytes from /dev/urandom, the ChaCha20
 * generator os/servers/devnull serves (seeded from taskman's AT_RANDOM
 * and the clocks); picolibc's arc4random and libxcrypt's crypt_gensalt
 * draw on it.  At most GETENTROPY_MAX (256) bytes at once (EINVAL past
 * that); a bad buffer is EFAULT; with no /dev/urandom served, ENOSYS. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "libc.h"

#define GETENTROPY_MAX 256

int getentropy(void *buf, size_t len)
{
	if (len > GETENTROPY_MAX)
		return (int)__syscall_ret(-EINVAL);
	if (len == 0)
		return 0;
	if (!__uptr_ok(buf, len))
		return (int)__syscall_ret(-EFAULT);
	__cancel_hold();                /* no cancellation point: the fd would be lost */
	int e = errno, fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		__cancel_unhold();
		return (int)__syscall_ret(-ENOSYS);
	}
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	__cancel_unhold();
	if (got < len)
		return (int)__syscall_ret(-EIO);
	errno = e;
	return 0;
}
