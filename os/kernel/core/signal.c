/* Signals: generation, delivery and the default actions (see sig.h). */
#include <keel/errno.h>
#include <keel/thread.h>
#include <keel/kcall.h>
#include <keel/sigevent.h>
#include "arch.h"
#include "atomic.h"
#include "bitops.h"
#include "hart.h"
#include "kstring.h"
#include "list.h"
#include "process.h"
#include "sched.h"
#include "sig.h"
#include "smp.h"
#include "spinlock.h"
#include "thread.h"
#include "uaccess.h"
#include "waitq.h"

#define KSIG_POOL 4096

struct ksig {
	struct list link;
	siginfo_t info;
};

static struct ksig pool[KSIG_POOL];
static struct list free_ksigs;                  /* guarded by pool_lock */
static struct spinlock pool_lock = SPINLOCK_INIT("sigpool", LR_SIGPOOL);
static volatile uint32_t pool_ready;

enum sig_default { SD_TERM, SD_IGNORE, SD_STOP, SD_CONT };

static enum sig_default default_action(int signo)
{
	switch (signo) {
	case SIGCHLD: case SIGURG: case SIGWINCH: case SIGPWR:
		return SD_IGNORE;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return SD_STOP;
	case SIGCONT:
		return SD_CONT;
	default:
		return SD_TERM;
	}
}

#define SIG_STOPS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

/* True if the action is a handler (neither SIG_DFL nor SIG_IGN). */
static bool has_handler(const struct sig_action *a)
{
	return a->handler != (uint64_t)(uintptr_t)SIG_DFL &&
	       a->handler != (uint64_t)(uintptr_t)SIG_IGN;
}

/* Ignored for p now: discarded when generated.  p->lock held. */
static bool ignored(const struct process *p, int signo)
{
	uint64_t h = p->sig_act[signo - 1].handler;

	return signo != SIGKILL && signo != SIGSTOP && h == (uint64_t)(uintptr_t)SIG_IGN;
}

/* Discarded when generated: its action is the default and that is to
 * ignore it (or SIGCONT's, to continue, done as it is generated), and a
 * thread that would take it does not block it (a blocked one stays pending
 * for SignalWaitinfo or a later handler).  open: that thread exists.
 * p->lock held. */
/* Nothing left to do when generated: ignore, or SIGCONT's continue. */
static bool default_done(int signo)
{
	return default_action(signo) == SD_IGNORE || default_action(signo) == SD_CONT;
}

static bool ignored_by_default(const struct process *p, int signo, bool open)
{
	return open && p->sig_act[signo - 1].handler == (uint64_t)(uintptr_t)SIG_DFL &&
	       default_done(signo);
}

/* Would wake a thread: a handler, or a default action other than ignore. */
static bool wakes(const struct process *p, int signo)
{
	uint64_t h = p->sig_act[signo - 1].handler;

	if (h == (uint64_t)(uintptr_t)SIG_IGN)
		return false;
	/* SIGCONT's default action is all done when it is generated (the
	 * process continues): a late notice would only break the wait of a
	 * call made since, and a server would see its message sent twice. */
	return h != (uint64_t)(uintptr_t)SIG_DFL || !default_done(signo);
}

static void pool_init(void)
{
	spin_lock(&pool_lock);
	if (!pool_ready) {
		list_init(&free_ksigs);
		for (int i = 0; i < KSIG_POOL; i++)
			list_add_tail(&free_ksigs, &pool[i].link);
		atomic_store32(&pool_ready, 1);
	}
	spin_unlock(&pool_lock);
}

static struct ksig *ksig_get(void)
{
	struct ksig *k = 0;

	if (!atomic_load32(&pool_ready))
		pool_init();
	spin_lock(&pool_lock);
	if (!list_empty(&free_ksigs)) {
		k = list_entry(free_ksigs.next, struct ksig, link);
		list_del(&k->link);
	}
	spin_unlock(&pool_lock);
	return k;
}

static void ksig_put(struct ksig *k)
{
	spin_lock(&pool_lock);
	list_add_tail(&free_ksigs, &k->link);
	spin_unlock(&pool_lock);
}

void sig_process_init(struct process *p)
{
	memset(p->sig_act, 0, sizeof p->sig_act);
	p->sigstub = 0;
	p->sig_pending = 0;
	list_init(&p->sig_q);
	waitq_init(&p->sig_wq);
	waitq_init(&p->stop_wq);
	p->stopped = false;
	atomic_store32(&p->report_stop, 0);
	atomic_store32(&p->report_cont, 0);
}

