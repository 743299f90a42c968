/* User address spaces (see vmspace.h). */
#include <keel/errno.h>
#include <keel/procmgr.h>
#include "atomic.h"
#include "bitops.h"
#include "csr.h"
#include "hart.h"
#include "boot.h"
#include "kstring.h"
#include "panic.h"
#include "platform.h"
#include "pageref.h"
#include "pmm.h"
#include "process.h"
#include "pte.h"
#include "smp.h"
#include "spinlock.h"
#include "uaccess.h"
#include "vm.h"
#include "vmspace.h"

#define PTE_OWNED (1ul << 8)    /* software bit: the space allocated this page */
/* Software bit: the page is writable for the program, but its PTE is not
 * because it is (or was, when the bit was set) shared with another space
 * after a clone: the first write copies it (or, if the others have let go,
 * takes it over in place).  Only on PTE_OWNED pages; never with PTE_W. */
#define PTE_COW   (1ul << 9)
#define ASID_MAX  4096

struct vmspace {
	uint64_t satp;                  /* first: vmspace_activate_quick reads it */
	uint64_t *root;
	uint16_t asid;
	struct spinlock lock;           /* the user half of the page table */
	volatile uint64_t ran_on;       /* harts that have used this ASID */
	volatile uint32_t refs;         /* vmspace_create's, plus vmspace_get's */
	uint64_t pages;                 /* user leaves mapped (under lock) */
	/* The level-0 table slot() found last, for the 2 MiB at l0_key << 21
	 * (under lock; tables go only with the space, so it never dangles). */
	uint64_t l0_key;
	uint64_t *l0;
	/* Device ranges the space may map (AS_MAP_GRANT; under lock). */
	struct phys_grant { uint64_t pa, len; } grants[AS_GRANTS_MAX];
	unsigned ngrants;
};

#define UNMAP_BATCH 64          /* pages freed per TLB shootdown */

_Static_assert(__builtin_offsetof(struct vmspace, satp) == 0, "vmspace.h: the satp word first");

static struct vmspace spaces[VMSPACE_MAX];
static struct vmspace *active[MAX_HARTS];       /* each hart's user space, by that hart only */
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
/* Bit w: word w of ic_bits may have a bit set (set after the word's bit,
 * taken before the word is cleared), so a clear visits marked words only:
 * 256 MiB of RAM is 1,024 words, read on every sync otherwise. */
#define IC_SUMMARY 64
static volatile uint64_t ic_summary[IC_SUMMARY];
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
	if ((PAGE_SIZE << order) < bytes || (pages + 63) / 64 > IC_SUMMARY * 64)
		return;                         /* RAM too sparse or large to track: no check */
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
	atomic_or64(&ic_summary[n / 4096], 1ul << (n / 64 % 64));
}

/* A mark racing the clear may stay set (the page is synced again later),
 * never be lost before its fence: its summary bit comes after it. */
static void ic_clear_all(void)
{
	for (uint64_t s = 0; ic_bits && s < IC_SUMMARY; s++) {
		if (!atomic_load64(&ic_summary[s]))
			continue;
		for (uint64_t bits = atomic_swap64(&ic_summary[s], 0); bits; bits &= bits - 1)
			atomic_store64(&ic_bits[s * 64 + (uint64_t)(unsigned)bit_lowest(bits)], 0);
	}
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
			vs->satp = SATP_MODE_SV39 | ((uint64_t)asid << 44) | (pa >> 12);
		}
	spin_unlock(&spaces_lock);
	if (!vs) {
		pmm_free(pa, 0);
		return 0;
	}
	spin_init(&vs->lock, "vmspace", LR_VMSPACE_PT);
	vs->ran_on = 0;
	vs->refs = 1;
	vs->pages = 0;
	vs->l0_key = ~0ull;
	vs->l0 = 0;
	vs->ngrants = 0;
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
	uint64_t *t = vs->root, key = va >> (PAGE_SHIFT + 9);

	if (key == vs->l0_key)                  /* page after page of one range */
		return &vs->l0[vpn(va, 0)];
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
	vs->l0_key = key;
	vs->l0 = t;
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

/* ---- copy-on-write ------------------------------------------------------------
 *
 * A clone shares every page the source space owns: the share count of the
 * page (pageref.h) goes up, and writable pages lose PTE_W and gain PTE_COW
 * in both spaces.  A write (from the program, or from the kernel on its
 * behalf) to a PTE_COW page calls make_private: if other spaces still map
 * the page it is copied, the copy takes the PTE, and the original's count
 * goes down once every hart that ran the space has flushed (struct
 * cow_old); if none do, the page is made writable in place.  The copy is
 * made before the count is dropped, so nobody can write the original while
 * a copy of it is being made or read through a stale entry (a page is
 * written in place only once its count is 0).  Under the space's lock; the
 * page allocator ranks after it. */

