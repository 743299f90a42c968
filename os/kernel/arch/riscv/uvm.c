/* User address spaces (see vmspace.h). */
#include <keel/errno.h>
#include "atomic.h"
#include "csr.h"
#include "hart.h"
#include "kstring.h"
#include "panic.h"
#include "pmm.h"
#include "pte.h"
#include "smp.h"
#include "spinlock.h"
#include "uaccess.h"
#include "vm.h"
#include "vmspace.h"

#define PTE_OWNED (1ul << 8)    /* software bit: the space allocated this page */
#define ASID_MAX  4096

struct vmspace {
	uint64_t *root;
	uint16_t asid;
	struct spinlock lock;           /* the user half of the page table */
	volatile uint64_t ran_on;       /* harts that have used this ASID */
};

static struct vmspace spaces[256];
static struct spinlock spaces_lock = SPINLOCK_INIT("vmspaces", LR_VMSPACE);
static uint64_t asid_used[ASID_MAX / 64];       /* guarded by spaces_lock */

static uint16_t asid_alloc(void)
{
	for (uint32_t a = 1; a < ASID_MAX; a++)
		if (!(asid_used[a / 64] & (1ul << (a % 64)))) {
			asid_used[a / 64] |= 1ul << (a % 64);
			return (uint16_t)a;
		}
	return 0;
}

struct vmspace *vmspace_create(void)
{
	uint64_t pa = pmm_alloc_zeroed(0);
	struct vmspace *vs = 0;

	if (!pa)
		return 0;
	spin_lock(&spaces_lock);
	for (unsigned i = 0; i < sizeof spaces / sizeof spaces[0] && !vs; i++)
		if (!spaces[i].root) {
			uint16_t asid = asid_alloc();
			if (!asid)
				break;
			vs = &spaces[i];
			vs->root = phys_to_virt(pa);
			vs->asid = asid;
		}
	spin_unlock(&spaces_lock);
	if (!vs) {
		pmm_free(pa, 0);
		return 0;
	}
	spin_init(&vs->lock, "vmspace", LR_VMSPACE_PT);
	vs->ran_on = 0;
	memcpy(vs->root + 256, vm_kernel_root() + 256, 256 * sizeof(uint64_t));
	return vs;
}

uint16_t vmspace_asid(const struct vmspace *vs)
{
	return vs->asid;
}

/* The PTE slot for user va at level 0, creating tables; NULL if out of memory
 * (or `create` is false and a table is missing).  vs->lock held. */
static uint64_t *slot(struct vmspace *vs, uint64_t va, bool create)
{
	uint64_t *t = vs->root;

	for (int l = 2; l > 0; l--) {
		uint64_t *e = &t[vpn(va, l)];
		if (!(*e & PTE_V)) {
			if (!create)
				return 0;
			uint64_t pa = pmm_alloc_zeroed(0);
			if (!pa)
				return 0;
			*e = pte_make(pa, PTE_V);
		}
		t = phys_to_virt(pte_pa(*e));
	}
	return &t[vpn(va, 0)];
}

static uint64_t prot_bits(unsigned prot)
{
	return ((prot & VM_R) ? PTE_R : 0) | ((prot & VM_W) ? PTE_W | PTE_R : 0) |
	       ((prot & VM_X) ? PTE_X : 0);
}

static bool range_ok(uint64_t va, size_t size)
{
	return !(va & (PAGE_SIZE - 1)) && !(size & (PAGE_SIZE - 1)) && size &&
	       user_range_ok(va, size);
}

/* Instruction fetches must see what was written through the direct map:
 * fence.i here and on every other hart before anything runs the pages. */
static void icache_sync_all(void)
{
	__asm__ volatile("fence.i" ::: "memory");
	smp_fence_i_all();
}

int vmspace_alloc(struct vmspace *vs, uint64_t va, size_t size, unsigned prot)
{
	if (!range_ok(va, size) || (prot & VM_W && prot & VM_X))
		return -EINVAL;
	spin_lock(&vs->lock);
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, true);
		uint64_t pa = e && !(*e & PTE_V) ? pmm_alloc_zeroed(0) : 0;
		if (!pa) {
			spin_unlock(&vs->lock);
			return e ? -EEXIST : -ENOMEM;
		}
		*e = pte_make(pa, pte_leaf_flags(prot_bits(prot)) | PTE_U | PTE_OWNED);
	}
	spin_unlock(&vs->lock);
	if (prot & VM_X)
		icache_sync_all();
	return 0;
}

