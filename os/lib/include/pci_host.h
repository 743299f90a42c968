#pragma once
/* pci_host: a driver's view of the machine's PCIe host bridge, from the
 * device tree.  pci_host_open() finds the host, maps its configuration
 * access, learns the 32-bit memory window and the INTx wiring with
 * HwInfoEntry, enumerates (pci.h) and keeps the table.  Two kinds:
 *
 *   "pci-host-ecam-generic" (QEMU virt): ECAM, one MiB a bus, mapped as
 *       each bus is first read; no MSI controller (QEMU's aia=none).
 *   "sifive,fu740-pcie" (the Unmatched): a DesignWare core (pci_dw.h),
 *       reg entries dbi, config, mgmt.  One page of DBI, one of its
 *       unrolled iATU (DBI + 0x300000) and one page of the configuration
 *       window are mapped; the iATU aims that page at each function in
 *       turn.  The link is the firmware's to train (U-Boot does, to boot
 *       from NVMe): a link found down is said, and only the root port
 *       enumerates.  Its MSI controller catches writes to a page of our
 *       own memory; the host's first interrupt is the MSI one.
 *
 * The process that calls pci_host_open owns the host (pci-server). */
#include <stdbool.h>
#include <stdint.h>
#include "pci.h"
#include "pci_dw.h"

#define PCI_HOST_COMPAT     "pci-host-ecam-generic"
#define PCI_HOST_DW_COMPAT  "sifive,fu740-pcie"
#define PCI_HOST_DW_ATU     0x300000u       /* the unrolled iATU, from DBI */
#define PCI_HOST_BUSES      8u              /* buses whose config space is mapped */
#define PCI_HOST_INTX_MAX   32

struct pci_host {
	struct pci_cfg cfg;
	volatile uint8_t *ecam;
	unsigned buses;
	uint64_t ecam_phys;
	uint32_t mapped;                /* bit b: bus b's MiB is mapped */
	struct pci_window mem;
	struct pci_intx_route intx[PCI_HOST_INTX_MAX];
	int nintx;
	struct pci_func func[PCI_MAX_FUNCS];
	int nfunc;
	const char *compat;             /* which kind (the device tree's name) */
	/* The DesignWare kind: its core, the three pages mapped, the MSI
	 * controller's interrupt (0: no MSI controller, the ECAM kind). */
	struct pci_dw dw;
	volatile uint8_t *dbi, *atu, *cfgwin;
	uint32_t msi_irq;
};

/* Maps the host's configuration access at `va` (PCI_HOST_BUSES MiB of
 * address space: ECAM, each bus's MiB when it is first read; three pages
 * for the DesignWare kind) and enumerates.  0; ENOENT when the machine has no such
 * host; another errno (said on stderr, prefixed with `who`) when it
 * cannot be used. */
int pci_host_open(struct pci_host *h, uintptr_t va, const char *who);

/* The first function with this class code (class << 16 | subclass << 8 |
 * prog-if), from index *from on; NULL when there is none. */
const struct pci_func *pci_host_find_class(const struct pci_host *h, uint32_t class_code, int *from);

/* Maps memory BAR `bar` of f at `va`: 0 or an errno. */
int pci_host_map_bar(const struct pci_func *f, int bar, uintptr_t va);

/* The interrupt line f's INTx raises, 0 when the wiring is unknown. */
uint32_t pci_host_irq(const struct pci_host *h, const struct pci_func *f);
