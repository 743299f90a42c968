/* Host tests of platform_parse(): the trees QEMU gives its virt and
 * sifive_u machines, an Unmatched-shaped tree, a corner-case tree, and small
 * hand-made trees for each error and table limit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "blob.h"
#include "fdt.h"
#include "ktap.h"
#include "platform.h"

/* A QEMU virt dump: how it was made, hence what it must say. */
struct virt_cfg {
	const char *dtb;
	int smp;
	uint64_t mem;
};

static const struct virt_cfg virt_smp1 = { "virt-smp1.dtb", 1, 512ull << 20 };
static const struct virt_cfg virt_smp4 = { "virt-smp4.dtb", 4, 512ull << 20 };
static const struct virt_cfg virt_smp8 = { "virt-smp8.dtb", 8, 512ull << 20 };
static const struct virt_cfg virt_8g = { "virt-8g.dtb", 2, 8ull << 30 };

static struct platform plat;
static uint8_t *blob;
static size_t blob_len;

/* Loads a DTB into `blob` and parses it into `plat`; false if either fails. */
static bool parse(const char *dtb)
{
	int err;

	free(blob);
	blob = blob_load(dtb, &blob_len);
	if (!blob) {
		kt_fail(__FILE__, __LINE__, "missing %s", dtb);
		return false;
	}
	err = platform_parse(blob, blob_len, &plat);
	if (err)
		kt_fail(__FILE__, __LINE__, "platform_parse(%s) = %d (%s)", dtb, err,
			platform_strerror(err));
	return err == 0;
}

static void t_virt_identity(const void *arg)
{
	const struct virt_cfg *c = arg;

	KT_REQUIRE(parse(c->dtb));
	KT_STREQ(plat.compatible, "riscv-virtio");
	KT_STREQ(plat.model, "riscv-virtio,qemu");
	KT_EQ(plat.fdt_size, blob_get32(blob + HDR_TOTALSIZE));
	KT_CHECK(plat.bootargs == NULL);
	KT_CHECK(!plat.has_initrd);
	KT_EQ(plat.nrsv, 0);
	KT_EQ(plat.dropped, 0);
}

static void t_virt_memory(const void *arg)
{
	const struct virt_cfg *c = arg;

	KT_REQUIRE(parse(c->dtb));
	KT_RANGES(plat.mem, plat.nmem, { 0x80000000, c->mem });
}

static void t_virt_harts(const void *arg)
{
	const struct virt_cfg *c = arg;
	int i;

	KT_REQUIRE(parse(c->dtb));
	KT_EQ(plat.nharts, c->smp);
	for (i = 0; i < plat.nharts; i++) {
		KT_EQ(plat.hart[i].hartid, i);
		KT_CHECK(plat.hart[i].accepted);
		KT_CHECK(plat.hart[i].reason == NULL);
		KT_CHECK(plat.hart[i].isa && strncmp(plat.hart[i].isa, "rv64", 4) == 0);
		KT_EQ(platform_hart_index(&plat, (uint64_t)i), i);
	}
	KT_EQ(platform_hart_index(&plat, (uint64_t)c->smp), -1);
	KT_EQ(plat.timebase_hz, 10000000);
}

/* virt wires hart N's M context to 2N and its S context to 2N + 1. */
static void t_virt_plic(const void *arg)
{
	const struct virt_cfg *c = arg;
	int i;

	KT_REQUIRE(parse(c->dtb));
	KT_CHECK(plat.plic.present);
	KT_EQ(plat.plic.base, 0xc000000);
	KT_EQ(plat.plic.size, 0x600000);
	KT_EQ(plat.plic.ndev, 0x60);
	for (i = 0; i < plat.nharts; i++)
		KT_EQ(plat.hart[i].plic_sctx, 2 * i + 1);
}

static void t_virt_uart(const void *arg)
{
	const struct virt_cfg *c = arg;

	KT_REQUIRE(parse(c->dtb));
	KT_EQ(plat.nuarts, 1);
	KT_EQ(plat.uart[0].kind, PLAT_UART_NS16550);
	KT_EQ(plat.uart[0].base, 0x10000000);
	KT_EQ(plat.uart[0].size, 0x100);
	KT_EQ(plat.uart[0].irq, 10);
	KT_EQ(plat.uart[0].clock_hz, 3686400);
	KT_EQ(plat.uart[0].reg_shift, 0);
	KT_EQ(plat.uart[0].reg_io_width, 1);
	KT_EQ(plat.stdout_uart, 0);
}

