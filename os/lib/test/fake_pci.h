#pragma once
/* A fake PCI function for the host tests of os/lib's PCI code: its
 * configuration registers, and BARs that answer sizing as hardware does
 * (per BAR register, the bits that stick and the read-only type bits). */
#include <stdint.h>

struct fake_fn {
	unsigned bdf;
	uint32_t regs[64];
	uint32_t bar_mask[6], bar_type[6];
	int writes;
};

/* Resets f to a function with these ids; header 1 is a bridge. */
void fake_init(struct fake_fn *f, unsigned bdf, uint16_t vendor, uint16_t device,
	       uint32_t class_code, uint8_t header, uint8_t pin);

/* A 64-bit memory BAR of `size` bytes at BAR i and i + 1. */
void fake_bar64(struct fake_fn *f, int i, uint64_t size);
/* A 32-bit BAR: type 0 memory, 1 I/O. */
void fake_bar32(struct fake_fn *f, int i, uint32_t size, uint32_t type);

uint32_t fake_read(const struct fake_fn *f, unsigned off);
void fake_write(struct fake_fn *f, unsigned off, uint32_t v);
