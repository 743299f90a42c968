/* Host tests of PCI enumeration (os/lib/pci.c) against a fake
 * configuration space: BARs that answer sizing as hardware does, a
 * bridge with a device behind it, capability lists good and looping, and
 * QEMU virt's INTx wiring. */
#include "fake_pci.h"
#include "ktap.h"
#include "pci.h"

#define FAKES 8

static struct fake_fn fakes[FAKES];
static int nfakes;
static int bus_base_seen;               /* a bridge's secondary bus, as programmed */

static struct fake_fn *find(unsigned bdf)
{
	for (int i = 0; i < nfakes; i++) {
		/* a function behind the bridge answers on the secondary bus it was given */
		unsigned bus = PCI_BUS(fakes[i].bdf) == 1 ? (unsigned)bus_base_seen : PCI_BUS(fakes[i].bdf);
		if (bus == PCI_BUS(bdf) && (fakes[i].bdf & 0xff) == (bdf & 0xff) && bus != 0xffffu)
			return &fakes[i];
	}
	return NULL;
}

static uint32_t cfg_read(void *ctx, unsigned bdf, unsigned off)
{
	(void)ctx;
	struct fake_fn *f = find(bdf);
	return f ? fake_read(f, off) : 0xffffffffu;
}

static void cfg_write(void *ctx, unsigned bdf, unsigned off, uint32_t v)
{
	(void)ctx;
	struct fake_fn *f = find(bdf);
	if (!f)
		return;
	if (off == PCI_PRIMARY_BUS && (f->regs[3] >> 16 & 0x7f) == 1)
		bus_base_seen = (int)(v >> 8 & 0xff);
	fake_write(f, off, v);
}

static const struct pci_cfg cfg = { cfg_read, cfg_write, NULL };

static struct fake_fn *add(unsigned bdf, uint16_t vendor, uint16_t device, uint32_t class_code,
			   uint8_t header, uint8_t pin)
{
	struct fake_fn *f = &fakes[nfakes++];
	fake_init(f, bdf, vendor, device, class_code, header, pin);
	return f;
}

static void reset(void)
{
	nfakes = 0;
	bus_base_seen = 0xffff;
}

/* QEMU virt with an NVMe controller: the host bridge at 00:00.0 and the
 * controller (16 KiB 64-bit BAR0) at 00:01.0. */
static void qemu_like(void)
{
	reset();
	add(PCI_BDF(0, 0, 0), 0x1b36, 0x0008, 0x060000, 0, 0);
	struct fake_fn *n = add(PCI_BDF(0, 1, 0), 0x1b36, 0x0010, 0x010802, 0, 1);
	fake_bar64(n, 0, 16384);
	fake_bar32(n, 4, 4096, 0);              /* a 32-bit BAR after the 64-bit pair */
	fake_bar32(n, 5, 256, 1);               /* I/O */
}

static void t_finds_functions_and_places_bars(const void *arg)
{
	struct pci_window w = { 0x40000000, 0x40000000, 0x40000000, 0 };
	struct pci_func f[8];

	(void)arg;
	qemu_like();
	KT_EQ(pci_enumerate(&cfg, &w, f, 8), 2);
	KT_EQ(f[0].bdf, 0);
	KT_EQ(f[0].class_code >> 8, 0x0600);
	KT_EQ(f[1].bdf, PCI_BDF(0, 1, 0));
	KT_EQ(f[1].vendor, 0x1b36);
	KT_EQ(f[1].device, 0x0010);
	KT_EQ(f[1].class_code, 0x010802);
	KT_CHECK(f[1].enabled);
	KT_EQ(f[1].bar[0].size, 16384);
	KT_CHECK(f[1].bar[0].is64);
	KT_EQ(f[1].bar[0].pci % 16384, 0);      /* naturally aligned */
	KT_CHECK(f[1].bar[0].pci >= 0x40000000 && f[1].bar[0].pci + 16384 <= 0x80000000);
	KT_EQ(f[1].bar[1].size, 0);             /* the pair's high half */
	KT_EQ(f[1].bar[4].size, 4096);
	KT_CHECK(f[1].bar[4].pci != f[1].bar[0].pci);
	KT_CHECK(f[1].bar[5].io);
	KT_EQ(f[1].bar[5].size, 256);
	KT_EQ(f[1].bar[5].pci, 0);              /* I/O stays unassigned */
	/* the device was programmed with what the table says */
	KT_EQ(fakes[1].regs[4] & ~0xfu, (uint32_t)f[1].bar[0].pci);
	KT_EQ(fakes[1].regs[5], 0);
	KT_EQ(fakes[1].regs[1] & (PCI_CMD_MEM | PCI_CMD_MASTER), PCI_CMD_MEM | PCI_CMD_MASTER);
	KT_STREQ(pci_class_name(f[1].class_code), "NVM Express controller");
}

