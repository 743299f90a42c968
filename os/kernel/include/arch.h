#pragma once
/* The narrow interface between generic kernel code and the architecture
 * (implemented under arch/riscv/).  Generic code includes nothing else from
 * arch/ except atomic.h's backend. */
#include <stdbool.h>
#include <stdint.h>

struct hart;
struct platform;
struct context;
struct thread;

/* Interrupts on this hart, and the current hart (valid in S-mode after
 * boot).  Inline, from the architecture's arch_inline.h:
 *   unsigned long arch_irq_save(void);       disable, return previous state
 *   void arch_irq_restore(unsigned long state);
 *   bool arch_irq_enabled(void);
 *   struct hart *arch_this_hart(void);
 *   uint64_t arch_time(void);                timebase ticks since reset */
#include "arch_inline.h"
void arch_irq_enable(void);
void arch_wait_for_interrupt(void);
/* Idle harts spin instead of waiting (the `idle=poll` boot option). */
void arch_idle_poll(bool on);

uint64_t arch_instret(void);                    /* instructions retired (guest count under -icount) */
void arch_timer_arm(uint64_t when);             /* one-shot timer interrupt at `when` */
void arch_send_ipi(const struct hart *h);
/* Power off; a non-zero status is a failure.  Where the board has a test
 * finisher (QEMU's sifive,test1) the status also becomes the machine's exit
 * status (its low 8 bits, 1 if those are 0), so a failed run fails QEMU. */
void arch_poweroff(int status) __attribute__((noreturn));
/* Reset the machine through the firmware; the boot starts again.  Halts
 * (said on the console) where the firmware cannot. */
void arch_reboot(void) __attribute__((noreturn));
struct platform;
/* Find the test finisher, if the device tree has one (after the I/O window
 * is set up). */
void arch_finisher_init(const struct platform *p);
/* True once after a power-off that could only be done as a reboot. */
bool arch_poweroff_pending(void);
void arch_halt(void) __attribute__((noreturn));  /* stop this hart, interrupts off */

/* Save the callee-saved registers in *from, continue in *to; returns prev
 * in the thread switched to. */
struct thread *arch_switch(struct context *from, struct context *to, struct thread *prev);
/* Continue at *to (a continuation: its ra and sp only) with prev as
 * arch_switch's return value; saves nothing. */
void arch_switch_cont(struct context *to, struct thread *prev) __attribute__((noreturn));
/* The code a continuation starts at (switch.S). */
void arch_cont_entry(void);
/* A continuation's quick end: on the kernel stack below frame f (the
 * current thread's user frame, the top of its stack) finish the switch
 * from prev (sched_finish_switch) and return to user mode through f
 * (ipc_cont_preempt's, if finishing asked for a preemption). */
struct trap_frame;
void arch_cont_leave(struct trap_frame *f, struct thread *prev) __attribute__((noreturn));
/* Return to user mode through frame f, a user thread's, ready to resume
 * (trap.S; interrupts off, on any stack: f holds every register). */
void trap_return_user(struct trap_frame *f) __attribute__((noreturn));

/* User mode.  A user thread's trap frame sits at the top of its kernel
 * stack (ARCH_UFRAME_SIZE bytes); entering user mode builds it and returns
 * through it: pc, sp and the first four argument registers. */
#define ARCH_UFRAME_SIZE 304
void arch_user_enter(uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1, uint64_t a2,
		     uint64_t a3) __attribute__((noreturn));
/* The same for a further thread: a0 = arg, ra = where its function
 * returns to, tp = its TLS pointer, gp = its creator's. */
void arch_user_enter_thread(uint64_t pc, uint64_t sp, uint64_t arg, uint64_t ra, uint64_t tp,
			    uint64_t gp) __attribute__((noreturn));
/* The calling user thread's global pointer (a new thread shares it). */
uint64_t arch_user_gp(void);
/* Switch translation to the address space of `next` if it differs. */
void arch_switch_space(struct thread *next);

/* A user thread's registers, FP included (opaque to generic code). */
struct arch_uregs {
	uint64_t w[ARCH_UFRAME_SIZE / 8 + 33 + 1];
};
/* Copy the registers of user thread t, blocked in the kernel and off its
 * hart (its FP state saved), into *r. */
void arch_uregs_save(struct arch_uregs *r, const struct thread *t);
/* Give held new user thread nt the registers r, returning 0 in a0 from the
 * kernel call they were saved in; nt's entry then calls arch_user_resume. */
void arch_uregs_fork(struct thread *nt, const struct arch_uregs *r);
/* Go to user mode through the calling thread's frame as it stands. */
void arch_user_resume(void) __attribute__((noreturn));
/* The calling thread's kernel call returned (or it trapped): if a restart
 * was set for it (ProcessExec), its frame becomes a fresh one at the
 * restart registers.  Interrupts off. */
void arch_user_restart_check(void);

/* Signal frames (<keel/signal.h>), on the calling thread's user frame. */
struct _sigregs;
/* Its pc and FP state into ctx (interrupts on); the general registers
 * go straight between the frame and the user stack (arch_frame_gprs). */
void arch_sig_save(const void *frame, struct _sigregs *ctx);
/* arch_frame_gprs(frame): its x1..x31, in struct _sigregs.x's order;
 * arch_frame_sp, arch_frame_a0, arch_frame_set_a0: inline (arch_inline.h). */
/* Enter the handler stub at pc stub with sp = a0 = the frame at sp. */
void arch_sig_enter(void *frame, uint64_t stub, uint64_t sp);
/* pc and FP state from ctx (SignalReturn, the general registers already
 * in the frame); returns the new a0. */
uint64_t arch_sig_restore(void *frame, const struct _sigregs *ctx);
/* Make the kernel call that just returned run again, with a0 = arg0. */
void arch_call_restart(void *frame, uint64_t arg0);

/* Floating point: a user thread's FP registers live in t->fp (ARCH_FP_WORDS
 * words, arch layout) whenever it is not running; the hart's registers are
 * switched lazily (arch/riscv/fpu.c).  All with interrupts off. */
#define ARCH_FP_WORDS 33
/* schedule(), just before the register switch from prev to next. */
void arch_fp_switch(struct thread *prev, struct thread *next);
/* The calling thread's live FP registers into its t->fp if they are newer. */
void arch_fp_flush(void);
/* The calling thread's live FP registers from its t->fp (or FP off). */
void arch_fp_reload(void);

/* Register frames, opaque to generic code. */
void *arch_frame_capture(void);                 /* this hart's registers now (static area) */
void arch_frame_print(const void *frame);       /* kprintf a register dump */
uint64_t arch_frame_pc(const void *frame);

/* Debug console input (polled); returns -1 when nothing is pending. */
int arch_console_getc(void);
