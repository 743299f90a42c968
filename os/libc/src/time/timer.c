/* Per-process timers (POSIX.1-2017 timer_create, timer_settime,
 * timer_gettime, timer_getoverrun, timer_delete) on the kernel's timers,
 * whose expiries arrive as pulses (SIGEV_PULSE, QNX's way: the event names
 * a connection, code and value).  SIGEV_NONE timers are kept by libc alone
 * (only timer_gettime observes them).  SIGEV_SIGNAL sends the signal to
 * the process (the kernel's timers raise signals themselves).
 * SIGEV_THREAD waits for a sigevent with a notify function (the kernel's
 * struct sigevent has no room for one yet): ENOTSUP.
 *
 * libc remembers each armed timer's next expiry on CLOCK_MONOTONIC and its
 * period, which is all timer_gettime needs. */
#include <errno.h>
#include <signal.h>
#include <time.h>
#include "libc.h"

#define TIMERS 64
#define NS 1000000000ull

static struct utimer {
	int used;
	int kid;                        /* the kernel's timer; -1 for SIGEV_NONE */
	clockid_t clock;
	uint64_t deadline;              /* CLOCK_MONOTONIC ns of the next expiry; 0: disarmed */
	uint64_t period;
} timers[TIMERS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct utimer *get(timer_t t)
{
	uintptr_t i = (uintptr_t)t;

	return i < TIMERS && timers[i].used ? &timers[i] : NULL;
}

int timer_create(clockid_t clock, struct sigevent *restrict ev, timer_t *restrict id)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(id, sizeof *id) || (ev && !__uptr_ok(ev, sizeof *ev)))
		return (int)__syscall_ret(-EFAULT);
	if (!ev || (ev->sigev_notify != SIGEV_NONE && ev->sigev_notify != SIGEV_PULSE &&
		    ev->sigev_notify != SIGEV_SIGNAL))
		return (int)__syscall_ret(-ENOTSUP);
	int kid = -1;
	if (ev->sigev_notify != SIGEV_NONE && (kid = TimerCreate_r(clock, ev)) < 0)
		return (int)__syscall_ret(kid);
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < TIMERS; i++) {
		if (timers[i].used)
			continue;
		timers[i] = (struct utimer){ .used = 1, .kid = kid, .clock = clock };
		pthread_mutex_unlock(&lock);
		*id = (timer_t)(uintptr_t)i;
		return 0;
	}
	pthread_mutex_unlock(&lock);
	if (kid >= 0)
		TimerDestroy_r(kid);
	return (int)__syscall_ret(-EAGAIN);
}

int timer_delete(timer_t id)
{
	pthread_mutex_lock(&lock);
	struct utimer *t = get(id);
	if (t) {
		if (t->kid >= 0)
			TimerDestroy_r(t->kid);
		t->used = 0;
	}
	pthread_mutex_unlock(&lock);
	return t ? 0 : (int)__syscall_ret(-EINVAL);
}

/* The time left to t's next expiry from now (moving a passed periodic
 * expiry on by whole periods).  Lock held. */
static uint64_t left(struct utimer *t, uint64_t now)
{
	if (!t->deadline)
		return 0;
	if (t->deadline <= now) {
		if (!t->period) {
			t->deadline = 0;
			return 0;
		}
		t->deadline += ((now - t->deadline) / t->period + 1) * t->period;
	}
	return t->deadline - now;
}

static void to_ts(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
}

static void current(struct utimer *t, struct itimerspec *v)
{
	to_ts(left(t, __clock_now(CLOCK_MONOTONIC)), &v->it_value);
	to_ts(t->period, &v->it_interval);
}

int timer_gettime(timer_t id, struct itimerspec *v)
{
	if (!__uptr_ok(v, sizeof *v))
		return (int)__syscall_ret(-EFAULT);
	pthread_mutex_lock(&lock);
	struct utimer *t = get(id);
	if (t)
		current(t, v);
	pthread_mutex_unlock(&lock);
	return t ? 0 : (int)__syscall_ret(-EINVAL);
}

int timer_settime(timer_t id, int flags, const struct itimerspec *restrict v,
		  struct itimerspec *restrict old)
{
	uint64_t value, period;

	if (!__uptr_ok(v, sizeof *v) || (old && !__uptr_ok(old, sizeof *old)))
		return (int)__syscall_ret(-EFAULT);
	int r = __timespec_ns(&v->it_value, &value);
	if (!r)
		r = __timespec_ns(&v->it_interval, &period);
	if (r)
		return (int)__syscall_ret(r);
	pthread_mutex_lock(&lock);
	struct utimer *t = get(id);
	if (!t) {
		pthread_mutex_unlock(&lock);
		return (int)__syscall_ret(-EINVAL);
	}
	if (old)
		current(t, old);
	uint64_t now = __clock_now(CLOCK_MONOTONIC), rel = value;
	if (value && (flags & TIMER_ABSTIME)) {
		uint64_t cnow = __clock_now(t->clock);
		rel = value > cnow ? value - cnow : 1;  /* a passed time expires at once */
	}
	t->deadline = value ? now + rel : 0;
	t->period = value ? period : 0;
	if (t->kid >= 0) {
		struct _itimer it = { .nsec = value ? rel : 0, .interval_nsec = t->period };
		r = TimerSettime_r(t->kid, 0, &it, NULL);
	}
	pthread_mutex_unlock(&lock);
	return (int)__syscall_ret(r);
}

/* Pulses do not count what they miss: no overruns are reported. */
int timer_getoverrun(timer_t id)
{
	pthread_mutex_lock(&lock);
	struct utimer *t = get(id);
	pthread_mutex_unlock(&lock);
	return t ? 0 : (int)__syscall_ret(-EINVAL);
}
