/* Kernel call dispatch.  Until the call table lands every number is
 * unknown and answered with -ENOSYS. */
#include <keel/errno.h>
#include "kcall.h"

long kcall_dispatch(uint64_t n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)n; (void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	return -ENOSYS;
}
