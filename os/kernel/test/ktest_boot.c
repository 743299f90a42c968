/* Self-tests of the boot foundation: platform, memory, trace ring, console
 * formatting, cross-hart calls, atomics, timers. */
#include "arch.h"
#include "atomic.h"
#include "boot.h"
#include "hart.h"
#include "kprintf.h"
#include "kstring.h"
#include "ktest.h"
#include "platform.h"
#include "pmm.h"
#include "smp.h"
#include "spinlock.h"
#include "timer.h"
#include "trace.h"
#include "vm.h"

#define XCALL_TIMEOUT_MS 2000

extern char _start_image[], _end[];

KTEST(harts_all_online)
{
	KT_ASSERT(nharts >= 1);
	KT_EQ(atomic_load32(&harts_online), nharts);
	for (uint32_t i = 0; i < nharts; i++) {
		KT_EQ(harts[i].index, i);
		KT_EQ(atomic_load32(&harts[i].online), 1);
	}
	return 0;
}

KTEST(platform_described)
{
	const struct platform *p = boot_platform;
	uint32_t accepted = 0;

	KT_ASSERT(p->compatible != 0);
	KT_ASSERT(p->nmem >= 1);
	KT_ASSERT(timebase_hz != 0);
	for (int i = 0; i < p->nharts; i++)
		accepted += p->hart[i].accepted;
	KT_EQ(accepted < MAX_HARTS ? accepted : MAX_HARTS, nharts);
	return 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Allocates every free page (largest blocks first), checks none of them lies
 * in anything reserved, then gives them all back. */
KTEST(pmm_never_hands_out_reserved)
{
	const struct platform *p = boot_platform;
	uint64_t before = pmm_free_pages(), chain = 0, count = 0;
	uint64_t img = (uint64_t)(_end - _start_image);
	int bad = 0;

	for (int order = 10; order >= 0; order--) {
		uint64_t pa;
		while ((pa = pmm_alloc((unsigned)order)) != 0) {
			uint64_t len = PAGE_SIZE << order;
			bad |= overlaps(pa, len, kernel_load_pa, img);
			for (int i = 0; i < p->nrsv; i++)
				bad |= overlaps(pa, len, p->rsv[i].base, p->rsv[i].size);
			if (p->has_initrd)
				bad |= overlaps(pa, len, p->initrd_start, p->initrd_end - p->initrd_start);
			uint64_t *blk = phys_to_virt(pa);
			blk[0] = chain;
			blk[1] = (uint64_t)order;
			chain = pa;
			count += 1ul << order;
		}
	}
	KT_EQ(pmm_free_pages(), 0);
	KT_EQ(count, before);
	while (chain) {
		uint64_t *blk = phys_to_virt(chain);
		uint64_t next = blk[0];
		pmm_free(chain, (unsigned)blk[1]);
		chain = next;
	}
	KT_EQ(pmm_free_pages(), before);
	KT_ASSERT(!bad);
	return 0;
}

KTEST(pmm_alignment_and_contents)
{
	uint64_t before = pmm_free_pages();
	uint64_t pa[8];

	for (unsigned o = 0; o < 8; o++) {
		pa[o] = pmm_alloc_zeroed(o);
		KT_ASSERT(pa[o] != 0);
		KT_EQ(pa[o] & ((PAGE_SIZE << o) - 1), 0);
		uint8_t *v = phys_to_virt(pa[o]);
		for (uint64_t i = 0; i < (PAGE_SIZE << o); i += 512)
			KT_EQ(v[i], 0);
		memset(v, 0xa5, PAGE_SIZE << o);
	}
	for (unsigned o = 0; o < 8; o++)
		pmm_free(pa[o], o);
	KT_EQ(pmm_free_pages(), before);
	return 0;
}

KTEST(vm_direct_map_rw_nx)
{
	uint64_t pa = pmm_alloc(0), got = 0;
	unsigned q = vm_kernel_query((uint64_t)phys_to_virt(pa), &got);

	pmm_free(pa, 0);
	KT_EQ(got, pa);
	KT_EQ(q & (VMQ_R | VMQ_W | VMQ_X | VMQ_A | VMQ_D | VMQ_U), VMQ_R | VMQ_W | VMQ_A | VMQ_D);
	q = vm_kernel_query((uint64_t)phys_to_virt(kernel_load_pa), &got);
	KT_EQ(q & (VMQ_R | VMQ_W | VMQ_X), VMQ_R);       /* the image's alias is read-only */
	return 0;
}

KTEST(ioremap_windows_apart)
{
	uint8_t *a = ioremap(0x10001000, 0x100);
	uint8_t *b = ioremap(0x10002000, 0x100);

	KT_ASSERT(a && b && a != b);
	KT_EQ((uint64_t)a & 0xfff, 0);
	KT_EQ(vm_kernel_query((uint64_t)a, 0) & (VMQ_R | VMQ_W | VMQ_X), VMQ_R | VMQ_W);
	KT_EQ(vm_kernel_query((uint64_t)a + PAGE_SIZE, 0), 0);     /* guard page */
	return 0;
}

KTEST(trace_ring_keeps_newest_in_order)
{
	struct trace_ring *r = &this_hart()->ring;
	unsigned long s = arch_irq_save();      /* no tick may interleave */
	uint64_t h0 = r->head;

	for (uint64_t i = 0; i < TRACE_RING_SIZE + 44; i++)
		trace(TR_TEST, i, ~i);
	uint64_t h1 = r->head;
	arch_irq_restore(s);
	KT_EQ(h1 - h0, TRACE_RING_SIZE + 44);
	for (uint64_t k = 0; k < TRACE_RING_SIZE; k++) {
		const struct trace_entry *e = &r->ent[(h1 - TRACE_RING_SIZE + k) & (TRACE_RING_SIZE - 1)];
		KT_EQ(e->event, TR_TEST);
		KT_EQ(e->a, 44 + k);
		KT_EQ(e->b, ~(44 + k));
		KT_EQ(e->seq, (uint32_t)(h1 - TRACE_RING_SIZE + k));
	}
	return 0;
}

KTEST(kprintf_formats)
{
	char b[64];

	KT_EQ(snprintf(b, sizeof b, "%d|%5u|%-4x|%08lx", -42, 7u, 0xabu, 0xdeadbeeful), 23);
	KT_ASSERT(!strcmp(b, "-42|    7|ab  |deadbeef"));
	snprintf(b, sizeof b, "%s|%.3s|%c|%%|%p", "keel", "abcdef", 'z', (void *)0x1000);
	KT_ASSERT(!strcmp(b, "keel|abc|z|%|0x1000"));
	KT_EQ(snprintf(b, 4, "%s", "truncate"), 8);
	KT_ASSERT(!strcmp(b, "tru"));
	snprintf(b, sizeof b, "%ld %lu %lx", (long)-9223372036854775807L - 1, ~0ul, ~0ul);
	KT_ASSERT(!strcmp(b, "-9223372036854775808 18446744073709551615 ffffffffffffffff"));
	return 0;
}

static void whoami(void *arg)
{
	*(uint32_t *)arg = this_hart()->index;
}

KTEST(xcall_reaches_every_hart)
{
	for (uint32_t i = 0; i < nharts; i++) {
		uint32_t got = ~0u;
		KT_EQ(smp_call_on(&harts[i], whoami, &got, XCALL_TIMEOUT_MS), 0);
		KT_EQ(got, i);
	}
	return 0;
}

#define AMO_ROUNDS 2000

struct amo_shared {
	volatile uint32_t start;
	volatile uint32_t counter;
	volatile uint64_t flags;        /* each hart sets and clears its own bit */
	volatile uint64_t seen;         /* every hart's bit, or-ed in */
	volatile uint32_t lost;
};

static void amo_worker(void *arg)
{
	struct amo_shared *s = arg;
	uint64_t bit = 1ul << this_hart()->index;

	while (!atomic_load32(&s->start))
		cpu_relax();
	for (int i = 0; i < AMO_ROUNDS; i++) {
		atomic_add32(&s->counter, 1);
		if (atomic_or64(&s->flags, bit) & bit)
			atomic_add32(&s->lost, 1);      /* our bit was already set: impossible */
		if (!(atomic_and64(&s->flags, ~bit) & bit))
			atomic_add32(&s->lost, 1);      /* someone cleared our bit */
	}
	atomic_or64(&s->seen, bit);
}

/* Every hart hammers the same words with AMOs at once; any lost update shows. */
KTEST(atomics_exact_across_harts)
{
	static struct amo_shared s;
	uint64_t all = nharts == 64 ? ~0ul : (1ul << nharts) - 1;

	memset((void *)&s, 0, sizeof s);
	for (uint32_t i = 1; i < nharts; i++)
		KT_EQ(smp_call_start(&harts[i], amo_worker, &s), 0);
	atomic_store32(&s.start, 1);
	amo_worker(&s);
	for (uint32_t i = 1; i < nharts; i++)
		KT_EQ(smp_call_wait(&harts[i], 20000), 0);
	KT_EQ(s.counter, AMO_ROUNDS * nharts);
	KT_EQ(s.lost, 0);
	KT_EQ(s.flags, 0);
	KT_EQ(s.seen, all);
	return 0;
}

/* Every hart takes timer interrupts.  The bound is generous: a loaded host
 * may leave a hart's vCPU unscheduled for a while. */
KTEST(timer_ticks_on_every_hart)
{
	uint64_t before[MAX_HARTS];
	uint64_t end = arch_time() + 2 * timebase_hz;

	for (uint32_t i = 0; i < nharts; i++)
		before[i] = atomic_load64(&harts[i].ticks);
	for (uint32_t i = 0; i < nharts; i++) {
		while (atomic_load64(&harts[i].ticks) < before[i] + 2 && arch_time() < end)
			cpu_relax();
		KT_ASSERT(atomic_load64(&harts[i].ticks) >= before[i] + 2);
	}
	return 0;
}

/* Lines the farm checks (farm/keelfarm/lineatomic.py).  With the test-only
 * command line word `ktest-tear-line`, hart 0 prints its line 3 in two
 * pieces on two lines, the failure the check exists to catch. */
static void print_lines(void *arg)
{
	bool tear = arg != 0;

	for (int i = 0; i < 8; i++) {
		if (tear && i == 3) {
			kprintf("ktest: line-atomic hart %u line %d 0123456789abcdefghijklm\n",
				this_hart()->index, i);
			kprintf("nopqrstuvwxyz\n");
			continue;
		}
		kprintf("ktest: line-atomic hart %u line %d 0123456789abcdefghijklmnopqrstuvwxyz\n",
			this_hart()->index, i);
	}
}

/* All harts print at once; the farm checks that no line came out torn,
 * interleaved or lost (nothing on the target reads them back). */
KTEST(console_lines_whole_under_contention)
{
	for (uint32_t i = 1; i < nharts; i++)
		KT_EQ(smp_call_start(&harts[i], print_lines, 0), 0);
	print_lines(cmdline_has("ktest-tear-line") ? (void *)1 : 0);
	for (uint32_t i = 1; i < nharts; i++)
		KT_EQ(smp_call_wait(&harts[i], 20000), 0);
	return 0;
}

/* A hart that waits long for a spinlock sleeps in wfi, its bit in the
 * lock's sleepers, and the release wakes it (spinlock.c, smp_lock_sleep).
 * Hart 1 asks for the lock this hart holds from its IPI handler. */
struct lock_sleep {
	struct spinlock l;
	volatile uint32_t got;
};

static void take_and_drop(void *arg)
{
	struct lock_sleep *s = arg;

	spin_lock(&s->l);
	atomic_store32(&s->got, 1);
	spin_unlock(&s->l);
}

KTEST(spinlock_waiter_sleeps_until_the_release)
{
	static struct lock_sleep s;
	uint64_t end = arch_time() + 2 * timebase_hz;

	if (nharts < 2)
		KT_SKIP("needs two harts");
	spin_init(&s.l, "ktest-sleep", LR_HWINFO);
	atomic_store32(&s.got, 0);
	spin_lock(&s.l);
	KT_EQ(smp_call_start(&harts[1], take_and_drop, &s), 0);
	while (!(atomic_load64(&s.l.sleepers) & 2) && arch_time() < end)
		cpu_relax();
	bool slept = atomic_load64(&s.l.sleepers) & 2;
	uint32_t early = atomic_load32(&s.got);
	spin_unlock(&s.l);
	KT_ASSERT(slept);
	KT_EQ(early, 0);
	KT_EQ(smp_call_wait(&harts[1], XCALL_TIMEOUT_MS), 0);
	KT_EQ(atomic_load32(&s.got), 1);
	KT_EQ(atomic_load64(&s.l.sleepers), 0);
	return 0;
}
