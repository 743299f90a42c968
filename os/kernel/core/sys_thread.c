/* User threads: ThreadCreate, ThreadDestroy, ThreadJoin, ThreadDetach. */
#include <keel/errno.h>
#include <keel/thread.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "kcall.h"
#include "process.h"
#include "sched.h"
#include "sync.h"
#include "thread.h"
#include "uaccess.h"
#include "vm.h"
#include "vmspace.h"

#define UTHREAD_STACK   (64 * 1024ul)
#define UTHREAD_STACKS  0x0000003000000000ul    /* stacks the kernel makes */

struct uthread_start {
	uint64_t pc, sp, arg, ra, tp, gp;
};

static struct uthread_start starts[THREAD_MAX];

static void uthread_entry(void *arg)
{
	struct uthread_start *s = arg;

	arch_user_enter_thread(s->pc, s->sp, s->arg, s->ra, s->tp, s->gp);
}

/* A fresh 64 KiB stack in the process, above an unmapped page: its lowest
 * address in *low, 0 or -ENOMEM.  (Addresses are not used again: 64 GiB
 * of them are a million stacks.) */
static int new_stack(struct process *p, uint64_t *low)
{
	spin_lock(&p->lock);
	uint64_t base = UTHREAD_STACKS + p->stacks_made++ * (UTHREAD_STACK + PAGE_SIZE);
	spin_unlock(&p->lock);
	*low = base + PAGE_SIZE;
	return vmspace_alloc(p->vs, *low, UTHREAD_STACK, VM_R | VM_W) ? -ENOMEM : 0;
}

void uthread_stack_free(struct thread *t)
{
	if (t->proc && t->ustack)
		vmspace_unmap(t->proc->vs, t->ustack, UTHREAD_STACK);
	t->ustack = 0;
}

/* ThreadCreate(pid, func, arg, const struct _thread_attr *attr): returns
 * the new thread's id. */
long sys_ThreadCreate(long pid, long func, long arg, long uattr)
{
	struct process *p = thread_current()->proc;
	struct _thread_attr at = { 0 };
	uint64_t sp, low = 0;

	if (pid && (uint32_t)pid != p->pid)
		return -ESRCH;
	if (!func || !user_range_ok((uintptr_t)func, 4))
		return -EINVAL;
	if (uattr && copy_from_user(&at, (uintptr_t)uattr, sizeof at))
		return -EFAULT;
	unsigned prio = thread_current()->base_prio;
	if (at.flags & _NTO_TA_EXPLICIT_SCHED) {
		if (at.param.sched_priority < PRIO_MIN || at.param.sched_priority > PRIO_MAX)
			return -EINVAL;
		prio = (unsigned)at.param.sched_priority;
	}
	/* Every check before the stack is made: a refusal after it left the
	 * stack mapped, 64 KiB a call. */
	if (at.stackaddr) {
		sp = ((uint64_t)at.stackaddr + at.stacksize) & ~15ul;
		if (!user_range_ok((uintptr_t)at.stackaddr, at.stacksize) || at.stacksize < 256)
			return -EINVAL;
	} else if (new_stack(p, &low)) {
		return -ENOMEM;
	} else {
		sp = low + UTHREAD_STACK;
	}
	spin_lock(&p->lock);
	p->nthreads++;
	spin_unlock(&p->lock);
	struct thread *t = uthread_create_held(p, "uthread", uthread_entry, prio);
	if (!t) {
		process_thread_gone(p);
		if (low)
			vmspace_unmap(p->vs, low, UTHREAD_STACK);
		return -EAGAIN;
	}
	t->ustack = low;                /* unmapped when it ends (thread_exit) */
	/* Now that t is in the table: a process that began to end before this
	 * may not have seen it (thread_kill_process), so it never starts. */
	spin_lock(&p->lock);
	bool ending = p->exiting;
	spin_unlock(&p->lock);
	if (ending) {
		uthread_stack_free(t);
		thread_free(t);
		return -EAGAIN;
	}
	struct uthread_start *s = &starts[t->slot];
	*s = (struct uthread_start){ (uint64_t)func, sp, (uint64_t)arg, (uint64_t)at.exitfunc,
				     (uint64_t)at.tls, arch_user_gp() };
	t->arg = s;
	/* A user thread starts detached (thread_new); joinable if asked, unless
	 * the process began to end since `ending` was read: thread_kill_others
	 * then marked it killed and detached (under its join lock), and its
	 * end is its own to reap. */
	if (!(at.flags & _NTO_TA_DETACHED)) {
		spin_lock(&t->join_lock);
		if (!atomic_load32(&t->killed))
			t->detached = false;
		spin_unlock(&t->join_lock);
	}
	/* POSIX: a new thread starts with its creator's signal mask (read
	 * under the lock SignalProcmask changes it under). */
	spin_lock(&p->lock);
	t->sig_mask = thread_current()->sig_mask;
	spin_unlock(&p->lock);
	uint32_t tid = t->tid;
	thread_release(t);
	return (long)tid;
}

