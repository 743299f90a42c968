/* Processes: creation, ELF loading, the first process, exit and faults. */
#include <keel/errno.h>
#include <keel/msg.h>
#include <keel/kcall.h>
#include <keel/procmgr.h>
#include <keel/signal.h>
#include "arch.h"
#include "atomic.h"
#include "boot.h"
#include "hart.h"
#include "interrupt.h"
#include "kprintf.h"
#include "kstring.h"
#include "panic.h"
#include "platform.h"
#include "process.h"
#include "pmm.h"
#include "sched.h"
#include "sig.h"
#include "sync.h"
#include "thread.h"
#include "vm.h"
#include "vmspace.h"

#define PROC_MAX        PROC_TABLE
#define USER_STACK_TOP  0x0000003fff000000ul
#define USER_STACK_SIZE (64 * 1024ul)
#define ARGV_MAX        32

static struct process procs[PROC_MAX];
/* Slots at and past it are free (procs_lock; walks read it without):
 * a new process takes the lowest free slot, so walks stop here. */
static volatile int procs_top;

/* procs_lock held, after a slot was freed. */
static void procs_shrink(void)
{
	while (procs_top > 0 && !procs[procs_top - 1].pid)
		procs_top--;
}

int process_slots(void)
{
	return procs_top;
}
static struct spinlock procs_lock = SPINLOCK_INIT("procs", LR_PROCS);
static uint32_t next_pid = 1;
uint32_t init_exited;           /* kernel semaphore: the first process has ended */

/* A process around a space made by AsCreate: it takes the space over. */
/* Every slot's lock is made once, at boot (process_init), and never written
 * again: another hart may hold it, or wait for it, while the slot changes
 * hands (walkers such as SignalKill's group walk lock a slot they saw in
 * use a moment before).  Rewriting it with the slot let two harts hold it,
 * and its zeroed owner field made lockcheck see hart 0 taking it twice. */
void process_init(void)
{
	for (int i = 0; i < PROC_MAX; i++)
		spin_init(&procs[i].lock, "process", LR_PROC);
}

struct process *process_create_in(const char *name, struct vmspace *vs, struct process *parent,
				  uint32_t privs)
{
	struct process *p = 0;

	spin_lock(&procs_lock);
	for (int i = 0; i < PROC_MAX && !p; i++)
		if (!procs[i].pid) {
			p = &procs[i];
			/* Everything but the lock, which stays as it is. */
			size_t at = offsetof(struct process, lock), after = at + sizeof p->lock;
			memset(p, 0, at);
			memset((char *)p + after, 0, sizeof *p - after);
			p->privs = privs;
			p->vs = vs;
			p->parent = parent;
			waitq_init(&p->children_wq);
			waitq_init(&p->threads_wq);
			sig_process_init(p);
			memcpy(p->name, name, strnlen(name, sizeof p->name - 1));
			/* Published last: a walker that sees the pid sees the rest. */
			__atomic_store_n(&p->pid, next_pid++, __ATOMIC_RELEASE);
			if (i >= procs_top)
				procs_top = i + 1;
		}
	spin_unlock(&procs_lock);
	return p;
}

struct process *process_create(const char *name, uint32_t flags)
{
	struct vmspace *vs = vmspace_create();
	uint32_t privs = (flags & PROC_PRIVILEGED) ? KCALL_PRIV_IO | KCALL_PRIV_PROCMGR : 0;

	if (!vs)
		return 0;
	struct process *p = process_create_in(name, vs, 0, privs);
	if (!p) {
		vmspace_destroy(vs);
		return 0;
	}
	p->flags = flags;
	return p;
}

/* Start the first thread of p at pc with sp and a0..a2. */
struct start_regs {
	uint64_t pc, sp, a0, a1, a2, a3, sigmask;
};
static struct start_regs start_regs[PROC_MAX];

static void user_start_regs(void *arg)
{
	struct start_regs *r = arg;
	struct thread *t = thread_current();

	spin_lock(&t->proc->lock);              /* before its first user instruction */
	t->sig_mask = r->sigmask & ~SIG_CANTMASK;
	spin_unlock(&t->proc->lock);
	arch_user_enter(r->pc, r->sp, r->a0, r->a1, r->a2, r->a3);
}

