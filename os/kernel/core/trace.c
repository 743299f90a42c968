/* The per-hart trace ring (see trace.h). */
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "kprintf.h"
#include "trace.h"

static const char *const event_names[TR_NEVENTS] = {
	[TR_NONE] = "none", [TR_BOOT] = "boot", [TR_TRAP] = "trap", [TR_IRQ] = "irq",
	[TR_TIMER] = "timer", [TR_IPI_SEND] = "ipi-send", [TR_IPI_RECV] = "ipi-recv",
	[TR_PANIC] = "panic", [TR_TEST] = "test", [TR_SWITCH] = "switch", [TR_WAKE] = "wake",
	[TR_STEAL] = "steal", [TR_BLOCK] = "block", [TR_KTIMER] = "ktimer", [TR_SYNC] = "sync",
};

const char *trace_event_name(uint32_t ev)
{
	return ev < TR_NEVENTS && event_names[ev] ? event_names[ev] : "?";
}

void trace_dump(const struct trace_ring *r, unsigned max)
{
	uint64_t head = atomic_load64(&r->head);
	uint64_t n = head < TRACE_RING_SIZE ? head : TRACE_RING_SIZE;

	if (n > max)
		n = max;
	for (uint64_t s = head - n; s < head; s++) {
		const struct trace_entry *e = &r->ent[s & (TRACE_RING_SIZE - 1)];
		kprintf("  trace %6u t=%lu %-8s pc=0x%lx a=0x%lx b=0x%lx\n", e->seq,
			e->time, trace_event_name(e->event), e->pc, e->a, e->b);
	}
}
