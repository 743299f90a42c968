#pragma once
/* PCI: enumeration, capability lists, BAR sizing and assignment, INTx
 * routing.  Pure code: configuration space is reached through the
 * caller's functions (ECAM on a board, an array in the host tests), so
 * every decision here is testable without hardware.
 *
 * A function is named by its bdf: bus << 8 | device << 3 | function, the
 * same bits a PCI unit address carries at 15:8 of its first cell.
 *
 * What is done: bus 0 and the buses behind PCI-to-PCI bridges (numbered
 * depth first, as firmware does), every function of multi-function
 * devices, 32- and 64-bit memory BARs sized and placed naturally aligned
 * in one 32-bit memory window (64-bit BARs get a high half of 0), I/O
 * BARs sized but left unassigned (nothing Keel drives needs port I/O),
 * memory decoding and bus mastering enabled on a function whose memory
 * BARs all fit.  Bridges get their bus numbers and a memory window that
 * covers their children's BARs. */
#include <stdbool.h>
#include <stdint.h>

#define PCI_BDF(bus, dev, fn)   ((unsigned)(bus) << 8 | (unsigned)(dev) << 3 | (unsigned)(fn))
#define PCI_BUS(bdf)            ((bdf) >> 8 & 0xff)
#define PCI_DEV(bdf)            ((bdf) >> 3 & 0x1f)
#define PCI_FN(bdf)             ((bdf) & 7)

/* Configuration space registers used here. */
#define PCI_VENDOR_ID       0x00        /* 16: 0xffff means no function */
#define PCI_DEVICE_ID       0x02
#define PCI_COMMAND         0x04
#define PCI_STATUS          0x06
#define PCI_CLASS_REV       0x08        /* class << 24 | subclass << 16 | prog-if << 8 | rev */
#define PCI_HEADER_TYPE     0x0e        /* bit 7: multi-function; 0 device, 1 bridge */
#define PCI_BAR0            0x10
#define PCI_PRIMARY_BUS     0x18        /* bridges: primary, secondary, subordinate */
#define PCI_MEM_BASE        0x20        /* bridges: memory base and limit (16 each) */
#define PCI_CAP_PTR         0x34
#define PCI_INT_PIN         0x3d        /* 1 INTA .. 4 INTD, 0 none */

#define PCI_CMD_MEM         0x0002u
#define PCI_CMD_MASTER      0x0004u
#define PCI_CMD_INTX_OFF    0x0400u
#define PCI_STATUS_CAPS     0x0010u

#define PCI_CAP_MSI         0x05
#define PCI_CAP_PCIE        0x10
#define PCI_CAP_MSIX        0x11

#define PCI_MAX_BARS        6
#define PCI_MAX_FUNCS       64

/* Configuration space access: 32-bit aligned reads and writes of function
 * bdf's register off.  A read of an absent function returns all ones. */
struct pci_cfg {
	uint32_t (*read32)(void *ctx, unsigned bdf, unsigned off);
	void (*write32)(void *ctx, unsigned bdf, unsigned off, uint32_t v);
	void *ctx;
};

uint8_t pci_read8(const struct pci_cfg *c, unsigned bdf, unsigned off);
uint16_t pci_read16(const struct pci_cfg *c, unsigned bdf, unsigned off);
void pci_write16(const struct pci_cfg *c, unsigned bdf, unsigned off, uint16_t v);

/* A window of bus addresses BARs are placed in, and where the CPU sees
 * it: bus address a is at CPU address a - pci + cpu. */
struct pci_window {
	uint64_t pci, cpu, size;
	uint64_t used;                      /* bytes given out from the bottom */
};

struct pci_bar {
	uint64_t pci;                       /* bus address; 0: unassigned */
	uint64_t cpu;                       /* where the CPU reaches it */
	uint64_t size;                      /* 0: no BAR here */
	bool io, is64, prefetch;
};

struct pci_func {
	unsigned bdf;
	uint16_t vendor, device;
	uint32_t class_code;                /* class << 16 | subclass << 8 | prog-if */
	uint8_t header, pin;                /* header type (low 7 bits), INTx pin */
	bool enabled;                       /* memory decoding and bus mastering on */
	int up;                             /* index of the bridge above it in the table, -1 */
	struct pci_bar bar[PCI_MAX_BARS];
};

enum pci_err {
	PCI_E_WINDOW  = -1,                 /* a BAR did not fit in the window */
	PCI_E_TOOMANY = -2,                 /* more functions than the table holds */
	PCI_E_BAR     = -3,                 /* a BAR that reads back nonsense */
};

/* Walks every bus reachable from bus 0, fills out[] (up to max functions,
 * in bus order) and assigns memory BARs from *mem.  Returns how many
 * functions it found; a function whose BARs did not fit is listed with
 * enabled false (its BARs unassigned).  PCI_E_TOOMANY when out[] was too
 * small (the first max are listed). */
int pci_enumerate(const struct pci_cfg *c, struct pci_window *mem, struct pci_func *out, int max);

/* Offset of the first capability with this id in the function's list, or
 * 0.  A list that loops or points outside the header is cut short. */
unsigned pci_find_cap(const struct pci_cfg *c, unsigned bdf, uint8_t id);

/* One line of the host bridge's INTx wiring (the device tree's
 * interrupt-map): a function whose (bdf << 8) & mask_addr == addr and
 * pin & mask_pin == pin raises interrupt `irq`. */
struct pci_intx_route {
	uint32_t addr, mask_addr;
	uint32_t pin, mask_pin;
	uint32_t irq;
};

/* The interrupt line the function's INTx pin raises, or 0 when it has no
 * pin or the map does not route it.  Functions behind bridges are routed
 * by the standard swizzle of their pin up to the bridge on bus 0. */
uint32_t pci_intx_irq(const struct pci_intx_route *map, int n, const struct pci_func *fn,
		      const struct pci_func *all, int nall);

/* Message-signalled interrupts.  A function signals by writing `data` to
 * bus address `addr`; whatever catches that write (an MSI controller) turns
 * it into an interrupt.  Both turn the function's INTx off.
 *
 * pci_msi_enable programs the MSI capability for one vector: 0, or -1
 * when the function has none.  64-bit and 32-bit capabilities are told
 * apart by their control word (a 32-bit one takes only addr < 4 GiB:
 * -1 otherwise). */
int pci_msi_enable(const struct pci_cfg *c, unsigned bdf, uint64_t addr, uint16_t data);
/* MSI off again (INTx stays off: the driver that wanted MSI has gone). */
void pci_msi_disable(const struct pci_cfg *c, unsigned bdf);

/* MSI-X: the table of vectors lives in a memory BAR.  pci_msix_table
 * gives its size in entries (0: no MSI-X), the BAR and the offset in it;
 * pci_msix_set fills one entry of the mapped table and unmasks it;
 * pci_msix_enable turns MSI-X on with no function-wide mask. */
unsigned pci_msix_table(const struct pci_cfg *c, unsigned bdf, unsigned *bar, uint32_t *offset);
void pci_msix_set(volatile uint32_t *table, unsigned entry, uint64_t addr, uint32_t data);
int pci_msix_enable(const struct pci_cfg *c, unsigned bdf);

/* Static text for a class code ("NVM Express controller", "bridge" ...). */
const char *pci_class_name(uint32_t class_code);
