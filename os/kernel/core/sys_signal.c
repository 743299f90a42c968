/* The Signal* kernel calls (<keel/signal.h>): decode and check, then the
 * signal object operations of signal.c.  Sets are 64-bit (signal n is bit
 * n - 1); SIGKILL and SIGSTOP are never blocked, caught or ignored. */
#include <keel/errno.h>
#include <keel/kcall.h>
#include <keel/signal.h>
#include <keel/thread.h>
#include "atomic.h"
#include "bitops.h"
#include "kcall.h"
#include "kstring.h"
#include "process.h"
#include "sched.h"
#include "sig.h"
#include "thread.h"
#include "uaccess.h"
#include "waitq.h"

#define SIG_ALL (~0ul)

static struct process *self(void)
{
	return thread_current()->proc;
}

static bool signo_ok(long signo)
{
	return signo >= _SIGMIN && signo <= _SIGMAX;
}

static uint64_t set_bits(const sigset_t *s)
{
	return (uint64_t)s->__bits[0] | (uint64_t)s->__bits[1] << 32;
}

static sigset_t set_of(uint64_t bits)
{
	return (sigset_t){ { (uint32_t)bits, (uint32_t)(bits >> 32) } };
}

static int copy_set_in(long uset, uint64_t *bits)
{
	sigset_t s;

	if (copy_from_user(&s, (uintptr_t)uset, sizeof s))
		return -EFAULT;
	*bits = set_bits(&s);
	return 0;
}

static int copy_set_out(long uset, uint64_t bits)
{
	sigset_t s = set_of(bits);

	return copy_to_user((uintptr_t)uset, &s, sizeof s) ? -EFAULT : 0;
}

/* The process pid names for a caller that may act on it (0: the caller). */
static struct process *target(long pid)
{
	if (pid == 0)
		return self();
	if (pid < 0 || pid > INT32_MAX)
		return 0;
	return process_by_pid((uint32_t)pid);
}

/* The thread tid of p (0: the caller, which must be p's), or NULL. */
static struct thread *thread_of(struct process *p, long tid)
{
	struct thread *me = thread_current();

	if (tid == 0)
		return me->proc == p ? me : 0;
	struct thread *t = tid > 0 && tid <= UINT32_MAX ? thread_lookup((uint32_t)tid) : 0;
	return t && t->proc == p ? t : 0;
}

/* POSIX kill permission: the process manager, root, or a real or
 * effective uid of the sender equal to the real or saved uid of the
 * receiver.  a: the sender's credentials (the caller's own, read before);
 * to->lock held, to checked to be the process the caller named. */
static bool may_signal_locked(struct process *from, const struct _cred_info *a,
			      struct process *to)
{
	if (from == to || (from->privs & KCALL_PRIV_PROCMGR))
		return true;
	const struct _cred_info *b = &to->cred;
	return a->euid == 0 || a->ruid == b->ruid || a->ruid == b->suid || a->euid == b->ruid ||
	       a->euid == b->suid;
}

static struct _cred_info my_cred(void)
{
	struct process *me = self();

	spin_lock(&me->lock);
	struct _cred_info a = me->cred;
	spin_unlock(&me->lock);
	return a;
}

/* SignalKill to every process of group pgid: 0 if it reached one, -EPERM
 * if it found only ones the caller may not signal, -ESRCH if none. */
static long kill_group(int32_t pgid, const siginfo_t *info)
{
	struct process *me = self();
	struct _cred_info a = my_cred();
	long r = -ESRCH;

	for (int i = 0; i < process_slots(); i++) {
		struct process *p = process_at(i);
		if (!p)
			continue;
		/* Membership, permission and the pid to post to in one hold:
		 * the slot may have gone to another process since process_at
		 * looked, and sig_post refuses a p that is not pid any more. */
		spin_lock(&p->lock);
		uint32_t pid = p->pid;
		bool member = pid && !p->ended && p->pgid == pgid && !p->exiting;
		bool may = member && may_signal_locked(me, &a, p);
		spin_unlock(&p->lock);
		if (!member)
			continue;
		if (!may) {
			if (r == -ESRCH)
				r = -EPERM;
			continue;
		}
		r = 0;
		if (info->si_signo)
			sig_post(p, pid, 0, info);
	}
	return r;
}

