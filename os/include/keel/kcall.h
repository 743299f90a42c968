#pragma once
/* The kernel calls of Keel: one table, expanded into every list that must
 * agree with it (call numbers here; the kernel's dispatch table and its
 * privilege check in the kernel; the user stubs in os/user/kcall.S).
 *
 * The calling convention: `ecall` with the call number in a7 and the
 * arguments in a0..a5; the result comes back in a0, >= 0 on success and a
 * negated <keel/errno.h> value on failure.  A call keeps ra, sp, gp, tp,
 * s0..s11 and its argument registers a1..a5 and a7; t0..t6 and a6 (the
 * calling convention's temporaries: programs make calls through the
 * functions Foo and Foo_r of <keel/kcall_stubs.h>) come back undefined, so
 * the kernel need not save them on the way in.  A trap that is not a call (an interrupt, a fault)
 * keeps every register.  The typed prototypes, in both QNX shapes
 * (Foo() returns -1 and sets errno, Foo_r() returns -errno), are in
 * <keel/neutrino.h>.
 *
 * A row is K(number, name, nargs, privilege):
 *   number     the value in a7.  Numbers are Keel's own (QNX's __KER_* do
 *              not carry over); they are dense from 0 in table order, which
 *              the _Static_asserts below check.  Never renumber a released
 *              call; add new ones at the end.
 *   name       the QNX Neutrino name (Keel's own names are marked below).
 *   nargs      how many of a0..a5 the call reads.
 *   privilege  KCALL_PRIV_* bits the caller's process must hold.
 *
 * The kernel side expands the table with one handler per row,
 *
 *     long sys_<name>(long a0, long a1, long a2, long a3, long a4, long a5);
 *
 * which receives the raw registers (those past nargs hold garbage and must
 * be ignored), validates and copies everything it reads from user memory,
 * and returns the value for a0: >= 0 on success, -E* on failure.  The
 * dispatcher returns -ENOSYS for a7 >= KCALL_COUNT and -EPERM when
 * (privilege & ~caller's privileges) != 0, before any handler runs. */

/* Privilege classes (Keel's own).  A process holds a set of them; a call is
 * allowed when the set covers the row's bits.  The first process gets all;
 * it hands KCALL_PRIV_IO to drivers it starts through ProcessStart.  AsMap
 * is a KCALL_PRIV_IO row because a driver maps its own registers with it
 * (AS_SELF, AS_MAP_PHYS); everything else AsMap does needs
 * KCALL_PRIV_PROCMGR, which the handler checks (EPERM). */
#define KCALL_PRIV_NONE      0x0
#define KCALL_PRIV_IO        0x1     /* interrupts: driver processes */
#define KCALL_PRIV_PROCMGR   0x2     /* address spaces, processes: taskman */

