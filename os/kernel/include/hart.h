#pragma once
/* Per-hart state.  A hart finds its own struct through tp (arch_this_hart),
 * never through an index read from shared state. */
#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "atomic.h"
#include "trace.h"

struct kcall_row;

struct runq;
struct spinlock;
struct thread;

#define MAX_HARTS 32

struct hart {
	/* Set once before the hart starts, read-only afterwards. */
	uint32_t index;                 /* dense 0..nharts-1 */
	uint32_t hartid;                /* the firmware's id */
	int plic_sctx;                  /* PLIC S-mode context, -1 if none */
	uint64_t stack_top;

	/* Shared with other harts: atomics only. */
	volatile uint32_t online;
	volatile uint32_t stopped;      /* set by the hart itself as it halts (the stop IPI, arch_halt) */
	volatile uint64_t ipi_pending;  /* IPI_* bits, set with amoor, taken with amoswap */
	void *volatile stopped_frame;   /* registers at the stop IPI */
	void (*volatile xcall_fn)(void *);
	void *volatile xcall_arg;
	volatile uint32_t xcall_done;
	volatile uint32_t xcall_busy;     /* a caller owns the mailbox (cas 0 -> 1) */
	volatile uint64_t tlb_done;       /* newest flush generation this hart completed */
	volatile uint64_t ack_to;       /* harts (bits by index) waiting in wfi for tlb_done:
					 * each gets an IPI_ACK when this hart has flushed */

	/* Scheduler state of this hart: changed only by this hart with
	 * interrupts off; need_resched is also set by wakers (atomics). */
	struct thread *current;
	struct thread *idle;
	struct thread *handoff;         /* woken to run next (sched_wakeup_handoff) */
	volatile uint32_t need_resched;
	uint32_t resched_yield;         /* the pending switch is a slice expiry */
	struct runq *rq;                /* its run queue (sched.c; set before it starts) */
	const struct kcall_row *kcall_rows;     /* kcall.c's table: trap.S's dispatch
						 * loads it in one instruction */

	/* Written only by this hart. */
	volatile uint64_t ticks;        /* timer interrupts taken */
	volatile uint64_t ipis;         /* IPIs taken */
	volatile uint64_t irqs;         /* device interrupts claimed */
	volatile uint64_t switches;     /* threads switched to */
	uint64_t next_tick;
	uint32_t locks_held;            /* spinlocks held (interrupts are off meanwhile) */
	uint64_t kicks_deferred;        /* harts (by index) to send IPI_RESCHED once
					 * locks_held drops to 0 (sched.c kick) */
	uint32_t nheld;                 /* lock-order checker: locks held, in order */
	const struct spinlock *held[8];
	struct trace_ring ring;
} __attribute__((aligned(64)));

extern struct hart harts[MAX_HARTS];
extern uint32_t nharts;                 /* accepted harts, fixed after boot */
extern volatile uint32_t harts_online;

static inline struct hart *this_hart(void)
{
	return arch_this_hart();
}

/* See trace.h.  The slot is claimed with an atomic add, so a trap nesting
 * on this hart gets its own; pc is the trace point's own address.
 * trace_at: with the time the caller read already (a switch reads it once
 * for its accounting and its trace: where the time CSR is emulated by the
 * firmware, as on sifive_u, each read is a trap). */
static inline __attribute__((always_inline)) void trace_at(enum trace_event ev, uint64_t a,
							    uint64_t b, uint64_t time)
{
	struct trace_ring *r = &this_hart()->ring;
	uint64_t seq = atomic_add64(&r->head, 1);
	struct trace_entry *e = &r->ent[seq & (TRACE_RING_SIZE - 1)];
	uint64_t pc;

	__asm__ volatile("auipc %0, 0" : "=r"(pc));
	e->time = time;
	e->pc = pc;
	e->event = ev;
	e->seq = (uint32_t)seq;
	e->a = a;
	e->b = b;
}

static inline __attribute__((always_inline)) void trace(enum trace_event ev, uint64_t a,
							 uint64_t b)
{
	trace_at(ev, a, b, arch_time());
}

/* The hart with firmware id `hartid`, or NULL. */
struct hart *hart_by_id(uint32_t hartid);