/* SignalKill(pid, tid, signo, code, value): signo 0 only checks. */
long sys_SignalKill(long pid, long tid, long signo, long code, long value)
{
	struct thread *caller = thread_current();
	struct process *me = caller->proc;

	if (signo != 0 && !signo_ok(signo))
		return -EINVAL;
	if (code > 0 && !(me->privs & KCALL_PRIV_PROCMGR))
		return -EINVAL;                 /* only the kernel and taskman say why */
	/* One word of the credentials: a racing setuid gives the old or the new uid. */
	uint32_t ruid = atomic_load32(&me->cred.ruid);
	siginfo_t info = { .si_signo = (int32_t)signo, .si_code = (int32_t)code,
			   .si_pid = (int32_t)me->pid, .si_uid = (int32_t)ruid };
	info.si_value.sival_ptr = (void *)value;
	if (signo == SIGCHLD && code > 0) {
		/* taskman's report of a child: value is its pid, and its
		 * status (exit code or signal) in the upper half. */
		info.si_pid = (int32_t)(value & 0xffffffff);
		info.si_status = (int32_t)((uint64_t)value >> 32);
	}
	if (pid < 0) {
		if (pid < -INT32_MAX || tid)
			return -EINVAL;
		long r = kill_group((int32_t)-pid, &info);
		sched_preempt_if_needed();
		return r;
	}
	/* To itself (raise; kill(getpid()) from a single-threaded process,
	 * whose one thread is the only one to take it): no lookups, and the
	 * calling thread takes it now when it can.  A process signal in a
	 * threaded process goes the general way (thread_sig_notify's choice). */
	bool own_proc = pid == 0 || pid == (long)me->pid;
	bool own = own_proc && (tid == (long)caller->tid ||
				(tid == 0 && *(volatile uint32_t *)&me->nthreads == 1));
	struct process *p = own_proc ? me : target(pid);
	uint32_t to = own_proc ? me->pid : (uint32_t)pid;
	if (!p)
		return -ESRCH;
	struct thread *t = own && tid ? caller : tid ? thread_of(p, tid) : 0;
	if (tid && !t)
		return -ESRCH;
	/* The permission (none needed for itself) is checked on p still
	 * being process `to`: its slot may have gone to another process since
	 * the lookup.  The post takes locks that rank before p's, so it is
	 * made in a hold of its own, which checks the pid again: pids are
	 * never reused, so both holds are about the one process, or the post
	 * finds it gone. */
	if (!own_proc) {
		struct _cred_info a = my_cred();
		if (!process_lock_live(p, to))
			return -ESRCH;
		bool may = may_signal_locked(me, &a, p);
		spin_unlock(&p->lock);
		if (!may)
			return -EPERM;
	}
	if (own && signo) {
		long r = sig_raise_now(caller, caller->uframe, &info, 0);
		if (r != SIG_RAISE_LATER)
			return r;
	}
	long r = signo ? sig_post(p, to, t, &info) : 0;
	sched_preempt_if_needed();
	return r;
}

/* SignalAction(pid, sigstub, signo, act, oact): pid other than the
 * caller's only for the process manager. */
long sys_SignalAction(long pid, long stub, long signo, long uact, long uoact)
{
	struct process *me = self(), *p = target(pid);
	struct sigaction sa, old;

	if (!signo_ok(signo))
		return -EINVAL;
	if (!p)
		return -ESRCH;
	if (p != me && !(me->privs & KCALL_PRIV_PROCMGR))
		return -EPERM;
	if (uact && copy_from_user(&sa, (uintptr_t)uact, sizeof sa))
		return -EFAULT;
	bool dfl = uact && sa.sa_handler == SIG_DFL;
	if (uact && !dfl && (signo == SIGKILL || signo == SIGSTOP))
		return -EINVAL;
	if (stub && !user_range_ok((uintptr_t)stub, 4))
		return -EFAULT;
	if (!process_lock_live(p, pid ? (uint32_t)pid : me->pid))
		return -ESRCH;                  /* ended meanwhile: its slot may be another's */
	struct sig_action *a = &p->sig_act[signo - 1];
	memset(&old, 0, sizeof old);
	old.sa_handler = (void (*)(int))(uintptr_t)a->handler;
	old.sa_flags = a->flags;
	old.sa_mask = set_of(a->mask);
	if (uact) {
		*a = (struct sig_action){ (uint64_t)(uintptr_t)sa.sa_handler,
					  set_bits(&sa.sa_mask) & ~SIG_CANTMASK, sa.sa_flags };
		if (sa.sa_handler == SIG_IGN)   /* POSIX: a pending one goes */
			sig_discard(p, 0, (int)signo);
	}
	if (stub)
		p->sigstub = (uint64_t)stub;
	uint32_t pid_of_p = p->pid;
	spin_unlock(&p->lock);
	/* ... its threads' too (the thread table's lock ranks before p's);
	 * one posted meanwhile was refused as ignored. */
	if (uact && sa.sa_handler == SIG_IGN)
		thread_sig_discard(p, pid_of_p, (int)signo);
	if (uoact && copy_to_user((uintptr_t)uoact, &old, sizeof old))
		return -EFAULT;
	return 0;
}

