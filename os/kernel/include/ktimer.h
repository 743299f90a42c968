#pragma once
/* Kernel timers on per-hart queues.  A timer lives on the queue of the hart
 * that armed it and fires there, from that hart's timer interrupt; each hart
 * touches only its own queue except to cancel.  Deadlines are absolute, in
 * timebase ticks, so a periodic timer never drifts. */
#include <stdbool.h>
#include <stdint.h>
#include "list.h"

struct ktimer;
/* Runs in interrupt context on the hart that owns the queue, no locks held.
 * `cookie` is the value given when this expiry was armed, so a handler that
 * runs late, after the timer was re-armed for something else, can tell. */
typedef void (*ktimer_fn)(struct ktimer *t, uint64_t now, uint64_t cookie);

struct ktimer {
	struct list link;               /* guarded by the owning queue's lock */
	uint64_t deadline;
	uint64_t period;                /* 0: one-shot */
	uint64_t cookie;
	ktimer_fn fn;
	volatile uint32_t hart;         /* queue it is on; ~0u when not armed */
	uint64_t fired;                 /* expirations so far */
	uint64_t last_late;             /* ticks between deadline and handling, last expiry */
};

void ktimer_queues_init(void);          /* boot hart, once */
void ktimer_init(struct ktimer *t, ktimer_fn fn);
/* Arm on this hart's queue (re-arming moves it).  period 0 = one-shot. */
void ktimer_arm(struct ktimer *t, uint64_t deadline, uint64_t period);
void ktimer_arm_cookie(struct ktimer *t, uint64_t deadline, uint64_t period, uint64_t cookie);
/* Disarm; true if it was armed.  A handler already running is not waited for. */
bool ktimer_cancel(struct ktimer *t);
/* Timer interrupt: run this hart's expired timers, program the next event. */
void ktimer_interrupt(void);
/* Program this hart's hardware timer for its next event (tick or timer). */
void ktimer_reprogram(void);
