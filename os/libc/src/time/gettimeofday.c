/* gettimeofday (and so the package's time()) on CLOCK_REALTIME. */
#include <errno.h>
#include <sys/time.h>
#include "libc.h"

int gettimeofday(struct timeval *tv, void *tz)
{
	(void)tz;
	if (!tv)
		return 0;
	if (!__uptr_ok(tv, sizeof *tv)) {
		errno = EFAULT;
		return -1;
	}
	uint64_t ns = __clock_now(CLOCK_REALTIME);
	tv->tv_sec = (time_t)(ns / 1000000000u);
	tv->tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	return 0;
}
