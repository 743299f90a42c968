/* The process manager's calls (KCALL_PRIV_PROCMGR, see <keel/procmgr.h>):
 * address spaces built from outside, processes started in them, and their
 * ends reported to the starter. */
#include <keel/errno.h>
#include <keel/procmgr.h>
#include <keel/signal.h>
#include "kcall.h"
#include <keel/thread.h>
#include "arch.h"
#include "boot.h"
#include "kstring.h"
#include "platform.h"
#include "process.h"
#include "sig.h"
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

/* The space `as` names, held until space_put(as) so that no other thread
 * destroys it meanwhile (AS_SELF needs no hold: the caller runs in it);
 * NULL if `as` names none. */
static struct vmspace *space_get(long as)
{
	struct process *p = self();

	if (as == AS_SELF)
		return p->vs;
	if (as < 1 || as > PROC_SPACES)
		return 0;
	spin_lock(&p->lock);
	struct vmspace *vs = p->spaces[as - 1];
	if (vs)
		p->space_users[as - 1]++;
	spin_unlock(&p->lock);
	return vs;
}

/* Ends a successful space_get(as). */
static void space_put(long as)
{
	struct process *p = self();

	if (as == AS_SELF)
		return;
	spin_lock(&p->lock);
	p->space_users[as - 1]--;
	spin_unlock(&p->lock);
}

static unsigned vm_prot(long prot)
{
	return ((prot & PROT_READ) ? VM_R : 0) | ((prot & PROT_WRITE) ? VM_W : 0) |
	       ((prot & PROT_EXEC) ? VM_X : 0);
}

/* Put vs in the caller's table: its id, or -EAGAIN (vs destroyed) when full. */
static long add_space(struct vmspace *vs)
{
	struct process *p = self();

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

long sys_AsCreate(void)
{
	struct vmspace *vs = vmspace_create();

	return vs ? add_space(vs) : -ENOMEM;
}

/* Take the space out of the caller's table (to destroy it or give it away),
 * then wait until the calls of other threads still working in it are done. */
static struct vmspace *take_space(long as)
{
	struct process *p = self();

	if (as < 1 || as > PROC_SPACES)
		return 0;
	spin_lock(&p->lock);
	struct vmspace *vs = p->spaces[as - 1];
	p->spaces[as - 1] = 0;
	while (vs && p->space_users[as - 1]) {
		spin_unlock(&p->lock);
		thread_sleep_ns(100 * 1000);
		spin_lock(&p->lock);
	}
	spin_unlock(&p->lock);
	return vs;
}

/* A space taken for a call that then failed goes back under its id (or,
 * if a racing AsCreate took that slot, under another, or is freed when
 * there is none): a failed call leaves the caller's spaces as they were. */
static void put_back(long as, struct vmspace *vs)
{
	struct process *p = self();

	spin_lock(&p->lock);
	if (!p->spaces[as - 1]) {
		p->spaces[as - 1] = vs;
		spin_unlock(&p->lock);
		return;
	}
	spin_unlock(&p->lock);
	add_space(vs);
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
 * mmap_device_memory).  Only a range granted to the space (AS_MAP_GRANT, by
 * the process manager) may be mapped so (-EPERM): a driver reaches the
 * devices it was started for, never the power-off device or another
 * driver's.  The process manager itself (`trusted`: KCALL_PRIV_PROCMGR into
 * its own space) needs no grant.  The other kinds: <keel/procmgr.h>. */