static void t_virt_virtio(const void *arg)
{
	const struct virt_cfg *c = arg;
	unsigned seen = 0;
	int i, slot;

	KT_REQUIRE(parse(c->dtb));
	KT_EQ(plat.nvirtio, 8);
	for (i = 0; i < plat.nvirtio; i++) {
		slot = (int)((plat.virtio[i].base - 0x10000000) / 0x1000);
		KT_CHECK(slot >= 1 && slot <= 8);
		KT_EQ(plat.virtio[i].base, 0x10000000 + 0x1000 * (uint64_t)slot);
		KT_EQ(plat.virtio[i].size, 0x1000);
		KT_EQ(plat.virtio[i].irq, slot);
		seen |= 1u << slot;
	}
	KT_EQ(seen, 0x1fe);
}

static void t_virt_pci(const void *arg)
{
	const struct virt_cfg *c = arg;

	KT_REQUIRE(parse(c->dtb));
	KT_EQ(plat.npci, 1);
	KT_STREQ(plat.pci[0].compatible, "pci-host-ecam-generic");
	KT_EQ(plat.pci[0].nregs, 1);
	KT_EQ(plat.pci[0].reg[0].base, 0x30000000);
	KT_EQ(plat.pci[0].reg[0].size, 0x10000000);
	KT_CHECK(plat.pci[0].reg[0].name == NULL);
	KT_EQ(plat.pci[0].bus_start, 0);
	KT_EQ(plat.pci[0].bus_end, 255);
}

static void t_sifive_u_identity(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("sifive_u-smp5.dtb"));
	KT_STREQ(plat.compatible, "sifive,hifive-unleashed-a00");
	KT_EQ(plat.nmem, 1);
	KT_EQ(plat.mem[0].base, 0x80000000);
	KT_EQ(plat.mem[0].size, 512ull << 20);
	KT_EQ(plat.timebase_hz, 1000000);
	KT_EQ(plat.nvirtio, 0);
	KT_EQ(plat.npci, 0);
	KT_EQ(plat.dropped, 0);
}

static void t_sifive_u_harts(const void *arg)
{
	int i;

	(void)arg;
	KT_REQUIRE(parse("sifive_u-smp5.dtb"));
	KT_EQ(plat.nharts, 5);
	KT_EQ(plat.hart[0].hartid, 0);
	KT_CHECK(!plat.hart[0].accepted);
	KT_STREQ(plat.hart[0].reason, "no MMU (mmu-type absent)");
	for (i = 1; i < 5; i++) {
		KT_EQ(plat.hart[i].hartid, i);
		KT_CHECK(plat.hart[i].accepted);
		KT_CHECK(plat.hart[i].reason == NULL);
	}
}

/* sifive_u: context 0 is hart 0's M mode, then an (M, S) pair per hart. */
static void t_sifive_u_plic(const void *arg)
{
	int i;

	(void)arg;
	KT_REQUIRE(parse("sifive_u-smp5.dtb"));
	KT_CHECK(plat.plic.present);
	KT_EQ(plat.plic.base, 0xc000000);
	KT_EQ(plat.plic.size, 0x4000000);
	KT_EQ(plat.plic.ndev, 0x35);
	KT_EQ(plat.hart[0].plic_sctx, -1);
	for (i = 1; i < 5; i++)
		KT_EQ(plat.hart[i].plic_sctx, 2 * i);
}

static void t_sifive_u_uarts(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("sifive_u-smp5.dtb"));
	KT_EQ(plat.nuarts, 2);
	KT_EQ(plat.uart[0].kind, PLAT_UART_SIFIVE);
	KT_EQ(plat.uart[0].base, 0x10010000);
	KT_EQ(plat.uart[0].irq, 4);
	KT_EQ(plat.uart[1].kind, PLAT_UART_SIFIVE);
	KT_EQ(plat.uart[1].base, 0x10011000);
	KT_EQ(plat.uart[1].irq, 5);
	KT_EQ(plat.uart[0].clock_hz, 0);
	KT_EQ(plat.stdout_uart, 0);
}

