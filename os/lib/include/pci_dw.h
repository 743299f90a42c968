#pragma once
/* pci_dw: a DesignWare PCIe root complex (the FU740's host bridge) behind
 * the same struct pci_cfg as ECAM, so pci_enumerate and the capability
 * code work on it unchanged.
 *
 * The host has no ECAM.  The root port's own configuration space is the
 * start of its DBI register block; every other function is reached
 * through one configuration window that an outbound iATU region points at
 * the wanted bus, device and function: a type 0 request on the root
 * port's secondary bus (the link, where only device 0 exists), type 1
 * beyond it.  Outbound region 0 maps the memory window (CPU address to
 * bus address); region 1 is the configuration window, aimed again at each
 * access to another function.  The iATU is programmed through the DBI
 * viewport at 0x900 on older cores and as "unrolled" per-region registers
 * on newer ones (where the viewport reads all ones).
 *
 * The core's MSI controller catches a device's memory write to one bus
 * address: the data is a vector number (32 per controller, 8 controllers),
 * which sets a status bit and raises the host's one MSI interrupt.
 *
 * Pure code: registers are reached through the caller's functions (MMIO on
 * the board, a register model in the host tests).  Not thread-safe: the
 * one owner of the host (the enumerating process) serialises its calls. */
#include <stdbool.h>
#include <stdint.h>
#include "pci.h"

enum pci_dw_space {
	PCI_DW_DBI,                 /* the DBI block (root port header, port logic) */
	PCI_DW_ATU,                 /* the unrolled iATU registers */
	PCI_DW_CFG,                 /* the configuration window */
};

struct pci_dw_io {
	uint32_t (*read32)(void *ctx, enum pci_dw_space s, uint64_t off);
	void (*write32)(void *ctx, enum pci_dw_space s, uint64_t off, uint32_t v);
	void (*delay_us)(void *ctx, unsigned us);
	void *ctx;
};

#define PCI_DW_MSI_CTRLS    8
#define PCI_DW_MSI_VECTORS  (32 * PCI_DW_MSI_CTRLS)

enum pci_dw_err {
	PCI_DW_E_LINK = -1,         /* the link is down: only the root port is there */
	PCI_DW_E_ATU  = -2,         /* an iATU region never reported itself enabled */
};

struct pci_dw {
	struct pci_dw_io io;
	uint64_t cfg_cpu, cfg_size;             /* the configuration window */
	struct pci_window mem;                  /* what region 0 maps */
	bool unrolled;                          /* iATU: per-region registers */
	bool link_up;
	uint32_t cfg_target;                    /* region 1's target word now; 0: none yet */
	unsigned atu_failures;                  /* regions that did not enable */
	uint64_t msi_addr;
	uint32_t msi_used[PCI_DW_MSI_CTRLS];
	struct pci_cfg cfg;                     /* what pci_enumerate is given */
};

/* Fills dw->cfg, finds the iATU's kind, makes the root port say it is a
 * PCI-to-PCI bridge, maps the memory window through region 0 and reads
 * the link state.  0; PCI_DW_E_LINK when the link is down (the root port
 * still enumerates, with nothing behind it); PCI_DW_E_ATU when region 0
 * did not enable.  io, cfg_cpu, cfg_size and mem must be set. */
int pci_dw_setup(struct pci_dw *dw);

/* The MSI controller: catches writes to bus address addr (a page of
 * memory no device uses otherwise), every vector disabled. */
void pci_dw_msi_setup(struct pci_dw *dw, uint64_t addr);

/* A free vector, enabled and unmasked: the data a function must write
 * (pci_msi_enable(cfg, bdf, dw->msi_addr, v)); -1 when all are taken. */
int pci_dw_msi_alloc(struct pci_dw *dw);
void pci_dw_msi_free(struct pci_dw *dw, int v);

/* After the MSI interrupt: the vectors that fired, acknowledged, in
 * out[] (up to max, lowest first; the rest stay pending).  Returns how
 * many. */
int pci_dw_msi_pending(struct pci_dw *dw, uint16_t *out, int max);
