/* Self-tests of user address spaces: unmapping frees what the space owned
 * and nothing else, and the I-cache check (KEEL_DEBUG) sees a page the
 * kernel wrote until the next fence.i on every hart. */
#include <keel/errno.h>
#include "boot.h"
#include "ktest.h"
#include "platform.h"
#include "pmm.h"
#include "uaccess.h"
#include "vm.h"
#include "vmspace.h"

#define T_VA 0x10000ul

KTEST(vm_unmap_frees_owned_pages_only)
{
	const struct platform *pl = boot_platform;
	struct vmspace *vs = vmspace_create();
	uint64_t pa;

	KT_ASSERT(vs);
	KT_ASSERT(pl->nuarts > 0);
	KT_EQ(vmspace_alloc(vs, T_VA, 4 * PAGE_SIZE, VM_R | VM_W), 0);  /* tables too */
	uint64_t before = pmm_free_pages();
	KT_EQ(vmspace_unmap(vs, T_VA, 2 * PAGE_SIZE), 0);
	KT_EQ(pmm_free_pages(), before + 2);
	KT_EQ(vmspace_query(vs, T_VA, 0), 0);
	KT_EQ(vmspace_query(vs, T_VA + 2 * PAGE_SIZE, 0), VM_R | VM_W);
	/* Device pages are the device's: unmapping must not free them (a bad
	 * free would panic). */
	uint64_t dev = pl->uart[0].base & ~(PAGE_SIZE - 1);
	KT_EQ(vmspace_map_phys(vs, T_VA, dev, PAGE_SIZE, VM_R | VM_W), 0);
	KT_EQ(vmspace_query(vs, T_VA, &pa), VM_R | VM_W);
	KT_EQ(pa, dev);
	KT_EQ(vmspace_map_phys(vs, T_VA, dev, PAGE_SIZE, VM_R), -EEXIST);
	KT_EQ(vmspace_map_phys(vs, T_VA + PAGE_SIZE, dev, PAGE_SIZE, VM_R | VM_X), -EINVAL);
	before = pmm_free_pages();
	KT_EQ(vmspace_unmap(vs, T_VA, 4 * PAGE_SIZE), 0);               /* one hole in it */
	KT_EQ(pmm_free_pages(), before + 2);
	vmspace_destroy(vs);
	return 0;
}

KTEST(vm_icache_check_sees_unsynced_writes)
{
	static const uint32_t nop = 0x00000013;
	uint64_t pa;

#ifndef KEEL_DEBUG
	KT_SKIP("the I-cache check is in debug builds only");
#endif
	struct vmspace *vs = vmspace_create();
	KT_ASSERT(vs);
	KT_EQ(vmspace_alloc(vs, T_VA, PAGE_SIZE, VM_R | VM_W), 0);
	KT_ASSERT(vmspace_query(vs, T_VA, &pa));
	KT_ASSERT(vmspace_icache_dirty(pa));                    /* zeroed by the kernel */
	vmspace_sync_icache();
	KT_ASSERT(!vmspace_icache_dirty(pa));
	KT_EQ(vmspace_write(vs, T_VA, &nop, sizeof nop), 0);
	KT_ASSERT(vmspace_icache_dirty(pa));
	/* An executable mapping now would be the bug the check is for. */
	vmspace_icache_expect(true);
	vmspace_icache_check(pa, T_VA);
	KT_EQ(vmspace_icache_expect(false), 1);
	/* The kernel's own paths fence before they set X: no violation. */
	vmspace_icache_expect(true);
	KT_EQ(vmspace_protect(vs, T_VA, PAGE_SIZE, VM_R | VM_X), 0);
	KT_EQ(vmspace_alloc(vs, T_VA + PAGE_SIZE, 2 * PAGE_SIZE, VM_R | VM_X), 0);
	KT_EQ(vmspace_icache_expect(false), 0);
	KT_ASSERT(!vmspace_icache_dirty(pa));
	vmspace_destroy(vs);
	return 0;
}

/* Pages of a shared object (AS_MAP_SHARED) stay one page in both spaces
 * after a clone, writable in each: a write in one is read in the other.
 * Private pages next to them are still copied on the first write. */
