/* pci_host: ECAM or DesignWare configuration access and the host bridge's
 * windows and wiring from the device tree (see pci_host.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>
#include <keel/procmgr.h>
#include "pci_host.h"

#define ECAM_BUS_BYTES      (1u << 20)      /* 32 devices x 8 functions x 4 KiB */
#define SPACE_MEM32         2u              /* bits 25:24 of a ranges space word */

/* Maps bus b's configuration space when it is first touched: 256 pages a
 * bus, and most machines have one or two buses of the eight. */
static bool bus_mapped(struct pci_host *h, unsigned b)
{
	if (b >= h->buses)
		return false;
	if (h->mapped & 1u << b)
		return true;
	if (AsMap_r(AS_SELF, (uintptr_t)h->ecam + (uintptr_t)b * ECAM_BUS_BYTES, ECAM_BUS_BYTES,
		    PROT_READ | PROT_WRITE, AS_MAP_PHYS, h->ecam_phys + (uint64_t)b * ECAM_BUS_BYTES) < 0)
		return false;
	h->mapped |= 1u << b;
	return true;
}

static uint32_t ecam_read(void *ctx, unsigned bdf, unsigned off)
{
	struct pci_host *h = ctx;

	if (off > 0xffc || !bus_mapped(h, PCI_BUS(bdf)))
		return 0xffffffffu;
	return *(volatile uint32_t *)(h->ecam + ((uintptr_t)bdf << 12) + (off & ~3u));
}

static void ecam_write(void *ctx, unsigned bdf, unsigned off, uint32_t v)
{
	struct pci_host *h = ctx;

	if (off <= 0xffc && bus_mapped(h, PCI_BUS(bdf)))
		*(volatile uint32_t *)(h->ecam + ((uintptr_t)bdf << 12) + (off & ~3u)) = v;
}

/* The 32-bit memory window from `ranges`: 0, or ENOENT. */
static int find_window(struct pci_host *h)
{
	struct _hw_entry e;

	for (unsigned n = 0; HwInfoEntry_r(h->compat, 0, HWINFO_RANGE, n, &e) == 0; n++)
		if ((e.space >> 24 & 3) == SPACE_MEM32 && e.size) {
			h->mem = (struct pci_window){ e.child, e.parent, e.size, 0 };
			return 0;
		}
	return ENOENT;
}

static void read_intx_map(struct pci_host *h)
{
	struct _hw_entry e;

	h->nintx = 0;
	while (h->nintx < PCI_HOST_INTX_MAX &&
	       HwInfoEntry_r(h->compat, 0, HWINFO_IRQMAP, (unsigned)h->nintx, &e) == 0)
		h->intx[h->nintx++] = (struct pci_intx_route){
			e.space, e.mask_space, (uint32_t)e.child, e.mask_child, (uint32_t)e.parent };
}

/* ---- the ECAM kind ------------------------------------------------------------- */

static int ecam_open(struct pci_host *h, uintptr_t va, const struct _hw_device *hw, const char *who)
{
	int r;

	if (hw->size < ECAM_BUS_BYTES) {
		fprintf(stderr, "%s: the PCIe host's device-tree node is unusable\n", who);
		return EINVAL;
	}
	h->buses = (unsigned)(hw->size / ECAM_BUS_BYTES);
	if (h->buses > PCI_HOST_BUSES)
		h->buses = PCI_HOST_BUSES;
	h->ecam = (volatile uint8_t *)va;
	h->ecam_phys = hw->base;
	h->mapped = 0;
	r = AsMap_r(AS_SELF, va, ECAM_BUS_BYTES, PROT_READ | PROT_WRITE, AS_MAP_PHYS, hw->base);
	if (r < 0) {
		fprintf(stderr, "%s: cannot map the PCIe configuration space at %#llx (error %d)\n",
			who, (unsigned long long)hw->base, -r);
		return -r;
	}
	h->mapped = 1;
	h->cfg = (struct pci_cfg){ ecam_read, ecam_write, h };
	if (find_window(h)) {
		fprintf(stderr, "%s: the PCIe host has no 32-bit memory window in its ranges\n", who);
		return EINVAL;
	}
	return 0;
}

/* ---- the DesignWare kind ------------------------------------------------------ */

static volatile uint8_t *dw_page(struct pci_host *h, enum pci_dw_space s)
{
	return s == PCI_DW_DBI ? h->dbi : s == PCI_DW_ATU ? h->atu : h->cfgwin;
}

static uint32_t dw_read32(void *ctx, enum pci_dw_space s, uint64_t off)
{
	struct pci_host *h = ctx;

	if (off > 0xffc)
		return 0xffffffffu;
	return *(volatile uint32_t *)(dw_page(h, s) + (off & ~3u));
}

static void dw_write32(void *ctx, enum pci_dw_space s, uint64_t off, uint32_t v)
{
	struct pci_host *h = ctx;

	if (off <= 0xffc)
		*(volatile uint32_t *)(dw_page(h, s) + (off & ~3u)) = v;
}

static void dw_delay_us(void *ctx, unsigned us)
{
	struct timespec t = { 0, (long)us * 1000 };

	(void)ctx;
	nanosleep(&t, NULL);
}

