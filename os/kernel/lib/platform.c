/* platform_parse(): one pass per concern over a validated device tree.
 * Malformed values are errors; absent optional properties take defaults. */
#include "platform.h"
#include "fdt.h"
#include "kstring.h"

#define IRQ_S_EXTERNAL  9u      /* interrupts-extended cell naming S-mode external */

typedef int (*step_fn)(const struct fdt *f, struct platform *p);
typedef int (*dev_fn)(const struct fdt *f, int node, struct platform *p, int arg);

/* Index of a fresh entry in a table of `max` holding *n, or -1 (counted). */
static int slot(int *n, int max, struct platform *p)
{
	if (*n >= max) {
		p->dropped++;
		return -1;
	}
	return (*n)++;
}

/* An optional string property: *s = NULL when absent. */
static int opt_string(const struct fdt *f, int node, const char *name, const char **s)
{
	int n = fdt_prop_string(f, node, name, s);

	if (n == FDT_E_NOTFOUND) {
		*s = NULL;
		return 0;
	}
	return n < 0 ? n : 0;
}

/* An optional one-cell property: *v = dflt when absent. */
static int opt_u32(const struct fdt *f, int node, const char *name, uint32_t dflt, uint32_t *v)
{
	int err = fdt_prop_u32(f, node, name, v);

	if (err == FDT_E_NOTFOUND) {
		*v = dflt;
		return 0;
	}
	return err;
}

/* An optional one- or two-cell property: *v = 0 when absent; returns 1 if
 * present, 0 if absent, or an error. */
static int opt_uint(const struct fdt *f, int node, const char *name, uint64_t *v)
{
	int err = fdt_prop_uint(f, node, name, v);

	if (err == FDT_E_NOTFOUND) {
		*v = 0;
		return 0;
	}
	return err < 0 ? err : 1;
}

/* First string of a string-list property, NULL when absent. */
static int opt_first_string(const struct fdt *f, int node, const char *name, const char **s)
{
	const void *val;
	int len = fdt_prop(f, node, name, &val);

	*s = NULL;
	if (len == FDT_E_NOTFOUND)
		return 0;
	if (len >= 0)
		len = fdt_stringlist_get(val, len, 0, s);
	return len == FDT_E_NOTFOUND ? 0 : (len < 0 ? len : 0);
}

/* 1 if the node's device_type is `type`, 0 if not, or an error. */
static int is_type(const struct fdt *f, int node, const char *type)
{
	const char *s;
	int err = opt_string(f, node, "device_type", &s);

	if (err)
		return err;
	return s && strcmp(s, type) == 0;
}

/* Entry 0 of `reg`, which a device node must have. */
static int dev_reg(const struct fdt *f, int node, uint64_t *base, uint64_t *size)
{
	int err = fdt_reg(f, node, 0, base, size);

	return err == FDT_E_NOTFOUND ? FDT_E_BADVALUE : err;
}

/* First interrupt of the node: `interrupts` cell 0, or the cell after the
 * first phandle of `interrupts-extended`; 0 if it has neither. */
static int dev_irq(const struct fdt *f, int node, uint32_t *irq)
{
	const void *val;
	int len = fdt_prop(f, node, "interrupts", &val);
	int cell = 0;

	if (len == FDT_E_NOTFOUND) {
		len = fdt_prop(f, node, "interrupts-extended", &val);
		cell = 1;
	}
	*irq = 0;
	if (len == FDT_E_NOTFOUND)
		return 0;
	if (len < 0)
		return len;
	if (len < 4 * (cell + 1))
		return FDT_E_BADVALUE;
	*irq = fdt_be32((const uint8_t *)val + 4 * cell);
	return 0;
}

static int add_rsv(struct platform *p, uint64_t base, uint64_t size)
{
	if (size == 0)
		return 0;
	if (p->nrsv >= PLAT_MAX_RSV)
		return PLAT_E_TOOMANYRSV;
	p->rsv[p->nrsv++] = (struct memrange){ base, size };
	return 0;
}

