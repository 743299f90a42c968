/* Spinlocks with ranks and, in KEEL_LOCKCHECK builds, a lock-order checker.
 *
 * The checker keeps, per hart, the stack of locks held.  Taking a lock whose
 * rank is not greater than the rank of the newest lock held, or taking a lock
 * this hart already holds, panics naming both locks: a deadlock found on the
 * first run rather than the thousandth. */
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "kprintf.h"
#include "panic.h"
#include "spinlock.h"
#include "spinlock_fast.h"
#include "smp.h"

extern volatile uint32_t panic_in_progress;

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank)
{
	*l = (struct spinlock)SPINLOCK_INIT(name, rank);
}

#ifdef KEEL_LOCKCHECK
/* ktest only: report a violation here instead of panicking. */
static volatile uint32_t expect_violation;
static char violation[160];

void lockcheck_expect(bool on)
{
	if (on)
		violation[0] = 0;
	atomic_store32(&expect_violation, on);
}

const char *lockcheck_last_violation(void)
{
	return violation;
}

#define lockcheck_fail(...) do {                                                    \
	if (atomic_load32(&expect_violation)) {                                     \
		snprintf(violation, sizeof violation, __VA_ARGS__);                 \
		return;                                                             \
	}                                                                           \
	panic(__VA_ARGS__);                                                         \
} while (0)

#define HELD_MAX (sizeof ((struct hart *)0)->held / sizeof ((struct hart *)0)->held[0])

/* The acquire the fast check in spin_lock did not pass: a recursive
 * acquire, a rank out of order, a full stack, or a panic in progress (the
 * checker stands aside: the panic takes what locks it can). */
static void __attribute__((noinline, cold)) lockcheck_acquire_slow(struct hart *h,
								   const struct spinlock *l)
{
	if (panic_in_progress)
		return;
	if (l->owner == h->index && atomic_load32(&l->locked))
		lockcheck_fail("lockcheck: recursive acquire of %s (rank %d) on hart %u",
			       l->name, l->rank, h->index);
	if (h->nheld == HELD_MAX)
		panic("lockcheck: more than %u locks held, taking %s", h->nheld, l->name);
	if (h->nheld) {
		const struct spinlock *top = h->held[h->nheld - 1];
		if (l->rank <= top->rank) {
			h->held[h->nheld++] = l;        /* keep release order checkable */
			lockcheck_fail("lockcheck: %s (rank %d) taken while holding %s (rank %d)",
				       l->name, l->rank, top->name, top->rank);
		}
	}
	h->held[h->nheld++] = l;
}

/* The checks, inline: what every acquire pays is a handful of loads and
 * compares; anything unusual goes to lockcheck_acquire_slow. */
static inline void lockcheck_acquire(struct hart *h, const struct spinlock *l)
{
	uint32_t n = h->nheld;

	if (__builtin_expect(panic_in_progress || n == HELD_MAX ||
			     (l->owner == h->index && atomic_load32(&l->locked)) ||
			     (n && l->rank <= h->held[n - 1]->rank), 0)) {
		lockcheck_acquire_slow(h, l);
		return;
	}
	h->held[n] = l;
	h->nheld = n + 1;
}

static void __attribute__((noinline, cold)) lockcheck_release_slow(struct hart *h,
								   const struct spinlock *l)
{
	if (panic_in_progress || !h->nheld)
		return;
	panic("lockcheck: %s released out of order (newest held is %s)",
	      l->name, h->held[h->nheld - 1]->name);
}

static inline void lockcheck_release(struct hart *h, const struct spinlock *l)
{
	uint32_t n = h->nheld;

	if (__builtin_expect(n && h->held[n - 1] == l, 1))
		h->nheld = n - 1;
	else
		lockcheck_release_slow(h, l);
}
#else
void lockcheck_expect(bool on) { (void)on; }
const char *lockcheck_last_violation(void) { return ""; }
static void lockcheck_acquire(struct hart *h, const struct spinlock *l) { (void)h; (void)l; }
#endif

/* Spins before a waiter sleeps (smp_lock_sleep): a lock is held for well
 * under a microsecond unless its holder is not running. */
#define LOCK_SPINS 1000

/* The lock was held at the first try: spin, then sleep until it is free. */
static void __attribute__((noinline)) acquire_contended(struct spinlock *l)
{
	unsigned spins = 0;

	do {
		while (atomic_load32(&l->locked)) {
			if (++spins < LOCK_SPINS)
				cpu_relax();
			else
				smp_lock_sleep(&l->locked, &l->sleepers);
		}
	} while (arch_amoswap32_acq(&l->locked, 1));
}

