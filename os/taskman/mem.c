/* taskman's own memory: page runs mapped into its space on demand (it holds
 * KCALL_PRIV_PROCMGR, so AsMap on AS_SELF is its sbrk) and unmapped when
 * freed, so that its footprint goes back to the baseline after any number
 * of spawns.  A first-fit bitmap over one reserved range of addresses. */
#include <keel/errno.h>
#include <keel/kcall.h>
#include <keel/procmgr.h>
#include <keel/start.h>
#include "taskman.h"

#define HEAP_BASE   0x0000001000000000ul        /* 64 GiB: far from image and stacks */
#define HEAP_PAGES  65536u                      /* 256 MiB of addresses */
#define PAGE        4096ul

static uint64_t used[HEAP_PAGES / 64];          /* bit set: page taken */
static uint32_t pages_in_use;
static sync_t heap_lock;

size_t tm_heap_bytes(void)
{
	return (size_t)__atomic_load_n(&pages_in_use, __ATOMIC_RELAXED) * PAGE;
}

static bool taken(uint32_t i)
{
	return used[i / 64] >> (i % 64) & 1;
}

static void mark(uint32_t first, uint32_t n, bool on)
{
	for (uint32_t i = first; i < first + n; i++) {
		if (on)
			used[i / 64] |= 1ul << (i % 64);
		else
			used[i / 64] &= ~(1ul << (i % 64));
	}
}

