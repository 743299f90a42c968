#pragma once
/* KernelObjects(struct _kernel_objects *): how many of each kernel object
 * are in use system-wide right now (Keel's own).  For stress programs that
 * must leave the kernel as they found it: read before, read after, compare.
 * A snapshot; other processes may change it meanwhile. */
#include <stdint.h>

struct _kernel_objects {
	uint32_t threads;               /* thread slots in use, kernel threads included */
	uint32_t channels;              /* live channels */
	uint32_t pulses;                /* pulses queued, not yet received */
	uint32_t sync_objects;          /* kernel sides of mutexes, condvars, semaphores */
	uint64_t free_pages;            /* physical pages free */
	uint32_t reserved[4];
};

_Static_assert(sizeof(struct _kernel_objects) == 40, "struct _kernel_objects layout");
