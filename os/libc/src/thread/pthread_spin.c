/* Spin locks (POSIX.1-2017 pthread_spin_*): the holder's tid in a word.
 * A waiter yields the hart every 64 failed tries, so a holder preempted on
 * the same hart gets to run. */
#include <errno.h>
#include "libc.h"

int pthread_spin_init(pthread_spinlock_t *s, int pshared)
{
	(void)pshared;
	if (!s)
		return EINVAL;
	__atomic_store_n(&s->__owner, 0, __ATOMIC_RELEASE);
	return 0;
}

int pthread_spin_destroy(pthread_spinlock_t *s)
{
	if (!s)
		return EINVAL;
	return __atomic_load_n(&s->__owner, __ATOMIC_ACQUIRE) ? EBUSY : 0;
}

int pthread_spin_trylock(pthread_spinlock_t *s)
{
	uint32_t v = 0;

	if (!s)
		return EINVAL;
	return __atomic_compare_exchange_n(&s->__owner, &v, __tid(), false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED) ? 0 : EBUSY;
}

int pthread_spin_lock(pthread_spinlock_t *s)
{
	uint32_t me, v;

	if (!s)
		return EINVAL;
	me = __tid();
	for (unsigned n = 1;; n++) {
		v = 0;
		if (__atomic_compare_exchange_n(&s->__owner, &v, me, true, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 0;
		if (v == me)
			return EDEADLK;
		if (n % 64 == 0)
			SchedYield_r();
	}
}

int pthread_spin_unlock(pthread_spinlock_t *s)
{
	if (!s)
		return EINVAL;
	if (__atomic_load_n(&s->__owner, __ATOMIC_RELAXED) != __tid())
		return EPERM;
	__atomic_store_n(&s->__owner, 0, __ATOMIC_RELEASE);
	return 0;
}
