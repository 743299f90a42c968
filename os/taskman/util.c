/* Small helpers shared by taskman's files. */
#include <keel/clock.h>
#include "taskman.h"

void tm_error(int rcvid, int err)
{
	MsgError_r(rcvid, err);
}

uint64_t tm_now_ns(void)
{
	uint64_t ns = 0;

	ClockTime_r(CLOCK_MONOTONIC, 0, &ns);
	return ns;
}

/* Copies at most size - 1 bytes and terminates; returns strlen(src). */
size_t tm_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = 0;
	}
	return n;
}