static void t_fu740_identity(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_STREQ(plat.compatible, "sifive,hifive-unmatched-a00");
	KT_STREQ(plat.model, "SiFive HiFive Unmatched A00");
	KT_EQ(plat.timebase_hz, 1000000);
	KT_EQ(plat.nvirtio, 0);
	KT_EQ(plat.dropped, 0);
}

static void t_fu740_memory(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_RANGES(plat.mem, plat.nmem, { 0x80000000, 16ull << 30 });
	/* /memreserve/ first, then reserved-memory; linux,cma has no reg. */
	KT_RANGES(plat.rsv, plat.nrsv,
		  { 0x80000000, 0x80000 }, { 0x80000000, 0x40000 }, { 0x80040000, 0x20000 });
}

static void t_fu740_harts(const void *arg)
{
	int i;

	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_EQ(plat.nharts, 5);
	KT_CHECK(!plat.hart[0].accepted);
	KT_STREQ(plat.hart[0].reason, "no MMU (mmu-type absent)");
	KT_STREQ(plat.hart[0].isa, "rv64imac");
	for (i = 1; i < 5; i++) {
		KT_EQ(plat.hart[i].hartid, i);
		KT_CHECK(plat.hart[i].accepted);
		KT_STREQ(plat.hart[i].isa, "rv64imafdc");
	}
}

static void t_fu740_plic(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_CHECK(plat.plic.present);
	KT_EQ(plat.plic.base, 0xc000000);
	KT_EQ(plat.plic.size, 0x4000000);
	KT_EQ(plat.plic.ndev, 69);
	KT_EQ(plat.hart[0].plic_sctx, -1);
	KT_EQ(plat.hart[1].plic_sctx, 2);
	KT_EQ(plat.hart[2].plic_sctx, 4);
	KT_EQ(plat.hart[3].plic_sctx, 6);
	KT_EQ(plat.hart[4].plic_sctx, 8);
}

/* The FU740's PCIe host has three register ranges (config, mgmt, dbi),
 * each named by its own `reg` entry. */
static void t_fu740_pcie_regs(const void *arg)
{
	struct plat_device d;
	struct plat_entry e;

	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_REQUIRE(platform_find_device(&plat, "sifive,fu740-pcie", 0, &d) == 0);
	KT_EQ(d.base, 0xdf0000000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_REG, 0, &e), 0);
	KT_EQ(e.parent, 0xdf0000000);
	KT_EQ(e.size, 0x10000000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_REG, 1, &e), 0);
	KT_EQ(e.parent, 0x100d0000);
	KT_EQ(e.size, 0x1000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_REG, 2, &e), 0);
	KT_EQ(e.parent, 0xe00000000);
	KT_EQ(e.size, 0x80000000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_REG, 3, &e), FDT_E_NOTFOUND);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_REG, -1, &e), FDT_E_NOTFOUND);
}

static void t_fu740_uarts(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_EQ(plat.nuarts, 2);      /* serial@10012000 is disabled */
	KT_EQ(plat.uart[0].base, 0x10011000);
	KT_EQ(plat.uart[0].irq, 40);
	KT_EQ(plat.uart[1].base, 0x10010000);
	KT_EQ(plat.uart[1].irq, 39);
	KT_EQ(plat.uart[1].kind, PLAT_UART_SIFIVE);
	KT_EQ(plat.uart[1].size, 0x1000);
	/* stdout-path "serial0:115200n8" -> alias -> uart0, listed second. */
	KT_EQ(plat.stdout_uart, 1);
}

static const struct plat_pci_reg *pci_reg(const struct plat_pci *pc, const char *name)
{
	int i;

	for (i = 0; i < pc->nregs; i++) {
		if (pc->reg[i].name && strcmp(pc->reg[i].name, name) == 0)
			return &pc->reg[i];
	}
	return NULL;
}

static void t_fu740_pcie(const void *arg)
{
	const struct plat_pci_reg *r;

	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_EQ(plat.npci, 1);
	KT_STREQ(plat.pci[0].compatible, "sifive,fu740-pcie");
	KT_EQ(plat.pci[0].nregs, 3);
	r = pci_reg(&plat.pci[0], "dbi");
	KT_REQUIRE(r);
	KT_EQ(r->base, 0xe00000000ull);
	KT_EQ(r->size, 0x80000000);
	r = pci_reg(&plat.pci[0], "config");
	KT_REQUIRE(r);
	KT_EQ(r->base, 0xdf0000000ull);
	KT_EQ(r->size, 0x10000000);
	r = pci_reg(&plat.pci[0], "mgmt");
	KT_REQUIRE(r);
	KT_EQ(r->base, 0x100d0000);
	KT_EQ(r->size, 0x1000);
	KT_EQ(plat.pci[0].bus_start, 0);
	KT_EQ(plat.pci[0].bus_end, 255);
}

