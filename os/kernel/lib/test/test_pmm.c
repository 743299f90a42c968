/* Host tests of the buddy page allocator over a heap-backed 64 MiB "RAM" at
 * physical 0x80000000 with holes, plus a sparse 16 GiB mapping shaped like
 * the HiFive Unmatched.  A page bitmap in the test checks alignment, bounds
 * and overlap of every block handed out; patterns in the holes and inside
 * allocated blocks catch any write the allocator should not make. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "bad_free.h"
#include "ktap.h"
#include "pmm.h"
#include "spinlock.h"

#define PA_BASE     0x80000000ull
#define ARENA       (64ull << 20)
#define ARENA_PAGES (ARENA / PMM_PAGE_SIZE)
#define HOLE_BYTE   0xa5

static uint8_t *arena;
static bool used[ARENA_PAGES];

/* Free ranges with a hole at the start (a kernel image), unaligned-looking
 * holes in the middle, and memory up to the arena's end. */
static const struct memrange ranges[] = {
	{ PA_BASE + 0x200000, 0xe00000 },
	{ PA_BASE + 0x1103000, 0xef8000 },
	{ PA_BASE + 0x2400000, 0x1c00000 },
};

struct block {
	uint64_t pa;
	unsigned order;
};

static struct block live[ARENA_PAGES];
static int nlive;

static uint8_t *va(uint64_t pa)
{
	return arena + (pa - PA_BASE);
}

static bool in_ranges(uint64_t pa, uint64_t size)
{
	size_t i;

	for (i = 0; i < KT_COUNT(ranges); i++) {
		if (pa >= ranges[i].base && pa + size <= ranges[i].base + ranges[i].size)
			return true;
	}
	return false;
}

/* Fills the arena: holes with HOLE_BYTE, free memory with other garbage. */
static void reset_arena(void)
{
	size_t i;

	memset(arena, HOLE_BYTE, ARENA);
	for (i = 0; i < KT_COUNT(ranges); i++)
		memset(va(ranges[i].base), 0x5c, ranges[i].size);
	memset(used, 0, sizeof(used));
	nlive = 0;
	bad_free_log = (struct bad_free_log){ 0 };
}

static bool holes_intact(void)
{
	uint64_t pa;

	for (pa = PA_BASE; pa < PA_BASE + ARENA; pa += PMM_PAGE_SIZE) {
		if (!in_ranges(pa, PMM_PAGE_SIZE) && va(pa)[0] != HOLE_BYTE)
			return false;
	}
	return true;
}

static int init_arena(void)
{
	reset_arena();
	return pmm_init(ranges, (int)KT_COUNT(ranges), (uintptr_t)arena - (uintptr_t)PA_BASE);
}

static uint8_t tag_of(uint64_t pa)
{
	return (uint8_t)(pa >> 12) | 1;
}

/* Checks a fresh block and records it; false if it is misplaced. */
static bool take(uint64_t pa, unsigned order)
{
	uint64_t size = PMM_PAGE_SIZE << order, i, first;

	if (pa & (size - 1) || !in_ranges(pa, size))
		return false;
	first = (pa - PA_BASE) / PMM_PAGE_SIZE;
	for (i = 0; i < (1ull << order); i++) {
		if (used[first + i])
			return false;
		used[first + i] = true;
	}
	memset(va(pa), tag_of(pa), size);
	live[nlive++] = (struct block){ pa, order };
	return true;
}

/* Checks a block's pattern survived, then frees it. */
static bool give_back(int idx)
{
	struct block b = live[idx];
	uint64_t size = PMM_PAGE_SIZE << b.order, i, first = (b.pa - PA_BASE) / PMM_PAGE_SIZE;
	bool ok = true;

	for (i = 0; i < size; i += 512)
		ok &= va(b.pa)[i] == tag_of(b.pa) && va(b.pa)[size - 1 - i] == tag_of(b.pa);
	for (i = 0; i < (1ull << b.order); i++)
		used[first + i] = false;
	pmm_free(b.pa, b.order);
	live[idx] = live[--nlive];
	return ok;
}

static bool free_all_random(void)
{
	bool ok = true;

	while (nlive > 0)
		ok &= give_back((int)(kt_rand() % (uint64_t)nlive));
	return ok;
}

/* How many max-order blocks the allocator can hand out right now (all are
 * given back before returning). */
static int count_max_blocks(void)
{
	uint64_t pa;
	int n = 0, bad = 0;

	while ((pa = pmm_alloc(PMM_MAX_ORDER)) != 0) {
		bad += !take(pa, PMM_MAX_ORDER);
		n++;
	}
	free_all_random();
	return bad ? -1 : n;
}

static uint64_t range_pages(void)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < KT_COUNT(ranges); i++)
		n += ranges[i].size / PMM_PAGE_SIZE;
	return n;
}