void sig_thread_init(struct thread *t)
{
	list_init(&t->sig_q);
}

/* Drop every record of signo from q (pending bit cleared by the caller).
 * Caller holds the process lock. */
static void drop_records(struct list *q, int signo)
{
	for (struct list *n = q->next; n != q; ) {
		struct ksig *k = list_entry(n, struct ksig, link);
		n = n->next;
		if (signo == 0 || k->info.si_signo == signo) {
			list_del(&k->link);
			ksig_put(k);
		}
	}
}

void sig_take(struct process *p, struct thread *t, int signo, siginfo_t *info);

/* Take signo's information from q (or make it up). */
static void take_record(struct list *q, int signo, siginfo_t *info)
{
	list_for_each(n, q) {
		struct ksig *k = list_entry(n, struct ksig, link);
		if (k->info.si_signo == signo) {
			*info = k->info;
			list_del(&k->link);
			ksig_put(k);
			return;
		}
	}
	memset(info, 0, sizeof *info);
	info->si_signo = signo;
	info->si_code = SI_KERNEL;
}

/* Mark info pending in *pending / q unless it is already (POSIX signals
 * do not queue).  Process lock held. */
static void mark(uint64_t *pending, struct list *q, const siginfo_t *info)
{
	uint64_t bit = SIGBIT(info->si_signo);

	if (*pending & bit)
		return;
	*pending |= bit;
	struct ksig *k = ksig_get();
	if (k) {
		k->info = *info;
		list_add_tail(q, &k->link);
	}
}

/* Continue or stop: what generation itself does for SIGCONT and the stop
 * signals.  Process lock held; true if p's parent should hear of it. */
static bool generate_side_effects(struct process *p, int signo)
{
	if (signo == SIGCONT) {
		p->sig_pending &= ~SIG_STOPS;
		if (!p->stopped)
			return false;
		p->stopped = false;
		atomic_store32(&p->report_stop, 0);
		atomic_store32(&p->report_cont, 1);
		waitq_wake_all(&p->stop_wq, 0);
		return true;
	}
	if (SIGBIT(signo) & SIG_STOPS)
		p->sig_pending &= ~SIGBIT(SIGCONT);
	return false;
}

static void tell_parent(struct process *p)
{
	struct process *parent = p->parent;

	if (!parent)
		return;
	spin_lock(&parent->lock);
	waitq_wake_all(&parent->children_wq, 0);
	spin_unlock(&parent->lock);
}

/* The first process (taskman) takes only the signals it catches: no
 * other process can end or stop the system's process manager. */
static bool shielded(const struct process *p, int signo)
{
	return (p->flags & PROC_INIT) && (signo == SIGKILL || signo == SIGSTOP ||
					  !has_handler(&p->sig_act[signo - 1]));
}

int sig_post(struct process *p, uint32_t pid, struct thread *t, const siginfo_t *info)
{
	int signo = info->si_signo;

	/* (p->flags may be a newcomer's in p's slot: process_kill checks pid.) */
	if (signo == SIGKILL && !(p->flags & PROC_INIT))
		return process_kill(p, pid, SIGKILL, info->si_code);
	uint32_t tid = t ? t->tid : 0;
	/* A hint read before the lock (it takes the thread table's, which
	 * ranks before p's); if p passes the pid check below it was pid all
	 * along, pids being never reused. */
	bool open = t ? !(*(volatile uint64_t *)&t->sig_mask & SIGBIT(signo)) :
			thread_sig_open(p, SIGBIT(signo));
	/* p was looked up without a lock: it may have ended since, and its
	 * slot may hold another process by now. */
	if (!process_lock_live(p, pid))
		return -ESRCH;
	/* t too: it may have ended since, its slot
	 * freed (cpu_counted is set under this lock first) or another
	 * process's thread by now, whose queue this lock does not guard. */
	bool gone = t && (t->tid != tid || t->proc != p || t->cpu_counted);
	if (p->exiting || gone || shielded(p, signo)) {
		spin_unlock(&p->lock);
		return 0;
	}
	bool parent = generate_side_effects(p, signo);
	bool wake = wakes(p, signo);
	if (!ignored(p, signo) && !ignored_by_default(p, signo, open)) {
		if (t)
			mark(&t->sig_pending, &t->sig_q, info);
		else
			mark(&p->sig_pending, &p->sig_q, info);
	}
	spin_unlock(&p->lock);
	if (parent)
		tell_parent(p);         /* (p's slot reused: a spurious wake, harmless) */
	thread_sig_notify(p, pid, t, SIGBIT(signo), wake);
	return 0;
}

