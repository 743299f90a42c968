/* Host tests of the DesignWare PCIe host (os/lib/pci_dw.c) against a
 * register model of the core, as the FU740 has it and QEMU has not: the
 * DBI block with the root port's header (class read-only unless
 * DBI_RO_WR_EN), the link state, the iATU in both layouts (viewport and
 * unrolled) with regions that take a few reads to come on, configuration
 * requests routed by type (type 0 to the link, where an endpoint answers
 * for every device number; type 1 to the buses behind a switch), and the
 * MSI controller turning a device's write into a status bit.
 *
 * The model keeps its own register map (from the core's documentation),
 * so a wrong offset in the driver fails here rather than agreeing with
 * itself. */
#include <errno.h>
#include <string.h>
#include "fake_pci.h"
#include "ktap.h"
#include "pci.h"
#include "pci_dw.h"
#include "pci_msi_route.h"

#define CFG_CPU         0xdf0000000ull
#define CFG_SIZE        0x10000000ull
#define MEM_CPU         0x60000000ull
#define MEM_PCI         0x60000000ull
#define MEM_SIZE        0x10000000ull
#define MSI_ADDR        0x80001000ull

#define M_DEBUG1        0x72c
#define M_MSI_LO        0x820
#define M_MSI_HI        0x824
#define M_MSI_EN(c)     (0x828u + 12u * (unsigned)(c))
#define M_MSI_MASK(c)   (0x82cu + 12u * (unsigned)(c))
#define M_MSI_ST(c)     (0x830u + 12u * (unsigned)(c))
#define M_MISC1         0x8bc
#define M_VIEWPORT      0x900
#define M_VP_REGS       0x904           /* the selected region's CR1 */
#define M_ENABLE        (1u << 31)

struct region {
	uint32_t r[9];                  /* CR1 CR2 base lo/hi, limit, target lo/hi, -, limit hi */
	int pending;                    /* CR2 reads before an enabled region is on */
	bool on;
};

static struct model {
	bool unrolled, link_up, training;
	int enable_after;               /* CR2 reads before a region comes on; -1: never */
	uint32_t dbi[0x1000 / 4];
	uint32_t msi_status[PCI_DW_MSI_CTRLS];
	struct region reg[4];
	uint32_t viewport;
	struct fake_fn link, behind;    /* the device on the link; one behind it, if a switch */
	bool has_link, has_behind;
	int cfg0, cfg1, wrong_type, stale, unmapped, while_down, wrong_space, dbi_writes;
	int viewport_writes, unrolled_writes, delays;
} m;

static void region_write(unsigned i, unsigned off, uint32_t v)
{
	struct region *g = &m.reg[i & 3];

	g->r[(off & 0x3f) / 4 % 9] = v;
	if (off == 0x04) {
		g->on = (v & M_ENABLE) && m.enable_after == 0;
		g->pending = (v & M_ENABLE) ? m.enable_after : 0;
	}
}

static uint32_t region_read(unsigned i, unsigned off)
{
	struct region *g = &m.reg[i & 3];

	if (off == 0x04 && g->pending > 0 && --g->pending == 0)
		g->on = true;
	uint32_t v = g->r[(off & 0x3f) / 4 % 9];
	return off == 0x04 && !g->on ? v & ~M_ENABLE : v;
}

static uint32_t model_read(void *ctx, enum pci_dw_space s, uint64_t off);
static void model_write(void *ctx, enum pci_dw_space s, uint64_t off, uint32_t v);

static void model_delay(void *ctx, unsigned us)
{
	(void)ctx;
	(void)us;
	m.delays++;
}

/* The function a configuration access through region g reaches, or NULL. */
static struct fake_fn *route(const struct region *g)
{
	unsigned type = g->r[0] & 0x1f, t = g->r[5];
	unsigned bus = t >> 24, dev = t >> 19 & 31, fn = t >> 16 & 7;
	unsigned sec = m.dbi[0x18 / 4] >> 8 & 0xff;

