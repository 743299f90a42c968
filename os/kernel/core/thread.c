/* Thread objects: slots with generations, kernel stacks with guard pages,
 * creation, exit and join. */
#include <keel/errno.h>
#include <keel/sysinfo.h>
#include <keel/thread.h>
#include "arch.h"
#include "atomic.h"
#include "bitops.h"
#include "hart.h"
#include "ipc.h"
#include "kprintf.h"
#include "kstring.h"
#include "panic.h"
#include "pmm.h"
#include "process.h"
#include "sched.h"
#include "sig.h"
#include "smp.h"
#include "sync.h"
#include "thread.h"
#include "timer.h"
#include "vm.h"

#define KSTACK_SLOT (PAGE_SIZE * (KSTACK_PAGES + 1))    /* guard page + stack */

struct thread thread_table[THREAD_MAX];
static struct spinlock table_lock = SPINLOCK_INIT("threads", LR_THREADS);
static uint32_t in_use;                                 /* guarded by table_lock */
/* Slots at and past it are free (table_lock; read racily by walks that
 * take no lock): slot_alloc takes the lowest free slot, so walks over the
 * table's threads stop here instead of at THREAD_MAX. */
static volatile uint32_t table_top = 1;

void arch_thread_trampoline(void);
void sched_finish_switch(struct thread *prev);

uint32_t threads_in_use(void)
{
	return atomic_load32(&in_use);
}

static uint64_t kstack_va(uint32_t slot)
{
	return KSTACK_BASE + (uint64_t)slot * KSTACK_SLOT + PAGE_SIZE;
}

/* A free slot, zeroed from tid on except for its generation, which moves
 * on so that ids of the previous occupant go stale; its locks are kept
 * (struct thread). */
static struct thread *slot_alloc(void)
{
	static bool locks_ready;                /* under table_lock */
	const size_t keep = offsetof(struct thread, tid);
	struct thread *t = 0;

	spin_lock(&table_lock);
	if (!locks_ready) {
		for (uint32_t i = 0; i < THREAD_MAX; i++) {
			spin_init(&thread_table[i].join_lock, "thread-join", LR_JOIN);
			spin_init(&thread_table[i].sleep_lock, "sleep", LR_JOIN);
		}
		locks_ready = true;
	}
	for (uint32_t i = 1; i < THREAD_MAX && !t; i++)
		if (thread_table[i].state == TS_FREE && !thread_table[i].slot) {
			t = &thread_table[i];
			/* 15 bits: tids stay positive as rcvids and return values */
			uint16_t gen = (uint16_t)((t->gen + 1) & 0x7fff);
			memset((char *)t + keep, 0, sizeof *t - keep);  /* never trust a recycled slot */
			t->gen = gen ? gen : 1;
			t->slot = (uint16_t)i;
			t->tid = (uint32_t)t->gen << 16 | i;
			in_use++;
			if (i >= table_top)
				table_top = i + 1;
		}
	spin_unlock(&table_lock);
	return t;
}

static void slot_release(struct thread *t)
{
	spin_lock(&table_lock);
	t->state = TS_FREE;
	t->slot = 0;
	in_use--;
	while (table_top > 1 && thread_table[table_top - 1].state == TS_FREE && !thread_table[table_top - 1].slot)
		table_top--;
	spin_unlock(&table_lock);
}

/* Only the user frame at the top is zeroed: a new thread's user registers
 * start from it (zero, never an earlier thread's values); the rest of the
 * stack is the kernel's own, written before it is read (zeroing 16 KiB cost
 * about 4,200 instructions per thread). */
static int kstack_alloc(struct thread *t)
{
	uint64_t pa = pmm_alloc(2);             /* KSTACK_PAGES == 4 == 1 << 2 */
	uint64_t va = kstack_va(t->slot);

	_Static_assert(KSTACK_PAGES == 4, "stack order");
	if (!pa)
		return -ENOMEM;
	memset((char *)phys_to_virt(pa) + KSTACK_PAGES * PAGE_SIZE - ARCH_UFRAME_SIZE, 0,
	       ARCH_UFRAME_SIZE);
	if (vm_kernel_map_rw(va, pa, KSTACK_PAGES * PAGE_SIZE)) {
		pmm_free(pa, 2);
		return -ENOMEM;
	}
	t->kstack_top = va + KSTACK_PAGES * PAGE_SIZE;
	return 0;
}

