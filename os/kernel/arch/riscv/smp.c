/* Starting the other harts (SBI HSM) and IPIs between harts.
 *
 * A secondary hart gets its stack, its struct hart (tp) and the kernel satp
 * from a struct hart_boot read with the MMU off; it never looks anything up
 * in a shared array by its own id. */
#include "arch.h"
#include "asm.h"
#include "atomic.h"
#include "csr.h"
#include "hart.h"
#include "kprintf.h"
#include "panic.h"
#include "platform.h"
#include "plic.h"
#include "pmm.h"
#include "sbi.h"
#include "smp.h"
#include "sched.h"
#include "timer.h"
#include "thread.h"
#include "trace.h"
#include "vm.h"

#define SECONDARY_STACK_ORDER 2         /* 16 KiB */

/* stage: how far a secondary got, for the report when one never comes
 * online (1 entered, 2 translating, 3 scheduler, 4 interrupts, 5 online). */
struct hart_boot {
	uint64_t sp, tp, satp, va_pa;
	uint32_t stage;
};
_Static_assert(__builtin_offsetof(struct hart_boot, sp) == HB_SP, "hb sp");
_Static_assert(__builtin_offsetof(struct hart_boot, tp) == HB_TP, "hb tp");
_Static_assert(__builtin_offsetof(struct hart_boot, satp) == HB_SATP, "hb satp");
_Static_assert(__builtin_offsetof(struct hart_boot, va_pa) == HB_VA_PA, "hb va_pa");
_Static_assert(__builtin_offsetof(struct hart_boot, stage) == HB_STAGE, "hb stage");

static struct hart_boot boot_blocks[MAX_HARTS];
static uint8_t start_tries[MAX_HARTS];  /* successful HSM starts, boot hart only */
#define START_TRIES_MAX 4
uint64_t boot_entry_instret;     /* set by kmain on entry */
extern char secondary_entry[];

