/* sbrk and brk for the package's malloc.
 *
 * STOPGAP: until taskman serves memory requests (_PROC_MMAP of
 * <keel/procmsg.h> is declared but not served yet), the heap is a fixed
 * 4 MiB region in .bss, zeroed and mapped by the loader with the rest of
 * the image: every process pays for it at spawn (16 MiB made a spawn of a
 * static hello cost 10.7 million guest instructions, nearly all zeroing).
 * sbrk past its end is ENOMEM.  The break is moved with a compare-and-swap: malloc holds the
 * libc lock, but direct callers may race. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#define HEAP_SIZE (4u << 20)

static char heap[HEAP_SIZE] __attribute__((aligned(4096)));
static uintptr_t cur = (uintptr_t)heap;

void *sbrk(intptr_t incr)
{
	uintptr_t old = __atomic_load_n(&cur, __ATOMIC_RELAXED), new;

	do {
		new = old + (uintptr_t)incr;
		if ((incr > 0 && (new < old || new > (uintptr_t)heap + HEAP_SIZE)) ||
		    (incr < 0 && (new > old || new < (uintptr_t)heap))) {
			errno = ENOMEM;
			return (void *)-1;
		}
	} while (!__atomic_compare_exchange_n(&cur, &old, new, false, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return (void *)old;
}

int brk(void *addr)
{
	uintptr_t a = (uintptr_t)addr;

	if (a < (uintptr_t)heap || a > (uintptr_t)heap + HEAP_SIZE) {
		errno = ENOMEM;
		return -1;
	}
	__atomic_store_n(&cur, a, __ATOMIC_RELAXED);
	return 0;
}
