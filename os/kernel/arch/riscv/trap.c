/* Trap dispatch: interrupts to their handlers, kernel exceptions to panic
 * (or to the ktest breakpoint hook). */
#include <stdbool.h>
#include "csr.h"
#include "hart.h"
#include "panic.h"
#include "plic.h"
#include "smp.h"
#include "ktimer.h"
#include "sched.h"
#include "trace.h"
#include "trap.h"
#include "trapframe.h"

static const char *const exc_names[] = {
	[EXC_INST_MISALIGNED] = "instruction address misaligned",
	[EXC_INST_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "load address misaligned",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "store address misaligned",
	[EXC_STORE_ACCESS] = "store access fault",
	[EXC_ECALL_U] = "ecall from U-mode",
	[EXC_ECALL_S] = "ecall from S-mode",
	[EXC_INST_PAGE] = "instruction page fault",
	[EXC_LOAD_PAGE] = "load page fault",
	[EXC_STORE_PAGE] = "store page fault",
};

const char *trap_cause_name(uint64_t cause)
{
	if (cause < sizeof exc_names / sizeof exc_names[0] && exc_names[cause])
		return exc_names[cause];
	return "unknown exception";
}

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

static int handle_break(struct trap_frame *f)
{
	struct break_hook *b = &break_hooks[this_hart()->index];

	if (!b->armed)
		return -1;
	b->hits++;
	b->sscratch_seen = csr_read(sscratch);
	if (b->nest) {
		b->nest--;
		__asm__ volatile("ebreak");     /* nested trap: must come back here */
	}
	uint16_t insn = *(const uint16_t *)f->sepc;
	f->sepc += (insn & 3) == 3 ? 4 : 2;
	return 0;
}

/* A fault inside a user-copy loop resumes at its recovery point. */
extern char uaccess_begin[], uaccess_end[], uaccess_fault[], ustr_begin[], ustr_end[];
extern char ucas_begin[], ucas_end[];

int kernel_cow_fault(uint64_t addr);

static bool uaccess_fixup(struct trap_frame *f, uint64_t cause)
{
	bool memfault = cause == EXC_LOAD_PAGE || cause == EXC_STORE_PAGE ||
			cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS ||
			cause == EXC_LOAD_MISALIGNED || cause == EXC_STORE_MISALIGNED;
	bool in_copy = f->sepc >= (uint64_t)uaccess_begin && f->sepc < (uint64_t)uaccess_end;
	bool in_str = f->sepc >= (uint64_t)ustr_begin && f->sepc < (uint64_t)ustr_end;
	bool in_cas = f->sepc >= (uint64_t)ucas_begin && f->sepc < (uint64_t)ucas_end;

	if (!memfault || !(in_copy || in_str || in_cas))
		return false;
	/* A copy-on-write page is copied and the access retried, unless the
	 * copy runs with interrupts off: then it may hold spinlocks that rank
	 * after the address space's lock (callers that write user memory
	 * under locks make it writable first: vmspace_prepare_write). */
	if (cause == EXC_STORE_PAGE && (f->sstatus & SSTATUS_SPIE) &&
	    kernel_cow_fault(f->stval) == 0)
		return true;
	f->sepc = (uint64_t)uaccess_fault;
	return true;
}

void trap_handle_irq(struct trap_frame *f, uint64_t irq)
{
	switch (irq) {
	case IRQ_S_SOFT:
		csr_clear(sip, 1ul << IRQ_S_SOFT);
		ipi_handle(f);
		break;
	case IRQ_S_TIMER:
		ktimer_interrupt();
		break;
	case IRQ_S_EXT:
		plic_handle();
		break;
	default:
		panic_frame(f, "unexpected interrupt %lu", irq);
	}
}

/* kbench: instructions spent in timer interrupts, per hart (own hart only). */
static struct { uint64_t instr, count; } timer_cost[MAX_HARTS];
static volatile uint32_t timer_cost_on;

void kbench_timer_reset(void)
{
	timer_cost_on = 0;
	for (int i = 0; i < MAX_HARTS; i++)
		timer_cost[i].instr = timer_cost[i].count = 0;
	__asm__ volatile("fence rw, rw" ::: "memory");
	timer_cost_on = 1;
}

void kbench_timer_read(uint64_t *instr, uint64_t *count)
{
	timer_cost_on = 0;
	__asm__ volatile("fence rw, rw" ::: "memory");
	*instr = *count = 0;
	for (int i = 0; i < MAX_HARTS; i++) {
		*instr += timer_cost[i].instr;
		*count += timer_cost[i].count;
	}
}

void trap_kernel(struct trap_frame *f)
{
	uint64_t cause = f->scause;

	if (cause == (SCAUSE_IRQ | IRQ_S_TIMER) && timer_cost_on) {
		ktimer_interrupt();
		struct hart *h = this_hart();
		timer_cost[h->index].instr += rdinstret() - f->entry_instret;
		timer_cost[h->index].count++;
		if (f->sstatus & SSTATUS_SPIE)
			sched_preempt_point();
		return;
	}
	if (cause & SCAUSE_IRQ) {
		trap_handle_irq(f, cause & ~SCAUSE_IRQ);
		if (f->sstatus & SSTATUS_SPIE)  /* interrupted code could be preempted */
			sched_preempt_point();
		return;
	}
	trace(TR_TRAP, cause, f->sepc);
	if (cause == EXC_BREAKPOINT && handle_break(f) == 0)
		return;
	if (uaccess_fixup(f, cause))
		return;
	panic_frame(f, "kernel %s, stval 0x%lx", trap_cause_name(cause), f->stval);
}
