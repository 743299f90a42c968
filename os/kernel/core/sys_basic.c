/* Keel's own simplest kernel calls: the null call (for measuring the trap
 * path) and debug output. */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/sigevent.h>
#include "kcall.h"
#include "arch.h"
#include "thread.h"
#include "kprintf.h"
#include "process.h"
#include "sched.h"
#include "timer.h"
#include "uaccess.h"

#define DEBUG_STRING_MAX 256

long sys_KernelNop(void)
{
	return 0;
}

/* DebugPutString(const char *s, size_t len): prints len bytes (at most 256)
 * as one console write.  Returns the bytes printed or -EFAULT. */
long sys_DebugPutString(long s, long len)
{
	char buf[DEBUG_STRING_MAX + 1];

	if (len < 0)
		return -EINVAL;
	if (len > DEBUG_STRING_MAX)
		len = DEBUG_STRING_MAX;
	if (copy_from_user(buf, (uintptr_t)s, (size_t)len))
		return -EFAULT;
	buf[len] = 0;
	kprintf("%s", buf);
	return len;
}
