#pragma once
/* The process manager's calls (privilege KCALL_PRIV_PROCMGR): build an
 * address space, fill it, start a process in it, learn how it ended.  These
 * are Keel's own; memory protection values follow QNX's <sys/mman.h>.
 *
 *   AsCreate()                               -> as id > 0
 *   AsDestroy(as)                            drops the id; a running process
 *                                            keeps its space until it ends
 *   AsMap(as, vaddr, len, prot, flags, paddr) maps zeroed pages (or, with
 *                                            AS_MAP_PHYS, the physical range
 *                                            at paddr) at [vaddr, vaddr+len);
 *                                            page-aligned, user half only,
 *                                            never both PROT_WRITE and PROT_EXEC;
 *                                            -EEXIST if a page is mapped.
 *                                            AS_MAP_PHYS is device memory:
 *                                            never PROT_EXEC, never RAM or the
 *                                            interrupt controller (-EINVAL);
 *                                            with AS_SELF it is how a driver
 *                                            maps its registers (QNX's
 *                                            mmap_device_memory goes through
 *                                            the process manager too).  Only
 *                                            inside a range granted to the
 *                                            space (-EPERM), unless the caller
 *                                            holds KCALL_PRIV_PROCMGR and maps
 *                                            into its own space.
 *                                            AS_MAP_GRANT (vaddr 0, prot 0):
 *                                            grants the space the device range
 *                                            [paddr, paddr+len), checked as for
 *                                            AS_MAP_PHYS; maps nothing.  A space
 *                                            holds AS_GRANTS_MAX grants
 *                                            (-ENOSPC); AsClone copies them, and
 *                                            they end with the space.  taskman
 *                                            grants a driver the devices its
 *                                            spawner names (_proc_spawn).
 *                                            AS_MAP_SHARED: zeroed pages of a
 *                                            shared object, written in place by
 *                                            every space that maps them, also
 *                                            after AsClone (no copy-on-write).
 *                                            AS_MAP_CONTIG: zeroed pages in one
 *                                            physically contiguous run (DMA);
 *                                            paddr is a uint64_t * of the
 *                                            caller's that receives the run's
 *                                            physical address.  AS_MAP_SHARE |
 *                                            AS_MAP_FROM(src): the shared-object
 *                                            pages space src (an `as` of the
 *                                            caller's, AS_SELF its own) has at
 *                                            paddr (never PROT_EXEC; -EINVAL if
 *                                            a page there is not an object's).
 *                                            That a read-only share stays so is
 *                                            the process manager's to enforce
 *                                            (taskman's record of its grants)
 *   AsUnmap(as, vaddr, len)                  removes whatever is mapped there
 *                                            (holes are fine); every hart has
 *                                            dropped the pages before it returns
 *   AsProtect(as, vaddr, len, prot)
 *   AsInfo(as, struct _as_info *)            -> 0: what the space maps, in pages
 *   AsWrite(as, vaddr, src, len)             copies len bytes from the caller
 *                                            into mapped pages of `as`
 *                                            whatever their protection (this is
 *                                            how text is loaded; device memory
 *                                            is -EFAULT); executable
 *                                            pages written are made coherent
 *                                            before any hart may run them
 *   ProcessStart(as, const struct _proc_start *) -> pid > 0; the space
 *                                            is taken whatever the answer
 *                                            (the new process's, or
 *                                            destroyed), but for an `as`
 *                                            that names none (-EINVAL)
 *   ProcessWait(pid, struct _proc_exit *, flags) -> pid of a process that the
 *                                            caller started and that ended
 *                                            (pid -1: any); blocks unless
 *                                            _PROC_WAIT_NOHANG (-EAGAIN);
 *                                            a TimerTimeout on STATE_JOIN
 *                                            bounds the wait (-ETIMEDOUT)
 * `as` AS_SELF names the caller's own space.
 *
 * DMA (KCALL_PRIV_IO: drivers).
 *
 *   MemPhys(vaddr, len, uint64_t *paddr) -> bytes
 *       Arguments: vaddr, in the caller's own space, inside a writable page
 *       of zeroed memory the space was given (AS_MAP_ANON: malloc'd or
 *       mapped memory, not device memory); len > 0, the bytes wanted.
 *       Returns: in *paddr the physical address of vaddr, and how many
 *       bytes from there, at most len, are contiguous in physical memory
 *       (at least to the end of vaddr's page, if len reaches it), so a
 *       driver builds its scatter list by calling again at vaddr + bytes.
 *       A copy-on-write page is made private first.  The page stays at
 *       that address until it is unmapped; a driver that forks makes its
 *       writable pages shared again and must ask again before the next DMA.
 *       Errors: EFAULT vaddr is not such a page or paddr is bad; EINVAL
 *       len 0 or a kernel address; ENOMEM no memory for the private copy.
 *
 * Fork and exec.  taskman is every process's kernel parent; a process asks
 * it for fork or exec with a message, and while that thread is blocked in
 * the send taskman builds the new image and calls one of these.  A `pid`
 * of 0 names the caller itself where it makes sense.
 *
 *   AsClone(pid)
 *       Arguments: pid, a live process (0: the caller).
 *       Returns: an `as` id in the caller's table: a copy-on-write clone of
 *       pid's user space.  Every page pid owns is shared; writable ones
 *       become read-only in both spaces and the first write to one copies
 *       it (or takes it over in place once nobody else maps it); the last
 *       space to let go of a page frees it.  Device mappings are shared as
 *       they are.  Threads of pid that run meanwhile may or may not have
 *       their stores seen by the clone.
 *       Errors: ESRCH no such process (or it is ending); EPERM pid is the
 *       first process, as for AsOpen; EBUSY pid has
 *       more than one thread (they would race the copy; fork is for
 *       single-threaded processes); ENOMEM out of memory or address
 *       spaces; EAGAIN the caller's table is full.
 *       Notes: a copy-on-write fault that finds no memory kills the
 *       faulting process, with a fault line on the console, as any fault.
 *
 *   AsOpen(pid)
 *       Arguments: pid, a live process (0: the caller).
 *       Returns: an `as` id in the caller's table naming pid's own space
 *       (not a copy), so that AsMap, AsUnmap and AsProtect change the
 *       running process's memory: how the process manager serves mmap.
 *       AsDestroy(as) gives the id back; the space lives on while pid
 *       does (the id holds a reference, so a process that ends meanwhile
 *       leaves a space nobody runs in, freed at AsDestroy).
 *       Errors: ESRCH no such process (or it is ending); EPERM pid is the
 *       first process (the process manager), whose space nobody else
 *       opens; EAGAIN the caller's table is full.
 *
 *   ProcessFork(pid, tid, as) -> the new pid
 *       Arguments: pid, a process with exactly one thread; tid, that
 *       thread, blocked in a kernel call on a channel of the caller's
 *       (SEND or REPLY: normally its fork request); as, from AsClone(pid)
 *       (it becomes the child's: the id is used up on success; a failed
 *       call leaves it with the caller).
 *       Returns: the pid of a new process, a kernel child of the caller,
 *       whose one thread has tid's user registers (FP state included) and
 *       returns from that same kernel call with a0 = 0 when it first runs.
 *       tid itself stays blocked until the caller replies to it (normally
 *       with the child's pid).  The child has copies of pid's connections
 *       (the same coids to the same channels), credentials and process
 *       group and session; no channels, timers or interrupts.
 *       Errors: ESRCH pid or tid unknown, or tid not blocked on the
 *       caller; EBUSY pid has more than one thread (fork of a threaded
 *       process is refused, as QNX does: libc's fork() is ENOSYS there);
 *       EINVAL as is not the caller's; EAGAIN no process or thread slot.
 *
 *   ProcessExec(pid, tid, as, const struct _proc_start *) -> 0
 *       Arguments: pid and tid as for ProcessFork (pid may have more
 *       threads); as, the new image (used up on success only); the start
 *       registers entry, sp, argc, argv, envp, auxv (addresses in `as`) and
 *       privileges (the process's new set, a subset of the caller's);
 *       priority and cred are ignored (ProcessSetCred).
 *       Returns: 0 once every other thread of pid has ended (the call waits
 *       for them) and `as` is pid's space (the old one is freed).  tid
 *       starts over at the start registers when the caller next replies to
 *       it or fails its call (MsgReply's data, if any, lands nowhere
 *       useful: reply with no data or MsgError).  The name in fault reports
 *       becomes the last component of argv[0].  pid, connections,
 *       credentials, group and session stay; timers and interrupt
 *       attachments go; channels stay.
 *       Errors: EFAULT bad start pointer; EPERM privileges beyond the
 *       caller's; ESRCH as for ProcessFork, or pid ended meanwhile; EINVAL
 *       as is not the caller's; EINTR the caller was told to end.
 *
 *   ProcessSetCred(pid, const struct _cred_info *) -> 0
 *       Arguments: pid (0: the caller); the credentials, all of them (the
 *       ones ConnectClientInfo reports).  Policy (who may become whom) is
 *       taskman's.
 *       Errors: EFAULT bad pointer; ESRCH no such process.
 *
 *   ProcessSetGroup(pid, pgid, sid) -> 0
 *       Arguments: pid (0: the caller); its process group and session ids
 *       (>= 0).  The kernel keeps them only as mechanism: SignalKill to a
 *       group, and the sid in ConnectClientInfo.
 *       Errors: EINVAL a negative id; ESRCH no such process.
 *
 *   SystemReset(how) -> does not return
 *       The machine's end, at once: _SYSRESET_POWEROFF powers it off,
 *       _SYSRESET_REBOOT resets it through the firmware (SBI system reset),
 *       which starts the boot again.  Nothing is stopped or synced first:
 *       taskman calls it for init (sysmgr_reboot) after init has stopped
 *       everything.  A firmware that cannot reboot leaves the machine halted,
 *       said on the console.
 *       Errors: EINVAL an unknown `how`. */
