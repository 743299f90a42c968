/* The DesignWare PCIe root complex: configuration access through DBI and
 * the iATU, the memory window, and the MSI controller (see pci_dw.h). */
#include "pci_dw.h"

/* Port logic registers in the DBI block. */
#define DW_PORT_DEBUG1          0x72c
#define DW_DEBUG1_LINK_UP       (1u << 4)
#define DW_DEBUG1_IN_TRAINING   (1u << 29)
#define DW_MSI_ADDR_LO          0x820
#define DW_MSI_ADDR_HI          0x824
#define DW_MSI_ENABLE(c)        (0x828 + 12 * (c))
#define DW_MSI_MASK(c)          (0x82c + 12 * (c))
#define DW_MSI_STATUS(c)        (0x830 + 12 * (c))
#define DW_MISC_CONTROL_1       0x8bc
#define DW_DBI_RO_WR_EN         (1u << 0)

/* The iATU: through the viewport (one region at a time) ... */
#define DW_ATU_VIEWPORT         0x900
#define DW_ATU_VIEWPORT_BASE    0x904   /* region registers start here */
/* ... or unrolled, 512 bytes per outbound region. */
#define DW_ATU_UNR_REGION(i)    ((uint64_t)(i) << 9)

/* Region registers, as offsets from a region's first one (the same in
 * both layouts; only the unrolled one has an upper limit). */
#define ATU_CR1                 0x00
#define ATU_CR2                 0x04
#define ATU_LOWER_BASE          0x08
#define ATU_UPPER_BASE          0x0c
#define ATU_LIMIT               0x10
#define ATU_LOWER_TARGET        0x14
#define ATU_UPPER_TARGET        0x18
#define ATU_UNR_UPPER_LIMIT     0x20

#define ATU_TYPE_MEM            0x0
#define ATU_TYPE_CFG0           0x4
#define ATU_TYPE_CFG1           0x5
#define ATU_ENABLE              (1u << 31)
#define ATU_ENABLE_TRIES        5
#define ATU_ENABLE_WAIT_US      10000

#define REGION_MEM              0
#define REGION_CFG              1

#define CLASS_BRIDGE            0x06040000u     /* class, subclass, prog-if 0 (revision below) */

static uint32_t dbi_read(struct pci_dw *dw, uint64_t off)
{
	return dw->io.read32(dw->io.ctx, PCI_DW_DBI, off);
}

static void dbi_write(struct pci_dw *dw, uint64_t off, uint32_t v)
{
	dw->io.write32(dw->io.ctx, PCI_DW_DBI, off, v);
}

/* Region register reg of outbound region i: the viewport must already
 * select i when the iATU is not unrolled. */
static void atu_write(struct pci_dw *dw, unsigned i, unsigned reg, uint32_t v)
{
	if (dw->unrolled)
		dw->io.write32(dw->io.ctx, PCI_DW_ATU, DW_ATU_UNR_REGION(i) + reg, v);
	else
		dbi_write(dw, DW_ATU_VIEWPORT_BASE + reg, v);
}

static uint32_t atu_read(struct pci_dw *dw, unsigned i, unsigned reg)
{
	if (dw->unrolled)
		return dw->io.read32(dw->io.ctx, PCI_DW_ATU, DW_ATU_UNR_REGION(i) + reg);
	return dbi_read(dw, DW_ATU_VIEWPORT_BASE + reg);
}

/* Points outbound region i at [cpu, cpu + size) -> target, of this type,
 * and waits for it to say it is on.  0, or PCI_DW_E_ATU. */
