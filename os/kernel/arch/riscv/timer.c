/* The per-hart tick on SBI TIME.  Each hart arms and handles only its own
 * timer; nothing here touches another hart's state. */
#include "arch.h"
#include "hart.h"
#include "sbi.h"
#include "timer.h"
#include "trace.h"

uint64_t timebase_hz = 10000000;

static uint64_t tick_period(void)
{
	return timebase_hz / HZ;
}

void timer_init_hart(void)
{
	struct hart *h = this_hart();

	h->next_tick = arch_time() + tick_period();
	sbi_set_timer(h->next_tick);
}

void timer_handle(void)
{
	struct hart *h = this_hart();
	uint64_t now = arch_time();

	h->ticks++;
	h->next_tick += tick_period();
	if (h->next_tick <= now)        /* missed ticks (a slow host): do not replay them */
		h->next_tick = now + tick_period();
	trace(TR_TIMER, now, h->next_tick);
	sbi_set_timer(h->next_tick);
}

uint64_t time_ns(void)
{
	uint64_t t = arch_time();

	return (t / timebase_hz) * 1000000000ull + (t % timebase_hz) * 1000000000ull / timebase_hz;
}

void delay_us(uint64_t us)
{
	uint64_t end = arch_time() + us * timebase_hz / 1000000;

	while (arch_time() < end)
		;
}
