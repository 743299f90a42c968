#pragma once
/* Signals: numbers, sets, the information a handler receives, actions, and
 * the frame the kernel builds on the user stack.  Numbers, flag values and
 * si_code values follow QNX Neutrino; libc builds <signal.h> on this.
 * The calls (prototypes in <keel/neutrino.h>); pid 0 and tid 0 name the
 * caller's process and thread:
 *
 *   SignalKill(pid, tid, signo, code, value) -> 0
 *       Arguments: pid > 0 a process (tid: one of its threads, or 0 for
 *       whichever thread does not block it), pid < 0 every process of
 *       group -pid (tid must be 0); signo 0.._SIGMAX (0: only check);
 *       code, the si_code (<= 0 unless the caller is the process manager);
 *       value, si_value.  The receiver's si_pid and si_uid name the caller,
 *       except for the process manager's SIGCHLD with a CLD_* code: value
 *       holds the child's pid (low 32 bits) and status (high 32 bits),
 *       which become si_pid and si_status.
 *       Permission: the process manager, an euid of 0, or a real or
 *       effective uid of the caller equal to the receiver's real or saved
 *       uid.  SIGKILL ends the process at once; SIGCONT continues a
 *       stopped one when sent; stop signals stop every thread.  The first
 *       process (taskman) is sent only the signals it catches; others
 *       (SIGKILL and SIGSTOP too) are discarded.
 *       Errors: EINVAL bad signo or code, or tid with a group; ESRCH no
 *       such process, thread or group member; EPERM not permitted (for a
 *       group: no member was).
 *   SignalAction(pid, sigstub, signo, act, oact) -> 0
 *       Arguments: pid, the caller's own (another's only for the process
 *       manager, e.g. to reset dispositions for posix_spawn); sigstub,
 *       the process's handler entry (0: keep the one set before); act
 *       (NULL: only read) and oact (NULL: not wanted).  Setting SIG_IGN
 *       discards a pending one.
 *       Errors: EINVAL bad signo, or SIGKILL/SIGSTOP not SIG_DFL; EFAULT
 *       bad act, oact or sigstub; ESRCH no such process; EPERM another's.
 *   SignalProcmask(pid, tid, how, set, oldset) -> 0
 *       Arguments: how SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK (set NULL: only
 *       read), or SIG_PENDING (*oldset = the thread's and the process's
 *       pending signals).  SIGKILL and SIGSTOP never stay blocked.  A
 *       signal unblocked here is delivered before the call returns.
 *       Errors: EINVAL bad how; EFAULT bad set or oldset; ESRCH no such
 *       process or thread; EPERM another process's (not the manager).
 *   SignalSuspend(set) -> -EINTR, always
 *       Waits with set as the mask until a signal is delivered; the mask
 *       is back to what it was after its handler.  TimerTimeout with
 *       _NTO_TIMEOUT_SIGSUSPEND bounds it.  Errors: EFAULT bad set.
 *   SignalWaitinfo(set, info) -> the signal number taken
 *       Takes a pending signal of set (normally blocked) without running
 *       its action, waiting if there is none; *info (if info) is its
 *       information.  Errors: EINVAL empty set; EFAULT bad set or info;
 *       EINTR another, unblocked, signal came; EAGAIN the
 *       _NTO_TIMEOUT_SIGWAITINFO timeout passed.
 *   SignalReturn(frame) -> does not return to its caller
 *       Resumes the code that the frame's signal interrupted: every
 *       register, the FP state and the mask come from *frame (SIGKILL and
 *       SIGSTOP never blocked).  Errors: EFAULT bad frame.
 *
 * Delivery.  A signal not blocked by a thread's mask is delivered when the
 * thread next goes (back) to user mode; a thread blocked in a kernel call
 * is woken for it (the call fails with EINTR, or starts again with
 * SA_RESTART; a MsgSend whose message no server had received yet always
 * starts again, as if the signal had come before it).  For a caught signal the kernel pushes a struct _sigframe
 * below the thread's stack pointer (16-byte aligned, nothing of the stack
 * above it touched), adds sa_mask and the signal itself (unless
 * SA_NODEFER) to the thread's mask, and enters the process's sigstub with
 * a0 = sp = the frame.  The stub (libc's) calls frame->handler(signo,
 * &frame->info, &frame->ctx) and then SignalReturn(frame), which restores
 * every register, the FP state and the mask from the frame.  Handlers
 * nest: a second signal pushes its frame below the first. */
#include <stddef.h>
#include <stdint.h>
#include "sigevent.h"