#define KCALL_TABLE(K) \
	/* Keel's own: the null call, for measuring the trap path. */ \
	K(0,  KernelNop,             0, KCALL_PRIV_NONE) \
	/* Keel's own debug calls, until the console server exists. */ \
	K(1,  DebugPutString,        2, KCALL_PRIV_NONE) \
	K(2,  ProcessExit,           1, KCALL_PRIV_NONE) \
	/* Channels and connections. */ \
	K(3,  ChannelCreate,         1, KCALL_PRIV_NONE) \
	K(4,  ChannelDestroy,        1, KCALL_PRIV_NONE) \
	K(5,  ConnectAttach,         5, KCALL_PRIV_NONE) \
	K(6,  ConnectDetach,         1, KCALL_PRIV_NONE) \
	K(7,  ConnectClientInfo,     3, KCALL_PRIV_NONE) \
	/* Messages and pulses. */ \
	K(8,  MsgSendv,              5, KCALL_PRIV_NONE) \
	K(9,  MsgSendvs,             5, KCALL_PRIV_NONE) \
	K(10, MsgSendsv,             5, KCALL_PRIV_NONE) \
	K(11, MsgReceivev,           4, KCALL_PRIV_NONE) \
	K(12, MsgReceivePulsev,      4, KCALL_PRIV_NONE) \
	K(13, MsgReplyv,             4, KCALL_PRIV_NONE) \
	K(14, MsgError,              2, KCALL_PRIV_NONE) \
	K(15, MsgReadv,              4, KCALL_PRIV_NONE) \
	K(16, MsgWritev,             4, KCALL_PRIV_NONE) \
	K(17, MsgInfo,               2, KCALL_PRIV_NONE) \
	K(18, MsgSendPulse,          4, KCALL_PRIV_NONE) \
	K(19, MsgDeliverEvent,       2, KCALL_PRIV_NONE) \
	/* Threads and scheduling. */ \
	K(20, ThreadCreate,          4, KCALL_PRIV_NONE) \
	K(21, ThreadDestroy,         3, KCALL_PRIV_NONE) \
	K(22, ThreadJoin,            2, KCALL_PRIV_NONE) \
	K(23, ThreadDetach,          1, KCALL_PRIV_NONE) \
	K(24, SchedGet,              3, KCALL_PRIV_NONE) \
	K(25, SchedSet,              4, KCALL_PRIV_NONE) \
	K(26, SchedYield,            0, KCALL_PRIV_NONE) \
	/* Sync objects (the contended paths; see <keel/sync.h>). */ \
	K(27, SyncTypeCreate,        3, KCALL_PRIV_NONE) \
	K(28, SyncDestroy,           1, KCALL_PRIV_NONE) \
	K(29, SyncMutexLock,         1, KCALL_PRIV_NONE) \
	K(30, SyncMutexUnlock,       1, KCALL_PRIV_NONE) \
	K(31, SyncCondvarWait,       2, KCALL_PRIV_NONE) \
	K(32, SyncCondvarSignal,     2, KCALL_PRIV_NONE) \
	K(33, SyncSemPost,           1, KCALL_PRIV_NONE) \
	K(34, SyncSemWait,           2, KCALL_PRIV_NONE) \
	/* Clocks and timers. */ \
	K(35, ClockTime,             3, KCALL_PRIV_NONE) \
	K(36, ClockId,               2, KCALL_PRIV_NONE) \
	K(37, TimerCreate,           2, KCALL_PRIV_NONE) \
	K(38, TimerSettime,          4, KCALL_PRIV_NONE) \
	K(39, TimerDestroy,          1, KCALL_PRIV_NONE) \
	K(40, TimerTimeout,          5, KCALL_PRIV_NONE) \
	/* Interrupts. */ \
	K(41, InterruptAttachEvent,  3, KCALL_PRIV_IO) \
	K(42, InterruptDetach,       1, KCALL_PRIV_IO) \
	K(43, InterruptUnmask,       2, KCALL_PRIV_IO) \
	/* Keel's own: the process manager's calls (<keel/procmgr.h>). */ \
	K(44, AsCreate,              0, KCALL_PRIV_PROCMGR) \
	K(45, AsDestroy,             1, KCALL_PRIV_PROCMGR) \
	K(46, AsMap,                 6, KCALL_PRIV_IO) /* PROCMGR but for a driver's own device memory */ \
	K(47, AsUnmap,               3, KCALL_PRIV_PROCMGR) \
	K(48, AsProtect,             4, KCALL_PRIV_PROCMGR) \
	K(49, AsWrite,               4, KCALL_PRIV_PROCMGR) \
	K(50, ProcessStart,          2, KCALL_PRIV_PROCMGR) \
	K(51, ProcessWait,           3, KCALL_PRIV_PROCMGR) \
	/* Keel's own: hardware information from the device tree (<keel/hwinfo.h>). */ \
	K(52, HwInfoDevice,          3, KCALL_PRIV_NONE) \
	/* Keel's own: fork and exec for the process manager (<keel/procmgr.h>). */ \
	K(53, AsClone,               1, KCALL_PRIV_PROCMGR) \
	K(54, ProcessFork,           3, KCALL_PRIV_PROCMGR) \
	K(55, ProcessExec,           4, KCALL_PRIV_PROCMGR) \
	K(56, ProcessSetCred,        2, KCALL_PRIV_PROCMGR) \
	K(57, ProcessSetGroup,       3, KCALL_PRIV_PROCMGR) \
	/* Signals (<keel/signal.h>). */ \
	K(58, SignalKill,            5, KCALL_PRIV_NONE) \
	K(59, SignalAction,          5, KCALL_PRIV_NONE) \
	K(60, SignalProcmask,        5, KCALL_PRIV_NONE) \
	K(61, SignalSuspend,         1, KCALL_PRIV_NONE) \
	K(62, SignalWaitinfo,        2, KCALL_PRIV_NONE) \
	K(63, SignalReturn,          1, KCALL_PRIV_NONE) \
	/* Keel's own: what a thread of the caller's process is doing (<keel/thread.h>). */ \
	K(64, ThreadState,           1, KCALL_PRIV_NONE) \
	/* Keel's own: kernel object counts (<keel/kobjects.h>). */ \
	K(65, KernelObjects,         1, KCALL_PRIV_NONE) \
	/* Keel's own: a console driver's output, raw (<keel/neutrino.h>). */ \
	K(66, ConsoleWrite,          2, KCALL_PRIV_IO) \
	/* Keel's own: physical addresses of a driver's buffers, for DMA (<keel/procmgr.h>). */ \
	K(67, MemPhys,               3, KCALL_PRIV_IO) \
	/* Keel's own: a device's bus windows and interrupt wiring (<keel/hwinfo.h>). */ \
	K(68, HwInfoEntry,           5, KCALL_PRIV_NONE) \
	/* Keel's own: a running process's space, for mmap (<keel/procmgr.h>). */ \
	K(69, AsOpen,                1, KCALL_PRIV_PROCMGR) \
	/* Keel's own: version, command line, board and per-hart counters (<keel/sysinfo.h>). */ \
	K(70, SysInfo,               4, KCALL_PRIV_NONE) \
	/* Which harts the calling thread may run on (<keel/thread.h>). */ \
	K(71, ThreadCtl,             2, KCALL_PRIV_NONE) \
	/* Keel's own: power off or reboot now (<keel/procmgr.h>). */ \
	K(72, SystemReset,           1, KCALL_PRIV_PROCMGR) \
	/* Keel's own: a server's reply and its next receive in one call (<keel/neutrino.h>). */ \
	K(73, MsgReplyReceivev,      6, KCALL_PRIV_NONE) \
	/* Keel's own: what an address space maps (taskman: RLIMIT_AS, /proc). */ \
	K(74, AsInfo,                2, KCALL_PRIV_PROCMGR) \
	/* Keel's own: whether a client still has a connection to one channel. */ \
	K(75, ConnectClientOf,       2, KCALL_PRIV_NONE) \
	/* One buffer each way: a message's common shape without a vector to \
	 * read (QNX's MsgSend; Keel's own reply-and-receive form of it). */ \
	K(76, MsgSend,               5, KCALL_PRIV_NONE) \
	K(77, MsgReplyReceives,      6, KCALL_PRIV_NONE) \
	/* One buffer to receive into (QNX's MsgReceive), with no vector to read. */ \
	K(78, MsgReceive,            4, KCALL_PRIV_NONE)