static void t_cpu_address_follows_the_window(const void *arg)
{
	struct pci_window w = { 0x1000000, 0x50000000, 0x1000000, 0 };
	struct pci_func f[8];

	(void)arg;
	qemu_like();
	KT_EQ(pci_enumerate(&cfg, &w, f, 8), 2);
	KT_EQ(f[1].bar[0].cpu - f[1].bar[0].pci, 0x50000000 - 0x1000000);
}

static void t_window_too_small_leaves_the_function_off(const void *arg)
{
	struct pci_window w = { 0x40000000, 0x40000000, 8192, 0 };
	struct pci_func f[8];

	(void)arg;
	qemu_like();
	KT_EQ(pci_enumerate(&cfg, &w, f, 8), 2);
	KT_CHECK(!f[1].enabled);
	KT_EQ(f[1].bar[0].pci, 0);
	KT_EQ(fakes[1].regs[1] & PCI_CMD_MEM, 0);
}

static void t_table_too_small_is_said(const void *arg)
{
	struct pci_window w = { 0x40000000, 0x40000000, 0x40000000, 0 };
	struct pci_func f[1];

	(void)arg;
	qemu_like();
	KT_EQ(pci_enumerate(&cfg, &w, f, 1), PCI_E_TOOMANY);
	KT_EQ(f[0].bdf, 0);
}

static void t_multifunction_devices_list_every_function(const void *arg)
{
	struct pci_window w = { 0x40000000, 0x40000000, 0x40000000, 0 };
	struct pci_func f[8];

	(void)arg;
	reset();
	add(PCI_BDF(0, 2, 0), 0x1234, 1, 0x0c0330, 0x80, 1);
	add(PCI_BDF(0, 2, 3), 0x1234, 2, 0x0c0330, 0, 2);
	add(PCI_BDF(0, 3, 5), 0x1234, 3, 0x0c0330, 0, 1);     /* fn 0 absent: not scanned */
	KT_EQ(pci_enumerate(&cfg, &w, f, 8), 2);
	KT_EQ(f[1].bdf, PCI_BDF(0, 2, 3));
}

static void t_bridge_gets_buses_and_a_window(const void *arg)
{
	struct pci_window w = { 0x40000000, 0x40000000, 0x40000000, 0 };
	struct pci_func f[8];
	static const struct pci_intx_route map[] = {      /* QEMU virt's, slots 0..3, INTA..D */
		{ 0x0000, 0x1800, 1, 7, 32 }, { 0x0000, 0x1800, 2, 7, 33 },
		{ 0x0800, 0x1800, 1, 7, 33 }, { 0x0800, 0x1800, 2, 7, 34 },
		{ 0x1000, 0x1800, 1, 7, 34 }, { 0x1800, 0x1800, 1, 7, 35 },
	};

	(void)arg;
	reset();
	add(PCI_BDF(0, 2, 0), 0x1b36, 0x000c, 0x060400, 1, 1);
	struct fake_fn *d = add(PCI_BDF(1, 1, 0), 0x1b36, 0x0010, 0x010802, 0, 1);
	fake_bar64(d, 0, 16384);
	KT_EQ(pci_enumerate(&cfg, &w, f, 8), 2);
	KT_EQ(bus_base_seen, 1);
	KT_EQ(fakes[0].regs[6] >> 16 & 0xff, 1);                /* subordinate */
	KT_EQ(f[1].bdf, PCI_BDF(1, 1, 0));
	KT_EQ(f[1].up, 0);
	KT_CHECK(f[1].enabled);
	uint32_t win = fakes[0].regs[8];
	KT_CHECK((uint64_t)(win & 0xfff0) << 16 <= f[1].bar[0].pci);
	KT_CHECK(((uint64_t)(win >> 16 & 0xfff0) << 16 | 0xfffff) >= f[1].bar[0].pci + 16383);
	/* INTA of device 1 behind the bridge in slot 2 arrives as INTB of slot 2 */
	KT_EQ(pci_intx_irq(map, 6, &f[1], f, 2), 0);            /* not in this short map */
	f[1].pin = 4;                                           /* INTD -> INTA of slot 2 */
	KT_EQ(pci_intx_irq(map, 6, &f[1], f, 2), 34);
	KT_EQ(pci_intx_irq(map, 6, &f[0], f, 2), 34);           /* the bridge's own INTA */
}

