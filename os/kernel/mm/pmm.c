/* Binary buddy allocator.  Free/allocated state lives in one byte per page,
 * in an array carved from the managed memory at init; a block's own bytes
 * are trusted only for its list links, and those are checked against the
 * state bytes before they are followed.  Each free range is a zone: blocks
 * never straddle zones, so holes between ranges cost nothing. */
#include <stdbool.h>
#include "pmm.h"
#include "kstring.h"
#include "spinlock.h"

#define PAGE_MASK   (PMM_PAGE_SIZE - 1)
#define ST_FREE     0x80u     /* head of a free block; low bits hold its order */
#define ST_ALLOC    0x40u     /* head of an allocated block; low bits hold its order */
#define ST_CACHED   0x20u     /* a free page on the order-0 cache (below) */
#define ST_ORDER    0x0fu     /* 0 alone: inside a block, or not managed */

/* Freed single pages wait on a stack, for the next single-page allocation:
 * a process's life is dozens of page-table and stack pages each way, and
 * the buddy lists (split, merge, checked links) cost five times as much.
 * The stack drains into the lists when a larger block is wanted and none
 * is free, so merging only waits, never fails. */
#define PMM_CACHE   64

_Static_assert(PMM_MAX_ORDER <= ST_ORDER, "order must fit the state byte");

/* Managed pages [base, end), state[i] for page base + i * PMM_PAGE_SIZE. */
struct zone {
	uint64_t base, end;
	uint8_t *state;
};

/* The first bytes of every free block: neighbours on its order's list, as
 * physical addresses (0 = none). */
struct link {
	uint64_t next, prev;
};

static struct {
	/* Set by pmm_init() on the boot hart; read-only afterwards. */
	uintptr_t pa_to_va;
	int nzones;
	struct zone zone[PMM_MAX_ZONES];
	uint64_t total_pages;

	/* Guarded by lock, together with every zone's state bytes and links. */
	struct spinlock lock;
	uint64_t head[PMM_MAX_ORDER + 1];
	uint64_t free_pages;            /* on the lists and on the cache */
	uint64_t cache[PMM_CACHE];
	unsigned ncache;
} pmm = { .lock = SPINLOCK_INIT("pmm", LR_PMM) };

static uint64_t block_size(unsigned order)
{
	return PMM_PAGE_SIZE << order;
}

/* The zone holding the whole block [pa, pa + size), or NULL. */
static struct zone *zone_of(uint64_t pa, uint64_t size)
{
	int i;

	for (i = 0; i < pmm.nzones; i++) {
		struct zone *z = &pmm.zone[i];

		if (pa >= z->base && pa < z->end)
			return z->end - pa >= size ? z : NULL;
	}
	return NULL;
}

static uint8_t *state_of(const struct zone *z, uint64_t pa)
{
	return &z->state[(pa - z->base) >> PMM_PAGE_SHIFT];
}

static struct link *link_of(uint64_t pa)
{
	return (struct link *)(uintptr_t)(pa + pmm.pa_to_va);
}

/* True if pa is 0 or the head of a free block of this order. */
static bool link_ok(uint64_t pa, unsigned order)
{
	struct zone *z;

	if (pa == 0)
		return true;
	z = zone_of(pa, block_size(order));
	return z && !(pa & (block_size(order) - 1)) && *state_of(z, pa) == (ST_FREE | order);
}

static void push_free(struct zone *z, uint64_t pa, unsigned order)
{
	struct link *l = link_of(pa);

	*state_of(z, pa) = (uint8_t)(ST_FREE | order);
	l->prev = 0;
	l->next = pmm.head[order];
	if (l->next)
		link_of(l->next)->prev = pa;
	pmm.head[order] = pa;
}

/* Takes the free block pa off its list; false (nothing changed) if its
 * links do not lead to free blocks of the same order. */
static bool unlink_free(struct zone *z, uint64_t pa, unsigned order)
{
	struct link *l = link_of(pa);

	if (!link_ok(l->next, order) || !link_ok(l->prev, order))
		return false;
	if (l->prev ? link_of(l->prev)->next != pa : pmm.head[order] != pa)
		return false;
	if (l->prev)
		link_of(l->prev)->next = l->next;
	else
		pmm.head[order] = l->next;
	if (l->next)
		link_of(l->next)->prev = l->prev;
	*state_of(z, pa) = 0;
	return true;
}

static bool ranges_ok(const struct memrange *r, int n)
{
	int i;

	if (n < 0 || n > PMM_MAX_ZONES)
		return false;
	for (i = 0; i < n; i++) {
		if ((r[i].base | r[i].size) & PAGE_MASK || r[i].size == 0)
			return false;
		if (r[i].size > UINT64_MAX - r[i].base)
			return false;
		if (i > 0 && r[i].base < r[i - 1].base + r[i - 1].size)
			return false;
	}
	return true;
}

