#pragma once
/* Signals, the kernel half (the ABI is <keel/signal.h>).
 *
 * A signal is generated for a process (any thread may take it) or for one
 * thread, and stays pending there until a thread that does not block it
 * goes back to user mode: then its action runs there (sig_user_return).
 * Generating one wakes a thread that could take it from any wait (its
 * kernel call ends with EINTR, or starts again after a handler with
 * SA_RESTART, when no handler ran, or when it was a send still waiting
 * for its server to receive it: t->sig_unseen); waits that must not end that way
 * set t->sig_nointr.  A signal whose action is SIG_IGN is discarded when
 * generated; one ignored by default stays pending while blocked (so that
 * SignalWaitinfo can take it) and is discarded when delivered.  SIGKILL
 * ends the process at once; SIGCONT continues a stopped process when it
 * is generated; stop signals stop every thread at its next return to user
 * mode.  The first process (taskman) gets only the signals it catches.
 *
 * Locks: every signal field of a process and of its threads is guarded by
 * the process's lock, except the thread's sig_wake, sig_broke and
 * sig_nointr words (atomics).  Pending records come from a fixed pool
 * (LR_SIGPOOL, taken under the process lock); when it runs dry a signal
 * is still pending, with only its number as information. */
#include <stdbool.h>
#include <stdint.h>
#include <keel/signal.h>

struct process;
struct thread;

#define SIGBIT(n)       (1ul << ((n) - 1))
#define SIG_CANTMASK    (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* struct _sigframe.__kernel[1]: __kernel[0] is a timeout deadline and the
 * low 32 bits its states, armed again by SignalReturn (signal.c). */
#define SIGFRAME_TMO    (1ull << 63)

/* A new process's dispositions (all default) and queues. */
void sig_process_init(struct process *p);
/* A new thread's queue (mask and pending sets start empty). */
void sig_thread_init(struct thread *t);
/* Generate info->si_signo (1.._SIGMAX) for p, or for thread t of p when
 * t is not NULL, if p is still the live process pid (checked under its
 * lock where the signal is marked: a pointer looked up earlier may name a
 * slot that went to another process since).  0, or -ESRCH if p is not pid
 * any more.  No locks held. */
int sig_post(struct process *p, uint32_t pid, struct thread *t, const siginfo_t *info);
/* A sigevent that asks for a signal (SIGEV_SIGNAL, _SIGNAL_CODE with a
 * code <= 0, _SIGNAL_THREAD) with a valid number. */
bool sig_event_ok(const struct sigevent *ev);
/* Generate the signal of such an event for p, if it is still process pid
 * (SIGEV_SIGNAL_THREAD: for its thread t, dropped if t is not p's any
 * more); code is the si_code when the event does not name one (SI_TIMER,
 * SI_USER ...).  No locks held; callable from interrupt context (timer
 * expiries). */
void sig_event(struct process *p, uint32_t pid, struct thread *t, const struct sigevent *ev,
	       int code);
/* Take pending signo (the thread's first, else the process's) into
 * *info.  Process lock held. */
void sig_take(struct process *p, struct thread *t, int signo, siginfo_t *info);
/* A new process p (no thread yet) ignores what process pid ignores, but
 * for the signals in except (posix_spawn's inheritance and sigdefault);
 * nothing if pid is gone.  No locks held. */
void sig_inherit_ignored(struct process *p, uint32_t pid, uint64_t except);
/* Exec: caught signals go back to SIG_DFL (ignored ones stay ignored). */
void sig_exec(struct process *p);
/* Pending records of an ending thread or process go back to the pool. */
void sig_thread_gone(struct thread *t);
/* Drops a pending signo and its queued information: thread t's, or with t
 * NULL the process p's (SIG_IGN set: POSIX discards it).  p's lock held. */
void sig_discard(struct process *p, struct thread *t, int signo);
void sig_process_gone(struct process *p);
/* The calling thread is about to return to user mode through frame
 * (interrupts off, no locks): stop while its process is stopped, deliver
 * one pending signal, restart an interrupted call.  May end the process. */
void sig_user_return(void *frame);
/* raise's path: thread t (the caller, through user frame f) sends itself
 * info->si_signo, its kernel call's result to be ret.  When a handler
 * catches it, the thread does not block it and nothing else pending could
 * go first, it is delivered now, with no pending record: the frame (which
 * keeps ret as the interrupted code's a0) is pushed and the process's
 * handler trampoline (p->sigstub) is entered; returns the frame's address,
 * which the call returns so that the trampoline finds it in a0.
 * Otherwise returns SIG_RAISE_LATER and changes nothing: the caller posts
 * it as usual.  No locks held, interrupts on. */
#define SIG_RAISE_LATER (-4096l)
long sig_raise_now(struct thread *t, void *f, const siginfo_t *info, long ret);
/* A frame SignalReturn names, from the user's memory (the FP part only
 * when fp_used says it was saved): its general registers straight into
 * the calling thread's trap frame f, the rest into *fr (ctx.x left out).
 * 0; -EFAULT with f untouched when the header cannot be read; a frame
 * whose registers cannot be read ends the process (SIGSEGV).  Interrupts on. */
int sigframe_copy_in(struct _sigframe *fr, uint64_t uframe, void *f);
/* The calling thread faulted: a caught, unblocked signo goes to its
 * handler (returns true: the frame now enters it); anything else ends
 * the process (does not return).  Interrupts on. */
bool sig_fault(void *frame, const char *cause, int signo, int code, uint64_t addr);