int process_start_regs(struct process *p, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3, unsigned prio, uint64_t sigmask)
{
	struct start_regs *r = &start_regs[p - procs];

	*r = (struct start_regs){ pc, sp, a0, a1, a2, a3, sigmask };
	spin_lock(&p->lock);
	p->nthreads = 1;
	spin_unlock(&p->lock);
	return uthread_create(p, p->name, user_start_regs, r, prio) ? 0 : -EAGAIN;
}

void timers_process_gone(struct process *p);

/* p's space is let go (under p->lock, so process_space_get never sees a
 * freed one). */
static void drop_space(struct process *p)
{
	spin_lock(&p->lock);
	struct vmspace *vs = p->vs;
	p->vs = 0;
	spin_unlock(&p->lock);
	if (vs)
		vmspace_destroy(vs);
}

struct vmspace *process_space_get(struct process *p)
{
	spin_lock(&p->lock);
	struct vmspace *vs = p->vs;
	if (vs)
		vmspace_get(vs);
	spin_unlock(&p->lock);
	return vs;
}

_Static_assert(PROC_CONNECTIONS * sizeof(struct connection) == PAGE_SIZE,
	       "a connection vector is one page");

long proc_conn_coid(int s)
{
	return s;       /* the value COIDDEATH pulses have always carried: the slot */
}

int proc_conns_alloc(struct process *p)
{
	if (*(struct connection *volatile *)&p->conns)
		return 0;
	uint64_t pa = pmm_alloc_zeroed(0);
	if (!pa)
		return -ENOMEM;
	spin_lock(&p->lock);
	bool mine = !p->conns;
	if (mine)
		p->conns = phys_to_virt(pa);
	spin_unlock(&p->lock);
	if (!mine)
		pmm_free(pa, 0);                /* another thread of p was first */
	return 0;
}

/* The vector goes once nothing can look at it (p's slot is being freed). */
static void free_conns(struct process *p)
{
	spin_lock(&p->lock);
	struct connection *v = p->conns;
	p->conns = 0;
	spin_unlock(&p->lock);
	if (v)
		pmm_free(virt_to_phys(v), 0);
}

static void process_free(struct process *p)
{
	free_conns(p);
	timers_process_gone(p);
	intr_process_gone(p);
	drop_space(p);
	for (int i = 0; i < PROC_SPACES; i++)
		if (p->spaces[i])
			vmspace_destroy(p->spaces[i]);
	spin_lock(&procs_lock);
	for (int i = 0; i < procs_top; i++)
		if (procs[i].pid && procs[i].parent == p) {
			procs[i].parent = 0;    /* orphans: nobody will wait for them */
			if (procs[i].ended)     /* (no live check passes on a zombie) */
				procs[i].pid = 0;
		}
	spin_lock(&p->lock);            /* see process_lock_live */
	p->pid = 0;
	spin_unlock(&p->lock);
	procs_shrink();
	spin_unlock(&procs_lock);
}

/* A child that ended stays (without its memory) until its parent waits.
 * False if it has no parent (any more): the caller frees it.  The parent is
 * read under procs_lock, where a parent's end orphans its children
 * (process_free): read without it, a child whose parent ended meanwhile
 * became a zombie nobody would ever wait for, its slot lost. */
static bool become_zombie(struct process *p)
{
	timers_process_gone(p);
	intr_process_gone(p);
	drop_space(p);
	free_conns(p);
	spin_lock(&procs_lock);
	struct process *parent = p->parent;
	if (parent) {
		/* Under p's lock (see process_lock_live), not the parent's: both
		 * are of one rank.  The parent still finds it only after the
		 * wake below, or sees it ended at its next look; either way it
		 * reaps it under procs_lock, which waits for us. */
		spin_lock(&p->lock);
		p->ended = true;
		spin_unlock(&p->lock);
		spin_lock(&parent->lock);
		waitq_wake_all(&parent->children_wq, 0);
		spin_unlock(&parent->lock);
	}
	spin_unlock(&procs_lock);
	return parent != 0;
}

/* ProcessWait's search: a child of `parent` that ended and matches pid;
 * with `reap` it is freed.  Returns it or NULL; *any* tells whether the
 * parent has children at all.  Caller holds parent->lock. */
