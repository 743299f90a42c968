/* Sleeps (POSIX.1-2017 nanosleep, clock_nanosleep, sleep, usleep): the
 * thread waits on its private semaphore, which nobody posts, until the
 * kernel's timeout ends the wait (ETIMEDOUT: the normal end).  A signal
 * (EINTR) ends it early with the time left. */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

#define NS 1000000000ull

/* Sleeps until the monotonic deadline; 0 or EINTR (*left: ns remaining). */
static int sleep_until(uint64_t deadline, uint64_t *left)
{
	sync_t *never = &__self()->sleep;

	for (;;) {
		int r = TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEM | TIMER_ABSTIME, NULL,
				       &deadline, NULL);
		if (r < 0)
			return -r;
		r = (int)__kcall_cp(KCALL_SyncSemWait, (long)never, 0, 0, 0, 0, 0);
		if (r == -ETIMEDOUT)
			return 0;
		uint64_t now = __clock_now(CLOCK_MONOTONIC);
		if (now >= deadline)
			return 0;
		if (r == -EINTR) {
			if (left)
				*left = deadline - now;
			return EINTR;
		}
	}
}

static void ns_to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *req, struct timespec *rem)
{
	uint64_t ns, left = 0;
	int r = __timespec_ns(req, &ns);

	if (r < 0)
		return -r;
	if (clock == CLOCK_THREAD_CPUTIME_ID)
		return EINVAL;
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return clock == CLOCK_PROCESS_CPUTIME_ID ? ENOTSUP : EINVAL;
	uint64_t now = __clock_now(clock), mono = __clock_now(CLOCK_MONOTONIC);
	uint64_t rel = (flags & TIMER_ABSTIME) ? (ns > now ? ns - now : 0) : ns;
	if (rel == 0)
		return 0;
	uint64_t deadline = mono + rel < mono ? UINT64_MAX : mono + rel;
	r = sleep_until(deadline, &left);
	if (r == EINTR && rem && !(flags & TIMER_ABSTIME)) {
		if (!__uptr_ok(rem, sizeof *rem))
			return EFAULT;
		ns_to_timespec(left, rem);
	}
	return r;
}

int nanosleep(const struct timespec *req, struct timespec *rem)
{
	int r = clock_nanosleep(CLOCK_MONOTONIC, 0, req, rem);

	if (r) {
		errno = r;
		return -1;
	}
	return 0;
}

unsigned sleep(unsigned s)
{
	struct timespec req = { .tv_sec = s }, rem = { 0 };

	if (clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem) == EINTR)
		return (unsigned)rem.tv_sec + (rem.tv_nsec > 0);
	return 0;
}

int usleep(useconds_t us)
{
	struct timespec req = { .tv_sec = us / 1000000, .tv_nsec = (long)(us % 1000000) * 1000 };

	return nanosleep(&req, NULL);
}
