#pragma once
/* Sv39 page-table entries (arch-internal). */
#include <stdint.h>

#define PTE_V (1ul << 0)
#define PTE_R (1ul << 1)
#define PTE_W (1ul << 2)
#define PTE_X (1ul << 3)
#define PTE_U (1ul << 4)
#define PTE_G (1ul << 5)
#define PTE_A (1ul << 6)
#define PTE_D (1ul << 7)

#define PTE_PPN_SHIFT 10
#define PT_ENTRIES    512

static inline uint64_t pte_make(uint64_t pa, uint64_t flags)
{
	return ((pa >> 12) << PTE_PPN_SHIFT) | flags;
}

static inline uint64_t pte_pa(uint64_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << 12;
}

static inline int pte_is_leaf(uint64_t pte)
{
	return (pte & PTE_V) && (pte & (PTE_R | PTE_W | PTE_X));
}

/* Leaf flags: A always (the U74 traps on a clear A bit), D whenever writable. */
static inline uint64_t pte_leaf_flags(uint64_t rwx)
{
	return PTE_V | PTE_A | rwx | ((rwx & PTE_W) ? PTE_D : 0);
}

static inline unsigned vpn(uint64_t va, int level)
{
	return (va >> (12 + 9 * level)) & 0x1ff;
}