static int map_page(uintptr_t va, uint64_t pa, const char *who, const char *what)
{
	int r = AsMap_r(AS_SELF, va, 4096, PROT_READ | PROT_WRITE, AS_MAP_PHYS, pa);

	if (r < 0)
		fprintf(stderr, "%s: cannot map the PCIe host's %s at %#llx (error %d)\n", who, what,
			(unsigned long long)pa, -r);
	return r < 0 ? -r : 0;
}

/* The DesignWare host: its pages mapped, the core set up through pci_dw,
 * and the MSI controller aimed at a page of our own (never a DMA target). */
static int dw_open(struct pci_host *h, uintptr_t va, const struct _hw_device *hw, const char *who)
{
	struct _hw_entry cfg;
	int r;

	if (HwInfoEntry_r(h->compat, 0, HWINFO_REG, 1, &cfg) != 0 || cfg.size < 4096 ||
	    hw->size < PCI_HOST_DW_ATU + 4096) {
		fprintf(stderr, "%s: the PCIe host's device-tree node lacks its dbi and config ranges\n",
			who);
		return EINVAL;
	}
	h->dbi = (volatile uint8_t *)va;
	h->atu = (volatile uint8_t *)(va + 4096);
	h->cfgwin = (volatile uint8_t *)(va + 8192);
	if ((r = map_page(va, hw->base, who, "DBI registers")) ||
	    (r = map_page(va + 4096, hw->base + PCI_HOST_DW_ATU, who, "iATU registers")) ||
	    (r = map_page(va + 8192, cfg.parent, who, "configuration window")))
		return r;
	memset(&h->dw, 0, sizeof h->dw);
	h->dw.io = (struct pci_dw_io){ dw_read32, dw_write32, dw_delay_us, h };
	h->dw.cfg_cpu = cfg.parent;
	h->dw.cfg_size = 4096;                  /* the one page mapped */
	if (find_window(h)) {
		fprintf(stderr, "%s: the PCIe host has no 32-bit memory window in its ranges\n", who);
		return EINVAL;
	}
	h->dw.mem = h->mem;
	r = pci_dw_setup(&h->dw);
	if (r == PCI_DW_E_ATU) {
		fprintf(stderr, "%s: the PCIe host's iATU did not take the memory window\n", who);
		return EIO;
	}
	if (r == PCI_DW_E_LINK)
		fprintf(stderr, "%s: the PCIe link is down (the firmware trains it): only the root "
			"port is there\n", who);
	h->cfg = h->dw.cfg;
	void *page = NULL;
	uint64_t pa = 0;
	if (posix_memalign(&page, 4096, 4096) || (memset(page, 0, 4096), 0) ||
	    MemPhys_r(page, 4096, &pa) != 4096) {
		fprintf(stderr, "%s: no page for the MSI controller: no MSI\n", who);
		return 0;
	}
	pci_dw_msi_setup(&h->dw, pa);
	h->msi_irq = hw->irq;
	return 0;
}

/* ---- either kind ---------------------------------------------------------------- */

int pci_host_open(struct pci_host *h, uintptr_t va, const char *who)
{
	struct _hw_device hw;

	memset(h, 0, sizeof *h);
	h->compat = PCI_HOST_COMPAT;
	int r = HwInfoDevice_r(h->compat, 0, &hw);
	bool dw = r == -ENOENT;
	if (dw) {
		h->compat = PCI_HOST_DW_COMPAT;
		r = HwInfoDevice_r(h->compat, 0, &hw);
	}
	if (r == -ENOENT)
		return ENOENT;
	if (r < 0) {
		fprintf(stderr, "%s: the PCIe host's device-tree node is unusable\n", who);
		return EINVAL;
	}
	r = dw ? dw_open(h, va, &hw, who) : ecam_open(h, va, &hw, who);
	if (r)
		return r;
	read_intx_map(h);
	h->nfunc = pci_enumerate(&h->cfg, &h->mem, h->func, PCI_MAX_FUNCS);
	if (h->nfunc == PCI_E_TOOMANY) {
		fprintf(stderr, "%s: more than %d PCI functions: the rest are left alone\n", who,
			PCI_MAX_FUNCS);
		h->nfunc = PCI_MAX_FUNCS;
	}
	return 0;
}

const struct pci_func *pci_host_find_class(const struct pci_host *h, uint32_t class_code, int *from)
{
	for (int i = *from; i < h->nfunc; i++)
		if (h->func[i].class_code == class_code) {
			*from = i + 1;
			return &h->func[i];
		}
	*from = h->nfunc;
	return NULL;
}

int pci_host_map_bar(const struct pci_func *f, int bar, uintptr_t va)
{
	const struct pci_bar *b = &f->bar[bar];

	if (bar < 0 || bar >= PCI_MAX_BARS || !b->size || b->io || !b->cpu || !f->enabled)
		return ENXIO;
	uint64_t len = (b->size + 4095) & ~(uint64_t)4095;
	int r = AsMap_r(AS_SELF, va, (size_t)len, PROT_READ | PROT_WRITE, AS_MAP_PHYS, b->cpu);
	return r < 0 ? -r : 0;
}

uint32_t pci_host_irq(const struct pci_host *h, const struct pci_func *f)
{
	return pci_intx_irq(h->intx, h->nintx, f, h->func, h->nfunc);
}
