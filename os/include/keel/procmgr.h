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
 *                                            the process manager too)
 *   AsUnmap(as, vaddr, len)                  removes whatever is mapped there
 *                                            (holes are fine); every hart has
 *                                            dropped the pages before it returns
 *   AsProtect(as, vaddr, len, prot)
 *   AsWrite(as, vaddr, src, len)             copies len bytes from the caller
 *                                            into mapped pages of `as`
 *                                            whatever their protection (this is
 *                                            how text is loaded); executable
 *                                            pages written are made coherent
 *                                            before any hart may run them
 *   ProcessStart(as, const struct _proc_start *) -> pid > 0
 *   ProcessWait(pid, struct _proc_exit *, flags) -> pid of a process that the
 *                                            caller started and that ended
 *                                            (pid -1: any); blocks unless
 *                                            _PROC_WAIT_NOHANG (-EAGAIN)
 * `as` AS_SELF names the caller's own space. */
#include <stdint.h>
#include "msg.h"

#define AS_SELF            0

/* Protection (QNX values). */
#define PROT_NONE          0x00000000u
#define PROT_READ          0x00000100u
#define PROT_WRITE         0x00000200u
#define PROT_EXEC          0x00000400u

/* AsMap flags. */
#define AS_MAP_ANON        0x0u          /* zeroed memory */
#define AS_MAP_PHYS        0x1u          /* the physical range at paddr (MMIO) */

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
	uint32_t reserved;
	uint64_t auxv;                  /* a3: the auxiliary vector (<keel/procmsg.h>) */
	char name[32];                  /* for reports: the program's name, NUL-padded */
};

_Static_assert(sizeof(struct _proc_start) == 152, "struct _proc_start layout");

/* ProcessWait flags and results. */
#define _PROC_WAIT_NOHANG  0x1u
#define _PROC_EXITED       1             /* status: ProcessExit's argument */
#define _PROC_KILLED       2             /* status: scause of the fatal fault */

struct _proc_exit {
	int32_t pid;
	int32_t how;                    /* _PROC_EXITED or _PROC_KILLED */
	int32_t status;
	uint32_t reserved;
	uint64_t pc;                    /* _PROC_KILLED: the faulting pc */
	uint64_t addr;                  /* _PROC_KILLED: the faulting address (stval) */
};

_Static_assert(sizeof(struct _proc_exit) == 32, "struct _proc_exit layout");
