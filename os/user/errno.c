/* errno and the error path of the Foo() kernel-call shape. */
#include "urt.h"

int errno;

long urt_errno(long r)
{
	if (r >= 0)
		return r;
	errno = (int)-r;
	return -1;
}

/* kcall.S jumps here from Foo() when the kernel returned a0 < 0. */
long __urt_kcall_error(long r);

long __urt_kcall_error(long r)
{
	return urt_errno(r);
}
