/* A kernel call as a cancellation point (libc.h __cp_call):
 *
 *     long __cp_call(a0, a1, a2, a3, a4, a5, long num, const int32_t *cancel)
 *
 * The window [__cp_begin, __cp_end) holds the test of the thread's
 * cancellation word and the ecall itself.  SIGCANCEL's handler (cancel.c)
 * sends a thread whose interrupted pc lies in it to __cp_cancel: before
 * the ecall the call never started; at the ecall the call was broken off
 * by the signal and the kernel had set it up to start again (SIGCANCEL is
 * SA_RESTART, and a call that is never restarted comes back with EINTR,
 * which __kcall_cp looks at).  A call that has ended has its pc at
 * __cp_end, outside the window: its result stands and the request waits
 * for the next cancellation point.  The kernel keeps a1..a5 and a7 across
 * a call, so a restarted ecall finds its number and arguments (a0 is put
 * back by the kernel). */
	.section .text.__cp_call, "ax"
	.globl __cp_call
	.hidden __cp_call
	.globl __cp_begin
	.hidden __cp_begin
	.globl __cp_end
	.hidden __cp_end
	.globl __cp_cancel
	.hidden __cp_cancel
	.type __cp_call, @function
__cp_call:
__cp_begin:
	lw	t0, 0(a7)
	addi	t0, t0, -1              /* exactly __CANCEL_PENDING: act */
	beqz	t0, __cp_cancel
	mv	a7, a6
	ecall
__cp_end:
	ret
__cp_cancel:
	tail	__cancel_now
	.size __cp_call, . - __cp_call