struct process *process_find_child(struct process *parent, int pid, unsigned flags, bool *any,
				   int *report)
{
	*any = false;
	*report = 0;
	for (int i = 0; i < procs_top; i++) {
		struct process *c = &procs[i];
		if (!c->pid || c->parent != parent || (pid != -1 && (int)c->pid != pid))
			continue;
		*any = true;
		if (c->ended)
			return c;
		if ((flags & _PROC_WAIT_STOPPED) && atomic_load32(&c->report_stop) &&
		    (*report = (int)atomic_swap32(&c->report_stop, 0)))
			return c;
		if ((flags & _PROC_WAIT_CONTINUED) && atomic_load32(&c->report_cont) &&
		    atomic_swap32(&c->report_cont, 0)) {
			*report = SIGCONT;
			return c;
		}
	}
	return 0;
}

void process_reap(struct process *c)
{
	spin_lock(&procs_lock);
	spin_lock(&c->lock);    /* a fork's child that never ran is live: see process_lock_live */
	c->pid = 0;
	spin_unlock(&c->lock);
	procs_shrink();
	spin_unlock(&procs_lock);
}

struct start_arg {
	struct process *p;
	uint64_t entry, sp, argc, argv, a3;
};

static struct start_arg start_args[PROC_MAX];

static void user_first_thread(void *arg)
{
	struct start_arg *a = arg;

	arch_user_enter(a->entry, a->sp, a->argc, a->argv, 0, a->a3);
}

/* Strings first, then the argv array, 16-byte aligned, below the top. */
static int push_argv(struct process *p, int argc, const char *const *argv, uint64_t *sp, uint64_t *uargv)
{
	uint64_t ptrs[ARGV_MAX + 1];
	uint64_t top = USER_STACK_TOP;

	if (argc > ARGV_MAX)
		return -E2BIG;
	for (int i = argc - 1; i >= 0; i--) {
		size_t n = strlen(argv[i]) + 1;
		top -= n;
		if (vmspace_write(p->vs, top, argv[i], n))
			return -EFAULT;
		ptrs[i] = top;
	}
	ptrs[argc] = 0;
	top = (top - (uint64_t)(argc + 1) * 8) & ~15ul;
	if (vmspace_write(p->vs, top, ptrs, (uint64_t)(argc + 1) * 8))
		return -EFAULT;
	*uargv = top;
	*sp = top - 16;
	return 0;
}

int process_start(struct process *p, uint64_t entry, int argc, const char *const *argv,
		  uint64_t a3)
{
	struct start_arg *a = &start_args[p - procs];
	int r = vmspace_alloc(p->vs, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE, VM_R | VM_W);

	if (r)
		return r;
	*a = (struct start_arg){ .p = p, .entry = entry, .argc = (uint64_t)argc, .a3 = a3 };
	if ((r = push_argv(p, argc, argv, &a->sp, &a->argv)))
		return r;
	spin_lock(&p->lock);
	p->nthreads = 1;
	spin_unlock(&p->lock);
	struct thread *t = uthread_create(p, p->name, user_first_thread, a, PRIO_DEFAULT);
	return t ? 0 : -EAGAIN;
}

/* The first process's end is the system's: report and power off at once,
 * whatever its other threads are doing.  Any process (the first one too
 * when the self-tests run after it) has all its threads killed, wherever
 * they are, and ends when the last of them is gone (process_thread_gone). */
static void __attribute__((noreturn)) end_process(struct process *p, int status, bool killed)
{
	spin_lock(&p->lock);
	bool first = !p->exiting;
	if (first) {
		p->exiting = true;
		p->exit_status = status;
		p->how = killed ? 2 : 1;        /* _PROC_KILLED / _PROC_EXITED */
	}
	spin_unlock(&p->lock);
	if (first && (p->flags & PROC_INIT)) {
		kprintf("keel: init %s (pid %u) exited with status %d\n", p->name, p->pid, status);
		if (!cmdline_has("ktest"))
			arch_poweroff(status);
	}
	if (first)
		thread_kill_process(p, p->pid); /* us too: we are detached now */
	thread_exit(0);
}

