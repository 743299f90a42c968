/* Read-write locks on a mutex and two condvars (POSIX.1-2017
 * pthread_rwlock_*).  New readers wait for a writer inside, and for
 * waiting writers only when no reader is inside (so a reader that locks
 * again while a writer waits cannot deadlock; writers go first otherwise). */
#include <errno.h>
#include "libc.h"

int pthread_rwlock_init(pthread_rwlock_t *rw, const pthread_rwlockattr_t *a)
{
	(void)a;
	if (!rw)
		return EINVAL;
	*rw = (pthread_rwlock_t)PTHREAD_RWLOCK_INITIALIZER;
	return 0;
}

int pthread_rwlock_destroy(pthread_rwlock_t *rw)
{
	if (!rw)
		return EINVAL;
	if (rw->__active || rw->__wwait)
		return EBUSY;
	pthread_cond_destroy(&rw->__readers);
	pthread_cond_destroy(&rw->__writers);
	return pthread_mutex_destroy(&rw->__lock);
}

static int rdlock(pthread_rwlock_t *rw, const struct timespec *abstime, bool try)
{
	int r = 0;

	if (!rw)
		return EINVAL;
	pthread_mutex_lock(&rw->__lock);
	if (rw->__active == -1 && rw->__writer == __tid())
		r = EDEADLK;
	while (!r && (rw->__active == -1 || (rw->__active == 0 && rw->__wwait))) {
		if (try)
			r = EBUSY;
		else
		{
			__cancel_hold();        /* no cancellation point: the lock is rw's own */
			r = pthread_cond_timedwait(&rw->__readers, &rw->__lock, abstime);
			__cancel_unhold();
		}
	}
	if (!r)
		rw->__active++;
	pthread_mutex_unlock(&rw->__lock);
	return r;
}

static int wrlock(pthread_rwlock_t *rw, const struct timespec *abstime, bool try)
{
	int r = 0;

	if (!rw)
		return EINVAL;
	pthread_mutex_lock(&rw->__lock);
	if (rw->__active == -1 && rw->__writer == __tid())
		r = EDEADLK;
	rw->__wwait++;
	while (!r && rw->__active != 0) {
		if (try)
			r = EBUSY;
		else
		{
			__cancel_hold();        /* no cancellation point: the lock is rw's own */
			r = pthread_cond_timedwait(&rw->__writers, &rw->__lock, abstime);
			__cancel_unhold();
		}
	}
	rw->__wwait--;
	if (!r) {
		rw->__active = -1;
		rw->__writer = __tid();
	} else if (!rw->__wwait && rw->__active >= 0) {
		pthread_cond_broadcast(&rw->__readers);  /* readers held back for us */
	}
	pthread_mutex_unlock(&rw->__lock);
	return r;
}

int pthread_rwlock_rdlock(pthread_rwlock_t *rw)
{
	return rdlock(rw, NULL, false);
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *rw)
{
	return rdlock(rw, NULL, true);
}

int pthread_rwlock_timedrdlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
	return abstime ? rdlock(rw, abstime, false) : EINVAL;
}

int pthread_rwlock_wrlock(pthread_rwlock_t *rw)
{
	return wrlock(rw, NULL, false);
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *rw)
{
	return wrlock(rw, NULL, true);
}

int pthread_rwlock_timedwrlock(pthread_rwlock_t *rw, const struct timespec *abstime)
{
	return abstime ? wrlock(rw, abstime, false) : EINVAL;
}

int pthread_rwlock_unlock(pthread_rwlock_t *rw)
{
	int r = 0;

	if (!rw)
		return EINVAL;
	pthread_mutex_lock(&rw->__lock);
	if (rw->__active == -1) {
		if (rw->__writer != __tid()) {
			r = EPERM;
		} else {
			rw->__active = 0;
			rw->__writer = 0;
		}
	} else if (rw->__active > 0) {
		rw->__active--;
	} else {
		r = EPERM;
	}
	if (!r && rw->__active == 0) {
		if (rw->__wwait)
			pthread_cond_signal(&rw->__writers);
		else
			pthread_cond_broadcast(&rw->__readers);
	}
	pthread_mutex_unlock(&rw->__lock);
	return r;
}

int pthread_rwlockattr_init(pthread_rwlockattr_t *a)
{
	if (!a)
		return EINVAL;
	a->__pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

int pthread_rwlockattr_destroy(pthread_rwlockattr_t *a)
{
	return a ? 0 : EINVAL;
}
