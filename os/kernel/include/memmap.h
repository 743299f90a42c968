#pragma once
/* Physical range arithmetic for building the free-memory list: RAM minus the
 * kernel image, the device tree, the initrd and reserved memory.  Pure code,
 * no allocation.  A range is [base, base + size); one that reaches the top of
 * the 64-bit space has base + size == 2^64, which is never computed. */
#include <stdint.h>

#define MEMMAP_PAGE 4096u

struct memrange {
	uint64_t base, size;
};

/* Sorts r[0..n) by base (then size).  n may be 0. */
void memmap_sort(struct memrange *r, int n);

/* Sorts r[0..n), drops empty ranges, clips ranges that would run past 2^64 and
 * merges overlapping or touching ones.  Returns the new count (<= n).  A merged
 * range covering all 2^64 bytes is clipped to size UINT64_MAX. */
int memmap_normalize(struct memrange *r, int n);

/* Removes [base, base + size) from every range of r[0..n), splitting a range
 * the hole falls inside.  r has room for `max` entries.  Returns the new count,
 * or -1 (with r unchanged) if the splits would need more than max. */
int memmap_subtract(struct memrange *r, int n, int max, uint64_t base, uint64_t size);

/* Shrinks each range inward to MEMMAP_PAGE boundaries and drops the ones left
 * without a whole page.  Keeps order.  Returns the new count. */
int memmap_align_pages(struct memrange *r, int n);

/* The free list: out = pages of ram[0..nram) that touch no byte of
 * rsv[0..nrsv), sorted, disjoint, page-aligned.  out has room for max.
 * Returns the count, or -1 if nram > max or the result needs more room. */
int memmap_free_ranges(struct memrange *out, int max, const struct memrange *ram, int nram,
		       const struct memrange *rsv, int nrsv);
