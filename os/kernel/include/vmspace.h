#pragma once
/* User address spaces: one Sv39 root and ASID per process.  The kernel half
 * of every root is the kernel's own (root entries copied at creation, all
 * created at boot); the user half holds only PTE_U leaves, each made with A
 * set and, when writable, D set.  Pages the space allocated itself are
 * freed with it. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "arch.h"

#define VM_R 1u
#define VM_W 2u
#define VM_X 4u

struct vmspace;

#define VMSPACE_MAX 2048        /* address spaces system-wide */

struct vmspace *vmspace_create(void);           /* NULL when out of memory or ASIDs */
/* Drop a reference: the creator's, or one from vmspace_get.  The last one
 * frees the space; no thread may run in it any more by then. */
void vmspace_destroy(struct vmspace *vs);
/* One more reference, for a caller that uses vs while its owner may
 * destroy it (the caller found vs under a lock that the owner takes to
 * let it go). */
void vmspace_get(struct vmspace *vs);
/* Map zeroed new pages at [va, va+size) with prot; 0 or negative errno. */
int vmspace_alloc(struct vmspace *vs, uint64_t va, size_t size, unsigned prot);
/* How vmspace_alloc_how gets its pages. */
#define VMSPACE_PRIVATE 0       /* copy-on-write after a clone */
#define VMSPACE_OBJECT  1       /* pages of a shared object: shared after a clone too */
#define VMSPACE_CONTIG  2       /* physically contiguous (for DMA); *contig = the first */
/* vmspace_alloc with pages of `how`; 0, -EINVAL, -EEXIST if any page of the
 * range is mapped, -ENOMEM (nothing of the range is mapped then). */
int vmspace_alloc_how(struct vmspace *vs, uint64_t va, size_t size, unsigned prot, unsigned how,
		      uint64_t *contig);
/* Map the shared-object pages src has at [sva, sva+size) at [va, va+size)
 * of dst too (never executable).  0, -EINVAL (bad range, or a page there
 * is not an object's), -EEXIST (something mapped at va), -ENOMEM; nothing
 * new is left mapped on failure.  Takes the two spaces' locks in turn,
 * never both. */
int vmspace_share(struct vmspace *dst, uint64_t va, struct vmspace *src, uint64_t sva, size_t size,
		  unsigned prot);
/* What a space maps, in pages. */
struct vmspace_stats {
	uint64_t pages;                 /* every user page mapped */
	uint64_t object_pages;          /* of those: pages of shared objects */
	uint64_t cow_pages;             /* RAM shared copy-on-write with other spaces */
	uint64_t device_pages;          /* device memory */
	uint64_t table_pages;           /* page-table pages below the root */
};
void vmspace_info(struct vmspace *vs, struct vmspace_stats *st);
/* Copy bytes into the space (through the direct map, not the user mapping,
 * so read-only pages can be filled); 0 or -EFAULT if not mapped. */
int vmspace_write(struct vmspace *vs, uint64_t va, const void *src, size_t n);
/* Copy n bytes out of readable user pages of vs (through the direct map);
 * 0 or -EFAULT. */
int vmspace_read(struct vmspace *vs, uint64_t va, void *dst, size_t n);
/* vmspace_write, but only into pages the program may write itself. */
int vmspace_write_user(struct vmspace *vs, uint64_t va, const void *src, size_t n);
/* Copy n bytes between user address uva of the current address space (through
 * the MMU, faults recovered) and va of vs (through its page table, which is
 * held while copying): into vs if into_vs, else out of it.  vs's pages must
 * be user pages, writable or readable as the direction needs.  0, -EFAULT
 * when the current space's range (uva) faults, or -ENXIO when vs's range
 * (va) is not mapped so: the callers tell whose buffer was bad (IPC fails
 * only the thread that gave it). */
int vmspace_copy_cross(struct vmspace *vs, uint64_t va, uint64_t uva, size_t n, bool into_vs);
/* Change protection of mapped pages; makes newly executable pages coherent
 * on every hart first.  0 or negative errno. */
int vmspace_protect(struct vmspace *vs, uint64_t va, size_t size, unsigned prot);
/* Map the physical range at pa (device memory) at [va, va+size) with prot,
 * never VM_X; the pages are not freed with the space.  0, -EINVAL,
 * -EEXIST if any page is mapped already (then nothing is mapped), -ENOMEM. */