/* ThreadDestroy(tid, priority, status): end thread tid of the caller's
 * process (0: the caller; -1: every thread, which ends the process with
 * status).  Another thread ends at its next return to user mode, woken from
 * any wait; its joiner gets status.  It ends at `priority` at least (-1:
 * the caller's), so that a busy process does not starve its end.  Returns
 * 0 for another thread, -ESRCH for a thread not (or no longer) in the
 * process, -EINVAL for a bad priority; does not return for the caller. */
long sys_ThreadDestroy(long tid, long prio, long status)
{
	struct thread *me = thread_current();

	if (prio != -1 && (prio < PRIO_MIN || prio > PRIO_MAX))
		return -EINVAL;
	if (tid == -1)
		process_exit((int)status);
	if (tid == 0 || (uint32_t)tid == me->tid) {
		ipc_thread_death(me->proc, me->tid);
		thread_exit((void *)status);
	}
	struct thread *t = tid > 0 ? thread_lookup((uint32_t)tid) : 0;
	if (!t || t->proc != me->proc)
		return -ESRCH;
	if (!thread_kill(t, (uint32_t)tid, (void *)status))
		return -ESRCH;
	sync_raise_base_prio(t, (uint32_t)tid, prio == -1 ? me->prio : (unsigned)prio);
	return 0;
}

long sys_ThreadJoin(long tid, long ustatus)
{
	struct thread *t = thread_lookup((uint32_t)tid);
	void *v = 0;

	if (!t || t->proc != thread_current()->proc)
		return -ESRCH;
	int r = thread_join_until((uint32_t)tid, &v, kcall_deadline(STATE_JOIN));
	if (r)
		return r;
	if (ustatus && copy_to_user((uintptr_t)ustatus, &v, sizeof v))
		return -EFAULT;
	return 0;
}

long sys_ThreadDetach(long tid)
{
	struct thread *t = thread_lookup((uint32_t)tid);

	if (!t || t->proc != thread_current()->proc)
		return -ESRCH;
	return thread_detach((uint32_t)tid);
}

/* ThreadState(tid): see <keel/neutrino.h>.  A snapshot: the thread may
 * have moved on by the time the caller looks. */
long sys_ThreadState(long tid)
{
	struct thread *t = thread_lookup((uint32_t)tid);

	if (!t || t->proc != thread_current()->proc)
		return -ESRCH;
	return thread_user_state(t);
}

uint32_t thread_user_state(const struct thread *t)
{
	switch (atomic_load32(&t->state)) {
	case TS_RUNNING: return STATE_RUNNING;
	case TS_READY: return STATE_READY;
	case TS_BLOCKED: break;
	default: return STATE_DEAD;
	}
	uint32_t ipc = ipc_thread_state(t), call = t->call_state;
	bool msg_call = call == STATE_SEND || call == STATE_REPLY || call == STATE_RECEIVE;
	if (call && !msg_call)
		return call;            /* a sync or join wait: its own state */
	return ipc ? ipc : call ? call : STATE_WAITTHREAD;
}

/* ThreadCtl(cmd, data): the calling thread's run mask (<keel/thread.h>). */
long sys_ThreadCtl(long cmd, long data)
{
	struct thread *t = thread_current();
	uint64_t all = nharts >= 64 ? ~0ul : (1ul << nharts) - 1;
	uint64_t mask, old = t->runmask;

	if (cmd == _NTO_TCTL_RUNMASK) {
		mask = (uint64_t)data;
	} else if (cmd == _NTO_TCTL_RUNMASK_GET_AND_SET) {
		if (copy_from_user(&mask, (uintptr_t)data, sizeof mask) ||
		    copy_to_user((uintptr_t)data, &old, sizeof old))
			return -EFAULT;
		if (!mask)
			return 0;
	} else {
		return -EINVAL;
	}
	if (!(mask & all))
		return -EINVAL;
	sched_set_runmask(mask & all);
	return 0;
}
