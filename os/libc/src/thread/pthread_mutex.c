/* Mutexes on the kernel's sync_t word (<keel/sync.h>, POSIX.1-2017
 * pthread_mutex_lock, pthread_mutex_timedlock, pthread_mutex_destroy).
 *
 * __owner: 0 free, else the owner's tid, with _NTO_SYNC_WAITING or'ed in
 * by the kernel while threads wait.  __count: the type bits
 * (_NTO_SYNC_NONRECURSIVE for normal and error-checking,
 * _NTO_SYNC_NOERRORCHECK for normal) and, for a recursive mutex, the
 * number of extra locks its owner holds; only the owner changes it.
 * Uncontended lock and unlock are one compare-and-swap each; the kernel is
 * entered only to wait or to hand the mutex to a waiter, and it returns
 * from SyncMutexLock with the mutex ours. */
#include <errno.h>
#include "libc.h"

#define TYPE_BITS (_NTO_SYNC_NONRECURSIVE | _NTO_SYNC_NOERRORCHECK)

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *a)
{
	uint32_t bits = _NTO_SYNC_NONRECURSIVE;

	if (!m)
		return EINVAL;
	if (a) {
		if (a->__type == PTHREAD_MUTEX_RECURSIVE)
			bits = 0;
		else if (a->__type == PTHREAD_MUTEX_NORMAL)
			bits |= _NTO_SYNC_NOERRORCHECK;
	}
	m->__count = (int32_t)bits;
	__atomic_store_n(&m->__owner, 0, __ATOMIC_RELEASE);
	return 0;
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	if (!m)
		return EINVAL;
	if (__atomic_load_n(&m->__owner, __ATOMIC_ACQUIRE) != 0)
		return EBUSY;
	return SyncDestroy_r(m) == -EBUSY ? EBUSY : 0;
}

/* The caller already owns m: relock per its type. */
static int relock(pthread_mutex_t *m, const struct timespec *abstime)
{
	uint32_t c = (uint32_t)m->__count;

	if (!(c & _NTO_SYNC_NONRECURSIVE)) {
		if ((c & _NTO_SYNC_COUNTMASK) == _NTO_SYNC_COUNTMASK)
			return EAGAIN;
		m->__count = (int32_t)(c + 1);
		return 0;
	}
	if (!(c & _NTO_SYNC_NOERRORCHECK))
		return EDEADLK;
	/* A normal mutex deadlocks, as POSIX says; a timed lock times out.
	 * The private semaphore is never posted. */
	sync_t *never = &__self()->sleep;
	for (;;) {
		if (abstime) {
			int r = __timeout_abs(CLOCK_REALTIME, _NTO_TIMEOUT_SEM, abstime);
			if (r)
				return -r;
		}
		int r = SyncSemWait_r(never, 0);
		if (r == -ETIMEDOUT)
			return ETIMEDOUT;
	}
}

