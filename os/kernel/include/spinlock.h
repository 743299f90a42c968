#pragma once
/* Spinlocks with a rank (lockrank.h).  Every spinlock is interrupt-safe:
 * taking one disables interrupts on this hart (the previous state is kept in
 * the lock and restored on release), so a holder is never preempted and
 * never interrupted by a handler that wants the same lock. */
#include <stdbool.h>
#include <stdint.h>
#include "lockrank.h"

struct spinlock {
	uint32_t locked;        /* 0 free, 1 held: amoswap.w.aq / amoswap.w.rl */
	uint32_t owner;         /* hart index of the holder, for diagnostics */
	uint32_t irq_state;     /* the holder's interrupt state before acquiring */
	enum lock_rank rank;
	const char *name;
	uint64_t sleepers;      /* harts (by index) waiting for it in wfi (amoor, amoswap) */
};

#define SPINLOCK_INIT(nm, rk) { .locked = 0, .owner = ~0u, .irq_state = 0, .rank = (rk), \
				.name = (nm), .sleepers = 0 }

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank);
void spin_lock(struct spinlock *l);
bool spin_trylock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
/* The same as spin_lock/spin_unlock, for callers that want to keep the
 * interrupt state themselves. */
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);
/* True if this hart holds l (diagnostics and assertions). */
bool spin_held(const struct spinlock *l);

/* ktest: while on, a lock-order violation is recorded instead of panicking. */
void lockcheck_expect(bool on);
/* The message of the last recorded violation ("" if none, or no checker). */
const char *lockcheck_last_violation(void);
