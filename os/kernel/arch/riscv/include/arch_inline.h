#pragma once
/* The arch_* calls on every kernel path (locks, the current hart), inline:
 * out of line they were a quarter of a message round trip.  Included by
 * arch.h only; generic code sees just the arch_* names. */
#include <stdbool.h>
#include "asm.h"
#include "csr.h"

struct hart;

static inline unsigned long arch_irq_save(void)
{
	return csr_read_clear(sstatus, SSTATUS_SIE) & SSTATUS_SIE;
}

static inline void arch_irq_restore(unsigned long state)
{
	if (state & SSTATUS_SIE)
		csr_set(sstatus, SSTATUS_SIE);
}

static inline bool arch_irq_enabled(void)
{
	return csr_read(sstatus) & SSTATUS_SIE;
}

/* tp holds this hart's struct hart whenever the kernel runs.  volatile:
 * the thread may have moved to another hart since the last read (a
 * preemption in a call between two reads), so the compiler must not reuse
 * an earlier value; the trap exit once stored a stale hart in the user
 * frame that way, and the next trap ran with another hart's tp. */
static inline struct hart *arch_this_hart(void)
{
	struct hart *h;

	__asm__ volatile("mv %0, tp" : "=r"(h));
	return h;
}

static inline uint64_t arch_time(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* A user trap frame's registers (signal delivery and return), by the
 * offsets trapframe.h checks its struct against (it includes arch.h). */
#define ARCH_FRAME_X(frame, n) ((uint64_t *)((char *)(frame) + TF_X(n)))

static inline uint64_t *arch_frame_gprs(void *frame)
{
	return ARCH_FRAME_X(frame, 1);
}

static inline uint64_t arch_frame_sp(const void *frame)
{
	return *ARCH_FRAME_X(frame, 2);
}

static inline uint64_t arch_frame_a0(const void *frame)
{
	return *ARCH_FRAME_X(frame, 10);
}

static inline void arch_frame_set_a0(void *frame, uint64_t a0)
{
	*ARCH_FRAME_X(frame, 10) = a0;
}
