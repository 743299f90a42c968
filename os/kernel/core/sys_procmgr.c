/* The process manager's calls (KCALL_PRIV_PROCMGR, see <keel/procmgr.h>):
 * address spaces built from outside, processes started in them, and their
 * ends reported to the starter. */
#include <keel/errno.h>
#include <keel/procmgr.h>
#include "kcall.h"
#include "boot.h"
#include "kstring.h"
#include "platform.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"
#include "vm.h"
#include "vmspace.h"

#define AS_WRITE_CHUNK 256
#define PHYS_ADDR_TOP  (1ul << 56)      /* Sv39 leaves hold 56-bit addresses */

static struct process *self(void)
{
	return thread_current()->proc;
}

static struct vmspace *space_of(long as)
{
	struct process *p = self();

	if (as == AS_SELF)
		return p->vs;
	if (as < 1 || as > PROC_SPACES)
		return 0;
	spin_lock(&p->lock);
	struct vmspace *vs = p->spaces[as - 1];
	spin_unlock(&p->lock);
	return vs;
}

static unsigned vm_prot(long prot)
{
	return ((prot & PROT_READ) ? VM_R : 0) | ((prot & PROT_WRITE) ? VM_W : 0) |
	       ((prot & PROT_EXEC) ? VM_X : 0);
}

long sys_AsCreate(void)
{
	struct process *p = self();
	struct vmspace *vs = vmspace_create();

	if (!vs)
		return -ENOMEM;
	spin_lock(&p->lock);
	for (int i = 0; i < PROC_SPACES; i++)
		if (!p->spaces[i]) {
			p->spaces[i] = vs;
			spin_unlock(&p->lock);
			return i + 1;
		}
	spin_unlock(&p->lock);
	vmspace_destroy(vs);
	return -EAGAIN;
}

/* Take the space out of the caller's table (to destroy it or give it away). */
static struct vmspace *take_space(long as)
{
	struct process *p = self();

	if (as < 1 || as > PROC_SPACES)
		return 0;
	spin_lock(&p->lock);
	struct vmspace *vs = p->spaces[as - 1];
	p->spaces[as - 1] = 0;
	spin_unlock(&p->lock);
	return vs;
}