static int atu_program(struct pci_dw *dw, unsigned i, unsigned type, uint64_t cpu, uint64_t size,
		       uint64_t target)
{
	uint64_t limit = cpu + size - 1;

	if (!dw->unrolled)
		dbi_write(dw, DW_ATU_VIEWPORT, i);          /* outbound: bit 31 clear */
	atu_write(dw, i, ATU_LOWER_BASE, (uint32_t)cpu);
	atu_write(dw, i, ATU_UPPER_BASE, (uint32_t)(cpu >> 32));
	atu_write(dw, i, ATU_LIMIT, (uint32_t)limit);
	if (dw->unrolled)
		atu_write(dw, i, ATU_UNR_UPPER_LIMIT, (uint32_t)(limit >> 32));
	atu_write(dw, i, ATU_LOWER_TARGET, (uint32_t)target);
	atu_write(dw, i, ATU_UPPER_TARGET, (uint32_t)(target >> 32));
	atu_write(dw, i, ATU_CR1, type);
	atu_write(dw, i, ATU_CR2, ATU_ENABLE);
	/* the region takes effect some time after the write: until it says
	 * so, accesses through it may still go where it pointed before */
	for (int t = 0; t < ATU_ENABLE_TRIES; t++) {
		if (atu_read(dw, i, ATU_CR2) & ATU_ENABLE)
			return 0;
		if (dw->io.delay_us)
			dw->io.delay_us(dw->io.ctx, ATU_ENABLE_WAIT_US);
	}
	dw->atu_failures++;
	return PCI_DW_E_ATU;
}

/* The root port's secondary and subordinate bus numbers, as enumeration
 * left them (0 before: nothing is behind it yet). */
static void port_buses(struct pci_dw *dw, unsigned *sec, unsigned *sub)
{
	uint32_t b = dbi_read(dw, PCI_PRIMARY_BUS);

	*sec = b >> 8 & 0xff;
	*sub = b >> 16 & 0xff;
}

/* Aims the configuration window at bdf: false when bdf cannot exist (a
 * device other than 0 on the link, a bus nothing leads to, the link down)
 * or the region did not enable. */
static bool cfg_aim(struct pci_dw *dw, unsigned bdf)
{
	unsigned sec, sub, bus = PCI_BUS(bdf);

	port_buses(dw, &sec, &sub);
	if (!dw->link_up || sec == 0 || bus < sec || bus > sub)
		return false;
	/* type 0 requests carry no device number a link could use: an
	 * endpoint answers them for every device, so only 0 is real */
	if (bus == sec && PCI_DEV(bdf) != 0)
		return false;
	uint32_t target = (uint32_t)bdf << 16;
	unsigned type = bus == sec ? ATU_TYPE_CFG0 : ATU_TYPE_CFG1;
	uint32_t want = target | type;              /* the type goes in the target's zero low bits */
	if (dw->cfg_target == want)
		return true;
	dw->cfg_target = 0;
	if (atu_program(dw, REGION_CFG, type, dw->cfg_cpu, dw->cfg_size, target))
		return false;
	dw->cfg_target = want;
	return true;
}

static uint32_t dw_cfg_read(void *ctx, unsigned bdf, unsigned off)
{
	struct pci_dw *dw = ctx;

	off &= 0xffcu;
	if (PCI_BUS(bdf) == 0)
		return bdf == 0 ? dbi_read(dw, off) : 0xffffffffu;
	if (!cfg_aim(dw, bdf))
		return 0xffffffffu;
	return dw->io.read32(dw->io.ctx, PCI_DW_CFG, off);
}

static void dw_cfg_write(void *ctx, unsigned bdf, unsigned off, uint32_t v)
{
	struct pci_dw *dw = ctx;

	off &= 0xffcu;
	if (PCI_BUS(bdf) == 0) {
		if (bdf == 0)
			dbi_write(dw, off, v);
	} else if (cfg_aim(dw, bdf)) {
		dw->io.write32(dw->io.ctx, PCI_DW_CFG, off, v);
	}
}