void sig_inherit_ignored(struct process *p, uint32_t pid, uint64_t except)
{
	struct process *from = process_by_pid(pid);
	uint64_t ign = 0;

	if (!from || from == p || !process_lock_live(from, pid))
		return;
	for (int i = 0; i < 64; i++)
		if (from->sig_act[i].handler == (uint64_t)(uintptr_t)SIG_IGN)
			ign |= 1ull << i;
	spin_unlock(&from->lock);
	ign &= ~except & ~SIG_CANTMASK;
	spin_lock(&p->lock);
	for (int i = 0; i < 64; i++)
		if (ign & (1ull << i))
			p->sig_act[i] = (struct sig_action){ (uint64_t)(uintptr_t)SIG_IGN, 0, 0 };
	spin_unlock(&p->lock);
}

void sig_exec(struct process *p)
{
	spin_lock(&p->lock);
	for (int i = 0; i < 64; i++)
		if (p->sig_act[i].handler != (uint64_t)(uintptr_t)SIG_IGN)
			p->sig_act[i] = (struct sig_action){ 0, 0, 0 };
	p->sigstub = 0;
	spin_unlock(&p->lock);
}

void sig_thread_gone(struct thread *t)
{
	struct process *p = t->proc;

	spin_lock(&p->lock);
	t->sig_pending = 0;
	drop_records(&t->sig_q, 0);
	spin_unlock(&p->lock);
}

void sig_discard(struct process *p, struct thread *t, int signo)
{
	if (t) {
		t->sig_pending &= ~SIGBIT(signo);
		drop_records(&t->sig_q, signo);
	} else {
		p->sig_pending &= ~SIGBIT(signo);
		drop_records(&p->sig_q, signo);
	}
}

void sig_process_gone(struct process *p)
{
	spin_lock(&p->lock);
	p->sig_pending = 0;
	drop_records(&p->sig_q, 0);
	spin_unlock(&p->lock);
}

void sig_take(struct process *p, struct thread *t, int signo, siginfo_t *info)
{
	uint64_t bit = SIGBIT(signo);

	if (t->sig_pending & bit) {
		t->sig_pending &= ~bit;
		take_record(&t->sig_q, signo, info);
	} else {
		p->sig_pending &= ~bit;
		take_record(&p->sig_q, signo, info);
	}
}

bool sig_event_ok(const struct sigevent *ev)
{
	bool sig = ev->sigev_notify == SIGEV_SIGNAL || ev->sigev_notify == SIGEV_SIGNAL_CODE ||
		   ev->sigev_notify == SIGEV_SIGNAL_THREAD;

	return sig && ev->sigev_signo >= _SIGMIN && ev->sigev_signo <= _SIGMAX &&
	       (ev->sigev_notify == SIGEV_SIGNAL || ev->sigev_code <= 0);
}

void sig_event(struct process *p, uint32_t pid, struct thread *t, const struct sigevent *ev,
	       int code)
{
	siginfo_t info = { .si_signo = ev->sigev_signo,
			   .si_code = ev->sigev_notify == SIGEV_SIGNAL ? code : ev->sigev_code,
			   .si_value = ev->sigev_value };
	bool thread = ev->sigev_notify == SIGEV_SIGNAL_THREAD;

	if (thread && (!t || t->proc != p))
		return;
	sig_post(p, pid, thread ? t : 0, &info);
}

/* ---- delivery --------------------------------------------------------------------- */

/* Never started again after a handler, SA_RESTART or not: the waits POSIX
 * has end with EINTR whenever a handler runs (sigsuspend; nanosleep and
 * sem_wait on SyncSemWait; poll and select on MsgReceivePulsev). */
static bool never_restarts(uint32_t call)
{
	return call == KCALL_SignalSuspend + 1 || call == KCALL_SyncSemWait + 1 ||
	       call == KCALL_MsgReceivePulsev + 1;
}

