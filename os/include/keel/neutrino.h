#pragma once
/* The kernel calls as C functions, in both QNX shapes:
 *   Foo(...)    returns -1 and sets errno on failure;
 *   Foo_r(...)  returns -errno on failure and leaves errno alone.
 * On success both return the same value (>= 0).  Every row of KCALL_TABLE
 * in <keel/kcall.h> has a pair here (the user runtime checks that at
 * compile time); the stubs themselves are generated from the table.  The
 * scalar message calls at the end (MsgSend, MsgReceive, ...) are library
 * wrappers over the vector calls, not kernel calls. */
#include <stddef.h>
#include <stdint.h>
#include "clock.h"
#include "hwinfo.h"
#include "intr.h"
#include "kobjects.h"
#include "msg.h"
#include "procmgr.h"
#include "sched.h"
#include "sigevent.h"
#include "sysinfo.h"
#include "signal.h"
#include "sync.h"
#include "thread.h"

/* Declares Foo and Foo_r with one parameter list. */
#define KEEL_KCALL_DECL(ret, name, params) \
	ret name params; \
	ret name##_r params

/* Debugging and process life (Keel's own). */
KEEL_KCALL_DECL(int, KernelNop, (void));
KEEL_KCALL_DECL(int, DebugPutString, (const char *s, size_t len));
KEEL_KCALL_DECL(__attribute__((noreturn)) void, ProcessExit, (int status));

/* Channels and connections. */
KEEL_KCALL_DECL(int, ChannelCreate, (unsigned flags));
KEEL_KCALL_DECL(int, ChannelDestroy, (int chid));
KEEL_KCALL_DECL(int, ConnectAttach, (uint32_t nd, int pid, int chid, unsigned index, int flags));
KEEL_KCALL_DECL(int, ConnectDetach, (int coid));
KEEL_KCALL_DECL(int, ConnectClientInfo, (int scoid, struct _client_info *info, int ngroups));
/* Keel's own: 0 if process scoid (a client's, as MsgReceive's info and a
 * DISCONNECT pulse name it) holds a connection to the caller's channel
 * chid; -ENOTCONN if it holds none (any more), -ESRCH if there is no such
 * process, -EINVAL for a chid not the caller's.  A server with several
 * channels asks per channel: ConnectClientInfo answers for all of them. */
KEEL_KCALL_DECL(int, ConnectClientOf, (int scoid, int chid));

/* Messages and pulses. */
KEEL_KCALL_DECL(long, MsgSendv, (int coid, const iov_t *siov, size_t sparts,
				 const iov_t *riov, size_t rparts));
KEEL_KCALL_DECL(long, MsgSendvs, (int coid, const iov_t *siov, size_t sparts,
				  void *rmsg, size_t rbytes));
KEEL_KCALL_DECL(long, MsgSendsv, (int coid, const void *smsg, size_t sbytes,
				  const iov_t *riov, size_t rparts));
KEEL_KCALL_DECL(int, MsgReceivev, (int chid, const iov_t *riov, size_t rparts,
				   struct _msg_info *info));
KEEL_KCALL_DECL(int, MsgReceivePulsev, (int chid, const iov_t *riov, size_t rparts,
					struct _msg_info *info));
KEEL_KCALL_DECL(int, MsgReplyv, (int rcvid, long status, const iov_t *riov, size_t rparts));
KEEL_KCALL_DECL(int, MsgError, (int rcvid, int err));
KEEL_KCALL_DECL(long, MsgReadv, (int rcvid, const iov_t *riov, size_t rparts, size_t offset));
KEEL_KCALL_DECL(long, MsgWritev, (int rcvid, const iov_t *siov, size_t sparts, size_t offset));
KEEL_KCALL_DECL(int, MsgInfo, (int rcvid, struct _msg_info *info));
KEEL_KCALL_DECL(int, MsgSendPulse, (int coid, int priority, int code, int value));
KEEL_KCALL_DECL(int, MsgDeliverEvent, (int rcvid, const struct sigevent *event));
/* Keel's own: MsgReplyv(rcvid, status, riov, rparts) and then, if the reply
 * was taken, MsgReceivev(chid, rcviov, rcvparts, info), in one kernel call:
 * a server's loop pays one trap per message instead of two.  Eight
 * arguments in six registers: rcvid and chid share the first
 * (_MSG_RR_IDS), the two part counts the fourth (_MSG_RR_PARTS).  Returns
 * what MsgReceivev returns; a reply that fails (ESRCH, EFAULT, EINVAL)
 * returns its error and receives nothing.  MsgReplyReceive is the form
 * with one buffer on each side. */
