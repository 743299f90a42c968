#pragma once
/* Kernel virtual memory layout and the kernel address space.
 *
 *   0xffffffc000000000  direct map of RAM (pa + DIRECT_MAP_BASE), RW, never X
 *   0xffffffd000000000  kernel stacks, each above an unmapped guard page
 *   0xffffffe000000000  I/O window (ioremap), RW, never X
 *   0xffffffff80000000  kernel image: text RX, rodata R, data/bss RW
 * The low half (below 0x0000004000000000) belongs to user address spaces. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE        4096ul
#define PAGE_SHIFT       12
#define DIRECT_MAP_BASE  0xffffffc000000000ul
#define DIRECT_MAP_SIZE  (64ul << 30)
#define KSTACK_BASE      0xffffffd000000000ul
#define KSTACK_SIZE_MAX  (1ul << 30)
#define IO_MAP_BASE      0xffffffe000000000ul
#define IO_MAP_SIZE      (1ul << 30)
#define KERNEL_VBASE     0xffffffff80000000ul

struct platform;

static inline void *phys_to_virt(uint64_t pa) { return (void *)(pa + DIRECT_MAP_BASE); }
static inline uint64_t virt_to_phys(const void *va) { return (uint64_t)va - DIRECT_MAP_BASE; }

/* Physical address of a kernel image symbol. */
uint64_t kimage_to_phys(const void *va);
extern uint64_t kernel_load_pa;

/* Build the final kernel map (direct map of RAM, image W^X) and switch to it.
 * Boot hart only, before other harts start. */
void vm_kernel_init(const struct platform *plat);
/* Map device registers; returns the kernel address or NULL.  Any hart, any time. */
void *ioremap(uint64_t pa, size_t size);
/* satp value of the kernel address space (for secondary harts). */
uint64_t vm_kernel_satp(void);
/* The kernel root table (its high half is copied into every user root). */
uint64_t *vm_kernel_root(void);

/* Map [va, va+size) of the kernel stack window to pa, RW.  Returns 0 or -1. */
int vm_kernel_map_rw(uint64_t va, uint64_t pa, size_t size);
/* Unmap [va, va+size) in the kernel stack window and flush every hart's TLB. */
void vm_kernel_unmap(uint64_t va, size_t size);

/* Permission bits reported by vm_kernel_query. */
#define VMQ_R 1u
#define VMQ_W 2u
#define VMQ_X 4u
#define VMQ_A 8u
#define VMQ_D 16u
#define VMQ_G 32u
#define VMQ_U 64u
/* Walk the kernel page table for va: returns VMQ_* bits of the leaf, 0 if unmapped. */
unsigned vm_kernel_query(uint64_t va, uint64_t *pa_out);