void process_exit(int status)
{
	end_process(thread_current()->proc, status, false);
}

void process_exit_signal(int signo, int code)
{
	struct process *p = thread_current()->proc;

	spin_lock(&p->lock);
	if (!p->exiting)
		p->exit_code = code;
	spin_unlock(&p->lock);
	end_process(p, signo, true);
}

int process_kill(struct process *p, uint32_t pid, int signo, int code)
{
	if (!process_lock_live(p, pid))
		return -ESRCH;
	bool first = !p->exiting;
	if (first) {
		p->exiting = true;
		p->exit_status = signo;
		p->exit_code = code;
		p->how = 2;                     /* _PROC_KILLED */
		p->stopped = false;             /* a stopped process dies too */
		waitq_wake_all(&p->stop_wq, 0);
	}
	spin_unlock(&p->lock);
	if (first && (p->flags & PROC_INIT)) {
		kprintf("keel: init %s (pid %u) killed by signal %d\n", p->name, p->pid, signo);
		if (!cmdline_has("ktest"))
			arch_poweroff(true);
	}
	if (first)
		thread_kill_process(p, pid);
	return 0;
}

void process_fault(const char *cause, int signo, int code, uint64_t pc, uint64_t addr)
{
	struct process *p = thread_current()->proc;

	kprintf("%s[%u]: fault: %s at pc 0x%lx, address 0x%lx; process killed\n",
		p->name, p->pid, cause, pc, addr);
	spin_lock(&p->lock);
	if (!p->exiting) {
		p->fault_pc = pc;
		p->fault_addr = addr;
		p->exit_code = code;
	}
	spin_unlock(&p->lock);
	end_process(p, signo, true);
}

void process_thread_gone(struct process *p)
{
	spin_lock(&p->lock);
	bool last = --p->nthreads == 0;
	waitq_wake_all(&p->threads_wq, 0);
	spin_unlock(&p->lock);
	if (!last)
		return;
	bool init = p->flags & PROC_INIT;
	sig_process_gone(p);
	ipc_process_gone(p);
	if (!become_zombie(p))
		process_free(p);        /* (what become_zombie freed is not freed twice) */
	if (init)       /* ktest runs next, once no thread of it runs anywhere */
		sync_sem_post(0, (uintptr_t)&init_exited);
}

struct process *process_by_pid(uint32_t pid)
{
	struct process *p = 0;

	spin_lock(&procs_lock);
	for (int i = 0; i < procs_top && !p; i++)
		if (procs[i].pid == pid && !procs[i].ended)
			p = &procs[i];
	spin_unlock(&procs_lock);
	return p;
}

struct process *process_at(int i)
{
	return i >= 0 && i < PROC_MAX && procs[i].pid && !procs[i].ended ? &procs[i] : 0;
}

/* A slot changes hands (pid 0, then the next process's memset and pid,
 * under procs_lock alone) only after its pid went to 0 or it ended, and
 * both are written under p->lock too (process_free, process_reap,
 * become_zombie): so while the lock is held and the check passed, p stays
 * process pid. */
bool process_lock_live(struct process *p, uint32_t pid)
{
	spin_lock(&p->lock);
	if (pid && p->pid == pid && !p->ended)
		return true;
	spin_unlock(&p->lock);
	return false;
}

/* ---- fork and exec (the process manager's mechanism) ----------------------------- */

bool process_alone(void)
{
	struct process *p = thread_current()->proc;

	return p && *(volatile uint32_t *)&p->nthreads == 1;
}

/* p's name from a path: its last component (p locked). */
static void set_name_locked(struct process *p, const char *path)
{
	const char *base = path;

	for (const char *c = path; *c; c++)
		if (*c == '/' && c[1])
			base = c + 1;
	size_t n = strnlen(base, sizeof p->name - 1);
	memset(p->name, 0, sizeof p->name);
	memcpy(p->name, base, n);
	if (n && p->name[n - 1] == '/')
		p->name[n - 1] = 0;
}

void process_set_name(struct process *p, const char *path)
{
	spin_lock(&p->lock);
	set_name_locked(p, path);
	spin_unlock(&p->lock);
}

/* The forked thread's first kernel code: straight back to user mode with
 * the registers arch_fork_thread copied. */
