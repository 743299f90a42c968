/* Cleanup handlers and deferred cancellation (POSIX.1-2017
 * pthread_cleanup_push, pthread_cancel, pthread_setcancelstate).
 *
 * Cancellation is deferred and acted on at pthread_testcancel only: the
 * blocking cancellation points (condvar waits, sleeps, reads) do not yet
 * notice a pending request.  Asynchronous cancellation is treated as
 * deferred, which POSIX allows for an implementation's choice of points. */
#include <errno.h>
#include "libc.h"

void __pthread_cleanup_push(struct __pthread_cleanup *c, void (*fn)(void *), void *arg)
{
	struct __pthread *t = __self();
	struct __cleanup *k = (struct __cleanup *)c;

	_Static_assert(sizeof(struct __cleanup) == sizeof(struct __pthread_cleanup),
		       "cleanup record layouts");
	k->fn = fn;
	k->arg = arg;
	k->next = t->cleanup;
	t->cleanup = k;
}

void __pthread_cleanup_pop(struct __pthread_cleanup *c, int run)
{
	struct __pthread *t = __self();
	struct __cleanup *k = (struct __cleanup *)c;

	t->cleanup = k->next;
	if (run)
		k->fn(k->arg);
}

int pthread_setcancelstate(int state, int *old)
{
	struct __pthread *t = __self();

	if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
		return EINVAL;
	if (old)
		*old = t->cancel_disabled ? PTHREAD_CANCEL_DISABLE : PTHREAD_CANCEL_ENABLE;
	t->cancel_disabled = state == PTHREAD_CANCEL_DISABLE;
	return 0;
}

int pthread_setcanceltype(int type, int *old)
{
	struct __pthread *t = __self();

	if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
		return EINVAL;
	if (old)
		*old = t->cancel_async ? PTHREAD_CANCEL_ASYNCHRONOUS : PTHREAD_CANCEL_DEFERRED;
	t->cancel_async = type == PTHREAD_CANCEL_ASYNCHRONOUS;
	return 0;
}

int pthread_cancel(pthread_t t)
{
	if (!t || t->self != t)
		return ESRCH;
	__atomic_store_n(&t->cancel_pending, 1, __ATOMIC_RELEASE);
	return 0;
}

void pthread_testcancel(void)
{
	struct __pthread *t = __self();

	if (!t->cancel_disabled && __atomic_load_n(&t->cancel_pending, __ATOMIC_ACQUIRE))
		pthread_exit(PTHREAD_CANCELED);
}

static int concurrency;

int pthread_getconcurrency(void)
{
	return concurrency;
}

int pthread_setconcurrency(int level)
{
	if (level < 0)
		return EINVAL;
	concurrency = level;
	return 0;
}