static void kstack_free(struct thread *t)
{
	uint64_t va = kstack_va(t->slot), pa;

	if (!t->kstack_top)
		return;
	vm_kernel_query(va, &pa);
	vm_kernel_unmap(va, KSTACK_PAGES * PAGE_SIZE);
	pmm_free(pa, 2);
	t->kstack_top = 0;
}

static void thread_fields_init(struct thread *t, const char *name, unsigned prio,
			       unsigned policy, uint64_t runmask)
{
	size_t n = strnlen(name, sizeof t->name - 1);

	memcpy(t->name, name, n);
	t->prio = t->base_prio = (uint8_t)prio;
	t->policy = (uint8_t)policy;
	t->slice = RR_SLICE_TICKS;
	t->runmask = runmask;
	t->pi_id = t->tid;
	t->ustack = 0;
	list_init(&t->rq_link);
	list_init(&t->wait_link);
	list_init(&t->owned);
	list_init(&t->ipc.link);
	sig_thread_init(t);
	waitq_init(&t->ipc.wq);
	waitq_init(&t->joiners);
	waitq_init(&t->sleep_wq);
	ktimer_init(&t->timeout, 0);
}

static struct thread *thread_new(const char *name, void (*entry)(void *), void *arg,
				 unsigned prio, unsigned policy, uint64_t runmask, struct process *p,
				 bool start)
{
	uint64_t all = nharts >= 64 ? ~0ul : (1ul << nharts) - 1;
	struct thread *t;

	if (prio < PRIO_MIN || prio > PRIO_MAX || policy < SCHED_FIFO || policy > SCHED_OTHER)
		return 0;
	runmask = runmask ? runmask & all : all;
	if (!runmask || !(t = slot_alloc()))
		return 0;
	if (kstack_alloc(t)) {
		slot_release(t);
		return 0;
	}
	thread_fields_init(t, name, prio, policy, runmask);
	t->entry = entry;
	t->arg = arg;
	smp_mb();               /* thread_kill_process finds it by proc: initialised first */
	t->proc = p;
	t->detached = p != 0;
	t->ctx.ra = (uint64_t)arch_thread_trampoline;
	t->ctx.sp = t->kstack_top;
	if (p) {
		t->uframe = (void *)(t->kstack_top - ARCH_UFRAME_SIZE);
		t->ctx.sp = (uint64_t)t->uframe;
	}
	t->ctx.s[0] = (uint64_t)t;
	t->last_hart = sched_this_hart();
	if (start)
		thread_release(t);
	return t;
}

void thread_release(struct thread *t)
{
	sched_start(t);
	sched_preempt_if_needed();      /* it may outrank us */
}

struct thread *kthread_create(const char *name, void (*entry)(void *), void *arg,
			      unsigned prio, unsigned policy, uint64_t runmask)
{
	return thread_new(name, entry, arg, prio, policy, runmask, 0, true);
}

struct thread *uthread_create(struct process *p, const char *name, void (*entry)(void *),
			      void *arg, unsigned prio)
{
	return thread_new(name, entry, arg, prio, SCHED_RR, 0, p, true);
}

struct thread *uthread_create_held(struct process *p, const char *name,
				   void (*entry)(void *), unsigned prio)
{
	return thread_new(name, entry, 0, prio, SCHED_RR, 0, p, false);
}

/* First C code of every new thread (from arch_thread_trampoline). */
void thread_start(struct thread *prev, struct thread *self)
{
	sched_finish_switch(prev);
	arch_irq_enable();
	self->entry(self->arg);
	thread_exit(0);
}