int __mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	uint32_t me = __tid();

	for (;;) {
		uint32_t v = 0;
		if (__atomic_compare_exchange_n(&m->__owner, &v, me, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 0;
		if ((v & ~_NTO_SYNC_WAITING) == me)
			return relock(m, abstime);
		if (abstime) {
			int r = __timeout_abs(CLOCK_REALTIME, _NTO_TIMEOUT_MUTEX, abstime);
			if (r)
				return -r;
		}
		int r = SyncMutexLock_r(m);
		if (r == 0)
			return 0;
		if (r == -ETIMEDOUT)
			return ETIMEDOUT;
		if (r == -EFAULT)
			return EINVAL;
		/* EINTR (a signal) or EDEADLK (the word moved): look again. */
	}
}

/* The uncontended lock: one lr/sc of 0 to our tid, written out because the
 * compiler's compare-and-swap adds a compare and a sign extension after it
 * (10 instructions here, 13 there; the goal is lock + unlock in 30). */
int pthread_mutex_lock(pthread_mutex_t *m)
{
	if (__builtin_expect(!m, 0))
		return EINVAL;
	__asm__ goto("1:	lr.w.aq	t0, (%0)\n"
		     "	bnez	t0, %l[held]\n"
		     "	sc.w	t1, %1, (%0)\n"
		     "	bnez	t1, 1b\n"
		     : : "r"(&m->__owner), "r"(__tid()) : "t0", "t1", "memory" : held);
	return 0;
held:
	return __mutex_timedlock(m, NULL);
}

int pthread_mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime)
{
	if (!m || !abstime)
		return EINVAL;
	return __mutex_timedlock(m, abstime);
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	uint32_t me, v = 0;

	if (!m)
		return EINVAL;
	me = __tid();
	if (__atomic_compare_exchange_n(&m->__owner, &v, me, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return 0;
	if ((v & ~_NTO_SYNC_WAITING) == me && !(m->__count & _NTO_SYNC_NONRECURSIVE))
		return relock(m, NULL);
	return EBUSY;
}

static int unlock_slow(pthread_mutex_t *m, uint32_t me)
{
	if ((__atomic_load_n(&m->__owner, __ATOMIC_RELAXED) & ~_NTO_SYNC_WAITING) != me)
		return EPERM;
	uint32_t c = (uint32_t)m->__count;
	if (!(c & _NTO_SYNC_NONRECURSIVE) && (c & _NTO_SYNC_COUNTMASK)) {
		m->__count = (int32_t)(c - 1);
		return 0;
	}
	int r = SyncMutexUnlock_r(m);           /* waiters: the kernel hands it over */
	return r == 0 ? 0 : r == -EPERM ? EPERM : EINVAL;
}

/* Fast path: a mutex not held recursively is released by one lr/sc of our
 * tid to 0 (release ordering on the store); it is left to the slow path
 * if we are not the owner or a waiter set _NTO_SYNC_WAITING, which it
 * tells apart. */
int pthread_mutex_unlock(pthread_mutex_t *m)
{
	if (__builtin_expect(!m, 0))
		return EINVAL;
	uint32_t me = __tid();
	if ((uint32_t)m->__count & _NTO_SYNC_COUNTMASK)
		goto slow;
	__asm__ goto("1:	lr.w	t0, (%0)\n"
		     "	bne	t0, %1, %l[slow]\n"
		     "	sc.w.rl	t1, zero, (%0)\n"
		     "	bnez	t1, 1b\n"
		     : : "r"(&m->__owner), "r"(me) : "t0", "t1", "memory" : slow);
	return 0;
slow:
	return unlock_slow(m, me);
}

/* ---- attributes ---------------------------------------------------------- */

int pthread_mutexattr_init(pthread_mutexattr_t *a)
{
	if (!a)
		return EINVAL;
	a->__type = PTHREAD_MUTEX_DEFAULT;
	a->__protocol = PTHREAD_PRIO_INHERIT;   /* what the kernel does anyway */
	a->__pshared = PTHREAD_PROCESS_PRIVATE;
	a->__robust = PTHREAD_MUTEX_STALLED;
	return 0;
}

int pthread_mutexattr_destroy(pthread_mutexattr_t *a)
{
	return a ? 0 : EINVAL;
}

int pthread_mutexattr_gettype(const pthread_mutexattr_t *a, int *type)
{
	*type = a->__type;
	return 0;
}

int pthread_mutexattr_settype(pthread_mutexattr_t *a, int type)
{
	if (type != PTHREAD_MUTEX_NORMAL && type != PTHREAD_MUTEX_ERRORCHECK &&
	    type != PTHREAD_MUTEX_RECURSIVE)
		return EINVAL;
	a->__type = type;
	return 0;
}

int pthread_mutexattr_getprotocol(const pthread_mutexattr_t *a, int *protocol)
{
	*protocol = a->__protocol;
	return 0;
}

/* Every Keel mutex inherits priority; PRIO_NONE is accepted (inheritance
 * is allowed where none was asked for), PRIO_PROTECT is not provided. */
int pthread_mutexattr_setprotocol(pthread_mutexattr_t *a, int protocol)
{
	if (protocol == PTHREAD_PRIO_PROTECT)
		return ENOTSUP;
	if (protocol != PTHREAD_PRIO_NONE && protocol != PTHREAD_PRIO_INHERIT)
		return EINVAL;
	a->__protocol = protocol;
	return 0;
}

int pthread_mutexattr_getpshared(const pthread_mutexattr_t *a, int *pshared)
{
	*pshared = a->__pshared;
	return 0;
}

/* The kernel keys sync objects by (address space, address): a mutex in
 * memory shared between processes is not one object for both. */
int pthread_mutexattr_setpshared(pthread_mutexattr_t *a, int pshared)
{
	if (pshared == PTHREAD_PROCESS_SHARED)
		return ENOTSUP;
	if (pshared != PTHREAD_PROCESS_PRIVATE)
		return EINVAL;
	a->__pshared = pshared;
	return 0;
}

int pthread_mutexattr_getrobust(const pthread_mutexattr_t *a, int *robust)
{
	*robust = a->__robust;
	return 0;
}

int pthread_mutexattr_setrobust(pthread_mutexattr_t *a, int robust)
{
	if (robust == PTHREAD_MUTEX_ROBUST)
		return ENOTSUP;
	if (robust != PTHREAD_MUTEX_STALLED)
		return EINVAL;
	a->__robust = robust;
	return 0;
}
