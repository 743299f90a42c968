#pragma once
/* Threads: one object for kernel threads and (later) user threads. */
#include <stdbool.h>
#include <stdint.h>
#include <keel/sched.h>          /* SCHED_FIFO, SCHED_RR, SCHED_OTHER (QNX values) */
#include "hart.h"
#include "ipc.h"
#include "ktimer.h"
#include "list.h"
#include "spinlock.h"
#include "waitq.h"

#define THREAD_MAX      2048            /* system-wide: a thread per process and more */
#define KSTACK_PAGES    4               /* 16 KiB, with an unmapped guard page below */
#define PRIO_IDLE       0               /* only the idle threads */
#define PRIO_MIN        1
#define PRIO_MAX        255
#define PRIO_DEFAULT    10
#define RR_SLICE_TICKS  4

enum thread_state {
	TS_FREE = 0,
	TS_READY,
	TS_RUNNING,
	TS_BLOCKED,
	TS_DEAD,
};


struct context {                /* callee-saved registers (switch.S) */
	uint64_t ra, sp, s[12];
};

struct sync_obj;
struct process;

struct thread {
	/* The slot's locks, kept across its reuse: set up once (slot_alloc's
	 * first call) and never zeroed, since a caller that looked the slot up
	 * by an id that went stale meanwhile may still hold or wait for one
	 * (it then finds another tid under it and lets go).  Everything from
	 * tid on is zeroed when the slot is taken. */
	struct spinlock join_lock;      /* life: see below */
	/* thread_sleep_ns's wait: in the thread object, never on its stack (a
	 * waker that read wq_lock before the sleep ended may still lock it). */
	struct spinlock sleep_lock;

	/* Identity: fixed while the slot is in use. */
	uint32_t tid;                   /* generation << 16 | slot */
	uint16_t slot;
	uint16_t gen;
	char name[16];
	bool detached;
	void (*entry)(void *);
	void *arg;
	uint64_t kstack_top;
	struct process *proc;           /* NULL for kernel threads */
	void *uframe;                   /* user threads: the trap frame, at the stack top */

	/* Floating point (user threads): fp_on goes 0 -> 1 at the thread's
	 * first FP instruction; fp holds its registers whenever it is not
	 * running (written by the hart that switches it out, see arch.h). */
	uint32_t fp_on;
	uint64_t fp[ARCH_FP_WORDS];

	/* ProcessExec: set while the thread is blocked in a kernel call (by
	 * the process manager it is blocked on); when that call returns, the
	 * thread starts over at these registers instead (arch_user_restart). */
	volatile uint32_t restart_pending;
	/* Told to end: it does at its next return to user (set under
	 * join_lock; an atomic that only ever goes 0 -> 1 while the slot is in
	 * use).  Beside restart_pending: the way out of a kernel call reads
	 * the two in one load (kcall.c). */
	volatile uint32_t killed;
	uint64_t restart_regs[6];       /* pc, sp, a0, a1, a2, a3 */

	/* Signals (sig.h): guarded by proc->lock, except the three atomics. */
	uint64_t sig_mask;              /* blocked */
	uint64_t sig_pending;           /* directed at this thread */
	uint64_t sig_waitset;           /* SignalWaitinfo's set while it waits */
	uint64_t sig_saved_mask;        /* SignalSuspend: the mask to go back to */
	bool sig_saved;
	struct list sig_q;              /* struct ksig records of sig_pending */
	volatile uint32_t sig_wake;     /* something may be deliverable: waits are refused */
	volatile uint32_t sig_broke;    /* a signal ended the current call's wait (one load
					 * with sig_wake on the way out: kcall.c) */
	volatile uint32_t sig_nointr;   /* in a wait that signals must not end (own thread only) */
	uint64_t sig_call_arg0;         /* the call's first argument, for a restart */
	uint32_t sig_call;              /* the kernel call returning now + 1, or 0 */
	bool sig_unseen;                /* the call a signal broke was a send no server had
					 * received: it starts again after any handler
					 * (own thread only) */

	/* Scheduling.  state and on_cpu are shared words (atomics); the rest
	 * changes under the lock of the run queue the thread is on, or by the
	 * thread itself while it runs. */
	volatile uint32_t state;
	volatile uint32_t on_cpu;       /* 1 from switch-in until switch-out completes */
	volatile uint32_t rq_hart;      /* run queue it is queued on */
	uint32_t migrating;             /* set by its hart: queue it elsewhere after the switch */
	volatile uint32_t wake_queue;   /* woken while switching away: its hart queues it */
	uint8_t prio;                   /* effective: base or inherited */
	uint8_t base_prio;
	uint8_t policy;
	uint8_t rq_prio;                /* the queue it is on (prio may change meanwhile) */
	uint32_t slice;                 /* RR ticks left */
	uint64_t runmask;               /* harts (by index) it may run on */
	uint32_t last_hart;
	struct list rq_link;            /* never shared with wait_link */
	uint64_t switches;

