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
	LR_INTR = 2,      /* interrupt attachments; held while their event is delivered */
	LR_PROCS = 3,     /* the process table and pid allocation */
	LR_THREADS = 4,   /* thread slot table and kernel stack window */
	LR_CHAN = 5,      /* one per channel: its senders, receivers, pulses, dead flag */
	LR_VMSPACE = 6,   /* the table of user address spaces and ASIDs */
	LR_VMSPACE_PT = 7, /* one per address space: its user page tables */
	LR_VM = 8,        /* kernel page table and I/O window (allocates pages) */
	LR_PMM = 10,      /* physical page allocator free lists */
	LR_PI = 15,       /* mutex owners, mutex wait lists, priority-inheritance chains */
	LR_SYNC = 20,     /* one per sync hash bucket: lookup, condvar and semaphore waiters */
	LR_SYNCPOOL = 22, /* free sync objects, free pulses */
	LR_UTIMERS = 23,  /* the table of user timers */
	LR_PROC = 24,     /* one per process: thread count and exit status */
	LR_JOIN = 25,     /* one per thread: exit status and its joiner */
	LR_SIGPOOL = 26,  /* free pending-signal records */
	LR_TIMERQ = 40,   /* one per hart: that hart's timer queue */
	LR_PLIC = 45,     /* PLIC enable words, shared by the sources of a context */
	LR_RUNQ = 50,     /* one per hart: that hart's run queue */
	LR_HWINFO = 85,   /* the HwInfo calls' last device found (sys_hwinfo.c) */
	LR_CONSOLE = 90,  /* console line output: the innermost lock, taken last */
	LR_PANIC = 100,   /* never contended except during panic */
};
