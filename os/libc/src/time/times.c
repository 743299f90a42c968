/* times (and so the package's clock(), which adds up its fields): in
 * clock ticks of 1 us, the package's CLOCKS_PER_SEC for riscv (1000000,
 * as XSI requires) and so sysconf(_SC_CLK_TCK).  Kernel work on a
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
		t->tms_utime = (clock_t)(__clock_now(CLOCK_PROCESS_CPUTIME_ID) / 1000u);
		t->tms_stime = 0;
		t->tms_cutime = 0;
		t->tms_cstime = 0;
	}
	return (clock_t)(__clock_now(CLOCK_MONOTONIC) / 1000u);
}