	if (!m.link_up) {
		m.while_down++;
		return NULL;
	}
	if (bus == sec) {
		m.cfg0++;
		if (type != 4)
			m.wrong_type++;
		/* a type 0 request: the endpoint answers for any device number */
		return m.has_link && fn == PCI_FN(m.link.bdf) ? &m.link : NULL;
	}
	unsigned behind = m.link.regs[0x18 / 4] >> 8 & 0xff;
	if (m.has_behind && behind && bus == behind) {
		m.cfg1++;
		if (type != 5)
			m.wrong_type++;
		return (dev << 3 | fn) == (m.behind.bdf & 0xff) ? &m.behind : NULL;
	}
	return NULL;
}

static struct fake_fn *cfg_target(uint64_t off)
{
	uint64_t a = CFG_CPU + off;

	for (int i = 0; i < 4; i++) {
		struct region *g = &m.reg[i];
		uint64_t base = (uint64_t)g->r[3] << 32 | g->r[2];
		uint64_t limit = (m.unrolled ? (uint64_t)g->r[8] << 32 : base & ~0xffffffffull) | g->r[4];
		if (!(g->r[1] & M_ENABLE) || a < base || a > limit)
			continue;
		if (!g->on) {
			m.stale++;
			return NULL;
		}
		return route(g);
	}
	m.unmapped++;
	return NULL;
}

static uint32_t dbi_read(uint64_t off)
{
	if (off == M_VIEWPORT)
		return m.unrolled ? 0xffffffffu : m.viewport;
	if (!m.unrolled && off >= M_VP_REGS && off < M_VP_REGS + 0x24)
		return region_read(m.viewport, (unsigned)(off - M_VP_REGS));
	if (off == M_DEBUG1)
		return (m.link_up ? 1u << 4 : 0) | (m.training ? 1u << 29 : 0);
	for (int c = 0; c < PCI_DW_MSI_CTRLS; c++)
		if (off == M_MSI_ST(c))
			return m.msi_status[c];
	return off < sizeof m.dbi ? m.dbi[off / 4] : 0xffffffffu;
}

static void dbi_write(uint64_t off, uint32_t v)
{
	m.dbi_writes++;
	if (off == M_VIEWPORT && !m.unrolled) {
		m.viewport = v;
		if (v & M_ENABLE)
			m.wrong_space++;        /* inbound: the driver has no business there */
		return;
	}
	if (!m.unrolled && off >= M_VP_REGS && off < M_VP_REGS + 0x24) {
		m.viewport_writes++;
		region_write(m.viewport, (unsigned)(off - M_VP_REGS), v);
		return;
	}
	if (off == 0x08 && !(m.dbi[M_MISC1 / 4] & 1))
		return;                         /* the class is read-only */
	if (off == 0x10 || off == 0x14 || off == M_DEBUG1)
		return;                         /* no BARs on this root port; status */
	for (int c = 0; c < PCI_DW_MSI_CTRLS; c++)
		if (off == M_MSI_ST(c)) {
			m.msi_status[c] &= ~v;  /* write one to clear */
			return;
		}
	if (off < sizeof m.dbi)
		m.dbi[off / 4] = v;
}

static uint32_t model_read(void *ctx, enum pci_dw_space s, uint64_t off)
{
	(void)ctx;
	if (s == PCI_DW_DBI)
		return dbi_read(off);
	if (s == PCI_DW_ATU) {
		if (!m.unrolled || off & 0x100) {
			m.wrong_space++;
			return 0xffffffffu;
		}
		return region_read((unsigned)(off >> 9), (unsigned)(off & 0xff));
	}
	struct fake_fn *f = cfg_target(off);
	return f ? fake_read(f, (unsigned)off) : 0xffffffffu;
}

static void model_write(void *ctx, enum pci_dw_space s, uint64_t off, uint32_t v)
{
	(void)ctx;
	if (s == PCI_DW_DBI) {
		dbi_write(off, v);
	} else if (s == PCI_DW_ATU) {
		if (!m.unrolled || off & 0x100)
			m.wrong_space++;
		else {
			m.unrolled_writes++;
			region_write((unsigned)(off >> 9), (unsigned)(off & 0xff), v);
		}
	} else {
		struct fake_fn *f = cfg_target(off);
		if (f)
			fake_write(f, (unsigned)off, v);
	}
}

/* A memory write by a device: false when the MSI controller does not
 * catch it (another address: it goes to memory). */
