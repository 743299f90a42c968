/* Range arithmetic on inclusive ends internally: `last` = base + size - 1
 * always fits in 64 bits, so a range ending at 2^64 needs no special case. */
#include <stdbool.h>
#include "memmap.h"
#include "kstring.h"

#define PAGE_MASK ((uint64_t)MEMMAP_PAGE - 1)

/* Last byte of a non-empty range, clipped at the top of the address space. */
static uint64_t last_of(uint64_t base, uint64_t size)
{
	if (size - 1 > UINT64_MAX - base)
		return UINT64_MAX;
	return base + (size - 1);
}

/* Size of [base, last]; the full 2^64 space is clipped to UINT64_MAX. */
static uint64_t size_of(uint64_t base, uint64_t last)
{
	uint64_t s = last - base;

	return s == UINT64_MAX ? s : s + 1;
}

static bool before(const struct memrange *a, const struct memrange *b)
{
	return a->base < b->base || (a->base == b->base && a->size < b->size);
}

/* Sorts r[0..n) by base, then size (insertion sort: n is small). */
void memmap_sort(struct memrange *r, int n)
{
	struct memrange key;
	int i, j;

	for (i = 1; i < n; i++) {
		key = r[i];
		for (j = i; j > 0 && before(&key, &r[j - 1]); j--)
			r[j] = r[j - 1];
		r[j] = key;
	}
}

/* Count after sorting, dropping empties and merging overlaps/adjacency. */
int memmap_normalize(struct memrange *r, int n)
{
	uint64_t last = 0;
	int i, out = 0;

	memmap_sort(r, n);
	for (i = 0; i < n; i++) {
		if (r[i].size == 0)
			continue;
		if (out > 0 && (last == UINT64_MAX || r[i].base <= last + 1)) {
			if (last_of(r[i].base, r[i].size) > last)
				last = last_of(r[i].base, r[i].size);
			r[out - 1].size = size_of(r[out - 1].base, last);
			continue;
		}
		last = last_of(r[i].base, r[i].size);
		r[out].base = r[i].base;
		r[out].size = size_of(r[i].base, last);
		out++;
	}
	return out;
}

static void remove_at(struct memrange *r, int n, int i)
{
	memmove(&r[i], &r[i + 1], (size_t)(n - i - 1) * sizeof(*r));
}

static void insert_at(struct memrange *r, int n, int i, struct memrange v)
{
	memmove(&r[i + 1], &r[i], (size_t)(n - i) * sizeof(*r));
	r[i] = v;
}

/* True if the hole [hb, hl] falls strictly inside r, leaving two pieces. */
static bool splits(const struct memrange *r, uint64_t hb, uint64_t hl)
{
	return r->size && r->base < hb && hl < last_of(r->base, r->size);
}

/* New count after removing the hole, or -1 (r unchanged) past max. */
int memmap_subtract(struct memrange *r, int n, int max, uint64_t base, uint64_t size)
{
	uint64_t hl, b, l;
	int i, extra = 0;

	if (size == 0)
		return n;
	hl = last_of(base, size);
	for (i = 0; i < n; i++)
		extra += splits(&r[i], base, hl);
	if (n + extra > max)
		return -1;
	for (i = 0; i < n; i++) {
		if (r[i].size == 0)
			continue;
		b = r[i].base;
		l = last_of(b, r[i].size);
		if (l < base || b > hl)
			continue;
		if (b >= base && l <= hl) {
			remove_at(r, n--, i--);
		} else if (b >= base) {
			r[i] = (struct memrange){ hl + 1, l - hl };
		} else if (l <= hl) {
			r[i].size = base - b;
		} else {
			r[i].size = base - b;
			insert_at(r, n++, ++i, (struct memrange){ hl + 1, l - hl });
		}
	}
	return n;
}

/* Shrinks [*b, *l] to whole pages; false if no page is left. */
static bool page_shrink(uint64_t *b, uint64_t *l)
{
	uint64_t tail = (*l + 1) & PAGE_MASK;   /* 0 when *l + 1 wraps to 2^64 */

	if (*b & PAGE_MASK) {
		if (*b > UINT64_MAX - PAGE_MASK)
			return false;
		*b = (*b + PAGE_MASK) & ~PAGE_MASK;
	}
	if (tail > *l)
		return false;
	*l -= tail;
	return *l > *b;
}

/* Count after shrinking every range inward to whole pages. */
int memmap_align_pages(struct memrange *r, int n)
{
	uint64_t b, l;
	int i, out = 0;

	for (i = 0; i < n; i++) {
		if (r[i].size == 0)
			continue;
		b = r[i].base;
		l = last_of(b, r[i].size);
		if (!page_shrink(&b, &l))
			continue;
		r[out].base = b;
		/* Whole pages only, also when the span is all of 2^64. */
		r[out].size = size_of(b, l) & ~PAGE_MASK;
		out++;
	}
	return out;
}

/* Count of free page-aligned ranges of ram minus rsv, or -1 past max. */
int memmap_free_ranges(struct memrange *out, int max, const struct memrange *ram, int nram,
		       const struct memrange *rsv, int nrsv)
{
	int i, n;

	if (nram < 0 || nram > max)
		return -1;
	if (nram > 0)
		memcpy(out, ram, (size_t)nram * sizeof(*out));
	n = memmap_normalize(out, nram);
	for (i = 0; i < nrsv && n >= 0; i++)
		n = memmap_subtract(out, n, max, rsv[i].base, rsv[i].size);
	return n < 0 ? -1 : memmap_align_pages(out, n);
}
