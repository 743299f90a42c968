/* alarm, setitimer and getitimer (ITIMER_REAL): one process timer made
 * on first use with timer_create(CLOCK_REALTIME, SIGEV_SIGNAL SIGALRM).
 * ITIMER_VIRTUAL and ITIMER_PROF need CPU-time timers: EINVAL. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include "libc.h"

static timer_t real;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int made = -1;

static void make(void)
{
	struct sigevent ev = { 0 };

	SIGEV_SIGNAL_INIT(&ev, SIGALRM);
	made = timer_create(CLOCK_REALTIME, &ev, &real);
}

/* fork's child (process/fork.c): the timer is the parent's, its id
 * names nothing here (POSIX: a child's interval timers are reset), so
 * the child's first use makes its own. */
void __itimer_forget(void)
{
	made = -1;
	once = (pthread_once_t)PTHREAD_ONCE_INIT;
}

static struct timespec ts_of(struct timeval tv)
{
	return (struct timespec){ tv.tv_sec, tv.tv_usec * 1000 };
}

static struct timeval tv_of(struct timespec ts)
{
	return (struct timeval){ ts.tv_sec, (suseconds_t)((ts.tv_nsec + 999) / 1000) };
}

int getitimer(int which, struct itimerval *v)
{
	struct itimerspec cur;

	if (which != ITIMER_REAL)
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(v, sizeof *v))
		return (int)__syscall_ret(-EFAULT);
	pthread_once(&once, make);
	if (made < 0 || timer_gettime(real, &cur) < 0)
		return -1;
	v->it_value = tv_of(cur.it_value);
	v->it_interval = tv_of(cur.it_interval);
	return 0;
}

int setitimer(int which, const struct itimerval *restrict v, struct itimerval *restrict old)
{
	struct itimerspec nv, ov;

	if (which != ITIMER_REAL)
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(v, sizeof *v) || (old && !__uptr_ok(old, sizeof *old)))
		return (int)__syscall_ret(-EFAULT);
	if (v->it_value.tv_usec < 0 || v->it_value.tv_usec >= 1000000 ||
	    v->it_interval.tv_usec < 0 || v->it_interval.tv_usec >= 1000000)
		return (int)__syscall_ret(-EINVAL);
	pthread_once(&once, make);
	if (made < 0)
		return -1;
	nv.it_value = ts_of(v->it_value);
	nv.it_interval = ts_of(v->it_interval);
	if (timer_settime(real, 0, &nv, &ov) < 0)
		return -1;
	if (old) {
		old->it_value = tv_of(ov.it_value);
		old->it_interval = tv_of(ov.it_interval);
	}
	return 0;
}

/* The seconds left of the previous alarm, rounded up (0 if none). */
unsigned alarm(unsigned seconds)
{
	struct itimerval v = { .it_value = { (time_t)seconds, 0 } }, old = { 0 };

	if (setitimer(ITIMER_REAL, &v, &old) < 0)
		return 0;
	return (unsigned)(old.it_value.tv_sec + (old.it_value.tv_usec > 0));
}