static void t_fu740_chosen(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("fu740.dtb"));
	KT_STREQ(plat.bootargs, "keel.loglevel=3 keel.ktest");
	KT_CHECK(plat.has_initrd);
	KT_EQ(plat.initrd_start, 0x88000000);
	KT_EQ(plat.initrd_end, 0x88412000);
}

static void t_misc_memory(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("misc.dtb"));
	KT_STREQ(plat.compatible, "keel,misc-test");
	KT_CHECK(plat.model == NULL);
	/* The disabled bank is left out. */
	KT_RANGES(plat.mem, plat.nmem, { 0x80000000, 0x10000000 }, { 0xa0000000, 0x8000000 },
		  { 0x100000000ull, 0x40000000 });
	KT_RANGES(plat.rsv, plat.nrsv, { 0x90000000, 0x1000 }, { 0x90100000, 0x2000 },
		  { 0x80000000, 0x20000 }, { 0x80100000, 0x1000 });
}

static void t_misc_harts(const void *arg)
{
	static const char *const reasons[] = {
		NULL, "status disabled", "mmu-type riscv,sv32 unsupported",
		"no MMU (mmu-type riscv,none)", "status not okay", NULL, "mmu-type unsupported",
	};
	int i;

	(void)arg;
	KT_REQUIRE(parse("misc.dtb"));
	KT_EQ(plat.nharts, 7);   /* cpu-map is not a cpu */
	for (i = 0; i < plat.nharts && i < 7; i++) {
		KT_EQ(plat.hart[i].hartid, i);
		KT_EQ(plat.hart[i].accepted, reasons[i] == NULL);
		if (reasons[i])
			KT_STREQ(plat.hart[i].reason, reasons[i]);
		else
			KT_CHECK(plat.hart[i].reason == NULL);
		KT_EQ(plat.hart[i].plic_sctx, -1);
	}
	KT_STREQ(plat.hart[0].isa, "rv64gc");
	KT_CHECK(plat.hart[1].isa == NULL);
	KT_EQ(plat.timebase_hz, 25000000);   /* only on cpu@0 */
	KT_CHECK(!plat.plic.present);
}

static void t_misc_devices(const void *arg)
{
	(void)arg;
	KT_REQUIRE(parse("misc.dtb"));
	KT_EQ(plat.nuarts, 1);
	KT_EQ(plat.uart[0].kind, PLAT_UART_NS16550);
	KT_EQ(plat.uart[0].base, 0x40201000);     /* through two ranges */
	KT_EQ(plat.uart[0].irq, 33);              /* from interrupts-extended */
	KT_EQ(plat.uart[0].clock_hz, 1843200);
	KT_EQ(plat.uart[0].reg_shift, 2);
	KT_EQ(plat.uart[0].reg_io_width, 4);
	KT_EQ(plat.stdout_uart, -1);              /* stdout-path names the virtio node */
	KT_EQ(plat.nvirtio, 1);
	KT_EQ(plat.virtio[0].base, 0x40200100);
	KT_EQ(plat.virtio[0].irq, 7);
	KT_EQ(plat.npci, 1);                      /* the bridge below it is not a host */
	KT_STREQ(plat.pci[0].compatible, "keel,pci-by-type");
	KT_EQ(plat.pci[0].reg[0].base, 0x60000000);
	KT_EQ(plat.pci[0].bus_start, 0);
	KT_EQ(plat.pci[0].bus_end, 255);
	KT_CHECK(plat.has_initrd);
	KT_EQ(plat.initrd_start, 0x84000000);
	KT_EQ(plat.initrd_end, 0x84100000);
	KT_EQ(plat.dropped, 0);
}

