/* Mutexes on a sync_t owner word: the uncontended lock and unlock are one
 * compare-and-swap in user space; the kernel is entered only to wait or to
 * hand the mutex to a waiter (<keel/sync.h>). */
#include <keel/sync.h>
#include "urt.h"

uint32_t urt_tid(void)
{
	struct _client_info ci;

	return ConnectClientInfo_r(-1, &ci, 0) == 0 ? (uint32_t)ci.tid : 0;
}

void urt_mutex_lock(sync_t *m, uint32_t me)
{
	uint32_t free = _NTO_SYNC_MUTEX_FREE;

	if (!__atomic_compare_exchange_n(&m->__owner, &free, me, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		SyncMutexLock_r(m);
}

void urt_mutex_unlock(sync_t *m, uint32_t me)
{
	uint32_t mine = me;

	if (!__atomic_compare_exchange_n(&m->__owner, &mine, _NTO_SYNC_MUTEX_FREE, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		SyncMutexUnlock_r(m);           /* waiters: the kernel hands it over */
}