void thread_init_idle(void)
{
	struct hart *h = this_hart();
	struct thread *t = slot_alloc();

	if (!t)
		panic("no thread slot for the idle thread of hart %u", h->index);
	thread_fields_init(t, "idle", PRIO_IDLE, SCHED_FIFO, 1ul << h->index);
	t->detached = true;
	t->state = TS_RUNNING;
	t->on_cpu = 1;
	t->last_hart = h->index;
	h->idle = h->current = t;
}

const struct thread *thread_containing(const void *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)thread_table;

	if (a < base || a >= base + sizeof thread_table)
		return 0;
	return &thread_table[(a - base) / sizeof thread_table[0]];
}

void thread_free(struct thread *t)
{
	struct process *p = t->proc;

	if (p) {                                /* its time stays with the process */
		spin_lock(&p->lock);
		p->cpu_gone_ticks += t->cpu_ticks;
		t->cpu_counted = true;
		spin_unlock(&p->lock);
	}
	if (p)
		sig_thread_gone(t);
	kstack_free(t);
	slot_release(t);
	if (p)
		process_thread_gone(p);
}

void thread_exit(void *value)
{
	struct thread *t = thread_current();

	/* Every way out of a message wait takes the thread off its channel's
	 * lists (ipc_thread_abandon for a killed one): a link left behind
	 * would be a dangling entry in a server's queue once the slot is
	 * reused.  Read without the channel lock: only t links itself. */
	if (list_linked(&t->ipc.link)) {
		ipc_describe_links(t);
		panic("thread %s (tid 0x%x) ends on a channel's queue (ipc state %u)", t->name,
		      t->tid, t->ipc.state);
	}
	/* A REPLY timeout a receiver armed (waitq_rearm) after this thread's
	 * own cancel, on any way out: an armed timer in a freed slot would be
	 * zeroed on its hart's timer queue when the slot is reused. */
	ktimer_cancel(&t->timeout);
	sync_thread_exit(t);
	uthread_stack_free(t);
	spin_lock(&t->join_lock);
	t->exit_value = value;
	atomic_store32(&t->state, TS_DEAD);
	waitq_wake_all(&t->joiners, 0);
	/* The join lock's saved interrupt state must not turn interrupts back
	 * on between here and the switch away. */
	t->join_lock.irq_state = 0;
	spin_unlock(&t->join_lock);
	schedule(SCHED_HOW_BLOCK);
	panic("dead thread %s ran again", t->name);
}

/* True for exactly one caller once t is dead and detached: that caller frees it. */
static bool claim_reap(struct thread *t)
{
	spin_lock(&t->join_lock);
	bool mine = atomic_load32(&t->state) == TS_DEAD && t->detached && !t->reaped;
	if (mine)
		t->reaped = true;
	spin_unlock(&t->join_lock);
	return mine;
}

static void reap(struct thread *t)
{
	while (atomic_load32(&t->on_cpu))       /* still switching away on its hart */
		cpu_relax();
	thread_free(t);
}

void thread_reap_if_detached(struct thread *t)
{
	if (claim_reap(t))
		reap(t);
}

int thread_detach(uint32_t tid)
{
	struct thread *t = thread_lookup(tid);

	if (!t)
		return -ESRCH;
	spin_lock(&t->join_lock);
	int rc = t->tid != tid ? -ESRCH : t->detached ? -EINVAL : 0;
	if (!rc)
		t->detached = true;     /* never the slot's next occupant */
	spin_unlock(&t->join_lock);
	if (!rc)
		thread_reap_if_detached(t);
	return rc;
}

int thread_join(uint32_t tid, void **value)
{
	return thread_join_until(tid, value, WAIT_FOREVER);
}

