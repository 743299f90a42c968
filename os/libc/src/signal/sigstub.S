/* The process's signal entry (<keel/signal.h>, "Delivery"): the kernel
 * enters here with a0 = sp = the struct _sigframe it pushed.  The stub
 * has __sig_run call frame->handler(signo, &frame->info, &frame->ctx)
 * and gives the frame back with SignalReturn, which never returns here.  s0 keeps the
 * frame across the handler (callee-saved; the kernel restores the
 * interrupted code's own s0 from the frame). */
	.section .text.__sigstub, "ax"
	.globl __sigstub
	.hidden __sigstub
	.type __sigstub, @function
__sigstub:
	mv	s0, a0
	call	__sig_run               /* the handler, counted (sigaction.c) */
	mv	a0, s0
	call	SignalReturn_r
	unimp                           /* SignalReturn failed: the frame was bad */
	.size __sigstub, . - __sigstub