static void t_capabilities_are_found_and_loops_cut(const void *arg)
{
	(void)arg;
	reset();
	struct fake_fn *n = add(PCI_BDF(0, 1, 0), 0x1b36, 0x0010, 0x010802, 0, 1);
	n->regs[1] = (uint32_t)PCI_STATUS_CAPS << 16;
	n->regs[PCI_CAP_PTR / 4] = 0x40;
	n->regs[0x40 / 4] = 0x50u << 8 | PCI_CAP_MSIX;
	n->regs[0x50 / 4] = 0x60u << 8 | PCI_CAP_PCIE;
	n->regs[0x60 / 4] = 0x00u << 8 | PCI_CAP_MSI;
	KT_EQ(pci_find_cap(&cfg, n->bdf, PCI_CAP_MSIX), 0x40);
	KT_EQ(pci_find_cap(&cfg, n->bdf, PCI_CAP_PCIE), 0x50);
	KT_EQ(pci_find_cap(&cfg, n->bdf, PCI_CAP_MSI), 0x60);
	KT_EQ(pci_find_cap(&cfg, n->bdf, 0x09), 0);
	n->regs[0x60 / 4] = 0x40u << 8 | PCI_CAP_MSI;           /* back to the first */
	KT_EQ(pci_find_cap(&cfg, n->bdf, 0x09), 0);             /* ends, does not hang */
	n->regs[1] = 0;
	KT_EQ(pci_find_cap(&cfg, n->bdf, PCI_CAP_MSIX), 0);     /* no list */
}

static void t_intx_routes_like_qemu_virt(const void *arg)
{
	struct pci_intx_route map[16];
	struct pci_func f = { 0 };

	(void)arg;
	for (unsigned s = 0; s < 4; s++)
		for (unsigned p = 1; p <= 4; p++)
			map[s * 4 + p - 1] = (struct pci_intx_route){ s << 11, 0x1800, p, 7,
								      32 + (s + p - 1) % 4 };
	f.up = -1;
	f.bdf = PCI_BDF(0, 1, 0);
	f.pin = 1;
	KT_EQ(pci_intx_irq(map, 16, &f, &f, 1), 33);
	f.bdf = PCI_BDF(0, 5, 0);                               /* slot 5 = slot 1 under the mask */
	KT_EQ(pci_intx_irq(map, 16, &f, &f, 1), 33);
	f.pin = 3;
	KT_EQ(pci_intx_irq(map, 16, &f, &f, 1), 35);
	f.pin = 0;
	KT_EQ(pci_intx_irq(map, 16, &f, &f, 1), 0);
	f.pin = 9;
	KT_EQ(pci_intx_irq(map, 16, &f, &f, 1), 0);
}

static const struct kt_case cases[] = {
	{ "finds_functions_and_places_bars", t_finds_functions_and_places_bars, NULL },
	{ "cpu_address_follows_the_window", t_cpu_address_follows_the_window, NULL },
	{ "window_too_small_leaves_the_function_off", t_window_too_small_leaves_the_function_off, NULL },
	{ "table_too_small_is_said", t_table_too_small_is_said, NULL },
	{ "multifunction_devices_list_every_function", t_multifunction_devices_list_every_function, NULL },
	{ "bridge_gets_buses_and_a_window", t_bridge_gets_buses_and_a_window, NULL },
	{ "capabilities_are_found_and_loops_cut", t_capabilities_are_found_and_loops_cut, NULL },
	{ "intx_routes_like_qemu_virt", t_intx_routes_like_qemu_virt, NULL },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
