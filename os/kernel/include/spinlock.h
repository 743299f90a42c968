#pragma once
/* Spinlocks with a rank (lockrank.h).  Acquire with spin_lock_irqsave() when
 * the lock may also be taken from a trap handler on the same hart. */
#include <stdbool.h>
#include <stdint.h>
#include "lockrank.h"

struct spinlock {
	uint32_t locked;        /* 0 free, 1 held: amoswap.w.aq / amoswap.w.rl */
	uint32_t owner;         /* hart index of the holder, for diagnostics */
	enum lock_rank rank;
	const char *name;
};

#define SPINLOCK_INIT(nm, rk) { .locked = 0, .owner = ~0u, .rank = (rk), .name = (nm) }

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank);
void spin_lock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* Disable interrupts on this hart, then lock.  Returns the previous sstatus.SIE. */
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);