static void t_init_counts(const void *arg)
{
	uint64_t pages = range_pages(), meta = (pages + PMM_PAGE_SIZE - 1) / PMM_PAGE_SIZE;

	(void)arg;
	KT_EQ(init_arena(), 0);
	KT_EQ(pmm_total_pages(), pages - meta);
	KT_EQ(pmm_free_pages(), pmm_total_pages());
	KT_CHECK(holes_intact());
}

/* Allocate everything at one order, then give it back in random order. */
static void t_every_order(const void *arg)
{
	unsigned order, o, bad;
	int max_blocks;
	uint64_t pa, total;

	(void)arg;
	KT_REQUIRE(init_arena() == 0);
	max_blocks = count_max_blocks();
	KT_CHECK(max_blocks > 10);
	total = pmm_total_pages();
	for (order = 0; order <= PMM_MAX_ORDER; order++) {
		KT_REQUIRE(init_arena() == 0);
		bad = 0;
		while ((pa = pmm_alloc(order)) != 0)
			bad += !take(pa, order);
		KT_EQ(bad, 0);
		for (o = order; o <= PMM_MAX_ORDER; o++)
			KT_EQ(pmm_alloc(o), 0);
		KT_EQ((uint64_t)nlive * (1ull << order) + pmm_free_pages(), total);
		KT_CHECK(free_all_random());
		KT_EQ(pmm_free_pages(), total);
		KT_EQ(count_max_blocks(), max_blocks);
		KT_CHECK(holes_intact());
		KT_EQ(bad_free_log.count, 0);
	}
}

/* Random mix of orders and frees; every block checked on its way back. */
static void t_random_workload(const void *arg)
{
	int step, bad = 0, max_blocks;
	unsigned order;
	uint64_t pa;

	(void)arg;
	KT_REQUIRE(init_arena() == 0);
	max_blocks = count_max_blocks();
	for (step = 0; step < 40000; step++) {
		if (nlive > 0 && kt_rand() % 100 < 45) {
			bad += !give_back((int)(kt_rand() % (uint64_t)nlive));
			continue;
		}
		order = (unsigned)(kt_rand() % 100 < 70 ? kt_rand() % 3 : kt_rand() % (PMM_MAX_ORDER + 1));
		pa = pmm_alloc(order);
		if (pa)
			bad += !take(pa, order);
	}
	KT_EQ(bad, 0);
	KT_CHECK(free_all_random());
	KT_EQ(pmm_free_pages(), pmm_total_pages());
	KT_EQ(count_max_blocks(), max_blocks);
	KT_CHECK(holes_intact());
	KT_EQ(bad_free_log.count, 0);
}

static void t_zeroed(const void *arg)
{
	uint64_t pa, pz, i;
	bool zero = true;

	(void)arg;
	KT_REQUIRE(init_arena() == 0);
	pa = pmm_alloc(3);
	KT_REQUIRE(pa);
	memset(va(pa), 0xee, PMM_PAGE_SIZE << 3);
	pmm_free(pa, 3);
	/* Every free page holds garbage (reset_arena), so zeros must be written. */
	pz = pmm_alloc_zeroed(3);
	KT_REQUIRE(pz);
	for (i = 0; i < PMM_PAGE_SIZE << 3; i++)
		zero &= va(pz)[i] == 0;
	KT_CHECK(zero);
	pmm_free(pz, 3);
	KT_EQ(pmm_free_pages(), pmm_total_pages());
}

static void t_exhaustion(const void *arg)
{
	(void)arg;
	KT_REQUIRE(init_arena() == 0);
	KT_EQ(pmm_alloc(PMM_MAX_ORDER + 1), 0);
	KT_EQ(pmm_alloc(64), 0);
	while (pmm_alloc(0))
		;
	KT_EQ(pmm_free_pages(), 0);
	KT_EQ(pmm_alloc(0), 0);
	KT_EQ(pmm_alloc_zeroed(0), 0);
}

/* Each bad free is reported once and changes nothing. */
static void expect_bad_free(uint64_t pa, unsigned order, const char *why, int line)
{
	unsigned before = bad_free_log.count;
	uint64_t free_before = pmm_free_pages();

	pmm_free(pa, order);
	if (bad_free_log.count != before + 1 || bad_free_log.pa != pa ||
	    (why && (!bad_free_log.why || strcmp(bad_free_log.why, why) != 0)))
		kt_fail(__FILE__, line, "free(0x%llx, %u): %u reports, why \"%s\", want \"%s\"",
			(unsigned long long)pa, order, bad_free_log.count - before,
			bad_free_log.why ? bad_free_log.why : "", why ? why : "(any)");
	if (pmm_free_pages() != free_before)
		kt_fail(__FILE__, line, "free page count changed");
}