/* Devices the platform struct does not table, found by compatible. */
static void t_find_device(const void *arg)
{
	struct plat_device d;

	(void)arg;
	KT_REQUIRE(parse("virt-smp4.dtb"));
	KT_EQ(platform_find_device(&plat, "google,goldfish-rtc", 0, &d), 0);
	KT_EQ(d.base, 0x101000);
	KT_EQ(d.size, 0x1000);
	KT_EQ(d.irq, 11);
	KT_EQ(platform_find_device(&plat, "google,goldfish-rtc", 1, &d), FDT_E_NOTFOUND);
	KT_EQ(platform_find_device(&plat, "virtio,mmio", 7, &d), 0);    /* QEMU lists them */
	KT_EQ(d.base, 0x10001000);                                      /* highest first */
	KT_EQ(d.irq, 1);
	KT_EQ(platform_find_device(&plat, "virtio,mmio", 8, &d), FDT_E_NOTFOUND);
	KT_REQUIRE(parse("sifive_u-smp5.dtb"));
	KT_EQ(platform_find_device(&plat, "google,goldfish-rtc", 0, &d), FDT_E_NOTFOUND);
	KT_EQ(platform_find_device(&plat, "sifive,uart0", 1, &d), 0);
	KT_EQ(d.base, 0x10011000);
	KT_EQ(d.irq, 5);
	KT_REQUIRE(parse("misc.dtb"));
	KT_EQ(platform_find_device(&plat, "ns16550a", 0, &d), 0);
	KT_EQ(d.base, 0x40201000);                 /* through two ranges */
	KT_EQ(d.irq, 33);                          /* from interrupts-extended */
}

/* QEMU virt's PCIe host: its windows from `ranges` and its INTx wiring
 * from `interrupt-map` (INTA of slot s is PLIC 32 + s % 4). */
static void t_device_entries(const void *arg)
{
	struct plat_device d;
	struct plat_entry e;

	(void)arg;
	KT_REQUIRE(parse("virt-smp4.dtb"));
	KT_REQUIRE(platform_find_device(&plat, "pci-host-ecam-generic", 0, &d) == 0);
	KT_EQ(d.base, 0x30000000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_RANGE, 0, &e), 0);
	KT_EQ(e.flags, 0x01000000);                     /* I/O space */
	KT_EQ(e.parent, 0x3000000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_RANGE, 1, &e), 0);
	KT_EQ(e.flags, 0x02000000);                     /* 32-bit memory */
	KT_EQ(e.child, 0x40000000);
	KT_EQ(e.parent, 0x40000000);
	KT_EQ(e.size, 0x40000000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_RANGE, 2, &e), 0);
	KT_EQ(e.flags, 0x03000000);                     /* 64-bit memory */
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_RANGE, 3, &e), FDT_E_NOTFOUND);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_REG, 0, &e), 0);
	KT_EQ(e.parent, 0x30000000);                    /* the first is HwInfoDevice's */
	KT_EQ(e.size, 0x10000000);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_REG, 1, &e), FDT_E_NOTFOUND);
	KT_EQ(platform_device_entry(&plat, d.node, 7, 0, &e), FDT_E_BADVALUE);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_IRQMAP, 0, &e), 0);
	KT_EQ(e.flags, 0);
	KT_EQ(e.child, 1);                              /* slot 0, INTA */
	KT_EQ(e.parent, 32);
	KT_EQ(e.mask_flags, 0x1800);
	KT_EQ(e.mask_child, 7);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_IRQMAP, 5, &e), 0);
	KT_EQ(e.flags, 0x800);                          /* slot 1, INTB */
	KT_EQ(e.child, 2);
	KT_EQ(e.parent, 34);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_IRQMAP, 15, &e), 0);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_IRQMAP, 16, &e), FDT_E_NOTFOUND);
	KT_EQ(platform_device_entry(&plat, d.node, 7, 0, &e), FDT_E_BADVALUE);
	KT_REQUIRE(platform_find_device(&plat, "google,goldfish-rtc", 0, &d) == 0);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_RANGE, 0, &e), FDT_E_NOTFOUND);
	KT_EQ(platform_device_entry(&plat, d.node, PLAT_ENTRY_IRQMAP, 0, &e), FDT_E_NOTFOUND);
}

/* ---- hand-made trees ---------------------------------------------------- */

static void prop_cells(struct fdtw *w, const char *name, const uint32_t *c, int n)
{
	uint8_t buf[1024];
	int i;

	if ((size_t)n * 4 > sizeof(buf))
		abort();
	for (i = 0; i < n; i++)
		blob_put32(buf + 4 * i, c[i]);
	fdtw_prop(w, name, buf, (uint32_t)(4 * n));
}