/* The first run of n free pages, or HEAP_PAGES. */
static uint32_t find_run(uint32_t n)
{
	uint32_t run = 0;

	for (uint32_t i = 0; i < HEAP_PAGES; i++) {
		run = taken(i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return HEAP_PAGES;
}

void *tm_alloc(size_t bytes)
{
	uint32_t n = (uint32_t)((bytes + PAGE - 1) / PAGE), me = urt_tid();

	if (!bytes || bytes > HEAP_PAGES * PAGE)
		return 0;
	urt_mutex_lock(&heap_lock, me);
	uint32_t first = find_run(n);
	if (first < HEAP_PAGES) {
		mark(first, n, true);
		pages_in_use += n;
	}
	urt_mutex_unlock(&heap_lock, me);
	if (first == HEAP_PAGES)
		return 0;
	uintptr_t va = HEAP_BASE + first * PAGE;
	if (AsMap_r(AS_SELF, va, n * PAGE, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0) < 0) {
		urt_mutex_lock(&heap_lock, me);
		mark(first, n, false);
		pages_in_use -= n;
		urt_mutex_unlock(&heap_lock, me);
		return 0;
	}
	return (void *)va;
}

void tm_free(void *p, size_t bytes)
{
	uint32_t n = (uint32_t)((bytes + PAGE - 1) / PAGE), me = urt_tid();
	uintptr_t va = (uintptr_t)p;

	if (!p)
		return;
	AsUnmap_r(AS_SELF, va, n * PAGE);
	urt_mutex_lock(&heap_lock, me);
	mark((uint32_t)((va - HEAP_BASE) / PAGE), n, false);
	pages_in_use -= n;
	urt_mutex_unlock(&heap_lock, me);
}

/* ---- mmap for processes ------------------------------------------------------
 *
 * A process's mappings are made in its own space (AsOpen) by the kernel's
 * AsMap, which refuses to map over anything (-EEXIST): the kernel's page
 * tables are the one record of what is mapped, so fork (a copy-on-write
 * clone) and exec (a new space) need nothing from here but the hint.
 * Without MAP_FIXED an address is found between MMAP_BASE and MMAP_END by
 * trying from the process's hint upwards: the hint moves past each new
 * mapping, so holes left by munmap are found again only after the hint
 * wraps (then the search walks from the bottom).  The image and libc's heap
 * live below MMAP_BASE, the main stack above MMAP_END. */
#define MMAP_BASE   0x0000002000000000ul        /* 128 GiB */
#define MMAP_END    0x0000003f00000000ul        /* 252 GiB: the stack is above */
#define MMAP_TRIES  512

static bool page_aligned(uint64_t v)
{
	return (v & (PAGE - 1)) == 0;
}

/* Map [va, va + len) in as; a MAP_STACK mapping leaves its lowest page
 * unmapped (the guard; [va, va + len) was found free).  0 or -errno (-EEXIST when something is there). */
static int map_at(int as, uint64_t va, uint64_t len, uint32_t prot, const struct _proc_mmap *m,
		  uint64_t *paddr)
{
	uint32_t how = (m->flags & _PROC_MAP_SHARED) ? AS_MAP_SHARED : AS_MAP_ANON;

	if (m->flags & _PROC_MAP_PHYS)
		return AsMap_r(as, va, len, prot, AS_MAP_PHYS, m->paddr);
	if (m->flags & _PROC_MAP_GRANT)         /* *paddr: the object's pages, as from */
		return AsMap_r(as, va, len, prot, AS_MAP_SHARE | AS_MAP_FROM(paddr[1]), paddr[0]);
	if (m->flags & _PROC_MAP_CONTIG)
		return AsMap_r(as, va, len, prot, AS_MAP_CONTIG, (uint64_t)(uintptr_t)paddr);
	if (m->flags & _PROC_MAP_STACK)         /* the guard: not mapped by us */
		return AsMap_r(as, va + PAGE, len - PAGE, prot, how, 0);
	return AsMap_r(as, va, len, prot, how, 0);
}

/* A new mapping of len bytes: its address or -errno. */
static int64_t map_new(int as, struct tproc *p, const struct _proc_mmap *m, uint64_t len,
		       uint64_t *paddr)
{
	uint64_t size = len + ((m->flags & _PROC_MAP_STACK) ? PAGE : 0);
	uint32_t prot = m->prot;

	if (m->flags & (_PROC_MAP_FIXED | _PROC_MAP_NOREPLACE)) {
		if (!page_aligned(m->addr) || m->addr + size < m->addr ||
		    m->addr + size > KEEL_USER_STACK_TOP || m->addr < PAGE)
			return -EINVAL;
		if (m->flags & _PROC_MAP_FIXED)
			AsUnmap_r(as, m->addr, size);   /* MAP_FIXED replaces what was there */
		int r = map_at(as, m->addr, size, prot, m, paddr);
		return r < 0 ? (r == -EEXIST && (m->flags & _PROC_MAP_FIXED) ? -ENOMEM : r) :
			       (int64_t)m->addr;
	}
	if (size > MMAP_END - MMAP_BASE)
		return -ENOMEM;
	uint64_t va = m->addr && page_aligned(m->addr) && m->addr >= MMAP_BASE &&
		      m->addr <= MMAP_END - size ? m->addr : p->mmap_next;
	if (va < MMAP_BASE || va > MMAP_END - size)
		va = MMAP_BASE;
	bool wrapped = false;
	for (int tries = 0; tries < MMAP_TRIES; tries++) {
		int r = map_at(as, va, size, prot, m, paddr);
		if (r == 0) {
			p->mmap_next = va + size;
			return (int64_t)((m->flags & _PROC_MAP_STACK) ? va + PAGE : va);
		}
		if (r != -EEXIST)
			return r;
		/* Something is in the way: look past the request's size (a
		 * mapping there is at least a page; big steps find room fast). */
		va += size;
		if (va > MMAP_END - size) {
			if (wrapped)
				break;
			wrapped = true;
			va = MMAP_BASE;
		}
	}
	return -ENOMEM;
}

/* Whether `bytes` more would take p's space (as) past its RLIMIT_AS (the
 * kernel counts what the space maps, the guard pages of stacks not). */
static bool over_rlimit_as(int as, const struct tproc *p, uint64_t bytes)
{
	uint64_t limit = p->rlim_cur[_PROC_RLIMIT_AS];
	struct _as_info ai;

	if (limit == _PROC_RLIM_INFINITY)
		return false;
	if (AsInfo_r(as, &ai) < 0)
		return true;
	return bytes > limit || ai.pages * PAGE > limit - bytes;
}

/* ---- grants of shared memory objects ------------------------------------------
 *
 * A server of shared memory objects keeps each object's pages in its own
 * space (AS_MAP_SHARED pages) and, for a client's mmap, grants the client a
 * range of them (_PROC_SHM_GRANT); the client maps the grant (_PROC_MMAP
 * with _PROC_MAP_GRANT), once.  Only the process a grant names can use it,
 * so a server gives away nothing but its own pages, to a process that asked
 * it.  The table is small: the oldest grant makes room for a new one. */
#define GRANTS 64

static struct grant {
	uint64_t id;                    /* 0: free */
	int32_t client, server;
	uint32_t prot;
	uint64_t va, len;
} grants[GRANTS];
static uint64_t grant_next = 1;

/* The oldest grant of server (NULL if none), and how many it has. */
static struct grant *oldest_of(int32_t server, int *count)
{
	struct grant *old = NULL;

	*count = 0;
	for (int i = 0; i < GRANTS; i++) {
		struct grant *g = &grants[i];
		if (!g->id || g->server != server)
			continue;
		(*count)++;
		if (!old || g->id < old->id)
			old = g;
	}
	return old;
}

/* Where server's new grant goes (tm_lock held).  Grants nobody takes up
 * are let go, oldest first, but each server's from its own: past
 * GRANTS_PER_SERVER it replaces its own oldest; a full table gives up the
 * oldest of the server holding most.  (The oldest of all went before: a
 * loop of grants by one process evicted every other server's.) */
#define GRANTS_PER_SERVER 16

static struct grant *grant_slot(int32_t server)
{
	int n, most = 0;
	struct grant *own = oldest_of(server, &n);

	if (own && n >= GRANTS_PER_SERVER)
		return own;
	for (int i = 0; i < GRANTS; i++)
		if (!grants[i].id)
			return &grants[i];
	struct grant *victim = own;
	for (int i = 0; i < GRANTS; i++) {
		struct grant *old = oldest_of(grants[i].server, &n);
		if (n > most) {
			most = n;
			victim = old;
		}
	}
	return victim;
}

void mem_msg_grant(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_shm_grant *m = msg;

	if (len < sizeof *m || m->hdr.subtype || m->hdr.zero || m->pid <= 0 || !m->len ||
	    !page_aligned(m->va) || !page_aligned(m->len) || m->va + m->len < m->va ||
	    !m->prot || (m->prot & ~(PROT_READ | PROT_WRITE)))
		return tm_error(rcvid, EINVAL);
	tm_lock();
	struct tproc *p = proc_find(m->pid);
	if (!p || p->state != TP_ALIVE) {
		tm_unlock();
		return tm_error(rcvid, EINVAL);
	}
	struct grant *g = grant_slot(info->pid);
	*g = (struct grant){ .id = grant_next++, .client = m->pid, .server = info->pid,
			     .prot = m->prot, .va = m->va, .len = m->len };
	struct _proc_shm_grant_reply r = { .grant = g->id };
	tm_unlock();
	MsgReply_r(rcvid, 0, &r, sizeof r);
}

/* Read-only shares stay so: mprotect may not add PROT_WRITE to a range a
 * grant without PROT_WRITE mapped.  The record is taskman's (the kernel's
 * page tables cannot tell an object's pages its own process made
 * read-only from a read-only share of them).  One entry per mapping, by
 * the mapper's pid (tm_lock held): fork copies the parent's, exec and the
 * process's end drop them, munmap drops or cuts what it covers.  The
 * table grows as it must (fork copies, so a process holding its 64 that
 * forks n children needs 64 * (n + 1): a table of fixed size let one
 * such process fill it, and then every other process's fork and
 * read-only mapping failed).  Entries are named by index: growing moves
 * them. */
#define RO_SHARES_FIRST 170             /* one page of entries */

struct ro_share {
	int32_t pid;                    /* 0: free */
	uint64_t va, end;
};

static struct ro_share *ro_shares;
static uint32_t ro_cap;

/* One process's share of the table (the rest stays others'). */
#define RO_SHARES_PER_PROCESS 64

static int ro_count(int32_t pid)
{
	int n = 0;

	for (uint32_t i = 0; i < ro_cap; i++)
		n += ro_shares[i].pid == pid;
	return n;
}

/* Room for `want` more entries: true when the table has it (grown if it
 * had not, and taskman's heap allowed). */
static bool ro_room(uint32_t want)
{
	uint32_t empty = 0;

	for (uint32_t i = 0; i < ro_cap; i++)
		empty += !ro_shares[i].pid;
	if (empty >= want)
		return true;
	uint32_t cap = ro_cap ? ro_cap : RO_SHARES_FIRST;
	while (cap - (ro_cap - empty) < want)
		cap *= 2;
	struct ro_share *t = tm_alloc(cap * sizeof *t);
	if (!t)
		return false;
	memset(t, 0, cap * sizeof *t);
	if (ro_cap)
		memcpy(t, ro_shares, ro_cap * sizeof *t);
	tm_free(ro_shares, ro_cap * sizeof *t);
	ro_shares = t;
	ro_cap = cap;
	return true;
}

/* A free entry's index (ro_room made sure of one), or -1. */
static int ro_free(void)
{
	for (uint32_t i = 0; i < ro_cap; i++)
		if (!ro_shares[i].pid)
			return (int)i;
	return -1;
}

static bool ro_overlaps(int32_t pid, uint64_t va, uint64_t end)
{
	for (uint32_t i = 0; i < ro_cap; i++)
		if (ro_shares[i].pid == pid && va < ro_shares[i].end && ro_shares[i].va < end)
			return true;
	return false;
}

/* munmap of [va, end): entries lose what it covers (one cut in two keeps
 * its whole range when there is no room for the second half: a refusal
 * too many, never one too few). */
static void ro_unmap(int32_t pid, uint64_t va, uint64_t end)
{
	for (uint32_t i = 0; i < ro_cap; i++) {
		struct ro_share *s = &ro_shares[i];
		if (s->pid != pid || end <= s->va || s->end <= va)
			continue;
		if (va <= s->va && s->end <= end) {
			s->pid = 0;
		} else if (va <= s->va) {
			s->va = end;
		} else if (s->end <= end) {
			s->end = va;
		} else if (ro_room(1)) {
			s = &ro_shares[i];      /* (the table may have moved) */
			int t = ro_free();
			ro_shares[t] = (struct ro_share){ pid, end, s->end };
			s->end = va;
		}
	}
}

void mem_fork(int32_t parent, int32_t child)
{
	for (uint32_t i = 0; i < ro_cap; i++) {
		if (ro_shares[i].pid != parent)
			continue;
		int t = ro_free();
		if (t < 0)
			break;          /* cannot happen: see mem_fork_room */
		ro_shares[t] = (struct ro_share){ child, ro_shares[i].va, ro_shares[i].end };
	}
}

bool mem_fork_room(int32_t parent)
{
	return ro_room((uint32_t)ro_count(parent));
}

void mem_process_gone(int32_t pid)
{
	for (uint32_t i = 0; i < ro_cap; i++)
		if (ro_shares[i].pid == pid)
			ro_shares[i].pid = 0;
}

/* The grant `id` of client pid, taken out of the table into *out (tm_lock
 * held): 0, EINVAL (none such) or EACCES (more than it allows). */
static int grant_take(uint64_t id, int32_t pid, uint64_t bytes, uint32_t prot, struct grant *out)
{
	for (int i = 0; i < GRANTS; i++) {
		struct grant *g = &grants[i];
		if (!id || g->id != id || g->client != pid)
			continue;
		*out = *g;
		g->id = 0;
		return bytes > out->len || (prot & ~out->prot) ? EACCES : 0;
	}
	return EINVAL;
}

void mem_msg_mmap(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_mmap *m = msg;
	const uint32_t known = _PROC_MAP_SHARED | _PROC_MAP_PRIVATE | _PROC_MAP_FIXED |
			       _PROC_MAP_ANON | _PROC_MAP_PHYS | _PROC_MAP_CONTIG | _PROC_MAP_STACK |
			       _PROC_MAP_NOREPLACE | _PROC_MAP_GRANT;
	const uint32_t source = _PROC_MAP_ANON | _PROC_MAP_PHYS | _PROC_MAP_GRANT;

	if (len < sizeof *m || m->hdr.subtype || m->hdr.zero)
		return tm_error(rcvid, EINVAL);
	uint64_t bytes = (m->len + PAGE - 1) & ~(PAGE - 1);
	if (!m->len || bytes < m->len || (m->prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return tm_error(rcvid, EINVAL);
	if (m->hdr.type == _PROC_MMAP) {
		uint32_t kind = m->flags & (_PROC_MAP_SHARED | _PROC_MAP_PRIVATE);
		uint32_t from = m->flags & source;
		if ((m->flags & ~known) || kind == 0 || kind == (_PROC_MAP_SHARED | _PROC_MAP_PRIVATE) ||
		    !from || (from & (from - 1)) ||
		    (from == _PROC_MAP_GRANT && (kind != _PROC_MAP_SHARED || (m->prot & PROT_EXEC) ||
						 (m->flags & _PROC_MAP_STACK))) ||
		    ((m->prot & PROT_WRITE) && (m->prot & PROT_EXEC)) ||
		    (m->flags & _PROC_MAP_FIXED && m->flags & _PROC_MAP_NOREPLACE))
			return tm_error(rcvid, EINVAL);
		/* Contiguous memory is anonymous, and never a stack. */
		if ((m->flags & _PROC_MAP_CONTIG) &&
		    (!(m->flags & _PROC_MAP_ANON) || (m->flags & _PROC_MAP_STACK)))
			return tm_error(rcvid, EINVAL);
	} else if (!page_aligned(m->addr) || m->addr + bytes < m->addr ||
		   m->addr + bytes > KEEL_USER_STACK_TOP) {
		return tm_error(rcvid, EINVAL);
	}
	tm_lock();
	struct tproc *p = proc_find(info->pid);
	int err = !p ? ESRCH : (m->flags & (_PROC_MAP_PHYS | _PROC_MAP_CONTIG) &&
				m->hdr.type == _PROC_MMAP && !(p->privs & KCALL_PRIV_IO)) ? EPERM : 0;
	int as = err ? -1 : AsOpen_r(info->pid);
	if (!err && as < 0)
		err = -as;
	if (!err && m->hdr.type == _PROC_MMAP && over_rlimit_as(as, p, bytes))
		err = ENOMEM;
	int64_t r = 0;
	uint64_t paddr[2] = { 0, 0 };   /* CONTIG: the run; GRANT: the pages and their space */
	struct grant g;
	int src = -1;
	bool ro = false;
	if (!err && m->hdr.type == _PROC_MMAP && (m->flags & _PROC_MAP_GRANT) &&
	    !(err = grant_take(m->paddr, info->pid, bytes, m->prot, &g))) {
		src = AsOpen_r(g.server);
		err = src < 0 ? EINVAL : 0;     /* the server has ended */
		paddr[0] = g.va;
		paddr[1] = (uint64_t)src;
		/* Room for its entry, and for the cut a fixed mapping may make
		 * in one it replaces part of (ro_unmap, below). */
		if (!err && !(g.prot & PROT_WRITE) &&
		    (ro_count(info->pid) >= RO_SHARES_PER_PROCESS ||
		     !(ro = ro_room((m->flags & _PROC_MAP_FIXED) ? 2 : 1))))
			err = ENOMEM;           /* no room to remember it read-only */
	}
	if (!err && m->hdr.type == _PROC_MPROTECT && (m->prot & PROT_WRITE) &&
	    ro_overlaps(info->pid, m->addr, m->addr + bytes))
		err = EACCES;                   /* a read-only share stays so */
	if (!err) {
		if (m->hdr.type == _PROC_MMAP)
			r = map_new(as, p, m, bytes, paddr);
		else if (m->hdr.type == _PROC_MUNMAP)
			r = AsUnmap_r(as, m->addr, bytes);
		else
			r = AsProtect_r(as, m->addr, bytes, m->prot);
		if (r < 0)
			err = (int)-r;
		else if (m->hdr.type == _PROC_MUNMAP ||
			 (m->hdr.type == _PROC_MMAP && (m->flags & _PROC_MAP_FIXED)))
			ro_unmap(info->pid, m->addr, m->addr + bytes);  /* gone, or replaced */
		if (!err && ro)                 /* (a free entry is left: ro_room above) */
			ro_shares[ro_free()] = (struct ro_share){ info->pid, (uint64_t)r,
								  (uint64_t)r + bytes };
	}
	if (src >= 0)
		AsDestroy_r(src);
	if (as >= 0)
		AsDestroy_r(as);
	tm_unlock();
	if (err)
		return tm_error(rcvid, err);
	struct _proc_mmap_reply rep = { .addr = m->hdr.type == _PROC_MMAP ? (uint64_t)r : 0,
					.paddr = (m->flags & _PROC_MAP_CONTIG) ? paddr[0] : 0 };
	MsgReply_r(rcvid, 0, &rep, sizeof rep);
}
