/* Process entry for programs on Keel's libc (<keel/start.h>): the kernel
 * (or taskman) passes argc, argv, envp in a0..a2, a3 reserved for an
 * auxiliary vector (0 today), a 16-byte aligned sp, and ra = 0.
 *
 * crt0 sets gp, carves the main thread's record and TLS block off the top
 * of the stack (tp = the block, the record just below it, as every thread
 * made by pthread_create has them), and calls
 *   __libc_start_main(argc, argv, envp, auxv)
 * which never returns.  Stack on entry to C: [sp ... record | TLS block] */
#include "thread_layout.h"

	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax
	lla	gp, __global_pointer$
	.option pop
	lla	t0, __tls_size          /* the symbol's value is the size */
	addi	t0, t0, 15
	andi	t0, t0, -16
	sub	sp, sp, t0
	andi	sp, sp, -16
	mv	tp, sp                  /* the TLS block */
	addi	sp, sp, -KEEL_THREAD_RECORD_SIZE   /* the main thread's record */
	li	s0, 0
	li	ra, 0
	call	__libc_start_main
	unimp
	.size _start, . - _start
