#pragma once
/* Kernel call dispatch and the handlers' prototypes, all expanded from the
 * one table in <keel/kcall.h>.
 *
 * Every row K(number, name, nargs, privilege) declares its decoder
 *
 *     long sys_<name>(long a0, ..., long a<nargs-1>);   (void when nargs is 0)
 *
 * with exactly the registers the row says it reads, so a handler defined
 * with another arity fails to compile.
 *
 * Where handlers live, one rule for every call: the decoder sys_<Name>
 * (validate, copy in, call the object operation, copy out) is in
 * core/sys_<group>.c, the group named by the call's prefix; the object
 * operations it calls are in the objects' own files and do not fail on
 * user input.
 *   KernelNop, DebugPutString, SysInfo sys_basic.c
 *   Channel*, Connect*                 sys_channel.c
 *   Msg*                               sys_msg.c
 *   Thread*                            sys_thread.c
 *   Sched*                             sys_sched.c
 *   Sync*                              sys_sync.c
 *   Clock*, Timer*                     sys_timer.c
 *   Interrupt*                         sys_interrupt.c
 *   As*, Process*, SystemReset         sys_procmgr.c
 *   HwInfo*                            sys_hwinfo.c */
#include <stdint.h>
#include <keel/kcall.h>

#define KCALL_PARAMS_0 void
#define KCALL_PARAMS_1 long
#define KCALL_PARAMS_2 long, long
#define KCALL_PARAMS_3 long, long, long
#define KCALL_PARAMS_4 long, long, long, long
#define KCALL_PARAMS_5 long, long, long, long, long
#define KCALL_PARAMS_6 long, long, long, long, long, long

#define KCALL_PROTO_(num, name, nargs, priv) long sys_##name(KCALL_PARAMS_##nargs);
KCALL_TABLE(KCALL_PROTO_)
#undef KCALL_PROTO_

/* Run kernel call n for the current user thread t with the argument
 * registers a0..a5, in the order they come in (trap.S calls it with them
 * in place; interrupts on, no locks held); its result (a negative errno on
 * failure, -ENOSYS for an unknown number, -EPERM for a privilege the
 * caller's process lacks) goes into t's frame as a0, and the way back to
 * user mode is taken (user_exit, interrupts off): returns the frame to
 * resume. */
struct thread;
struct trap_frame;
typedef long (*kcall_fn)(long, long, long, long, long, long);
struct trap_frame *kcall_entry(long a0, long a1, long a2, long a3, long a4, long a5, uint64_t n,
			       struct thread *t);
/* trap.S's way out of call n of thread t with result r, when it ran the
 * call itself (the common case; kcall_entry takes the rest): as
 * kcall_entry's end. */
struct trap_frame *kcall_exit(struct thread *t, uint64_t n, long r);
/* A row's fast handler: the call's arguments and its thread, interrupts
 * off; it returns only to decline, having changed nothing. */
typedef void (*kcall_fast_fn)(long, long, long, long, long, long, struct thread *);
/* A leaf's fast handler (KCALL_ROW_LEAF): one that never leaves its
 * thread for another, and so runs before the caller's s0..s11 are in its
 * frame (C keeps them): it returns to trap.S, done with result r, or
 * declined having changed nothing (then the frame is made whole and the
 * call starts over the general way).  trap.S ends a done call itself: the
 * quick way when kcall_exit has nothing to do, else through kcall_exit. */
struct kcall_leaf {
	long r;
	long done;
};
#define KCALL_LEAF_DECLINE ((struct kcall_leaf){ 0, 0 })
#define KCALL_LEAF_DONE(r) ((struct kcall_leaf){ (r), 1 })
typedef struct kcall_leaf (*kcall_leaf_fn)(long, long, long, long, long, long, struct thread *);
/* The table trap.S and kcall_entry dispatch by: each call's handler,
 * called with a0..a5 as they came, and the privileges it needs (0: none).
 * A row may have a fast handler too (the IPC fast path's MsgSend and
 * MsgReplyReceives), which trap.S tries first; KCALL_ROW_FAST in its
 * privileges sends it off trap.S's common way at no cost to the others
 * (kcall_entry, which the fast handler declines to, ignores the bit). */
#define KCALL_ROW_FAST 0x40000000u
#define KCALL_ROW_LEAF 0x80000000u      /* with KCALL_ROW_FAST: a kcall_leaf_fn (the sign
					 * bit: trap.S tests it with one branch) */
struct kcall_row {
	kcall_fn fn;
	uint32_t privs;
	kcall_fast_fn fast;
} __attribute__((aligned(32)));
extern const struct kcall_row kcall_rows[];
/* The end of call n of thread t with result r (kcall_entry's last step,
 * also taken by a call finished in a continuation, ipc_fast.c): its
 * timeout is spent, its state cleared.  Returns r. */
long kcall_finish(struct thread *t, uint64_t n, long r);

/* The deadline TimerTimeout set for a wait in STATE_<state> during the
 * current kernel call, or WAIT_FOREVER. */
uint64_t kcall_deadline(uint32_t state);
