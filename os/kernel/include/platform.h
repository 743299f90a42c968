#pragma once
/* The device tree distilled into one struct: everything the kernel needs to
 * boot (memory, harts, PLIC contexts, timebase, UARTs, virtio-mmio, PCIe host
 * bridges, /chosen).  Filled once by the boot hart, read-only afterwards.
 * Strings point into the blob, which must stay mapped.  Fixed-size tables:
 * entries past a table's size are counted in `dropped`, except reserved
 * ranges, whose overflow is an error (dropping one would hand out memory
 * that is in use). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memmap.h"

#define PLAT_MAX_MEM      16
#define PLAT_MAX_RSV      32
#define PLAT_MAX_HARTS    64
#define PLAT_MAX_UARTS    8
#define PLAT_MAX_VIRTIO   16
#define PLAT_MAX_PCI      4
#define PLAT_MAX_PCI_REGS 4

/* Errors of platform_parse() besides the negative FDT_E_* values of fdt.h. */
enum plat_err {
	PLAT_E_TOOMANYRSV = -32,  /* more than PLAT_MAX_RSV reserved ranges */
	PLAT_E_NOCPUS     = -33,  /* no /cpus node */
	PLAT_E_INITRD     = -34,  /* only one initrd bound, or end < start */
	PLAT_E_PLIC       = -35,  /* interrupts-extended names a bad phandle */
};

enum plat_uart_kind {
	PLAT_UART_NS16550 = 1,    /* "ns16550a", "ns16550" */
	PLAT_UART_SIFIVE  = 2,    /* "sifive,uart0" */
};

struct plat_hart {
	uint64_t hartid;          /* the cpu node's reg */
	bool accepted;            /* status okay and mmu-type sv39/sv48/sv57 */
	const char *reason;       /* static text when !accepted, else NULL */
	const char *isa;          /* riscv,isa, or NULL */
	int plic_sctx;            /* PLIC context of this hart's S mode, -1 if none */
	int node;                 /* FDT offset of the cpu node */
};

struct plat_plic {
	bool present;
	uint64_t base, size;
	uint32_t ndev;            /* riscv,ndev: highest source number */
	int node;
	uint32_t phandle;         /* 0 if it has none */
};

struct plat_uart {
	enum plat_uart_kind kind;
	uint64_t base, size;
	uint32_t irq;             /* first cell of `interrupts`, 0 if none */
	uint32_t clock_hz;        /* clock-frequency, 0 if absent */
	uint32_t reg_shift;       /* default 0 */
	uint32_t reg_io_width;    /* default 1 */
	int node;
};

struct plat_virtio {
	uint64_t base, size;
	uint32_t irq;
	int node;
};

struct plat_pci_reg {
	const char *name;         /* from reg-names, NULL if not named */
	uint64_t base, size;
};

struct plat_pci {
	const char *compatible;   /* first compatible string, or NULL */
	int nregs;
	struct plat_pci_reg reg[PLAT_MAX_PCI_REGS];
	uint32_t bus_start, bus_end;   /* bus-range, default 0..255 */
	int node;
};

struct plat_device {
	uint64_t base, size;      /* its first `reg` entry, translated */
	uint32_t irq;             /* its first interrupt, 0 if none */
	int node;
};

struct platform {
	const void *fdt;          /* the blob parsed, and how much of it may be read */
	size_t fdt_maxlen;
	const char *compatible;   /* first string of the root compatible, or NULL */
	const char *model;        /* or NULL */
	uint64_t fdt_size;        /* header totalsize */
	uint32_t boot_cpuid;      /* header boot_cpuid_phys */

	int nmem;
	struct memrange mem[PLAT_MAX_MEM];      /* device_type "memory" reg, as found */
	int nrsv;
	struct memrange rsv[PLAT_MAX_RSV];      /* /memreserve/ then /reserved-memory */

	int nharts;
	struct plat_hart hart[PLAT_MAX_HARTS];  /* document order */
	uint64_t timebase_hz;                   /* 0 if absent */

	struct plat_plic plic;

	int nuarts;
	struct plat_uart uart[PLAT_MAX_UARTS];
	int stdout_uart;                        /* index into uart[], -1 if none */

	int nvirtio;
	struct plat_virtio virtio[PLAT_MAX_VIRTIO];

	int npci;
	struct plat_pci pci[PLAT_MAX_PCI];

	const char *bootargs;                   /* NULL if absent */
	bool has_initrd;
	uint64_t initrd_start, initrd_end;      /* [start, end) when has_initrd */

	unsigned dropped;                       /* entries that did not fit a table */
};

/* Parses the device tree at `blob` (at most maxlen readable bytes) into *out.
 * Returns 0, or a negative FDT_E_* / PLAT_E_* for a malformed or unusable
 * tree (then *out is partly filled and must not be used).  Disabled devices
 * (status other than "okay") are left out; disabled harts are listed with
 * accepted = false. */
int platform_parse(const void *blob, size_t maxlen, struct platform *out);

/* A static description of a platform_parse() or fdt error code. */
const char *platform_strerror(int err);

/* The index-th (from 0) enabled device whose `compatible` lists compat, in
 * document order, from the tree p was parsed from.  0 and *out, or
 * FDT_E_NOTFOUND when there is no such device, or another negative FDT_E_*
 * (a device without `reg` is FDT_E_BADVALUE). */
int platform_find_device(const struct platform *p, const char *compat, int index,
			 struct plat_device *out);

/* One decoded entry of a device's `reg`, `ranges` or `interrupt-map`.
 * PLAT_ENTRY_REG: parent = the register range's root (CPU) address, size
 *   (a device with several, as the FU740's PCIe host: config, mgmt, dbi).
 * PLAT_ENTRY_RANGE: flags = the PCI space word (first of three child
 *   address cells; 0 for other buses), child = the child address,
 *   parent = where it is as a root (CPU) address, size.
 * PLAT_ENTRY_IRQMAP: flags = the child unit address's first cell and
 *   child = its interrupt specifier's first cell, both under the
 *   interrupt-map-mask; parent = the first cell of the parent's interrupt
 *   specifier (the PLIC source); mask_flags and mask_child are the masks. */
enum { PLAT_ENTRY_RANGE = 0, PLAT_ENTRY_IRQMAP = 1, PLAT_ENTRY_REG = 2 };

struct plat_entry {
	uint64_t child, parent, size;
	uint32_t flags, mask_flags, mask_child;
};

/* Entry n (from 0) of the `reg`, `ranges` or `interrupt-map` of the device at
 * `node` (a plat_device's node).  0 and *out; FDT_E_NOTFOUND past the last
 * entry or when the property is absent; FDT_E_BADVALUE for a malformed
 * one, an unknown `what`, or a child address over three cells. */
int platform_device_entry(const struct platform *p, int node, int what, int n,
			  struct plat_entry *out);

/* Index of the hart with this hartid in p->hart[], or -1. */
int platform_hart_index(const struct platform *p, uint64_t hartid);
