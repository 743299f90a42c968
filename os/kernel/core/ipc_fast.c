/* The IPC fast path's machinery (ipc.h): blocking with a continuation and
 * finishing a call there.  The decisions (when a call may go this way, and
 * to whom it switches) are in msg.c and sys_msg.c, beside the general path
 * they shortcut. */
#include <keel/errno.h>
#include <keel/kcall.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "ipc.h"
#include "ipc_fast.h"
#include "kcall.h"
#include "ktimer.h"
#include "panic.h"
#include "sched.h"
#include "thread.h"
#include "trap.h"
#include "trapframe.h"
#include "user_exit.h"
#include "waitq.h"

bool ipc_fast_off;

bool ipc_claim_waiter(struct waitq *wq, struct thread *t, int result)
{
	if (t->wq != wq)
		return false;
	list_del(&t->wait_link);
	t->wq = 0;
	t->wait_result = result;
	if (!sched_claim(t))
		panic("ipc: thread %s waits on a queue but is not blocked", t->name);
	return true;
}

/* arch_cont_entry's C half: the first code of a thread resumed through its
 * continuation, on its empty kernel stack, interrupts off.  Finishes the
 * call as the general path would have after its wait, then leaves for user
 * mode as every kernel call does.  The common ends (an answer to a send, a
 * message for a receiver that wants no _msg_info) need neither interrupts
 * nor a call; the others go back to the general path's code with
 * interrupts on, as after any wait. */
struct trap_frame *ipc_continue(struct thread *prev)
{
	struct thread *t = this_hart()->current;
	long r = t->wait_result;
	uint8_t op = t->cont;

	sched_finish_switch(prev);
	if (__builtin_expect(atomic_load32(&t->timeout.hart) != ~0u, 0))
		ktimer_cancel(&t->timeout);     /* (a continuation's wait has none) */
	t->cont = IPC_CONT_NONE;
	if (op == IPC_CONT_SEND ? r == -EINTR || r == -ETIMEDOUT : r >= 0 && t->cont_uinfo) {
		arch_irq_enable();
		r = op == IPC_CONT_SEND ? msg_send_resume(t, r) :
					  msg_receive_resume(t, r, t->cont_uinfo);
		arch_irq_save();
	}
	return kcall_exit(t, t->cont_call, r);
}

struct trap_frame *ipc_cont_preempt(struct trap_frame *f)
{
	return user_exit(this_hart()->current, f);
}
