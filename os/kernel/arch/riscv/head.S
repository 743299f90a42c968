/* Kernel entry.  The first 64 bytes are the RISC-V Linux Image header, so
 * OpenSBI's -kernel and U-Boot's booti both accept the flat image.
 *
 * Boot hart: a0 = hartid, a1 = FDT physical address, MMU off, running at
 * whatever 4 KiB-aligned physical address the loader chose.  Secondary harts
 * arrive at secondary_entry through SBI HSM with a1 = physical address of
 * their struct hart_boot (see smp.c). */
#include "asm.h"
#include "sbi.h"

	.section .text.head, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	j	boot_entry              /* code0 */
	.word	0                       /* code1 */
	.balign 8
	.dword	0x200000                /* text_offset: 2 MiB above RAM base */
	.dword	__image_size            /* image_size including bss */
	.dword	0                       /* flags: little endian */
	.word	2                       /* version 0.2 */
	.word	0                       /* res1 */
	.dword	0                       /* res2 */
	.ascii	"RISCV\0\0\0"           /* magic (deprecated) */
	.ascii	"RSC\x05"               /* magic2 */
	.word	0                       /* res3 */
	.option pop

	.section .text.boot, "ax"
boot_entry:
	csrw	sie, zero
	csrw	sip, zero
	csrw	sscratch, zero
	mv	s0, a0                  /* hartid: kept in s-registers, never in bss */
	mv	s1, a1                  /* FDT pa */

	/* Only one hart may run the cold boot; see lost_lottery for the rest. */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w.aqrl t1, t1, (t0)
	bnez	t1, lost_lottery

	/* Clear bss (physical addresses: lla is PC-relative). */
	lla	t0, _sbss
	lla	t1, _ebss
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	lla	sp, boot_stack_top
	lla	s2, _start              /* s2 = load physical address */
	mv	a0, s2
	call	boot_map_early          /* returns satp value in a0 */
	mv	s3, a0

	/* Enable translation.  The next fetch at a physical pc faults and lands
	 * on stvec, which holds the high-half address of boot_high. */
	li	t0, KERNEL_VBASE_ASM
	sub	s4, t0, s2              /* s4 = va - pa for the image */
	lla	t1, boot_high
	add	t1, t1, s4
	csrw	stvec, t1
	sfence.vma
	csrw	satp, s3
	sfence.vma
	nop
	j	park                    /* never reached: the fetch above faults */

	.balign 4
boot_high:
	lla	t0, trap_entry
	csrw	stvec, t0
	lla	sp, boot_stack_top      /* now a virtual address */
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	kmain
	j	park

/* Secondary hart: a0 = hartid, a1 = struct hart_boot pa. */
	.balign 4
	.globl secondary_entry
secondary_entry:
	csrw	sie, zero
	csrw	sip, zero
	csrw	sscratch, zero
	li	t0, 1                   /* boot stage 1: in the kernel, MMU off */
	sw	t0, HB_STAGE(a1)
	ld	sp, HB_SP(a1)
	ld	tp, HB_TP(a1)
	ld	t0, HB_SATP(a1)
	ld	t1, HB_VA_PA(a1)
	lla	t2, secondary_high
	add	t2, t2, t1
	csrw	stvec, t2
	sfence.vma
	csrw	satp, t0
	sfence.vma
	nop
	j	park

	.balign 4
secondary_high:
	lla	t0, trap_entry
	csrw	stvec, t0
	call	smp_secondary_main
	j	park

/* A hart that reaches the cold entry after another hart took it.  Some
 * firmware releases every hart here; and OpenSBI 1.1 marks a hart start
 * pending before it stores the start address, so a hart that wakes in
 * between leaves for the cold entry with the boot arguments instead of for
 * secondary_entry (seen about once in a hundred 8-hart boots under load).
 * Hand the hart back to the firmware with an HSM stop: the boot hart sees it
 * stopped and starts it again (smp.c).  Without HSM the ecall returns an
 * error and the hart parks. */
lost_lottery:
	li	a7, SBI_EXT_HSM
	li	a6, SBI_HSM_HART_STOP
	ecall
park:
	wfi
	j	park

	.section .data
	.balign 4
boot_lottery:
	.word	0

	.section .bss
	.balign 16
boot_stack:
	.space	16384
	.globl boot_stack_top
boot_stack_top:
