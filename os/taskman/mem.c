/* taskman's own memory: page runs mapped into its space on demand (it holds
 * KCALL_PRIV_PROCMGR, so AsMap on AS_SELF is its sbrk) and unmapped when
 * freed, so that its footprint goes back to the baseline after any number
 * of spawns.  A first-fit bitmap over one reserved range of addresses. */
#include <keel/errno.h>
#include <keel/procmgr.h>
#include "taskman.h"

#define HEAP_BASE   0x0000001000000000ul        /* 64 GiB: far from image and stacks */
#define HEAP_PAGES  65536u                      /* 256 MiB of addresses */
#define PAGE        4096ul

static uint64_t used[HEAP_PAGES / 64];          /* bit set: page taken */
static uint32_t pages_in_use;
static sync_t heap_lock;

size_t tm_heap_bytes(void)
{
	return (size_t)__atomic_load_n(&pages_in_use, __ATOMIC_RELAXED) * PAGE;
}

static bool taken(uint32_t i)
{
	return used[i / 64] >> (i % 64) & 1;
}

static void mark(uint32_t first, uint32_t n, bool on)
{
	for (uint32_t i = first; i < first + n; i++) {
		if (on)
			used[i / 64] |= 1ul << (i % 64);
		else
			used[i / 64] &= ~(1ul << (i % 64));
	}
}

/* The first run of n free pages, or HEAP_PAGES. */
static uint32_t find_run(uint32_t n)
{
	uint32_t run = 0;

	for (uint32_t i = 0; i < HEAP_PAGES; i++) {
		run = taken(i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return HEAP_PAGES;
}

void *tm_alloc(size_t bytes)
{
	uint32_t n = (uint32_t)((bytes + PAGE - 1) / PAGE), me = urt_tid();

	if (!bytes || bytes > HEAP_PAGES * PAGE)
		return 0;
	urt_mutex_lock(&heap_lock, me);
	uint32_t first = find_run(n);
	if (first < HEAP_PAGES) {
		mark(first, n, true);
		pages_in_use += n;
	}
	urt_mutex_unlock(&heap_lock, me);
	if (first == HEAP_PAGES)
		return 0;
	uintptr_t va = HEAP_BASE + first * PAGE;
	if (AsMap_r(AS_SELF, va, n * PAGE, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0) < 0) {
		urt_mutex_lock(&heap_lock, me);
		mark(first, n, false);
		pages_in_use -= n;
		urt_mutex_unlock(&heap_lock, me);
		return 0;
	}
	return (void *)va;
}

void tm_free(void *p, size_t bytes)
{
	uint32_t n = (uint32_t)((bytes + PAGE - 1) / PAGE), me = urt_tid();
	uintptr_t va = (uintptr_t)p;

	if (!p)
		return;
	AsUnmap_r(AS_SELF, va, n * PAGE);
	urt_mutex_lock(&heap_lock, me);
	mark((uint32_t)((va - HEAP_BASE) / PAGE), n, false);
	pages_in_use -= n;
	urt_mutex_unlock(&heap_lock, me);
}
