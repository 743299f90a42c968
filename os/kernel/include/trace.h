#pragma once
/* Per-hart lockless trace ring: the kernel's flight recorder.
 *
 * Only the owning hart writes its ring (a slot is claimed with an atomic add,
 * so a trap nesting on the same hart gets its own slot); readers are the
 * panic dump (other harts stopped) and ktest.  Cheap enough for hot paths,
 * unlike kprintf. */
#include <stdint.h>

#define TRACE_RING_SIZE 256     /* power of two */

enum trace_event {
	TR_NONE = 0,
	TR_BOOT,        /* a: hartid */
	TR_TRAP,        /* a: scause, b: sepc */
	TR_IRQ,         /* a: irq source */
	TR_TIMER,       /* a: now, b: next deadline */
	TR_IPI_SEND,    /* a: target hart index, b: bits */
	TR_IPI_RECV,    /* a: bits */
	TR_PANIC,       /* a: pc */
	TR_TEST,        /* a, b: test-defined */
	TR_SWITCH,      /* a: prev tid, b: next tid */
	TR_WAKE,        /* a: tid, b: prio */
	TR_STEAL,       /* a: tid, b: from hart */
	TR_BLOCK,       /* a: tid, b: wait object */
	TR_KTIMER,      /* a: deadline, b: lateness */
	TR_SYNC,        /* a: op, b: key address */
	TR_NEVENTS
};

struct trace_entry {
	uint64_t time;
	uint64_t pc;            /* caller */
	uint32_t event;
	uint32_t seq;
	uint64_t a, b;
};

struct trace_ring {
	volatile uint64_t head;  /* total entries ever claimed */
	struct trace_entry ent[TRACE_RING_SIZE];
};

/* trace(ev, a, b): record an event in this hart's ring, any context,
 * interrupts on or off.  Inline, in hart.h (it needs struct hart): it is on
 * every switch and every wait. */
/* Print the newest `max` entries of ring `r` (oldest first). */
void trace_dump(const struct trace_ring *r, unsigned max);
const char *trace_event_name(uint32_t ev);