static void forked_thread_start(void *arg)
{
	(void)arg;
	arch_user_resume();
}

/* What a forked child shares with its parent: connections (same ids, same
 * channels), signal dispositions, credentials, groups.  Both locks are of rank "process": the
 * parent's is taken alone, the copy made in between.  -ESRCH if t is no
 * longer thread tid of parent: then parent may have ended, its slot gone to
 * another process whose identity this would copy (while t lives, and
 * cpu_counted is set under parent's lock before it goes, parent stays). */
static int copy_identity(struct process *child, struct process *parent, struct thread *t,
			 uint32_t tid)
{
	static struct connection conns[PROC_CONNECTIONS];       /* guarded by fork_lock */
	static struct sig_action acts[64];                      /* guarded by fork_lock */
	static struct spinlock fork_lock = SPINLOCK_INIT("fork", LR_PROCS);

	if (proc_conns_alloc(child))
		return -ENOMEM;
	spin_lock(&fork_lock);
	spin_lock(&parent->lock);
	if (t->tid != tid || t->proc != parent || t->cpu_counted) {
		spin_unlock(&parent->lock);
		spin_unlock(&fork_lock);
		return -ESRCH;
	}
	if (parent->conns)
		memcpy(conns, parent->conns, sizeof conns);
	else
		memset(conns, 0, sizeof conns);
	memcpy(acts, parent->sig_act, sizeof acts);
	uint64_t stub = parent->sigstub;
	struct _cred_info cred = parent->cred;
	int32_t pgid = parent->pgid, sid = parent->sid;
	spin_unlock(&parent->lock);
	spin_lock(&child->lock);
	memcpy(child->conns, conns, sizeof conns);
	memcpy(child->sig_act, acts, sizeof acts);
	child->sigstub = stub;
	child->cred = cred;
	child->pgid = pgid;
	child->sid = sid;
	child->nthreads = 1;
	spin_unlock(&child->lock);
	spin_unlock(&fork_lock);
	return 0;
}

/* A snapshot of t's user registers.  t's registers are stable while it
 * stays blocked; its join lock keeps it (and its kernel stack) from being
 * freed while they are copied.  False if it is not blocked, or is no longer
 * thread tid of p (it ended after the caller looked it up).
 *
 * A blocked thread may still be switching away on its hart (on_cpu): its
 * FP registers are saved once it is off.  It may also be woken meanwhile
 * and run again, on any hart, for as long as it likes (user code that
 * never traps keeps on_cpu set for good): so wait only while it stays
 * blocked.  Waiting on on_cpu alone held this hart with interrupts off and
 * the join lock taken until that thread next switched away (seen: a hart
 * that answered no TLB flush for 85 s under kfuzz, whose ProcFork calls
 * name threads at random). */
bool process_snapshot(struct thread *t, uint32_t tid, struct process *p, struct arch_uregs *r)
{
	spin_lock(&t->join_lock);
	bool ok = t->tid == tid && t->proc == p && !atomic_load32(&t->killed);
	while (ok && atomic_load32(&t->on_cpu)) {
		ok = atomic_load32(&t->state) == TS_BLOCKED;
		cpu_relax();
	}
	smp_mb();                               /* on_cpu seen 0 before the state is read */
	ok = ok && atomic_load32(&t->state) == TS_BLOCKED;
	if (ok)
		arch_uregs_save(r, t);
	spin_unlock(&t->join_lock);
	return ok;
}

int process_fork(struct process *parent, struct thread *t, uint32_t tid, struct vmspace *vs,
		 struct process *starter, int32_t *out_pid)
{
	struct arch_uregs r;

