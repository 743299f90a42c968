/* pthread_join and pthread_detach (POSIX.1-2017 pthread_join, pthread_detach):
 * the kernel's ThreadJoin guarantees the thread is off its stack before its
 * block is freed. */
#include <errno.h>
#include <stdlib.h>
#include "libc.h"

static void reap_one(struct __pthread *t)
{
	while (ThreadJoin_r((int)t->tid, NULL) == -EINTR)
		;
	__pthread_free_block(t->block, t->block_size);
}

int pthread_join(pthread_t t, void **value)
{
	if (!t || t->self != t)
		return ESRCH;
	if (t == __self())
		return EDEADLK;
	if (__atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == __T_DETACHED)
		return EINVAL;
	int r;
	while ((r = (int)__kcall_cp(KCALL_ThreadJoin, (int)t->tid, 0, 0, 0, 0, 0)) == -EINTR)
		;                       /* a cancellation point: the thread stays joinable */
	if (r < 0)
		return r == -EDEADLK ? EDEADLK : r == -EINVAL ? EINVAL : ESRCH;
	if (value)
		*value = t->result;
	t->self = NULL;
	__pthread_free_block(t->block, t->block_size);
	return 0;
}

int pthread_detach(pthread_t t)
{
	int32_t s = __T_JOINABLE;

	if (!t || t->self != t)
		return ESRCH;
	if (__atomic_compare_exchange_n(&t->state, &s, __T_DETACHED, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return 0;
	if (s != __T_EXITING)
		return EINVAL;                  /* already detached */
	reap_one(t);                            /* it ended joinable: ours to reap */
	return 0;
}