static uint64_t zone_pages(const struct zone *z)
{
	return (z->end - z->base) >> PMM_PAGE_SHIFT;
}

/* Copies the ranges into zones, leaving out page 0; returns the page count. */
static uint64_t make_zones(const struct memrange *r, int n)
{
	uint64_t pages = 0;
	struct zone *z;
	int i;

	pmm.nzones = 0;
	for (i = 0; i < n; i++) {
		z = &pmm.zone[pmm.nzones];
		z->base = r[i].base ? r[i].base : PMM_PAGE_SIZE;
		z->end = r[i].base + r[i].size;
		if (z->base >= z->end)
			continue;
		pages += zone_pages(z);
		pmm.nzones++;
	}
	return pages;
}

/* Takes the state array (one byte per page) from the front of the largest
 * zone and hands each zone its slice. */
static int carve_state(uint64_t pages)
{
	uint64_t need = (pages + PAGE_MASK) >> PMM_PAGE_SHIFT;
	struct zone *big = NULL;
	uint8_t *state;
	int i;

	for (i = 0; i < pmm.nzones; i++) {
		if (!big || zone_pages(&pmm.zone[i]) > zone_pages(big))
			big = &pmm.zone[i];
	}
	if (!big || zone_pages(big) <= need)
		return PMM_E_NOMEM;
	state = (uint8_t *)link_of(big->base);
	big->base += need << PMM_PAGE_SHIFT;
	memset(state, 0, pages);
	for (i = 0; i < pmm.nzones; i++) {
		pmm.zone[i].state = state;
		state += zone_pages(&pmm.zone[i]);
	}
	return 0;
}

/* Largest order of a block that starts at pa, is aligned and fits below end. */
static unsigned fit_order(uint64_t pa, uint64_t end)
{
	unsigned o = PMM_MAX_ORDER;

	while (o > 0 && ((pa & (block_size(o) - 1)) || end - pa < block_size(o)))
		o--;
	return o;
}

static void fill_zone(struct zone *z)
{
	uint64_t pa = z->base;
	unsigned o;

	while (pa < z->end) {
		o = fit_order(pa, z->end);
		push_free(z, pa, o);
		pmm.free_pages += 1ull << o;
		pa += block_size(o);
	}
}

/* 0, or PMM_E_*; boot hart only, before any other pmm call. */
int pmm_init(const struct memrange *free, int n, uintptr_t pa_to_va)
{
	uint64_t pages;
	int i, err;

	memset(pmm.head, 0, sizeof(pmm.head));
	pmm.ncache = 0;
	pmm.nzones = 0;
	pmm.free_pages = pmm.total_pages = 0;
	pmm.pa_to_va = pa_to_va;
	if (!ranges_ok(free, n))
		return PMM_E_RANGES;
	pages = make_zones(free, n);
	err = carve_state(pages);
	if (err) {
		pmm.nzones = 0;
		return err;
	}
	for (i = 0; i < pmm.nzones; i++)
		fill_zone(&pmm.zone[i]);
	pmm.total_pages = pmm.free_pages;
	return 0;
}

/* Pops a block of exactly this order; 0 if the list is empty, or 0 with
 * *bad set to the head if that cannot be trusted. */
static uint64_t pop_free(unsigned order, uint64_t *bad)
{
	uint64_t pa = pmm.head[order];
	struct zone *z;

	if (!pa)
		return 0;
	z = link_ok(pa, order) ? zone_of(pa, block_size(order)) : NULL;
	if (!z || !unlink_free(z, pa, order)) {
		*bad = pa;
		return 0;
	}
	return pa;
}

/* Under the lock: the smallest free block of at least `order`, split down. */
static uint64_t take_block(unsigned order, uint64_t *bad)
{
	unsigned o = order;
	struct zone *z;
	uint64_t pa;

	while (o <= PMM_MAX_ORDER && !pmm.head[o])
		o++;
	if (o > PMM_MAX_ORDER)
		return 0;
	pa = pop_free(o, bad);
	if (!pa)
		return 0;
	z = zone_of(pa, block_size(o));
	while (o > order) {
		o--;
		push_free(z, pa + block_size(o), o);
	}
	*state_of(z, pa) = (uint8_t)(ST_ALLOC | order);
	pmm.free_pages -= 1ull << order;
	return pa;
}

static const char *release(uint64_t pa, unsigned order);

/* Under the lock: every cached page back on the lists, merged. */
static void drain_cache(void)
{
	while (pmm.ncache) {
		uint64_t pa = pmm.cache[--pmm.ncache];
		*state_of(zone_of(pa, PMM_PAGE_SIZE), pa) = ST_ALLOC;
		pmm.free_pages--;               /* release counts it again */
		release(pa, 0);
	}
}