/* The PTE for pa with the program's protection prot, shared or not: a
 * writable page that other spaces map stays read-only with PTE_COW.  Read
 * stays with write (prot_bits), also for a write-only protection: a leaf
 * without R, W and X would be a pointer to a page table, to the MMU and to
 * free_tables, which then freed the page's bytes as PTEs (kfuzz found it:
 * AsProtect(PROT_WRITE) on a page a fork shares). */
static uint64_t leaf_for(uint64_t pa, unsigned prot, uint64_t sw)
{
	if ((prot & VM_W) && (sw & PTE_OWNED) && pageref_shared(pa) && !pageref_object(pa))
		return pte_make(pa, pte_leaf_flags(prot_bits((prot & ~VM_W) | VM_R)) | PTE_U | sw |
				    PTE_COW);
	return pte_make(pa, pte_leaf_flags(prot_bits(prot)) | PTE_U | (sw & ~PTE_COW));
}

/* The pages make_private copied away from, whose shares drop only once
 * every hart that ran the space has dropped its translation of them: a
 * share dropped before could make another space the page's only owner,
 * writing it in place while a thread of this one still read it through a
 * stale entry. */
#define COW_OLD_MAX 8

struct cow_old {
	unsigned n;
	uint64_t pa[COW_OLD_MAX];
};

static void cow_old_drop(struct cow_old *old)
{
	for (unsigned i = 0; i < old->n; i++)
		if (pageref_drop(old->pa[i]))
			pmm_free(old->pa[i], 0);
	old->n = 0;
}

/* After the caller's flush (or a local one when it runs alone). */
static void cow_old_settle(struct vmspace *vs, struct cow_old *old)
{
	if (!old->n)
		return;
	smp_tlb_flush_harts(harts_of(vs));
	cow_old_drop(old);
}

/* Make the page at *e (user va) private to vs: copied if other spaces map
 * it, then writable if it was copy-on-write.  A page copied away from goes
 * into *old (its PTE now names another page: other harts may still hold
 * the old translation); the caller flushes and then drops them
 * (cow_old_settle).  A full *old is settled here, under the lock (lock
 * waiters serve flushes).  vs->lock held.  0, or -ENOMEM with nothing
 * changed. */
static int make_private(struct vmspace *vs, uint64_t *e, uint64_t va, struct cow_old *old)
{
	uint64_t pte = *e, pa = pte_pa(pte);

	if (!(pte & PTE_OWNED) || pageref_object(pa))
		return 0;       /* device memory and shared objects are never copied */
	if (pageref_shared(pa)) {
		if (old->n == COW_OLD_MAX)
			cow_old_settle(vs, old);
		uint64_t np = pmm_alloc(0);
		if (!np)
			return -ENOMEM;
		memcpy(phys_to_virt(np), phys_to_virt(pa), PAGE_SIZE);
		pte = pte_make(np, pte & ((1ul << PTE_PPN_SHIFT) - 1));
		old->pa[old->n++] = pa;
		if (pte & PTE_X) {      /* only for a kernel write into shared text */
			ic_mark(np);
			icache_sync_all();
		}
	}
	if (pte & PTE_COW)
		pte = (pte & ~PTE_COW) | PTE_W | PTE_D;
	*e = pte;
	return 0;
}

/* Drop the stale translations of one page after make_private: on this
 * hart only when the caller knows no other hart runs the space (a thread
 * switched to it later flushes its ASID then), else on every hart that ran
 * it. */
static void cow_flush(struct vmspace *vs, uint64_t va, struct cow_old *old, bool alone)
{
	if (old->n && !alone)
		smp_tlb_flush_harts(harts_of(vs));
	else
		__asm__ volatile("sfence.vma %0, %1" :: "r"(va), "r"((uint64_t)vs->asid) : "memory");
	cow_old_drop(old);
}

int vmspace_fault(struct vmspace *vs, uint64_t va, bool alone)
{
	struct cow_old old = { 0 };
	int r = -EFAULT;

	va &= ~(PAGE_SIZE - 1);
	if (!user_range_ok(va, 1))
		return -EFAULT;
	spin_lock(&vs->lock);
	uint64_t *e = slot(vs, va, false);
	if (e && (*e & (PTE_V | PTE_U)) == (PTE_V | PTE_U)) {
		if (*e & PTE_W)
			r = 0;                  /* another thread made it writable first */
		else if (*e & PTE_COW)
			r = make_private(vs, e, va, &old);
	}
	spin_unlock(&vs->lock);
	if (!r)
		cow_flush(vs, va, &old, alone);
	return r;
}

