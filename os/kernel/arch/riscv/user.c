/* Entering and leaving user mode, and traps from it. */
#include <keel/errno.h>
#include <keel/signal.h>
#include "arch.h"
#include "atomic.h"
#include "csr.h"
#include "hart.h"
#include "kcall.h"
#include "kstring.h"
#include "panic.h"
#include "process.h"
#include "sched.h"
#include "sig.h"
#include "thread.h"
#include "trap.h"
#include "trapframe.h"
#include "user_exit.h"
#include "vm.h"
#include "vmspace.h"

void trap_handle_irq(struct trap_frame *f, uint64_t irq);
bool arch_fp_first_use(void *frame);

/* Kernel threads run on the kernel's own root; user threads on their
 * process's.  Called by the scheduler with interrupts off. */
void arch_switch_space(struct thread *next)
{
	uint64_t want = next->proc ? 0 : vm_kernel_satp();

	if (next->proc)
		vmspace_activate(next->proc->vs);
	else if (csr_read(satp) != want)
		csr_write(satp, want);
}

/* Interrupts off.  The frame remembers where to find this hart's data and
 * the thread's kernel stack for the next trap from user mode. */
static void __attribute__((noreturn)) return_to_user(struct trap_frame *f)
{
	thread_user_return();
	f->hart = (uint64_t)this_hart();
	f->kernel_sp = (uint64_t)f;
	trap_return_user(f);
}

/* A fresh frame: every register zero but the ones given. */
static struct trap_frame *fresh_frame(uint64_t pc, uint64_t sp)
{
	struct thread *t = thread_current();
	struct trap_frame *f = t->uframe;

	arch_irq_save();
	memset(f, 0, sizeof *f);                /* never a stale register */
	f->sepc = pc;
	f->x[1] = sp;
	f->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SIE | SSTATUS_SUM | SSTATUS_FS)) |
		     SSTATUS_SPIE;              /* FP off until its first use (fpu.c) */
	t->fp_on = 0;
	memset(t->fp, 0, sizeof t->fp);
	csr_clear(sstatus, SSTATUS_FS);
	arch_switch_space(t);
	return f;
}

void arch_user_enter(uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1, uint64_t a2,
		     uint64_t a3)
{
	struct trap_frame *f = fresh_frame(pc, sp);

	f->x[9] = a0;
	f->x[10] = a1;
	f->x[11] = a2;
	f->x[12] = a3;
	return_to_user(f);
}

void arch_user_enter_thread(uint64_t pc, uint64_t sp, uint64_t arg, uint64_t ra, uint64_t tp,
			    uint64_t gp)
{
	struct trap_frame *f = fresh_frame(pc, sp);

	f->x[9] = arg;
	f->x[0] = ra;
	f->x[2] = gp;
	f->x[3] = tp;
	return_to_user(f);
}

uint64_t arch_user_gp(void)
{
	return ((struct trap_frame *)thread_current()->uframe)->x[2];
}

/* A store fault on a copy-on-write page of the calling thread's space: 0
 * when the page is writable now.  Out of memory for the copy ends the
 * process with a report line; anything else is an ordinary fault. */
int user_cow_fault(uint64_t addr)
{
	struct thread *t = thread_current();
	struct process *p = t->proc;
	int r = vmspace_fault(p->vs, addr, process_alone());

	if (r == -ENOMEM) {
		struct trap_frame *f = t->uframe;
		arch_irq_enable();
		process_fault("out of memory for a copy-on-write page", SIGSEGV, SI_KERNEL, f->sepc,
			      addr);
	}
	return r;
}

/* The same for a store by a kernel copy routine into the calling thread's
 * space: no process ends here (-ENOMEM makes the copy fail with EFAULT). */
int kernel_cow_fault(uint64_t addr)
{
	struct thread *t = this_hart()->current;
	struct process *p = t->proc;

	if (!p)
		return -EFAULT;
	return vmspace_fault(p->vs, addr, process_alone());
}

/* The signal a fault raises, and its si_code. */
static int fault_signal(uint64_t cause, uint64_t addr, int *code)
{
	switch (cause) {
	case EXC_ILLEGAL:
		*code = ILL_ILLOPC;
		return SIGILL;
	case EXC_BREAKPOINT:
		*code = TRAP_BRKPT;
		return SIGTRAP;
	case EXC_INST_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		*code = BUS_ADRALN;
		return SIGBUS;
	case EXC_INST_ACCESS:
	case EXC_LOAD_ACCESS:
	case EXC_STORE_ACCESS:
		*code = BUS_ADRERR;
		return SIGBUS;
	default: {
		struct process *p = thread_current()->proc;
		*code = vmspace_query(p->vs, addr, 0) ? SEGV_ACCERR : SEGV_MAPERR;
		return SIGSEGV;
	}
	}
}

/* ---- fork and exec ---------------------------------------------------------------- */

#define UREGS_FP (ARCH_UFRAME_SIZE / 8)         /* f0..f31, fcsr, then fp_on */
_Static_assert(sizeof(struct arch_uregs) == ARCH_UFRAME_SIZE + (ARCH_FP_WORDS + 1) * 8,
	       "arch_uregs holds a frame, the FP words and the FP flag");

