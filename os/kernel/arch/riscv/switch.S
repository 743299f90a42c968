/* Context switch between kernel threads.
 *
 * struct thread *arch_switch(struct context *from, struct context *to,
 *                            struct thread *prev)
 * saves the callee-saved registers in *from, loads *to and returns `prev`
 * in the thread switched to.  tp is not touched: it names the hart. */
#include "asm.h"

	.text
	.globl arch_switch
arch_switch:
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (16 + 8 * \n)(a0)
	.endr
	ld	ra, 0(a1)
	ld	sp, 8(a1)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (16 + 8 * \n)(a1)
	.endr
	mv	a0, a2
	ret

/* First code of a new thread: a0 = prev, s0 = the thread. */
	.globl arch_thread_trampoline
arch_thread_trampoline:
	mv	a1, s0
	call	thread_start
1:	j	1b

/* void arch_switch_cont(struct context *to, struct thread *prev): load only
 * ra and sp of *to (a continuation: nothing else of it is live) and go there
 * with a0 = prev, as arch_switch's return would.  Saves nothing. */
	.globl arch_switch_cont
arch_switch_cont:
	ld	ra, 0(a0)
	ld	sp, 8(a0)
	mv	a0, a1
	ret

/* Where a thread blocked with a continuation starts over (core/ipc_fast.c):
 * a0 = the thread switched from, sp = the top of this thread's kernel stack
 * (its user frame).  ipc_continue finishes the kernel call and returns the
 * frame to resume in user mode. */
	.globl arch_cont_entry
arch_cont_entry:
	call	ipc_continue
	j	trap_return_user

/* void arch_cont_leave(struct trap_frame *f, struct thread *prev): the
 * thread switched to (its call finished: ipc_cont_quick_inline) takes its
 * own stack, which starts below its user frame f, before prev's switch is
 * finished (prev may run elsewhere from then on, on the stack we leave),
 * and goes to user mode through f, or through ipc_cont_preempt when
 * finishing queued a better thread here (tp is the hart).  The finish is
 * sched_finish_switch's common case inline: prev not moving to another
 * hart, on_cpu cleared between two full fences (see queue_now), nobody
 * woke it meanwhile; prev blocked itself in a kernel call, so it has not
 * ended. */
	.globl arch_cont_leave
arch_cont_leave:
	mv	sp, a0
	mv	s0, a0
	lw	t0, TH_MIGRATING(a1)
	bnez	t0, 2f
	fence	rw, rw
	sw	zero, TH_ON_CPU(a1)
	fence	rw, rw
	lw	t0, TH_WAKE_QUEUE(a1)
	bnez	t0, 3f
1:	lw	t0, HART_NEED_RESCHED(tp)
	mv	a0, s0
	bnez	t0, 4f
	j	trap_return_user
2:	mv	a0, a1
	call	sched_finish_switch
	j	1b
3:	mv	a0, a1
	call	sched_finish_woken
	j	1b
4:	call	ipc_cont_preempt
	j	trap_return_user
