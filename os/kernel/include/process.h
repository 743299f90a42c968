#pragma once
/* The kernel half of a process: its address space, threads and
 * credentials.  POSIX policy (sessions, fds, wait) belongs to taskman. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <keel/msg.h>            /* struct _cred_info */
#include "ipc.h"
#include "spinlock.h"
#include "waitq.h"

struct arch_uregs;

#define PROC_PRIVILEGED 1u      /* may make privileged calls (taskman) */
#define PROC_INIT       2u      /* the first process: its exit powers off */

#define PROC_CHANNELS    16
#define PROC_CONNECTIONS 256    /* per process, ordinary and side ones together */
#define PROC_SPACES      64     /* AsCreate/AsClone ids a process may hold */

struct vmspace;
struct thread;
struct channel;

struct process {
	/* Written under procs_lock; its end (0, or ended below) under lock
	 * too, so that a holder of lock sees the slot keep one process
	 * (process_lock_live). */
	uint32_t pid;
	uint32_t flags;
	char name[32];
	/* Its address space: replaced only by ProcessExec (with its one
	 * thread blocked), taken away when it ends; both under lock, which a
	 * caller holds to take a vmspace_get reference of another's space. */
	struct vmspace *vs;
	uint32_t privs;                 /* KCALL_PRIV_* the process holds */

	struct spinlock lock;           /* the fields below */
	struct _cred_info cred;         /* ProcessStart, ProcessSetCred; copied by fork */
	int32_t pgid, sid;              /* ProcessSetGroup: for SignalKill and client info */
	struct channel *chans[PROC_CHANNELS];   /* chid - 1 */
	/* NULL until the first ConnectAttach, then one page of
	 * PROC_CONNECTIONS (proc_conns_alloc; freed with the process): a
	 * process that never connects costs nothing.  Slots by
	 * proc_conn_slot: ordinary coids from the bottom, side ones from the
	 * top. */
	struct connection *conns;
	uint32_t nthreads;
	uint32_t stacks_made;           /* thread stacks the kernel allocated */
	struct vmspace *spaces[PROC_SPACES];    /* AsCreate ids - 1 (procmgr) */
	uint32_t space_users[PROC_SPACES];      /* calls working in spaces[i] now */
	struct process *parent;         /* who started it with ProcessStart, or NULL */
	bool ended;                     /* a zombie until its parent waits */
	int how;                        /* _PROC_EXITED / _PROC_KILLED */
	int exit_code;                  /* _PROC_KILLED: si_code of the signal */
	uint64_t fault_pc, fault_addr;
	struct waitq children_wq;       /* the parent waits here for a child to end */
	struct waitq threads_wq;        /* ProcessExec waits here for the other threads to end */

	/* Signals (sig.h). */
	struct sig_action {
		uint64_t handler;       /* SIG_DFL, SIG_IGN or a user address */
		uint64_t mask;
		int32_t flags;
	} sig_act[64];                  /* signo - 1 */
	uint64_t sigstub;               /* where handlers are entered (SignalAction) */
	uint64_t sig_pending;           /* directed at the process */
	struct list sig_q;              /* struct ksig records of sig_pending */
	struct waitq sig_wq;            /* SignalSuspend and SignalWaitinfo wait here */
	bool stopped;                   /* by a stop signal, until SIGCONT */
	struct waitq stop_wq;           /* its threads wait here while stopped */
	/* Not yet reported to ProcessWait (atomics: set under lock, claimed
	 * by the parent with a swap under its own lock). */
	volatile uint32_t report_stop;  /* stopped by this signal */
	volatile uint32_t report_cont;  /* continued */
	bool exiting;
	int exit_status;
	uint64_t cpu_gone_ticks;        /* CPU time of its threads that were freed */
};

/* A new process with an empty address space, or NULL. */
struct process *process_create(const char *name, uint32_t flags);
/* Build the user stack (argv) and start the first thread at entry with
 * a0..a3 as <keel/start.h> says (a3 is given by the caller). */
int process_start(struct process *p, uint64_t entry, int argc, const char *const *argv,
		  uint64_t a3);
/* The calling user thread's process ends with `status`. */
void process_exit(int status) __attribute__((noreturn));
/* The calling thread's process ends killed by signal signo (si_code code),
 * without a report line (a signal's default action). */
void process_exit_signal(int signo, int code) __attribute__((noreturn));
/* p, if it is still the live process pid, ends killed by signo (SIGKILL):
 * every thread is told to end.  0, or -ESRCH if p is not pid any more.  No
 * locks held; the caller may be one of p's threads (it ends on its way out). */
int process_kill(struct process *p, uint32_t pid, int signo, int code);
/* Kill the calling thread's process after a fault, with a one-line report;
 * its parent learns it was killed by signo (si_code code) at pc, addr. */
void process_fault(const char *cause, int signo, int code, uint64_t pc, uint64_t addr)
	__attribute__((noreturn));