/* Always started again after a handler (POSIX forbids EINTR for them;
 * SyncSemPost breaks off only for a count word another thread keeps
 * moving: sync.c SEM_CAS_TRIES). */
static bool always_restarts(uint32_t call)
{
	return call == KCALL_SyncMutexLock + 1 || call == KCALL_ThreadJoin + 1 ||
	       call == KCALL_SyncSemPost + 1;
}

/* Stop here while p is stopped (told to end: go on, to die).  Process lock
 * held on entry and exit. */
static void wait_while_stopped(struct process *p, struct thread *t)
{
	uint32_t was = t->call_state;

	while (p->stopped && !atomic_load32(&t->killed)) {
		t->call_state = STATE_STOPPED;  /* what ThreadState and SysInfo report */
		atomic_store32(&t->sig_nointr, 1);
		waitq_block(&p->stop_wq, &p->lock, WAIT_FOREVER);
		atomic_store32(&t->sig_nointr, 0);
		spin_lock(&p->lock);
	}
	t->call_state = was;
}

/* Mark p stopped by signo, taken from the pending set under this same
 * hold of the process lock: a SIGCONT generated before the take discarded
 * the stop signal, and one generated after it finds p stopped and
 * continues it, so a continue never comes before a stop it should undo.
 * True if p was not stopped yet: the caller then tells p's threads and
 * its parent (stop_announce) once the lock is dropped. */
static bool stop_locked(struct process *p, int signo)
{
	if (p->stopped || p->exiting)
		return false;
	p->stopped = true;
	atomic_store32(&p->report_stop, (uint32_t)signo);
	atomic_store32(&p->report_cont, 0);
	return true;
}

static void stop_announce(struct process *p)
{
	thread_sig_notify(p, p->pid, 0, 0, true);  /* every thread comes to stop (p: the caller's) */
	tell_parent(p);
}

/* A frame to the user stack at sp, in pieces: the header up to the
 * general registers, those straight from the trap frame f, and the FP
 * part only when the thread has FP in use (fp_used says so: otherwise
 * those 264 bytes of the stack stay as they were).  Nothing of the
 * kernel's stack goes out that the frame did not set. */
#define SIGFRAME_X      offsetof(struct _sigframe, ctx.x)
#define SIGFRAME_FP     offsetof(struct _sigframe, ctx.fcsr)

static int sigframe_copy_out(uint64_t sp, const struct _sigframe *fr, void *f)
{
	if (copy_to_user(sp, fr, SIGFRAME_X) ||
	    copy_to_user(sp + SIGFRAME_X, arch_frame_gprs(f), SIGFRAME_FP - SIGFRAME_X))
		return -EFAULT;
	if (fr->ctx.fp_used)
		return copy_to_user(sp + SIGFRAME_FP, (const char *)fr + SIGFRAME_FP,
				    sizeof *fr - SIGFRAME_FP);
	return 0;
}

int sigframe_copy_in(struct _sigframe *fr, uint64_t uframe, void *f)
{
	if (copy_from_user(fr, uframe, SIGFRAME_X) ||
	    (fr->ctx.fp_used && copy_from_user((char *)fr + SIGFRAME_FP, uframe + SIGFRAME_FP,
						sizeof *fr - SIGFRAME_FP)))
		return -EFAULT;
	/* Last, straight into the trap frame: a frame whose header was there
	 * but whose registers are not (it crosses into a hole, or another
	 * thread unmapped it meanwhile) cannot be undone, and ends the process. */
	if (copy_from_user(arch_frame_gprs(f), uframe + SIGFRAME_X, SIGFRAME_FP - SIGFRAME_X))
		process_fault("signal frame unreadable in SignalReturn", SIGSEGV, SI_KERNEL,
			      arch_frame_pc(f), uframe + SIGFRAME_X);
	return 0;
}

/* Push the frame for handler a and enter it through the process's
 * trampoline (its libc's handler caller, p->sigstub); keep_timeout: the
 * frame keeps the armed TimerTimeout for SignalReturn.  False if the user stack
 * cannot take it.  Interrupts on, no locks (the copy may fault on a
 * copy-on-write stack page). */