int vmspace_map_phys(struct vmspace *vs, uint64_t va, uint64_t pa, size_t size, unsigned prot);
/* Grant vs the device range [pa, pa+len) (the caller has checked it is
 * one): 0, or -ENOSPC when vs holds AS_GRANTS_MAX already.  A range inside
 * one held already adds nothing. */
int vmspace_grant_phys(struct vmspace *vs, uint64_t pa, uint64_t len);
/* Whether [pa, pa+len) lies inside one range granted to vs (_locked: with
 * vs's lock held). */
bool vmspace_phys_granted(struct vmspace *vs, uint64_t pa, uint64_t len);
bool vmspace_phys_granted_locked(struct vmspace *vs, uint64_t pa, uint64_t len);
/* Unmap whatever is mapped in [va, va+size) (holes are fine), drop every
 * hart's translations of it, then free the pages the space allocated.
 * 0 or -EINVAL for an unaligned or non-user range. */
int vmspace_unmap(struct vmspace *vs, uint64_t va, size_t size);
/* A copy-on-write clone of src: every page src owns is shared, writable
 * ones read-only in both until written (vmspace_fault).  NULL when out of
 * memory or spaces.  src may be running: its threads' writes before the
 * clone returns may or may not be seen by the clone. */
struct vmspace *vmspace_clone(struct vmspace *src);
/* A store to user va of vs faulted: 0 if the page was copy-on-write and is
 * now writable (retry the store), -EFAULT if the store is not allowed,
 * -ENOMEM if the copy could not be made.  alone: no other hart can be
 * running vs now (only this hart's translation is then dropped).  Takes
 * vs->lock: no spinlock may be held by the caller of rank vmspace-pt or
 * above. */
int vmspace_fault(struct vmspace *vs, uint64_t va, bool alone);
/* Make [uva, uva+n) of the space this hart runs writable ahead of a kernel
 * store done while holding locks (copy-on-write pages copied now).  0,
 * -EFAULT or -ENOMEM.  Same lock rule as vmspace_fault. */
int vmspace_prepare_write(uint64_t uva, size_t n);
/* fence.i on every hart (after code was written into executable pages). */
void vmspace_sync_icache(void);
/* Switch this hart to vs (NULL: stay in the current space for kernel work). */
void vmspace_activate(struct vmspace *vs);
/* vmspace_activate's switch, for a vs that is not the hart's space. */
void vmspace_enter(struct vmspace *vs);
/* The same for a vs that is not NULL, inline where vs is the hart's space
 * already (the first word of a vmspace is its satp value: uvm.c asserts
 * it). */
static inline __attribute__((always_inline)) void vmspace_activate_quick(struct vmspace *vs)
{
	if (csr_read(satp) != *(const uint64_t *)(const void *)vs)
		vmspace_enter(vs);
}
/* Physical address and VM_* protection of va; 0 prot when unmapped. */
unsigned vmspace_query(struct vmspace *vs, uint64_t va, uint64_t *pa);
uint16_t vmspace_asid(const struct vmspace *vs);
/* DMA: the physical address of va (*pa) and the number of bytes from it,
 * at most len, that are physically contiguous; only writable pages the space
 * allocated (copy-on-write ones are made private first).  -EFAULT when va is
 * not such a page, -EINVAL for len 0 or a kernel address, -ENOMEM when a
 * private copy could not be made.  Same lock rule as vmspace_fault. */
long vmspace_dma(struct vmspace *vs, uint64_t va, size_t len, uint64_t *pa);

/* The I-cache check (KEEL_DEBUG builds; no-ops otherwise): a page of RAM
 * the kernel wrote is dirty until the next fence.i on every hart, and an
 * executable user mapping of a dirty page panics. */
bool vmspace_icache_dirty(uint64_t pa);
/* Panic if pa is dirty (va for the report), or count it while expecting. */
void vmspace_icache_check(uint64_t pa, uint64_t va);
/* ktest: count violations instead of panicking while on; returns the count
 * since the previous call and resets it. */
uint32_t vmspace_icache_expect(bool on);
