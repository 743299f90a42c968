/* Barriers (POSIX.1-2017 pthread_barrier_*): the count-th arrival starts a
 * new cycle, wakes the others and is the serial thread. */
#include <errno.h>
#include "libc.h"

int pthread_barrier_init(pthread_barrier_t *b, const pthread_barrierattr_t *a, unsigned count)
{
	(void)a;
	if (!b || count == 0)
		return EINVAL;
	pthread_mutex_init(&b->__lock, NULL);
	pthread_cond_init(&b->__cond, NULL);
	b->__count = count;
	b->__waiting = 0;
	b->__cycle = 0;
	return 0;
}

int pthread_barrier_destroy(pthread_barrier_t *b)
{
	if (!b)
		return EINVAL;
	if (b->__waiting)
		return EBUSY;
	pthread_cond_destroy(&b->__cond);
	return pthread_mutex_destroy(&b->__lock);
}

int pthread_barrier_wait(pthread_barrier_t *b)
{
	if (!b || !b->__count)
		return EINVAL;
	pthread_mutex_lock(&b->__lock);
	uint32_t cycle = b->__cycle;
	if (++b->__waiting == b->__count) {
		b->__waiting = 0;
		b->__cycle++;
		pthread_cond_broadcast(&b->__cond);
		pthread_mutex_unlock(&b->__lock);
		return PTHREAD_BARRIER_SERIAL_THREAD;
	}
	__cancel_hold();                /* no cancellation point (POSIX) */
	while (cycle == b->__cycle)
		pthread_cond_wait(&b->__cond, &b->__lock);
	__cancel_unhold();
	pthread_mutex_unlock(&b->__lock);
	return 0;
}

int pthread_barrierattr_init(pthread_barrierattr_t *a)
{
	if (!a)
		return EINVAL;
	a->__pshared = PTHREAD_PROCESS_PRIVATE;
	return 0;
}

int pthread_barrierattr_destroy(pthread_barrierattr_t *a)
{
	return a ? 0 : EINVAL;
}