int vmspace_prepare_write(uint64_t uva, size_t n)
{
	struct vmspace *vs = active[this_hart()->index];

	if (!n)
		return 0;
	if (!vs || !user_range_ok(uva, n))
		return -EFAULT;
	for (uint64_t p = uva & ~(PAGE_SIZE - 1); p < uva + n; p += PAGE_SIZE) {
		spin_lock(&vs->lock);
		uint64_t *e = slot(vs, p, false);
		bool cow = e && (*e & (PTE_V | PTE_COW)) == (PTE_V | PTE_COW);
		spin_unlock(&vs->lock);
		/* A single-threaded caller's space runs on this hart only:
		 * no remote flush (which callers holding a channel lock, with
		 * interrupts off, would make wait for other harts). */
		int r = cow ? vmspace_fault(vs, p, process_alone()) : 0;
		if (r)
			return r;
	}
	return 0;
}

/* Share one leaf of src at va with dst (dst->lock not needed: nobody else
 * knows dst yet).  src->lock held.  0 or -ENOMEM. */
static int clone_leaf(struct vmspace *src, struct vmspace *dst, uint64_t va, uint64_t *e)
{
	uint64_t pte = *e;
	uint64_t *d = slot(dst, va, true);

	if (!d)
		return -ENOMEM;
	if (pte & PTE_OWNED) {
		if (pageref_share(pte_pa(pte)))
			return -ENOMEM;
		if ((pte & PTE_W) && !pageref_object(pte_pa(pte)))
			pte = (pte & ~(PTE_W | PTE_D)) | PTE_COW;
		*e = pte;
	}
	(void)src;
	*d = pte;
	dst->pages++;
	return 0;
}

struct vmspace *vmspace_clone(struct vmspace *src)
{
	struct vmspace *dst = vmspace_create();
	int r = 0;

	if (!dst)
		return 0;
	spin_lock(&src->lock);
	for (unsigned i2 = 0; i2 < 256 && !r; i2++) {
		uint64_t e2 = src->root[i2];
		if (!(e2 & PTE_V) || pte_is_leaf(e2))
			continue;                       /* user space holds 4 KiB leaves only */
		uint64_t *t1 = phys_to_virt(pte_pa(e2));
		for (unsigned i1 = 0; i1 < PT_ENTRIES && !r; i1++) {
			if (!(t1[i1] & PTE_V) || pte_is_leaf(t1[i1]))
				continue;
			uint64_t *t0 = phys_to_virt(pte_pa(t1[i1]));
			for (unsigned i0 = 0; i0 < PT_ENTRIES && !r; i0++)
				if (t0[i0] & PTE_V)
					r = clone_leaf(src, dst, (uint64_t)i2 << 30 |
						       (uint64_t)i1 << 21 | (uint64_t)i0 << 12, &t0[i0]);
		}
	}
	memcpy(dst->grants, src->grants, sizeof dst->grants);  /* dst is nobody's yet */
	dst->ngrants = src->ngrants;
	/* No hart may write a shared page: flushed before the lock goes, or a
	 * thread of src could make a page private (a fault, under the lock)
	 * while another still wrote the original through its stale entry. */
	smp_tlb_flush_harts(harts_of(src));
	spin_unlock(&src->lock);
	if (r) {
		vmspace_destroy(dst);   /* the pages it shares go back to src's alone */
		return 0;
	}
	return dst;
}

/* Executable pages are zeroed and mapped readable first, made coherent,
 * then made executable, all under the lock: no hart can fetch from a page
 * before its fence.i. */
/* Some page of [va, va+size) is mapped (vs->lock held). */
static bool any_mapped(struct vmspace *vs, uint64_t va, size_t size)
{
	/* Tables that are not there are skipped whole: a range of many GiB
	 * (an mmap of any size) costs its mapped tables, not its pages, with
	 * the space's lock held and interrupts off.  User space holds 4 KiB
	 * leaves only (vmspace_clone), so upper entries are tables. */
	for (uint64_t end = va + size; va < end; ) {
		uint64_t e2 = vs->root[vpn(va, 2)];
		if (!(e2 & PTE_V)) {
			va = (va | ((1ul << 30) - 1)) + 1;
			continue;
		}
		uint64_t e1 = ((uint64_t *)phys_to_virt(pte_pa(e2)))[vpn(va, 1)];
		if (!(e1 & PTE_V)) {
			va = (va | ((1ul << 21) - 1)) + 1;
			continue;
		}
		if (((uint64_t *)phys_to_virt(pte_pa(e1)))[vpn(va, 0)] & PTE_V)
			return true;
		va += PAGE_SIZE;
	}
	return false;
}

