/* Self-tests of user address spaces: unmapping frees what the space owned
 * and nothing else, and the I-cache check (KEEL_DEBUG) sees a page the
 * kernel wrote until the next fence.i on every hart. */
#include <keel/errno.h>
#include "boot.h"
#include "ktest.h"
#include "platform.h"
#include "pmm.h"
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