#include <stdint.h>
#include "msg.h"

#define AS_SELF            0

/* Protection (QNX values). */
#define PROT_NONE          0x00000000u
#define PROT_READ          0x00000100u
#define PROT_WRITE         0x00000200u
#define PROT_EXEC          0x00000400u

/* SystemReset's how. */
#define _SYSRESET_POWEROFF 0
#define _SYSRESET_REBOOT   1

/* AsMap flags. */
#define AS_MAP_ANON        0x0u          /* zeroed memory */
#define AS_MAP_PHYS        0x1u          /* the physical range at paddr (MMIO) */
#define AS_MAP_SHARED      0x2u          /* zeroed pages of a shared object */
#define AS_MAP_CONTIG      0x3u          /* zeroed, physically contiguous */
#define AS_MAP_SHARE       0x4u          /* object pages of AS_MAP_FROM's space at paddr */
#define AS_MAP_GRANT       0x5u          /* the space may map [paddr, paddr+len) */
#define AS_MAP_FROM(as)    ((uint64_t)(uint32_t)(as) << 8)
#define AS_MAP_KIND(flags) ((flags) & 0xffu)

/* Device ranges one space may be granted (AS_MAP_GRANT). */
#define AS_GRANTS_MAX      16

/* AsInfo: what a space maps, in pages. */
struct _as_info {
	uint64_t pages;                 /* every user page mapped */
	uint64_t object_pages;          /* of those: shared-object pages */
	uint64_t cow_pages;             /* RAM shared copy-on-write with other spaces */
	uint64_t device_pages;          /* device memory */
	uint64_t table_pages;           /* page-table pages of the space */
};

