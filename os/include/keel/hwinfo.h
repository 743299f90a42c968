#pragma once
/* Hardware information (Keel's own): what the kernel learned from the
 * device tree, for drivers to find their device.
 *
 *   HwInfoDevice(compatible, index, struct _hw_device *)
 *       the index-th (from 0) enabled device whose `compatible` lists the
 *       string, in device-tree order: 0 and its first register range and
 *       interrupt line; -ENOENT when there is none; -EFAULT for a bad
 *       pointer; -EINVAL for a string of HWINFO_NAME_MAX bytes or more, or
 *       a device the kernel cannot describe.
 *
 *   HwInfoEntry(compatible, index, what, n, struct _hw_entry *)
 *       entry n (from 0) of that device's `ranges` (HWINFO_RANGE),
 *       `interrupt-map` (HWINFO_IRQMAP) or `reg` (HWINFO_REG: a device
 *       may have several register ranges, as the FU740's PCIe host), decoded: 0 and *out; -ENOENT past
 *       the last entry, when the device lacks the property, or when there
 *       is no such device; -EFAULT and -EINVAL as HwInfoDevice, and -EINVAL
 *       for an unknown `what` or a property the kernel cannot decode.
 *       A PCIe host driver learns its memory windows and its INTx wiring
 *       from it: the device tree is the only place they are written.
 *
 * Why entries, not raw properties: decoding needs the cell sizes of the
 * node, its parent and each interrupt parent, and translation through
 * every ancestor bus; the kernel already has the tree walker that does
 * this for `reg`, so user code gets numbers, never cells. */
#include <stdint.h>

#define HWINFO_NAME_MAX 64

struct _hw_device {
	uint64_t base;                  /* physical address of its first `reg` range */
	uint64_t size;
	uint32_t irq;                   /* its first interrupt line (PLIC source), 0: none */
	uint32_t reserved;
};

_Static_assert(sizeof(struct _hw_device) == 24, "struct _hw_device layout");

#define HWINFO_RANGE    0u              /* an entry of `ranges` */
#define HWINFO_IRQMAP   1u              /* an entry of `interrupt-map` */
#define HWINFO_REG      2u              /* an entry of `reg` */

/* HWINFO_RANGE: the window [child, child + size) of the bus below the
 *   device appears at CPU address `parent`; `space` is the PCI space word
 *   (first of three child cells: bits 25:24 are 1 I/O, 2 32-bit memory,
 *   3 64-bit memory, bit 30 prefetchable), 0 on buses with shorter
 *   addresses.
 * HWINFO_REG: the register range [parent, parent + size), a CPU address
 *   (translated through every bus above); the others are 0.  Entry 0 is
 *   HwInfoDevice's base and size.
 * HWINFO_IRQMAP: a child whose unit address's first cell (PCI: bus,
 *   device, function << 8) and interrupt pin (1 INTA .. 4 INTD), both
 *   masked by `mask_space` and `mask_child`, equal `space` and `child`
 *   raises interrupt line `parent` (the PLIC source); size is 0. */
struct _hw_entry {
	uint64_t child;
	uint64_t parent;
	uint64_t size;
	uint32_t space;
	uint32_t mask_space;
	uint32_t mask_child;
	uint32_t reserved;
};

_Static_assert(sizeof(struct _hw_entry) == 40, "struct _hw_entry layout");