/* Most arguments a call can take: a0..a5. */
#define KCALL_MAX_ARGS 6

#ifndef __ASSEMBLER__

#define KCALL_ENUM_(num, name, nargs, priv) KCALL_##name = (num),
enum kcall_number {
	KCALL_TABLE(KCALL_ENUM_)
};
#undef KCALL_ENUM_

/* The position of each row in the table, counted by the compiler. */
#define KCALL_POS_(num, name, nargs, priv) KCALL_POS_##name,
enum kcall_position {
	KCALL_TABLE(KCALL_POS_)
	KCALL_COUNT
};
#undef KCALL_POS_

/* Every row's number is its position: the numbers are dense, unique and in
 * order, so a dispatch table indexed by number has no holes. */
#define KCALL_CHECK_(num, name, nargs, priv) \
	_Static_assert((int)KCALL_##name == (int)KCALL_POS_##name, \
		       "kcall " #name ": number is not its position in KCALL_TABLE"); \
	_Static_assert((nargs) >= 0 && (nargs) <= KCALL_MAX_ARGS, \
		       "kcall " #name ": more arguments than a0..a5"); \
	_Static_assert(((priv) & ~(KCALL_PRIV_IO | KCALL_PRIV_PROCMGR)) == 0, \
		       "kcall " #name ": unknown privilege bits");
KCALL_TABLE(KCALL_CHECK_)
#undef KCALL_CHECK_

_Static_assert(KCALL_COUNT == 79, "KCALL_TABLE changed: update this count and the docs");

#endif /* !__ASSEMBLER__ */
