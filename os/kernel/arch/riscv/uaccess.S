/* User memory copies with fault recovery.
 *
 * uaccess_copy(dst, src, n) copies bytes with SUM set and returns 0.  If a
 * load or store inside [uaccess_begin, uaccess_end) faults, the trap handler
 * resumes at uaccess_fault, which clears SUM and returns -EFAULT (-14).
 * The range checks happen in C before these are called. */
#include "asm.h"

#define SSTATUS_SUM_BIT (1 << 18)

	.text
	.globl uaccess_copy
	.globl uaccess_begin
	.globl uaccess_end
	.globl uaccess_fault
uaccess_copy:
	li	t6, SSTATUS_SUM_BIT
	csrs	sstatus, t6
uaccess_begin:
	/* Words where both sides can be aligned together, bytes otherwise: a
	 * misaligned access traps to the firmware on some harts (the U74). */
	or	t0, a0, a1
	andi	t0, t0, 7
	beqz	t0, 8f                  /* both aligned */
	li	t1, 8
	bltu	a2, t1, 2f              /* short: bytes */
	xor	t0, a0, a1
	andi	t3, t0, 7
	bnez	t3, 6f
7:	andi	t3, a1, 7               /* same offset mod 8: bytes up to the boundary */
	beqz	t3, 8f
	lbu	t2, 0(a1)
	sb	t2, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	7b
8:	li	t1, 64                  /* aligned: 64 bytes a round, then words */
4:	bltu	a2, t1, 5f
	ld	t2, 0(a1)
	ld	t3, 8(a1)
	ld	t4, 16(a1)
	ld	t5, 24(a1)
	ld	a3, 32(a1)
	ld	a4, 40(a1)
	ld	a5, 48(a1)
	ld	a6, 56(a1)
	sd	t2, 0(a0)
	sd	t3, 8(a0)
	sd	t4, 16(a0)
	sd	t5, 24(a0)
	sd	a3, 32(a0)
	sd	a4, 40(a0)
	sd	a5, 48(a0)
	sd	a6, 56(a0)
	addi	a0, a0, 64
	addi	a1, a1, 64
	addi	a2, a2, -64
	j	4b
5:	li	t1, 32                  /* then 32 bytes a round */
12:	bltu	a2, t1, 13f
	ld	t2, 0(a1)
	ld	t3, 8(a1)
	ld	t4, 16(a1)
	ld	t5, 24(a1)
	sd	t2, 0(a0)
	sd	t3, 8(a0)
	sd	t4, 16(a0)
	sd	t5, 24(a0)
	addi	a0, a0, 32
	addi	a1, a1, 32
	addi	a2, a2, -32
	j	12b
13:	andi	t3, a2, 16              /* below 32 now: at most one 16-byte step */
	beqz	t3, 16f
	ld	t2, 0(a1)
	ld	t3, 8(a1)
	sd	t2, 0(a0)
	sd	t3, 8(a0)
	addi	a0, a0, 16
	addi	a1, a1, 16
	addi	a2, a2, -16
16:	li	t1, 8
1:	bltu	a2, t1, 2f
	ld	t2, 0(a1)
	sd	t2, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	1b
6:	andi	t3, t0, 3               /* same offset mod 4: 32-bit words */
	bnez	t3, 2f
9:	andi	t3, a1, 3
	beqz	t3, 10f
	lbu	t2, 0(a1)
	sb	t2, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	9b
10:	li	t1, 16                  /* 16 bytes a round, then words */
14:	bltu	a2, t1, 15f
	lw	t2, 0(a1)
	lw	t3, 4(a1)
	lw	t4, 8(a1)
	lw	t5, 12(a1)
	sw	t2, 0(a0)
	sw	t3, 4(a0)
	sw	t4, 8(a0)
	sw	t5, 12(a0)
	addi	a0, a0, 16
	addi	a1, a1, 16
	addi	a2, a2, -16
	j	14b
15:	li	t1, 4
11:	bltu	a2, t1, 2f
	lw	t2, 0(a1)
	sw	t2, 0(a0)
	addi	a0, a0, 4
	addi	a1, a1, 4
	addi	a2, a2, -4
	j	11b
2:	beqz	a2, 3f
	lbu	t2, 0(a1)
	sb	t2, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:
uaccess_end:
	csrc	sstatus, t6
	li	a0, 0
	ret
uaccess_fault:
	li	t6, SSTATUS_SUM_BIT
	csrc	sstatus, t6
	li	a0, -14
	ret

/* uaccess_strncpy(dst, src, max): copies up to max bytes, stopping after a
 * NUL; returns the length without the NUL, or max if none was found. */
	.globl uaccess_strncpy
	.globl ustr_begin
	.globl ustr_end
uaccess_strncpy:
	li	t6, SSTATUS_SUM_BIT
	csrs	sstatus, t6
	li	t0, 0
ustr_begin:
1:	bgeu	t0, a2, 2f
	add	t1, a1, t0
	lbu	t2, 0(t1)
	add	t1, a0, t0
	sb	t2, 0(t1)
	beqz	t2, 2f
	addi	t0, t0, 1
	j	1b
2:
ustr_end:
	csrc	sstatus, t6
	mv	a0, t0
	ret

/* uaccess_cas32(uaddr, expect, desired, old *): compare-and-swap a user
 * word; *old gets the value found.  Returns 0, or -EFAULT through the fault
 * recovery (the address must be 4-byte aligned; checked in C). */
	.globl uaccess_cas32
	.globl ucas_begin
	.globl ucas_end
uaccess_cas32:
	li	t6, SSTATUS_SUM_BIT
	csrs	sstatus, t6
ucas_begin:
1:	lr.w.aqrl t0, (a0)
	bne	t0, a1, 2f
	sc.w.rl	t1, a2, (a0)
	bnez	t1, 1b
2:
ucas_end:
	csrc	sstatus, t6
	sw	t0, 0(a3)
	li	a0, 0
	ret

/* uaccess_iov(out, uiov, parts): copy parts (>= 1) iov elements (base,
 * length) from the user array uiov, whose range and 8-byte alignment the C
 * side checked, and check that every buffer lies in the user half (below
 * USER_TOP, 1 << 38).  Returns 0, or -EFAULT for a buffer outside it or a
 * fault reading the array (recovery: uaccess_fault).  The kernel calls'
 * iov arrays come in through here: one routine instead of a copy and a
 * loop over the copy. */
	.globl uaccess_iov
	.globl uiov_begin
	.globl uiov_end
uaccess_iov:
	li	t6, SSTATUS_SUM_BIT
	csrs	sstatus, t6
	li	t5, 1
	slli	t5, t5, 38
uiov_begin:
1:	ld	t0, 0(a1)
	ld	t1, 8(a1)
	sd	t0, 0(a0)
	sd	t1, 8(a0)
	beqz	t1, 2f                  /* an empty buffer may point anywhere */
	bgeu	t0, t5, 3f
	sub	t2, t5, t0
	bltu	t2, t1, 3f
2:	addi	a0, a0, 16
	addi	a1, a1, 16
	addi	a2, a2, -1
	bnez	a2, 1b
uiov_end:
	csrc	sstatus, t6
	li	a0, 0
	ret
3:	csrc	sstatus, t6
	li	a0, -14
	ret
