/* Page share counts (pageref.h).
 *
 * Counts are 32-bit words indexed by page frame number, in chunks of
 * PAGEREF_CHUNK_PAGES allocated on first use and never freed (published
 * with a compare-and-swap, so racing first users agree on one chunk).
 * 64 chunks of 2^20 pages cover 256 GiB of physical address space, which
 * holds the RAM of every board Keel runs on. */
#include <keel/errno.h>
#include "atomic.h"
#include "pageref.h"
#include "pmm.h"
#include "vm.h"

#define PAGEREF_CHUNK_SHIFT 20
#define PAGEREF_CHUNK_PAGES (1ul << PAGEREF_CHUNK_SHIFT)
#define PAGEREF_CHUNKS      64
#define PAGEREF_CHUNK_ORDER 10          /* 4 MiB: 2^20 words of 4 bytes */

_Static_assert((PMM_PAGE_SIZE << PAGEREF_CHUNK_ORDER) == PAGEREF_CHUNK_PAGES * 4,
	       "a chunk is one largest pmm block");

/* The word's top bit marks a page of a shared object (pageref_mark_object);
 * the rest is the count. */
#define OBJECT_BIT  0x80000000u
#define COUNT_MASK  0x7fffffffu

static volatile uint64_t chunks[PAGEREF_CHUNKS];        /* direct-map address or 0 */

/* The count word of pa, or NULL if its chunk does not exist (create: make it). */
static volatile uint32_t *count_of(uint64_t pa, bool create)
{
	uint64_t pfn = pa >> PAGE_SHIFT, c = pfn >> PAGEREF_CHUNK_SHIFT;

	if (c >= PAGEREF_CHUNKS)
		return 0;
	uint64_t base = atomic_load64(&chunks[c]);
	if (!base && create) {
		uint64_t block = pmm_alloc_zeroed(PAGEREF_CHUNK_ORDER);
		if (!block)
			return 0;
		uint64_t va = (uint64_t)phys_to_virt(block);
		smp_mb();               /* the zeroes before the pointer */
		base = atomic_cas64(&chunks[c], 0, va);
		if (base)
			pmm_free(block, PAGEREF_CHUNK_ORDER);   /* another hart was first */
		else
			base = va;
	}
	if (!base)
		return 0;
	return (volatile uint32_t *)base + (pfn & (PAGEREF_CHUNK_PAGES - 1));
}

int pageref_share(uint64_t pa)
{
	volatile uint32_t *n = count_of(pa, true);

	if (!n)
		return -ENOMEM;
	atomic_add32(n, 1);
	return 0;
}

bool pageref_drop(uint64_t pa)
{
	volatile uint32_t *n = count_of(pa, false);

	for (;;) {
		uint32_t v = n ? atomic_load32(n) : 0;
		if (!v)
			return true;
		if (!(v & COUNT_MASK)) {        /* the last mapping of an object's page */
			if (atomic_cas32(n, v, 0) == v)
				return true;
			continue;
		}
		if (atomic_cas32(n, v, v - 1) == v)
			return false;
	}
}

bool pageref_shared(uint64_t pa)
{
	volatile uint32_t *n = count_of(pa, false);

	return n && (atomic_load32(n) & COUNT_MASK) != 0;
}

int pageref_mark_object(uint64_t pa)
{
	volatile uint32_t *n = count_of(pa, true);

	if (!n)
		return -ENOMEM;
	atomic_or32(n, OBJECT_BIT);
	return 0;
}

bool pageref_object(uint64_t pa)
{
	volatile uint32_t *n = count_of(pa, false);

	return n && (atomic_load32(n) & OBJECT_BIT);
}