int thread_join_until(uint32_t tid, void **value, uint64_t deadline)
{
	struct thread *t = thread_lookup(tid), *self = thread_current();

	if (!t)
		return -ESRCH;
	if (t == self)
		return -EDEADLK;
	spin_lock(&t->join_lock);
	if (t->tid != tid || t->detached) {
		spin_unlock(&t->join_lock);
		return t->tid != tid ? -ESRCH : -EINVAL;
	}
	/* Each time round, t must still be thread tid: detached meanwhile, it
	 * was freed by its reaper as it ended, and its slot may be another
	 * thread's by now (never to be waited for or reaped here). */
	while (t->tid == tid && atomic_load32(&t->state) != TS_DEAD &&
	       atomic_load32(&t->state) != TS_FREE) {
		int r = waitq_block(&t->joiners, &t->join_lock, deadline);
		if (r == -ETIMEDOUT || r == -EINTR)
			return r;       /* the join lock is released; a signal restarts the call */
		spin_lock(&t->join_lock);
	}
	if (t->tid != tid || atomic_load32(&t->state) != TS_DEAD || t->reaped) {
		/* detached meanwhile, and claimed (or freed) by its reaper */
		spin_unlock(&t->join_lock);
		return -ESRCH;
	}
	t->detached = true;             /* one joiner reaps it */
	t->reaped = true;
	if (value)
		*value = t->exit_value;
	spin_unlock(&t->join_lock);
	reap(t);
	return 0;
}

uint64_t thread_cpu_ticks(struct thread *t)
{
	uint32_t seq;
	uint64_t ticks, since, now;

	do {
		while ((seq = atomic_load32(&t->cpu_seq)) & 1)
			cpu_relax();
		smp_mb();
		ticks = t->cpu_ticks;
		since = t->run_since;
		now = arch_time();
		smp_mb();
	} while (atomic_load32(&t->cpu_seq) != seq);
	return ticks + (since && now > since ? now - since : 0);
}

/* The thread table lock keeps slots from being recycled under the walk;
 * p->lock makes each thread count exactly once, live or ended, and keeps
 * p process pid (process_lock_live). */
bool process_cpu_ticks(struct process *p, uint32_t pid, uint64_t *ticks)
{
	spin_lock(&table_lock);
	if (!process_lock_live(p, pid)) {
		spin_unlock(&table_lock);
		return false;
	}
	uint64_t sum = p->cpu_gone_ticks;
	for (uint32_t i = 1; i < table_top; i++) {
		struct thread *t = &thread_table[i];
		if (t->proc == p && t->state != TS_FREE && !t->cpu_counted)
			sum += thread_cpu_ticks(t);
	}
	spin_unlock(&p->lock);
	spin_unlock(&table_lock);
	*ticks = sum;
	return true;
}

/* Whether p is still process pid, for a walk of the thread table (table
 * lock held) that acts on p's threads but cannot take p->lock (it ranks
 * after the table's).  If p has a thread in the table, its slot cannot be
 * freed during the walk (slot_release takes the table lock, and p ends only
 * after its last thread's slot is gone), so p stays pid; if it has none,
 * a next process in p's slot (with another pid) cannot add one during the
 * walk either, and one it added before shows its pid here. */
static bool table_proc_is(const struct process *p, uint32_t pid)
{
	return __atomic_load_n(&p->pid, __ATOMIC_ACQUIRE) == pid;
}

/* The lock and queue are the thread's own, not on its stack: t->wq_lock
 * stays pointing at the lock after the wait, and a thread ending this one
 * (waitq_interrupt) that read it just before may lock it afterwards.  A
 * lock on the stack was a 32-bit store of 0 into whatever frame lay there
 * by then (a saved pc of 0xffffffff00000000 under kfuzz). */
void thread_sleep_ns(uint64_t ns)
{
	struct thread *t = thread_current();

	spin_lock(&t->sleep_lock);
	waitq_block(&t->sleep_wq, &t->sleep_lock, arch_time() + ns_to_ticks(ns));
}

/* ---- ending other threads ------------------------------------------------------
 *
 * A thread is never stopped from outside in the middle of kernel code: it is
 * told (killed), woken from any wait with -EINTR, and ends itself on its way
 * back to user mode, after the kernel call it was in has unwound and
 * dropped what it held.  A wait started after the flag is set is refused
 * (waitq_prepare), so it cannot fall asleep again. */

