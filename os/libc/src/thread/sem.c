/* Unnamed semaphores (POSIX.1-2017 sem_*) on the kernel's semaphore word:
 * __count is the value.  A wait that finds it positive takes a unit with a
 * compare-and-swap; an empty one blocks in SyncSemWait, where a post hands
 * its unit straight to a waiter.  Named semaphores need memory shared
 * between processes (taskman's shm): ENOSYS until then. */
#include <errno.h>
#include <semaphore.h>
#include "libc.h"

static int fail(int e)
{
	errno = e;
	return -1;
}

int sem_init(sem_t *s, int pshared, unsigned value)
{
	if (!__uptr_ok(s, sizeof *s))
		return fail(EINVAL);
	if (value > SEM_VALUE_MAX)
		return fail(EINVAL);
	if (pshared)
		return fail(ENOSYS);
	s->__count = (int32_t)value;
	__atomic_store_n(&s->__owner, _NTO_SYNC_SEM, __ATOMIC_RELEASE);
	return 0;
}

int sem_destroy(sem_t *s)
{
	if (!__uptr_ok(s, sizeof *s) || s->__owner != _NTO_SYNC_SEM)
		return fail(EINVAL);
	if (SyncDestroy_r(s) == -EBUSY)
		return fail(EBUSY);
	s->__owner = 0;
	return 0;
}

static bool take(sem_t *s)
{
	int32_t v = __atomic_load_n(&s->__count, __ATOMIC_RELAXED);

	while (v > 0)
		if (__atomic_compare_exchange_n(&s->__count, &v, v - 1, true, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return true;
	return false;
}

static int wait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
	if (!__uptr_ok(s, sizeof *s) || s->__owner != _NTO_SYNC_SEM)
		return fail(EINVAL);
	for (;;) {
		if (take(s))
			return 0;
		if (abstime) {
			int r = __timeout_abs(clock, _NTO_TIMEOUT_SEM, abstime);
			if (r)
				return fail(-r);
		}
		int r = (int)__kcall_cp(KCALL_SyncSemWait, (long)s, 0, 0, 0, 0, 0);
		if (r == 0)
			return 0;
		if (r != -EAGAIN)
			return fail(r == -EFAULT ? EINVAL : -r);    /* EINTR, ETIMEDOUT */
	}
}

int sem_wait(sem_t *s)
{
	return wait(s, CLOCK_REALTIME, NULL);
}

int sem_timedwait(sem_t *s, const struct timespec *abstime)
{
	return wait(s, CLOCK_REALTIME, abstime ? abstime : (const struct timespec *)1);
}

int sem_clockwait(sem_t *s, clockid_t clock, const struct timespec *abstime)
{
	return wait(s, clock, abstime ? abstime : (const struct timespec *)1);
}

int sem_trywait(sem_t *s)
{
	if (!__uptr_ok(s, sizeof *s) || s->__owner != _NTO_SYNC_SEM)
		return fail(EINVAL);
	return take(s) ? 0 : fail(EAGAIN);
}

int sem_post(sem_t *s)
{
	if (!__uptr_ok(s, sizeof *s) || s->__owner != _NTO_SYNC_SEM)
		return fail(EINVAL);
	if (__atomic_load_n(&s->__count, __ATOMIC_RELAXED) >= SEM_VALUE_MAX)
		return fail(EOVERFLOW);
	int r = SyncSemPost_r(s);
	return r == 0 ? 0 : fail(r == -EINVAL ? EOVERFLOW : EINVAL);
}

int sem_getvalue(sem_t *s, int *value)
{
	if (!__uptr_ok(s, sizeof *s) || s->__owner != _NTO_SYNC_SEM)
		return fail(EINVAL);
	*value = __atomic_load_n(&s->__count, __ATOMIC_RELAXED);
	return 0;
}

sem_t *sem_open(const char *name, int oflag, ...)
{
	(void)name;
	(void)oflag;
	errno = ENOSYS;
	return SEM_FAILED;
}

int sem_close(sem_t *s)
{
	(void)s;
	return fail(ENOSYS);
}

int sem_unlink(const char *name)
{
	(void)name;
	return fail(ENOSYS);
}
