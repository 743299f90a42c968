#pragma once
/* Every kernel lock class and its rank, in one place.
 *
 * A hart may take a lock only if its rank is greater than the rank of every
 * lock it already holds (strictly increasing order).  The lock-order checker
 * (KEEL_LOCKCHECK builds) panics naming both locks when that is violated or a
 * lock is taken twice.  Add a class here, with a line saying what it guards,
 * before using a new lock. */
enum lock_rank {
	LR_NONE = 0,
	LR_VM = 8,        /* kernel page table and I/O window (allocates pages) */
	LR_PMM = 10,      /* physical page allocator free lists */
	LR_CONSOLE = 90,  /* console line output: the innermost lock, taken last */
	LR_PANIC = 100,   /* never contended except during panic */
};
