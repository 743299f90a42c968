/* getrusage (POSIX.1-2017): the process's CPU time from the kernel's
 * per-process clock (kernel work on its behalf counts as user time, as in
 * times()); RUSAGE_CHILDREN is 0 until taskman reports children's times
 * (times.c says the same). */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include "libc.h"

int getrusage(int who, struct rusage *ru)
{
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN)
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(ru, sizeof *ru))
		return (int)__syscall_ret(-EFAULT);
	memset(ru, 0, sizeof *ru);
	if (who == RUSAGE_SELF) {
		uint64_t ns = __clock_now(CLOCK_PROCESS_CPUTIME_ID);
		ru->ru_utime.tv_sec = (time_t)(ns / 1000000000u);
		ru->ru_utime.tv_usec = (suseconds_t)(ns % 1000000000u / 1000u);
	}
	return 0;
}
