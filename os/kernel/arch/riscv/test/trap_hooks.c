/* The trap path's test hooks: breakpoints a self-test takes on purpose,
 * and the cost of timer interrupts that kbench subtracts from its figures.
 * Kept out of trap.c so the trap path reads as what it does. */
#include "csr.h"
#include "hart.h"
#include "kbench.h"
#include "ktimer.h"
#include "trap.h"
#include "trapframe.h"

/* ktest: breakpoints taken on purpose.  Per hart; only that hart touches it. */
struct break_hook {
	volatile uint32_t armed;
	volatile uint32_t hits;
	volatile uint32_t nest;         /* take this many nested breakpoints */
	volatile uint64_t sscratch_seen;
};
static struct break_hook break_hooks[MAX_HARTS];

void trap_break_arm(uint32_t nest)
{
	struct break_hook *b = &break_hooks[this_hart()->index];

	b->hits = 0;
	b->nest = nest;
	b->sscratch_seen = ~0ul;
	b->armed = 1;
}

uint32_t trap_break_disarm(uint64_t *sscratch_seen)
{
	struct break_hook *b = &break_hooks[this_hart()->index];

	b->armed = 0;
	if (sscratch_seen)
		*sscratch_seen = b->sscratch_seen;
	return b->hits;
}

bool trap_break_expected(struct trap_frame *f)
{
	struct break_hook *b = &break_hooks[this_hart()->index];

	if (!b->armed)
		return false;
	b->hits++;
	b->sscratch_seen = csr_read(sscratch);
	if (b->nest) {
		b->nest--;
		__asm__ volatile("ebreak");     /* nested trap: must come back here */
	}
	uint16_t insn = *(const uint16_t *)f->sepc;
	f->sepc += (insn & 3) == 3 ? 4 : 2;
	return true;
}

/* kbench: instructions spent in timer interrupts, per hart (own hart only). */
static struct { uint64_t instr, count; } timer_cost[MAX_HARTS];
volatile uint32_t trap_timer_cost_on;

void trap_timer_costed(struct trap_frame *f)
{
	struct hart *h = this_hart();

	ktimer_interrupt();
	timer_cost[h->index].instr += rdinstret() - f->entry_instret;
	timer_cost[h->index].count++;
}

void kbench_timer_reset(void)
{
	trap_timer_cost_on = 0;
	for (int i = 0; i < MAX_HARTS; i++)
		timer_cost[i].instr = timer_cost[i].count = 0;
	__asm__ volatile("fence rw, rw" ::: "memory");
	trap_timer_cost_on = 1;
}

void kbench_timer_read(uint64_t *instr, uint64_t *count)
{
	trap_timer_cost_on = 0;
	__asm__ volatile("fence rw, rw" ::: "memory");
	*instr = *count = 0;
	for (int i = 0; i < MAX_HARTS; i++) {
		*instr += timer_cost[i].instr;
		*count += timer_cost[i].count;
	}
}