long sys_AsDestroy(long as)
{
	struct vmspace *vs = take_space(as);
	if (!vs)
		return -EINVAL;
	vmspace_destroy(vs);
	return 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* A physical range a process may map: page-aligned, addressable, and
 * neither RAM (the kernel owns every page of it) nor the interrupt
 * controller (the kernel's own device). */
static bool phys_range_ok(uint64_t pa, uint64_t len)
{
	const struct platform *pl = boot_platform;

	if ((pa | len) & (PAGE_SIZE - 1) || !len || pa >= PHYS_ADDR_TOP ||
	    len > PHYS_ADDR_TOP - pa)
		return false;
	for (int i = 0; i < pl->nmem; i++)
		if (overlaps(pa, len, pl->mem[i].base, pl->mem[i].size))
			return false;
	for (int i = 0; i < pl->nrsv; i++)
		if (overlaps(pa, len, pl->rsv[i].base, pl->rsv[i].size))
			return false;
	return !(pl->plic.present && overlaps(pa, len, pl->plic.base, pl->plic.size));
}

/* AsMap(as, va, len, prot, flags, paddr).  AS_MAP_PHYS maps device memory:
 * never executable, never RAM (-EINVAL); as AS_SELF it is how a driver
 * gets its registers (through the process manager, as QNX's
 * mmap_device_memory). */
long sys_AsMap(long as, long va, long len, long prot, long flags, long paddr)
{
	struct vmspace *vs = space_of(as);

	if (!vs || (prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (flags == AS_MAP_ANON)
		return vmspace_alloc(vs, (uint64_t)va, (size_t)len, vm_prot(prot));
	if (flags != AS_MAP_PHYS)
		return -EINVAL;
	if ((prot & PROT_EXEC) || !phys_range_ok((uint64_t)paddr, (uint64_t)len))
		return -EINVAL;
	return vmspace_map_phys(vs, (uint64_t)va, (uint64_t)paddr, (size_t)len, vm_prot(prot));
}

/* AsUnmap(as, va, len): holes are fine; the pages are gone from every hart's
 * TLB before it returns. */
long sys_AsUnmap(long as, long va, long len)
{
	struct vmspace *vs = space_of(as);

	if (!vs)
		return -EINVAL;
	return vmspace_unmap(vs, (uint64_t)va, (size_t)len);
}

long sys_AsProtect(long as, long va, long len, long prot)
{
	struct vmspace *vs = space_of(as);

	if (!vs)
		return -EINVAL;
	return vmspace_protect(vs, (uint64_t)va, (size_t)len, vm_prot(prot));
}

/* AsWrite(as, va, src, len): into mapped pages whatever their protection;
 * executable ones are made coherent on every hart before return. */
long sys_AsWrite(long as, long va, long src, long len)
{
	struct vmspace *vs = space_of(as);
	uint8_t buf[AS_WRITE_CHUNK];
	bool exec = false;

	if (!vs || len < 0)
		return -EINVAL;
	for (long off = 0; off < len; off += AS_WRITE_CHUNK) {
		size_t n = (size_t)(len - off) < AS_WRITE_CHUNK ? (size_t)(len - off) : AS_WRITE_CHUNK;
		if (copy_from_user(buf, (uintptr_t)src + (uintptr_t)off, n) ||
		    vmspace_write(vs, (uint64_t)va + (uint64_t)off, buf, n))
			return -EFAULT;
		exec |= vmspace_query(vs, (uint64_t)va + (uint64_t)off, 0) & VM_X;
	}
	if (exec)
		vmspace_sync_icache();
	return 0;
}

long sys_ProcessStart(long as, long ustart)
{
	struct process *me = self();
	struct _proc_start st;

	if (copy_from_user(&st, (uintptr_t)ustart, sizeof st))
		return -EFAULT;
	if (st.privileges & ~me->privs)
		return -EPERM;                  /* never more than the starter holds */
	if (st.priority < 0 || st.priority > PRIO_MAX)
		return -EINVAL;
	struct vmspace *vs = take_space(as);
	if (!vs)
		return -EINVAL;
	char name[sizeof st.name + 1];
	memcpy(name, st.name, sizeof st.name);
	name[sizeof st.name] = 0;
	struct process *p = process_create_in(name[0] ? name : "child", vs, me, st.privileges);
	if (!p) {
		vmspace_destroy(vs);
		return -EAGAIN;
	}
	p->uid = st.cred.euid;
	p->gid = st.cred.egid;
	unsigned prio = st.priority ? (unsigned)st.priority : thread_current()->base_prio;
	if (process_start_regs(p, st.entry, st.sp, st.argc, st.argv, st.envp, st.auxv, prio))
		return -EAGAIN;
	return (long)p->pid;
}

long sys_ProcessWait(long pid, long uinfo, long flags)
{
	struct process *me = self();
	bool any;

	for (;;) {
		spin_lock(&me->lock);
		struct process *c = process_find_child(me, (int)pid, &any);
		if (c) {
			struct _proc_exit ex = { .pid = (int32_t)c->pid, .how = c->how,
						 .status = c->exit_status, .pc = c->fault_pc,
						 .addr = c->fault_addr };
			spin_unlock(&me->lock);
			process_reap(c);
			if (uinfo && copy_to_user((uintptr_t)uinfo, &ex, sizeof ex))
				return -EFAULT;
			return ex.pid;
		}
		if (!any) {
			spin_unlock(&me->lock);
			return -ECHILD;
		}
		if (flags & _PROC_WAIT_NOHANG) {
			spin_unlock(&me->lock);
			return -EAGAIN;
		}
		if (waitq_block(&me->children_wq, &me->lock, WAIT_FOREVER) == -EINTR)
			return -EINTR;          /* told to end (thread_kill) */
	}
}

/* ProcessExit(status): the caller's process ends (any process may). */
long sys_ProcessExit(long status)
{
	process_exit((int)status);
}