	/* CPU time: written only by the hart switching the thread in or out,
	 * with cpu_seq odd meanwhile; read by anyone through thread_cpu_ticks. */
	volatile uint32_t cpu_seq;
	volatile uint64_t cpu_ticks;    /* timebase ticks run up to its last switch-out */
	volatile uint64_t run_since;    /* when it was switched in; 0 while it is not running */
	bool cpu_counted;               /* cpu_ticks added to its process (under proc->lock) */

	/* Waiting: guarded by the lock of the queue's owner (wq_lock). */
	struct waitq *wq;
	struct spinlock *wq_lock;
	struct list wait_link;
	int wait_result;
	uint32_t wait_seq;
	struct ktimer timeout;

	/* Priority inheritance: guarded by the PI lock. */
	struct list owned;              /* mutexes held that have waiters */
	struct sync_obj *blocked_on;    /* mutex waited for */
	uint32_t pi_id;                 /* its tid until it ends: only then may it own */

	/* Message passing: guarded by the lock of the channel in ipc.ch (ipc.h). */
	struct thread_ipc ipc;

	/* The IPC fast path (ipc_fast.c): a thread blocked with a continuation
	 * (its ctx starts over at arch_cont_entry on an empty stack) and what
	 * it finishes there.  Set and cleared by the thread itself. */
	uint8_t cont;                   /* IPC_CONT_*, IPC_CONT_NONE while it runs */
	uint32_t cont_call;             /* the kernel call it is in */
	uint64_t cont_uinfo;            /* IPC_CONT_RECV: where its _msg_info goes */

	/* TimerTimeout: covers the thread's next blocking kernel call only. */
	uint32_t tmo_states;            /* 1 << STATE_* the timeout applies to */
	/* The STATE_* its current kernel call may block in (kcall_deadline), 0
	 * between calls: written by the thread itself, read by ThreadState. */
	volatile uint32_t call_state;
	uint64_t tmo_deadline;          /* timebase ticks */

	/* Life: guarded by join_lock (and killed, above). */
	struct waitq joiners;
	struct waitq sleep_wq;          /* under sleep_lock */
	void *exit_value;
	bool reaped;                    /* someone has claimed freeing the slot */
	void *kill_value;               /* the exit value it then ends with */
	uint64_t ustack;                /* a user stack ThreadCreate made for it (its lowest
					 * address), unmapped when it ends; 0: none */

	struct context ctx;
};

/* Create a kernel thread running entry(arg); returns it READY (already
 * queued) or NULL when out of slots or memory.  runmask 0 means any hart. */
struct thread *kthread_create(const char *name, void (*entry)(void *), void *arg,
			      unsigned prio, unsigned policy, uint64_t runmask);
/* Create a user thread of process p that starts in the kernel at
 * entry(arg) (which enters user mode); detached.  NULL if out of slots. */
struct thread *uthread_create(struct process *p, const char *name, void (*entry)(void *),
			      void *arg, unsigned prio);
/* uthread_create without starting it: the caller sets t->arg and other
 * fields, then calls thread_release(t). */
/* The stack ThreadCreate made for user thread t, if any, unmapped
 * (sys_thread.c; at its end, in thread_exit). */
void uthread_stack_free(struct thread *t);
struct thread *uthread_create_held(struct process *p, const char *name,
				   void (*entry)(void *), unsigned prio);
void thread_release(struct thread *t);
/* The calling thread ends with `value` (joinable unless detached). */
void thread_exit(void *value) __attribute__((noreturn));
/* Wait for thread `tid` to end; returns 0 and its value, -ESRCH for a
 * stale or unknown id, -EDEADLK for itself, -EINVAL if detached. */
int thread_join(uint32_t tid, void **value);
/* thread_join until the absolute timebase deadline (WAIT_FOREVER: none):
 * also -ETIMEDOUT, and -EINTR for a joiner told to end. */
int thread_join_until(uint32_t tid, void **value, uint64_t deadline);
int thread_detach(uint32_t tid);
/* The slots, by the low 16 bits of a tid (slot 0 unused). */
extern struct thread thread_table[THREAD_MAX];
/* The thread with this id if the id is current, else NULL (no reference
 * kept).  Inline: a reply names its client this way. */
static inline struct thread *thread_lookup(uint32_t tid)
{
	uint32_t slot = tid & 0xffff;

	if (slot == 0 || slot >= THREAD_MAX)
		return 0;
	struct thread *t = &thread_table[slot];
	if (t->tid != tid || *(const volatile uint32_t *)&t->state == TS_FREE)
		return 0;
	return t;
}
/* What ThreadState says of t: a STATE_* of <keel/thread.h>. */
uint32_t thread_user_state(const struct thread *t);
/* The first user thread in a slot at or above `from`, described for
 * SysInfo (a snapshot read without locks); false when there is none. */
