#pragma once
/* SysInfo(what, index, buf, len): what the kernel knows of the system, for
 * /sys (the sysfs server) and anyone else (Keel's own, no privilege):
 *   _SYSINFO_VERSION     "Keel <version> (<git description>)"
 *   _SYSINFO_CMDLINE     the kernel command line ("" without one)
 *   _SYSINFO_MODEL       the device tree's model ("" without one)
 *   _SYSINFO_COMPATIBLE  the first string of the root's compatible
 *   _SYSINFO_HART        struct _hart_stats of the hart with dense index
 *                        `index` (0 .. harts - 1)
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
