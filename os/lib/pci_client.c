/* pci_client: a PCI driver's side of pci-server (see pci_client.h). */
#include <devctl.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <keel/neutrino.h>
#include <keel/procmgr.h>
#include "pci_client.h"

int pci_client_open(void)
{
	return open(PCI_SERVER_PATH, O_RDONLY | O_CLOEXEC);
}

int pci_client_find(int fd, uint32_t how, uint32_t match, unsigned index, struct _pci_info *out)
{
	union { struct _pci_find q; struct _pci_info info; } u;

	memset(&u, 0, sizeof u);
	u.q = (struct _pci_find){ .how = how, .match = match, .index = index };
	int r = devctl(fd, (int)_DCMD_PCI_FIND, &u, sizeof u, NULL);
	if (!r)
		*out = u.info;
	return r;
}

int pci_client_attach(int fd, unsigned bdf)
{
	uint32_t b = bdf;

	return devctl(fd, (int)_DCMD_PCI_ATTACH, &b, sizeof b, NULL);
}

int pci_client_cfg_read(int fd, unsigned bdf, unsigned off, uint32_t *value)
{
	struct _pci_cfg_io io = { .bdf = bdf, .offset = off };
	int r = devctl(fd, (int)_DCMD_PCI_CFG_READ, &io, sizeof io, NULL);

	if (!r)
		*value = io.value;
	return r;
}

int pci_client_cfg_write(int fd, unsigned bdf, unsigned off, uint32_t value)
{
	struct _pci_cfg_io io = { .bdf = bdf, .offset = off, .value = value };

	return devctl(fd, (int)_DCMD_PCI_CFG_WRITE, &io, sizeof io, NULL);
}

int pci_client_msi_attach(int fd, unsigned bdf, const struct sigevent *event, int *vector)
{
	struct _pci_msi m;

	memset(&m, 0, sizeof m);
	m.bdf = bdf;
	m.vector = -1;
	m.event = *event;
	int r = devctl(fd, (int)_DCMD_PCI_MSI_ATTACH, &m, sizeof m, NULL);
	if (!r)
		*vector = m.vector;
	return r;
}

int pci_client_map_bar(const struct _pci_info *f, int bar, uintptr_t va)
{
	if (bar < 0 || bar >= 6)
		return ENXIO;
	const struct _pci_bar_info *b = &f->bar[bar];
	if (!b->size || (b->flags & _PCI_BAR_IO) || !b->cpu || !f->enabled)
		return ENXIO;
	uint64_t len = (b->size + 4095) & ~(uint64_t)4095;
	int r = AsMap_r(AS_SELF, va, (size_t)len, PROT_READ | PROT_WRITE, AS_MAP_PHYS, b->cpu);
	return r < 0 ? -r : 0;
}
