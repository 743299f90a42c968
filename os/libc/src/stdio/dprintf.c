/* dprintf, vdprintf (POSIX.1-2017): formatted output straight to a file
 * descriptor, with no stream.  The text is formatted into a buffer (on the
 * stack when it fits, else allocated) and written with as many write()s
 * as it takes.  Returns the bytes written, or a negative value with errno
 * from the formatting (EOVERFLOW, ENOMEM) or from write (EBADF, EPIPE...). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += (size_t)w;
	}
	return (int)done;
}

int vdprintf(int fd, const char *restrict fmt, va_list ap)
{
	char small[256];
	va_list again;

	va_copy(again, ap);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	if (n < 0) {
		va_end(again);
		return n;
	}
	if ((size_t)n < sizeof small) {
		va_end(again);
		return write_all(fd, small, (size_t)n);
	}
	char *big = malloc((size_t)n + 1);
	if (!big) {
		va_end(again);
		return -1;
	}
	vsnprintf(big, (size_t)n + 1, fmt, again);
	va_end(again);
	int r = write_all(fd, big, (size_t)n);
	free(big);
	return r;
}

int dprintf(int fd, const char *restrict fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int r = vdprintf(fd, fmt, ap);
	va_end(ap);
	return r;
}