#define _MSG_RR_IDS(rcvid, chid) ((uint64_t)(uint32_t)(rcvid) | (uint64_t)(uint32_t)(chid) << 32)
#define _MSG_RR_PARTS(rparts, rcvparts) \
	((uint64_t)(uint32_t)(rparts) | (uint64_t)(uint32_t)(rcvparts) << 32)
KEEL_KCALL_DECL(int, MsgReplyReceivev, (uint64_t ids, long status, const iov_t *riov,
					uint64_t parts, const iov_t *rcviov,
					struct _msg_info *info));
/* Keel's own: MsgReplyReceivev with one buffer each way, their sizes (each
 * under 4 GiB) in one register as the part counts are there
 * (_MSG_RR_PARTS(rbytes, bytes)): the kernel reads no vector.
 * MsgReplyReceive calls it. */
KEEL_KCALL_DECL(int, MsgReplyReceives, (uint64_t ids, long status, const void *rmsg,
					uint64_t sizes, void *msg, struct _msg_info *info));

/* Threads and scheduling.  pid 0 is the caller's process; tid 0 the caller. */
KEEL_KCALL_DECL(int, ThreadCreate, (int pid, void *(*func)(void *), void *arg,
				    const struct _thread_attr *attr));
/* tid -1: every thread of the process, which ends with status; another
 * thread ends at `priority` at least (-1: the caller's) and its joiner
 * gets status. */
KEEL_KCALL_DECL(int, ThreadDestroy, (int tid, int priority, void *status));
KEEL_KCALL_DECL(int, ThreadJoin, (int tid, void **status));
KEEL_KCALL_DECL(int, ThreadDetach, (int tid));
KEEL_KCALL_DECL(int, SchedGet, (int pid, int tid, struct sched_param *param));
KEEL_KCALL_DECL(int, SchedSet, (int pid, int tid, int policy, const struct sched_param *param));
KEEL_KCALL_DECL(int, SchedYield, (void));
/* Keel's own: the STATE_* (<keel/thread.h>) of thread tid of the caller's
 * process, as the kernel sees it now: RUNNING, READY, DEAD (ended, not yet
 * joined), or the state of the kernel call it is blocked in (SEND, REPLY,
 * RECEIVE, MUTEX, CONDVAR, SEM, JOIN; WAITTHREAD for a wait no call named).
 * -ESRCH for a thread that is not the caller's. */
KEEL_KCALL_DECL(int, ThreadState, (int tid));

/* Sync objects. */
KEEL_KCALL_DECL(int, SyncTypeCreate, (unsigned type, sync_t *sync, const struct _sync_attr *attr));
KEEL_KCALL_DECL(int, SyncDestroy, (sync_t *sync));
KEEL_KCALL_DECL(int, SyncMutexLock, (sync_t *sync));
KEEL_KCALL_DECL(int, SyncMutexUnlock, (sync_t *sync));
KEEL_KCALL_DECL(int, SyncCondvarWait, (sync_t *cond, sync_t *mutex));
KEEL_KCALL_DECL(int, SyncCondvarSignal, (sync_t *cond, int all));
KEEL_KCALL_DECL(int, SyncSemPost, (sync_t *sem));
KEEL_KCALL_DECL(int, SyncSemWait, (sync_t *sem, int tryget));

/* Clocks and timers. */
KEEL_KCALL_DECL(int, ClockTime, (int id, const uint64_t *new_ns, uint64_t *old_ns));
KEEL_KCALL_DECL(int, ClockId, (int pid, int tid));
KEEL_KCALL_DECL(int, TimerCreate, (int clockid, const struct sigevent *event));
KEEL_KCALL_DECL(int, TimerSettime, (int timerid, unsigned flags, const struct _itimer *itime,
				    struct _itimer *oitime));
KEEL_KCALL_DECL(int, TimerDestroy, (int timerid));
KEEL_KCALL_DECL(int, TimerTimeout, (int clockid, unsigned flags, const struct sigevent *notify,
				    const uint64_t *ntime, uint64_t *otime));

/* Interrupts (KCALL_PRIV_IO). */
KEEL_KCALL_DECL(int, InterruptAttachEvent, (int intr, const struct sigevent *event,
					    unsigned flags));
KEEL_KCALL_DECL(int, InterruptDetach, (int id));
KEEL_KCALL_DECL(int, InterruptUnmask, (int intr, int id));

/* The process manager's calls (KCALL_PRIV_PROCMGR, <keel/procmgr.h>). */
KEEL_KCALL_DECL(int, AsCreate, (void));
KEEL_KCALL_DECL(int, AsDestroy, (int as));
KEEL_KCALL_DECL(int, AsMap, (int as, uintptr_t vaddr, size_t len, unsigned prot,
			     unsigned flags, uint64_t paddr));
