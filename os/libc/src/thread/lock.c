/* The package's retargetable locks on Keel's mutexes.  malloc, environ,
 * atexit, tz, arc4random and every stdio stream lock through these, so a
 * threaded program needs them real.  Every lock is recursive (the
 * non-recursive entry points are used only by code that never relocks, so
 * recursion costs nothing there): struct __lock is a pthread mutex of the
 * recursive kind.  A lock made by __retarget_lock_init is malloc'd; the
 * global __lock___libc_recursive_mutex is static. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/lock.h>
#include "libc.h"

struct __lock {
	pthread_mutex_t m;
};

struct __lock __lock___libc_recursive_mutex = { PTHREAD_RECURSIVE_MUTEX_INITIALIZER };

/* A lock that cannot be allocated is left NULL: the acquire and release of
 * a NULL lock do nothing, which is what the package did for every lock. */
void __retarget_lock_init(_LOCK_T *lock)
{
	struct __lock *l = malloc(sizeof *l);

	if (l)
		l->m = (pthread_mutex_t)PTHREAD_RECURSIVE_MUTEX_INITIALIZER;
	*lock = l;
}

void __retarget_lock_init_recursive(_LOCK_T *lock)
{
	__retarget_lock_init(lock);
}

void __retarget_lock_close(_LOCK_T lock)
{
	if (lock && lock != &__lock___libc_recursive_mutex) {
		pthread_mutex_destroy(&lock->m);
		free(lock);
	}
}

void __retarget_lock_close_recursive(_LOCK_T lock)
{
	__retarget_lock_close(lock);
}

/* A thread holding one of these locks is inside libc (a stdio stream's,
 * malloc's): no cancellation acts there (libc.h __CANCEL_HOLD), or the lock
 * would stay held for good. */
void __retarget_lock_acquire(_LOCK_T lock)
{
	if (lock) {
		__cancel_hold();
		pthread_mutex_lock(&lock->m);
	}
}

void __retarget_lock_acquire_recursive(_LOCK_T lock)
{
	__retarget_lock_acquire(lock);
}

int __retarget_lock_try_acquire(_LOCK_T lock)
{
	if (!lock)
		return 1;
	if (pthread_mutex_trylock(&lock->m) != 0)
		return 0;
	__cancel_hold();
	return 1;
}

int __retarget_lock_try_acquire_recursive(_LOCK_T lock)
{
	return __retarget_lock_try_acquire(lock);
}

void __retarget_lock_release(_LOCK_T lock)
{
	if (lock) {
		pthread_mutex_unlock(&lock->m);
		__cancel_unhold();
	}
}

void __retarget_lock_release_recursive(_LOCK_T lock)
{
	__retarget_lock_release(lock);
}
