/* Panic: one parseable signature line, then every hart's registers and
 * trace ring, then power off.  The first hart to panic owns the dump; any
 * other hart that panics meanwhile just stops. */
#include <stdarg.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "kprintf.h"
#include "panic.h"
#include "pmm.h"
#include "smp.h"
#include "timer.h"
#include "trace.h"

#define PANIC_TRACE_LINES 24

volatile uint32_t panic_in_progress;
static char reason[200];

void panic_stop_self(void *frame)
{
	struct hart *h = this_hart();

	arch_irq_save();
	h->stopped_frame = frame;
	smp_mb();
	atomic_store32(&h->stopped, 1);
	arch_halt();
}

static void stop_others(struct hart *me)
{
	for (uint32_t i = 0; i < nharts; i++)
		if (&harts[i] != me && atomic_load32(&harts[i].online))
			ipi_send(&harts[i], IPI_STOP);
	uint64_t deadline = arch_time() + 2 * timebase_hz;     /* emulated harts can be slow */
	for (uint32_t i = 0; i < nharts; i++)
		while (&harts[i] != me && atomic_load32(&harts[i].online) &&
		       !atomic_load32(&harts[i].stopped) && arch_time() < deadline)
			cpu_relax();
}

static void dump_hart(struct hart *h, struct hart *me)
{
	const void *f = atomic_load32(&h->stopped) || h == me ? h->stopped_frame : 0;

	kprintf("hart %u (id %u)%s:\n", h->index, h->hartid, h == me ? ", panicking" : "");
	if (f)
		arch_frame_print(f);
	else
		kprintf("  registers unavailable: hart %s\n",
			atomic_load32(&h->online) ? "did not answer the stop IPI" : "was not online");
	kprintf("hart %u trace ring (newest last):\n", h->index);
	trace_dump(&h->ring, PANIC_TRACE_LINES);
}

static void __attribute__((noreturn)) panic_common(void *frame, uint64_t pc, const char *fmt, va_list ap)
{
	struct hart *me = this_hart();

	arch_irq_save();
	if (atomic_swap32(&panic_in_progress, 1))
		panic_stop_self(frame);
	vsnprintf(reason, sizeof reason, fmt, ap);
	trace(TR_PANIC, pc, 0);
	kprintf("KEEL PANIC: %s at 0x%lx\n", reason, pc);
	me->stopped_frame = frame;
	stop_others(me);
	for (uint32_t i = 0; i < nharts; i++)
		dump_hart(&harts[i], me);
	arch_poweroff(true);
}

void panic(const char *fmt, ...)
{
	va_list ap;
	void *frame = arch_frame_capture();
	/* The call instruction (auipc+jalr) ends at the return address. */
	uint64_t pc = (uint64_t)__builtin_return_address(0) - 4;

	va_start(ap, fmt);
	panic_common(frame, pc, fmt, ap);
}

void panic_frame(const void *frame, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	panic_common((void *)frame, arch_frame_pc(frame), fmt, ap);
}

/* The page allocator reports a bad free here: memory state is no longer
 * trustworthy, so stop.  The panic is "at" the call that freed (the
 * allocator's caller), which is where the bug is. */
static void __attribute__((noreturn, format(printf, 2, 3))) panic_at(uint64_t pc, const char *fmt, ...)
{
	va_list ap;
	void *frame = arch_frame_capture();

	va_start(ap, fmt);
	panic_common(frame, pc, fmt, ap);
}

void pmm_bad_free(uint64_t pa, const char *why, uintptr_t from)
{
	/* The call instruction (auipc+jalr) ends at the return address. */
	panic_at((uint64_t)from - 4, "pmm: bad free of 0x%lx: %s", pa, why);
}