/* The page for offset o of a new mapping of `how` (VMSPACE_CONTIG: of the
 * block at *contig, allocated on the first page), zeroed; 0 when out of
 * memory. */
static uint64_t new_page(unsigned how, uint64_t o, size_t size, uint64_t *contig)
{
	if (how == VMSPACE_CONTIG) {
		if (!o) {
			unsigned order = 0;
			while ((PAGE_SIZE << order) < size)
				order++;
			uint64_t pa = pmm_alloc_zeroed(order);
			if (!pa)
				return 0;
			pmm_split(pa, order);   /* each page is freed on its own */
			for (uint64_t t = size; t < (PAGE_SIZE << order); t += PAGE_SIZE)
				pmm_free(pa + t, 0);
			*contig = pa;
		}
		return *contig + o;
	}
	uint64_t pa = pmm_alloc_zeroed(0);
	if (pa && how == VMSPACE_OBJECT && pageref_mark_object(pa)) {
		pmm_free(pa, 0);
		return 0;
	}
	return pa;
}

/* A contiguous block: at most PAGE_SIZE << PMM_MAX_ORDER, all under the
 * lock (vmspace_alloc_how). */
static int alloc_contig(struct vmspace *vs, uint64_t va, size_t size, unsigned prot,
			uint64_t *contig)
{
	uint64_t block = 0;

	spin_lock(&vs->lock);
	if (any_mapped(vs, va, size)) {
		spin_unlock(&vs->lock);
		return -EEXIST;
	}
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, true);
		uint64_t pa = e ? new_page(VMSPACE_CONTIG, o, size, &block) : 0;
		if (!pa) {
			spin_unlock(&vs->lock);
			if (o)                  /* ours alone: the range was empty */
				vmspace_unmap(vs, va, o);
			if (block)              /* the pages not mapped yet */
				for (; o < size; o += PAGE_SIZE)
					pmm_free(block + o, 0);
			return -ENOMEM;
		}
		ic_mark(pa);
		set_leaf(e, va + o, pa, prot & ~VM_X, PTE_OWNED);
		vs->pages++;
	}
	if (prot & VM_X) {
		icache_sync_all();
		for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
			uint64_t *e = slot(vs, va + o, false);
			set_leaf(e, va + o, pte_pa(*e), prot, PTE_OWNED);
		}
	}
	spin_unlock(&vs->lock);
	if (contig)
		*contig = block;
	return 0;
}

#define ALLOC_BATCH 32          /* pages zeroed with interrupts on, then mapped at once */

/* -EEXIST if any page of the range is mapped, -ENOMEM when memory runs
 * out: either way nothing of the range is left mapped (but what another
 * thread of the space mapped there meanwhile).  The pages are allocated
 * and zeroed ALLOC_BATCH at a time with no lock held, and mapped under the
 * space's lock batch by batch: all of a large range under the lock held a
 * hart with interrupts off for as long as zeroing it took (a second and
 * more for a few hundred MiB under QEMU: every TLB shootdown meanwhile
 * waited for that hart). */
