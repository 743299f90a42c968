/* User address spaces (see vmspace.h). */
#include <keel/errno.h>
#include "atomic.h"
#include "csr.h"
#include "hart.h"
#include "boot.h"
#include "kstring.h"
#include "panic.h"
#include "platform.h"
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

#define UNMAP_BATCH 64          /* pages freed per TLB shootdown */

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

/* ---- I-cache coherence check (KEEL_DEBUG builds) ------------------------------
 *
 * One bit per physical page of RAM: set after the kernel writes the page
 * (through the direct map: vmspace_write, or zeroing a new page), cleared for
 * every page by a fence.i on every hart.  Installing an executable user PTE
 * for a page whose bit is set is a kernel bug (the page could run stale
 * instructions on a hart with an I-cache): panic.  The writers set their bit
 * after writing and the sync clears before fencing, so a race leaves a bit
 * set, never a dirty page clean.  Every path that makes a page executable
 * syncs under the space's lock first, so the check cannot be reached from
 * user input. */
#ifdef KEEL_DEBUG
static volatile uint64_t *ic_bits;      /* published once (amoswap), never freed */
static uint64_t ic_base, ic_pages;
static volatile uint32_t ic_expect;     /* ktest: record instead of panicking */
static volatile uint32_t ic_violations;

/* The bitmap spans RAM from its lowest to its highest byte; allocated on
 * the first address space (the page allocator is up by then). */
static void ic_init(void)
{
	const struct platform *pl = boot_platform;
	uint64_t lo = ~0ul, hi = 0;

	if (ic_bits || !pl)
		return;
	for (int i = 0; i < pl->nmem; i++) {
		if (pl->mem[i].base < lo)
			lo = pl->mem[i].base;
		if (pl->mem[i].base + pl->mem[i].size > hi)
			hi = pl->mem[i].base + pl->mem[i].size;
	}
	if (hi <= lo)
		return;
	uint64_t pages = (hi - lo) >> PAGE_SHIFT, bytes = (pages + 63) / 64 * 8;
	unsigned order = 0;
	while ((PAGE_SIZE << order) < bytes && order < PMM_MAX_ORDER)
		order++;
	if ((PAGE_SIZE << order) < bytes)
		return;                         /* RAM too sparse to track: no check */
	uint64_t pa = pmm_alloc_zeroed(order);
	if (!pa)
		return;
	ic_base = lo;                   /* every racing initialiser writes the same */
	ic_pages = pages;
	smp_mb();
	if (atomic_cas64((volatile uint64_t *)&ic_bits, 0, (uint64_t)phys_to_virt(pa)))
		pmm_free(pa, order);    /* another hart published first */
}

static bool ic_tracked(uint64_t pa)
{
	return ic_bits && pa >= ic_base && ((pa - ic_base) >> PAGE_SHIFT) < ic_pages;
}

static void ic_mark(uint64_t pa)
{
	if (!ic_tracked(pa))
		return;
	uint64_t n = (pa - ic_base) >> PAGE_SHIFT;
	smp_mb();                       /* the write before the mark */
	atomic_or64(&ic_bits[n / 64], 1ul << (n % 64));
}

static void ic_clear_all(void)
{
	for (uint64_t w = 0; ic_bits && w < (ic_pages + 63) / 64; w++)
		if (atomic_load64(&ic_bits[w]))
			atomic_store64(&ic_bits[w], 0);
	smp_mb();                       /* the clear before the fences */
}

bool vmspace_icache_dirty(uint64_t pa)
{
	if (!ic_tracked(pa))
		return false;
	uint64_t n = (pa - ic_base) >> PAGE_SHIFT;
	return (atomic_load64(&ic_bits[n / 64]) >> (n % 64)) & 1;
}