int pci_dw_setup(struct pci_dw *dw)
{
	dw->cfg = (struct pci_cfg){ dw_cfg_read, dw_cfg_write, dw };
	dw->cfg_target = 0;
	dw->atu_failures = 0;
	dw->unrolled = dbi_read(dw, DW_ATU_VIEWPORT) == 0xffffffffu;

	/* Some cores come out of reset with the root port's class unset;
	 * enumeration walks behind it only if it says "bridge".  The class
	 * is read-only except while DBI_RO_WR_EN is set. */
	uint32_t misc = dbi_read(dw, DW_MISC_CONTROL_1);
	dbi_write(dw, DW_MISC_CONTROL_1, misc | DW_DBI_RO_WR_EN);
	dbi_write(dw, PCI_CLASS_REV, CLASS_BRIDGE | (dbi_read(dw, PCI_CLASS_REV) & 0xff));
	dbi_write(dw, DW_MISC_CONTROL_1, misc & ~DW_DBI_RO_WR_EN);

	int r = atu_program(dw, REGION_MEM, ATU_TYPE_MEM, dw->mem.cpu, dw->mem.size, dw->mem.pci);
	uint32_t dbg = dbi_read(dw, DW_PORT_DEBUG1);
	dw->link_up = (dbg & DW_DEBUG1_LINK_UP) && !(dbg & DW_DEBUG1_IN_TRAINING);
	if (r)
		return r;
	return dw->link_up ? 0 : PCI_DW_E_LINK;
}

void pci_dw_msi_setup(struct pci_dw *dw, uint64_t addr)
{
	dw->msi_addr = addr;
	for (int c = 0; c < PCI_DW_MSI_CTRLS; c++) {
		dw->msi_used[c] = 0;
		dbi_write(dw, DW_MSI_ENABLE(c), 0);
		dbi_write(dw, DW_MSI_MASK(c), 0xffffffffu);
		dbi_write(dw, DW_MSI_STATUS(c), 0xffffffffu);    /* write one to clear */
	}
	dbi_write(dw, DW_MSI_ADDR_LO, (uint32_t)addr);
	dbi_write(dw, DW_MSI_ADDR_HI, (uint32_t)(addr >> 32));
}

int pci_dw_msi_alloc(struct pci_dw *dw)
{
	for (int c = 0; c < PCI_DW_MSI_CTRLS; c++) {
		uint32_t free = ~dw->msi_used[c];
		if (!free)
			continue;
		uint32_t bit = free & -free;
		dw->msi_used[c] |= bit;
		dbi_write(dw, DW_MSI_STATUS(c), bit);
		dbi_write(dw, DW_MSI_ENABLE(c), dw->msi_used[c]);
		dbi_write(dw, DW_MSI_MASK(c), ~dw->msi_used[c]);
		return c * 32 + __builtin_ctz(bit);
	}
	return -1;
}

void pci_dw_msi_free(struct pci_dw *dw, int v)
{
	if (v < 0 || v >= PCI_DW_MSI_VECTORS)
		return;
	int c = v / 32;
	dw->msi_used[c] &= ~(1u << (v % 32));
	dbi_write(dw, DW_MSI_MASK(c), ~dw->msi_used[c]);
	dbi_write(dw, DW_MSI_ENABLE(c), dw->msi_used[c]);
	dbi_write(dw, DW_MSI_STATUS(c), 1u << (v % 32));
}

int pci_dw_msi_pending(struct pci_dw *dw, uint16_t *out, int max)
{
	int n = 0;

	for (int c = 0; c < PCI_DW_MSI_CTRLS && n < max; c++) {
		if (!dw->msi_used[c])
			continue;
		uint32_t st = dbi_read(dw, DW_MSI_STATUS(c)) & dw->msi_used[c], taken = 0;
		for (; st && n < max; st &= st - 1) {
			uint32_t bit = st & -st;
			taken |= bit;
			out[n++] = (uint16_t)(c * 32 + __builtin_ctz(bit));
		}
		/* acknowledged before the caller acts: a write that comes
		 * while it does sets the bit again and is not lost */
		if (taken)
			dbi_write(dw, DW_MSI_STATUS(c), taken);
	}
	return n;
}
