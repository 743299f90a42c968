/* The FP register file, for the lazy per-thread FP context (fpu.c).
 *
 * The kernel is built without F and D, so the compiler never touches these
 * registers; only this file names them, with the D extension switched on
 * for it alone.  Callers make sure sstatus.FS is not Off first.
 *
 * Layout of the save area (ARCH_FP_WORDS words): f0..f31, then fcsr. */
	.option push
	.option arch, +d

	.text
/* void fpu_save(uint64_t *area) */
	.globl fpu_save
fpu_save:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, (8 * \n)(a0)
	.endr
	frcsr	t0
	sd	t0, 256(a0)
	ret

/* void fpu_restore(const uint64_t *area) */
	.globl fpu_restore
fpu_restore:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, (8 * \n)(a0)
	.endr
	ld	t0, 256(a0)
	fscsr	t0
	ret

/* void fpu_zero(void): every register +0.0 and fcsr 0 (a fresh context). */
	.globl fpu_zero
fpu_zero:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fmv.d.x	f\n, zero
	.endr
	fscsr	zero
	ret

	.option pop
