#pragma once
/* Hardware information (Keel's own): what the kernel learned from the
 * device tree, for drivers to find their device.
 *
 *   HwInfoDevice(compatible, index, struct _hw_device *)
 *       the index-th (from 0) enabled device whose `compatible` lists the
 *       string, in device-tree order: 0 and its first register range and
 *       interrupt line; -ENOENT when there is none; -EFAULT for a bad
 *       pointer; -EINVAL for a string of HWINFO_NAME_MAX bytes or more, or
 *       a device the kernel cannot describe. */
#include <stdint.h>

#define HWINFO_NAME_MAX 64

struct _hw_device {
	uint64_t base;                  /* physical address of its first `reg` range */
	uint64_t size;
	uint32_t irq;                   /* its first interrupt line (PLIC source), 0: none */
	uint32_t reserved;
};

_Static_assert(sizeof(struct _hw_device) == 24, "struct _hw_device layout");
