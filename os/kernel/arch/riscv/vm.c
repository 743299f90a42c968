/* The kernel address space: Sv39, shared high half, W^X.
 *
 * Every leaf is created with A set and, when writable, D set: the U74 raises
 * a page fault on a clear A/D bit instead of setting it.  Kernel mappings are
 * global (G).  The root entries of the high half are all created here, at
 * boot, so user address spaces can copy them once and never miss a later
 * kernel mapping (later ones only fill tables below those entries). */
#include <stdbool.h>
#include "csr.h"
#include "hart.h"
#include "kstring.h"
#include "memmap.h"
#include "panic.h"
#include "platform.h"
#include "pmm.h"
#include "pte.h"
#include "smp.h"
#include "spinlock.h"
#include "vm.h"

extern char _start_image[], _etext[], _erodata[], _end[];

uint64_t kernel_load_pa;
static uint64_t *kroot;
static uint64_t kroot_pa;
static struct spinlock vm_lock = SPINLOCK_INIT("vm_kernel", LR_VM);
static uint64_t io_next = IO_MAP_BASE;         /* guarded by vm_lock */

uint64_t kimage_to_phys(const void *va)
{
	return (uint64_t)va - KERNEL_VBASE + kernel_load_pa;
}

uint64_t *vm_kernel_root(void)
{
	return kroot;
}

uint64_t vm_kernel_satp(void)
{
	return SATP_MODE_SV39 | (kroot_pa >> 12);
}

static uint64_t *pt_alloc(void)
{
	uint64_t pa = pmm_alloc_zeroed(0);

	if (!pa)
		panic("vm: out of memory for page tables");
	return phys_to_virt(pa);
}

/* The PTE slot for va at `level`, creating the tables above it; NULL when
 * memory for a table ran out. */
static uint64_t *pt_slot_try(uint64_t *root, uint64_t va, int level)
{
	uint64_t *t = root;

	for (int l = 2; l > level; l--) {
		uint64_t *e = &t[vpn(va, l)];
		if (!(*e & PTE_V)) {
			uint64_t pa = pmm_alloc_zeroed(0);
			if (!pa)
				return 0;
			*e = pte_make(pa, PTE_V);
		} else if (pte_is_leaf(*e)) {
			panic("vm: %lx already mapped by a level-%d leaf", va, l);
		}
		t = phys_to_virt(pte_pa(*e));
	}
	return &t[vpn(va, level)];
}

/* The same where running out is the end (boot, and tables that exist). */
static uint64_t *pt_slot(uint64_t *root, uint64_t va, int level)
{
	uint64_t *e = pt_slot_try(root, va, level);

	if (!e)
		panic("vm: out of memory for page tables");
	return e;
}

/* Map [va, va+size) to pa with the largest pages alignment allows.
 * Caller holds vm_lock or runs before other harts start. */
static void map_range(uint64_t *root, uint64_t va, uint64_t pa, uint64_t size, uint64_t rwx)
{
	if ((va | pa | size) & (PAGE_SIZE - 1))
		panic("vm: unaligned map of %lx bytes at %lx", size, va);
	while (size) {
		int level = 0;
		for (int l = 2; l > 0; l--) {
			uint64_t sz = 1ul << (12 + 9 * l);
			if (((va | pa) & (sz - 1)) == 0 && size >= sz) {
				level = l;
				break;
			}
		}
		uint64_t step = 1ul << (12 + 9 * level);
		*pt_slot(root, va, level) = pte_make(pa, pte_leaf_flags(rwx) | PTE_G);
		va += step;
		pa += step;
		size -= step;
	}
}

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* The linker script page-aligns every section start, so rounding each end
 * up never crosses into the next section. */
static void map_image(uint64_t *root)
{
	uint64_t base = (uint64_t)_start_image;
	uint64_t text = page_up((uint64_t)_etext - base), ro = page_up((uint64_t)_erodata - base);
	uint64_t size = page_up((uint64_t)_end - base);

	map_range(root, base, kernel_load_pa, text, PTE_R | PTE_X);
	map_range(root, base + text, kernel_load_pa + text, ro - text, PTE_R);
	map_range(root, base + ro, kernel_load_pa + ro, size - ro, PTE_R | PTE_W);
}

/* The direct map covers RAM less firmware-reserved ranges.  The kernel
 * image's own frames appear there read-only, so no alias of text is writable,
 * and so does the boot image: U-Boot's booti also lists the ramdisk it was
 * given as a reserved range (/memreserve/), and the kernel reads it through
 * the direct map all the same. */