static bool model_msi_write(uint64_t addr, uint32_t data)
{
	if (addr != ((uint64_t)m.dbi[M_MSI_HI / 4] << 32 | m.dbi[M_MSI_LO / 4]))
		return false;
	unsigned c = data / 32, bit = 1u << (data % 32);
	if (c < PCI_DW_MSI_CTRLS && (m.dbi[M_MSI_EN(c) / 4] & bit))
		m.msi_status[c] |= bit;
	return true;
}

/* The controller's interrupt line. */
static bool model_irq(void)
{
	for (int c = 0; c < PCI_DW_MSI_CTRLS; c++)
		if (m.msi_status[c] & ~m.dbi[M_MSI_MASK(c) / 4])
			return true;
	return false;
}

/* Function f signals through its MSI capability at cap as programmed:
 * false when MSI is off or the controller did not catch the write. */
static bool device_signals(const struct fake_fn *f, unsigned cap)
{
	uint32_t ctrl = f->regs[cap / 4] >> 16;
	if (!(ctrl & 1))
		return false;
	bool is64 = ctrl & 0x80;
	uint64_t addr = f->regs[cap / 4 + 1] | (is64 ? (uint64_t)f->regs[cap / 4 + 2] << 32 : 0);
	return model_msi_write(addr, f->regs[cap / 4 + (is64 ? 3 : 2)] & 0xffff);
}

/* A fresh core: the root port with its class unset, a link that is up,
 * and an NVMe controller (16 KiB BAR) with a 64-bit MSI capability at 0x50. */
static void reset(bool unrolled)
{
	memset(&m, 0, sizeof m);
	m.unrolled = unrolled;
	m.link_up = true;
	m.enable_after = 2;
	m.dbi[0] = 0xabcd16c3u;                 /* device << 16 | vendor */
	m.dbi[0x08 / 4] = 0x00000001u;          /* class 0: what some cores say after reset */
	m.dbi[0x0c / 4] = 1u << 16;             /* header type 1 */
	m.has_link = true;
	fake_init(&m.link, PCI_BDF(1, 0, 0), 0x144d, 0xa808, 0x010802, 0, 1);
	fake_bar64(&m.link, 0, 16384);
	m.link.regs[1] = (uint32_t)PCI_STATUS_CAPS << 16;
	m.link.regs[PCI_CAP_PTR / 4] = 0x50;
	m.link.regs[0x50 / 4] = 0x0080u << 16 | PCI_CAP_MSI;
}

static struct pci_dw dw;

static int setup(void)
{
	memset(&dw, 0, sizeof dw);
	dw.io = (struct pci_dw_io){ model_read, model_write, model_delay, NULL };
	dw.cfg_cpu = CFG_CPU;
	dw.cfg_size = CFG_SIZE;
	dw.mem = (struct pci_window){ MEM_PCI, MEM_CPU, MEM_SIZE, 0 };
	return pci_dw_setup(&dw);
}

static void check_enumerates_port_and_endpoint(void)
{
	struct pci_func f[8];

	KT_EQ(setup(), 0);
	KT_EQ(pci_enumerate(&dw.cfg, &dw.mem, f, 8), 2);
	KT_EQ(f[0].bdf, 0);
	KT_EQ(f[0].class_code, 0x060400);      /* made a bridge, so it was walked behind */
	KT_EQ(f[0].header, 1);
	KT_EQ(f[1].bdf, PCI_BDF(1, 0, 0));
	KT_EQ(f[1].vendor, 0x144d);
	KT_EQ(f[1].up, 0);
	KT_CHECK(f[1].enabled);
	KT_EQ(f[1].bar[0].size, 16384);
	KT_CHECK(f[1].bar[0].pci >= MEM_PCI && f[1].bar[0].pci + 16384 <= MEM_PCI + MEM_SIZE);
	KT_EQ(m.link.regs[4] & ~0xfu, (uint32_t)f[1].bar[0].pci);      /* reached the device */
	KT_EQ(m.dbi[0x18 / 4] & 0xffffff, 0x010100);                    /* sub 1, sec 1, pri 0 */
	KT_CHECK(m.cfg0 > 0);
	KT_EQ(m.wrong_type, 0);
	KT_EQ(m.stale, 0);                      /* never used a region before it was on */
	KT_EQ(m.unmapped, 0);
	KT_EQ(m.wrong_space, 0);
	KT_EQ(m.dbi[M_MISC1 / 4] & 1, 0);       /* the class is read-only again */
	/* region 0 maps the memory window, CPU address to bus address */
	const struct region *g = &m.reg[0];
	KT_EQ(g->r[0] & 0x1f, 0);
	KT_CHECK(g->on);
	KT_EQ((uint64_t)g->r[3] << 32 | g->r[2], MEM_CPU);
	KT_EQ(g->r[4], (uint32_t)(MEM_CPU + MEM_SIZE - 1));
	KT_EQ((uint64_t)g->r[6] << 32 | g->r[5], MEM_PCI);
}