#define SIGHUP      1
#define SIGINT      2
#define SIGQUIT     3
#define SIGILL      4
#define SIGTRAP     5
#define SIGABRT     6
#define SIGIOT      SIGABRT
#define SIGEMT      7
#define SIGFPE      8
#define SIGKILL     9
#define SIGBUS      10
#define SIGSEGV     11
#define SIGSYS      12
#define SIGPIPE     13
#define SIGALRM     14
#define SIGTERM     15
#define SIGUSR1     16
#define SIGUSR2     17
#define SIGCHLD     18
#define SIGCLD      SIGCHLD
#define SIGPWR      19
#define SIGWINCH    20
#define SIGURG      21
#define SIGPOLL     22
#define SIGIO       SIGPOLL
#define SIGSTOP     23
#define SIGTSTP     24
#define SIGCONT     25
#define SIGVTALRM   26
#define SIGPROF     27
#define SIGTTIN     28
#define SIGTTOU     29
#define SIGXCPU     30
#define SIGXFSZ     31
#define SIGRTMIN    41
#define SIGRTMAX    56
#define _SIGMIN     1
#define _SIGMAX     64          /* signals are 1.._SIGMAX */

/* A set of signals: signal n is bit n - 1 of the 64-bit value
 * (__bits[0] holds 1..32). */
typedef struct {
	uint32_t __bits[2];
} sigset_t;

typedef struct {
	int32_t si_signo;
	int32_t si_code;                /* SI_* or the signal's own codes */
	int32_t si_errno;
	int32_t si_pid;                 /* sender (SI_USER, SI_QUEUE), or the child (SIGCHLD) */
	int32_t si_uid;                 /* sender's real uid */
	int32_t si_status;              /* SIGCHLD: exit status or signal */
	union sigval si_value;          /* SignalKill's value */
	void *si_addr;                  /* faults: the address that faulted */
	uint64_t si_pc;                 /* Keel: faults: the pc that faulted */
} siginfo_t;

/* si_code (QNX values) */
#define SI_USER     0
#define SI_QUEUE    (-1)
#define SI_TIMER    (-2)
#define SI_ASYNCIO  (-3)
#define SI_MESGQ    (-4)
#define SI_NOTHREAD (-5)
#define SI_KERNEL   (-6)            /* Keel: sent by the kernel (SIGKILL of a failed exec ...) */
#define ILL_ILLOPC  1
#define ILL_PRVOPC  5
#define FPE_INTDIV  1
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define BUS_OBJERR  3
#define TRAP_BRKPT  1
#define CLD_EXITED  1
#define CLD_KILLED  2
#define CLD_DUMPED  3
#define CLD_TRAPPED 4
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

struct sigaction {
	union {
		void (*sa_handler)(int);
		void (*sa_sigaction)(int, siginfo_t *, void *);
	};
	int32_t sa_flags;               /* SA_* */
	uint32_t __reserved;            /* 0 */
	sigset_t sa_mask;               /* blocked while the handler runs */
};

#define SIG_DFL     ((void (*)(int))0)
#define SIG_IGN     ((void (*)(int))1)
#define SIG_ERR     ((void (*)(int))-1)

/* sa_flags */
#define SA_NOCLDSTOP 0x0001         /* no SIGCHLD when a child stops (policy: taskman) */
#define SA_SIGINFO   0x0002         /* informational only: both shapes get all three args */
#define SA_RESETHAND 0x0004         /* back to SIG_DFL once delivered */
#define SA_NODEFER   0x0008         /* the signal is not blocked in its handler */
#define SA_NOCLDWAIT 0x0020         /* policy: taskman */
#define SA_RESTART   0x0040         /* an interrupted kernel call starts again */

/* SignalProcmask's how */
#define SIG_BLOCK    0
#define SIG_UNBLOCK  1
#define SIG_SETMASK  2
#define SIG_PENDING  5              /* *oldset = the thread's and process's pending set */

/* The user registers at delivery: what SignalReturn restores. */
struct _sigregs {
	uint64_t pc;
	uint32_t fp_used;               /* fcsr and f are meaningful (and were written) */
	uint32_t __reserved;
	uint64_t x[31];                 /* x1..x31: x[n - 1] is register xn */
	uint64_t fcsr;
	uint64_t f[32];
};

/* In the order the kernel writes it: what a thread without FP state needs
 * is one run up to ctx.fcsr, the FP part only follows when fp_used. */
struct _sigframe {
	void (*handler)(int, siginfo_t *, void *);
	int32_t signo;
	int32_t sa_flags;
	siginfo_t info;
	sigset_t mask;                  /* the thread's mask before delivery */
	uint64_t __kernel[2];           /* the kernel's own (restart state); keep as is */
	struct _sigregs ctx;            /* third handler argument */
};

_Static_assert(sizeof(sigset_t) == 8, "sigset_t layout");
_Static_assert(sizeof(siginfo_t) == 48, "siginfo_t layout");
_Static_assert(sizeof(struct sigaction) == 24, "struct sigaction layout");
_Static_assert(sizeof(struct _sigregs) == 528, "struct _sigregs layout");
_Static_assert(offsetof(struct _sigframe, info) == 16, "struct _sigframe layout");
_Static_assert(offsetof(struct _sigframe, ctx) == 88, "struct _sigframe layout");
_Static_assert(sizeof(struct _sigframe) == 616, "struct _sigframe layout");