int vmspace_alloc_how(struct vmspace *vs, uint64_t va, size_t size, unsigned prot, unsigned how,
		      uint64_t *contig)
{
	uint64_t pas[ALLOC_BATCH];

	if (!range_ok(va, size) || !prot_ok(prot) || how > VMSPACE_CONTIG)
		return -EINVAL;
	if (how == VMSPACE_CONTIG)
		return size > (PAGE_SIZE << PMM_MAX_ORDER) ? -ENOMEM :
		       alloc_contig(vs, va, size, prot, contig);
	spin_lock(&vs->lock);
	bool taken = any_mapped(vs, va, size);
	spin_unlock(&vs->lock);
	if (taken)
		return -EEXIST;
	for (uint64_t o = 0; o < size; ) {
		size_t n = (size - o) / PAGE_SIZE < ALLOC_BATCH ? (size - o) / PAGE_SIZE : ALLOC_BATCH;
		size_t got = 0, done = 0;
		int bad = 0;
		while (got < n && (pas[got] = new_page(how, 0, PAGE_SIZE, 0)))
			got++;
		if (got < n)
			bad = -ENOMEM;
		spin_lock(&vs->lock);
		for (; !bad && done < n; done++) {
			uint64_t *e = slot(vs, va + o + done * PAGE_SIZE, true);
			if (!e || (*e & PTE_V)) {       /* mapped meanwhile by another thread */
				bad = e ? -EEXIST : -ENOMEM;
				break;
			}
			ic_mark(pas[done]);
			set_leaf(e, va + o + done * PAGE_SIZE, pas[done], prot & ~VM_X, PTE_OWNED);
			vs->pages++;
		}
		if (done && (prot & VM_X)) {
			icache_sync_all();
			for (size_t i = 0; i < done; i++)
				set_leaf(slot(vs, va + o + i * PAGE_SIZE, false), va + o + i * PAGE_SIZE,
					 pas[i], prot, PTE_OWNED);
		}
		spin_unlock(&vs->lock);
		o += done * PAGE_SIZE;
		if (bad) {
			for (size_t i = done; i < got; i++)     /* never mapped: nobody saw them */
				if (pageref_drop(pas[i]))       /* (an object page's mark goes) */
					pmm_free(pas[i], 0);
			if (o)
				vmspace_unmap(vs, va, o);
			return bad;
		}
	}
	return 0;
}

int vmspace_alloc(struct vmspace *vs, uint64_t va, size_t size, unsigned prot)
{
	return vmspace_alloc_how(vs, va, size, prot, VMSPACE_PRIVATE, 0);
}

/* The pages of src's [sva, sva+size) taken (one more share each) into pas,
 * up to UNMAP_BATCH of them: only pages of shared objects.  The count
 * taken, or -EINVAL when a page is not such a page (none is taken then). */
static long take_object_pages(struct vmspace *src, uint64_t sva, size_t n, uint64_t *pas)
{
	long r = (long)n;

	spin_lock(&src->lock);
	for (size_t i = 0; i < n; i++) {
		uint64_t *e = slot(src, sva + i * PAGE_SIZE, false);
		uint64_t pte = e ? *e : 0;
		if ((pte & (PTE_V | PTE_OWNED)) != (PTE_V | PTE_OWNED) || !pageref_object(pte_pa(pte)) ||
		    pageref_share(pte_pa(pte))) {
			for (size_t k = 0; k < i; k++)
				pageref_drop(pas[k]);   /* never the last: src maps them */
			r = -EINVAL;
			break;
		}
		pas[i] = pte_pa(pte);
	}
	spin_unlock(&src->lock);
	return r;
}

int vmspace_share(struct vmspace *dst, uint64_t va, struct vmspace *src, uint64_t sva, size_t size,
		  unsigned prot)
{
	uint64_t pas[UNMAP_BATCH];

	if (!range_ok(va, size) || !range_ok(sva, size) || !prot_ok(prot) || (prot & VM_X))
		return -EINVAL;
	spin_lock(&dst->lock);
	bool busy = any_mapped(dst, va, size);
	spin_unlock(&dst->lock);
	if (busy)
		return -EEXIST;
	for (uint64_t o = 0; o < size; ) {
		size_t n = (size - o) / PAGE_SIZE < UNMAP_BATCH ? (size - o) / PAGE_SIZE : UNMAP_BATCH;
		long got = take_object_pages(src, sva + o, n, pas);
		int r = got < 0 ? (int)got : 0;
		size_t i = 0;
		spin_lock(&dst->lock);
		for (; !r && i < n; i++) {
			uint64_t *e = slot(dst, va + o + i * PAGE_SIZE, true);
			if (!e || (*e & PTE_V)) {
				r = e ? -EEXIST : -ENOMEM;      /* mapped meanwhile */
				break;
			}
			set_leaf(e, va + o + i * PAGE_SIZE, pas[i], prot, PTE_OWNED);
			dst->pages++;
		}
		spin_unlock(&dst->lock);
		if (r) {
			for (size_t k = i; got > 0 && k < n; k++)      /* taken, not mapped */
				if (pageref_drop(pas[k]))
					pmm_free(pas[k], 0);
			if (o + i * PAGE_SIZE)
				vmspace_unmap(dst, va, o + i * PAGE_SIZE);
			return r;
		}
		o += n * PAGE_SIZE;
	}
	return 0;
}