static int parse_root(const struct fdt *f, struct platform *p)
{
	int root = fdt_root(f);
	int err;

	if (root < 0)
		return root;
	err = opt_first_string(f, root, "compatible", &p->compatible);
	if (!err)
		err = opt_string(f, root, "model", &p->model);
	p->fdt_size = f->size;
	p->boot_cpuid = f->boot_cpuid;
	return err;
}

static int parse_memreserve(const struct fdt *f, struct platform *p)
{
	uint64_t base, size;
	int i, err;

	for (i = 0;; i++) {
		err = fdt_rsv_entry(f, i, &base, &size);
		if (err == FDT_E_NOTFOUND)
			return 0;
		if (!err)
			err = add_rsv(p, base, size);
		if (err)
			return err;
	}
}

static const struct {
	const char *mmu;
	const char *reason;       /* NULL: supported */
} mmu_types[] = {
	{ "riscv,sv39", NULL },
	{ "riscv,sv48", NULL },
	{ "riscv,sv57", NULL },
	{ "riscv,sv32", "mmu-type riscv,sv32 unsupported" },
	{ "riscv,none", "no MMU (mmu-type riscv,none)" },
};

/* Why a hart cannot run the kernel, or NULL if it can.  A missing MMU is
 * named first: firmware often also marks such a hart disabled, and "no MMU"
 * is the reason that matters. */
static const char *hart_reason(const char *status, const char *mmu)
{
	size_t i;

	if (!mmu)
		return "no MMU (mmu-type absent)";
	for (i = 0; i < sizeof(mmu_types) / sizeof(mmu_types[0]); i++) {
		if (strcmp(mmu, mmu_types[i].mmu) == 0) {
			if (mmu_types[i].reason)
				return mmu_types[i].reason;
			break;
		}
	}
	if (i == sizeof(mmu_types) / sizeof(mmu_types[0]))
		return "mmu-type unsupported";
	if (status && strcmp(status, "okay") != 0 && strcmp(status, "ok") != 0)
		return strcmp(status, "disabled") == 0 ? "status disabled" : "status not okay";
	return NULL;
}

static int add_hart(const struct fdt *f, int cpu, struct platform *p)
{
	const char *status, *mmu;
	struct plat_hart *h;
	uint64_t size;
	int i, err;

	i = slot(&p->nharts, PLAT_MAX_HARTS, p);
	if (i < 0)
		return 0;
	h = &p->hart[i];
	h->node = cpu;
	h->plic_sctx = -1;
	err = dev_reg(f, cpu, &h->hartid, &size);
	if (!err)
		err = opt_string(f, cpu, "riscv,isa", &h->isa);
	if (!err)
		err = opt_string(f, cpu, "status", &status);
	if (!err)
		err = opt_string(f, cpu, "mmu-type", &mmu);
	if (err)
		return err;
	h->reason = hart_reason(status, mmu);
	h->accepted = h->reason == NULL;
	if (p->timebase_hz == 0)
		err = opt_uint(f, cpu, "timebase-frequency", &p->timebase_hz);
	return err < 0 ? err : 0;
}

static int parse_cpus(const struct fdt *f, struct platform *p)
{
	int cpus = fdt_path(f, "/cpus");
	int node, r;

	if (cpus == FDT_E_NOTFOUND)
		return PLAT_E_NOCPUS;
	if (cpus < 0)
		return cpus;
	r = opt_uint(f, cpus, "timebase-frequency", &p->timebase_hz);
	for (node = fdt_first_subnode(f, cpus); r >= 0 && node >= 0;
	     node = fdt_next_subnode(f, node)) {
		r = is_type(f, node, "cpu");
		if (r > 0)
			r = add_hart(f, node, p);
	}
	if (r < 0)
		return r;
	return node == FDT_E_NOTFOUND ? 0 : node;
}

static int add_memory(const struct fdt *f, int node, struct platform *p, int arg)
{
	uint64_t base, size;
	int idx, i, err;

	(void)arg;
	for (idx = 0;; idx++) {
		err = fdt_reg(f, node, idx, &base, &size);
		if (err == FDT_E_NOTFOUND)
			return 0;
		if (err)
			return err;
		if (size == 0)
			continue;
		i = slot(&p->nmem, PLAT_MAX_MEM, p);
		if (i >= 0)
			p->mem[i] = (struct memrange){ base, size };
	}
}

