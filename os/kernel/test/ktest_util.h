#pragma once
/* Helpers shared by the scheduler, sync and timer self-tests. */
#include <stdbool.h>
#include <stdint.h>
#include "arch.h"
#include "atomic.h"
#include "sched.h"
#include "thread.h"
#include "kprintf.h"
#include "timer.h"

/* Wait (sleeping a millisecond at a time) until *flag >= want or `ms` pass. */
static inline bool kt_wait_ge(const volatile uint32_t *flag, uint32_t want, unsigned ms)
{
	uint64_t end = arch_time() + ms * (timebase_hz / 1000);

	while (atomic_load32(flag) < want) {
		if (arch_time() >= end)
			return false;
		thread_sleep_ns(1000 * 1000);
	}
	return true;
}

/* Wait until thread t is blocked (or `ms` pass). */
static inline bool kt_wait_blocked(const struct thread *t, unsigned ms)
{
	uint64_t end = arch_time() + ms * (timebase_hz / 1000);

	while (atomic_load32(&t->state) != TS_BLOCKED) {
		if (arch_time() >= end)
			return false;
		thread_sleep_ns(1000 * 1000);
	}
	return true;
}

static inline void kt_self_prio(unsigned p)
{
	struct thread *t = thread_current();

	t->base_prio = (uint8_t)p;
	sched_set_prio(t, p);
}

static inline uint64_t kt_ticks(unsigned n)
{
	return n * (timebase_hz / HZ);
}

static inline uint64_t kt_all_harts(void)
{
	return nharts >= 64 ? ~0ul : (1ul << nharts) - 1;
}

/* Wait until t's effective priority is p (priority changes made under
 * another hart's lock become visible a moment after its state does). */
static inline bool kt_wait_prio(const struct thread *t, unsigned p, unsigned ms)
{
	uint64_t end = arch_time() + ms * (timebase_hz / 1000);

	while (((const volatile struct thread *)t)->prio != p) {
		if (arch_time() >= end)
			return false;
		thread_sleep_ns(1000 * 1000);
	}
	return true;
}

/* Latency bounds under emulation: the guest clock runs on while the host
 * leaves a vCPU unscheduled, which shows up as a late measurement that is
 * not the kernel's.  A latency case therefore measures up to KT_ATTEMPTS
 * times and passes if one attempt meets the bound; a kernel that is late
 * every time still fails, and early is never excused. */
#define KT_ATTEMPTS 6

/* Every missed attempt is printed with what was measured and its bound, so
 * a slow drift shows in the log rather than hiding behind a retry. */
static inline void kt_retry_miss(int attempt, const char *what, uint64_t got, uint64_t bound)
{
	kprintf("# retry: attempt %d of %d missed: %s %lu > bound %lu ticks\n",
		attempt + 1, KT_ATTEMPTS, what, got, bound);
}

/* How many attempts the case needed (its worst measurement): the farm keeps
 * it as the case's `attempts` property and calls a case flaky that needs
 * more than 2 in a campaign. */
static inline void kt_retry_done(int attempts)
{
	kprintf("# attempts: %d\n", attempts);
}
