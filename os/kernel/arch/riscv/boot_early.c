/* The first page table, built with the MMU off.
 *
 * This file runs at the physical load address before the kernel's own
 * addresses mean anything: every symbol reference here is PC-relative
 * (medany), no function pointers or absolute addresses are stored, and the
 * only data touched is the static tables below.  It maps the kernel image at
 * KERNEL_VBASE with W^X and a temporary direct map of the first 64 GiB of
 * physical space in gigapages (RW, never X) so kmain can read the FDT and
 * seed the page allocator; vm_kernel_init then replaces it with an exact one. */
#include <stdint.h>
#include "asm.h"
#include "csr.h"
#include "pte.h"

#define BOOT_L0_TABLES 8        /* kernel image up to 16 MiB */

uint64_t boot_root[PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t boot_l1[PT_ENTRIES] __attribute__((aligned(4096)));
static uint64_t boot_l0[BOOT_L0_TABLES][PT_ENTRIES] __attribute__((aligned(4096)));

extern char _start_image[], _etext[], _srodata[], _erodata[], _end[];

uint64_t boot_map_early(uint64_t load_pa) __attribute__((section(".text.boot")));

static inline uint64_t early_rwx(uint64_t off, uint64_t text_end, uint64_t ro_end)
	__attribute__((always_inline));
static inline uint64_t early_rwx(uint64_t off, uint64_t text_end, uint64_t ro_end)
{
	if (off < text_end)
		return PTE_R | PTE_X;
	if (off < ro_end)
		return PTE_R;
	return PTE_R | PTE_W;
}

/* Returns the satp value that turns this table on.  Runs with the MMU off. */
uint64_t boot_map_early(uint64_t load_pa)
{
	uint64_t base = (uint64_t)_start_image;         /* physical here */
	uint64_t text_end = (uint64_t)_etext - base;
	uint64_t ro_end = (uint64_t)_erodata - base;
	uint64_t size = (uint64_t)_end - base;
	uint64_t va0 = KERNEL_VBASE_ASM;

	for (uint64_t g = 0; g < 64; g++)
		boot_root[256 + g] = pte_make(g << 30, pte_leaf_flags(PTE_R | PTE_W) | PTE_G);
	boot_root[vpn(va0, 2)] = pte_make((uint64_t)boot_l1, PTE_V);
	for (uint64_t off = 0; off < size; off += 4096) {
		uint64_t va = va0 + off;
		uint64_t t = off >> 21;
		if (t >= BOOT_L0_TABLES)
			for (;;)
				__asm__ volatile("wfi");        /* image too large: cannot map */
		boot_l1[vpn(va, 1)] = pte_make((uint64_t)boot_l0[t], PTE_V);
		boot_l0[t][vpn(va, 0)] = pte_make(load_pa + off,
			pte_leaf_flags(early_rwx(off, text_end, ro_end)) | PTE_G);
	}
	return SATP_MODE_SV39 | ((uint64_t)boot_root >> 12);
}
