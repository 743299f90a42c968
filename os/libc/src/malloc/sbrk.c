/* sbrk and brk for the package's malloc.
 *
 * The heap starts at the first page after the image (_end) and grows by
 * mapping zeroed pages from taskman (__heap_map: _PROC_MMAP at a fixed
 * address, never over anything) in steps of at least HEAP_STEP, up to
 * HEAP_MAX; mmap's own mappings live far above (taskman's MMAP_BASE).  A
 * process pays at spawn only for what it uses (the heap was a fixed 4 MiB
 * in .bss, zeroed at every spawn: about a million instructions each).
 * Shrinking keeps the pages.  The break moves with a compare-and-swap:
 * malloc holds the libc lock, but direct callers may race; so may two
 * growths, which the mapping call tells apart (EEXIST: the other one
 * mapped there first). */
#include <errno.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>
#include "libc.h"

#define PAGE       4096u
#define HEAP_STEP  (64u << 10)
#define HEAP_MAX   (1ul << 30)
#define GROW_TRIES 1000

extern char _end[];
static uintptr_t cur, mapped;           /* 0 until the first call */

static uintptr_t heap_base(void)
{
	return ((uintptr_t)_end + PAGE - 1) & ~(uintptr_t)(PAGE - 1);
}

static void start(void)
{
	uintptr_t zero = 0, base = heap_base();

	__atomic_compare_exchange_n(&cur, &zero, base, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	zero = 0;
	__atomic_compare_exchange_n(&mapped, &zero, base, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

/* Pages mapped up to at least `need`: 0 or -errno. */
static int grow(uintptr_t need)
{
	for (int tries = 0; tries < GROW_TRIES; tries++) {
		uintptr_t m = __atomic_load_n(&mapped, __ATOMIC_ACQUIRE);
		if (need <= m)
			return 0;
		uintptr_t to = (need + HEAP_STEP - 1) & ~(uintptr_t)(HEAP_STEP - 1);
		if (to > heap_base() + HEAP_MAX)
			to = heap_base() + HEAP_MAX;
		int r = __heap_map(m, to - m);
		if (r == 0) {
			while (m < to && !__atomic_compare_exchange_n(&mapped, &m, to, false,
								      __ATOMIC_RELEASE,
								      __ATOMIC_ACQUIRE))
				;
			return 0;
		}
		if (r != -EEXIST)
			return r;
		sched_yield();          /* another growth: wait for its end to show */
	}
	return -ENOMEM;                 /* something else is mapped in the heap's way */
}

void *sbrk(intptr_t incr)
{
	uintptr_t base = heap_base(), old, new;

	start();
	old = __atomic_load_n(&cur, __ATOMIC_RELAXED);
	do {
		new = old + (uintptr_t)incr;
		if ((incr > 0 && (new < old || new > base + HEAP_MAX)) ||
		    (incr < 0 && (new > old || new < base))) {
			errno = ENOMEM;
			return (void *)-1;
		}
		if (incr > 0 && grow(new)) {
			errno = ENOMEM;
			return (void *)-1;
		}
	} while (!__atomic_compare_exchange_n(&cur, &old, new, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return (void *)old;
}

int brk(void *addr)
{
	uintptr_t a = (uintptr_t)addr, base = heap_base();

	start();
	if (a < base || a > base + HEAP_MAX || grow(a)) {
		errno = ENOMEM;
		return -1;
	}
	__atomic_store_n(&cur, a, __ATOMIC_RELAXED);
	return 0;
}