static void t_viewport_iatu_enumerates_port_and_endpoint(const void *arg)
{
	(void)arg;
	reset(false);
	check_enumerates_port_and_endpoint();
	KT_CHECK(!dw.unrolled);
	KT_CHECK(m.viewport_writes > 0);
	KT_EQ(m.unrolled_writes, 0);
}

static void t_unrolled_iatu_is_found_and_used(const void *arg)
{
	(void)arg;
	reset(true);
	check_enumerates_port_and_endpoint();
	KT_CHECK(dw.unrolled);
	KT_CHECK(m.unrolled_writes > 0);
	KT_EQ(m.viewport_writes, 0);
	KT_EQ(m.reg[0].r[8], (uint32_t)((MEM_CPU + MEM_SIZE - 1) >> 32));      /* upper limit */
}

static void t_only_device_0_is_seen_on_the_link(const void *arg)
{
	struct pci_func f[8];

	(void)arg;
	reset(false);
	/* the endpoint answers type 0 requests for all 32 device numbers */
	KT_EQ(setup(), 0);
	KT_EQ(pci_enumerate(&dw.cfg, &dw.mem, f, 8), 2);
	KT_EQ(dw.cfg.read32(&dw, PCI_BDF(1, 5, 0), 0), 0xffffffffu);
	KT_EQ(dw.cfg.read32(&dw, PCI_BDF(0, 1, 0), 0), 0xffffffffu);    /* the root bus has one */
	KT_EQ(dw.cfg.read32(&dw, PCI_BDF(1, 0, 0), 0), 0xa808144du);
}

static void t_buses_behind_a_switch_take_type_1(const void *arg)
{
	struct pci_func f[8];

	(void)arg;
	reset(true);
	fake_init(&m.link, PCI_BDF(1, 0, 0), 0x10b5, 0x8608, 0x060400, 1, 0);   /* a switch port */
	fake_init(&m.behind, PCI_BDF(2, 3, 0), 0x144d, 0xa808, 0x010802, 0, 1);
	fake_bar64(&m.behind, 0, 16384);
	m.has_behind = true;
	KT_EQ(setup(), 0);
	KT_EQ(pci_enumerate(&dw.cfg, &dw.mem, f, 8), 3);
	KT_EQ(f[1].bdf, PCI_BDF(1, 0, 0));
	KT_EQ(f[2].bdf, PCI_BDF(2, 3, 0));
	KT_EQ(f[2].up, 1);
	KT_CHECK(f[2].enabled);
	KT_EQ(m.behind.regs[4] & ~0xfu, (uint32_t)f[2].bar[0].pci);
	KT_CHECK(m.cfg1 > 0);
	KT_EQ(m.wrong_type, 0);
	KT_EQ(m.dbi[0x18 / 4] >> 16 & 0xff, 2);                         /* subordinate */
	KT_EQ(m.stale, 0);
}

static void t_link_down_leaves_only_the_root_port(const void *arg)
{
	struct pci_func f[8];

	(void)arg;
	reset(false);
	m.link_up = false;
	KT_EQ(setup(), PCI_DW_E_LINK);
	KT_EQ(pci_enumerate(&dw.cfg, &dw.mem, f, 8), 1);
	KT_EQ(m.while_down, 0);                 /* nothing was sent down a dead link */
	reset(false);
	m.training = true;                      /* up, but still training: not yet */
	KT_EQ(setup(), PCI_DW_E_LINK);
}

