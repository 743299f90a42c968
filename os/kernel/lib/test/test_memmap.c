/* Host tests of memmap: hand-picked edge cases, then random layouts checked
 * page by page against a brute-force model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ktap.h"
#include "memmap.h"

#define R(b, s) ((struct memrange){ (b), (s) })
#define TOP UINT64_MAX

static void t_normalize_merge(const void *arg)
{
	struct memrange r[] = {
		R(0x5000, 0x1000), R(0x1000, 0x2000), R(0x2000, 0x500), R(0x3000, 0x1000),
		R(0x9000, 0), R(0x8000, 0x800), R(0x8400, 0x100),
	};
	int n;

	(void)arg;
	n = memmap_normalize(r, 7);
	/* 0x1000..0x4000 from overlap, containment and adjacency; a gap at 0x4000. */
	KT_RANGES(r, n, R(0x1000, 0x3000), R(0x5000, 0x1000), R(0x8000, 0x800));
	n = memmap_normalize(r, n);
	KT_RANGES(r, n, R(0x1000, 0x3000), R(0x5000, 0x1000), R(0x8000, 0x800));
	KT_EQ(memmap_normalize(r, 0), 0);
}

static void t_normalize_top(const void *arg)
{
	struct memrange r[] = { R(TOP - 0xfff, 0x5000), R(0x10, 0x10) };
	struct memrange all[] = { R(0, TOP), R(TOP - 10, 100) };
	struct memrange touch[] = { R(TOP - 0xfff, 0x1000), R(TOP - 0x1fff, 0x1000) };
	int n;

	(void)arg;
	n = memmap_normalize(r, 2);
	KT_RANGES(r, n, R(0x10, 0x10), R(TOP - 0xfff, 0x1000));
	n = memmap_normalize(all, 2);
	KT_RANGES(all, n, R(0, TOP));
	n = memmap_normalize(touch, 2);
	KT_RANGES(touch, n, R(TOP - 0x1fff, 0x2000));
}

static void t_subtract_shapes(const void *arg)
{
	struct memrange r[8];
	int n;

	(void)arg;
	r[0] = R(0x10000, 0x10000);
	n = memmap_subtract(r, 1, 8, 0x14000, 0x1000);          /* middle: split */
	KT_RANGES(r, n, R(0x10000, 0x4000), R(0x15000, 0xb000));
	n = memmap_subtract(r, n, 8, 0x8000, 0x9000);           /* left edge */
	KT_RANGES(r, n, R(0x11000, 0x3000), R(0x15000, 0xb000));
	n = memmap_subtract(r, n, 8, 0x1f000, 0x5000);          /* right edge */
	KT_RANGES(r, n, R(0x11000, 0x3000), R(0x15000, 0xa000));
	n = memmap_subtract(r, n, 8, 0x13000, 0x3000);          /* spans both */
	KT_RANGES(r, n, R(0x11000, 0x2000), R(0x16000, 0x9000));
	n = memmap_subtract(r, n, 8, 0x13000, 0x3000);          /* exactly the gap */
	KT_RANGES(r, n, R(0x11000, 0x2000), R(0x16000, 0x9000));
	n = memmap_subtract(r, n, 8, 0x11000, 0x2000);          /* a whole range */
	KT_RANGES(r, n, R(0x16000, 0x9000));
	n = memmap_subtract(r, n, 8, 0x16000, 0);               /* empty hole */
	KT_RANGES(r, n, R(0x16000, 0x9000));
	n = memmap_subtract(r, n, 8, 0, TOP);                   /* everything */
	KT_EQ(n, 0);
}

static void t_subtract_capacity(const void *arg)
{
	struct memrange r[4] = { R(0x0, 0x10000), R(0x20000, 0x10000) };

	(void)arg;
	/* Trimming two ranges needs no extra slot; each split needs one. */
	KT_EQ(memmap_subtract(r, 2, 3, 0x8000, 0x1c000 + 0x1000), 2);
	r[0] = R(0x0, 0x10000);
	r[1] = R(0x20000, 0x10000);
	KT_EQ(memmap_subtract(r, 2, 3, 0x4000, 0x1000), 3);
	KT_EQ(memmap_subtract(r, 3, 3, 0x24000, 0x1000), -1);
	KT_RANGES(r, 3, R(0x0, 0x4000), R(0x5000, 0xb000), R(0x20000, 0x10000));
	KT_EQ(memmap_subtract(r, 3, 4, 0x24000, 0x1000), 4);
}