static void cpu_node(struct fdtw *w, uint32_t id, uint32_t phandle)
{
	char name[32];

	snprintf(name, sizeof(name), "cpu@%x", id);
	fdtw_begin(w, name);
	fdtw_prop_str(w, "device_type", "cpu");
	fdtw_prop_u32(w, "reg", id);
	fdtw_prop_str(w, "mmu-type", "riscv,sv39");
	fdtw_begin(w, "interrupt-controller");
	fdtw_prop_u32(w, "#interrupt-cells", 1);
	fdtw_prop_u32(w, "phandle", phandle);
	fdtw_end_node(w);
	fdtw_end_node(w);
}

/* Root with 2/2 cells and /cpus holding `ncpus` sv39 harts; the caller adds
 * nodes and calls mini_end(). */
static void mini_begin(struct fdtw *w, int ncpus)
{
	int i;

	fdtw_init(w);
	fdtw_begin(w, "");
	fdtw_prop_u32(w, "#address-cells", 2);
	fdtw_prop_u32(w, "#size-cells", 2);
	fdtw_begin(w, "cpus");
	fdtw_prop_u32(w, "#address-cells", 1);
	fdtw_prop_u32(w, "#size-cells", 0);
	for (i = 0; i < ncpus; i++)
		cpu_node(w, (uint32_t)i, 0x100 + (uint32_t)i);
	fdtw_end_node(w);
}

static int mini_end(struct fdtw *w)
{
	size_t len;
	uint8_t *b;
	int err;

	fdtw_end_node(w);
	fdtw_end(w);
	b = fdtw_finish(w, &len);
	err = platform_parse(b, len, &plat);
	free(b);
	return err;
}

static void t_err_nocpus(const void *arg)
{
	struct fdtw w;

	(void)arg;
	fdtw_init(&w);
	fdtw_begin(&w, "");
	KT_EQ(mini_end(&w), PLAT_E_NOCPUS);
}

static void t_err_initrd(const void *arg)
{
	struct fdtw w;

	(void)arg;
	mini_begin(&w, 1);
	fdtw_begin(&w, "chosen");
	fdtw_prop_u32(&w, "linux,initrd-start", 0x1000);
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), PLAT_E_INITRD);
	mini_begin(&w, 1);
	fdtw_begin(&w, "chosen");
	fdtw_prop_u32(&w, "linux,initrd-start", 0x2000);
	fdtw_prop_u32(&w, "linux,initrd-end", 0x1000);
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), PLAT_E_INITRD);
	mini_begin(&w, 1);
	fdtw_begin(&w, "chosen");
	fdtw_prop_u32(&w, "linux,initrd-start", 0x2000);
	fdtw_prop(&w, "linux,initrd-end", "abc", 3);
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), FDT_E_BADVALUE);
}

static void t_err_too_many_rsv(const void *arg)
{
	uint32_t reg[4 * (PLAT_MAX_RSV + 1)];
	struct fdtw w;
	int i, n;

	(void)arg;
	for (n = PLAT_MAX_RSV; n <= PLAT_MAX_RSV + 1; n++) {
		for (i = 0; i < n; i++) {
			reg[4 * i] = 0;
			reg[4 * i + 1] = 0x80000000u + 0x10000u * (uint32_t)i;
			reg[4 * i + 2] = 0;
			reg[4 * i + 3] = 0x1000;
		}
		mini_begin(&w, 1);
		fdtw_begin(&w, "reserved-memory");
		fdtw_prop_u32(&w, "#address-cells", 2);
		fdtw_prop_u32(&w, "#size-cells", 2);
		fdtw_begin(&w, "blocks");
		prop_cells(&w, "reg", reg, 4 * n);
		fdtw_end_node(&w);
		fdtw_end_node(&w);
		KT_EQ(mini_end(&w), n > PLAT_MAX_RSV ? PLAT_E_TOOMANYRSV : 0);
	}
	KT_EQ(plat.nrsv, PLAT_MAX_RSV);
}

static void plic_node(struct fdtw *w, const uint32_t *ext, int n)
{
	static const uint32_t reg[] = { 0, 0xc000000, 0, 0x4000000 };

	fdtw_begin(w, "plic@c000000");
	fdtw_prop_str(w, "compatible", "riscv,plic0");
	prop_cells(w, "reg", reg, 4);
	prop_cells(w, "interrupts-extended", ext, n);
	fdtw_end_node(w);
}