static bool push_frame(struct thread *t, void *f, const struct sig_action *a,
		       const siginfo_t *info, uint64_t mask, uint64_t trampoline,
		       bool keep_timeout)
{
	struct _sigframe fr;
	unsigned long s = arch_irq_save();

	arch_fp_flush();                        /* the registers into t->fp */
	arch_irq_restore(s);
	fr.handler = (void (*)(int, siginfo_t *, void *))(uintptr_t)a->handler;
	fr.signo = info->si_signo;
	fr.sa_flags = a->flags;
	fr.info = *info;
	fr.mask.__bits[0] = (uint32_t)mask;
	fr.mask.__bits[1] = (uint32_t)(mask >> 32);
	fr.__kernel[0] = fr.__kernel[1] = 0;
	if (keep_timeout && t->tmo_states) {        /* SignalReturn arms it again */
		fr.__kernel[0] = t->tmo_deadline;
		fr.__kernel[1] = SIGFRAME_TMO | t->tmo_states;
	}
	arch_sig_save(f, &fr.ctx);
	fr.ctx.__reserved = 0;
	uint64_t sp = (arch_frame_sp(f) - sizeof fr) & ~15ul;
	if (sigframe_copy_out(sp, &fr, f))
		return false;
	arch_sig_enter(f, trampoline, sp);
	t->tmo_states = 0;                      /* the handler runs without it */
	return true;
}

/* The thread enters a's handler for signo: the handler's mask (signo
 * itself unless SA_NODEFER) joins the thread's, and SA_RESETHAND puts the
 * default action back.  Process lock held. */
static void enter_handler_mask(struct process *p, struct thread *t, int signo,
			       const struct sig_action *a)
{
	t->sig_mask |= a->mask | ((a->flags & SA_NODEFER) ? 0 : SIGBIT(signo));
	t->sig_mask &= ~SIG_CANTMASK;
	if (a->flags & SA_RESETHAND)
		p->sig_act[signo - 1] = (struct sig_action){ 0, 0, 0 };
}

/* The handler's frame did not fit on the user stack: the process ends
 * with SIGSEGV, as a fault at the interrupted pc. */
static void __attribute__((noreturn)) frame_unwritable(void *f)
{
	arch_irq_enable();
	process_fault("signal frame cannot be written", SIGSEGV, SI_KERNEL,
		      arch_frame_pc(f), arch_frame_sp(f));
}

/* The next signal the calling thread takes, or 0; its action in *a.
 * Records and pending bits are consumed; SA_RESETHAND applied; the mask
 * for the handler set and the one to restore in *restore.  Process lock
 * held. */
static int take_one(struct process *p, struct thread *t, siginfo_t *info, struct sig_action *a,
		    uint64_t *restore)
{
	uint64_t ready = (t->sig_pending | p->sig_pending) & ~t->sig_mask;

	if (!ready)
		return 0;
	int signo = bit_lowest(ready) + 1;
	sig_take(p, t, signo, info);
	*a = p->sig_act[signo - 1];
	if (has_handler(a)) {
		*restore = t->sig_saved ? t->sig_saved_mask : t->sig_mask;
		t->sig_saved = false;
		enter_handler_mask(p, t, signo, a);
	}
	return signo;
}

/* Run one signal's action.  Returns 1 if a handler frame was pushed, 0 if
 * nothing visible happened (ignored, stopped and continued). */
static int act(struct process *p, struct thread *t, void *f, int signo, const siginfo_t *info,
	       const struct sig_action *a, uint64_t restore, uint32_t call, bool unseen)
{
	if (a->handler == (uint64_t)(uintptr_t)SIG_IGN)
		return 0;
	if (a->handler == (uint64_t)(uintptr_t)SIG_DFL) {
		switch (default_action(signo)) {
		case SD_IGNORE:
		case SD_CONT:
		case SD_STOP:           /* sig_user_return stopped p as it took signo */
			return 0;
		case SD_TERM:
			break;
		}
		arch_irq_enable();
		process_exit_signal(signo, info->si_code);
	}
	spin_lock(&p->lock);
	uint64_t trampoline = p->sigstub;
	spin_unlock(&p->lock);
	bool restart = call && !never_restarts(call) &&
		       (always_restarts(call) || unseen || (a->flags & SA_RESTART));
	if (restart)
		arch_call_restart(f, t->sig_call_arg0);
	/* A timeout armed for the call the handler comes before (the broken
	 * call restarted, or the next one when no call was broken) is its
	 * again after the handler: the handler's own calls would use it up. */
	if (!trampoline || !push_frame(t, f, a, info, restore, trampoline, restart || !call))
		frame_unwritable(f);
	return 1;
}

