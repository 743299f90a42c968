/* times (and so the package's clock()): in clock ticks of 1 ms, which is
 * the package's CLOCKS_PER_SEC and sysconf(_SC_CLK_TCK).  Kernel work on a
 * thread's behalf is counted as user time (the kernel keeps one CPU-time
 * clock per thread); children's times stay 0 until taskman reports them. */
#include <errno.h>
#include <sys/times.h>
#include "libc.h"

clock_t times(struct tms *t)
{
	if (t) {
		if (!__uptr_ok(t, sizeof *t)) {
			errno = EFAULT;
			return (clock_t)-1;
		}
		t->tms_utime = (clock_t)(__clock_now(CLOCK_PROCESS_CPUTIME_ID) / 1000000u);
		t->tms_stime = 0;
		t->tms_cutime = 0;
		t->tms_cstime = 0;
	}
	return (clock_t)(__clock_now(CLOCK_MONOTONIC) / 1000000u);
}