static int add_uart(const struct fdt *f, int node, struct platform *p, int kind)
{
	struct plat_uart *u;
	int i, err;

	i = slot(&p->nuarts, PLAT_MAX_UARTS, p);
	if (i < 0)
		return 0;
	u = &p->uart[i];
	u->kind = (enum plat_uart_kind)kind;
	u->node = node;
	err = dev_reg(f, node, &u->base, &u->size);
	if (!err)
		err = dev_irq(f, node, &u->irq);
	if (!err)
		err = opt_u32(f, node, "clock-frequency", 0, &u->clock_hz);
	if (!err)
		err = opt_u32(f, node, "reg-shift", 0, &u->reg_shift);
	if (!err)
		err = opt_u32(f, node, "reg-io-width", 1, &u->reg_io_width);
	return err;
}

static int add_virtio(const struct fdt *f, int node, struct platform *p, int arg)
{
	struct plat_virtio *v;
	int i, err;

	(void)arg;
	i = slot(&p->nvirtio, PLAT_MAX_VIRTIO, p);
	if (i < 0)
		return 0;
	v = &p->virtio[i];
	v->node = node;
	err = dev_reg(f, node, &v->base, &v->size);
	return err ? err : dev_irq(f, node, &v->irq);
}

static int pci_bus_range(const struct fdt *f, int node, struct plat_pci *pc)
{
	const void *val;
	int len = fdt_prop(f, node, "bus-range", &val);

	pc->bus_start = 0;
	pc->bus_end = 255;
	if (len == FDT_E_NOTFOUND)
		return 0;
	if (len < 0)
		return len;
	if (len != 8)
		return FDT_E_BADVALUE;
	pc->bus_start = fdt_be32(val);
	pc->bus_end = fdt_be32((const uint8_t *)val + 4);
	return pc->bus_end < pc->bus_start ? FDT_E_BADVALUE : 0;
}

/* Every reg entry, each named by the same index of reg-names (in whatever
 * order the tree lists them). */
static int pci_regs(const struct fdt *f, int node, struct platform *p, struct plat_pci *pc)
{
	const void *names = NULL;
	int nlen = fdt_prop(f, node, "reg-names", &names);
	struct plat_pci_reg r;
	int idx, err;

	if (nlen < 0 && nlen != FDT_E_NOTFOUND)
		return nlen;
	for (idx = 0;; idx++) {
		err = fdt_reg(f, node, idx, &r.base, &r.size);
		if (err)
			return err == FDT_E_NOTFOUND ? 0 : err;
		r.name = NULL;
		err = nlen < 0 ? 0 : fdt_stringlist_get(names, nlen, idx, &r.name);
		if (err < 0 && err != FDT_E_NOTFOUND)
			return err;
		if (pc->nregs < PLAT_MAX_PCI_REGS)
			pc->reg[pc->nregs++] = r;
		else
			p->dropped++;
	}
}

static int add_pci(const struct fdt *f, int node, struct platform *p, int arg)
{
	struct plat_pci *pc;
	int i, err;

	(void)arg;
	i = slot(&p->npci, PLAT_MAX_PCI, p);
	if (i < 0)
		return 0;
	pc = &p->pci[i];
	pc->node = node;
	err = opt_first_string(f, node, "compatible", &pc->compatible);
	if (!err)
		err = pci_regs(f, node, p, pc);
	return err ? err : pci_bus_range(f, node, pc);
}

static int add_plic(const struct fdt *f, int node, struct platform *p, int arg)
{
	int err;

	(void)arg;
	if (p->plic.present) {
		p->dropped++;
		return 0;
	}
	p->plic.present = true;
	p->plic.node = node;
	if (fdt_prop_u32(f, node, "phandle", &p->plic.phandle) &&
	    fdt_prop_u32(f, node, "linux,phandle", &p->plic.phandle))
		p->plic.phandle = 0;
	err = dev_reg(f, node, &p->plic.base, &p->plic.size);
	return err ? err : opt_u32(f, node, "riscv,ndev", 0, &p->plic.ndev);
}