static void t_subtract_top(const void *arg)
{
	struct memrange r[4] = { R(TOP - 0xffff, 0x10000) };
	int n;

	(void)arg;
	n = memmap_subtract(r, 1, 4, TOP - 0xfff, 0x1000);
	KT_RANGES(r, n, R(TOP - 0xffff, 0xf000));
	n = memmap_subtract(r, n, 4, TOP - 0x7fff, 0x100000);  /* hole runs past 2^64 */
	KT_RANGES(r, n, R(TOP - 0xffff, 0x8000));
	r[0] = R(TOP - 0xffff, 0x10000);
	n = memmap_subtract(r, 1, 4, TOP - 0x8000, 0x10);
	KT_RANGES(r, n, R(TOP - 0xffff, 0x7fff), R(TOP - 0x7ff0, 0x7ff1));
}

static void t_align_pages(const void *arg)
{
	struct memrange r[] = {
		R(0x1001, 0x3000),           /* -> 0x2000..0x4000 */
		R(0x5000, 0x1000),           /* exact page */
		R(0x7001, 0x1ffe),           /* no whole page */
		R(0xa000, 0xfff),            /* short of a page */
		R(0xb800, 0x1800),           /* -> 0xc000..0xd000 */
		R(TOP - 0x1ffe, 0x1fff),     /* -> the top page */
	};
	struct memrange odd[] = { R(TOP - 0x10, 0x11), R(0, TOP) };
	int n;

	(void)arg;
	n = memmap_align_pages(r, (int)KT_COUNT(r));
	KT_RANGES(r, n, R(0x2000, 0x2000), R(0x5000, 0x1000), R(0xc000, 0x1000),
	       R(TOP - 0xfff, 0x1000));
	n = memmap_align_pages(odd, 2);
	KT_RANGES(odd, n, R(0, TOP - 0xfff));   /* the top page lacks its last byte */
}

static void t_free_ranges_virt(const void *arg)
{
	const struct memrange ram[] = { R(0x80000000, 512ull << 20) };
	const struct memrange rsv[] = {
		R(0x80000000, 0x40000),      /* firmware */
		R(0x80200000, 0x123456),     /* kernel image, odd end */
		R(0x9fe00000, 0x1c00),       /* device tree, unaligned size */
		R(0x88000000, 0x400000),     /* initrd */
		R(0x10000000, 0x1000),       /* outside RAM: no effect */
		R(0x80210000, 0x1000),       /* inside the kernel already */
	};
	struct memrange out[16];
	int n;

	(void)arg;
	n = memmap_free_ranges(out, 16, ram, 1, rsv, (int)KT_COUNT(rsv));
	KT_RANGES(out, n, R(0x80040000, 0x1c0000), R(0x80324000, 0x7cdc000),
	       R(0x88400000, 0x17a00000), R(0x9fe02000, 0x1fe000));
	KT_EQ(memmap_free_ranges(out, 3, ram, 1, rsv, (int)KT_COUNT(rsv)), -1);
	KT_EQ(memmap_free_ranges(out, 0, ram, 1, rsv, 0), -1);
	KT_EQ(memmap_free_ranges(out, 4, ram, 0, rsv, 2), 0);
}

static void t_free_ranges_unmatched(const void *arg)
{
	const struct memrange ram[] = { R(0x80000000, 16ull << 30) };
	const struct memrange rsv[] = {
		R(0x80000000, 0x80000), R(0x80000000, 0x40000), R(0x80040000, 0x20000),
		R(0x80200000, 0x200000), R(0x88000000, 0x412000),
	};
	struct memrange out[16];
	uint64_t total = 0;
	int i, n;

	(void)arg;
	n = memmap_free_ranges(out, 16, ram, 1, rsv, (int)KT_COUNT(rsv));
	KT_RANGES(out, n, R(0x80080000, 0x180000), R(0x80400000, 0x7c00000),
	       R(0x88412000, 0x480000000ull - 0x88412000));
	for (i = 0; i < n; i++)
		total += out[i].size;
	KT_EQ(total, (16ull << 30) - 0x80000 - 0x200000 - 0x412000);
}

/* ---- random layouts against a page model -------------------------------- */

#define MODEL_PAGES 4096u                     /* a 16 MiB window */
#define MODEL_BASE  0x80000000ull
#define MODEL_END   (MODEL_BASE + (uint64_t)MODEL_PAGES * MEMMAP_PAGE)

static struct memrange random_range(void)
{
	uint64_t span = (uint64_t)MODEL_PAGES * MEMMAP_PAGE;
	uint64_t base = MODEL_BASE + kt_rand() % span;
	uint64_t size = kt_rand() % 3 == 0 ? kt_rand() % 0x3000 : kt_rand() % (span / 4);

