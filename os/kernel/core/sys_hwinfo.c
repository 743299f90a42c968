/* HwInfoDevice, HwInfoEntry: devices of the device tree the kernel booted
 * with, found by `compatible` (see <keel/hwinfo.h>).  The blob stays mapped
 * for the kernel's life and is only read. */
#include <keel/errno.h>
#include <keel/hwinfo.h>
#include "kcall.h"
#include "boot.h"
#include "fdt.h"
#include "kstring.h"
#include "platform.h"
#include "spinlock.h"
#include "uaccess.h"

/* The last device found: a driver asks for one device again and again (one
 * HwInfoEntry call per interrupt-map entry: 17 for QEMU virt's PCIe host),
 * and each search walks the whole tree (about 150,000 instructions).  The
 * tree never changes, so an answer stays right. */
static struct {
	struct spinlock lock;
	bool valid;
	char compat[HWINFO_NAME_MAX];
	long index;
	struct plat_device d;
} last = { .lock = SPINLOCK_INIT("hwinfo", LR_HWINFO) };

/* Copies the compatible string in and finds the device: 0 and *d, or the
 * call's error (-ENOENT, -EFAULT, -EINVAL). */
static long find_device(long ucompat, long index, struct plat_device *d)
{
	char compat[HWINFO_NAME_MAX];
	long n = copy_string_from_user(compat, (uintptr_t)ucompat, sizeof compat);

	if (n == -E2BIG)
		return -EINVAL;
	if (n < 0)
		return n;
	if (index < 0 || index > 0xffff)
		return -ENOENT;
	spin_lock(&last.lock);
	bool hit = last.valid && last.index == index && strcmp(last.compat, compat) == 0;
	if (hit)
		*d = last.d;
	spin_unlock(&last.lock);
	if (hit)
		return 0;
	int r = platform_find_device(boot_platform, compat, (int)index, d);
	if (r == FDT_E_NOTFOUND)
		return -ENOENT;
	if (r < 0)
		return -EINVAL;
	spin_lock(&last.lock);
	memcpy(last.compat, compat, sizeof last.compat);
	last.index = index;
	last.d = *d;
	last.valid = true;
	spin_unlock(&last.lock);
	return 0;
}

long sys_HwInfoDevice(long ucompat, long index, long uout)
{
	struct plat_device d;
	long r = find_device(ucompat, index, &d);

	if (r)
		return r;
	struct _hw_device out = { .base = d.base, .size = d.size, .irq = d.irq };
	return copy_to_user((uintptr_t)uout, &out, sizeof out);
}

long sys_HwInfoEntry(long ucompat, long index, long what, long n, long uout)
{
	struct plat_device d;
	struct plat_entry e;

	if (what != HWINFO_RANGE && what != HWINFO_IRQMAP && what != HWINFO_REG)
		return -EINVAL;
	long r = find_device(ucompat, index, &d);
	if (r)
		return r;
	if (n < 0 || n > 0xffff)
		return -ENOENT;
	int w = what == HWINFO_RANGE ? PLAT_ENTRY_RANGE :
		what == HWINFO_IRQMAP ? PLAT_ENTRY_IRQMAP : PLAT_ENTRY_REG;
	int err = platform_device_entry(boot_platform, d.node, w, (int)n, &e);
	if (err == FDT_E_NOTFOUND)
		return -ENOENT;
	if (err < 0)
		return -EINVAL;
	struct _hw_entry out = {
		.child = e.child, .parent = e.parent, .size = e.size, .space = e.flags,
		.mask_space = e.mask_flags, .mask_child = e.mask_child,
	};
	return copy_to_user((uintptr_t)uout, &out, sizeof out);
}