void vmspace_icache_check(uint64_t pa, uint64_t va)
{
	if (!vmspace_icache_dirty(pa))
		return;
	if (atomic_load32(&ic_expect)) {
		atomic_add32(&ic_violations, 1);
		return;
	}
	panic("executable mapping of va 0x%lx to pa 0x%lx written since the last fence.i",
	      va, pa);
}

uint32_t vmspace_icache_expect(bool on)
{
	atomic_store32(&ic_expect, on);
	return atomic_swap32(&ic_violations, 0);
}
#else
static void ic_init(void) {}
static void ic_mark(uint64_t pa) { (void)pa; }
static void ic_clear_all(void) {}
bool vmspace_icache_dirty(uint64_t pa) { (void)pa; return false; }
void vmspace_icache_check(uint64_t pa, uint64_t va) { (void)pa; (void)va; }
uint32_t vmspace_icache_expect(bool on) { (void)on; return 0; }
#endif

struct vmspace *vmspace_create(void)
{
	uint64_t pa = pmm_alloc_zeroed(0);
	struct vmspace *vs = 0;

	if (!pa)
		return 0;
	ic_init();
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

/* A protection a leaf can have: never writable and executable, and never
 * none at all, since a valid PTE without R, W and X is not a leaf but a
 * pointer to the next table: the page's bytes would be walked as PTEs (by
 * the MMU, and by free_tables at the end). */
static bool prot_ok(unsigned prot)
{
	return (prot & (VM_R | VM_W | VM_X)) && !(prot & VM_W && prot & VM_X);
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
	ic_clear_all();
	__asm__ volatile("fence.i" ::: "memory");
	smp_fence_i_all();
}

/* Install a user leaf (vs->lock held); an executable one must not map a
 * page written since the last icache_sync_all. */
static void set_leaf(uint64_t *e, uint64_t va, uint64_t pa, unsigned prot, uint64_t sw)
{
	if (prot & VM_X)
		vmspace_icache_check(pa, va);
	*e = pte_make(pa, pte_leaf_flags(prot_bits(prot)) | PTE_U | sw);
}

/* Harts that may hold translations of vs, read after a PTE change (the
 * fence pairs with the one a hart makes joining ran_on before its walk). */
static uint64_t harts_of(struct vmspace *vs)
{
	smp_mb();
	return atomic_load64(&vs->ran_on);
}

/* Every page of [va, va+size) is mapped (vs->lock held). */
static bool all_mapped(struct vmspace *vs, uint64_t va, size_t size)
{
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, false);
		if (!e || !(*e & PTE_V))
			return false;
	}
	return true;
}

/* Executable pages are zeroed and mapped readable first, made coherent,
 * then made executable, all under the lock: no hart can fetch from a page
 * before its fence.i. */
/* Some page of [va, va+size) is mapped (vs->lock held). */
static bool any_mapped(struct vmspace *vs, uint64_t va, size_t size)
{
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, false);
		if (e && (*e & PTE_V))
			return true;
	}
	return false;
}

/* -EEXIST if any page of the range is mapped, -ENOMEM when memory runs
 * out: either way nothing of the range is left mapped. */
int vmspace_alloc(struct vmspace *vs, uint64_t va, size_t size, unsigned prot)
{
	if (!range_ok(va, size) || !prot_ok(prot))
		return -EINVAL;
	spin_lock(&vs->lock);
	if (any_mapped(vs, va, size)) {
		spin_unlock(&vs->lock);
		return -EEXIST;
	}
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, true);
		uint64_t pa = e ? pmm_alloc_zeroed(0) : 0;
		if (!pa) {
			spin_unlock(&vs->lock);
			if (o)                  /* ours alone: the range was empty */
				vmspace_unmap(vs, va, o);
			return -ENOMEM;
		}
		ic_mark(pa);
		set_leaf(e, va + o, pa, prot & ~VM_X, PTE_OWNED);
	}
	if (prot & VM_X) {
		icache_sync_all();
		for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
			uint64_t *e = slot(vs, va + o, false);
			set_leaf(e, va + o, pte_pa(*e), prot, PTE_OWNED);
		}
	}
	spin_unlock(&vs->lock);
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
		ic_mark(pte_pa(*e));
		va += chunk;
		s += chunk;
		n -= chunk;
	}
	spin_unlock(&vs->lock);
	return 0;
}

