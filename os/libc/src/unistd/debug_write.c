/* The console path of fds 1 and 2 until fds are connections to servers:
 * DebugPutString, at most 256 bytes a call, each call printed whole. */
#include <errno.h>
#include "libc.h"

long __debug_write(const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n) {
		size_t chunk = n - done > 256 ? 256 : n - done;
		int r = DebugPutString_r(p + done, chunk);
		if (r < 0)
			return done ? (long)done : __syscall_ret(r);
		done += (size_t)r;
	}
	return (long)done;
}