static inline void acquire(struct hart *h, struct spinlock *l)
{
	lockcheck_acquire(h, l);
	if (__builtin_expect(arch_amoswap32_acq(&l->locked, 1) != 0, 0))
		acquire_contended(l);
	l->owner = h->index;
	h->locks_held++;
}

/* spin_lock off its fast path: a check to make or a lock to wait for.
 * Interrupts are off already; s is the state before. */
static void __attribute__((noinline)) spin_lock_slow(struct spinlock *l, unsigned long s)
{
	acquire(this_hart(), l);
	l->irq_state = (uint32_t)s;
}

/* The fast path calls nothing, so it saves no registers: the order check
 * passes at a glance and the lock is free at the first swap.  Anything
 * else goes to spin_lock_slow, which starts over, the swap not yet made. */
void spin_lock(struct spinlock *l)
{
	unsigned long s = arch_irq_save();
	struct hart *h = this_hart();
#ifdef KEEL_LOCKCHECK
	uint32_t n = h->nheld;

	if (__builtin_expect(panic_in_progress || n == HELD_MAX ||
			     (l->owner == h->index && atomic_load32(&l->locked)) ||
			     (n && l->rank <= h->held[n - 1]->rank), 0))
		return spin_lock_slow(l, s);
#endif
	if (__builtin_expect(atomic_load32(&l->locked) != 0, 0) ||
	    __builtin_expect(arch_amoswap32_acq(&l->locked, 1) != 0, 0))
		return spin_lock_slow(l, s);
#ifdef KEEL_LOCKCHECK
	h->held[n] = l;
	h->nheld = n + 1;
#endif
	l->owner = h->index;
	h->locks_held++;
	l->irq_state = (uint32_t)s;
}

bool spin_trylock(struct spinlock *l)
{
	unsigned long s = arch_irq_save();
	struct hart *h = this_hart();

	if (arch_amoswap32_acq(&l->locked, 1)) {
		arch_irq_restore(s);
		return false;
	}
	l->owner = h->index;
	l->irq_state = (uint32_t)s;
	h->locks_held++;
#ifdef KEEL_LOCKCHECK
	if (!panic_in_progress && h->nheld < sizeof h->held / sizeof h->held[0])
		h->held[h->nheld++] = l;
#endif
	return true;
}

/* A wakeup's IPI waits until this hart holds no lock (see sched.c kick):
 * the woken thread's hart would often want a lock the waker still holds,
 * and spin on it; under QEMU's -icount, where the IPI ends the sender's
 * turn, for all of its own turn. */
static void __attribute__((noinline)) send_deferred_kicks(struct hart *h)
{
	uint64_t k = h->kicks_deferred;

	h->kicks_deferred = 0;
	for (uint32_t i = 0; k; i++, k >>= 1)
		if (k & 1)
			ipi_send(&harts[i], IPI_RESCHED);
}

static void __attribute__((noinline)) wake_sleepers(struct spinlock *l)
{
	uint64_t w = atomic_swap64(&l->sleepers, 0);

	for (uint32_t i = 0; w; i++, w >>= 1)
		if (w & 1)
			ipi_send(&harts[i], IPI_ACK);
}

/* What spin_unlock does after the release when there is more to do:
 * sleepers to wake, deferred kicks to send (spinlock_fast.h's too). */
void __attribute__((noinline)) spin_unlock_more(struct spinlock *l, struct hart *h,
							unsigned long s)
{
	if (atomic_load64(&l->sleepers))
		wake_sleepers(l);
	if (--h->locks_held == 0 && h->kicks_deferred)
		send_deferred_kicks(h);
	arch_irq_restore(s);
}

#ifdef KEEL_LOCKCHECK
/* spin_unlock when the checker's stack does not end in l: report it (or,
 * in a panic, let it be), then release as usual. */
static void __attribute__((noinline)) spin_unlock_unchecked(struct spinlock *l)
{
	unsigned long s = l->irq_state;
	struct hart *h = this_hart();

	lockcheck_release(h, l);
	l->owner = ~0u;
	arch_amoswap32_rel(&l->locked, 0);
	smp_mb();
	spin_unlock_more(l, h, s);
}
#endif

void spin_unlock(struct spinlock *l)
{
	unsigned long s = l->irq_state;
	struct hart *h = this_hart();
#ifdef KEEL_LOCKCHECK
	uint32_t n = h->nheld;

	if (__builtin_expect(!n || h->held[n - 1] != l, 0))
		return spin_unlock_unchecked(l);
	h->nheld = n - 1;
#endif
	spin_release(h, l, s);
}

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	spin_lock(l);
	return 0;
}

void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	(void)flags;
	spin_unlock(l);
}

bool spin_held(const struct spinlock *l)
{
	return atomic_load32(&((struct spinlock *)l)->locked) && l->owner == this_hart()->index;
}