static void t_err_plic(const void *arg)
{
	static const uint32_t bad_phandle[] = { 0x100, 11, 0x777, 9 };
	static const uint32_t short_entry[] = { 0x100, 11, 0x101 };
	static const uint32_t good[] = { 0x101, 9, 0x100, 0xffffffff, 0x100, 9 };
	struct fdtw w;

	(void)arg;
	mini_begin(&w, 2);
	plic_node(&w, bad_phandle, 4);
	KT_EQ(mini_end(&w), PLAT_E_PLIC);
	mini_begin(&w, 2);
	plic_node(&w, short_entry, 3);
	KT_EQ(mini_end(&w), FDT_E_BADVALUE);
	/* Out of order on purpose: context 0 is hart 1's S, context 2 hart 0's. */
	mini_begin(&w, 2);
	plic_node(&w, good, 6);
	KT_EQ(mini_end(&w), 0);
	KT_EQ(plat.hart[0].plic_sctx, 2);
	KT_EQ(plat.hart[1].plic_sctx, 0);
}

static void uart_node(struct fdtw *w, uint32_t addr)
{
	uint32_t reg[] = { 0, addr, 0, 0x100 };
	char name[32];

	snprintf(name, sizeof(name), "serial@%x", addr);
	fdtw_begin(w, name);
	fdtw_prop_str(w, "compatible", "ns16550a");
	prop_cells(w, "reg", reg, 4);
	fdtw_end_node(w);
}

static void t_table_limits(const void *arg)
{
	struct fdtw w;
	int i;

	(void)arg;
	mini_begin(&w, PLAT_MAX_HARTS + 6);
	for (i = 0; i < PLAT_MAX_UARTS + 2; i++)
		uart_node(&w, 0x10000000u + 0x1000u * (uint32_t)i);
	KT_EQ(mini_end(&w), 0);
	KT_EQ(plat.nharts, PLAT_MAX_HARTS);
	KT_EQ(plat.hart[PLAT_MAX_HARTS - 1].hartid, PLAT_MAX_HARTS - 1);
	KT_EQ(plat.nuarts, PLAT_MAX_UARTS);
	KT_EQ(plat.dropped, 8);
}

static void t_err_cpu_without_reg(const void *arg)
{
	struct fdtw w;

	(void)arg;
	fdtw_init(&w);
	fdtw_begin(&w, "");
	fdtw_begin(&w, "cpus");
	fdtw_begin(&w, "cpu@0");
	fdtw_prop_str(&w, "device_type", "cpu");
	fdtw_end_node(&w);
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), FDT_E_BADVALUE);
}

static void t_stdout_fallbacks(const void *arg)
{
	struct fdtw w;

	(void)arg;
	mini_begin(&w, 1);
	uart_node(&w, 0x10000000);
	uart_node(&w, 0x10001000);
	fdtw_begin(&w, "chosen");
	fdtw_prop_str(&w, "linux,stdout-path", "/serial@10001000:9600");
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), 0);
	KT_EQ(plat.stdout_uart, 1);
	mini_begin(&w, 1);
	uart_node(&w, 0x10000000);
	fdtw_begin(&w, "chosen");
	fdtw_prop_str(&w, "stdout-path", "/no/such/node");
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), 0);
	KT_EQ(plat.stdout_uart, -1);
	mini_begin(&w, 1);
	fdtw_begin(&w, "chosen");
	fdtw_prop(&w, "stdout-path", "/serial", 7);   /* no NUL */
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), FDT_E_BADVALUE);
}

static void t_bad_cells(const void *arg)
{
	static const uint32_t reg[] = { 0, 0x80000000, 0, 0x1000 };
	struct fdtw w;

	(void)arg;
	mini_begin(&w, 1);
	fdtw_begin(&w, "memory@80000000");
	fdtw_prop_str(&w, "device_type", "memory");
	prop_cells(&w, "reg", reg, 3);                /* not a whole entry */
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), FDT_E_BADVALUE);
	mini_begin(&w, 1);
	fdtw_begin(&w, "memory@80000000");
	fdtw_prop_str(&w, "device_type", "memory");
	prop_cells(&w, "reg", reg, 4);
	fdtw_end_node(&w);
	KT_EQ(mini_end(&w), 0);
	KT_RANGES(plat.mem, plat.nmem, { 0x80000000, 0x1000 });
}

