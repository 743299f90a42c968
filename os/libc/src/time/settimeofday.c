/* settimeofday (no POSIX page; the BSD call date(1) uses): sets
 * CLOCK_REALTIME through clock_settime, whose errors it has (EPERM for
 * an unprivileged caller); EINVAL for tv_usec outside [0, 1000000).  The
 * time zone argument is obsolete and ignored. */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

int settimeofday(const struct timeval *tv, const struct timezone *tz)
{
	(void)tz;
	if (!tv)
		return 0;
	if (tv->tv_usec < 0 || tv->tv_usec >= 1000000) {
		errno = EINVAL;
		return -1;
	}
	struct timespec ts = { .tv_sec = tv->tv_sec, .tv_nsec = (long)tv->tv_usec * 1000 };
	return clock_settime(CLOCK_REALTIME, &ts);
}
