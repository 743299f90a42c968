/* Code kfuzz hands to the kernel to run: a victim thread's body and a child
 * process's whole program.  Neither touches its stack, so any stack a fuzzed
 * ThreadCreate or ProcessStart gives them will do. */
#include <keel/kcall.h>

/* STATE_SEM of <keel/thread.h>, which is C only (kfuzz.c checks the value). */
#define FZ_STATE_SEM 17

#define EQU_(num, name, nargs, priv) .equ KC_##name, num;
KCALL_TABLE(EQU_)

/* fz_victim(status): waits three times for about a millisecond on a
 * semaphore nobody posts (so it is often found blocked), then ends itself
 * with `status`. */
	.section .text.fz_victim, "ax"
	.globl fz_victim
	.p2align 2
fz_victim:
	mv	s0, a0
	li	s1, 3
1:	li	a0, 2                   /* CLOCK_MONOTONIC */
	li	a1, (1 << FZ_STATE_SEM)
	li	a2, 0
	lla	a3, fz_victim_ns
	li	a4, 0
	li	a7, KC_TimerTimeout
	ecall
	lla	a0, fz_victim_sem
	li	a1, 0
	li	a7, KC_SyncSemWait
	ecall
	addi	s1, s1, -1
	bnez	s1, 1b
	li	a0, 0
	li	a1, -1
	mv	a2, s0
	li	a7, KC_ThreadDestroy
	ecall
2:	j	2b

/* The child program, copied to CHILD_CODE_VA of a fresh space: makes call
 * a0 with a1 as its first argument (the rest 0) and exits with the result.
 * For ProcessExit the call is the exit. */
	.section .text.fz_child, "ax"
	.globl fz_child, fz_child_end
	.p2align 2
fz_child:
	mv	a7, a0
	mv	a0, a1
	li	a1, 0
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a5, 0
	ecall
	li	a7, KC_ProcessExit
	ecall
3:	j	3b
fz_child_end:

	.section .rodata.fz_victim_ns, "a"
	.p2align 3
fz_victim_ns:
	.dword	1000000

	.section .data.fz_victim_sem, "aw"
	.globl fz_victim_sem
	.p2align 3
fz_victim_sem:
	.word	0                       /* __count */
	.word	0xfffffffc              /* __owner: _NTO_SYNC_SEM */
