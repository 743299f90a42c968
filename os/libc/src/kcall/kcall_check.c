/* Compile-time check that <keel/neutrino.h> declares both shapes of every
 * row of KCALL_TABLE with one type, as seen through libc's headers (which
 * must not clash with the ABI headers).  Emits no code. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <keel/kcall.h>
#include <keel/neutrino.h>

#define KCALL_DECLARED(num, name, nargs, priv) \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&name), __typeof__(&name##_r)), \
		       #name " and " #name "_r differ");
KCALL_TABLE(KCALL_DECLARED)

/* libc's numbers are the ABI's. */
_Static_assert(ETIMEDOUT == 260 && EOWNERDEAD == 358 && ENOSYS == 89, "errno values");
_Static_assert(CLOCK_REALTIME == 0 && CLOCK_MONOTONIC == 2, "clock ids");
