/* The error path of the Foo() kernel-call shape and of every libc call
 * that wraps one. */
#include <errno.h>
#include "libc.h"

/* kcall.S tails here from Foo() when the kernel returned a0 < 0. */
__attribute__((visibility("hidden"))) long __kcall_error(long r);

long __kcall_error(long r)
{
	errno = (int)-r;
	return -1;
}

long __syscall_ret(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}
