/* PCI enumeration and resource assignment (see pci.h).  Pure: every
 * access goes through the caller's struct pci_cfg. */
#include "pci.h"

#define PAGE_MIN        4096u           /* a BAR never shares a page with another */
#define BRIDGE_ALIGN    (1u << 20)      /* a bridge's memory window is in MiB */
#define BUS_MAX         255u

uint8_t pci_read8(const struct pci_cfg *c, unsigned bdf, unsigned off)
{
	return (uint8_t)(c->read32(c->ctx, bdf, off & ~3u) >> (8 * (off & 3)));
}

uint16_t pci_read16(const struct pci_cfg *c, unsigned bdf, unsigned off)
{
	return (uint16_t)(c->read32(c->ctx, bdf, off & ~3u) >> (8 * (off & 2)));
}

/* Writes 16 bits with the other half of the word left as read.  The
 * status register's write-one-to-clear bits are written as 0. */
void pci_write16(const struct pci_cfg *c, unsigned bdf, unsigned off, uint16_t v)
{
	unsigned sh = 8 * (off & 2);
	uint32_t w = c->read32(c->ctx, bdf, off & ~3u);

	if ((off & ~3u) == PCI_COMMAND)
		w &= 0xffffu;                   /* never clear status bits by accident */
	w = (w & ~(0xffffu << sh)) | (uint32_t)v << sh;
	c->write32(c->ctx, bdf, off & ~3u, w);
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Sizes the BAR at register off (memory decoding must be off): 0 and *b,
 * with how many registers it takes (1 or 2) in *regs. */
static int bar_size(const struct pci_cfg *c, unsigned bdf, unsigned off, bool last,
		    struct pci_bar *b, int *regs)
{
	uint32_t orig = c->read32(c->ctx, bdf, off), lo, hi = 0xffffffffu;

	c->write32(c->ctx, bdf, off, 0xffffffffu);
	lo = c->read32(c->ctx, bdf, off);
	c->write32(c->ctx, bdf, off, orig);
	*regs = 1;
	*b = (struct pci_bar){ 0 };
	if (lo == 0 || lo == 0xffffffffu)
		return 0;                       /* no BAR at off (it reads back all 0 or all 1): size 0 */
	if (lo & 1) {
		uint32_t mask = (lo & ~3u) | (lo & 0xffff0000u ? 0 : 0xffff0000u);
		b->io = true;
		b->size = (uint32_t)(~mask + 1);
		return 0;
	}
	b->prefetch = lo & 8;
	if ((lo >> 1 & 3) == 2) {
		if (last)
			return PCI_E_BAR;
		uint32_t orig_hi = c->read32(c->ctx, bdf, off + 4);
		c->write32(c->ctx, bdf, off + 4, 0xffffffffu);
		hi = c->read32(c->ctx, bdf, off + 4);
		c->write32(c->ctx, bdf, off + 4, orig_hi);
		b->is64 = true;
		*regs = 2;
	}
	uint64_t mask = (uint64_t)hi << 32 | (lo & ~0xfu);
	b->size = ~mask + 1;
	if (b->size == 0 || (b->size & (b->size - 1)))
		return PCI_E_BAR;
	return 0;
}

/* Places a memory BAR in the window: 0, or PCI_E_WINDOW. */
static int bar_place(const struct pci_cfg *c, unsigned bdf, unsigned off, struct pci_window *w,
		     struct pci_bar *b)
{
	uint64_t align = b->size < PAGE_MIN ? PAGE_MIN : b->size;
	uint64_t at = align_up(w->pci + w->used, align);

	if (at + b->size > w->pci + w->size || at + b->size < at || (!b->is64 && at + b->size > (1ull << 32)))
		return PCI_E_WINDOW;
	w->used = at + b->size - w->pci;
	b->pci = at;
	b->cpu = at - w->pci + w->cpu;
	c->write32(c->ctx, bdf, off, (uint32_t)at);
	if (b->is64)
		c->write32(c->ctx, bdf, off + 4, (uint32_t)(at >> 32));
	return 0;
}

/* Sizes and places the function's nbars BARs; turns decoding and bus
 * mastering on when every memory BAR fit. */
static void setup_bars(const struct pci_cfg *c, struct pci_window *w, struct pci_func *f, int nbars)
{
	uint16_t cmd = pci_read16(c, f->bdf, PCI_COMMAND);
	bool ok = true;

	pci_write16(c, f->bdf, PCI_COMMAND, cmd & (uint16_t)~(PCI_CMD_MEM | 1u));
	for (int i = 0, regs; i < nbars; i += regs) {
		unsigned off = PCI_BAR0 + 4u * (unsigned)i;
		struct pci_bar *b = &f->bar[i];
		if (bar_size(c, f->bdf, off, i == nbars - 1, b, &regs)) {
			ok = false;
			*b = (struct pci_bar){ 0 };
		} else if (b->size && !b->io && bar_place(c, f->bdf, off, w, b)) {
			ok = false;
			b->pci = b->cpu = 0;
		}
	}
	if (ok)
		pci_write16(c, f->bdf, PCI_COMMAND, (uint16_t)(cmd | PCI_CMD_MEM | PCI_CMD_MASTER));
	f->enabled = ok;
}

/* Reads what identifies the function into *f. */
static void read_ids(const struct pci_cfg *c, unsigned bdf, int up, struct pci_func *f)
{
	uint32_t id = c->read32(c->ctx, bdf, PCI_VENDOR_ID);

	*f = (struct pci_func){ 0 };
	f->bdf = bdf;
	f->up = up;
	f->vendor = (uint16_t)id;
	f->device = (uint16_t)(id >> 16);
	f->class_code = c->read32(c->ctx, bdf, PCI_CLASS_REV) >> 8;
	f->header = pci_read8(c, bdf, PCI_HEADER_TYPE) & 0x7f;
	f->pin = pci_read8(c, bdf, PCI_INT_PIN);
}

struct walk {
	const struct pci_cfg *c;
	struct pci_window *mem;
	struct pci_func *out;
	int max, n;
	unsigned last_bus;
	bool overflow;
};

static void walk_bus(struct walk *w, unsigned bus, int up);

/* Numbers the bridge's buses, walks them, and opens a memory window over
 * what its children were given. */
static void walk_bridge(struct walk *w, struct pci_func *br, int self)
{
	const struct pci_cfg *c = w->c;
	unsigned sec = ++w->last_bus;

	setup_bars(c, w->mem, br, 2);
	c->write32(c->ctx, br->bdf, PCI_PRIMARY_BUS,
		   (c->read32(c->ctx, br->bdf, PCI_PRIMARY_BUS) & 0xff000000u) |
		   0xffu << 16 | sec << 8 | PCI_BUS(br->bdf));
	w->mem->used = align_up(w->mem->used, BRIDGE_ALIGN);
	uint64_t start = w->mem->pci + w->mem->used;
	walk_bus(w, sec, self);
	uint64_t end = align_up(w->mem->pci + w->mem->used, BRIDGE_ALIGN);
	w->mem->used = end - w->mem->pci;
	c->write32(c->ctx, br->bdf, PCI_PRIMARY_BUS,
		   (c->read32(c->ctx, br->bdf, PCI_PRIMARY_BUS) & 0xff00ffffu) | w->last_bus << 16);
	uint32_t win = end > start ? (uint32_t)(start >> 16 & 0xfff0) | (uint32_t)((end - 1) >> 16 & 0xfff0) << 16
				   : 0x0000fff0u;       /* base above limit: closed */
	c->write32(c->ctx, br->bdf, PCI_MEM_BASE, win);
}

/* Lists one function (walking behind it if it is a bridge). */
static void add_func(struct walk *w, unsigned bdf, int up)
{
	if (w->n == w->max) {
		w->overflow = true;
		return;
	}
	int self = w->n++;
	struct pci_func *f = &w->out[self];
	read_ids(w->c, bdf, up, f);
	if (f->header == 1 && w->last_bus < BUS_MAX)
		walk_bridge(w, f, self);
	else if (f->header == 0)
		setup_bars(w->c, w->mem, f, PCI_MAX_BARS);
}

static void walk_bus(struct walk *w, unsigned bus, int up)
{
	for (unsigned dev = 0; dev < 32; dev++) {
		unsigned bdf = PCI_BDF(bus, dev, 0);
		if (pci_read16(w->c, bdf, PCI_VENDOR_ID) == 0xffff)
			continue;
		bool multi = pci_read8(w->c, bdf, PCI_HEADER_TYPE) & 0x80;
		for (unsigned fn = 0; fn < (multi ? 8u : 1u); fn++)
			if (pci_read16(w->c, bdf | fn, PCI_VENDOR_ID) != 0xffff)
				add_func(w, bdf | fn, up);
	}
}

int pci_enumerate(const struct pci_cfg *c, struct pci_window *mem, struct pci_func *out, int max)
{
	struct walk w = { c, mem, out, max, 0, 0, false };

	walk_bus(&w, 0, -1);
	return w.overflow ? PCI_E_TOOMANY : w.n;
}

unsigned pci_find_cap(const struct pci_cfg *c, unsigned bdf, uint8_t id)
{
	if (!(pci_read16(c, bdf, PCI_STATUS) & PCI_STATUS_CAPS))
		return 0;
	unsigned off = pci_read8(c, bdf, PCI_CAP_PTR) & 0xfcu;
	/* 48 capabilities fill the 192 bytes after the header: more is a loop */
	for (int hops = 0; off >= 0x40 && hops < 48; hops++) {
		uint32_t cap = c->read32(c->ctx, bdf, off);
		if ((cap & 0xff) == id)
			return off;
		off = cap >> 8 & 0xfcu;
	}
	return 0;
}

#define MSI_CTRL_ENABLE     0x0001u
#define MSI_CTRL_MME        0x0070u     /* vectors enabled: 2^MME */
#define MSI_CTRL_64         0x0080u
#define MSIX_CTRL_SIZE      0x07ffu     /* table size - 1 */
#define MSIX_CTRL_MASK      0x4000u     /* every vector masked */
#define MSIX_CTRL_ENABLE    0x8000u
#define MSIX_ENTRY_WORDS    4           /* address low, high, data, vector control */

static void intx_off(const struct pci_cfg *c, unsigned bdf)
{
	pci_write16(c, bdf, PCI_COMMAND, (uint16_t)(pci_read16(c, bdf, PCI_COMMAND) | PCI_CMD_INTX_OFF));
}

int pci_msi_enable(const struct pci_cfg *c, unsigned bdf, uint64_t addr, uint16_t data)
{
	unsigned cap = pci_find_cap(c, bdf, PCI_CAP_MSI);

	if (!cap)
		return -1;
	uint16_t ctrl = pci_read16(c, bdf, cap + 2);
	bool is64 = ctrl & MSI_CTRL_64;
	if (!is64 && addr >> 32)
		return -1;
	/* off while it is changed: a half-written address must never be used */
	pci_write16(c, bdf, cap + 2, (uint16_t)(ctrl & ~(MSI_CTRL_ENABLE | MSI_CTRL_MME)));
	c->write32(c->ctx, bdf, cap + 4, (uint32_t)addr);
	if (is64)
		c->write32(c->ctx, bdf, cap + 8, (uint32_t)(addr >> 32));
	pci_write16(c, bdf, cap + (is64 ? 12u : 8u), data);
	intx_off(c, bdf);
	pci_write16(c, bdf, cap + 2, (uint16_t)((ctrl & ~MSI_CTRL_MME) | MSI_CTRL_ENABLE));
	return 0;
}

void pci_msi_disable(const struct pci_cfg *c, unsigned bdf)
{
	unsigned cap = pci_find_cap(c, bdf, PCI_CAP_MSI);

	if (cap)
		pci_write16(c, bdf, cap + 2,
			    (uint16_t)(pci_read16(c, bdf, cap + 2) & ~(MSI_CTRL_ENABLE | MSI_CTRL_MME)));
}

unsigned pci_msix_table(const struct pci_cfg *c, unsigned bdf, unsigned *bar, uint32_t *offset)
{
	unsigned cap = pci_find_cap(c, bdf, PCI_CAP_MSIX);

	if (!cap)
		return 0;
	uint32_t t = c->read32(c->ctx, bdf, cap + 4);
	*bar = t & 7;
	*offset = t & ~7u;
	return *bar < PCI_MAX_BARS ? (pci_read16(c, bdf, cap + 2) & MSIX_CTRL_SIZE) + 1u : 0;
}

void pci_msix_set(volatile uint32_t *table, unsigned entry, uint64_t addr, uint32_t data)
{
	volatile uint32_t *e = table + entry * MSIX_ENTRY_WORDS;

	e[3] = 1;                           /* masked while it is changed */
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = data;
	e[3] = 0;
}

int pci_msix_enable(const struct pci_cfg *c, unsigned bdf)
{
	unsigned cap = pci_find_cap(c, bdf, PCI_CAP_MSIX);

	if (!cap)
		return -1;
	intx_off(c, bdf);
	uint16_t ctrl = pci_read16(c, bdf, cap + 2);
	pci_write16(c, bdf, cap + 2, (uint16_t)((ctrl & ~MSIX_CTRL_MASK) | MSIX_CTRL_ENABLE));
	return 0;
}

uint32_t pci_intx_irq(const struct pci_intx_route *map, int n, const struct pci_func *fn,
		      const struct pci_func *all, int nall)
{
	unsigned pin = fn->pin;

	if (pin < 1 || pin > 4)
		return 0;
	/* behind a bridge: INTx of device d arrives as pin (pin + d - 1) % 4 + 1 */
	while (fn->up >= 0 && fn->up < nall) {
		pin = (pin - 1 + PCI_DEV(fn->bdf)) % 4 + 1;
		fn = &all[fn->up];
	}
	uint32_t addr = fn->bdf << 8;
	for (int i = 0; i < n; i++)
		if ((addr & map[i].mask_addr) == map[i].addr && (pin & map[i].mask_pin) == map[i].pin)
			return map[i].irq;
	return 0;
}

const char *pci_class_name(uint32_t class_code)
{
	switch (class_code >> 8) {
	case 0x0108: return "NVM Express controller";
	case 0x0100: return "SCSI controller";
	case 0x0106: return "SATA controller";
	case 0x0200: return "Ethernet controller";
	case 0x0300: return "display controller";
	case 0x0600: return "host bridge";
	case 0x0604: return "PCI bridge";
	case 0x0c03: return "USB controller";
	default: return "device";
	}
}
