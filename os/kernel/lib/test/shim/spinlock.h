#pragma once
/* Host stand-in for the kernel's spinlock.h: same API, single-threaded.
 * Taking a lock that is already held, or releasing one that is not, aborts,
 * so a test catches a missing unlock or a recursive lock. */
#include <stdbool.h>
#include <stdint.h>
#include "lockrank.h"

struct spinlock {
	uint32_t locked;
	uint32_t owner;
	enum lock_rank rank;
	const char *name;
};

#define SPINLOCK_INIT(nm, rk) { .locked = 0, .owner = ~0u, .rank = (rk), .name = (nm) }

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank);
void spin_lock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);

/* Host only: how many times any lock was taken (tests check locking happens). */
extern unsigned long shim_lock_count;