static const struct {
	const char *compat;
	dev_fn add;
	int arg;
} dev_table[] = {
	{ "ns16550a", add_uart, PLAT_UART_NS16550 },
	{ "ns16550", add_uart, PLAT_UART_NS16550 },
	{ "sifive,uart0", add_uart, PLAT_UART_SIFIVE },
	{ "virtio,mmio", add_virtio, 0 },
	{ "pci-host-ecam-generic", add_pci, 0 },
	{ "sifive,fu740-pcie", add_pci, 0 },
	{ "riscv,plic0", add_plic, 0 },
	{ "sifive,plic-1.0.0", add_plic, 0 },
};

/* A device_type "pci" node that is not itself below a PCI bus: a host bridge. */
static int is_pci_host(const struct fdt *f, int node)
{
	int r = is_type(f, node, "pci");
	int parent;

	if (r <= 0)
		return r;
	parent = fdt_parent(f, node);
	if (parent < 0)
		return parent == FDT_E_NOTFOUND ? 1 : parent;
	r = is_type(f, parent, "pci");
	return r < 0 ? r : !r;
}

static int classify(const struct fdt *f, int node, struct platform *p)
{
	const void *val;
	size_t i;
	int r, len;

	r = fdt_node_enabled(f, node);
	if (r <= 0)
		return r;
	r = is_type(f, node, "memory");
	if (r)
		return r < 0 ? r : add_memory(f, node, p, 0);
	len = fdt_prop(f, node, "compatible", &val);
	for (i = 0; len >= 0 && i < sizeof(dev_table) / sizeof(dev_table[0]); i++) {
		r = fdt_stringlist_contains(val, len, dev_table[i].compat);
		if (r)
			return r < 0 ? r : dev_table[i].add(f, node, p, dev_table[i].arg);
	}
	if (len < 0 && len != FDT_E_NOTFOUND)
		return len;
	r = is_pci_host(f, node);
	return r <= 0 ? r : add_pci(f, node, p, 0);
}

static int parse_devices(const struct fdt *f, struct platform *p)
{
	int node, err;

	for (node = fdt_root(f); node >= 0; node = fdt_next_node(f, node, NULL)) {
		err = classify(f, node, p);
		if (err)
			return err;
	}
	return node == FDT_E_NOTFOUND ? 0 : node;
}

/* Every reg range of every /reserved-memory child, whatever its status. */
static int parse_reserved_memory(const struct fdt *f, struct platform *p)
{
	int rm = fdt_path(f, "/reserved-memory");
	uint64_t base, size;
	int node, idx, err = 0;

	if (rm == FDT_E_NOTFOUND)
		return 0;
	for (node = fdt_first_subnode(f, rm); node >= 0; node = fdt_next_subnode(f, node)) {
		for (idx = 0; err == 0; idx++) {
			err = fdt_reg(f, node, idx, &base, &size);
			if (!err)
				err = add_rsv(p, base, size);
		}
		if (err != FDT_E_NOTFOUND)
			return err;
		err = 0;
	}
	return node == FDT_E_NOTFOUND ? 0 : node;
}

/* Hart index of the cpu node above the interrupt controller `intc`, or -1. */
static int intc_hart(const struct fdt *f, const struct platform *p, int intc)
{
	int cpu = fdt_parent(f, intc);
	int i;

	for (i = 0; cpu >= 0 && i < p->nharts; i++) {
		if (p->hart[i].node == cpu)
			return i;
	}
	return -1;
}

/* Cells one interrupts-extended entry takes after the phandle `ph`. */
static int intc_cells(const struct fdt *f, uint32_t ph, int *intc)
{
	uint32_t n;

	*intc = fdt_node_by_phandle(f, ph);
	if (*intc < 0)
		return PLAT_E_PLIC;
	if (opt_u32(f, *intc, "#interrupt-cells", 1, &n) < 0 || n < 1 || n > FDT_MAX_CELLS)
		return PLAT_E_PLIC;
	return (int)n;
}

/* Entry i of the PLIC's interrupts-extended is context i.  An entry for
 * IRQ_S_EXTERNAL names the S context of the hart owning that controller;
 * other entries (M mode, or 0xffffffff for "not wired") are skipped. */