KEEL_KCALL_DECL(int, AsUnmap, (int as, uintptr_t vaddr, size_t len));
KEEL_KCALL_DECL(int, AsProtect, (int as, uintptr_t vaddr, size_t len, unsigned prot));
KEEL_KCALL_DECL(int, AsWrite, (int as, uintptr_t vaddr, const void *src, size_t len));
KEEL_KCALL_DECL(int, ProcessStart, (int as, const struct _proc_start *start));
KEEL_KCALL_DECL(int, ProcessWait, (int pid, struct _proc_exit *info, unsigned flags));

/* Hardware information (<keel/hwinfo.h>). */
KEEL_KCALL_DECL(int, HwInfoDevice, (const char *compatible, unsigned index,
				    struct _hw_device *dev));
KEEL_KCALL_DECL(int, HwInfoEntry, (const char *compatible, unsigned index, unsigned what,
				   unsigned n, struct _hw_entry *entry));

/* Fork and exec for the process manager (<keel/procmgr.h>). */
KEEL_KCALL_DECL(int, AsClone, (int pid));
KEEL_KCALL_DECL(int, AsOpen, (int pid));
KEEL_KCALL_DECL(int, AsInfo, (int as, struct _as_info *info));

/* The calling thread's run mask (<keel/thread.h>). */
KEEL_KCALL_DECL(int, ThreadCtl, (int cmd, void *data));

/* The system's description and counters (<keel/sysinfo.h>). */
KEEL_KCALL_DECL(long, SysInfo, (unsigned what, unsigned index, void *buf, size_t len));
KEEL_KCALL_DECL(int, ProcessFork, (int pid, int tid, int as));
KEEL_KCALL_DECL(int, ProcessExec, (int pid, int tid, int as, const struct _proc_start *start));
KEEL_KCALL_DECL(int, ProcessSetCred, (int pid, const struct _cred_info *cred));
KEEL_KCALL_DECL(int, ProcessSetGroup, (int pid, int pgid, int sid));
KEEL_KCALL_DECL(int, SystemReset, (int how));

/* Signals (<keel/signal.h>). */
KEEL_KCALL_DECL(int, SignalKill, (int pid, int tid, int signo, int code, intptr_t value));
KEEL_KCALL_DECL(int, SignalAction, (int pid, void (*sigstub)(void), int signo,
				    const struct sigaction *act, struct sigaction *oact));
KEEL_KCALL_DECL(int, SignalProcmask, (int pid, int tid, int how, const sigset_t *set,
				      sigset_t *oldset));
KEEL_KCALL_DECL(int, SignalSuspend, (const sigset_t *set));
KEEL_KCALL_DECL(int, SignalWaitinfo, (const sigset_t *set, siginfo_t *info));
KEEL_KCALL_DECL(int, SignalReturn, (struct _sigframe *frame));

/* Kernel object counts (<keel/kobjects.h>, Keel's own). */
KEEL_KCALL_DECL(int, KernelObjects, (struct _kernel_objects *out));
/* Keel's own: len bytes (at most 256 a call) to the kernel console's UART
 * exactly as given (no newline translation: the caller's line discipline
 * did that), as one write under the console line lock, so they never
 * interleave with kernel lines or another ConsoleWrite.  The serial
 * console drivers send their output this way (KCALL_PRIV_IO).  Returns
 * the bytes written, -EFAULT, -EINVAL for a negative len. */
KEEL_KCALL_DECL(int, ConsoleWrite, (const void *buf, long len));
/* Keel's own (<keel/procmgr.h>): the physical address of a driver's
 * buffer and how many bytes from it are contiguous (KCALL_PRIV_IO). */
KEEL_KCALL_DECL(long, MemPhys, (const void *vaddr, size_t len, uint64_t *paddr));

/* One buffer each way: kernel calls of their own (no vector to read). */
KEEL_KCALL_DECL(long, MsgSend, (int coid, const void *smsg, size_t sbytes,
				void *rmsg, size_t rbytes));
KEEL_KCALL_DECL(int, MsgReceive, (int chid, void *msg, size_t bytes, struct _msg_info *info));
/* Scalar forms: one buffer instead of a vector (wrappers). */
KEEL_KCALL_DECL(int, MsgReceivePulse, (int chid, void *pulse, size_t bytes,
				       struct _msg_info *info));
KEEL_KCALL_DECL(int, MsgReply, (int rcvid, long status, const void *msg, size_t bytes));
KEEL_KCALL_DECL(int, MsgReplyReceive, (int rcvid, long status, const void *rmsg, size_t rbytes,
				       int chid, void *msg, size_t bytes, struct _msg_info *info));
KEEL_KCALL_DECL(long, MsgRead, (int rcvid, void *msg, size_t bytes, size_t offset));
KEEL_KCALL_DECL(long, MsgWrite, (int rcvid, const void *msg, size_t bytes, size_t offset));
