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

/* The child program, copied to CHILD_CODE_VA of a fresh space (the page
 * also holds the arguments, at CHILD_ARGS_VA): makes call a0 with the six
 * arguments at a1 and exits with the result.  For ProcessExit the call is
 * the exit.  A seventh word is the complement of the call number xor the
 * six xor a2, a nonce of this start: arguments another fuzzer's AsWrite
 * changed, or another child's (a space id reused under a fuzzed
 * AsDestroy), are an illegal instruction (a fault, which kfuzz counts as
 * disturbed), not a call with other arguments. */
	.section .text.fz_child, "ax"
	.globl fz_child, fz_child_end, fz_forkee
	.p2align 2
fz_child:
	mv	a7, a0
	mv	t0, a1
	mv	t3, a2                  /* the start's nonce */
	ld	a0, 0(t0)
	ld	a1, 8(t0)
	ld	a2, 16(t0)
	ld	a3, 24(t0)
	ld	a4, 32(t0)
	ld	a5, 40(t0)
	xor	t1, a7, a0
	xor	t1, t1, a1
	xor	t1, t1, a2
	xor	t1, t1, a3
	xor	t1, t1, a4
	xor	t1, t1, a5
	xor	t1, t1, t3
	not	t1, t1
	ld	t2, 48(t0)
	beq	t1, t2, 6f
	unimp
6:	ecall
	li	a7, KC_ProcessExit
	ecall
3:	j	3b

/* The forkee, in the same page: fz_forkee(pid, chid) attaches to kfuzz's
 * channel chid and sends one empty message, which kfuzz receives and never
 * answers, so its one thread stays blocked on a channel of kfuzz's: what
 * ProcessFork and ProcessExec want.  A fork of it returns from the send
 * (0) and exits, as does the forkee if someone answers. */
fz_forkee:
	mv	a2, a1
	mv	a1, a0
	li	a0, 0                   /* ND_LOCAL_NODE */
	li	a3, 0
	li	a4, 0
	li	a7, KC_ConnectAttach
	ecall
	bltz	a0, 4f
	li	a1, 0
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a7, KC_MsgSendv
	ecall
4:	li	a7, KC_ProcessExit
	ecall
5:	j	5b
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