static int parse_plic_contexts(const struct fdt *f, struct platform *p)
{
	const uint8_t *v;
	const void *val;
	int len, cell, ctx, n, intc, h;

	if (!p->plic.present)
		return 0;
	len = fdt_prop(f, p->plic.node, "interrupts-extended", &val);
	v = val;
	if (len == FDT_E_NOTFOUND)
		return 0;
	if (len < 0 || len % 4)
		return len < 0 ? len : FDT_E_BADVALUE;
	for (cell = 0, ctx = 0; cell < len / 4; cell += 1 + n, ctx++) {
		n = intc_cells(f, fdt_be32(v + 4 * cell), &intc);
		if (n < 0)
			return n;
		if (cell + 1 + n > len / 4)
			return FDT_E_BADVALUE;
		if (fdt_be32(v + 4 * (cell + 1)) != IRQ_S_EXTERNAL)
			continue;
		h = intc_hart(f, p, intc);
		if (h >= 0 && p->hart[h].plic_sctx < 0)
			p->hart[h].plic_sctx = ctx;
	}
	return 0;
}

static int parse_initrd(const struct fdt *f, int chosen, struct platform *p)
{
	int has_start = opt_uint(f, chosen, "linux,initrd-start", &p->initrd_start);
	int has_end = opt_uint(f, chosen, "linux,initrd-end", &p->initrd_end);

	if (has_start < 0 || has_end < 0)
		return has_start < 0 ? has_start : has_end;
	if (has_start != has_end || p->initrd_end < p->initrd_start)
		return PLAT_E_INITRD;
	p->has_initrd = has_start;
	return 0;
}

/* stdout-path may be "/path", "alias" or either followed by ":options". */
static int parse_stdout(const struct fdt *f, int chosen, struct platform *p)
{
	const char *path, *colon;
	int err, node, i;

	err = opt_string(f, chosen, "stdout-path", &path);
	if (!err && !path)
		err = opt_string(f, chosen, "linux,stdout-path", &path);
	if (err || !path)
		return err;
	colon = strchr(path, ':');
	node = fdt_path_n(f, path, colon ? (size_t)(colon - path) : strlen(path));
	if (node == FDT_E_NOTFOUND || node == FDT_E_BADPATH)
		return 0;
	if (node < 0)
		return node;
	for (i = 0; i < p->nuarts; i++) {
		if (p->uart[i].node == node)
			p->stdout_uart = i;
	}
	return 0;
}

static int parse_chosen(const struct fdt *f, struct platform *p)
{
	int chosen = fdt_path(f, "/chosen");
	int err;

	if (chosen == FDT_E_NOTFOUND)
		return 0;
	if (chosen < 0)
		return chosen;
	err = opt_string(f, chosen, "bootargs", &p->bootargs);
	if (!err)
		err = parse_initrd(f, chosen, p);
	return err ? err : parse_stdout(f, chosen, p);
}

/* Harts first: PLIC contexts refer to them. */
static const step_fn steps[] = {
	parse_root, parse_memreserve, parse_cpus, parse_devices,
	parse_reserved_memory, parse_plic_contexts, parse_chosen,
};

/* 0 and *out filled from the tree, or a negative FDT_E_ / PLAT_E_ code. */
int platform_parse(const void *blob, size_t maxlen, struct platform *out)
{
	struct fdt f;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	out->fdt = blob;
	out->fdt_maxlen = maxlen;
	out->stdout_uart = -1;
	err = fdt_init(&f, blob, maxlen);
	for (i = 0; !err && i < sizeof(steps) / sizeof(steps[0]); i++)
		err = steps[i](&f, out);
	return err;
}

/* The index-th enabled node that lists compat, in document order. */
int platform_find_device(const struct platform *p, const char *compat, int index,
			 struct plat_device *out)
{
	struct fdt f;
	int err = fdt_init(&f, p->fdt, p->fdt_maxlen), node, depth = 0;