static void t_bad_frees(const void *arg)
{
	uint64_t a, b, c;

	(void)arg;
	KT_REQUIRE(init_arena() == 0);
	a = pmm_alloc(0);
	b = pmm_alloc(2);
	c = pmm_alloc(0);
	KT_REQUIRE(a && b && c);
	pmm_free(a, 0);
	KT_EQ(bad_free_log.count, 0);
	expect_bad_free(a, 0, "double free", __LINE__);
	expect_bad_free(b, 1, "order differs from the allocation", __LINE__);
	expect_bad_free(b + PMM_PAGE_SIZE, 0, "address was never allocated", __LINE__);
	expect_bad_free(b + 0x800, 0, "address not aligned to its order", __LINE__);
	expect_bad_free(PA_BASE, 0, "address not managed by the allocator", __LINE__);
	expect_bad_free(PA_BASE + 0x1000000, 0, "address not managed by the allocator", __LINE__);
	expect_bad_free(0, 0, "address not managed by the allocator", __LINE__);
	expect_bad_free(c, PMM_MAX_ORDER + 1, "order too large", __LINE__);
	/* The state array sits at the start of the largest range, outside every zone. */
	expect_bad_free(ranges[2].base, 0, "address not managed by the allocator", __LINE__);
	pmm_free(b, 2);
	pmm_free(c, 0);
	KT_EQ(bad_free_log.count, 9);
	expect_bad_free(b + 2 * PMM_PAGE_SIZE, 0, "double free", __LINE__);
	expect_bad_free(c, 0, "double free", __LINE__);
	KT_EQ(pmm_free_pages(), pmm_total_pages());
	KT_EQ(count_max_blocks() > 0, 1);
}

static void t_locking(const void *arg)
{
	unsigned long before;
	uint64_t pa;

	(void)arg;
	KT_REQUIRE(init_arena() == 0);
	before = shim_lock_count;
	pa = pmm_alloc(1);
	KT_CHECK(shim_lock_count > before);
	before = shim_lock_count;
	pmm_free(pa, 1);
	KT_CHECK(shim_lock_count > before);
}

static void t_init_errors(const void *arg)
{
	const uintptr_t off = (uintptr_t)arena - (uintptr_t)PA_BASE;
	struct memrange r[PMM_MAX_ZONES + 1];
	int i;

	(void)arg;
	reset_arena();
	r[0] = (struct memrange){ PA_BASE + 0x800, 0x10000 };
	KT_EQ(pmm_init(r, 1, off), PMM_E_RANGES);
	r[0] = (struct memrange){ PA_BASE, 0x10800 };
	KT_EQ(pmm_init(r, 1, off), PMM_E_RANGES);
	r[0] = (struct memrange){ PA_BASE, 0 };
	KT_EQ(pmm_init(r, 1, off), PMM_E_RANGES);
	r[0] = (struct memrange){ PA_BASE + 0x10000, 0x10000 };
	r[1] = (struct memrange){ PA_BASE, 0x10000 };
	KT_EQ(pmm_init(r, 2, off), PMM_E_RANGES);          /* unsorted */
	r[1] = (struct memrange){ PA_BASE + 0x1f000, 0x10000 };
	KT_EQ(pmm_init(r, 2, off), PMM_E_RANGES);          /* overlapping */
	r[0] = (struct memrange){ 0xfffffffffffff000ull, 0x1000 };
	KT_EQ(pmm_init(r, 1, off), PMM_E_RANGES);          /* end wraps to 0 */
	for (i = 0; i <= PMM_MAX_ZONES; i++)
		r[i] = (struct memrange){ PA_BASE + 0x2000 * (uint64_t)i, 0x1000 };
	KT_EQ(pmm_init(r, PMM_MAX_ZONES + 1, off), PMM_E_RANGES);
	KT_EQ(pmm_init(r, 0, off), PMM_E_NOMEM);
	KT_EQ(pmm_init(r, 1, off), PMM_E_NOMEM);           /* 1 page: no room for state */
	KT_EQ(pmm_alloc(0), 0);
	KT_EQ(pmm_total_pages(), 0);
	/* Many one-page ranges share one state page carved from a bigger one. */
	r[PMM_MAX_ZONES - 1] = (struct memrange){ PA_BASE + 0x200000, 0x2000 };
	KT_EQ(pmm_init(r, PMM_MAX_ZONES, off), 0);
	KT_EQ(pmm_total_pages(), 64);       /* 63 single pages + 2 - 1 state page */
}