void vmspace_info(struct vmspace *vs, struct vmspace_stats *st)
{
	*st = (struct vmspace_stats){ 0 };
	spin_lock(&vs->lock);
	st->pages = vs->pages;
	for (unsigned i2 = 0; i2 < 256; i2++) {
		uint64_t e2 = vs->root[i2];
		if (!(e2 & PTE_V) || pte_is_leaf(e2))
			continue;
		uint64_t *t1 = phys_to_virt(pte_pa(e2));
		for (unsigned i1 = 0; i1 < PT_ENTRIES; i1++) {
			if (!(t1[i1] & PTE_V) || pte_is_leaf(t1[i1]))
				continue;
			st->table_pages++;
			uint64_t *t0 = phys_to_virt(pte_pa(t1[i1]));
			for (unsigned i0 = 0; i0 < PT_ENTRIES; i0++) {
				uint64_t e = t0[i0];
				if (!(e & PTE_V))
					continue;
				if (!(e & PTE_OWNED))
					st->device_pages++;
				else if (pageref_object(pte_pa(e)))
					st->object_pages++;
				else if (pageref_shared(pte_pa(e)))
					st->cow_pages++;
			}
		}
	}
	spin_unlock(&vs->lock);
}

/* Whether the kernel may copy to (write) or from the page a user PTE
 * names through the direct map: a page the space owns, or RAM the process
 * manager mapped (the boot image); never device memory (AS_MAP_PHYS), which
 * the direct map does not cover and which only its driver touches. */
static bool kernel_reaches(uint64_t pte, bool write)
{
	if (pte & PTE_OWNED)
		return true;
	uint64_t pa = pte_pa(pte);
	if (pa >= DIRECT_MAP_SIZE)
		return false;
	unsigned q = vm_kernel_query((uint64_t)phys_to_virt(pa), 0);
	return (q & VMQ_R) && (!write || (q & VMQ_W));
}

int vmspace_write(struct vmspace *vs, uint64_t va, const void *src, size_t n)
{
	const uint8_t *s = src;
	struct cow_old old = { 0 };

	spin_lock(&vs->lock);
	while (n) {
		uint64_t *e = user_range_ok(va, 1) ? slot(vs, va, false) : 0;
		if (!e || !(*e & PTE_V) || !kernel_reaches(*e, true) ||
		    make_private(vs, e, va, &old)) {
			spin_unlock(&vs->lock);
			cow_old_settle(vs, &old);
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
	cow_old_settle(vs, &old);
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
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t e = *slot(vs, va + o, false);
		int bad = 0;
		/* (A read-only share of an object stays so by the process
		 * manager's record: the PTE cannot tell it from the object's
		 * own page its process made read-only.) */
		if ((prot & VM_X) && !(e & PTE_OWNED))
			bad = -EINVAL;          /* device memory never becomes executable */
		if (bad) {
			spin_unlock(&vs->lock);
			return bad;
		}
	}
	if (prot & VM_X)
		icache_sync_all();              /* before any hart may fetch from them */
	for (uint64_t o = 0; o < size; o += PAGE_SIZE) {
		uint64_t *e = slot(vs, va + o, false);
		if (prot & VM_X)
			vmspace_icache_check(pte_pa(*e), va + o);
		*e = leaf_for(pte_pa(*e), prot, *e & PTE_OWNED);
	}
	spin_unlock(&vs->lock);
	smp_tlb_flush_harts(harts_of(vs));
	return 0;
}

/* Device memory: never executable, never freed with the space. */
int vmspace_grant_phys(struct vmspace *vs, uint64_t pa, uint64_t len)
{
	int r = 0;

	spin_lock(&vs->lock);
	if (vmspace_phys_granted_locked(vs, pa, len))
		;                               /* held already: nothing new */
	else if (vs->ngrants == AS_GRANTS_MAX)
		r = -ENOSPC;
	else
		vs->grants[vs->ngrants++] = (struct phys_grant){ pa, len };
	spin_unlock(&vs->lock);
	return r;
}

bool vmspace_phys_granted_locked(struct vmspace *vs, uint64_t pa, uint64_t len)
{
	for (unsigned i = 0; i < vs->ngrants; i++)
		if (pa >= vs->grants[i].pa && len <= vs->grants[i].len &&
		    pa - vs->grants[i].pa <= vs->grants[i].len - len)
			return true;
	return false;
}

bool vmspace_phys_granted(struct vmspace *vs, uint64_t pa, uint64_t len)
{
	spin_lock(&vs->lock);
	bool ok = vmspace_phys_granted_locked(vs, pa, len);
	spin_unlock(&vs->lock);
	return ok;
}

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
	vs->pages += size / PAGE_SIZE;
	spin_unlock(&vs->lock);
	return 0;
}