	if (err)
		return err;
	for (node = fdt_root(&f); node >= 0; node = fdt_next_node(&f, node, &depth)) {
		if (fdt_node_compatible(&f, node, compat) != 1 || fdt_node_enabled(&f, node) != 1)
			continue;
		if (index-- > 0)
			continue;
		memset(out, 0, sizeof(*out));
		out->node = node;
		err = dev_reg(&f, node, &out->base, &out->size);
		if (!err)
			err = dev_irq(&f, node, &out->irq);
		return err;
	}
	return node == FDT_E_NOTFOUND ? FDT_E_NOTFOUND : node;
}

/* Entry n of `ranges`: a child address of up to three cells (the first
 * of three is the PCI space word, kept apart), the parent address made a
 * root address, and the size. */
static int range_entry(const struct fdt *f, int node, int n, struct plat_entry *out)
{
	const void *val;
	int len = fdt_prop(f, node, "ranges", &val);
	int up = fdt_parent(f, node);
	int ca = fdt_address_cells(f, node), sc = fdt_size_cells(f, node);
	int pa = up >= 0 ? fdt_address_cells(f, up) : up;
	uint64_t space = 0;

	if (len < 0)
		return len;
	if (ca < 0 || sc < 0 || pa < 0)
		return ca < 0 ? ca : (sc < 0 ? sc : pa);
	int ent = ca + pa + sc, i = n * ent, hi = ca == 3;
	if (ca > 3 || ent == 0 || len % (4 * ent))
		return FDT_E_BADVALUE;
	if (i >= len / 4)
		return FDT_E_NOTFOUND;
	if ((hi && fdt_read_cells(val, len, i, 1, &space)) ||
	    fdt_read_cells(val, len, i + hi, ca - hi, &out->child) ||
	    fdt_read_cells(val, len, i + ca, pa, &out->parent) ||
	    fdt_read_cells(val, len, i + ca + pa, sc, &out->size))
		return FDT_E_BADVALUE;
	out->flags = (uint32_t)space;
	return fdt_to_root(f, node, &out->parent);
}

/* Cells an interrupt-map entry takes after its phandle: the interrupt
 * parent's #address-cells (absent: 0, as controllers have none) in
 * *addr_cells, and its #interrupt-cells returned. */
static int irq_parent_cells(const struct platform *p, const struct fdt *f, uint32_t ph,
			    int *addr_cells)
{
	/* Found without a walk of the tree when it is the PLIC, as it is for
	 * every interrupt-map entry on QEMU virt. */
	int intc = p->plic.present && p->plic.phandle && p->plic.phandle == ph ?
		   p->plic.node : fdt_node_by_phandle(f, ph);
	uint32_t ac, ic;

	if (intc < 0)
		return FDT_E_BADVALUE;
	if (opt_u32(f, intc, "#address-cells", 0, &ac) ||
	    fdt_prop_u32(f, intc, "#interrupt-cells", &ic) ||
	    ac > FDT_MAX_CELLS || ic < 1 || ic > FDT_MAX_CELLS)
		return FDT_E_BADVALUE;
	*addr_cells = (int)ac;
	return (int)ic;
}

/* The interrupt-map-mask's first cell and the mask of the interrupt
 * specifier's first cell (all ones when absent). */
static int irq_map_mask(const struct fdt *f, int node, int ca, uint32_t *hi, uint32_t *pin)
{
	const void *val;
	int len = fdt_prop(f, node, "interrupt-map-mask", &val);
	uint64_t a = 0xffffffffu, b = 0xffffffffu;

	if (len < 0 && len != FDT_E_NOTFOUND)
		return len;
	if (len >= 0 && ((ca && fdt_read_cells(val, len, 0, 1, &a)) ||
			 fdt_read_cells(val, len, ca, 1, &b)))
		return FDT_E_BADVALUE;
	*hi = (uint32_t)a;
	*pin = (uint32_t)b;
	return 0;
}

/* Entry n of `interrupt-map`, walked entry by entry since each names its
 * own interrupt parent and so its own length. */
static int irqmap_entry(const struct platform *p, const struct fdt *f, int node, int n,
			struct plat_entry *out)
{
	const void *val;
	int len = fdt_prop(f, node, "interrupt-map", &val);
	int ca = fdt_address_cells(f, node);
	uint32_t ic, mhi, mpin;
	uint64_t hi = 0, pin, ph, irq;

