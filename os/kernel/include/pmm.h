#pragma once
/* The physical page allocator: a binary buddy allocator over 4 KiB pages,
 * blocks of 2^order pages, order 0..PMM_MAX_ORDER.  Whether a block is free
 * is recorded only in a per-page state byte array that pmm_init() carves out
 * of the free memory itself; free blocks also hold their list links.
 * One lock (rank LR_PMM), taken with interrupts off: callable from any hart
 * and from trap handlers. */
#include <stdint.h>
#include "memmap.h"

#define PMM_PAGE_SHIFT  12
#define PMM_PAGE_SIZE   (1ul << PMM_PAGE_SHIFT)
#define PMM_MAX_ORDER   10          /* 4 MiB blocks */
#define PMM_MAX_ZONES   64          /* free ranges accepted by pmm_init() */

enum pmm_err {
	PMM_E_RANGES = -1,        /* ranges unaligned, unsorted, overlapping or too many */
	PMM_E_NOMEM  = -2,        /* no range large enough for the page state array */
};

/* Takes ownership of free[0..n): page-aligned, sorted, disjoint ranges of RAM
 * (memmap_free_ranges() output).  pa_to_va is added to a physical address to
 * reach it through the kernel's direct map.  Page 0 is never handed out (0
 * means "no page").  Returns 0, or PMM_E_* with the allocator left empty.
 * Boot hart only, before any other pmm call; may be called again to start
 * over (host tests). */
int pmm_init(const struct memrange *free, int n, uintptr_t pa_to_va);

/* A block of 2^order pages aligned to its size, contents undefined; 0 if
 * none is free or order > PMM_MAX_ORDER. */
uint64_t pmm_alloc(unsigned order);

/* pmm_alloc() with the block filled with zeros. */
uint64_t pmm_alloc_zeroed(unsigned order);

/* Returns a block from pmm_alloc(order) with that same order; it merges with
 * its free buddies.  Anything else (double free, wrong order, an address never
 * handed out) is reported to pmm_bad_free() and otherwise ignored. */
void pmm_free(uint64_t pa, unsigned order);
/* An allocated block of 2^order pages becomes 2^order allocated single
 * pages, each freed on its own with pmm_free(pa, 0). */
void pmm_split(uint64_t pa, unsigned order);

/* Pages currently free, and pages managed (free or allocated). */
uint64_t pmm_free_pages(void);
uint64_t pmm_total_pages(void);

/* Called by pmm_free() on a bad free, without the pmm lock held; `from` is
 * where pmm_free (or pmm_split, pmm_alloc) was called from, so the report
 * names the code that freed.  The kernel defines it to panic; host tests
 * record the call. */
void pmm_bad_free(uint64_t pa, const char *why, uintptr_t from);