KTEST(vm_object_pages_stay_shared_after_clone)
{
	struct vmspace *vs = vmspace_create();
	uint64_t pa, pb, before;
	uint32_t v = 0x5eed, w = 0;

	KT_ASSERT(vs);
	/* the share counts' table is made on first use and kept: make it now */
	KT_EQ(vmspace_alloc_how(vs, T_VA, PAGE_SIZE, VM_R | VM_W, VMSPACE_OBJECT, 0), 0);
	KT_EQ(vmspace_unmap(vs, T_VA, PAGE_SIZE), 0);
	before = pmm_free_pages();
	KT_EQ(vmspace_alloc_how(vs, T_VA, 2 * PAGE_SIZE, VM_R | VM_W, VMSPACE_OBJECT, 0), 0);
	KT_EQ(vmspace_alloc(vs, T_VA + 2 * PAGE_SIZE, PAGE_SIZE, VM_R | VM_W), 0);
	struct vmspace *c = vmspace_clone(vs);
	KT_ASSERT(c);
	KT_EQ(vmspace_query(vs, T_VA + PAGE_SIZE, &pa), VM_R | VM_W);
	KT_EQ(vmspace_query(c, T_VA + PAGE_SIZE, &pb), VM_R | VM_W);
	KT_EQ(pa, pb);
	KT_EQ(vmspace_write_user(c, T_VA + PAGE_SIZE + 8, &v, sizeof v), 0);
	KT_EQ(vmspace_read(vs, T_VA + PAGE_SIZE + 8, &w, sizeof w), 0);
	KT_EQ(w, v);
	/* the private page: written in the clone, the original keeps its zero */
	KT_EQ(vmspace_write_user(c, T_VA + 2 * PAGE_SIZE, &v, sizeof v), 0);
	KT_EQ(vmspace_read(vs, T_VA + 2 * PAGE_SIZE, &w, sizeof w), 0);
	KT_EQ(w, 0);
	struct vmspace_stats st;
	vmspace_info(c, &st);
	KT_EQ(st.pages, 3);
	KT_EQ(st.object_pages, 2);
	KT_EQ(st.device_pages, 0);
	/* a fourth space maps the object's pages by address (AS_MAP_SHARE);
	 * a private page is refused, and so is PROT_EXEC */
	struct vmspace *d = vmspace_create();
	KT_ASSERT(d);
	KT_EQ(vmspace_share(d, T_VA, vs, T_VA + 2 * PAGE_SIZE, PAGE_SIZE, VM_R | VM_W), -EINVAL);
	KT_EQ(vmspace_share(d, T_VA, vs, T_VA, 2 * PAGE_SIZE, VM_R | VM_X), -EINVAL);
	KT_EQ(vmspace_share(d, T_VA, vs, T_VA, 2 * PAGE_SIZE, VM_R), 0);
	KT_EQ(vmspace_query(d, T_VA + PAGE_SIZE, &pb), VM_R);
	KT_EQ(pa, pb);
	KT_EQ(vmspace_read(d, T_VA + PAGE_SIZE + 8, &w, sizeof w), 0);
	KT_EQ(w, v);
	KT_EQ(vmspace_share(d, T_VA, vs, T_VA, PAGE_SIZE, VM_R), -EEXIST);
	vmspace_info(d, &st);
	KT_EQ(st.pages, 2);
	vmspace_destroy(vs);
	vmspace_destroy(c);
	KT_EQ(vmspace_read(d, T_VA + PAGE_SIZE + 8, &w, sizeof w), 0);    /* d holds them */
	KT_EQ(w, v);
	vmspace_destroy(d);
	/* every page back, and vs's root and its two tables for T_VA, which
	 * `before` counted as used */
	KT_EQ(pmm_free_pages(), before + 3);
	return 0;
}

/* A page two spaces share, made write-only (PROT_WRITE alone) in either,
 * stays a readable copy-on-write leaf.  Without R, W and X a leaf is a
 * pointer to a page table, to the MMU and to the teardown, which walked
 * the page's bytes as PTEs and freed what they named (kfuzz: a bad free
 * of a garbage address after AsProtect on a fork's space). */
