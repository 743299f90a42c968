/* Process entry (see <keel/start.h>): the kernel passes argc, argv and envp
 * in a0..a2 and a 16-byte aligned sp; this sets gp, ends the frame chain and
 * calls __urt_start(argc, argv, envp), which never returns. */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax
	lla	gp, __global_pointer$
	.option pop
	andi	sp, sp, -16
	li	s0, 0
	li	ra, 0
	call	__urt_start
	unimp
	.size _start, . - _start
