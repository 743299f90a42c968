#pragma once
/* pci_msi_route: the MSI vectors of a DesignWare host (pci_dw.h) and who
 * owns each, so that pci-server can hand its one MSI interrupt on to the
 * drivers as their own events (<keel/pcimsg.h> _DCMD_PCI_MSI_ATTACH).
 *
 * An owner is whatever the server names a driver by (its open); a vector
 * goes to one function of one owner, with the function's MSI capability
 * pointed at it, and comes back when the owner goes.  Pure code, like
 * pci_dw: the host tests run it against the DesignWare register model. */
#include <stdint.h>
#include "pci.h"
#include "pci_dw.h"

struct pci_msi_route {
	struct pci_dw *dw;              /* its MSI controller set up (pci_dw_msi_setup) */
	const void *owner[PCI_DW_MSI_VECTORS];
	uint32_t bdf[PCI_DW_MSI_VECTORS];
};

void pci_msi_route_init(struct pci_msi_route *r, struct pci_dw *dw);

/* A free vector for function bdf of `owner` (not NULL), the function's
 * MSI capability aimed at it and on: the vector; -ENOSPC when every vector
 * is taken; -ENOTSUP when the function has no MSI capability it can use
 * (the vector goes back). */
int pci_msi_route_attach(struct pci_msi_route *r, const void *owner, unsigned bdf);

/* Every vector of owner goes back, its function's MSI off: how many. */
int pci_msi_route_release(struct pci_msi_route *r, const void *owner);

/* After the MSI interrupt: the vectors that fired and have an owner, in
 * out[] (at most max, lowest first), acknowledged.  A vector that fired
 * after its owner let it go is dropped.  Returns how many. */
int pci_msi_route_pending(struct pci_msi_route *r, uint16_t *out, int max);