int vmspace_write(struct vmspace *vs, uint64_t va, const void *src, size_t n)
{
	const uint8_t *s = src;

	spin_lock(&vs->lock);
	while (n) {
		uint64_t *e = user_range_ok(va, 1) ? slot(vs, va, false) : 0;
		if (!e || !(*e & PTE_V)) {
			spin_unlock(&vs->lock);
			return -EFAULT;
		}
		size_t off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off;
		if (chunk > n)
			chunk = n;
		memcpy((uint8_t *)phys_to_virt(pte_pa(*e)) + off, s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
	spin_unlock(&vs->lock);
	return 0;
}

int vmspace_protect(struct vmspace *vs, uint64_t va, size_t size, unsigned prot)
{
	if (!range_ok(va, size) || (prot & VM_W && prot & VM_X))
		return -EINVAL;
	if (prot & VM_X)
		icache_sync_all();              /* before any hart may fetch from them */
	spin_lock(&vs->lock);
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, false);
		if (!e || !(*e & PTE_V)) {
			spin_unlock(&vs->lock);
			return -ENOMEM;
		}
		*e = pte_make(pte_pa(*e), pte_leaf_flags(prot_bits(prot)) | PTE_U | (*e & PTE_OWNED));
	}
	spin_unlock(&vs->lock);
	smp_tlb_flush_all();
	return 0;
}

unsigned vmspace_query(struct vmspace *vs, uint64_t va, uint64_t *pa)
{
	spin_lock(&vs->lock);
	uint64_t *e = user_range_ok(va, 1) ? slot(vs, va, false) : 0;
	uint64_t pte = e ? *e : 0;
	spin_unlock(&vs->lock);
	if (!(pte & PTE_V))
		return 0;
	if (pa)
		*pa = pte_pa(pte) + (va & (PAGE_SIZE - 1));
	return ((pte & PTE_R) ? VM_R : 0) | ((pte & PTE_W) ? VM_W : 0) | ((pte & PTE_X) ? VM_X : 0);
}

void vmspace_activate(struct vmspace *vs)
{
	if (!vs)
		return;
	atomic_or64(&vs->ran_on, 1ul << this_hart()->index);
	csr_write(satp, SATP_MODE_SV39 | ((uint64_t)vs->asid << 44) | (virt_to_phys(vs->root) >> 12));
	__asm__ volatile("sfence.vma zero, %0" :: "r"((uint64_t)vs->asid) : "memory");
}

static void free_tables(uint64_t *t, int level)
{
	for (int i = 0; i < (level == 2 ? 256 : PT_ENTRIES); i++) {
		uint64_t e = t[i];
		if (!(e & PTE_V))
			continue;
		if (!pte_is_leaf(e))
			free_tables(phys_to_virt(pte_pa(e)), level - 1);
		else if (e & PTE_OWNED)
			pmm_free(pte_pa(e), 0);
	}
	if (level < 2)
		pmm_free(virt_to_phys(t), 0);
}

void vmspace_destroy(struct vmspace *vs)
{
	smp_tlb_flush_all();            /* no hart may keep translations of the ASID */
	free_tables(vs->root, 2);
	pmm_free(virt_to_phys(vs->root), 0);
	spin_lock(&spaces_lock);
	asid_used[vs->asid / 64] &= ~(1ul << (vs->asid % 64));
	vs->root = 0;
	spin_unlock(&spaces_lock);
}

int vmspace_read(struct vmspace *vs, uint64_t va, void *dst, size_t n)
{
	uint8_t *d = dst;

	spin_lock(&vs->lock);
	while (n) {
		uint64_t *e = user_range_ok(va, 1) ? slot(vs, va, false) : 0;
		if (!e || !(*e & PTE_V) || !(*e & PTE_U) || !(*e & PTE_R)) {
			spin_unlock(&vs->lock);
			return -EFAULT;
		}
		size_t off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off;
		if (chunk > n)
			chunk = n;
		memcpy(d, (uint8_t *)phys_to_virt(pte_pa(*e)) + off, chunk);
		va += chunk;
		d += chunk;
		n -= chunk;
	}
	spin_unlock(&vs->lock);
	return 0;
}

int vmspace_copy_cross(struct vmspace *vs, uint64_t va, uint64_t uva, size_t n, bool into_vs)
{
	uint64_t need = PTE_V | PTE_U | (into_vs ? PTE_W : PTE_R);

	if (n && (!user_range_ok(va, n) || !user_range_ok(uva, n)))
		return -EFAULT;
	spin_lock(&vs->lock);
	while (n) {
		uint64_t *e = slot(vs, va, false);
		if (!e || (*e & need) != need) {
			spin_unlock(&vs->lock);
			return -EFAULT;
		}
		size_t off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off;
		if (chunk > n)
			chunk = n;
		uint8_t *k = (uint8_t *)phys_to_virt(pte_pa(*e)) + off;
		int r = into_vs ? copy_from_user(k, uva, chunk) : copy_to_user(uva, k, chunk);
		if (r) {
			spin_unlock(&vs->lock);
			return r;
		}
		va += chunk;
		uva += chunk;
		n -= chunk;
	}
	spin_unlock(&vs->lock);
	return 0;
}

int vmspace_write_user(struct vmspace *vs, uint64_t va, const void *src, size_t n)
{
	uint64_t pa;

	for (uint64_t p = va & ~(PAGE_SIZE - 1); p < va + n; p += PAGE_SIZE)
		if (!(vmspace_query(vs, p, &pa) & VM_W))
			return -EFAULT;         /* the program itself could not write there */
	return vmspace_write(vs, va, src, n);
}

void vmspace_sync_icache(void)
{
	icache_sync_all();
}