KTEST(vm_write_only_shared_page_stays_a_leaf)
{
	struct vmspace *vs = vmspace_create();
	uint64_t pa, pb;
	uint32_t v = 0x5eed, w = 1;

	KT_ASSERT(vs);
	KT_EQ(vmspace_alloc(vs, T_VA, PAGE_SIZE, VM_R | VM_W), 0);
	struct vmspace *c = vmspace_clone(vs);
	KT_ASSERT(c);
	KT_EQ(vmspace_protect(c, T_VA, PAGE_SIZE, VM_W), 0);
	KT_EQ(vmspace_query(c, T_VA, &pb), VM_R | VM_W);
	KT_EQ(vmspace_protect(vs, T_VA, PAGE_SIZE, VM_W), 0);
	KT_EQ(vmspace_query(vs, T_VA, &pa), VM_R | VM_W);
	KT_EQ(pa, pb);                                          /* one page still */
	KT_EQ(vmspace_write_user(c, T_VA, &v, sizeof v), 0);    /* the clone's own copy */
	KT_EQ(vmspace_query(c, T_VA, &pb), VM_R | VM_W);
	KT_ASSERT(pa != pb);
	KT_EQ(vmspace_read(vs, T_VA, &w, sizeof w), 0);
	KT_EQ(w, 0);
	KT_EQ(vmspace_read(c, T_VA, &w, sizeof w), 0);
	KT_EQ(w, v);
	vmspace_destroy(c);
	vmspace_destroy(vs);
	return 0;
}

/* AS_MAP_CONTIG: one physically contiguous run; its pages go back one by
 * one (a partial unmap frees just those), and the block's unused tail is
 * never held. */
KTEST(vm_contig_pages_are_one_run)
{
	struct vmspace *vs = vmspace_create();
	uint64_t run = 0, pa, before = pmm_free_pages();

	KT_ASSERT(vs);
	KT_EQ(vmspace_alloc_how(vs, T_VA, 5 * PAGE_SIZE, VM_R | VM_W, VMSPACE_CONTIG, &run), 0);
	KT_ASSERT(run && !(run & (PAGE_SIZE - 1)));
	for (uint64_t i = 0; i < 5; i++) {
		KT_EQ(vmspace_query(vs, T_VA + i * PAGE_SIZE, &pa), VM_R | VM_W);
		KT_EQ(pa, run + i * PAGE_SIZE);
	}
	uint64_t mapped = pmm_free_pages();
	KT_EQ(vmspace_unmap(vs, T_VA + PAGE_SIZE, 2 * PAGE_SIZE), 0);
	KT_EQ(pmm_free_pages(), mapped + 2);
	KT_EQ(vmspace_alloc_how(vs, T_VA + 8 * PAGE_SIZE, PAGE_SIZE << 12, VM_R | VM_W,
				VMSPACE_CONTIG, &pa), -ENOMEM);    /* larger than any block */
	vmspace_destroy(vs);
	KT_EQ(pmm_free_pages(), before + 1);    /* and the root `before` counted */
	return 0;
}

/* uaccess_copy (the copy under every copy_from_user and copy_to_user) at
 * every pair of source and destination offsets in a double word and every
 * length up to 80 bytes: the words-where-it-can paths and the byte tails
 * copy exactly the bytes asked for and touch nothing around them. */
KTEST(uaccess_copy_every_alignment)
{
	static uint8_t src[128], dst[128];
	unsigned bad = 0;

	for (unsigned i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 7 + 1);
	for (unsigned so = 0; so < 8; so++)
		for (unsigned d = 0; d < 8; d++)
			for (unsigned n = 0; n <= 80; n++) {
				for (unsigned i = 0; i < sizeof dst; i++)
					dst[i] = 0xa5;
				if (uaccess_copy(dst + 16 + d, src + 16 + so, n))
					bad++;
				for (unsigned i = 0; i < sizeof dst; i++) {
					bool in = i >= 16 + d && i < 16 + d + n;
					uint8_t want = in ? src[16 + so + (i - 16 - d)] : 0xa5;
					bad += dst[i] != want;
				}
			}
	KT_EQ(bad, 0);
	return 0;
}