struct _thread_stats;
bool thread_stats(uint32_t from, struct _thread_stats *out);
/* Interrupts off between reading tp and current: a thread preempted in
 * between could move to another hart and read that hart's thread. */
static inline struct thread *thread_current(void)
{
	unsigned long s = arch_irq_save();
	struct thread *t = this_hart()->current;

	arch_irq_restore(s);
	return t;
}
/* Make the boot context of this hart its idle thread. */
void thread_init_idle(void);
void thread_free(struct thread *t);
/* After a switch away from dead thread t: free it if it is detached and
 * nobody else has claimed it. */
void thread_reap_if_detached(struct thread *t);
uint32_t threads_in_use(void);
/* Timebase ticks t has run, including its current stretch on a hart. */
uint64_t thread_cpu_ticks(struct thread *t);
/* Timebase ticks all threads of p have run, the ended ones included, into
 * *ticks; false if p is not the live process pid any more.  No locks held. */
bool process_cpu_ticks(struct process *p, uint32_t pid, uint64_t *ticks);
/* Block the calling thread for ns nanoseconds. */
void thread_sleep_ns(uint64_t ns);

/* Tell user thread t to end with `value` (the first value told wins) and
 * wake it from any wait; a thread running on another hart is interrupted
 * so that it notices on its way back to user mode.  The tid must still name
 * t; returns false (nothing done) if it does not or t has ended.  Locks
 * held: none.  Every lock a user thread waits under is in static storage,
 * so waking it through a stale lock pointer is harmless. */
bool thread_kill(struct thread *t, uint32_t tid, void *value);
/* Kill every thread of p (the caller too, if it is one), at the caller's
 * priority at least, and make them all detached so that each is freed once
 * it ends: an ending process has no joiners left.  Threads already ended
 * but not joined are freed now.  Locks held: none. */
void thread_kill_process(struct process *p, uint32_t pid);
/* The same for every thread of p but keep (ProcessExec).  Both do nothing
 * if p is not process pid any more (its slot reused). */
void thread_kill_others(struct process *p, uint32_t pid, struct thread *keep);
/* Signal bit (0: every thread, to stop) generated for p (nothing if it is
 * not process pid any more), or for thread only: wake the thread that should look at it (see sig.h): one that
 * waits for it in SignalWaitinfo, else (if wake) one that does not block
 * it; with bit 0 all of them.  Locks held: none. */
void thread_sig_notify(struct process *p, uint32_t pid, struct thread *only, uint64_t bit,
		       bool wake);
/* Signal signo set to SIG_IGN for p (nothing if it is not process pid any
 * more): what its threads have pending of it is dropped (sig_discard).
 * Locks held: none. */
void thread_sig_discard(struct process *p, uint32_t pid, int signo);
/* Whether some live thread of p does not block signal bit (a snapshot).
 * Locks held: none. */
bool thread_sig_open(struct process *p, uint64_t bit);
/* True if the calling thread has been told to end. */
bool thread_killed(void);
/* The slot p points into (a report's aid), or NULL. */
const struct thread *thread_containing(const void *p);
/* Interrupts off, just before a user thread goes (back) to user mode: a
 * thread told to end, or of a process that is ending, ends here instead. */
void thread_user_return(void);

/* The IPC fast path's per-thread helpers (ipc.h says what they do). */
#include <keel/kcall.h>
#include "atomic.h"
void arch_cont_entry(void);

static inline bool ipc_fast_ok(const struct thread *t)
{
	return !ipc_fast_off && t->proc && !t->tmo_states && !atomic_load32(&t->sig_wake) &&
	       !atomic_load32(&t->killed) && !atomic_load32(&t->restart_pending);
}

/* ipc_cont_set for kernel call `call` (which ipc_cont_set reads from
 * sig_call, as the dispatch set it). */
static inline __attribute__((always_inline)) void ipc_cont_set_call(struct thread *t, uint8_t op,
								     uint64_t uinfo,
								     uint32_t call)
{
	t->cont = op;
	t->cont_call = call;
	t->cont_uinfo = uinfo;
	t->ctx.ra = (uint64_t)arch_cont_entry;
	t->ctx.sp = (uint64_t)t->uframe;        /* the stack starts below the user frame */
}

static inline __attribute__((always_inline)) void ipc_cont_set(struct thread *t, uint8_t op,
								uint64_t uinfo)
{
	ipc_cont_set_call(t, op, uinfo, t->sig_call ? t->sig_call - 1 : KCALL_MsgSendv);
}
