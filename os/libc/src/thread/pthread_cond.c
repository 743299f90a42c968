/* Condition variables (POSIX.1-2017 pthread_cond_*).  The kernel keys a
 * condvar's waiters on the address of __sync.__count and releases and
 * retakes the mutex itself (SyncCondvarWait), so no wake-up is lost between
 * the unlock and the sleep.  A signal or broadcast always enters the
 * kernel.  __clock is the clock of pthread_cond_timedwait's deadline. */
#include <errno.h>
#include "libc.h"

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *a)
{
	if (!c)
		return EINVAL;
	c->__sync.__count = 0;
	c->__sync.__owner = 0;
	c->__clock = a ? a->__clock : CLOCK_REALTIME;
	c->__reserved = 0;
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	if (!c)
		return EINVAL;
	return SyncDestroy_r(&c->__sync) == -EBUSY ? EBUSY : 0;
}

struct relock {
	pthread_mutex_t *m;
	int32_t count;
};

static void relock_depth(void *arg)
{
	struct relock *rl = arg;

	rl->m->__count = rl->count;
}

int pthread_cond_timedwait(pthread_cond_t *c, pthread_mutex_t *m, const struct timespec *abstime)
{
	if (!c || !m)
		return EINVAL;
	if ((__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) & ~_NTO_SYNC_WAITING) != __tid())
		return EPERM;
	if (abstime) {
		int r = __timeout_abs(c->__clock, _NTO_TIMEOUT_CONDVAR, abstime);
		if (r)
			return -r;
	}
	int32_t count = m->__count;     /* a recursive owner's depth survives the wait */
	m->__count = count & ~(int32_t)_NTO_SYNC_COUNTMASK;
	/* A cancellation point: the kernel has the mutex back before the call
	 * returns or is broken off, so a cancelled waiter's cleanup handlers
	 * run with it held (POSIX), its depth put back first. */
	struct relock rl = { m, count };
	int r;
	pthread_cleanup_push(relock_depth, &rl);
	r = (int)__kcall_cp(KCALL_SyncCondvarWait, (long)&c->__sync, (long)m, 0, 0, 0, 0);
	pthread_cleanup_pop(0);
	m->__count = count;
	if (r == 0 || r == -EINTR)
		return 0;                       /* EINTR: a spurious wake-up */
	return r == -ETIMEDOUT ? ETIMEDOUT : r == -EPERM ? EPERM : EINVAL;
}

int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	return pthread_cond_timedwait(c, m, NULL);
}

int pthread_cond_signal(pthread_cond_t *c)
{
	if (!c)
		return EINVAL;
	return SyncCondvarSignal_r(&c->__sync, 0) < 0 ? EINVAL : 0;
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	if (!c)
		return EINVAL;
	return SyncCondvarSignal_r(&c->__sync, 1) < 0 ? EINVAL : 0;
}

int pthread_condattr_init(pthread_condattr_t *a)
{
	if (!a)
		return EINVAL;
	a->__clock = CLOCK_REALTIME;
	a->__pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

int pthread_condattr_destroy(pthread_condattr_t *a)
{
	return a ? 0 : EINVAL;
}

int pthread_condattr_getclock(const pthread_condattr_t *a, clockid_t *clock)
{
	*clock = a->__clock;
	return 0;
}

int pthread_condattr_setclock(pthread_condattr_t *a, clockid_t clock)
{
	if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC)
		return EINVAL;
	a->__clock = clock;
	return 0;
}

int pthread_condattr_getpshared(const pthread_condattr_t *a, int *pshared)
{
	*pshared = a->__pshared;
	return 0;
}

int pthread_condattr_setpshared(pthread_condattr_t *a, int pshared)
{
	if (pshared == PTHREAD_PROCESS_SHARED)
		return ENOTSUP;
	if (pshared != PTHREAD_PROCESS_PRIVATE)
		return EINVAL;
	a->__pshared = pshared;
	return 0;
}