void smp_hart_enable_irqs(void)
{
	plic_init_hart();
	timer_init_hart();
	csr_write(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	csr_write(scounteren, 7);       /* user mode may read cycle, time and instret */
	arch_irq_enable();
}

void smp_secondary_main(void)
{
	struct hart *h = this_hart();
	uint32_t *stage = &boot_blocks[h->index].stage;

	atomic_store32(stage, 2);
	trace(TR_BOOT, h->hartid, h->index);
	sched_init_hart();
	atomic_store32(stage, 3);
	smp_hart_enable_irqs();
	atomic_store32(stage, 4);
	atomic_store32(&h->online, 1);
	atomic_store32(stage, 5);
	atomic_add32(&harts_online, 1);
	ipi_send(&harts[0], 0);         /* wake the boot hart waiting in wfi */
	sched_idle_loop();
}

static int start_one(struct hart *h)
{
	uint64_t stack = pmm_alloc_zeroed(SECONDARY_STACK_ORDER);
	struct hart_boot *b = &boot_blocks[h->index];

	if (!stack)
		return -1;
	h->stack_top = (uint64_t)phys_to_virt(stack) + (PAGE_SIZE << SECONDARY_STACK_ORDER);
	b->sp = h->stack_top;
	b->tp = (uint64_t)h;
	b->satp = vm_kernel_satp();
	b->va_pa = KERNEL_VBASE - kernel_load_pa;
	smp_mb();
	long err = sbi_hart_start(h->hartid, kimage_to_phys(secondary_entry), kimage_to_phys(b));
	if (err)
		kprintf("keel: hart %u failed to start: SBI error %ld\n", h->hartid, err);
	else
		start_tries[h->index]++;
	return err ? -1 : 0;
}

/* A hart the firmware handed to the cold entry instead of secondary_entry
 * stops itself there (head.S, lost_lottery); start it again.  A hart we
 * started is never STOPPED otherwise: the start moved it to START_PENDING. */
static void restart_stopped(uint32_t boot_index)
{
	for (uint32_t i = 0; i < nharts; i++) {
		struct hart *h = &harts[i];
		if (i == boot_index || atomic_load32(&h->online) ||
		    start_tries[i] == 0 || start_tries[i] >= START_TRIES_MAX ||
		    atomic_load32(&boot_blocks[i].stage) != 0 ||
		    sbi_hart_status(h->hartid) != SBI_HSM_STOPPED)
			continue;
		kprintf("keel: hart %u came back from the firmware at the cold entry; starting it again\n",
			h->hartid);
		smp_mb();
		long err = sbi_hart_start(h->hartid, kimage_to_phys(secondary_entry),
					  kimage_to_phys(&boot_blocks[i]));
		if (err)
			kprintf("keel: hart %u failed to start again: SBI error %ld\n", h->hartid, err);
		else
			start_tries[i]++;
	}
}

void smp_start_secondaries(const struct platform *plat, uint32_t boot_index)
{
	(void)plat;
	for (uint32_t i = 0; i < nharts; i++)
		if (i != boot_index)
			start_one(&harts[i]);
	/* Sleep between checks: every hart that comes online sends an IPI, and
	 * the tick bounds the wait.  Spinning here would only slow the others
	 * down on a host that time-slices harts. */
	uint64_t now = arch_time();
	uint64_t deadline = now + 10 * timebase_hz;     /* a loaded host is slow */
	uint64_t next_check = now + timebase_hz / 20;
	while (atomic_load32(&harts_online) < nharts && (now = arch_time()) < deadline) {
		if (now >= next_check) {
			restart_stopped(boot_index);
			next_check = now + timebase_hz / 20;
		}
		arch_wait_for_interrupt();
	}
	uint32_t up = atomic_load32(&harts_online);
	if (up == nharts)
		kprintf("keel: all harts online\n"
			"keel: boot: %lu instret at kernel entry, %lu at all harts online, %lu us\n",
			boot_entry_instret, rdinstret(), time_ns() / 1000);
	else {
		kprintf("keel: only %u of %u harts online\n", up, nharts);
		for (uint32_t i = 0; i < nharts; i++)
			if (i != boot_index && !atomic_load32(&harts[i].online))
				kprintf("keel: hart %u: boot stage %u, SBI HSM status %ld\n",
					harts[i].hartid, atomic_load32(&boot_blocks[i].stage),
					sbi_hart_status(harts[i].hartid));
	}
}

void ipi_send(struct hart *h, uint64_t bits)
{
	atomic_or64(&h->ipi_pending, bits);
	trace(TR_IPI_SEND, h->index, bits);
	arch_send_ipi(h);
}

/* Kernel TLB shootdown by our own IPIs rather than the SBI remote fence:
 * under QEMU -icount the firmware's remote fence never completes (the
 * target hart loops in its M-mode IPI handler), and an IPI we handle
 * ourselves lets a waiting hart serve requests aimed at it meanwhile. */
static volatile uint64_t tlb_gen;
static volatile uint64_t tlb_flush_late;        /* waits that gave up (wait_flushed) */

/* Both flushes are done together: sfence.vma and fence.i are cheap next to
 * the IPI that asks for them. */
static void tlb_flush_local(struct hart *h)
{
	uint64_t g = atomic_load64(&tlb_gen);

	smp_mb();
	__asm__ volatile("sfence.vma\n\tfence.i" ::: "memory");
	atomic_store64(&h->tlb_done, g);
	smp_mb();                       /* tlb_done before ack_to: see wait_flushed */
	uint64_t waiters = atomic_swap64(&h->ack_to, 0);
	for (uint32_t i = 0; waiters && i < nharts; i++)
		if (waiters >> i & 1)
			ipi_send(&harts[i], IPI_ACK);
}

/* Spins before a waiting hart sleeps in wfi until the flush is acknowledged.
 * A real hart acknowledges within a few microseconds; the sleep is for
 * QEMU's -icount, which runs the harts in turn and gives each the time up
 * to the next timer deadline: a hart that spins there uses all of it, and
 * the hart it waits for never runs (seen: hart 0 here for good, hart 1 in
 * the firmware's IPI entry).  A hart in wfi ends its turn. */
#define FLUSH_SPINS 2000

/* The first late flushes say what the silent hart was last seen doing: a
 * hart that leaves a flush IPI unanswered for a second runs with
 * interrupts off (a spin somewhere), and its trace ring and held locks name
 * the place.  Read racily from a running hart: for a diagnosis only.
 * Addresses are printed, not names: a lock pointer read in passing may be
 * stale. */
#define FLUSH_LATE_DUMPS 2

static void dump_unanswering(const struct hart *h)
{
	struct thread *cur = h->current;

	kprintf("keel: hart %u: thread 0x%x, %u locks held, %lu IPIs and %lu ticks taken, "
		"ipi_pending 0x%lx\n", h->index, cur ? cur->tid : 0, h->locks_held,
		(unsigned long)h->ipis, (unsigned long)h->ticks,
		(unsigned long)atomic_load64(&h->ipi_pending));
	for (uint32_t i = 0; i < h->nheld && i < 8; i++)
		kprintf("keel: hart %u holds lock %p\n", h->index, (void *)h->held[i]);
	kprintf("keel: hart %u's trace ring, newest last:\n", h->index);
	trace_dump(&h->ring, 24);
}

/* Wait (interrupts off) until h has flushed generation g, serving flush
 * requests aimed at this hart meanwhile.  No deadline: the caller goes on
 * to free what h may still reach through its TLB, and a hart that is slow
 * to answer (interrupts off for long: a long copy under a lock, or a spin
 * that should not be) would then use a page that has a new owner.  A wait
 * that passes report_at says so, once, and again when it ends. */
static void wait_flushed(struct hart *me, struct hart *h, uint64_t g, uint64_t report_at)
{
	unsigned spins = 0;
	bool slept = false, late = false;

	while (atomic_load64(&h->tlb_done) < g && !atomic_load32(&h->stopped)) {
		if (atomic_and64(&me->ipi_pending, ~(IPI_TLB | IPI_FENCE_I)) &
		    (IPI_TLB | IPI_FENCE_I))
			tlb_flush_local(me);
		if (!late && arch_time() >= report_at) {
			late = true;
			uint64_t n = atomic_add64(&tlb_flush_late, 1) + 1;
			kprintf("keel: hart %u has waited 1 s for hart %u to flush its TLB "
				"(generation %lu, %lu late so far); still waiting\n", me->index,
				h->index, (unsigned long)g, (unsigned long)n);
			if (n <= FLUSH_LATE_DUMPS)
				dump_unanswering(h);
		}
		if (++spins < FLUSH_SPINS) {
			cpu_relax();
			continue;
		}
		/* Clear, ask, look, sleep: an IPI_ACK sent after the clear
		 * leaves SSIP set and the wfi returns.  A pending timer or device
		 * interrupt (taken once interrupts are on again) ends the wfi
		 * too: the report needs the clock. */
		csr_clear(sip, 1ul << IRQ_S_SOFT);
		slept = true;
		atomic_or64(&h->ack_to, 1ul << me->index);
		smp_mb();
		if (atomic_load64(&h->tlb_done) < g && !atomic_load32(&h->stopped) &&
		    !(atomic_load64(&me->ipi_pending) & (IPI_TLB | IPI_FENCE_I)))
			__asm__ volatile("wfi" ::: "memory");
	}
	if (slept && atomic_load64(&me->ipi_pending))
		csr_set(sip, 1ul << IRQ_S_SOFT);        /* what the clears took: for ipi_handle */
	if (late)
		kprintf("keel: hart %u: hart %u flushed its TLB (generation %lu) %lu ms late\n",
			me->index, h->index, (unsigned long)g,
			(unsigned long)((arch_time() - report_at) * 1000 / timebase_hz));
}

/* A holder that is not running (a hypervisor's, or QEMU's -icount, which
 * runs the harts in turn: a hart that spins there uses its whole turn, up
 * to the next timer deadline, while the holder waits for its own) lets go
 * sooner when the waiters sleep.  Clear, register, look, sleep, as in
 * wait_flushed; the release in spin_unlock and the look here are the two
 * sides of a Dekker pair. */
void smp_lock_sleep(volatile uint32_t *locked, volatile uint64_t *sleepers)
{
	struct hart *me = this_hart();

	if (atomic_and64(&me->ipi_pending, ~(IPI_TLB | IPI_FENCE_I)) & (IPI_TLB | IPI_FENCE_I))
		tlb_flush_local(me);            /* the holder may be waiting for it */
	csr_clear(sip, 1ul << IRQ_S_SOFT);
	atomic_or64(sleepers, 1ul << me->index);
	smp_mb();
	if (atomic_load32(locked) && !(atomic_load64(&me->ipi_pending) & (IPI_TLB | IPI_FENCE_I)))
		__asm__ volatile("wfi" ::: "memory");
	if (atomic_load64(&me->ipi_pending))
		csr_set(sip, 1ul << IRQ_S_SOFT);        /* what the clear took: for ipi_handle */
}

/* bit to the online harts in mask (by index) other than this one. */
static void flush_others(uint64_t bit, uint64_t mask)
{
	unsigned long s = arch_irq_save();
	struct hart *me = this_hart();

	__asm__ volatile("sfence.vma\n\tfence.i" ::: "memory");
	if (atomic_load32(&harts_online) > 1) {
		uint64_t g = atomic_add64(&tlb_gen, 1) + 1;
		for (uint32_t i = 0; i < nharts; i++)
			if (&harts[i] != me && (mask >> i & 1) && atomic_load32(&harts[i].online))
				ipi_send(&harts[i], bit);
		uint64_t report_at = arch_time() + timebase_hz;
		for (uint32_t i = 0; i < nharts; i++) {
			struct hart *h = &harts[i];
			if (h != me && (mask >> i & 1) && atomic_load32(&h->online))
				wait_flushed(me, h, g, report_at);
		}
	}
	arch_irq_restore(s);
}

void smp_tlb_flush_all(void)
{
	flush_others(IPI_TLB, ~0ul);
}

void smp_tlb_flush_harts(uint64_t mask)
{
	flush_others(IPI_TLB, mask);
}

void smp_fence_i_all(void)
{
	flush_others(IPI_FENCE_I, ~0ul);
}

void ipi_handle(void *frame)
{
	struct hart *h = this_hart();
	uint64_t bits = atomic_swap64(&h->ipi_pending, 0);

	h->ipis++;
	trace(TR_IPI_RECV, bits, 0);
	if (bits & IPI_STOP)
		panic_stop_self(frame);
	if (bits & (IPI_TLB | IPI_FENCE_I))
		tlb_flush_local(h);
	if (bits & IPI_RESCHED)
		atomic_store32(&h->need_resched, 1);
	if (bits & IPI_XCALL) {
		void (*fn)(void *) = h->xcall_fn;
		fn(h->xcall_arg);
		atomic_store32(&h->xcall_done, 1);
	}
}

int smp_call_start(struct hart *h, void (*fn)(void *), void *arg)
{
	if (h == this_hart() || atomic_cas32(&h->xcall_busy, 0, 1) != 0)
		return -1;      /* a call to oneself would wait on itself */
	h->xcall_fn = fn;
	h->xcall_arg = arg;
	atomic_store32(&h->xcall_done, 0);
	ipi_send(h, IPI_XCALL);
	return 0;
}

int smp_call_wait(struct hart *h, unsigned timeout_ms)
{
	uint64_t deadline = arch_time() + timeout_ms * (timebase_hz / 1000);

	while (!atomic_load32(&h->xcall_done))
		if (arch_time() >= deadline)
			return -1;      /* stays busy: the call may still run */
	atomic_store32(&h->xcall_busy, 0);
	return 0;
}

int smp_call_on(struct hart *h, void (*fn)(void *), void *arg, unsigned timeout_ms)
{
	if (h == this_hart()) {
		fn(arg);
		return 0;
	}
	if (smp_call_start(h, fn, arg) != 0)
		return -1;
	return smp_call_wait(h, timeout_ms);
}
