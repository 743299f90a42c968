#pragma once
/* Spinlocks for a path that runs with interrupts off and holds no other
 * lock: the IPC fast path, straight from a kernel call's entry (msg.c).
 * Nothing held means no order to check, so the lock-order checker only
 * records the lock on its stack (a lock taken under it is still checked
 * against it); a lock that is not free at the first try is not waited
 * for: the caller goes the general way, which waits.  The interrupt state
 * is the caller's (off throughout), not the lock's: irq_state is not
 * written. */
#include <stdbool.h>
#include "atomic.h"
#include "hart.h"
#include "spinlock.h"

void spin_unlock_more(struct spinlock *l, struct hart *h, unsigned long s);

/* Take l on hart h (interrupts off, no lock held) if it is free now. */
static inline __attribute__((always_inline)) bool spin_trylock_first(struct hart *h,
								   struct spinlock *l)
{
	if (__builtin_expect(arch_amoswap32_acq(&l->locked, 1) != 0, 0))
		return false;
#ifdef KEEL_LOCKCHECK
	h->held[h->nheld++] = l;
#endif
	l->owner = h->index;
	h->locks_held++;
	return true;
}

/* The release itself, for spin_unlock too: then interrupts go back to s. */
static inline __attribute__((always_inline)) void spin_release(struct hart *h, struct spinlock *l,
							     unsigned long s)
{
	l->owner = ~0u;
	arch_amoswap32_rel(&l->locked, 0);
	smp_mb();                       /* the release before the look: see smp_lock_sleep */
	if (__builtin_expect(atomic_load64(&l->sleepers) != 0, 0) ||
	    __builtin_expect(h->locks_held == 1 && h->kicks_deferred != 0, 0))
		return spin_unlock_more(l, h, s);
	h->locks_held--;
	arch_irq_restore(s);
}

/* Release l, taken by spin_trylock_first (interrupts stay off). */
static inline __attribute__((always_inline)) void spin_unlock_first(struct hart *h,
								  struct spinlock *l)
{
#ifdef KEEL_LOCKCHECK
	h->nheld--;
#endif
	spin_release(h, l, 0);
}