static void map_direct(uint64_t *root, const struct platform *plat)
{
	struct memrange r[PLAT_MAX_MEM + PLAT_MAX_RSV + 3];
	struct memrange hole[PLAT_MAX_RSV + 2];
	uint64_t img = (uint64_t)(_end - _start_image);
	uint64_t rd = plat->initrd_start & ~(uint64_t)(PAGE_SIZE - 1);
	uint64_t rd_size = page_up(plat->initrd_end) - rd;
	int nh = plat->nrsv;

	for (int i = 0; i < nh; i++)
		hole[i] = plat->rsv[i];
	hole[nh++] = (struct memrange){ kernel_load_pa, img };
	if (plat->has_initrd)
		hole[nh++] = (struct memrange){ rd, rd_size };
	int n = memmap_free_ranges(r, (int)(sizeof r / sizeof r[0]), plat->mem, plat->nmem, hole, nh);
	if (n < 0)
		panic("vm: too many memory ranges");
	for (int i = 0; i < n; i++) {
		if (r[i].base + r[i].size > DIRECT_MAP_SIZE)
			panic("vm: RAM at 0x%lx beyond the direct map", r[i].base);
		map_range(root, DIRECT_MAP_BASE + r[i].base, r[i].base, r[i].size, PTE_R | PTE_W);
	}
	map_range(root, DIRECT_MAP_BASE + kernel_load_pa, kernel_load_pa, page_up(img), PTE_R);
	if (plat->has_initrd)
		map_range(root, DIRECT_MAP_BASE + rd, rd, rd_size, PTE_R);
}

void vm_kernel_init(const struct platform *plat)
{
	kroot = pt_alloc();
	kroot_pa = virt_to_phys(kroot);
	map_image(kroot);
	map_direct(kroot, plat);
	(void)pt_slot(kroot, IO_MAP_BASE, 1);   /* the I/O window's L1 table, shared by all */
	(void)pt_slot(kroot, KSTACK_BASE, 1);   /* and the kernel stack window's */
	__asm__ volatile("sfence.vma" ::: "memory");
	csr_write(satp, vm_kernel_satp());
	__asm__ volatile("sfence.vma" ::: "memory");
}

static void flush_all_harts(void)
{
	smp_tlb_flush_all();
}

void *ioremap(uint64_t pa, size_t size)
{
	uint64_t off = pa & (PAGE_SIZE - 1);
	uint64_t len = (off + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	unsigned long fl = spin_lock_irqsave(&vm_lock);
	uint64_t va = io_next;

	if (va + len > IO_MAP_BASE + IO_MAP_SIZE) {
		spin_unlock_irqrestore(&vm_lock, fl);
		return 0;
	}
	io_next += len + PAGE_SIZE;     /* an unmapped guard page between windows */
	for (uint64_t o = 0; o < len; o += PAGE_SIZE)
		*pt_slot(kroot, va + o, 0) = pte_make(pa - off + o, pte_leaf_flags(PTE_R | PTE_W) | PTE_G);
	spin_unlock_irqrestore(&vm_lock, fl);
	flush_all_harts();
	return (void *)(va + off);
}

int vm_kernel_map_rw(uint64_t va, uint64_t pa, size_t size)
{
	if (va < KSTACK_BASE || va + size > KSTACK_BASE + KSTACK_SIZE_MAX)
		return -1;
	/* A thread's kernel stack, made while the machine runs: out of
	 * memory for a table is a failed ThreadCreate, never a panic.  The
	 * tables come first, nothing is mapped unless all of them did (and
	 * those made stay for the next stack). */
	spin_lock(&vm_lock);
	for (uint64_t o = 0; o < size; o += PAGE_SIZE)
		if (!pt_slot_try(kroot, va + o, 0)) {
			spin_unlock(&vm_lock);
			return -1;
		}
	for (uint64_t o = 0; o < size; o += PAGE_SIZE)
		*pt_slot(kroot, va + o, 0) = pte_make(pa + o, pte_leaf_flags(PTE_R | PTE_W) | PTE_G);
	spin_unlock(&vm_lock);
	__asm__ volatile("sfence.vma" ::: "memory");
	return 0;
}

void vm_kernel_unmap(uint64_t va, size_t size)
{
	spin_lock(&vm_lock);
	for (uint64_t o = 0; o < size; o += PAGE_SIZE)
		*pt_slot(kroot, va + o, 0) = 0;
	spin_unlock(&vm_lock);
	flush_all_harts();
}

unsigned vm_kernel_query(uint64_t va, uint64_t *pa_out)
{
	uint64_t *t = kroot;

	for (int l = 2; l >= 0; l--) {
		uint64_t e = t[vpn(va, l)];
		if (!(e & PTE_V))
			return 0;
		if (pte_is_leaf(e)) {
			uint64_t mask = (1ul << (12 + 9 * l)) - 1;
			if (pa_out)
				*pa_out = pte_pa(e) + (va & mask);
			return ((e & PTE_R) ? VMQ_R : 0) | ((e & PTE_W) ? VMQ_W : 0) |
			       ((e & PTE_X) ? VMQ_X : 0) | ((e & PTE_A) ? VMQ_A : 0) |
			       ((e & PTE_D) ? VMQ_D : 0) | ((e & PTE_G) ? VMQ_G : 0) |
			       ((e & PTE_U) ? VMQ_U : 0);
		}
		t = phys_to_virt(pte_pa(e));
	}
	return 0;
}
