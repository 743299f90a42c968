/* The Sync* kernel calls on a user sync_t.  Objects are keyed by the
 * caller's address space and the user address, so two processes never meet
 * by accident. */
#include <keel/errno.h>
#include <keel/sync.h>
#include <keel/thread.h>
#include "kcall.h"
#include "process.h"
#include "sync.h"
#include "thread.h"
#include "uaccess.h"
#include "vmspace.h"
#include "waitq.h"

#define OWNER(s) ((uintptr_t)(s) + 4)   /* &sync_t.__owner */
#define COUNT(s) ((uintptr_t)(s))       /* &sync_t.__count */

static const void *space(void)
{
	return thread_current()->proc->vs;
}

/* An aligned user sync_t, writable now: the object operations store to it
 * with sync locks held, where a copy-on-write page cannot be copied. */
static bool sync_ok(long s)
{
	return !(s & 7) && user_range_ok((uintptr_t)s, sizeof(sync_t)) &&
	       vmspace_prepare_write((uintptr_t)s, sizeof(sync_t)) == 0;
}

long sys_SyncTypeCreate(long type, long s, long attr)
{
	sync_t v = { 0, 0 };

	if (!sync_ok(s))
		return -EFAULT;
	if (type == _NTO_SYNC_TYPE_SEM) {
		if (copy_from_user(&v.__count, (uintptr_t)s, sizeof v.__count))
			return -EFAULT;
		if (v.__count < 0 || (uint32_t)v.__count > _NTO_SYNC_COUNTMASK)
			return -EINVAL;
		v.__owner = _NTO_SYNC_SEM;
	} else if (type != _NTO_SYNC_TYPE_MUTEX && type != _NTO_SYNC_TYPE_COND) {
		return -EINVAL;
	}
	return copy_to_user((uintptr_t)s, &v, sizeof v);
}

long sys_SyncDestroy(long s)
{
	if (!sync_ok(s))
		return -EFAULT;
	int r = sync_destroy(space(), OWNER(s));
	int r2 = sync_destroy(space(), COUNT(s));
	return r == -EBUSY || r2 == -EBUSY ? -EBUSY : 0;
}

long sys_SyncMutexLock(long s)
{
	if (!sync_ok(s))
		return -EFAULT;
	return sync_umutex_lock(space(), OWNER(s), thread_current()->tid, kcall_deadline(STATE_MUTEX));
}

long sys_SyncMutexUnlock(long s)
{
	if (!sync_ok(s))
		return -EFAULT;
	return sync_umutex_unlock(space(), OWNER(s), thread_current()->tid);
}

long sys_SyncCondvarWait(long cv, long m)
{
	if (!sync_ok(cv) || !sync_ok(m))
		return -EFAULT;
	return sync_ucond_wait(space(), COUNT(cv), OWNER(m), thread_current()->tid,
			       kcall_deadline(STATE_CONDVAR));
}

long sys_SyncCondvarSignal(long cv, long all)
{
	if (!sync_ok(cv))
		return -EFAULT;
	return sync_condvar_signal(space(), COUNT(cv), all != 0);
}

long sys_SyncSemPost(long s)
{
	if (!sync_ok(s))
		return -EFAULT;
	return sync_usem_post(space(), COUNT(s));
}

long sys_SyncSemWait(long s, long tryget)
{
	if (!sync_ok(s))
		return -EFAULT;
	return sync_usem_wait(space(), COUNT(s), tryget != 0, kcall_deadline(STATE_SEM));
}