static long as_map(struct vmspace *vs, bool trusted, long va, long len, long prot, long flags,
		   long paddr)
{
	uint64_t pa = 0;

	if (prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	switch (flags) {
	case AS_MAP_ANON:
		return vmspace_alloc(vs, (uint64_t)va, (size_t)len, vm_prot(prot));
	case AS_MAP_SHARED:
		return vmspace_alloc_how(vs, (uint64_t)va, (size_t)len, vm_prot(prot), VMSPACE_OBJECT,
					 0);
	case AS_MAP_CONTIG: {
		long r = vmspace_alloc_how(vs, (uint64_t)va, (size_t)len, vm_prot(prot),
					   VMSPACE_CONTIG, &pa);
		if (r || !copy_to_user((uintptr_t)paddr, &pa, sizeof pa))
			return r;
		vmspace_unmap(vs, (uint64_t)va, (size_t)len);   /* nowhere to say where */
		return -EFAULT;
	}
	case AS_MAP_PHYS:
		if ((prot & PROT_EXEC) || !phys_range_ok((uint64_t)paddr, (uint64_t)len))
			return -EINVAL;
		if (!trusted && !vmspace_phys_granted(vs, (uint64_t)paddr, (uint64_t)len))
			return -EPERM;
		return vmspace_map_phys(vs, (uint64_t)va, (uint64_t)paddr, (size_t)len,
					vm_prot(prot));
	case AS_MAP_GRANT:
		if (va || prot || !phys_range_ok((uint64_t)paddr, (uint64_t)len))
			return -EINVAL;
		return vmspace_grant_phys(vs, (uint64_t)paddr, (uint64_t)len);
	}
	return -EINVAL;
}

long sys_AsMap(long as, long va, long len, long prot, long flags, long paddr)
{
	/* A driver (KCALL_PRIV_IO alone) maps device memory into itself only. */
	if (!(self()->privs & KCALL_PRIV_PROCMGR) && (as != AS_SELF || flags != AS_MAP_PHYS))
		return -EPERM;
	struct vmspace *vs = space_get(as);

	if (!vs)
		return -EINVAL;
	long r = -EINVAL;
	if (AS_MAP_KIND(flags) == AS_MAP_SHARE) {
		long from = (long)((uint64_t)flags >> 8);
		struct vmspace *src = from <= PROC_SPACES && (uint64_t)flags >> 8 == (uint32_t)from ?
				      space_get(from) : 0;
		if (src && !(prot & ~(long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
			r = vmspace_share(vs, (uint64_t)va, src, (uint64_t)paddr, (size_t)len,
					  vm_prot(prot));
		if (src)
			space_put(from);
	} else {
		bool trusted = as == AS_SELF && (self()->privs & KCALL_PRIV_PROCMGR);
		r = as_map(vs, trusted, va, len, prot, flags, paddr);
	}
	space_put(as);
	return r;
}

/* AsInfo(as, struct _as_info *). */
long sys_AsInfo(long as, long uinfo)
{
	struct vmspace_stats st;
	struct vmspace *vs = space_get(as);

	if (!vs)
		return -EINVAL;
	vmspace_info(vs, &st);
	space_put(as);
	struct _as_info info = { .pages = st.pages, .object_pages = st.object_pages,
				 .cow_pages = st.cow_pages, .device_pages = st.device_pages,
				 .table_pages = st.table_pages };
	return copy_to_user((uintptr_t)uinfo, &info, sizeof info) ? -EFAULT : 0;
}

/* MemPhys(va, len, *paddr): a driver's own writable RAM, for DMA. */
long sys_MemPhys(long va, long len, long upaddr)
{
	uint64_t pa = 0;

	if (len <= 0)
		return -EINVAL;
	long n = vmspace_dma(self()->vs, (uint64_t)va, (size_t)len, &pa);
	if (n < 0)
		return n;
	return copy_to_user((uintptr_t)upaddr, &pa, sizeof pa) ? -EFAULT : n;
}

/* AsUnmap(as, va, len): holes are fine; the pages are gone from every hart's
 * TLB before it returns. */
long sys_AsUnmap(long as, long va, long len)
{
	struct vmspace *vs = space_get(as);

	if (!vs)
		return -EINVAL;
	long r = vmspace_unmap(vs, (uint64_t)va, (size_t)len);
	space_put(as);
	return r;
}

long sys_AsProtect(long as, long va, long len, long prot)
{
	struct vmspace *vs = space_get(as);

	if (!vs)
		return -EINVAL;
	long r = vmspace_protect(vs, (uint64_t)va, (size_t)len, vm_prot(prot));
	space_put(as);
	return r;
}

/* AsWrite(as, va, src, len): into mapped pages whatever their protection;
 * executable ones are made coherent on every hart before return. */
static long as_write(struct vmspace *vs, long va, long src, long len)
{
	uint8_t buf[AS_WRITE_CHUNK];
	bool exec = false;

	for (long off = 0; off < len; off += AS_WRITE_CHUNK) {
		size_t n = (size_t)(len - off) < AS_WRITE_CHUNK ? (size_t)(len - off) : AS_WRITE_CHUNK;
		if (copy_from_user(buf, (uintptr_t)src + (uintptr_t)off, n) ||
		    vmspace_write(vs, (uint64_t)va + (uint64_t)off, buf, n))
			return -EFAULT;
		/* A chunk may end on the next page: both pages' protections. */
		exec |= (vmspace_query(vs, (uint64_t)va + (uint64_t)off, 0) |
			 vmspace_query(vs, (uint64_t)va + (uint64_t)off + n - 1, 0)) & VM_X;
	}
	if (exec)
		vmspace_sync_icache();
	return 0;
}

long sys_AsWrite(long as, long va, long src, long len)
{
	if (len < 0)
		return -EINVAL;
	struct vmspace *vs = space_get(as);
	if (!vs)
		return -EINVAL;
	long r = as_write(vs, va, src, len);
	space_put(as);
	return r;
}

/* The program's name for fault reports: argv[0] in the new space, if it
 * can be read there, into name (64 bytes; "" if not). */
static void name_from_argv(char *name, struct vmspace *vs, uint64_t argv)
{
	uint64_t a0;

	name[0] = 0;
	if (!argv || vmspace_read(vs, argv, &a0, sizeof a0) || !a0)
		return;
	for (size_t i = 0; i < 64; i++) {
		if (vmspace_read(vs, a0 + i, &name[i], 1)) {
			name[0] = 0;
			return;
		}
		if (!name[i])
			return;
	}
	name[0] = 0;                            /* longer than a name */
}

/* The space is taken first, whatever comes after: the caller's space id is
 * gone once the call is made (the new process's, or destroyed), so a
 * starter never leaks a space by an answer it did not expect. */
long sys_ProcessStart(long as, long ustart)
{
	struct process *me = self();
	struct _proc_start st;
	struct vmspace *vs = take_space(as);

	if (!vs)
		return -EINVAL;
	long bad = copy_from_user(&st, (uintptr_t)ustart, sizeof st) ? -EFAULT :
		   st.privileges & ~me->privs ? -EPERM :        /* never more than the starter holds */
		   st.priority < 0 || st.priority > PRIO_MAX ? -EINVAL : 0;
	if (bad) {
		vmspace_destroy(vs);
		return bad;
	}
	char name[sizeof st.name + 1];
	memcpy(name, st.name, sizeof st.name);
	name[sizeof st.name] = 0;
	struct process *p = process_create_in(name[0] ? name : "child", vs, me, st.privileges);
	if (!p) {
		vmspace_destroy(vs);
		return -EAGAIN;
	}
	if (!name[0]) {
		char argv0[64];
		name_from_argv(argv0, vs, st.argv);
		if (argv0[0])
			process_set_name(p, argv0);
	}
	spin_lock(&p->lock);
	p->cred = st.cred;
	spin_unlock(&p->lock);
	if (st.sig_from > 0)
		sig_inherit_ignored(p, st.sig_from, st.sigdefault);
	unsigned prio = st.priority ? (unsigned)st.priority : thread_current()->base_prio;
	/* Read before the process runs: it may end and be reaped on another
	 * hart (its slot freed, its pid 0, or the slot reused) before
	 * process_start_regs returns here.  Seen: a spawn answered pid 0 for a
	 * child that had run; taskman then met it as a stranger. */
	long child = (long)p->pid;
	if (process_start_regs(p, st.entry, st.sp, st.argc, st.argv, st.envp, st.auxv, prio,
			       st.sigmask))
		return -EAGAIN;
	return child;
}

long sys_ProcessWait(long pid, long uinfo, long flags)
{
	struct process *me = self();
	bool any;
	int report;

	if (flags == _PROC_WAIT_STOPPED_NOW) {
		struct process *c = pid > 0 && pid <= INT32_MAX ? process_by_pid((uint32_t)pid) : 0;
		/* c's slot may hold another process (another child of ours,
		 * even) by now: while c->parent is us under our lock, it is
		 * not reaped (ProcessWait clears parent under it first), so
		 * its pid is stable here. */
		spin_lock(&me->lock);
		bool mine = c && c->parent == me && c->pid == (uint32_t)pid;
		bool stopped = mine && *(volatile bool *)&c->stopped && !*(volatile bool *)&c->exiting;
		spin_unlock(&me->lock);
		return !mine ? -ECHILD : stopped ? pid : -EAGAIN;
	}
	if (flags & ~(long)(_PROC_WAIT_NOHANG | _PROC_WAIT_STOPPED | _PROC_WAIT_CONTINUED))
		return -EINVAL;
	for (;;) {
		spin_lock(&me->lock);
		struct process *c = process_find_child(me, (int)pid, (unsigned)flags, &any, &report);
		if (c && report) {
			struct _proc_exit ex = { .pid = (int32_t)c->pid, .status = report,
						 .how = report == SIGCONT ? _PROC_CONTINUED :
									    _PROC_STOPPED };
			spin_unlock(&me->lock);
			if (uinfo && copy_to_user((uintptr_t)uinfo, &ex, sizeof ex))
				return -EFAULT;
			return ex.pid;
		}
		if (c) {
			struct _proc_exit ex = { .pid = (int32_t)c->pid, .how = c->how,
						 .status = c->exit_status, .code = c->exit_code,
						 .pc = c->fault_pc,
						 .addr = c->fault_addr };
			c->parent = 0;  /* no other waiter reports it too */
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
		int r = waitq_block(&me->children_wq, &me->lock, kcall_deadline(STATE_JOIN));
		if (r == -EINTR || r == -ETIMEDOUT)
			return r;               /* told to end, a signal, or timed out */
	}
}

/* ---- fork, exec, credentials (see <keel/procmgr.h>) ------------------------------ */

/* The live process pid names (0: the caller), or NULL.  Its slot may go
 * to another process once it is looked up: use proc_arg_lock to act on it. */
static struct process *proc_arg(long pid)
{
	if (pid == 0)
		return self();
	if (pid < 0 || pid > INT32_MAX)
		return 0;
	return process_by_pid((uint32_t)pid);
}

/* The same, locked, or NULL: while its lock is held it stays process pid. */
static struct process *proc_arg_lock(long pid)
{
	struct process *p = proc_arg(pid);

	return p && process_lock_live(p, pid ? (uint32_t)pid : p->pid) ? p : 0;
}

/* The first process (the process manager) keeps its memory to itself: no
 * other process, privileged or not, opens or copies its space. */
static bool space_shut(const struct process *p)
{
	return (p->flags & PROC_INIT) && p != self();
}

/* AsOpen(pid): pid's own space, one more reference, into the caller's table. */
long sys_AsOpen(long pid)
{
	struct process *p = proc_arg_lock(pid);

	if (!p)
		return -ESRCH;
	/* The check and the reference in one hold (process_space_get's). */
	bool shut = space_shut(p);
	struct vmspace *vs = shut ? 0 : p->vs;
	if (vs)
		vmspace_get(vs);
	spin_unlock(&p->lock);
	if (shut)
		return -EPERM;
	if (!vs)
		return -ESRCH;
	return add_space(vs);                   /* the reference goes with the id */
}

/* AsClone(pid): a copy-on-write clone of pid's space into the caller's table. */
long sys_AsClone(long pid)
{
	struct process *p = proc_arg_lock(pid);

	if (!p)
		return -ESRCH;
	/* The checks and the reference in one hold (process_space_get's). */
	bool shut = space_shut(p), single = p->nthreads <= 1;
	struct vmspace *src = shut || !single ? 0 : p->vs;
	if (src)
		vmspace_get(src);
	spin_unlock(&p->lock);
	if (shut)
		return -EPERM;
	if (!single)
		return -EBUSY;                  /* its other threads would race the copy */
	if (!src)
		return -ESRCH;
	struct vmspace *vs = vmspace_clone(src);
	vmspace_destroy(src);                   /* our reference */
	return vs ? add_space(vs) : -ENOMEM;
}

/* Thread tid of p, process pid, blocked in a kernel call on a channel of
 * the caller's, or NULL.  p's slot may hold another process since it was
 * looked up, and tid name one of its threads: looked at under p's lock.
 * (process_fork and process_exec check later that t is still tid and p's:
 * a live thread keeps its process in its slot.) */
static struct thread *blocked_on_caller(struct process *p, uint32_t pid, long tid)
{
	struct thread *t = tid > 0 && tid <= UINT32_MAX ? thread_lookup((uint32_t)tid) : 0;

	if (!t || t->proc != p || !process_lock_live(p, pid))
		return 0;
	spin_unlock(&p->lock);
	if (!ipc_blocked_on(t, self()))
		return 0;
	return t;
}

/* ProcessFork(pid, tid, as) -> the child's pid. */
long sys_ProcessFork(long pid, long tid, long as)
{
	struct process *me = self(), *p = proc_arg(pid);
	int32_t child;

	if (!p || p == me)
		return -ESRCH;
	struct thread *t = blocked_on_caller(p, (uint32_t)pid, tid);
	if (!t)
		return -ESRCH;
	spin_lock(&p->lock);
	bool single = p->nthreads == 1;
	spin_unlock(&p->lock);
	if (!single)
		return -EBUSY;
	struct vmspace *vs = take_space(as);
	if (!vs)
		return -EINVAL;
	int r = process_fork(p, t, (uint32_t)tid, vs, me, &child);
	if (r) {
		put_back(as, vs);
		return r;
	}
	return child;
}

/* ProcessExec(pid, tid, as, const struct _proc_start *) -> 0. */
long sys_ProcessExec(long pid, long tid, long as, long ustart)
{
	struct process *me = self(), *p = proc_arg(pid);
	struct _proc_start st;

	if (copy_from_user(&st, (uintptr_t)ustart, sizeof st))
		return -EFAULT;
	if (st.privileges & ~me->privs)
		return -EPERM;
	if (!p || p == me)
		return -ESRCH;
	struct thread *t = blocked_on_caller(p, (uint32_t)pid, tid);
	if (!t)
		return -ESRCH;
	struct vmspace *vs = take_space(as);
	if (!vs)
		return -EINVAL;
	char argv0[64];
	name_from_argv(argv0, vs, st.argv);
	struct proc_regs regs = { st.entry, st.sp, st.argc, st.argv, st.envp, st.auxv };
	int r = process_exec(p, (uint32_t)pid, t, (uint32_t)tid, vs, &regs, st.privileges,
			     argv0);
	if (r)
		put_back(as, vs);
	return r;
}

/* ProcessSetCred(pid, const struct _cred_info *). */
long sys_ProcessSetCred(long pid, long ucred)
{
	struct process *p = proc_arg(pid);
	struct _cred_info cred;

	if (copy_from_user(&cred, (uintptr_t)ucred, sizeof cred))
		return -EFAULT;
	if (!p || !process_lock_live(p, pid ? (uint32_t)pid : p->pid))
		return -ESRCH;                  /* (its slot may be another's by now) */
	p->cred = cred;
	spin_unlock(&p->lock);
	return 0;
}

/* ProcessSetGroup(pid, pgid, sid). */
long sys_ProcessSetGroup(long pid, long pgid, long sid)
{
	struct process *p = proc_arg(pid);

	if (pgid < 0 || pgid > INT32_MAX || sid < 0 || sid > INT32_MAX)
		return -EINVAL;
	if (!p || !process_lock_live(p, pid ? (uint32_t)pid : p->pid))
		return -ESRCH;                  /* (its slot may be another's by now) */
	p->pgid = (int32_t)pgid;
	p->sid = (int32_t)sid;
	spin_unlock(&p->lock);
	return 0;
}

/* ProcessExit(status): the caller's process ends (any process may). */
long sys_ProcessExit(long status)
{
	process_exit((int)status);
}

/* SystemReset(how): the machine's end, now (<keel/procmgr.h>). */
long sys_SystemReset(long how)
{
	if (how == _SYSRESET_POWEROFF)
		arch_poweroff(0);
	if (how == _SYSRESET_REBOOT)
		arch_reboot();
	return -EINVAL;
}
