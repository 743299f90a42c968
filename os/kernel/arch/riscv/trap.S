/* Trap entry and exit.
 *
 * sscratch convention: 0 while the hart runs in S-mode; the running thread's
 * trap frame while it runs in U-mode.  So the first instruction tells the two
 * apart without touching memory, and nothing is found through a global array
 * that another hart might be changing. */
#include "asm.h"

#define EXC_ECALL_U      8              /* scause of an ecall from U-mode (csr.h) */
#define SSTATUS_SIE_BIT  2              /* sstatus.SIE (csr.h) */

.macro SAVE_GPRS base
	sd	x1, TF_X(1)(\base)
	sd	x3, TF_X(3)(\base)
	.irp n, 5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, TF_X(\n)(\base)
	.endr
.endm

/* The caller's s0..s11 (a kernel call's frame gets them at its dispatch). */
.macro SAVE_SREGS base
	.irp n, 8,9,18,19,20,21,22,23,24,25,26,27
	sd	x\n, TF_X(\n)(\base)
	.endr
.endm

.macro RESTORE_GPRS base
	ld	x1, TF_X(1)(\base)
	ld	x3, TF_X(3)(\base)
	.irp n, 5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, TF_X(\n)(\base)
	.endr
.endm

/* Back to U-mode through the frame at register x<base> (interrupts off):
 * base is 10 (a0) or 2 (sp), loaded last, after x<other>, the other. */
.macro RETURN_TO_USER base, other
	csrw	sscratch, x\base
	ld	t0, TF_SEPC(x\base)
	ld	t1, TF_SSTATUS(x\base)
	csrw	sepc, t0
	csrw	sstatus, t1
	ld	x4, TF_X(4)(x\base)
	RESTORE_GPRS x\base
	ld	x\other, TF_X(\other)(x\base)
	ld	x\base, TF_X(\base)(x\base)
	sret
.endm

	.text
	.balign 4
	.globl trap_entry