/* From va on, at most `pages` pages: PTEs cleared (up to UNMAP_BATCH of
 * them), pages the space owns collected in owned[] (their share counts
 * untouched: see vmspace_unmap).  Tables that are not there are skipped
 * whole (as any_mapped does: user space holds 4 KiB leaves only), and at
 * most UNMAP_VISITS slots are looked at under the lock.  Returns how many
 * pages it went past; *cleared says whether any PTE was. */
#define UNMAP_VISITS (8 * UNMAP_BATCH)

static size_t unmap_batch(struct vmspace *vs, uint64_t va, size_t pages, uint64_t *owned,
			  size_t *nowned, bool *cleared)
{
	size_t i = 0, hits = 0, visits = 0;

	*nowned = 0;
	*cleared = false;
	spin_lock(&vs->lock);
	while (i < pages && hits < UNMAP_BATCH && visits++ < UNMAP_VISITS) {
		uint64_t a = va + i * PAGE_SIZE;
		uint64_t e2 = vs->root[vpn(a, 2)];
		if (!(e2 & PTE_V)) {
			i += (((a | ((1ul << 30) - 1)) + 1) - a) / PAGE_SIZE;
			continue;
		}
		uint64_t e1 = ((uint64_t *)phys_to_virt(pte_pa(e2)))[vpn(a, 1)];
		if (!(e1 & PTE_V)) {
			i += (((a | ((1ul << 21) - 1)) + 1) - a) / PAGE_SIZE;
			continue;
		}
		uint64_t *e = &((uint64_t *)phys_to_virt(pte_pa(e1)))[vpn(a, 0)];
		if (*e & PTE_V) {
			if (*e & PTE_OWNED)
				owned[(*nowned)++] = pte_pa(*e);
			*e = 0;
			vs->pages--;
			hits++;
			*cleared = true;
		}
		i++;
	}
	spin_unlock(&vs->lock);
	return i < pages ? i : pages;
}

/* Holes in the range are skipped (munmap semantics), and cost their
 * missing tables, not their pages.  A page's share count drops only after
 * every hart that ran the space has dropped its translation: dropped
 * before, another space's unmap could free the page (its last share)
 * while a hart of this one still wrote it through a stale TLB entry. */