void arch_uregs_save(struct arch_uregs *r, const struct thread *t)
{
	memcpy(r->w, t->uframe, ARCH_UFRAME_SIZE);
	memcpy(&r->w[UREGS_FP], t->fp, sizeof t->fp);
	r->w[UREGS_FP + ARCH_FP_WORDS] = t->fp_on;
}

void arch_uregs_fork(struct thread *nt, const struct arch_uregs *r)
{
	struct trap_frame *f = nt->uframe;

	memcpy(f, r->w, ARCH_UFRAME_SIZE);
	memcpy(nt->fp, &r->w[UREGS_FP], sizeof nt->fp);
	nt->fp_on = (uint32_t)r->w[UREGS_FP + ARCH_FP_WORDS];
	f->x[9] = 0;                            /* the child's side of the call */
	f->sstatus = (f->sstatus & ~SSTATUS_FS) | (nt->fp_on ? SSTATUS_FS_CLEAN : SSTATUS_FS_OFF);
}

void arch_user_resume(void)
{
	struct thread *t = thread_current();

	arch_irq_save();
	arch_switch_space(t);
	return_to_user(t->uframe);
}

void arch_user_restart_check(void)
{
	struct thread *t = this_hart()->current;

	if (!atomic_load32(&t->restart_pending))
		return;
	atomic_store32(&t->restart_pending, 0);
	t->sig_call = 0;                        /* the call it was in is over, not to redo */
	smp_mb();                               /* the flag before the registers */
	uint64_t *r = t->restart_regs;
	struct trap_frame *f = fresh_frame(r[0], r[1]);
	f->x[9] = r[2];
	f->x[10] = r[3];
	f->x[11] = r[4];
	f->x[12] = r[5];
	f->kernel_sp = (uint64_t)f;
}

/* ---- signal frames ------------------------------------------------------------------- */

_Static_assert(sizeof(((struct _sigregs *)0)->x) == sizeof(((struct trap_frame *)0)->x),
	       "a signal frame holds every GPR of the trap frame");

void arch_sig_save(const void *frame, struct _sigregs *ctx)
{
	const struct trap_frame *f = frame;
	struct thread *t = thread_current();

	ctx->pc = f->sepc;
	ctx->fp_used = t->fp_on;
	if (t->fp_on) {
		memcpy(ctx->f, t->fp, sizeof ctx->f);
		ctx->fcsr = t->fp[32];
	}
}

void arch_sig_enter(void *frame, uint64_t stub, uint64_t sp)
{
	struct trap_frame *f = frame;

	f->sepc = stub;
	f->x[1] = sp;                           /* sp */
	f->x[9] = sp;                           /* a0: the frame */
	f->x[0] = 0;                            /* ra: the stub never returns */
}

uint64_t arch_sig_restore(void *frame, const struct _sigregs *ctx)
{
	struct trap_frame *f = frame;
	struct thread *t = thread_current();

	f->sepc = ctx->pc;                      /* x1..x31 came in already (gp, tp too) */
	unsigned long s = arch_irq_save();
	if (ctx->fp_used) {
		memcpy(t->fp, ctx->f, sizeof ctx->f);
		t->fp[32] = ctx->fcsr & 0xff;   /* frm and fflags only */
		t->fp_on = 1;
	}
	arch_fp_reload();
	arch_irq_restore(s);
	return f->x[9];
}

void arch_call_restart(void *frame, uint64_t arg0)
{
	struct trap_frame *f = frame;

	f->sepc -= 4;                           /* back to the ecall */
	f->x[9] = arg0;
}

static const char *fault_name(uint64_t cause)
{
	return trap_cause_name(cause);
}

_Static_assert(__builtin_offsetof(struct hart, current) == HART_CURRENT, "hart current");
_Static_assert(__builtin_offsetof(struct hart, need_resched) == HART_NEED_RESCHED,
	       "hart need_resched (switch.S)");
_Static_assert(EXC_ECALL_U == 8 && SSTATUS_SIE == 2, "trap.S's copies of the constants");

/* A trap from user mode other than a kernel call (trap.S dispatches those
 * itself to kcall_entry, which leaves through user_exit too). */
struct trap_frame *trap_user(struct trap_frame *f)
{
	uint64_t cause = f->scause;
	struct thread *t = this_hart()->current;        /* interrupts are off */

	if (cause & SCAUSE_IRQ) {
		trap_handle_irq(f, cause & ~SCAUSE_IRQ);
	} else if (cause == EXC_ILLEGAL && arch_fp_first_use(f)) {
		/* FP is on for the thread now: the instruction runs again */
	} else if (cause == EXC_STORE_PAGE && user_cow_fault(f->stval) == 0) {
		/* a private copy is mapped now: the store runs again */
	} else {
		int code, signo = fault_signal(cause, f->stval, &code);
		arch_irq_enable();
		sig_fault(f, fault_name(cause), signo, code, f->stval);    /* or the process ends */
		arch_irq_save();
	}
	return user_exit(t, f);
}