static void t_region_that_never_enables_is_said(const void *arg)
{
	struct pci_func f[8];

	(void)arg;
	reset(false);
	m.enable_after = -1;
	KT_EQ(setup(), PCI_DW_E_ATU);
	KT_EQ(m.delays, 5);                     /* it waited between tries, then gave up */
	KT_EQ(pci_enumerate(&dw.cfg, &dw.mem, f, 8), 1);
	KT_EQ(m.stale, 0);                      /* and never read through a region that was off */
	KT_CHECK(dw.atu_failures >= 2);
}

static void t_configuration_window_is_aimed_once_per_function(const void *arg)
{
	(void)arg;
	reset(false);
	KT_EQ(setup(), 0);
	m.dbi[0x18 / 4] = 0x00010100;           /* as enumeration leaves it */
	int before = m.viewport_writes;
	for (unsigned off = 0; off < 64; off += 4)
		(void)dw.cfg.read32(&dw, PCI_BDF(1, 0, 0), off);
	KT_EQ(m.viewport_writes - before, 7);   /* one programming of region 1 */
	KT_EQ(m.stale, 0);
}

static void t_msi_reaches_the_vector_it_was_given(const void *arg)
{
	struct pci_func f[8];
	uint16_t got[4];

	(void)arg;
	reset(false);
	KT_EQ(setup(), 0);
	KT_EQ(pci_enumerate(&dw.cfg, &dw.mem, f, 8), 2);
	pci_dw_msi_setup(&dw, MSI_ADDR);
	KT_EQ(m.dbi[M_MSI_LO / 4], (uint32_t)MSI_ADDR);
	KT_EQ(m.dbi[M_MSI_HI / 4], (uint32_t)(MSI_ADDR >> 32));
	int v0 = pci_dw_msi_alloc(&dw), v1 = pci_dw_msi_alloc(&dw);
	KT_EQ(v0, 0);
	KT_EQ(v1, 1);
	KT_EQ(pci_msi_enable(&dw.cfg, f[1].bdf, dw.msi_addr, (uint16_t)v1), 0);
	KT_CHECK(m.link.regs[1] & PCI_CMD_INTX_OFF);
	KT_CHECK(!model_irq());
	KT_CHECK(device_signals(&m.link, 0x50));
	KT_CHECK(model_irq());
	KT_EQ(pci_dw_msi_pending(&dw, got, 4), 1);
	KT_EQ(got[0], 1);
	KT_CHECK(!model_irq());                 /* acknowledged */
	KT_EQ(pci_dw_msi_pending(&dw, got, 4), 0);
	/* freed: the controller drops the write, nothing is raised */
	pci_dw_msi_free(&dw, v1);
	KT_CHECK(device_signals(&m.link, 0x50));
	KT_CHECK(!model_irq());
	KT_EQ(pci_dw_msi_pending(&dw, got, 4), 0);
	/* the next one to ask gets the freed vector back */
	KT_EQ(pci_dw_msi_alloc(&dw), 1);
}

static void t_msi_vectors_span_controllers(const void *arg)
{
	uint16_t got[4];

	(void)arg;
	reset(true);
	KT_EQ(setup(), 0);
	pci_dw_msi_setup(&dw, MSI_ADDR);
	for (int i = 0; i < 40; i++)
		KT_EQ(pci_dw_msi_alloc(&dw), i);
	KT_EQ(m.dbi[M_MSI_EN(1) / 4], 0xffu);   /* vectors 32..39 on the second controller */
	KT_EQ(m.dbi[M_MSI_MASK(1) / 4], ~0xffu);
	KT_CHECK(model_msi_write(MSI_ADDR, 37));
	KT_CHECK(model_msi_write(MSI_ADDR, 5));
	KT_CHECK(model_msi_write(MSI_ADDR, 40));        /* not enabled: dropped */
	KT_CHECK(!model_msi_write(MSI_ADDR + 4, 6));    /* another address: memory's */
	KT_EQ(pci_dw_msi_pending(&dw, got, 1), 1);      /* room for one: the rest wait */
	KT_EQ(got[0], 5);
	KT_CHECK(model_irq());
	KT_EQ(pci_dw_msi_pending(&dw, got, 4), 1);
	KT_EQ(got[0], 37);
	KT_CHECK(!model_irq());
	for (int i = 40; i < PCI_DW_MSI_VECTORS; i++)
		KT_EQ(pci_dw_msi_alloc(&dw), i);
	KT_EQ(pci_dw_msi_alloc(&dw), -1);               /* all 256 taken */
}