void sig_user_return(void *f)
{
	struct thread *t = this_hart()->current;
	struct process *p = t->proc;
	uint32_t call = t->sig_call;
	/* SignalReturn's a0 is the interrupted code's: never a call to redo. */
	bool broke = call && call != KCALL_SignalReturn + 1 &&
		     (long)arch_frame_a0(f) == -EINTR && atomic_load32(&t->sig_broke);
	bool unseen = broke && t->sig_unseen;

	t->sig_call = 0;
	t->sig_unseen = false;
	if (!atomic_load32(&t->sig_wake) && !broke && !t->sig_saved)
		return;
	arch_irq_enable();
	int pushed = 0;
	for (;;) {
		siginfo_t info;
		struct sig_action a;
		uint64_t restore = 0;
		spin_lock(&p->lock);
		wait_while_stopped(p, t);
		int signo = atomic_load32(&t->killed) ? 0 : take_one(p, t, &info, &a, &restore);
		if (!signo) {
			atomic_store32(&t->sig_wake, 0);
			if (t->sig_saved && !pushed) {
				t->sig_mask = t->sig_saved_mask;        /* SignalSuspend is over */
				t->sig_saved = false;
			}
			spin_unlock(&p->lock);
			break;
		}
		bool stops = a.handler == (uint64_t)(uintptr_t)SIG_DFL &&
			     default_action(signo) == SD_STOP && stop_locked(p, signo);
		spin_unlock(&p->lock);
		if (stops) {
			stop_announce(p);
			continue;               /* and wait while stopped */
		}
		pushed = act(p, t, f, signo, &info, &a, restore, broke ? call : 0, unseen);
		if (pushed) {
			broke = false;
			break;                  /* more pending: delivered at its SignalReturn */
		}
	}
	if (broke)
		arch_call_restart(f, t->sig_call_arg0);    /* no handler ran: the call goes on */
	/* Otherwise a handler's frame has the timeout (push_frame), or no call
	 * was broken (a signal came between TimerTimeout and the call it arms)
	 * and nothing ran: it stays armed. */
	atomic_store32(&t->sig_broke, 0);
	arch_irq_save();
}

long sig_raise_now(struct thread *t, void *f, const siginfo_t *info, long ret)
{
	struct process *p = t->proc;
	int signo = info->si_signo;
	uint64_t bit = SIGBIT(signo);

	if (bit & (SIG_CANTMASK | SIG_STOPS | SIGBIT(SIGCONT)))
		return SIG_RAISE_LATER;
	spin_lock(&p->lock);
	struct sig_action a = p->sig_act[signo - 1];
	uint64_t trampoline = p->sigstub, restore = t->sig_mask;
	bool now = trampoline && !p->exiting && !p->stopped && !atomic_load32(&t->killed) &&
		   !atomic_load32(&t->sig_wake) && !t->sig_saved && !(restore & bit) &&
		   !((t->sig_pending | p->sig_pending) & ~restore) && has_handler(&a);
	if (now)
		enter_handler_mask(p, t, signo, &a);
	spin_unlock(&p->lock);
	if (!now)
		return SIG_RAISE_LATER;
	/* The frame keeps the call's own result; the call's timeout, if one
	 * was armed, is used up by it as by any call (kcall_finish). */
	arch_frame_set_a0(f, (uint64_t)ret);
	if (!push_frame(t, f, &a, info, restore, trampoline, false))
		frame_unwritable(f);
	return (long)arch_frame_a0(f);
}

bool sig_fault(void *f, const char *cause, int signo, int code, uint64_t addr)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	uint64_t bit = SIGBIT(signo), pc = arch_frame_pc(f);

	spin_lock(&p->lock);
	struct sig_action a = p->sig_act[signo - 1];
	bool caught = has_handler(&a) && !(t->sig_mask & bit) && p->sigstub;
	uint64_t restore = t->sig_mask, trampoline = p->sigstub;
	if (caught)
		enter_handler_mask(p, t, signo, &a);
	spin_unlock(&p->lock);
	if (caught) {
		siginfo_t info = { .si_signo = signo, .si_code = code,
				   .si_pid = (int32_t)p->pid, .si_addr = (void *)addr, .si_pc = pc };
		if (push_frame(t, f, &a, &info, restore, trampoline, true))
			return true;
	}
	process_fault(cause, signo, code, pc, addr);
}