/* The whole range must be mapped (else -ENOMEM and nothing changes).
 * Newly executable pages are made coherent under the lock, so no write
 * through vmspace_write can slip in between the fence.i and the PTE. */
int vmspace_protect(struct vmspace *vs, uint64_t va, size_t size, unsigned prot)
{
	if (!range_ok(va, size) || !prot_ok(prot))
		return -EINVAL;
	spin_lock(&vs->lock);
	if (!all_mapped(vs, va, size)) {
		spin_unlock(&vs->lock);
		return -ENOMEM;
	}
	for (uint64_t o = 0; (prot & VM_X) && o < size; o += PAGE_SIZE)
		if (!(*slot(vs, va + o, false) & PTE_OWNED)) {
			spin_unlock(&vs->lock);
			return -EINVAL;         /* device memory never becomes executable */
		}
	if (prot & VM_X)
		icache_sync_all();              /* before any hart may fetch from them */
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, false);
		set_leaf(e, va + o, pte_pa(*e), prot, *e & PTE_OWNED);
	}
	spin_unlock(&vs->lock);
	smp_tlb_flush_harts(harts_of(vs));
	return 0;
}

/* Device memory: never executable, never freed with the space. */
int vmspace_map_phys(struct vmspace *vs, uint64_t va, uint64_t pa, size_t size, unsigned prot)
{
	if (!range_ok(va, size) || (pa & (PAGE_SIZE - 1)) || (prot & VM_X) || !prot_ok(prot))
		return -EINVAL;
	spin_lock(&vs->lock);
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, true);
		if (!e || (*e & PTE_V)) {
			spin_unlock(&vs->lock);
			return e ? -EEXIST : -ENOMEM;   /* tables made so far stay, empty */
		}
	}
	for (uint64_t o = 0; o < size; o += PAGE_SIZE)
		set_leaf(slot(vs, va + o, false), va + o, pa + o, prot, 0);
	spin_unlock(&vs->lock);
	return 0;
}

/* Up to UNMAP_BATCH pages from va on: PTEs cleared, pages the space owns
 * collected in owned[]; returns how many pages were visited. */
static size_t unmap_batch(struct vmspace *vs, uint64_t va, size_t pages, uint64_t *owned,
			  size_t *nowned)
{
	size_t n = pages < UNMAP_BATCH ? pages : UNMAP_BATCH;

	*nowned = 0;
	spin_lock(&vs->lock);
	for (size_t i = 0; i < n; i++) {
		uint64_t *e = slot(vs, va + i * PAGE_SIZE, false);
		if (!e || !(*e & PTE_V))
			continue;
		if (*e & PTE_OWNED)
			owned[(*nowned)++] = pte_pa(*e);
		*e = 0;
	}
	spin_unlock(&vs->lock);
	return n;
}

/* Holes in the range are skipped (munmap semantics).  A page is freed only
 * after every hart that ran the space has dropped its translation. */
int vmspace_unmap(struct vmspace *vs, uint64_t va, size_t size)
{
	uint64_t owned[UNMAP_BATCH];
	size_t nowned;

	if (!range_ok(va, size))
		return -EINVAL;
	for (size_t left = size / PAGE_SIZE; left; ) {
		size_t n = unmap_batch(vs, va, left, owned, &nowned);
		smp_tlb_flush_harts(harts_of(vs));
		for (size_t i = 0; i < nowned; i++)
			pmm_free(owned[i], 0);
		va += n * PAGE_SIZE;
		left -= n;
	}
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
		if (into_vs)
			ic_mark(pte_pa(*e));
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