/* SignalProcmask(pid, tid, how, set, oldset). */
long sys_SignalProcmask(long pid, long tid, long how, long uset, long uold)
{
	struct process *me = self(), *p = target(pid);
	uint64_t bits = 0, old;

	if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK && how != SIG_PENDING)
		return -EINVAL;
	if (how != SIG_PENDING && uset && copy_set_in(uset, &bits))
		return -EFAULT;
	if (!p)
		return -ESRCH;
	if (p != me && !(me->privs & KCALL_PRIV_PROCMGR))
		return -EPERM;
	struct thread *t = thread_of(p, tid);
	if (!t)
		return -ESRCH;
	uint32_t tid_now = t->tid;
	if (!process_lock_live(p, pid ? (uint32_t)pid : me->pid))
		return -ESRCH;                  /* ended meanwhile: its slot may be another's */
	if (t->tid != tid_now || t->proc != p || t->cpu_counted) {   /* ended meanwhile */
		spin_unlock(&p->lock);
		return -ESRCH;
	}
	if (how == SIG_PENDING) {
		old = t->sig_pending | p->sig_pending;
	} else {
		old = t->sig_mask;
		if (uset)
			t->sig_mask = (how == SIG_BLOCK ? old | bits : how == SIG_UNBLOCK ?
				       old & ~bits : bits) & ~SIG_CANTMASK;
	}
	bool ready = (t->sig_pending | p->sig_pending) & ~t->sig_mask;
	spin_unlock(&p->lock);
	if (ready)
		atomic_store32(&t->sig_wake, 1);        /* delivered on its way out */
	if (uold && copy_set_out(uold, old))
		return -EFAULT;
	return 0;
}

/* Wait on p's signal queue until something is pending for the caller:
 * in `want` (taken into *info, returns its number) or deliverable (returns
 * -EINTR, delivered on the way out).  deadline: TimerTimeout's. */
static long sig_wait(struct process *p, struct thread *t, uint64_t want, siginfo_t *info,
		     uint64_t deadline)
{
	for (;;) {
		spin_lock(&p->lock);
		uint64_t hit = (t->sig_pending | p->sig_pending) & want;
		if (hit) {
			int signo = bit_lowest(hit) + 1;
			sig_take(p, t, signo, info);
			t->sig_waitset = 0;
			spin_unlock(&p->lock);
			return signo;
		}
		if (((t->sig_pending | p->sig_pending) & ~t->sig_mask) || p->stopped ||
		    atomic_load32(&t->killed)) {    /* delivered, stopped or ended on the way out */
			t->sig_waitset = 0;
			spin_unlock(&p->lock);
			return -EINTR;
		}
		t->sig_waitset = want;
		atomic_store32(&t->sig_wake, 0);        /* nothing for us yet: sleep */
		long r = waitq_block(&p->sig_wq, &p->lock, deadline);
		if (r == -ETIMEDOUT) {
			spin_lock(&p->lock);
			t->sig_waitset = 0;
			spin_unlock(&p->lock);
			return -EAGAIN;         /* QNX: a timed-out wait is EAGAIN */
		}
	}
}

/* SignalSuspend(set): wait with set as the mask; always -EINTR (after a
 * handler, the mask is back to what it was). */
long sys_SignalSuspend(long uset)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	uint64_t bits;

	if (copy_set_in(uset, &bits))
		return -EFAULT;
	spin_lock(&p->lock);
	if (!t->sig_saved) {
		t->sig_saved_mask = t->sig_mask;
		t->sig_saved = true;
	}
	t->sig_mask = bits & ~SIG_CANTMASK;
	spin_unlock(&p->lock);
	siginfo_t info;
	sig_wait(p, t, 0, &info, kcall_deadline(STATE_SIGSUSPEND));
	atomic_store32(&t->sig_wake, 1);                /* the way out restores the mask */
	return -EINTR;
}

/* SignalWaitinfo(set, info) -> the signal taken. */
long sys_SignalWaitinfo(long uset, long uinfo)
{
	struct thread *t = thread_current();
	uint64_t bits;
	siginfo_t info;

	if (copy_set_in(uset, &bits))
		return -EFAULT;
	bits &= ~SIG_CANTMASK;
	if (!bits)
		return -EINVAL;
	long r = sig_wait(t->proc, t, bits, &info, kcall_deadline(STATE_SIGWAITINFO));
	if (r > 0 && uinfo && copy_to_user((uintptr_t)uinfo, &info, sizeof info))
		return -EFAULT;
	return r;
}

/* SignalReturn(frame): the registers, FP state and mask from the frame
 * that delivery pushed (the program may have changed them: only what it
 * could set itself is taken). */
long sys_SignalReturn(long uframe)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	struct _sigframe fr;

	if (sigframe_copy_in(&fr, (uint64_t)uframe, t->uframe))
		return -EFAULT;
	spin_lock(&p->lock);
	t->sig_mask = set_bits(&fr.mask) & ~SIG_CANTMASK;
	if ((t->sig_pending | p->sig_pending) & ~t->sig_mask)
		atomic_store32(&t->sig_wake, 1);
	spin_unlock(&p->lock);
	/* The timeout the handler came before (see push_frame), if any; the
	 * program could only change its own next call's timeout with it. */
	t->tmo_states = 0;
	if ((fr.__kernel[1] & SIGFRAME_TMO) && fr.__kernel[0]) {
		t->tmo_deadline = fr.__kernel[0];
		t->tmo_states = (uint32_t)fr.__kernel[1];
	}
	return (long)arch_sig_restore(t->uframe, &fr.ctx);
}