	if (len < 0)
		return len;
	if (ca < 0)
		return ca;
	if (fdt_prop_u32(f, node, "#interrupt-cells", &ic) || ic < 1 || ic > FDT_MAX_CELLS ||
	    irq_map_mask(f, node, ca, &mhi, &mpin))
		return FDT_E_BADVALUE;
	/* Every entry names its parent; a map names the same one over and over
	 * (QEMU virt's: the PLIC, 16 times), and each lookup walks the tree. */
	uint64_t last_ph = 0;
	int pac = 0, pic = 0;
	for (int i = 0, k = 0; i < len / 4; k++) {
		int at = i + ca + (int)ic;
		if ((ca && fdt_read_cells(val, len, i, 1, &hi)) ||
		    fdt_read_cells(val, len, i + ca, 1, &pin) ||
		    fdt_read_cells(val, len, at, 1, &ph))
			return FDT_E_BADVALUE;
		if (k == 0 || ph != last_ph) {
			pic = irq_parent_cells(p, f, (uint32_t)ph, &pac);
			if (pic < 0)
				return pic;
			last_ph = ph;
		}
		if (fdt_read_cells(val, len, at + 1 + pac, 1, &irq))
			return FDT_E_BADVALUE;
		if (k == n) {
			out->flags = (uint32_t)hi & mhi;
			out->child = pin & mpin;
			out->parent = irq;
			out->mask_flags = mhi;
			out->mask_child = mpin;
			return 0;
		}
		i = at + 1 + pac + pic;
	}
	return FDT_E_NOTFOUND;
}

/* Entry n of a device's `ranges` or `interrupt-map` (see platform.h). */
int platform_device_entry(const struct platform *p, int node, int what, int n,
			  struct plat_entry *out)
{
	struct fdt f;
	int err = fdt_init(&f, p->fdt, p->fdt_maxlen);

	if (err)
		return err;
	if (n < 0)
		return FDT_E_NOTFOUND;
	memset(out, 0, sizeof(*out));
	if (what == PLAT_ENTRY_RANGE)
		return range_entry(&f, node, n, out);
	if (what == PLAT_ENTRY_IRQMAP)
		return irqmap_entry(p, &f, node, n, out);
	if (what == PLAT_ENTRY_REG)
		return fdt_reg(&f, node, n, &out->parent, &out->size);
	return FDT_E_BADVALUE;
}

/* Index of hartid in p->hart[], or -1. */
int platform_hart_index(const struct platform *p, uint64_t hartid)
{
	int i;

	for (i = 0; i < p->nharts; i++) {
		if (p->hart[i].hartid == hartid)
			return i;
	}
	return -1;
}

/* Static text for an FDT_E_ / PLAT_E_ code; never NULL. */
const char *platform_strerror(int err)
{
	switch (err) {
	case 0: return "no error";
	case FDT_E_TRUNCATED: return "device tree truncated";
	case FDT_E_BADMAGIC: return "not a device tree (bad magic)";
	case FDT_E_BADVERSION: return "unsupported device tree version";
	case FDT_E_BADLAYOUT: return "device tree blocks out of range or misaligned";
	case FDT_E_BADSTRUCT: return "malformed device tree structure";
	case FDT_E_BADSTRINGS: return "bad property name offset";
	case FDT_E_DEPTH: return "device tree nested too deeply";
	case FDT_E_BADOFFSET: return "not a node offset";
	case FDT_E_NOTFOUND: return "not found";
	case FDT_E_BADVALUE: return "malformed property value";
	case FDT_E_BADPATH: return "bad path";
	case FDT_E_NOTRANSLATE: return "address outside every ranges window";
	case FDT_E_BADRSV: return "memory reservation block runs off the blob";
	case PLAT_E_TOOMANYRSV: return "too many reserved memory ranges";
	case PLAT_E_NOCPUS: return "no /cpus node";
	case PLAT_E_INITRD: return "bad initrd bounds in /chosen";
	case PLAT_E_PLIC: return "PLIC interrupts-extended names a bad controller";
	default: return "unknown error";
	}
}