int vmspace_unmap(struct vmspace *vs, uint64_t va, size_t size)
{
	uint64_t owned[UNMAP_BATCH];
	size_t nowned;
	bool cleared;

	if (!range_ok(va, size))
		return -EINVAL;
	for (size_t left = size / PAGE_SIZE; left; ) {
		size_t n = unmap_batch(vs, va, left, owned, &nowned, &cleared);
		if (cleared)
			smp_tlb_flush_harts(harts_of(vs));
		for (size_t i = 0; i < nowned; i++)
			if (pageref_drop(owned[i]))
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
	return ((pte & PTE_R) ? VM_R : 0) | ((pte & (PTE_W | PTE_COW)) ? VM_W : 0) |
	       ((pte & PTE_X) ? VM_X : 0);
}

/* For DMA: the physical address of va in vs and how many bytes from there
 * (at most len) are contiguous in RAM.  Only pages the space owns (RAM it
 * allocated, not device memory) that the program may write; a
 * copy-on-write page is made private first, so a device never writes a
 * page another space still shares. */
long vmspace_dma(struct vmspace *vs, uint64_t va, size_t len, uint64_t *pa)
{
	struct cow_old old = { 0 };
	long n = -EFAULT;

	if (!len || !user_range_ok(va, 1))
		return -EINVAL;
	spin_lock(&vs->lock);
	for (uint64_t p = va & ~(PAGE_SIZE - 1), want = 0; (size_t)(n < 0 ? 0 : n) < len;
	     p += PAGE_SIZE) {
		uint64_t *e = user_range_ok(p, 1) ? slot(vs, p, false) : 0;
		if (!e || (*e & (PTE_V | PTE_U | PTE_OWNED)) != (PTE_V | PTE_U | PTE_OWNED) ||
		    !(*e & (PTE_W | PTE_COW)))
			break;
		if ((*e & PTE_COW) && make_private(vs, e, p, &old)) {
			if (n < 0)
				n = -ENOMEM;
			break;
		}
		uint64_t here = pte_pa(*e);
		if (n < 0) {
			*pa = here + (va & (PAGE_SIZE - 1));
			n = (long)(PAGE_SIZE - (va & (PAGE_SIZE - 1)));
		} else if (here != want) {
			break;
		} else {
			n += PAGE_SIZE;
		}
		want = here + PAGE_SIZE;
	}
	spin_unlock(&vs->lock);
	cow_old_settle(vs, &old);
	return n < 0 ? n : (long)((size_t)n < len ? (size_t)n : len);
}

void vmspace_activate(struct vmspace *vs)
{
	/* Another thread of the space that runs here now (a multi-threaded
	 * server and its clients): nothing to change. */
	if (vs && csr_read(satp) != vs->satp)
		vmspace_enter(vs);
}

void vmspace_enter(struct vmspace *vs)
{
	/* A space that ran here before but not now is flushed as it comes
	 * back, for the changes a single-threaded process made on another
	 * hart flushing only there. */
	uint32_t i = this_hart()->index;

	atomic_or64(&vs->ran_on, 1ul << i);
	active[i] = vs;
	csr_write(satp, vs->satp);
	__asm__ volatile("sfence.vma zero, %0" :: "r"((uint64_t)vs->asid) : "memory");
}

static void free_tables(uint64_t *t, int level)
{
	for (int i = 0; i < (level == 2 ? 256 : PT_ENTRIES); i++) {
		/* most entries are empty: four at a glance */
		if (!(i & 3) && !((t[i] | t[i + 1] | t[i + 2] | t[i + 3]) & PTE_V)) {
			i += 3;
			continue;
		}
		uint64_t e = t[i];
		if (!(e & PTE_V))
			continue;
		if (!pte_is_leaf(e))
			free_tables(phys_to_virt(pte_pa(e)), level - 1);
		else if ((e & PTE_OWNED) && pageref_drop(pte_pa(e)))
			pmm_free(pte_pa(e), 0);
	}
	if (level < 2)
		pmm_free(virt_to_phys(t), 0);
}

void vmspace_get(struct vmspace *vs)
{
	atomic_add32(&vs->refs, 1);
}

void vmspace_destroy(struct vmspace *vs)
{
	smp_mb();                       /* our last use before the count */
	if (atomic_add32(&vs->refs, (uint32_t)-1) != 1)
		return;                 /* a vmspace_get holder frees it */
	smp_tlb_flush_all();            /* no hart may keep translations of the ASID */
	free_tables(vs->root, 2);
	pmm_free(virt_to_phys(vs->root), 0);
	spin_lock(&spaces_lock);
	asid_used[vs->asid / 64] &= ~(1ul << (vs->asid % 64));
	vs->root = 0;
	spin_unlock(&spaces_lock);
}

/* Copy-on-write pages on either side are made private first: the caller's
 * own destination pages before vs->lock is taken (two spaces' locks are
 * never held at once), vs's under its lock. */
int vmspace_copy_cross(struct vmspace *vs, uint64_t va, uint64_t uva, size_t n, bool into_vs)
{
	uint64_t need = PTE_V | PTE_U | (into_vs ? 0 : PTE_R);
	struct cow_old old = { 0 };

	if (n && !user_range_ok(uva, n))
		return -EFAULT;
	if (n && !user_range_ok(va, n))
		return -ENXIO;
	if (!into_vs && vmspace_prepare_write(uva, n))
		return -EFAULT;
	spin_lock(&vs->lock);
	while (n) {
		uint64_t *e = slot(vs, va, false);
		bool ok = e && (*e & need) == need && kernel_reaches(*e, into_vs);
		if (ok && into_vs)
			ok = (*e & PTE_W) || ((*e & PTE_COW) && !make_private(vs, e, va, &old));
		if (!ok) {
			spin_unlock(&vs->lock);
			cow_old_settle(vs, &old);
			return -ENXIO;
		}
		size_t off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off;
		if (chunk > n)
			chunk = n;
		uint8_t *k = (uint8_t *)phys_to_virt(pte_pa(*e)) + off;
		int r = into_vs ? copy_from_user(k, uva, chunk) : copy_to_user(uva, k, chunk);
		if (r) {
			spin_unlock(&vs->lock);
			cow_old_settle(vs, &old);
			return r;
		}
		if (into_vs)
			ic_mark(pte_pa(*e));
		va += chunk;
		uva += chunk;
		n -= chunk;
	}
	spin_unlock(&vs->lock);
	cow_old_settle(vs, &old);
	return 0;
}

int vmspace_read(struct vmspace *vs, uint64_t va, void *dst, size_t n)
{
	uint8_t *d = dst;

	spin_lock(&vs->lock);
	while (n) {
		uint64_t *e = user_range_ok(va, 1) ? slot(vs, va, false) : 0;
		if (!e || (*e & (PTE_V | PTE_U | PTE_R)) != (PTE_V | PTE_U | PTE_R) ||
		    !kernel_reaches(*e, false)) {
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