static void t_32_bit_msi_capability_takes_low_addresses_only(const void *arg)
{
	(void)arg;
	reset(false);
	KT_EQ(setup(), 0);
	m.link.regs[0x50 / 4] = 0x0000u << 16 | PCI_CAP_MSI;    /* 32-bit */
	m.dbi[0x18 / 4] = 0x00010100;
	pci_dw_msi_setup(&dw, MSI_ADDR);
	int v = pci_dw_msi_alloc(&dw);
	KT_EQ(pci_msi_enable(&dw.cfg, PCI_BDF(1, 0, 0), dw.msi_addr, (uint16_t)v), 0);
	KT_EQ(m.link.regs[0x58 / 4] & 0xffff, (uint32_t)v);     /* data right after the address */
	KT_CHECK(device_signals(&m.link, 0x50));
	KT_CHECK(model_irq());
	KT_EQ(pci_msi_enable(&dw.cfg, PCI_BDF(1, 0, 0), 0x100000000ull, 1), -1);
	m.link.regs[1] &= ~((uint32_t)PCI_STATUS_CAPS << 16);
	KT_EQ(pci_msi_enable(&dw.cfg, PCI_BDF(1, 0, 0), dw.msi_addr, 1), -1);   /* no capability */
}

static void t_msix_table_is_found_and_filled(const void *arg)
{
	uint32_t table[16 * 4];
	unsigned bar = 9;
	uint32_t offset = 0;

	(void)arg;
	reset(false);
	KT_EQ(setup(), 0);
	m.dbi[0x18 / 4] = 0x00010100;
	m.link.regs[0x50 / 4] = 0x70u << 8 | PCI_CAP_MSI;
	m.link.regs[0x70 / 4] = (0x4000u | 15u) << 16 | PCI_CAP_MSIX;  /* 16 entries, all masked */
	m.link.regs[0x74 / 4] = 0x2000 | 0;
	KT_EQ(pci_msix_table(&dw.cfg, PCI_BDF(1, 0, 0), &bar, &offset), 16);
	KT_EQ(bar, 0);
	KT_EQ(offset, 0x2000);
	memset(table, 0xee, sizeof table);
	pci_msix_set(table, 3, MSI_ADDR, 77);
	KT_EQ(table[12], (uint32_t)MSI_ADDR);
	KT_EQ(table[13], (uint32_t)(MSI_ADDR >> 32));
	KT_EQ(table[14], 77);
	KT_EQ(table[15], 0);                    /* unmasked */
	KT_EQ(table[11], 0xeeeeeeeeu);          /* its neighbours untouched */
	KT_EQ(table[16], 0xeeeeeeeeu);
	KT_EQ(pci_msix_enable(&dw.cfg, PCI_BDF(1, 0, 0)), 0);
	KT_EQ(m.link.regs[0x70 / 4] >> 16, 0x8000u | 15u);             /* on, no function mask */
	KT_CHECK(m.link.regs[1] & PCI_CMD_INTX_OFF);
	KT_EQ(m.link.regs[0x70 / 4] & 0xffff, 0x0000u | PCI_CAP_MSIX);  /* id and next kept */
}

/* pci-server's MSI bookkeeping (pci_msi_route): a driver's vector reaches
 * it and nobody else, goes back with the driver, and a late write to a
 * vector let go is dropped. */
static void route_setup(struct pci_msi_route *r, bool unrolled)
{
	struct pci_func f[8];

	reset(unrolled);
	KT_EQ(setup(), 0);
	KT_EQ(pci_enumerate(&dw.cfg, &dw.mem, f, 8), 2);
	pci_dw_msi_setup(&dw, MSI_ADDR);
	pci_msi_route_init(r, &dw);
}

