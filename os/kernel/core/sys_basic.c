/* The simplest kernel calls: the null call, debug output, process exit,
 * yield and clocks. */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/kobjects.h>
#include <keel/sigevent.h>
#include "arch.h"
#include "thread.h"
#include "kprintf.h"
#include "pmm.h"
#include "process.h"
#include "sched.h"
#include "sync.h"
#include "timer.h"
#include "uaccess.h"

#define DEBUG_STRING_MAX 256

long sys_KernelNop(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	return 0;
}

/* DebugPutString(const char *s, size_t len): prints len bytes (at most 256)
 * as one console write.  Returns the bytes printed or -EFAULT. */
long sys_DebugPutString(long s, long len, long a2, long a3, long a4, long a5)
{
	char buf[DEBUG_STRING_MAX + 1];

	(void)a2; (void)a3; (void)a4; (void)a5;
	if (len < 0)
		return -EINVAL;
	if (len > DEBUG_STRING_MAX)
		len = DEBUG_STRING_MAX;
	if (copy_from_user(buf, (uintptr_t)s, (size_t)len))
		return -EFAULT;
	buf[len] = 0;
	kprintf("%s", buf);
	return len;
}

long sys_ProcessExit(long status, long a1, long a2, long a3, long a4, long a5)
{
	(void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	process_exit((int)status);
}

long sys_SchedYield(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	sched_yield();
	return 0;
}

/* ClockTime(clockid_t id, const uint64_t *new, uint64_t *old): also the
 * CPU-time clocks (CLOCK_*_CPUTIME_ID and ClockId's), which are read only. */
long sys_ClockTime(long id, long unew, long uold, long a3, long a4, long a5)
{
	(void)a3; (void)a4; (void)a5;
	if (id < 0 || id > 0x7fffffff)
		return -EINVAL;
	int64_t now = clock_get((int)id);
	bool cpu = now < 0 && (now = cputime_get((int)id)) >= 0;
	if (now < 0)
		return -EINVAL;
	if (cpu && unew)
		return -EINVAL;                 /* CPU-time clocks are read only */
	if (uold && copy_to_user((uintptr_t)uold, &now, sizeof now))
		return -EFAULT;
	if (unew) {
		int64_t v;
		if (copy_from_user(&v, (uintptr_t)unew, sizeof v))
			return -EFAULT;
		if (clock_set((int)id, v))
			return -EINVAL;
	}
	return 0;
}

/* TimerTimeout(clockid, flags, notify, const uint64_t *ntime, uint64_t *otime):
 * the caller's next blocking call in one of the states named by flags ends
 * with ETIMEDOUT at ntime (relative ns, or absolute with TIMER_ABSTIME on
 * CLOCK_MONOTONIC).  notify must be NULL or SIGEV_UNBLOCK. */
long sys_TimerTimeout(long clockid, long flags, long notify, long untime, long uotime, long a5)
{
	struct thread *t = thread_current();
	uint64_t ns = 0, zero = 0;

	(void)a5;
	if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME)
		return -EINVAL;
	if (notify) {
		struct sigevent ev;
		if (copy_from_user(&ev, (uintptr_t)notify, sizeof ev))
			return -EFAULT;
		if (ev.sigev_notify != SIGEV_UNBLOCK)
			return -EINVAL;
	}
	if (uotime && copy_to_user((uintptr_t)uotime, &zero, sizeof zero))
		return -EFAULT;
	if (!untime) {
		t->tmo_states = 0;
		return 0;
	}
	if (copy_from_user(&ns, (uintptr_t)untime, sizeof ns))
		return -EFAULT;
	if ((flags & TIMER_ABSTIME) && clockid != CLOCK_MONOTONIC)
		return -EINVAL;
	uint64_t now = arch_time();
	t->tmo_deadline = (flags & TIMER_ABSTIME) ? ns_to_ticks(ns) : now + ns_to_ticks(ns);
	if (!t->tmo_deadline)
		t->tmo_deadline = 1;            /* 0 means "forever" to the wait queues */
	t->tmo_states = (uint32_t)flags & ~TIMER_ABSTIME;
	return 0;
}

/* KernelObjects(struct _kernel_objects *): see <keel/kobjects.h>. */
long sys_KernelObjects(long uout, long a1, long a2, long a3, long a4, long a5)
{
	struct _kernel_objects k = {
		.threads = threads_in_use(),
		.channels = ipc_channels_in_use(),
		.pulses = ipc_pulses_queued(),
		.sync_objects = sync_objects_in_use(),
		.free_pages = pmm_free_pages(),
	};

	(void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	return copy_to_user((uintptr_t)uout, &k, sizeof k) ? -EFAULT : 0;
}
