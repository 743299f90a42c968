#pragma once
/* Starting harts and talking between them. */
#include <stdint.h>

struct platform;
struct hart;

extern uint64_t boot_entry_instret;     /* instructions retired before kmain */

#define IPI_XCALL   (1ul << 0)  /* run the hart's xcall function */
#define IPI_STOP    (1ul << 1)  /* panic in progress: stop */
#define IPI_RESCHED (1ul << 2)  /* a thread was queued for this hart */
#define IPI_TLB     (1ul << 3)  /* flush this hart's TLB, then acknowledge */
#define IPI_FENCE_I (1ul << 4)  /* fence.i on this hart, then acknowledge */
#define IPI_ACK     (1ul << 5)  /* a flush asked for was done (wakes a waiter from wfi) */

/* Start every accepted hart other than the boot hart; returns when all are
 * online or after a timeout (a hart that did not come up is reported). */
void smp_start_secondaries(const struct platform *plat, uint32_t boot_index);
/* Raise `bits` on hart h and interrupt it. */
void ipi_send(struct hart *h, uint64_t bits);
/* IPI handler body: takes this hart's pending bits and acts on them. */
void ipi_handle(void *frame);
/* Start fn(arg) on another hart h from its IPI handler without waiting.
 * Returns -1 if h still has a call in flight. */
int smp_call_start(struct hart *h, void (*fn)(void *), void *arg);
/* Wait for the call started on h; 0, or -1 after timeout_ms. */
int smp_call_wait(struct hart *h, unsigned timeout_ms);
/* Run fn(arg) on hart h from its IPI handler and wait for it to finish.
 * Returns 0, or -1 if the hart did not answer within timeout_ms. */
int smp_call_on(struct hart *h, void (*fn)(void *), void *arg, unsigned timeout_ms);

/* Make every online hart drop its cached kernel translations (after a
 * kernel mapping was removed).  Returns when all have done so.  Safe with
 * interrupts off: while waiting, this hart serves flushes asked of it. */
void smp_tlb_flush_all(void);
/* The same for the harts in mask (bit i: harts[i]) and this one (after a
 * user mapping was removed from a space only those harts ran). */
void smp_tlb_flush_harts(uint64_t mask);
/* For a hart that has spun long on a lock: serve the flushes asked of it,
 * then sleep in wfi until the lock's holder lets go (spin_unlock sends
 * IPI_ACK to the harts in *sleepers) or any interrupt comes.  Interrupts
 * off. */
void smp_lock_sleep(volatile uint32_t *locked, volatile uint64_t *sleepers);
/* fence.i on every other online hart; returns when all have done it. */
void smp_fence_i_all(void);