static void t_strerror(const void *arg)
{
	int codes[] = { FDT_E_TRUNCATED, FDT_E_BADMAGIC, FDT_E_BADVERSION, FDT_E_BADLAYOUT,
			FDT_E_BADSTRUCT, FDT_E_BADSTRINGS, FDT_E_DEPTH, FDT_E_BADOFFSET,
			FDT_E_NOTFOUND, FDT_E_BADVALUE, FDT_E_BADPATH, FDT_E_NOTRANSLATE,
			FDT_E_BADRSV, PLAT_E_TOOMANYRSV, PLAT_E_NOCPUS, PLAT_E_INITRD, PLAT_E_PLIC };
	size_t i, j;

	(void)arg;
	for (i = 0; i < KT_COUNT(codes); i++) {
		KT_CHECK(strcmp(platform_strerror(codes[i]), "unknown error") != 0);
		for (j = 0; j < i; j++)
			KT_CHECK(strcmp(platform_strerror(codes[i]), platform_strerror(codes[j])) != 0);
	}
	KT_STREQ(platform_strerror(-999), "unknown error");
	KT_STREQ(platform_strerror(0), "no error");
}

#define VIRT_CASES(cfg) \
	{ #cfg "_identity", t_virt_identity, &cfg }, \
	{ #cfg "_memory", t_virt_memory, &cfg }, \
	{ #cfg "_harts", t_virt_harts, &cfg }, \
	{ #cfg "_plic_contexts", t_virt_plic, &cfg }, \
	{ #cfg "_uart_stdout", t_virt_uart, &cfg }, \
	{ #cfg "_virtio", t_virt_virtio, &cfg }, \
	{ #cfg "_pcie_ecam", t_virt_pci, &cfg }

static const struct kt_case cases[] = {
	VIRT_CASES(virt_smp1),
	VIRT_CASES(virt_smp4),
	VIRT_CASES(virt_smp8),
	VIRT_CASES(virt_8g),
	{ "sifive_u_identity", t_sifive_u_identity, NULL },
	{ "sifive_u_harts_hart0_no_mmu", t_sifive_u_harts, NULL },
	{ "sifive_u_plic_contexts", t_sifive_u_plic, NULL },
	{ "sifive_u_uarts_stdout", t_sifive_u_uarts, NULL },
	{ "fu740_identity", t_fu740_identity, NULL },
	{ "fu740_memory_reserved", t_fu740_memory, NULL },
	{ "fu740_harts", t_fu740_harts, NULL },
	{ "fu740_plic_skips_unwired", t_fu740_plic, NULL },
	{ "fu740_uarts_stdout_alias", t_fu740_uarts, NULL },
	{ "fu740_pcie_three_reg_ranges", t_fu740_pcie_regs, NULL },
	{ "fu740_pcie_reg_names", t_fu740_pcie, NULL },
	{ "fu740_chosen_initrd64", t_fu740_chosen, NULL },
	{ "misc_memory_reserved", t_misc_memory, NULL },
	{ "misc_hart_reasons", t_misc_harts, NULL },
	{ "misc_translated_devices", t_misc_devices, NULL },
	{ "err_no_cpus", t_err_nocpus, NULL },
	{ "err_initrd", t_err_initrd, NULL },
	{ "err_too_many_reserved", t_err_too_many_rsv, NULL },
	{ "plic_contexts_by_phandle", t_err_plic, NULL },
	{ "table_limits_dropped", t_table_limits, NULL },
	{ "err_cpu_without_reg", t_err_cpu_without_reg, NULL },
	{ "stdout_path_fallbacks", t_stdout_fallbacks, NULL },
	{ "reg_must_be_whole_entries", t_bad_cells, NULL },
	{ "strerror", t_strerror, NULL },
	{ "find_device_by_compatible", t_find_device, NULL },
	{ "device_ranges_and_interrupt_map", t_device_entries, NULL },
};

int main(int argc, char **argv)
{
	int rc;

	if (argc > 1)
		blob_dir = argv[1];
	rc = kt_run(cases, KT_COUNT(cases));
	free(blob);
	return rc;
}
