#pragma once
/* SysInfo(what, index, buf, len): what the kernel knows of the system, for
 * /sys (the sysfs server) and anyone else (Keel's own, no privilege):
 *   _SYSINFO_VERSION     "Keel <version> (<git description>)"
 *   _SYSINFO_CMDLINE     the kernel command line ("" without one)
 *   _SYSINFO_MODEL       the device tree's model ("" without one)
 *   _SYSINFO_COMPATIBLE  the first string of the root's compatible
 *   _SYSINFO_HART        struct _hart_stats of the hart with dense index
 *                        `index` (0 .. harts - 1)
 *   _SYSINFO_THREAD      struct _thread_stats of the first user thread in a
 *                        slot of the kernel's thread table at or above
 *                        `index`: a walk over every thread starts at 0 and
 *                        goes on at the answer's slot + 1 (-ENOENT: none
 *                        left)
 * Strings come with their NUL.  Copies at most len bytes of the answer to
 * buf and returns the bytes the whole answer takes (so a short buffer
 * shows as a return above len); -EINVAL for an unknown `what`, -ENOENT for
 * an index past the last hart, -EFAULT for a bad buffer.  Counters are
 * each hart's own, counted since boot; a snapshot, read without stopping
 * the hart. */
#include <stdint.h>

#define _SYSINFO_VERSION     1
#define _SYSINFO_CMDLINE     2
#define _SYSINFO_MODEL       3
#define _SYSINFO_COMPATIBLE  4
#define _SYSINFO_HART        5
#define _SYSINFO_THREAD      6

struct _hart_stats {
	uint32_t index;                 /* dense, as in SysInfo's index */
	uint32_t hartid;                /* the firmware's */
	uint32_t online;                /* 1 once it runs the kernel */
	uint32_t zero;
	uint64_t ticks;                 /* timer interrupts taken */
	uint64_t ipis;                  /* inter-processor interrupts taken */
	uint64_t irqs;                  /* device interrupts claimed */
	uint64_t switches;              /* threads switched to on this hart */
};

_Static_assert(sizeof(struct _hart_stats) == 48, "struct _hart_stats layout");

struct _thread_stats {
	uint32_t slot;                  /* where the walk goes on: slot + 1 */
	int32_t pid;                    /* its process */
	int32_t tid;                    /* as ThreadCreate gave it */
	uint32_t state;                 /* STATE_* (<keel/thread.h>), as ThreadState says */
	uint8_t prio;                   /* running at (inherited priority included) */
	uint8_t base_prio;              /* its own */
	uint8_t policy;                 /* SCHED_FIFO, SCHED_RR, SCHED_OTHER */
	uint8_t zero;
	int32_t blocked_pid;            /* SEND or REPLY: the server's process; else 0 */
	uint64_t cpu_ns;                /* CPU time it has run */
	char name[16];                  /* the kernel's name for it */
	uint64_t runmask;               /* the harts (by index) it may run on */
};

_Static_assert(sizeof(struct _thread_stats) == 56, "struct _thread_stats layout");
