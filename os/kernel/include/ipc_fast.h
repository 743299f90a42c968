#pragma once
/* The IPC fast path's switch (ipc.h says what the fast path is): from the
 * caller, blocked with a continuation, straight to the thread that its
 * message or reply made ready, and out to user mode through that thread's
 * frame.  Inline, for msg.c's fused paths: a round trip is two of these. */
#include <stdbool.h>
#include <stdint.h>
#include <keel/errno.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "ipc.h"
#include "sched_switch.h"
#include "thread.h"
#include "trapframe.h"
#include "kcall.h"
#include "user_exit.h"

/* ipc_fast_ok (thread.h) for a user thread t at a kernel call's entry
 * (the rows' fast handlers): its flag words read in pairs, as
 * kcall_exit_busy reads them (sig_broke, in the second pair, is clear
 * there: trap.S sends a call it broke the general way). */
static inline __attribute__((always_inline)) bool ipc_fast_ok_entry(const struct thread *t)
{
	return !((uint64_t)ipc_fast_off | kcall_flag_pair(&t->restart_pending) |
		 kcall_flag_pair(&t->sig_wake) | t->tmo_states);
}

/* ipc_cont_quick (ipc.h), inline. */
static inline __attribute__((always_inline)) struct trap_frame *ipc_cont_quick_inline(struct hart *h,
										    struct thread *t)
{
	long r = t->wait_result;

	if (t->cont == IPC_CONT_SEND ? r == -EINTR || r == -ETIMEDOUT : r >= 0 && t->cont_uinfo)
		return 0;                       /* msg_send_resume or msg_receive_resume */
	if (__builtin_expect(atomic_load32(&t->timeout.hart) != ~0u, 0) ||
	    __builtin_expect(kcall_exit_busy(t, h), 0))
		return 0;
	t->cont = IPC_CONT_NONE;
	return kcall_end_quick(t, h, r);
}

/* The current thread prev has blocked with a continuation; switch hart h
 * to next (claimed, with a continuation, sched_may_run_on h) without
 * saving anything.  Commonly next's call just returns its wait's result:
 * its frame, and out from its stack (arch_cont_leave finishes the switch
 * there); otherwise its continuation finishes the call (arch_cont_entry).
 * Interrupts off, no locks held. */
static inline __attribute__((always_inline, noreturn)) void ipc_switch_cont(struct hart *h,
									  struct thread *prev,
									  struct thread *next)
{
	sched_switch_in(h, prev, next);
	struct trap_frame *f = ipc_cont_quick_inline(h, next);
	if (f)
		arch_cont_leave(f, prev);
	arch_switch_cont(&next->ctx, prev);
}

/* chan_of (ipc.h), inline. */
static inline struct channel *chan_of_inline(struct process *p, long chid)
{
	if (chid < 1 || chid > PROC_CHANNELS)
		return 0;
	return *(struct channel *volatile *)&p->chans[chid - 1];
}

/* The first half of conn_channel_locked_own (ipc.h says why no lock is
 * needed): the channel of p's connection coid and the generation it was
 * attached at, read apart; NULL for no connection.  The caller locks the
 * channel and checks it is live with that generation. */
static inline struct channel *conn_own_peek(struct process *p, long coid, uint32_t *gen)
{
	struct connection *cv = *(struct connection *volatile *)&p->conns;
	int c = proc_conn_slot(coid);

	if (c < 0 || !cv)
		return 0;
	struct channel *ch = *(struct channel *volatile *)&cv[c].ch;
	*gen = *(volatile uint32_t *)&cv[c].gen;
	return ch;
}

/* A fast handler whose call is done (it could not decline any more): out
 * with result r the way every call n of t leaves (kcall_exit's quick way
 * inline; the other with sig_call and its argument set as the dispatch
 * sets them, for the signal code). */
static inline __attribute__((always_inline, noreturn)) void ipc_fast_return(struct thread *t,
									  uint64_t n, long arg0,
									  long r)
{
	struct hart *h = this_hart();

	if (__builtin_expect(kcall_exit_busy(t, h), 0)) {
		t->sig_call = (uint32_t)n + 1;
		t->sig_call_arg0 = (uint64_t)arg0;
		trap_return_user(kcall_exit(t, n, r));
	}
	trap_return_user(kcall_end_quick(t, h, r));
}
