/* HwInfoDevice: devices of the device tree the kernel booted with, found by
 * `compatible` (see <keel/hwinfo.h>).  The blob stays mapped for the
 * kernel's life and is only read. */
#include <keel/errno.h>
#include <keel/hwinfo.h>
#include "kcall.h"
#include "boot.h"
#include "fdt.h"
#include "platform.h"
#include "uaccess.h"

long sys_HwInfoDevice(long ucompat, long index, long uout)
{
	char compat[HWINFO_NAME_MAX];
	struct plat_device d;

	long n = copy_string_from_user(compat, (uintptr_t)ucompat, sizeof compat);
	if (n == -E2BIG)
		return -EINVAL;
	if (n < 0)
		return n;
	if (index < 0 || index > 0xffff)
		return -ENOENT;
	int r = platform_find_device(boot_platform, compat, (int)index, &d);
	if (r == FDT_E_NOTFOUND)
		return -ENOENT;
	if (r < 0)
		return -EINVAL;
	struct _hw_device out = { .base = d.base, .size = d.size, .irq = d.irq };
	return copy_to_user((uintptr_t)uout, &out, sizeof out);
}