bool thread_killed(void)
{
	return atomic_load32(&thread_current()->killed) != 0;
}

/* Make t notice soon: out of any wait, and off user mode if it runs on
 * another hart (any trap will do; the tick bounds the delay if this misses). */
static void kill_notify(struct thread *t, uint32_t tid, bool for_signal)
{
	waitq_interrupt(t, tid, for_signal);
	if (atomic_load32(&t->on_cpu)) {
		uint32_t hi = atomic_load32(&t->last_hart);
		if (hi < nharts && hi != sched_this_hart())
			ipi_send(&harts[hi], 0);
	}
}

/* Caller holds t->join_lock. */
static void kill_mark(struct thread *t, void *value)
{
	if (!t->killed) {
		t->kill_value = value;
		atomic_store32(&t->killed, 1);
	}
}

/* Make t leave its wait for a signal and look at its signals on its way
 * back to user mode (its call then ends with EINTR or starts again). */
static void sig_notify_one(struct thread *t)
{
	atomic_store32(&t->sig_wake, 1);
	if (!atomic_load32(&t->sig_nointr)) {
		kill_notify(t, t->tid, true);
	} else if (atomic_load32(&t->on_cpu)) {
		uint32_t hi = atomic_load32(&t->last_hart);
		if (hi < nharts && hi != sched_this_hart())
			ipi_send(&harts[hi], 0);
	}
}

bool thread_sig_open(struct process *p, uint64_t bit)
{
	bool open = false;

	spin_lock(&table_lock);
	for (uint32_t i = 1; i < table_top && !open; i++) {
		struct thread *t = &thread_table[i];
		uint32_t st = atomic_load32(&t->state);
		open = t->slot && t->proc == p && st != TS_DEAD && st != TS_FREE &&
		       !(bit & *(volatile uint64_t *)&t->sig_mask);
	}
	spin_unlock(&table_lock);
	return open;
}

void thread_sig_notify(struct process *p, uint32_t pid, struct thread *only, uint64_t bit,
		       bool wake)
{
	spin_lock(&table_lock);
	if (!table_proc_is(p, pid)) {           /* ended meanwhile: its slot is another's */
		spin_unlock(&table_lock);
		return;
	}
	/* one thread: its slot alone (0 once it is gone) */
	uint32_t from = only ? only->slot : 1, to = only ? from + 1u : table_top;
	for (uint32_t i = from; i < to; i++) {
		struct thread *t = &thread_table[i];
		if (!t->slot || t->proc != p || (only && t != only))
			continue;
		uint32_t st = atomic_load32(&t->state);
		if (st == TS_DEAD || st == TS_FREE)
			continue;
		/* Racy reads of the thread's sets: a thread that unblocks the
		 * signal later looks at its pending signals itself. */
		bool wanted = bit & *(volatile uint64_t *)&t->sig_waitset;
		bool open = !(bit & *(volatile uint64_t *)&t->sig_mask);
		if (!bit || wanted || (wake && open)) {
			sig_notify_one(t);
			if (bit && !only)
				break;          /* one thread takes a process's signal */
		}
	}
	spin_unlock(&table_lock);
}

void thread_sig_discard(struct process *p, uint32_t pid, int signo)
{
	spin_lock(&table_lock);
	if (table_proc_is(p, pid)) {
		spin_lock(&p->lock);            /* (ranks after the table's) */
		for (uint32_t i = 1; i < table_top; i++) {
			struct thread *t = &thread_table[i];
			if (t->slot && t->proc == p)
				sig_discard(p, t, signo);
		}
		spin_unlock(&p->lock);
	}
	spin_unlock(&table_lock);
}

bool thread_kill(struct thread *t, uint32_t tid, void *value)
{
	spin_lock(&t->join_lock);
	uint32_t st = atomic_load32(&t->state);
	bool live = t->tid == tid && t->proc && st != TS_DEAD && st != TS_FREE;
	if (live)
		kill_mark(t, value);
	spin_unlock(&t->join_lock);
	if (live)
		kill_notify(t, tid, false);
	return live;
}

