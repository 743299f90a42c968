/* Range checks around the fault-recovering copy loops (uaccess.S). */
#include <keel/errno.h>
#include "uaccess.h"
#include "vmspace.h"

long uaccess_strncpy(char *dst, const char *src, size_t max);

int copy_from_user(void *dst, uintptr_t usrc, size_t n)
{
	if (!user_range_ok(usrc, n))
		return -EFAULT;
	return uaccess_copy(dst, (const void *)usrc, n);
}

int copy_to_user(uintptr_t udst, const void *src, size_t n)
{
	if (!user_range_ok(udst, n))
		return -EFAULT;
	return uaccess_copy((void *)udst, src, n);
}

int copy_to_user_cow(uintptr_t udst, const void *src, size_t n)
{
	if (vmspace_prepare_write(udst, n))
		return -EFAULT;
	return copy_to_user(udst, src, n);
}

long copy_string_from_user(char *dst, uintptr_t usrc, size_t max)
{
	if (!max)
		return -E2BIG;
	size_t room = usrc < USER_TOP ? USER_TOP - usrc : 0;
	if (!room)
		return -EFAULT;
	size_t lim = max < room ? max : room;
	long n = uaccess_strncpy(dst, (const char *)usrc, lim);
	if (n < 0)
		return n;
	if ((size_t)n == lim) {
		dst[max - 1] = 0;
		return lim == room ? -EFAULT : -E2BIG;
	}
	return n;
}

int uaccess_cas32(uintptr_t uaddr, uint32_t expect, uint32_t desired, uint32_t *old);

int user_cas32(uintptr_t uaddr, uint32_t expect, uint32_t desired, uint32_t *old)
{
	if ((uaddr & 3) || !user_range_ok(uaddr, 4))
		return -EFAULT;
	return uaccess_cas32(uaddr, expect, desired, old);
}
