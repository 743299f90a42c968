/* Deadlines for the timed waits (mutex, condvar, semaphore, sleep): the
 * kernel takes an absolute deadline on CLOCK_MONOTONIC only, so a
 * CLOCK_REALTIME deadline becomes a relative timeout from now (a later
 * change of the realtime clock does not move it). */
#include <errno.h>
#include "libc.h"

int __timeout_abs(int clockid, unsigned states, const struct timespec *abs)
{
	uint64_t ns, now;
	int r = __timespec_ns(abs, &ns);

	if (r == -EFAULT)
		return -EINVAL;
	if (r < 0)
		return r;
	if (clockid != CLOCK_REALTIME && clockid != CLOCK_MONOTONIC)
		return -EINVAL;
	now = __clock_now(clockid);
	if (ns <= now)
		return -ETIMEDOUT;
	if (clockid == CLOCK_MONOTONIC)
		return TimerTimeout_r(CLOCK_MONOTONIC, states | TIMER_ABSTIME, NULL, &ns, NULL);
	uint64_t rel = ns - now;
	return TimerTimeout_r(CLOCK_MONOTONIC, states, NULL, &rel, NULL);
}

bool __uptr_ok(const void *p, size_t n)
{
	uintptr_t a = (uintptr_t)p;

	return a >= KEEL_USER_MIN && a + n >= a && a + n <= KEEL_USER_END;
}