/* The table lock keeps every slot's occupant in place during the walk (a
 * slot is allocated and released only under it); p's threads made after
 * the walk are refused by ThreadCreate, which looks at p->exiting once the
 * new thread is in the table. */
void thread_kill_process(struct process *p, uint32_t pid)
{
	thread_kill_others(p, pid, 0);
}

void thread_kill_others(struct process *p, uint32_t pid, struct thread *keep)
{
	uint64_t dead[THREAD_MAX / 64] = { 0 };
	unsigned prio = thread_current()->prio;         /* its end is not starved */

	spin_lock(&table_lock);
	/* Never the threads of a process that took p's slot since the caller
	 * looked p up. */
	uint32_t top = table_proc_is(p, pid) ? table_top : 0;
	for (uint32_t i = 1; i < top; i++) {
		struct thread *t = &thread_table[i];
		if (!t->slot || t->proc != p || t == keep)
			continue;
		spin_lock(&t->join_lock);
		kill_mark(t, 0);
		t->detached = true;
		bool unjoined = atomic_load32(&t->state) == TS_DEAD && !t->reaped;
		if (unjoined) {
			t->reaped = true;               /* ours to free, below */
			dead[i / 64] |= 1ul << (i % 64);
		}
		spin_unlock(&t->join_lock);
		if (!unjoined) {
			sync_raise_base_prio(t, t->tid, prio);
			kill_notify(t, t->tid, false);
		}
	}
	spin_unlock(&table_lock);
	for (uint32_t w = 0; w < THREAD_MAX / 64; w++)
		for (uint64_t bits = dead[w]; bits; bits &= bits - 1)
			reap(&thread_table[w * 64 + (uint32_t)(unsigned)bit_lowest(bits)]);
}

/* Told to end: leave the channel it was sending on, tell the channels that
 * asked about thread deaths (unless the whole process goes), and end. */
static void __attribute__((noreturn)) thread_die(struct thread *t)
{
	struct process *p = t->proc;

	spin_lock(&t->join_lock);
	void *value = t->kill_value;
	spin_unlock(&t->join_lock);
	ipc_thread_abandon(t);
	ktimer_cancel(&t->timeout);     /* a REPLY timeout armed by a late receive */
	spin_lock(&p->lock);
	bool whole = p->exiting;
	spin_unlock(&p->lock);
	if (!whole)
		ipc_thread_death(p, t->tid);
	thread_exit(value);
}

void thread_user_return(void)
{
	struct thread *t = this_hart()->current;

	if (!atomic_load32(&t->killed))
		return;
	arch_irq_enable();
	thread_die(t);
}

bool thread_stats(uint32_t from, struct _thread_stats *out)
{
	for (uint32_t i = from ? from : 1; i < table_top; i++) {
		struct thread *t = &thread_table[i];
		struct process *p = t->proc;
		uint32_t st = atomic_load32(&t->state);
		if (st == TS_FREE || st == TS_DEAD || !p)
			continue;
		memset(out, 0, sizeof *out);
		out->slot = i;
		out->pid = (int32_t)p->pid;
		out->tid = (int32_t)t->tid;
		out->state = thread_user_state(t);
		out->prio = *(volatile uint8_t *)&t->prio;
		out->base_prio = t->base_prio;
		out->policy = t->policy;
		if (out->state == STATE_SEND || out->state == STATE_REPLY) {
			/* Channels and processes live in static pools: the
			 * pointers stay readable while they change. */
			struct channel *ch = t->ipc.ch;
			struct process *server = ch ? ch->owner : 0;
			out->blocked_pid = server ? (int32_t)server->pid : 0;
		}
		out->cpu_ns = ticks_to_ns(thread_cpu_ticks(t));
		out->runmask = *(volatile uint64_t *)&t->runmask;
		memcpy(out->name, t->name, sizeof out->name);
		out->name[sizeof out->name - 1] = 0;
		return true;
	}
	return false;
}