/* A free block of 2^order pages, aligned to its size, or 0.  Takes the pmm lock. */
uint64_t pmm_alloc(unsigned order)
{
	uint64_t pa, bad = 0;
	unsigned long flags;

	if (order > PMM_MAX_ORDER)
		return 0;
	flags = spin_lock_irqsave(&pmm.lock);
	if (order == 0 && pmm.ncache) {
		pa = pmm.cache[--pmm.ncache];
		*state_of(zone_of(pa, PMM_PAGE_SIZE), pa) = ST_ALLOC;
		pmm.free_pages--;
	} else {
		pa = take_block(order, &bad);
		if (!pa && !bad && pmm.ncache) {
			drain_cache();
			pa = take_block(order, &bad);
		}
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
	if (bad)
		pmm_bad_free(bad, "free list corrupted (write after free?)",
			     (uintptr_t)__builtin_return_address(0));
	return pa;
}

/* pmm_alloc() then zero-filled through the direct map, or 0. */
uint64_t pmm_alloc_zeroed(unsigned order)
{
	uint64_t pa = pmm_alloc(order);

	if (pa)
		memset(link_of(pa), 0, block_size(order));
	return pa;
}

/* True if pa lies inside a free block of zone z. */
static bool inside_free(const struct zone *z, uint64_t pa)
{
	uint64_t head;
	unsigned o;
	uint8_t st;

	for (o = 0; o <= PMM_MAX_ORDER; o++) {
		head = pa & ~(block_size(o) - 1);
		if (head < z->base)
			break;
		st = *state_of(z, head);
		if ((st & ST_FREE) && (st & ST_ORDER) >= o)
			return true;
	}
	return false;
}

/* Under the lock: why (pa, order) is not a block this allocator handed out,
 * or NULL if it is. */
static const char *check_free(uint64_t pa, unsigned order)
{
	struct zone *z;
	uint8_t st;

	if (order > PMM_MAX_ORDER)
		return "order too large";
	if (pa & (block_size(order) - 1))
		return "address not aligned to its order";
	z = zone_of(pa, block_size(order));
	if (!z)
		return "address not managed by the allocator";
	st = *state_of(z, pa);
	if (st == (ST_ALLOC | order))
		return NULL;
	if (st == ST_CACHED)
		return order ? "order differs from the allocation" : "double free";
	if (st & ST_ALLOC)
		return "order differs from the allocation";
	return inside_free(z, pa) ? "double free" : "address was never allocated";
}

/* Under the lock: marks the checked block free, merging with free buddies. */
static const char *release(uint64_t pa, unsigned order)
{
	struct zone *z = zone_of(pa, block_size(order));
	const char *why = NULL;
	uint64_t buddy;
	unsigned o;

	*state_of(z, pa) = 0;
	pmm.free_pages += 1ull << order;
	for (o = order; o < PMM_MAX_ORDER; o++) {
		buddy = pa ^ block_size(o);
		if (buddy < z->base || z->end - buddy < block_size(o))
			break;
		if (*state_of(z, buddy) != (ST_FREE | o))
			break;
		if (!unlink_free(z, buddy, o)) {
			why = "free list corrupted (write after free?)";
			break;
		}
		pa &= buddy;
	}
	push_free(z, pa, o);
	return why;
}

/* Frees a block from pmm_alloc(order); anything else goes to pmm_bad_free(). */
void pmm_free(uint64_t pa, unsigned order)
{
	unsigned long flags;
	const char *why;

	flags = spin_lock_irqsave(&pmm.lock);
	why = check_free(pa, order);
	if (!why && order == 0 && pmm.ncache < PMM_CACHE) {
		*state_of(zone_of(pa, PMM_PAGE_SIZE), pa) = ST_CACHED;
		pmm.cache[pmm.ncache++] = pa;
		pmm.free_pages++;
	} else if (!why) {
		why = release(pa, order);
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
	if (why)
		pmm_bad_free(pa, why, (uintptr_t)__builtin_return_address(0));
}

void pmm_split(uint64_t pa, unsigned order)
{
	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	const char *why = check_free(pa, order);

	if (!why) {
		struct zone *z = zone_of(pa, block_size(order));
		for (uint64_t i = 0; i < (1ull << order); i++)
			*state_of(z, pa + i * PMM_PAGE_SIZE) = ST_ALLOC;
	}
	spin_unlock_irqrestore(&pmm.lock, flags);
	if (why)
		pmm_bad_free(pa, why, (uintptr_t)__builtin_return_address(0));
}

/* Pages free right now (a snapshot under the lock). */
uint64_t pmm_free_pages(void)
{
	unsigned long flags = spin_lock_irqsave(&pmm.lock);
	uint64_t n = pmm.free_pages;

	spin_unlock_irqrestore(&pmm.lock, flags);
	return n;
}

/* Pages under management; fixed after pmm_init(). */
uint64_t pmm_total_pages(void)
{
	return pmm.total_pages;
}