	/* Sometimes page-aligned, sometimes not, sometimes touching the window edge. */
	if (kt_rand() % 2)
		base &= ~(uint64_t)(MEMMAP_PAGE - 1);
	return R(base, size);
}

/* True if every byte of [b, l] lies in some range of r (their union). */
static bool covered(uint64_t b, uint64_t l, const struct memrange *r, int n)
{
	bool moved = true;
	int i;

	while (moved) {
		moved = false;
		for (i = 0; i < n; i++) {
			if (r[i].size && r[i].base <= b && b <= r[i].base + r[i].size - 1) {
				if (r[i].base + r[i].size - 1 >= l)
					return true;
				b = r[i].base + r[i].size;
				moved = true;
			}
		}
	}
	return false;
}

/* Page p is free iff RAM covers all of it and it touches no reserved byte. */
static void model(bool *free_pg, const struct memrange *ram, int nram,
		  const struct memrange *rsv, int nrsv)
{
	uint64_t pb, pl;
	unsigned p;
	int i;

	for (p = 0; p < MODEL_PAGES; p++) {
		pb = MODEL_BASE + (uint64_t)p * MEMMAP_PAGE;
		pl = pb + MEMMAP_PAGE - 1;
		free_pg[p] = covered(pb, pl, ram, nram);
		for (i = 0; i < nrsv; i++) {
			if (rsv[i].size && pb <= rsv[i].base + rsv[i].size - 1 && rsv[i].base <= pl)
				free_pg[p] = false;
		}
	}
}

/* The result must be sorted, disjoint, non-touching-free, aligned, and
 * cover exactly the model's free pages. */
static bool matches_model(const struct memrange *out, int n, const bool *free_pg)
{
	static bool got[MODEL_PAGES];
	uint64_t a;
	int i;

	memset(got, 0, sizeof(got));
	for (i = 0; i < n; i++) {
		if (out[i].size == 0 || (out[i].base | out[i].size) % MEMMAP_PAGE)
			return false;
		if (i > 0 && out[i].base < out[i - 1].base + out[i - 1].size)
			return false;
		for (a = out[i].base; a < out[i].base + out[i].size; a += MEMMAP_PAGE) {
			if (a < MODEL_BASE || a >= MODEL_BASE + (uint64_t)MODEL_PAGES * MEMMAP_PAGE)
				return false;
			got[(a - MODEL_BASE) / MEMMAP_PAGE] = true;
		}
	}
	return memcmp(got, free_pg, sizeof(got)) == 0;
}

static void t_random_vs_model(const void *arg)
{
	static bool free_pg[MODEL_PAGES];
	struct memrange ram[6], rsv[12], out[64];
	int trial, nram, nrsv, n, i, bad = 0;

	(void)arg;
	kt_srand(0x6d656d6d6170ull);
	for (trial = 0; trial < 2000; trial++) {
		nram = 1 + (int)(kt_rand() % 6);
		nrsv = (int)(kt_rand() % 13);
		for (i = 0; i < nram; i++) {
			ram[i] = random_range();
			/* RAM stays inside the modelled window; reservations need not. */
			if (ram[i].size > MODEL_END - ram[i].base)
				ram[i].size = MODEL_END - ram[i].base;
		}
		for (i = 0; i < nrsv; i++)
			rsv[i] = random_range();
		model(free_pg, ram, nram, rsv, nrsv);
		n = memmap_free_ranges(out, 64, ram, nram, rsv, nrsv);
		if (n < 0 || !matches_model(out, n, free_pg)) {
			if (bad++ < 3)
				printf("# trial %d: %d ranges, mismatch\n", trial, n);
		}
	}
	KT_EQ(bad, 0);
}

static const struct kt_case cases[] = {
	{ "normalize_merge_overlap_adjacent", t_normalize_merge, NULL },
	{ "normalize_top_of_space", t_normalize_top, NULL },
	{ "subtract_shapes", t_subtract_shapes, NULL },
	{ "subtract_capacity", t_subtract_capacity, NULL },
	{ "subtract_top_of_space", t_subtract_top, NULL },
	{ "align_pages_inward", t_align_pages, NULL },
	{ "free_ranges_virt", t_free_ranges_virt, NULL },
	{ "free_ranges_unmatched", t_free_ranges_unmatched, NULL },
	{ "random_layouts_vs_page_model", t_random_vs_model, NULL },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
