/* Per-thread floating-point context, switched lazily by sstatus.FS.
 *
 * Invariants:
 * - the kernel never executes an FP instruction outside fpu.S, so the FP
 *   registers of a hart hold the state of the last user thread that ran
 *   there with FP on, and only user code can make sstatus.FS Dirty;
 * - a user thread starts with FS Off.  Its first FP instruction traps as an
 *   illegal instruction; the kernel then turns FP on for the thread with
 *   every register zero (never the previous thread's values) and retries
 *   the instruction.  Threads that never use FP (most servers and drivers)
 *   cost nothing at a switch, and no register contents can leak;
 * - at a switch away from a thread whose registers are Dirty they are
 *   saved in the thread (t->fp) and its user FS becomes Clean, so t->fp
 *   always holds the state of a thread that is not running;
 * - at a switch to a thread with FP on its registers are loaded from t->fp
 *   (a thread may come back on another hart); to any other thread FS is
 *   left Off so that a stray FP instruction in the kernel would trap.
 * Everything here runs with interrupts off on the hart concerned. */
#include "arch.h"
#include "csr.h"
#include "hart.h"
#include "thread.h"
#include "trapframe.h"

_Static_assert(ARCH_FP_WORDS == 33, "fpu.S stores f0..f31 and fcsr");

void fpu_save(uint64_t *area);
void fpu_restore(const uint64_t *area);
void fpu_zero(void);

static void user_fs_set(struct thread *t, uint64_t fs)
{
	struct trap_frame *f = t->uframe;

	f->sstatus = (f->sstatus & ~SSTATUS_FS) | fs;
}

/* Called by schedule() before the register switch (interrupts off). */
void arch_fp_switch(struct thread *prev, struct thread *next)
{
	if (prev->fp_on && (csr_read(sstatus) & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		fpu_save(prev->fp);
		user_fs_set(prev, SSTATUS_FS_CLEAN);
	}
	if (next->fp_on) {
		csr_set(sstatus, SSTATUS_FS_CLEAN);
		csr_clear(sstatus, SSTATUS_FS_CLEAN ^ SSTATUS_FS);
		fpu_restore(next->fp);
	} else {
		csr_clear(sstatus, SSTATUS_FS);
	}
}

/* An illegal-instruction trap from user mode with FP off: FP goes on for
 * the thread, zeroed, and the instruction is retried.  False when FP was on
 * already (a genuinely illegal instruction).  Interrupts off. */
bool arch_fp_first_use(void *frame)
{
	struct trap_frame *f = frame;
	struct thread *t = this_hart()->current;

	if (t->fp_on || (f->sstatus & SSTATUS_FS) != SSTATUS_FS_OFF)
		return false;
	csr_set(sstatus, SSTATUS_FS_CLEAN);
	csr_clear(sstatus, SSTATUS_FS_CLEAN ^ SSTATUS_FS);
	fpu_zero();
	t->fp_on = 1;
	user_fs_set(t, SSTATUS_FS_CLEAN);
	return true;
}

/* The calling thread's FP state into t->fp now, if its registers are newer
 * (for a signal frame or a fork).  Interrupts off. */
void arch_fp_flush(void)
{
	struct thread *t = this_hart()->current;

	if (t->fp_on && (csr_read(sstatus) & SSTATUS_FS) == SSTATUS_FS_DIRTY) {
		fpu_save(t->fp);
		csr_clear(sstatus, SSTATUS_FS_CLEAN ^ SSTATUS_FS);     /* Dirty -> Clean */
		user_fs_set(t, SSTATUS_FS_CLEAN);
	}
}

/* The calling thread's FP registers from t->fp (after a signal return
 * wrote it), or off when FP is off.  Interrupts off. */
void arch_fp_reload(void)
{
	struct thread *t = this_hart()->current;

	if (t->fp_on) {
		csr_set(sstatus, SSTATUS_FS_CLEAN);
		csr_clear(sstatus, SSTATUS_FS_CLEAN ^ SSTATUS_FS);
		fpu_restore(t->fp);
		user_fs_set(t, SSTATUS_FS_CLEAN);
	} else {
		csr_clear(sstatus, SSTATUS_FS);
		user_fs_set(t, SSTATUS_FS_OFF);
	}
}
