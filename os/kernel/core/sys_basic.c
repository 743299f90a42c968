/* Keel's own simplest kernel calls: the null call (for measuring the trap
 * path) and debug output. */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/kobjects.h>
#include <keel/sigevent.h>
#include <keel/sysinfo.h>
#include "kcall.h"
#include "arch.h"
#include "thread.h"
#include "boot.h"
#include "hart.h"
#include "kprintf.h"
#include "kstring.h"
#include "platform.h"
#include "pmm.h"
#include "process.h"
#include "sched.h"
#include "sync.h"
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

/* ConsoleWrite(const void *buf, long len): len bytes (at most 256; more
 * is cut) raw to the console UART in one locked write.  Returns the bytes
 * written, -EINVAL for a negative len, -EFAULT. */
long sys_ConsoleWrite(long ubuf, long len)
{
	char buf[DEBUG_STRING_MAX];

	if (len < 0)
		return -EINVAL;
	if (len > DEBUG_STRING_MAX)
		len = DEBUG_STRING_MAX;
	if (copy_from_user(buf, (uintptr_t)ubuf, (size_t)len))
		return -EFAULT;
	kputs_raw(buf, (size_t)len);
	return len;
}

/* KernelObjects(struct _kernel_objects *): see <keel/kobjects.h>. */
long sys_KernelObjects(long uout)
{
	struct _kernel_objects k = {
		.threads = threads_in_use(),
		.channels = ipc_channels_in_use(),
		.pulses = ipc_pulses_queued(),
		.sync_objects = sync_objects_in_use(),
		.free_pages = pmm_free_pages(),
	};

	return copy_to_user((uintptr_t)uout, &k, sizeof k) ? -EFAULT : 0;
}

/* SysInfo(what, index, buf, len): see <keel/sysinfo.h>. */
long sys_SysInfo(long what, long index, long ubuf, long len)
{
	struct _hart_stats h;
	struct _thread_stats ts;
	const void *src;
	size_t size;

	switch (what) {
	case _SYSINFO_VERSION:
		src = keel_version;
		break;
	case _SYSINFO_CMDLINE:
		src = boot_platform->bootargs ? boot_platform->bootargs : "";
		break;
	case _SYSINFO_MODEL:
		src = boot_platform->model ? boot_platform->model : "";
		break;
	case _SYSINFO_COMPATIBLE:
		src = boot_platform->compatible ? boot_platform->compatible : "";
		break;
	case _SYSINFO_HART: {
		if (index < 0 || (unsigned long)index >= nharts)
			return -ENOENT;
		const struct hart *t = &harts[index];
		h = (struct _hart_stats){
			.index = t->index, .hartid = t->hartid,
			.online = __atomic_load_n(&t->online, __ATOMIC_ACQUIRE) ? 1 : 0,
			.ticks = __atomic_load_n(&t->ticks, __ATOMIC_RELAXED),
			.ipis = __atomic_load_n(&t->ipis, __ATOMIC_RELAXED),
			.irqs = __atomic_load_n(&t->irqs, __ATOMIC_RELAXED),
			.switches = __atomic_load_n(&t->switches, __ATOMIC_RELAXED),
		};
		src = &h;
		size = sizeof h;
		goto copy;
	}
	case _SYSINFO_THREAD:
		if (index < 0 || !thread_stats((uint32_t)(index > 0xffff ? 0xffff : index), &ts))
			return -ENOENT;
		src = &ts;
		size = sizeof ts;
		goto copy;
	default:
		return -EINVAL;
	}
	size = strlen(src) + 1;
copy:
	if (len < 0)
		return -EINVAL;
	if (copy_to_user((uintptr_t)ubuf, src, (size_t)len < size ? (size_t)len : size))
		return -EFAULT;
	return (long)size;
}
