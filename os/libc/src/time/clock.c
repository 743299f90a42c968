/* The clocks (POSIX.1-2017 clock_gettime, clock_getres, clock_settime) on
 * ClockTime.  Keel's <time.h> uses the kernel's clock ids, so an id passes
 * through unchanged: CLOCK_REALTIME, CLOCK_MONOTONIC, the calling process's
 * and thread's CPU-time clocks, and the ids pthread_getcpuclockid and
 * clock_getcpuclockid return. */
#include <errno.h>
#include "libc.h"

#define NS 1000000000ull

int __clock_kernel(int clockid)
{
	return clockid >= 0 ? clockid : -1;
}

uint64_t __clock_now(int kid)
{
	uint64_t ns = 0;

	return ClockTime_r(kid, NULL, &ns) == 0 ? ns : 0;
}

int __timespec_ns(const struct timespec *ts, uint64_t *ns)
{
	if (!__uptr_ok(ts, sizeof *ts))
		return -EFAULT;
	if (ts->tv_nsec < 0 || ts->tv_nsec >= (long)NS || ts->tv_sec < 0)
		return -EINVAL;
	if ((uint64_t)ts->tv_sec > (UINT64_MAX - (uint64_t)ts->tv_nsec) / NS)
		*ns = UINT64_MAX;               /* far enough to be forever */
	else
		*ns = (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;
	return 0;
}

/* The kernel writes the reading straight into *ts (so a bad ts is EFAULT
 * from the kernel, not a fault here), then it is split in place. */
int clock_gettime(clockid_t id, struct timespec *ts)
{
	_Static_assert(sizeof ts->tv_sec == sizeof(uint64_t), "time_t is 64 bits");
	uint64_t *raw = (uint64_t *)&ts->tv_sec;

	if (!ts) {                      /* the kernel reads NULL as "no reading wanted" */
		errno = EFAULT;
		return -1;
	}
	int r = ClockTime_r(__clock_kernel(id), NULL, raw);

	if (r < 0)
		return (int)__syscall_ret(r);
	if (((uintptr_t)&ts->tv_nsec & 0xfff) == 0 &&
	    (r = ClockTime_r(CLOCK_MONOTONIC, NULL, (uint64_t *)&ts->tv_nsec)) < 0)
		return (int)__syscall_ret(r);   /* tv_nsec starts a page: is it there? */
	uint64_t ns = *raw;
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
	return 0;
}

/* The resolution reported is the coarsest timebase Keel runs on (the
 * Unmatched's 1 MHz); QEMU's 10 MHz is finer. */
int clock_getres(clockid_t id, struct timespec *res)
{
	uint64_t ns;
	int r = ClockTime_r(__clock_kernel(id), NULL, &ns);

	if (r < 0)
		return (int)__syscall_ret(r);
	if (res) {
		if (!__uptr_ok(res, sizeof *res)) {
			errno = EFAULT;
			return -1;
		}
		res->tv_sec = 0;
		res->tv_nsec = 1000;
	}
	return 0;
}

int clock_settime(clockid_t id, const struct timespec *ts)
{
	uint64_t ns;
	int r = __timespec_ns(ts, &ns);

	if (r < 0)
		return (int)__syscall_ret(r);
	if (id != CLOCK_REALTIME) {
		errno = EINVAL;
		return -1;
	}
	return (int)__syscall_ret(ClockTime_r(CLOCK_REALTIME, &ns, NULL));
}

int clock_getcpuclockid(pid_t pid, clockid_t *clock)
{
	int r = ClockId_r(pid, 0);

	if (r < 0)
		return r == -ESRCH ? ESRCH : -r;
	*clock = r;
	return 0;
}

int pthread_getcpuclockid(pthread_t t, clockid_t *clock)
{
	if (!t || t->self != t)
		return ESRCH;
	int r = ClockId_r(0, (int)t->tid);
	if (r < 0)
		return ESRCH;
	*clock = r;
	return 0;
}