/* A range starting at physical 0: page 0 is never handed out. */
static void t_page_zero(const void *arg)
{
	const struct memrange r = { 0, 64 * PMM_PAGE_SIZE };
	uint64_t pa;
	int n = 0;

	(void)arg;
	reset_arena();
	KT_EQ(pmm_init(&r, 1, (uintptr_t)arena), 0);
	KT_EQ(pmm_total_pages(), 62);
	while ((pa = pmm_alloc(0)) != 0) {
		KT_CHECK(pa >= PMM_PAGE_SIZE && pa < 64 * PMM_PAGE_SIZE);
		n++;
	}
	KT_EQ(n, 62);
}

/* 16 GiB at 0x80000000 (sparse mapping: only touched pages get memory). */
static void t_unmatched_16g(const void *arg)
{
	const uint64_t top = 0x480000000ull;
	const struct memrange r[] = {
		{ 0x80080000, 0x180000 }, { 0x80400000, 0x7c00000 }, { 0x88412000, top - 0x88412000 },
	};
	uint64_t pa[8], page, expect_pages = 0, meta;
	uint8_t *map;
	size_t i;

	(void)arg;
	map = mmap(NULL, top - PA_BASE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	KT_REQUIRE(map != MAP_FAILED);
	for (i = 0; i < KT_COUNT(r); i++)
		expect_pages += r[i].size / PMM_PAGE_SIZE;
	meta = (expect_pages + PMM_PAGE_SIZE - 1) / PMM_PAGE_SIZE;
	KT_EQ(pmm_init(r, (int)KT_COUNT(r), (uintptr_t)map - (uintptr_t)PA_BASE), 0);
	KT_EQ(pmm_total_pages(), expect_pages - meta);
	for (i = 0; i < KT_COUNT(pa); i++) {
		pa[i] = pmm_alloc(PMM_MAX_ORDER);
		KT_CHECK(pa[i] && !(pa[i] & ((PMM_PAGE_SIZE << PMM_MAX_ORDER) - 1)));
		KT_CHECK(pa[i] >= 0x88412000 && pa[i] < top);
	}
	page = pmm_alloc(0);
	KT_CHECK(page >= 0x80080000 && page < top);
	KT_EQ(pmm_free_pages(), pmm_total_pages() - 8 * 1024 - 1);
	pmm_free(page, 0);
	for (i = 0; i < KT_COUNT(pa); i++)
		pmm_free(pa[i], PMM_MAX_ORDER);
	KT_EQ(pmm_free_pages(), pmm_total_pages());
	KT_EQ(bad_free_log.count, 0);
	munmap(map, top - PA_BASE);
	reset_arena();
}

/* Single pages freed come back first (the order-0 cache), count as free
 * while they wait, and go back to the lists, merged, when only a larger
 * block would do. */
static void t_single_pages_cached(const void *arg)
{
	uint64_t a, b, big, total;
	int max_blocks;

	(void)arg;
	KT_REQUIRE(init_arena() == 0);
	max_blocks = count_max_blocks();
	total = pmm_total_pages();
	a = pmm_alloc(0);
	b = pmm_alloc(0);
	KT_REQUIRE(a && b);
	pmm_free(a, 0);
	pmm_free(b, 0);
	KT_EQ(pmm_free_pages(), total);
	KT_EQ(pmm_alloc(0), b);
	KT_EQ(pmm_alloc(0), a);
	pmm_free(a, 0);
	pmm_free(b, 0);
	/* every max-order block taken: the cached pages' blocks included */
	KT_EQ(count_max_blocks(), max_blocks);
	big = pmm_alloc(PMM_MAX_ORDER);
	KT_CHECK(big != 0);
	pmm_free(big, PMM_MAX_ORDER);
	KT_EQ(pmm_free_pages(), total);
	KT_EQ(bad_free_log.count, 0);
}

static const struct kt_case cases[] = {
	{ "pmm_init_counts", t_init_counts, NULL },
	{ "pmm_every_order_alloc_all_free_random", t_every_order, NULL },
	{ "pmm_random_workload", t_random_workload, NULL },
	{ "pmm_alloc_zeroed", t_zeroed, NULL },
	{ "pmm_exhaustion", t_exhaustion, NULL },
	{ "pmm_bad_frees_detected", t_bad_frees, NULL },
	{ "pmm_takes_lock", t_locking, NULL },
	{ "pmm_init_errors", t_init_errors, NULL },
	{ "pmm_never_page_zero", t_page_zero, NULL },
	{ "pmm_unmatched_16g", t_unmatched_16g, NULL },
	{ "pmm_single_pages_cached", t_single_pages_cached, NULL },
};

int main(void)
{
	int rc;

	arena = aligned_alloc(PMM_PAGE_SIZE << PMM_MAX_ORDER, ARENA);
	if (!arena)
		return 2;
	kt_srand(0x706d6d7465737431ull);
	rc = kt_run(cases, KT_COUNT(cases));
	free(arena);
	return rc;
}
