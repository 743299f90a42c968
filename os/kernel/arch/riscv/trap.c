/* Trap dispatch: interrupts to their handlers, kernel exceptions to panic.
 * The two test hooks it calls (breakpoints a self-test expects, the cost of
 * timer interrupts for kbench) are in test/trap_hooks.c. */
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

/* A fault inside a user-copy loop resumes at its recovery point. */
extern char uaccess_begin[], uaccess_end[], uaccess_fault[], ustr_begin[], ustr_end[];
extern char ucas_begin[], ucas_end[], uiov_begin[], uiov_end[];

int kernel_cow_fault(uint64_t addr);

static bool uaccess_fixup(struct trap_frame *f, uint64_t cause)
{
	bool memfault = cause == EXC_LOAD_PAGE || cause == EXC_STORE_PAGE ||
			cause == EXC_LOAD_ACCESS || cause == EXC_STORE_ACCESS ||
			cause == EXC_LOAD_MISALIGNED || cause == EXC_STORE_MISALIGNED;
	bool in_copy = f->sepc >= (uint64_t)uaccess_begin && f->sepc < (uint64_t)uaccess_end;
	bool in_str = f->sepc >= (uint64_t)ustr_begin && f->sepc < (uint64_t)ustr_end;
	bool in_cas = f->sepc >= (uint64_t)ucas_begin && f->sepc < (uint64_t)ucas_end;
	bool in_iov = f->sepc >= (uint64_t)uiov_begin && f->sepc < (uint64_t)uiov_end;

	if (!memfault || !(in_copy || in_str || in_cas || in_iov))
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

void trap_kernel(struct trap_frame *f)
{
	uint64_t cause = f->scause;

	if (cause & SCAUSE_IRQ) {
		if (cause == (SCAUSE_IRQ | IRQ_S_TIMER) && trap_timer_cost_on)
			trap_timer_costed(f);
		else
			trap_handle_irq(f, cause & ~SCAUSE_IRQ);
		if (f->sstatus & SSTATUS_SPIE)  /* interrupted code could be preempted */
			sched_preempt_point();
		return;
	}
	trace(TR_TRAP, cause, f->sepc);
	if (cause == EXC_BREAKPOINT && trap_break_expected(f))
		return;
	if (uaccess_fixup(f, cause))
		return;
	panic_frame(f, "kernel %s, stval 0x%lx", trap_cause_name(cause), f->stval);
}