trap_entry:
	csrrw	tp, sscratch, tp
	bnez	tp, trap_from_user
	/* From S-mode: tp was this hart's struct hart, now in sscratch. */
	csrrw	tp, sscratch, zero
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS sp
	csrr	t0, instret             /* for kbench: cost of the trap */
	sd	t0, TF_ENTRY_INSTRET(sp)
	sd	x4, TF_X(4)(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, TF_X(2)(sp)
	csrr	t0, sepc
	csrr	t1, sstatus
	csrr	t2, scause
	csrr	t3, stval
	sd	t0, TF_SEPC(sp)
	sd	t1, TF_SSTATUS(sp)
	sd	t2, TF_SCAUSE(sp)
	sd	t3, TF_STVAL(sp)
	mv	a0, sp
	call	trap_kernel
	ld	t0, TF_SEPC(sp)
	ld	t1, TF_SSTATUS(sp)
	csrw	sepc, t0
	csrw	sstatus, t1
	/* tp is not restored: it names the hart, and a thread preempted here
	 * may resume on another hart. */
	ld	x10, TF_X(10)(sp)
	RESTORE_GPRS sp
	ld	x2, TF_X(2)(sp)
	sret

trap_from_user:
	/* tp = the thread's frame, sscratch = user tp.  t0 first: it tells a
	 * kernel call from the rest. */
	sd	t0, TF_X(5)(tp)
	csrr	t0, scause
	sd	t0, TF_SCAUSE(tp)
	addi	t0, t0, -EXC_ECALL_U
	bnez	t0, trap_from_user_full
	/* A kernel call: made from a function of <keel/kcall_stubs.h>, so by the
	 * calling convention t0..t6 and a6 are not the caller's any more and
	 * are not kept (they come back as the frame holds them: zero, as a
	 * new thread's frame and every return from an interrupt or a fault
	 * leave it, or what a call that sets the frame whole put there, a
	 * signal handler's return or a fork's child; t0 also as it went in,
	 * stored just above).  Kept: ra, sp, gp, tp, s0..s11
	 * (the caller's), and a0..a5 and a7 (the call, for a restart after a
	 * signal: user.c).  s0..s11 go into the frame once the call is known
	 * to be no leaf (kcall.h KCALL_ROW_LEAF): a leaf's handler keeps them
	 * in their registers, as C does. */
	.irp n, 1,2,3,10,11,12,13,14,15,17
	sd	x\n, TF_X(\n)(tp)
	.endr
	csrr	t0, sscratch
	csrr	t1, sepc
	csrr	t2, sstatus
	sd	t0, TF_X(4)(tp)
	csrw	sscratch, zero
	addi	t1, t1, 4
	sd	t1, TF_SEPC(tp)         /* past the ecall */
	sd	t2, TF_SSTATUS(tp)      /* (scause is in; stval is not: only a fault's is read) */
	ld	sp, TF_KSP(tp)          /* the frame: the kernel stack starts below it */
	/* The dispatch (kcall.c).  The caller's s-registers are in the frame
	 * (but for a leaf), so s0 (the thread) and s1 (the call's number)
	 * cost no saving, and C keeps them for us.  The common case here: a
	 * known call that needs no privilege, no signal broke the last one;
	 * its handler runs with interrupts on.  A row with a fast handler
	 * (KCALL_ROW_FAST in its privileges) goes there first, interrupts
	 * still off.  Anything else goes to kcall_entry, which does it all. */
	ld	tp, TF_HART(tp)
	li	t0, KCALL_COUNT_ASM
	bgeu	a7, t0, 5f
	ld	t1, HART_KCALL_ROWS(tp)
	slli	t2, a7, KCALL_ROW_SHIFT
	add	t1, t1, t2
	lw	t2, KCALL_ROW_PRIVS(t1)
	bltz	t2, 6f                  /* a leaf */
	SAVE_SREGS sp
	ld	s0, HART_CURRENT(tp)
	lw	t3, TH_SIG_BROKE(s0)
	or	t2, t2, t3
	bnez	t2, 2f
	csrsi	sstatus, SSTATUS_SIE_BIT
	addiw	t2, a7, 1
	ld	t1, 0(t1)
	sw	t2, TH_SIG_CALL(s0)     /* for a restart after a signal (signal.c) */
	sd	a0, TH_SIG_CALL_ARG0(s0)
	mv	s1, a7
	jalr	t1
	/* kcall_exit's common case inline (kcall.c): interrupts off, one look
	 * at each word kcall_exit_busy reads (three pairs of words in one load
	 * each: the third adds call_state, which a call that may block set,
	 * and kcall_exit clears), and when none has anything to do the result
	 * goes into the frame (sp, see above) and out; tp is the hart the call
	 * ended on. */
	csrci	sstatus, SSTATUS_SIE_BIT
	ld	t0, TH_RESTART_PENDING(s0)
	ld	t1, TH_SIG_WAKE(s0)
	ld	t2, TH_TMO_STATES(s0)
	or	t0, t0, t1
	lwu	t1, HART_NEED_RESCHED(tp)
	or	t0, t0, t2
	ld	t2, HART_HANDOFF(tp)
	or	t0, t0, t1
	lbu	t1, TH_SIG_SAVED(s0)
	or	t0, t0, t2
	or	t0, t0, t1
	bnez	t0, 4f
	sw	zero, TH_SIG_CALL(s0)
	sd	a0, TF_X(10)(sp)
	sd	tp, TF_HART(sp)
	RETURN_TO_USER 2, 10
	/* kcall_exit(thread, number, result): the frame to resume. */
4:	mv	a2, a0
	mv	a1, s1
	mv	a0, s0
	call	kcall_exit
	j	trap_return_user
	/* A fast handler (ipc.h) with the arguments, the thread in a6 and
	 * interrupts off: it goes to user mode itself, or returns having
	 * changed nothing, and the call starts over the general way with its
	 * arguments from the frame (sp: the frame, see above). */
2:	li	t0, KCALL_ROW_FAST_ASM
	bne	t2, t0, 3f
	ld	t1, KCALL_ROW_FASTFN(t1)
	mv	a6, s0
	jalr	t1
	.irp n, 10,11,12,13,14,15,17
	ld	x\n, TF_X(\n)(sp)
	.endr
	/* kcall_entry(a0..a5, number, thread) checks, runs the call and takes
	 * the way out (interrupts off): it returns the frame to resume. */
3:	csrsi	sstatus, SSTATUS_SIE_BIT
	mv	a6, a7
	mv	a7, s0
	call	kcall_entry
	j	trap_return_user
	/* No such call: the frame whole, then kcall_entry (ENOSYS). */
5:	SAVE_SREGS sp
	ld	s0, HART_CURRENT(tp)
	j	3b
	/* A leaf (kcall.h KCALL_ROW_LEAF): its handler with the arguments, the
	 * thread in a6, interrupts off and s0..s11 still the caller's; it
	 * comes back with a0 = the result and a1 = 1 when it did the call, or
	 * a1 = 0 having done nothing.  A signal that broke the last call
	 * sends it the general way at once. */
6:	ld	a6, HART_CURRENT(tp)
	lw	t3, TH_SIG_BROKE(a6)
	bnez	t3, 7f
	ld	t1, KCALL_ROW_FASTFN(t1)
	jalr	t1
	beqz	a1, 8f
	/* Done: kcall_exit's common case as above, for the thread in t5. */
	ld	t5, HART_CURRENT(tp)
	ld	t0, TH_RESTART_PENDING(t5)
	ld	t1, TH_SIG_WAKE(t5)
	ld	t2, TH_TMO_STATES(t5)
	or	t0, t0, t1
	lwu	t1, HART_NEED_RESCHED(tp)
	or	t0, t0, t2
	ld	t2, HART_HANDOFF(tp)
	or	t0, t0, t1
	lbu	t1, TH_SIG_SAVED(t5)
	or	t0, t0, t2
	or	t0, t0, t1
	bnez	t0, 9f
	sw	zero, TH_SIG_CALL(t5)
	sd	tp, TF_HART(sp)
	/* Out with what a call keeps from the frame and the s-registers as
	 * they are (the caller's); the temporaries and a6 come back zero, not
	 * the kernel's. */
	csrw	sscratch, sp
	ld	t0, TF_SEPC(sp)
	ld	t1, TF_SSTATUS(sp)
	csrw	sepc, t0
	csrw	sstatus, t1
	.irp n, 1,3,4,11,12,13,14,15,17
	ld	x\n, TF_X(\n)(sp)
	.endr
	.irp n, 5,6,7,16,28,29,30,31
	li	x\n, 0
	.endr
	ld	x2, TF_X(2)(sp)
	sret
	/* Done, and kcall_exit has work (a signal, a preemption, a timeout):
	 * the frame whole first, as the general way's end has it. */
9:	SAVE_SREGS sp
	mv	s0, t5
	ld	s1, TF_X(17)(sp)        /* the call's number */
	ld	t0, TF_X(10)(sp)
	addiw	t1, s1, 1
	sw	t1, TH_SIG_CALL(s0)     /* as the dispatch sets them (kcall.c) */
	sd	t0, TH_SIG_CALL_ARG0(s0)
	j	4b
	/* Declined: the frame whole, the arguments back, the general way. */
8:	.irp n, 10,11,12,13,14,15,17
	ld	x\n, TF_X(\n)(sp)
	.endr
7:	SAVE_SREGS sp
	ld	s0, HART_CURRENT(tp)
	j	3b

trap_from_user_full:
	/* Any other trap: every register (t0 is in already). */
	sd	x1, TF_X(1)(tp)
	sd	x2, TF_X(2)(tp)
	sd	x3, TF_X(3)(tp)
	.irp n, 6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, TF_X(\n)(tp)
	.endr
	csrr	t0, sscratch
	sd	t0, TF_X(4)(tp)
	csrw	sscratch, zero
	csrr	t0, sepc
	csrr	t1, sstatus
	sd	t1, TF_SSTATUS(tp)      /* (scause is in already) */
	ld	sp, TF_KSP(tp)          /* the frame: the kernel stack starts below it */
	csrr	t3, stval
	sd	t0, TF_SEPC(tp)
	sd	t3, TF_STVAL(tp)
	mv	a0, tp
	ld	tp, TF_HART(a0)
	call	trap_user               /* returns the frame to resume in a0 */
	/* Out as trap_return_user, but once the temporaries and a6 are in
	 * their registers their slots are cleared: what an interrupt or a
	 * fault found in them is this code's, not something a later kernel
	 * call (which gives back the frame's, see trap_from_user) returns. */
	csrw	sscratch, a0
	ld	t0, TF_SEPC(a0)
	ld	t1, TF_SSTATUS(a0)
	csrw	sepc, t0
	csrw	sstatus, t1
	ld	x4, TF_X(4)(a0)
	RESTORE_GPRS a0
	.irp n, 5,6,7,16,28,29,30,31
	sd	zero, TF_X(\n)(a0)
	.endr
	ld	x2, TF_X(2)(a0)
	ld	x10, TF_X(10)(a0)
	sret

/* Return to U-mode through frame a0 (interrupts must be off). */
	.globl trap_return_user
trap_return_user:
	RETURN_TO_USER 10, 2

/* Save the caller's registers into a frame (for panic dumps of the running
 * hart): a0 = struct trap_frame *.  sepc holds the return address. */
	.globl arch_capture_frame
arch_capture_frame:
	SAVE_GPRS a0
	sd	x2, TF_X(2)(a0)
	sd	x4, TF_X(4)(a0)
	sd	x1, TF_SEPC(a0)
	csrr	t0, sstatus
	sd	t0, TF_SSTATUS(a0)
	sd	zero, TF_SCAUSE(a0)
	sd	zero, TF_STVAL(a0)
	ret