_Static_assert(sizeof(struct _as_info) == 40, "struct _as_info layout");

/* ProcessStart: the new process's first thread and identity.  The registers
 * follow <keel/start.h>; argv and envp are addresses in the new space. */
struct _proc_start {
	uint64_t entry;                 /* pc */
	uint64_t sp;
	uint64_t argc;                  /* a0 */
	uint64_t argv;                  /* a1 */
	uint64_t envp;                  /* a2 */
	uint32_t privileges;            /* KCALL_PRIV_*: a subset of the caller's */
	int32_t priority;               /* of the first thread; 0: the caller's */
	struct _cred_info cred;
	int32_t sig_from;               /* ProcessStart: a process whose ignored
					 * signals stay ignored in the new one
					 * (posix_spawn), but for sigdefault's;
					 * 0: none */
	uint64_t auxv;                  /* a3: the auxiliary vector (<keel/procmsg.h>) */
	char name[32];                  /* for reports: the program's name, NUL-padded */
	uint64_t sigmask;               /* ProcessStart: the first thread's mask */
	uint64_t sigdefault;            /* ProcessStart: see sig_from */
};

_Static_assert(sizeof(struct _proc_start) == 168, "struct _proc_start layout");

/* ProcessWait flags and results.  A child that ended is reported once and
 * its slot freed; with _PROC_WAIT_STOPPED (_CONTINUED) a child that
 * stopped (continued) since its last such report is reported too, and
 * stays.  Errors: ECHILD no such child; EAGAIN none ready and NOHANG;
 * EINTR a signal; EFAULT bad info pointer (the child is reaped anyway);
 * EINVAL unknown flags. */
#define _PROC_WAIT_NOHANG     0x1u
#define _PROC_WAIT_STOPPED    0x2u       /* WUNTRACED */
#define _PROC_WAIT_CONTINUED  0x4u       /* WCONTINUED */
/* Alone, with pid > 0: is that child stopped right now?  Returns pid, or
 * EAGAIN when it runs; reports and reaps nothing (a stop report taken
 * earlier may be stale: it was continued since). */
#define _PROC_WAIT_STOPPED_NOW 0x8u
#define _PROC_EXITED       1             /* status: ProcessExit's argument */
#define _PROC_KILLED       2             /* status: the signal (<keel/signal.h>) */
#define _PROC_STOPPED      3             /* status: the stop signal */
#define _PROC_CONTINUED    4             /* status: SIGCONT */

struct _proc_exit {
	int32_t pid;
	int32_t how;                    /* _PROC_EXITED or _PROC_KILLED */
	int32_t status;
	int32_t code;                   /* _PROC_KILLED: the signal's si_code */
	uint64_t pc;                    /* _PROC_KILLED by a fault: the faulting pc */
	uint64_t addr;                  /* _PROC_KILLED by a fault: the faulting address */
};

_Static_assert(sizeof(struct _proc_exit) == 32, "struct _proc_exit layout");
