/* Time from the timebase counter, and each hart's first tick. */
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "ktimer.h"
#include "timer.h"

uint64_t timebase_hz = 10000000;
static volatile uint64_t realtime_offset;       /* ns added to CLOCK_MONOTONIC */

void timer_init_hart(void)
{
	struct hart *h = this_hart();

	h->next_tick = arch_time() + timebase_hz / HZ;
	ktimer_reprogram();
}

uint64_t ticks_to_ns(uint64_t t)
{
	return (t / timebase_hz) * 1000000000ull + (t % timebase_hz) * 1000000000ull / timebase_hz;
}

uint64_t time_ns(void)
{
	return ticks_to_ns(arch_time());
}

uint64_t ns_to_ticks(uint64_t ns)
{
	return (ns / 1000000000ull) * timebase_hz + (ns % 1000000000ull) * timebase_hz / 1000000000ull;
}

void delay_us(uint64_t us)
{
	uint64_t end = arch_time() + us * timebase_hz / 1000000;

	while (arch_time() < end)
		;
}

int64_t clock_get(int id)
{
	if (id == CLOCK_MONOTONIC)
		return (int64_t)time_ns();
	if (id == CLOCK_REALTIME)
		return (int64_t)(time_ns() + atomic_load64(&realtime_offset));
	return -1;
}

int clock_set(int id, int64_t ns)
{
	if (id != CLOCK_REALTIME || ns < 0)
		return -1;
	atomic_store64(&realtime_offset, (uint64_t)ns - time_ns());
	return 0;
}
