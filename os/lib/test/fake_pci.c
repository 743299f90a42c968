/* A fake PCI function (see fake_pci.h). */
#include <stdbool.h>
#include <string.h>
#include "fake_pci.h"
#include "pci.h"

void fake_init(struct fake_fn *f, unsigned bdf, uint16_t vendor, uint16_t device,
	       uint32_t class_code, uint8_t header, uint8_t pin)
{
	memset(f, 0, sizeof *f);
	f->bdf = bdf;
	f->regs[0] = (uint32_t)device << 16 | vendor;
	f->regs[2] = class_code << 8 | 1;
	f->regs[3] = (uint32_t)header << 16;
	f->regs[15] = (uint32_t)pin << 8;
}

void fake_bar64(struct fake_fn *f, int i, uint64_t size)
{
	uint64_t mask = ~(size - 1);
	f->bar_mask[i] = (uint32_t)mask & ~0xfu;
	f->bar_type[i] = 0x4;
	f->bar_mask[i + 1] = (uint32_t)(mask >> 32);
	f->regs[4 + i] = 0x4;
}

void fake_bar32(struct fake_fn *f, int i, uint32_t size, uint32_t type)
{
	f->bar_mask[i] = ~(size - 1) & ~(type & 1 ? 3u : 0xfu);
	f->bar_type[i] = type;
	f->regs[4 + i] = type;
}

uint32_t fake_read(const struct fake_fn *f, unsigned off)
{
	return f->regs[(off & 0xfcu) / 4];
}

void fake_write(struct fake_fn *f, unsigned off, uint32_t v)
{
	unsigned r = (off & 0xfcu) / 4;
	bool bridge = (f->regs[3] >> 16 & 0x7f) == 1;

	f->writes++;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + (bridge ? 8u : 24u)) {
		unsigned i = (off - PCI_BAR0) / 4;
		f->regs[r] = (v & f->bar_mask[i]) | f->bar_type[i];
		return;
	}
	if (off == PCI_COMMAND)                 /* the status half is not written */
		v = (v & 0xffffu) | (f->regs[r] & 0xffff0000u);
	f->regs[r] = v;
}
