/* SchedGet / SchedSet: policy and priority of a thread of the caller's
 * process (pid 0 or its own; tid 0 means the caller). */
#include <keel/errno.h>
#include <keel/sched.h>
#include "kcall.h"
#include "kstring.h"
#include "process.h"
#include "sched.h"
#include "sync.h"
#include "thread.h"
#include "uaccess.h"

static struct thread *target(long pid, long tid)
{
	struct thread *me = thread_current();

	if (pid && (uint32_t)pid != me->proc->pid)
		return 0;
	if (!tid)
		return me;
	struct thread *t = thread_lookup((uint32_t)tid);
	return t && t->proc == me->proc ? t : 0;
}

/* SchedGet(pid, tid, struct sched_param *): returns the policy. */
long sys_SchedGet(long pid, long tid, long uparam)
{
	struct thread *t = target(pid, tid);
	struct sched_param sp;

	if (!t)
		return -ESRCH;
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = t->base_prio;
	sp.sched_curpriority = t->prio;
	if (uparam && copy_to_user((uintptr_t)uparam, &sp, sizeof sp))
		return -EFAULT;
	return t->policy;
}

/* SchedSet(pid, tid, policy, const struct sched_param *). */
long sys_SchedSet(long pid, long tid, long policy, long uparam)
{
	struct thread *t = target(pid, tid);
	struct sched_param sp;

	if (!t)
		return -ESRCH;
	if (copy_from_user(&sp, (uintptr_t)uparam, sizeof sp))
		return -EFAULT;
	if (policy != SCHED_NOCHANGE && policy != SCHED_FIFO && policy != SCHED_RR &&
	    policy != SCHED_OTHER)
		return -EINVAL;
	if (sp.sched_priority < PRIO_MIN || sp.sched_priority > PRIO_MAX)
		return -EINVAL;
	/* Under the PI lock, t looked at again: it was looked up without a
	 * lock and may be another thread by now (then ESRCH, nothing set).  A
	 * thread holding mutexes may run boosted: never lowered below that. */
	uint32_t want = tid ? (uint32_t)tid : thread_current()->tid;
	if (!sync_set_base_prio(t, want, thread_current()->proc,
				policy != SCHED_NOCHANGE ? (int)policy : -1, (unsigned)sp.sched_priority))
		return -ESRCH;
	sched_preempt_if_needed();
	return 0;
}

long sys_SchedYield(void)
{
	sched_yield();
	return 0;
}