/* Start the program named by init= on the command line from the boot image
 * as the first process.  Returns 1 when started, 0 when no init= was given,
 * or a negative errno (reported on the console). */
struct platform;
int process_spawn_init(const struct platform *plat);
/* Posted (kernel semaphore keyed by its address) when the last thread of
 * the first process is gone (its end powers off unless `ktest` is on the
 * command line too): the self-tests run then. */
extern uint32_t init_exited;
/* A process around a space from AsCreate (the process takes it over). */
/* The process table's locks: boot hart, once, before any process exists. */
void process_init(void);
struct process *process_create_in(const char *name, struct vmspace *vs, struct process *parent,
				  uint32_t privs);
/* Start p's first thread at pc with sp and a0..a3 at priority prio, its
 * signal mask sigmask (set before it runs a user instruction). */
int process_start_regs(struct process *p, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3, unsigned prio, uint64_t sigmask);
/* A child of parent that ended (pid -1: any), or with _PROC_WAIT_STOPPED
 * or _PROC_WAIT_CONTINUED in flags one that stopped or continued since it
 * was last reported: then *report is its stop signal, or SIGCONT (and the
 * report is claimed), else 0.  *any: it has children at all.  Caller holds
 * parent->lock. */
struct process *process_find_child(struct process *parent, int pid, unsigned flags, bool *any,
				   int *report);
/* Free the slot of a child whose end was reported. */
void process_reap(struct process *c);
/* The slot of connection id coid in a connection vector, or -1 (inline:
 * every message and pulse looks its connection up). */
static inline int proc_conn_slot(long coid)
{
	long c = coid & ~(long)_NTO_SIDE_CHANNEL;

	if (coid < 0 || c >= PROC_CONNECTIONS)
		return -1;
	return (coid & _NTO_SIDE_CHANNEL) ? PROC_CONNECTIONS - 1 - (int)c : (int)c;
}
/* The connection id of slot s. */
long proc_conn_coid(int s);
/* Make sure p has its connection vector: 0 or -ENOMEM.  No locks held. */
int proc_conns_alloc(struct process *p);
/* The live process with this pid, or NULL.  The lock is dropped on return:
 * by the time the caller looks, it may have ended and its slot gone to
 * another process.  Act on it under process_lock_live, or check pid where
 * the act is done. */
struct process *process_by_pid(uint32_t pid);
/* The live process in table slot i, or NULL (for walks over all of them;
 * the same caveat). */
struct process *process_at(int i);
/* Take p->lock if p is still the live process pid (not ended, its slot not
 * reused): true with the lock held, false without it.  While the lock is
 * held p stays pid.  No locks of rank "process" or above held. */
bool process_lock_live(struct process *p, uint32_t pid);
/* Slots a walk with process_at needs to visit: the ones past are free. */
int process_slots(void);
#define PROC_TABLE 1024
/* A new process in vs (taken over) for the caller `starter`: its first
 * thread copies the user registers (FP too) of thread t of parent, which
 * is blocked in a kernel call, and returns from that call with 0; it has
 * copies of parent's connections, credentials and groups.  0 and the new
 * pid in *out_pid (read before the child runs: by the time the caller looks,
 * the child may have ended and been reaped), or
 * -EAGAIN (no process slot or thread), -ESRCH (t, thread tid, ended
 * meanwhile: its slot may hold another thread by now); vs is
 * the caller's again on failure.  No locks held. */
int process_fork(struct process *parent, struct thread *t, uint32_t tid, struct vmspace *vs,
		 struct process *starter, int32_t *out_pid);
/* The user registers (FP too) of thread t (thread tid of p) into *r, if
 * it is blocked: false at once if it is not, or stops being blocked while
 * it finishes switching away (it never waits on a running thread). */
bool process_snapshot(struct thread *t, uint32_t tid, struct process *p, struct arch_uregs *r);
/* Replace the image of p, process pid: every thread but t ends (waited
 * for), vs becomes p's space (the old one is freed), and t, blocked
 * sending a message (SEND or REPLY: the space changes under that channel's
 * lock, which every copy into t's space holds), starts at the given
 * registers when that call returns.  0, or -ESRCH if p ends meanwhile or t is not blocked so,
 * -EINTR if the caller is told to end (vs not taken then).  name (the
 * program's path; "" keeps p's) becomes p's name with the new space. */
struct proc_regs {
	uint64_t pc, sp, a0, a1, a2, a3;
};
int process_exec(struct process *p, uint32_t pid, struct thread *t, uint32_t tid,
		 struct vmspace *vs, const struct proc_regs *regs, uint32_t privs,
		 const char *name);
/* A reference to p's space (vmspace_destroy drops it), or NULL if p ended. */
struct vmspace *process_space_get(struct process *p);
/* True if the calling thread is the only thread of its process. */
bool process_alone(void);
/* Name p after the file name of the program path (its last component). */
void process_set_name(struct process *p, const char *path);
/* Called when a thread of p is reaped (the last one frees p). */
void process_thread_gone(struct process *p);