	if (!process_snapshot(t, tid, parent, &r))
		return -ESRCH;
	struct process *c = process_create_in(parent->name, vs, starter,
					      parent->privs & starter->privs);
	if (!c)
		return -EAGAIN;
	int bad = copy_identity(c, parent, t, tid);
	struct thread *nt = bad ? 0 : uthread_create_held(c, c->name, forked_thread_start,
							t->base_prio);
	if (!nt) {
		free_conns(c);
		spin_lock(&c->lock);
		c->vs = 0;                      /* the caller keeps vs */
		c->nthreads = 0;
		spin_unlock(&c->lock);
		process_reap(c);
		return bad == -ESRCH ? -ESRCH : -EAGAIN;
	}
	arch_uregs_fork(nt, &r);
	nt->policy = t->policy;
	spin_lock(&parent->lock);
	uint64_t mask = t->sig_mask;            /* the forking thread's, for its copy */
	spin_unlock(&parent->lock);
	spin_lock(&c->lock);
	nt->sig_mask = mask;
	spin_unlock(&c->lock);
	/* Read before the child runs: it may end and be reaped (its slot
	 * freed, or reused) before this hart looks at it again. */
	*out_pid = (int32_t)c->pid;
	thread_release(nt);
	return 0;
}

int process_exec(struct process *p, uint32_t pid, struct thread *t, uint32_t tid,
		 struct vmspace *vs, const struct proc_regs *regs, uint32_t privs, const char *name)
{
	struct thread *me = thread_current();

	thread_kill_others(p, pid, t);
	atomic_store32(&me->sig_nointr, 1);     /* half an exec is no state to leave p in */
	spin_lock(&p->lock);
	while (p->nthreads > 1 && !p->exiting) {
		if (waitq_block(&p->threads_wq, &p->lock, WAIT_FOREVER) == -EINTR &&
		    thread_killed()) {
			atomic_store32(&me->sig_nointr, 0);
			return -EINTR;
		}
		spin_lock(&p->lock);
	}
	atomic_store32(&me->sig_nointr, 0);
	spin_unlock(&p->lock);
	/* t must be blocked in a message (SEND or REPLY, the process manager's
	 * case): the server that holds it copies into its space under that
	 * channel's lock (MsgRead/MsgWrite/MsgReply, the fast paths), so the
	 * space changes under that lock too, and no copy still uses the old
	 * one when it is freed.  The channel lock ranks before p's. */
	struct channel *ch = *(struct channel *volatile *)&t->ipc.ch;
	if (!ch)
		return -ESRCH;
	spin_lock(&ch->lock);
	spin_lock(&p->lock);
	/* t was looked up before: it may have ended, its slot gone to another
	 * thread (of any process) meanwhile. */
	uint32_t st = *(volatile uint32_t *)&t->ipc.state;
	if (p->exiting || p->pid != pid || t->tid != tid || t->proc != p ||
	    atomic_load32(&t->state) != TS_BLOCKED ||
	    t->ipc.ch != ch || (st != IPC_SEND && st != IPC_REPLY)) {
		spin_unlock(&p->lock);
		spin_unlock(&ch->lock);
		return -ESRCH;
	}
	struct vmspace *old = p->vs;
	p->vs = vs;
	p->privs = privs;
	if (name[0])
		set_name_locked(p, name);       /* only now: a refused exec keeps p's */
	uint64_t switches = t->switches;
	spin_unlock(&p->lock);
	spin_unlock(&ch->lock);
	/* t may still be switching away on its hart, that hart's satp on the
	 * old space until the switch is done: freed under it, its next
	 * translation would walk a freed root.  Wait for that, but never for t
	 * running again (switched to since: then on the new space). */
	while (atomic_load32(&t->on_cpu) && *(volatile uint64_t *)&t->switches == switches)
		cpu_relax();
	sig_exec(p);
	timers_process_gone(p);                 /* POSIX: timers do not survive exec */
	intr_process_gone(p);
	/* Under p's lock with t looked at again: t may have been told to end
	 * and be freed meanwhile, its slot another thread's, which must not
	 * start at the new image.  thread_free sets cpu_counted under this
	 * lock before it lets the slot go. */
	spin_lock(&p->lock);
	if (t->tid == tid && t->proc == p && !t->cpu_counted) {
		t->restart_regs[0] = regs->pc;
		t->restart_regs[1] = regs->sp;
		t->restart_regs[2] = regs->a0;
		t->restart_regs[3] = regs->a1;
		t->restart_regs[4] = regs->a2;
		t->restart_regs[5] = regs->a3;
		smp_mb();                       /* the registers before the flag */
		atomic_store32(&t->restart_pending, 1);
	}
	spin_unlock(&p->lock);
	vmspace_destroy(old);
	return 0;
}