static void t_msi_route_gives_each_driver_its_own_vectors(const void *arg)
{
	struct pci_msi_route r;
	uint16_t got[4];
	int a, b;                               /* two drivers (their opens) */
	unsigned nvme = PCI_BDF(1, 0, 0);

	(void)arg;
	route_setup(&r, true);
	int v = pci_msi_route_attach(&r, &a, nvme);
	KT_EQ(v, 0);
	KT_EQ(m.link.regs[0x5c / 4] & 0xffff, (uint32_t)v);     /* the function's data word */
	KT_CHECK(m.link.regs[0x50 / 4] >> 16 & 1);              /* MSI on */
	KT_CHECK(device_signals(&m.link, 0x50));
	KT_EQ(pci_msi_route_pending(&r, got, 4), 1);
	KT_EQ(got[0], v);
	KT_EQ(pci_msi_route_pending(&r, got, 4), 0);            /* acknowledged */
	/* the root port has no MSI capability: ENOTSUP, and its vector is free */
	KT_EQ(pci_msi_route_attach(&r, &b, 0), -ENOTSUP);
	KT_EQ(dw.msi_used[0], 1u);
	/* a stray write to a vector nobody holds is caught and dropped */
	KT_CHECK(model_msi_write(MSI_ADDR, 9));
	KT_CHECK(!model_irq());
	KT_EQ(pci_msi_route_pending(&r, got, 4), 0);
	/* b's driver gone: a's vector stays */
	KT_EQ(pci_msi_route_release(&r, &b), 0);
	KT_CHECK(device_signals(&m.link, 0x50));
	KT_EQ(pci_msi_route_pending(&r, got, 4), 1);
	/* a's driver gone: MSI off on its function, the vector free */
	KT_EQ(pci_msi_route_release(&r, &a), 1);
	KT_EQ(m.link.regs[0x50 / 4] >> 16 & 1, 0);
	KT_CHECK(!device_signals(&m.link, 0x50));
	KT_EQ(dw.msi_used[0], 0u);
	KT_EQ(pci_msi_route_pending(&r, got, 4), 0);
}

/* A write that was caught before its vector was let go is not handed to
 * the vector's next owner as theirs. */
static void t_msi_route_drops_a_vector_let_go(const void *arg)
{
	struct pci_msi_route r;
	uint16_t got[4];
	int a;
	unsigned nvme = PCI_BDF(1, 0, 0);

	(void)arg;
	route_setup(&r, false);
	int v = pci_msi_route_attach(&r, &a, nvme);
	KT_EQ(v, 0);
	KT_CHECK(device_signals(&m.link, 0x50));                /* pending, not yet taken */
	r.owner[v] = NULL;                      /* as if the release raced the interrupt */
	KT_EQ(pci_msi_route_pending(&r, got, 4), 0);
	KT_CHECK(!model_irq());                 /* acknowledged all the same */
	/* all 256 vectors taken: ENOSPC, nothing changed */
	r.owner[v] = &a;
	for (int i = 1; i < PCI_DW_MSI_VECTORS; i++)
		KT_EQ(pci_dw_msi_alloc(&dw), i);
	KT_EQ(pci_msi_route_attach(&r, &a, nvme), -ENOSPC);
}

static const struct kt_case cases[] = {
	{ "viewport_iatu_enumerates_port_and_endpoint", t_viewport_iatu_enumerates_port_and_endpoint, NULL },
	{ "unrolled_iatu_is_found_and_used", t_unrolled_iatu_is_found_and_used, NULL },
	{ "only_device_0_is_seen_on_the_link", t_only_device_0_is_seen_on_the_link, NULL },
	{ "buses_behind_a_switch_take_type_1", t_buses_behind_a_switch_take_type_1, NULL },
	{ "link_down_leaves_only_the_root_port", t_link_down_leaves_only_the_root_port, NULL },
	{ "region_that_never_enables_is_said", t_region_that_never_enables_is_said, NULL },
	{ "configuration_window_is_aimed_once_per_function",
	  t_configuration_window_is_aimed_once_per_function, NULL },
	{ "msi_reaches_the_vector_it_was_given", t_msi_reaches_the_vector_it_was_given, NULL },
	{ "msi_vectors_span_controllers", t_msi_vectors_span_controllers, NULL },
	{ "32_bit_msi_capability_takes_low_addresses_only",
	  t_32_bit_msi_capability_takes_low_addresses_only, NULL },
	{ "msix_table_is_found_and_filled", t_msix_table_is_found_and_filled, NULL },
	{ "msi_route_gives_each_driver_its_own_vectors",
	  t_msi_route_gives_each_driver_its_own_vectors, NULL },
	{ "msi_route_drops_a_vector_let_go", t_msi_route_drops_a_vector_let_go, NULL },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
