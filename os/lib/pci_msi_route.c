/* Owners of a DesignWare host's MSI vectors (see pci_msi_route.h). */
#include <errno.h>
#include <stddef.h>
#include "pci_msi_route.h"

void pci_msi_route_init(struct pci_msi_route *r, struct pci_dw *dw)
{
	r->dw = dw;
	for (int v = 0; v < PCI_DW_MSI_VECTORS; v++)
		r->owner[v] = NULL;
}

int pci_msi_route_attach(struct pci_msi_route *r, const void *owner, unsigned bdf)
{
	int v = pci_dw_msi_alloc(r->dw);

	if (v < 0)
		return -ENOSPC;
	if (pci_msi_enable(&r->dw->cfg, bdf, r->dw->msi_addr, (uint16_t)v)) {
		pci_dw_msi_free(r->dw, v);
		return -ENOTSUP;
	}
	r->owner[v] = owner;
	r->bdf[v] = bdf;
	return v;
}

int pci_msi_route_release(struct pci_msi_route *r, const void *owner)
{
	int n = 0;

	for (int v = 0; v < PCI_DW_MSI_VECTORS; v++) {
		if (r->owner[v] != owner)
			continue;
		pci_msi_disable(&r->dw->cfg, r->bdf[v]);
		pci_dw_msi_free(r->dw, v);
		r->owner[v] = NULL;
		n++;
	}
	return n;
}

int pci_msi_route_pending(struct pci_msi_route *r, uint16_t *out, int max)
{
	uint16_t got[PCI_DW_MSI_VECTORS];
	int n = pci_dw_msi_pending(r->dw, got, PCI_DW_MSI_VECTORS), k = 0;

	for (int i = 0; i < n && k < max; i++)
		if (r->owner[got[i]])
			out[k++] = got[i];
	return k;
}
