/* pthread_once: the first caller runs fn; the others wait until it is done
 * (state 0 never run, 1 running, 2 done).  A cancelled fn (or one that
 * ends its thread) leaves the once never run, as POSIX asks: the next
 * caller runs fn, the waiters wake to see it so. */
#include <errno.h>
#include "libc.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done = PTHREAD_COND_INITIALIZER;

static void cut_short(void *arg)
{
	pthread_once_t *once = arg;

	pthread_mutex_lock(&lock);
	once->__state = 0;
	pthread_cond_broadcast(&done);
	pthread_mutex_unlock(&lock);
}

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	if (!once || !fn)
		return EINVAL;
	if (__atomic_load_n(&once->__state, __ATOMIC_ACQUIRE) == 2)
		return 0;
	pthread_mutex_lock(&lock);
	__cancel_hold();                /* the wait is no cancellation point */
	while (once->__state == 1)
		pthread_cond_wait(&done, &lock);
	__cancel_unhold();
	if (once->__state == 0) {
		once->__state = 1;
		pthread_mutex_unlock(&lock);
		pthread_cleanup_push(cut_short, once);
		fn();
		pthread_cleanup_pop(0);
		pthread_mutex_lock(&lock);
		__atomic_store_n(&once->__state, 2, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&done);
	}
	pthread_mutex_unlock(&lock);
	return 0;
}
