#pragma once
/* pci_host: a driver's view of the machine's PCIe host bridge, from the
 * device tree ("pci-host-ecam-generic": QEMU virt's).  pci_host_open()
 * maps the ECAM area, learns the 32-bit memory window and the INTx
 * wiring with HwInfoEntry, enumerates (pci.h) and keeps the table.
 *
 * One process enumerates: today the one driver that needs PCI (devb-nvme)
 * does it at start; a PCI server will own it once two drivers do. */
#include <stdint.h>
#include "pci.h"

#define PCI_HOST_COMPAT     "pci-host-ecam-generic"
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
};

/* Maps the host's configuration space at `va` (PCI_HOST_BUSES MiB of
 * address space, each bus's MiB when it is first read) and enumerates.  0; ENOENT when the machine has no such
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
