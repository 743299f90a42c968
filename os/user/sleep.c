/* urt_sleep_ms: a receive with a timeout on a channel nobody sends to (the
 * runtime has no nanosleep of its own). */
#include <keel/clock.h>
#include "urt.h"

void urt_sleep_ms(unsigned ms)
{
	uint64_t ns = (uint64_t)ms * 1000000u;
	int chid = ChannelCreate_r(0);
	char b[4];

	if (chid < 0)
		return;
	TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &ns, 0);
	MsgReceive_r(chid, b, sizeof b, 0);
	ChannelDestroy_r(chid);
}
