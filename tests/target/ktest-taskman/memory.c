/* ktest-taskman: memory (mmap, munmap, mprotect), shared-memory grants and
 * physically contiguous mappings for drivers. */
#include <keel/start.h>
#include "ktest_taskman.h"

/* ---- memory (mmap, munmap, mprotect) ----------------------------------------------------- */

int mmap_(uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags, uint64_t *got)
{
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .addr = addr, .len = len, .prot = prot,
				.flags = flags };
	struct _proc_mmap_reply r = { 0 };
	int s = (int)urt_tm_send(&m, sizeof m, &r, sizeof r);

	if (got)
		*got = s == 0 ? r.addr : 0;
	return s;
}

int mem_op(int type, uint64_t addr, uint64_t len, uint32_t prot)
{
	struct _proc_mmap m = { .hdr.type = (uint16_t)type, .addr = addr, .len = len,
				.prot = prot };

	return (int)urt_tm_send(&m, sizeof m, 0, 0);
}

void t_mmap_anon_zeroed_and_counted(void)
{
	struct _proc_info before, mapped, after;
	uint64_t a = 0;

	KTAP_EQ(info_of(0, &before), 0);
	KTAP_REQUIRE(mmap_(0, 4 * 4096, RW, ANON_PRIV, &a) == 0);
	KTAP_CHECK(a != 0 && (a & 4095) == 0);
	volatile uint64_t *w = (volatile uint64_t *)a;
	bool zero = true;
	for (unsigned i = 0; i < 4 * 512; i++)
		zero &= w[i] == 0;
	KTAP_CHECK(zero);
	w[4 * 512 - 1] = 0x1234;
	KTAP_EQ(info_of(0, &mapped), 0);
	KTAP_EQ(mapped.mem_bytes - before.mem_bytes, 4 * 4096);
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 4 * 4096, 0), 0);
	KTAP_EQ(info_of(0, &after), 0);
	KTAP_EQ(after.mem_bytes, before.mem_bytes);
}

void t_mmap_bad_arguments_einval(void)
{
	uint64_t a;
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .hdr.subtype = 1, .len = 4096, .prot = RW,
				.flags = ANON_PRIV };

	KTAP_EQ(mmap_(0, 0, RW, ANON_PRIV, &a), -EINVAL);                       /* no length */
	KTAP_EQ(mmap_(0, 4096, 0x8000, ANON_PRIV, &a), -EINVAL);                /* unknown prot */
	KTAP_EQ(mmap_(0, 4096, PROT_WRITE | PROT_EXEC, ANON_PRIV, &a), -EINVAL);        /* W^X */
	KTAP_EQ(mmap_(0, 4096, RW, _PROC_MAP_ANON, &a), -EINVAL);               /* neither kind */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | _PROC_MAP_SHARED, &a), -EINVAL); /* both */
	KTAP_EQ(mmap_(0, 4096, RW, _PROC_MAP_PRIVATE, &a), -EINVAL);            /* no source */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | _PROC_MAP_PHYS, &a), -EINVAL);   /* two */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | 0x8000, &a), -EINVAL);           /* unknown flag */
	KTAP_EQ(mmap_(0x40000000, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED | _PROC_MAP_NOREPLACE, &a),
		-EINVAL);
	KTAP_EQ(mmap_(0x40000100, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &a), -EINVAL); /* unaligned */
	KTAP_EQ(mmap_(0, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &a), -EINVAL);  /* page 0 */
	KTAP_EQ(mmap_(KEEL_USER_STACK_TOP, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &a), -EINVAL);
	KTAP_EQ(mmap_(0, ~0ul - 100, RW, ANON_PRIV, &a), -EINVAL);              /* wraps */
	KTAP_EQ(urt_tm_send(&m, sizeof m, &a, sizeof a), -EINVAL);              /* a subtype */
	KTAP_EQ(urt_tm_send(&m, 16, &a, sizeof a), -EINVAL);                    /* short */
	KTAP_EQ(mem_op(_PROC_MUNMAP, 0x40000100, 4096, 0), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MPROTECT, KEEL_USER_STACK_TOP - 4096, 8192, PROT_READ), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MUNMAP, 0x40000000, 0, 0), -EINVAL);
}

void t_mmap_fixed_and_noreplace(void)
{
	uint64_t a = 0, b = 0;

	KTAP_REQUIRE(mmap_(0, 2 * 4096, RW, ANON_PRIV, &a) == 0);
	*(volatile int *)a = 5;
	KTAP_EQ(mmap_(a, 4096, RW, ANON_PRIV | _PROC_MAP_NOREPLACE, &b), -EEXIST);
	KTAP_EQ(*(volatile int *)a, 5);                 /* untouched */
	KTAP_EQ(mmap_(a, 4096, RW, ANON_PRIV | _PROC_MAP_FIXED, &b), 0);
	KTAP_EQ(b, a);
	KTAP_EQ(*(volatile int *)a, 0);                 /* replaced by zeroed memory */
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 2 * 4096, 0), 0);
	KTAP_EQ(mmap_(a + 4096, 4096, RW, ANON_PRIV | _PROC_MAP_NOREPLACE, &b), 0);
	KTAP_EQ(b, a + 4096);                           /* free again: exactly there */
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 2 * 4096, 0), 0);       /* a hole is fine */
}

void t_mmap_shared_seen_by_fork(void)
{
	uint64_t s = 0, p = 0;

	KTAP_REQUIRE(mmap_(0, 4096, RW, _PROC_MAP_SHARED | _PROC_MAP_ANON, &s) == 0);
	KTAP_REQUIRE(mmap_(0, 4096, RW, ANON_PRIV, &p) == 0);
	int pid = urt_tm_fork();
	if (pid == 0) {
		*(volatile int *)s = 11;
		*(volatile int *)p = 12;
		ProcessExit(0);
	}
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(reap(pid), EXITED(0));
	KTAP_EQ(*(volatile int *)s, 11);                /* one object, both spaces */
	KTAP_EQ(*(volatile int *)p, 0);                 /* copied on write */
	KTAP_EQ(mem_op(_PROC_MUNMAP, s, 4096, 0), 0);
	KTAP_EQ(mem_op(_PROC_MUNMAP, p, 4096, 0), 0);
}

void t_mprotect_round_trip(void)
{
	uint64_t a = 0;

	KTAP_REQUIRE(mmap_(0, 2 * 4096, RW, ANON_PRIV, &a) == 0);
	*(volatile int *)a = 9;
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 2 * 4096, PROT_READ), 0);
	KTAP_EQ(*(volatile int *)a, 9);                 /* still readable, same bytes */
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 4096, 0x8000), -EINVAL);
	KTAP_EQ(mem_op(_PROC_MPROTECT, a, 2 * 4096, RW), 0);
	*(volatile int *)(a + 4096) = 10;
	KTAP_EQ(*(volatile int *)(a + 4096), 10);
	KTAP_EQ(mem_op(_PROC_MUNMAP, a, 2 * 4096, 0), 0);
}

static uint64_t grant(int pid, uint64_t va, uint64_t len, uint32_t prot, int *status)
{
	struct _proc_shm_grant m = { .hdr.type = _PROC_SHM_GRANT, .pid = pid, .prot = prot,
				     .va = va, .len = len };
	struct _proc_shm_grant_reply r = { 0 };

	*status = (int)urt_tm_send(&m, sizeof m, &r, sizeof r);
	return r.grant;
}

static int map_grant(uint64_t g, uint64_t len, uint32_t prot, uint64_t *got)
{
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .len = len, .prot = prot,
				.flags = _PROC_MAP_SHARED | _PROC_MAP_GRANT, .paddr = g };
	struct _proc_mmap_reply r = { 0 };
	int s = (int)urt_tm_send(&m, sizeof m, &r, sizeof r);

	*got = r.addr;
	return s;
}

/* A server granting its own object pages (here: to itself, a second view). */
void t_shm_grant_maps_the_same_pages(void)
{
	uint64_t obj = 0, view = 0;
	int s;

	KTAP_REQUIRE(mmap_(0, 2 * 4096, RW, _PROC_MAP_SHARED | _PROC_MAP_ANON, &obj) == 0);
	uint64_t g = grant(my_pid(), obj, 2 * 4096, RW, &s);
	KTAP_EQ(s, 0);
	KTAP_REQUIRE(g != 0);
	KTAP_EQ(map_grant(g, 2 * 4096, RW, &view), 0);
	KTAP_REQUIRE(view != 0 && view != obj);
	*(volatile int *)(obj + 4096) = 77;
	KTAP_EQ(*(volatile int *)(view + 4096), 77);
	uint64_t none;
	KTAP_EQ(map_grant(g, 4096, PROT_READ, &none), -EINVAL);         /* used up */
	g = grant(my_pid(), obj, 4096, PROT_READ, &s);
	KTAP_EQ(map_grant(g, 4096, RW, &none), -EACCES);                /* more than granted */
	g = grant(my_pid(), obj, 4096, PROT_READ, &s);
	KTAP_EQ(map_grant(g, 2 * 4096, PROT_READ, &none), -EACCES);
	grant(999999, obj, 4096, PROT_READ, &s);
	KTAP_EQ(s, -EINVAL);                                            /* nobody */
	grant(my_pid(), obj + 1, 4096, PROT_READ, &s);
	KTAP_EQ(s, -EINVAL);
	grant(my_pid(), obj, 0, PROT_READ, &s);
	KTAP_EQ(s, -EINVAL);
	grant(my_pid(), obj, 4096, PROT_EXEC, &s);
	KTAP_EQ(s, -EINVAL);
	KTAP_EQ(mem_op(_PROC_MUNMAP, view, 2 * 4096, 0), 0);
	KTAP_EQ(mem_op(_PROC_MUNMAP, obj, 2 * 4096, 0), 0);
}

/* One process's grants cannot push out another's: a child granting a
 * hundred times (taskman keeps 64) leaves the parent's grant there. */
static uint64_t shm_obj;

static int grant_a_hundred(void)
{
	int s, bad = 0;

	for (int i = 0; i < 100; i++)
		bad += grant(my_pid(), shm_obj, 4096, PROT_READ, &s) == 0 || s != 0;
	return bad ? 1 : 0;
}

void t_shm_grants_of_one_leave_anothers(void)
{
	uint64_t view = 0;
	int s;

	KTAP_REQUIRE(mmap_(0, 4096, RW, _PROC_MAP_SHARED | _PROC_MAP_ANON, &shm_obj) == 0);
	uint64_t g = grant(my_pid(), shm_obj, 4096, PROT_READ, &s);
	KTAP_REQUIRE(s == 0 && g != 0);
	KTAP_EQ(in_child(grant_a_hundred), EXITED(0));
	KTAP_EQ(map_grant(g, 4096, PROT_READ, &view), 0);
	KTAP_EQ(mem_op(_PROC_MUNMAP, view, 4096, 0), 0);
	KTAP_EQ(mem_op(_PROC_MUNMAP, shm_obj, 4096, 0), 0);
}

/* Read-only shares are remembered in a table (so that mprotect cannot make
 * them writable): one process may hold 64 of them, the 65th is ENOMEM. */
static int sixty_five_read_only_shares(void)
{
	uint64_t view;
	int s, mapped = 0, r = 0;

	for (int i = 0; i < 65 && r == 0; i++) {
		uint64_t g = grant(my_pid(), shm_obj, 4096, PROT_READ, &s);
		if (s || !g)
			return 100;
		r = map_grant(g, 4096, PROT_READ, &view);
		mapped += r == 0;
	}
	return mapped == 64 && r == -ENOMEM ? 0 : 1;
}

void t_shm_read_only_shares_per_process_bounded(void)
{
	KTAP_REQUIRE(mmap_(0, 4096, RW, _PROC_MAP_SHARED | _PROC_MAP_ANON, &shm_obj) == 0);
	KTAP_EQ(in_child(sixty_five_read_only_shares), EXITED(0));
	KTAP_EQ(mem_op(_PROC_MUNMAP, shm_obj, 4096, 0), 0);
}

/* A fork copies its parent's read-only shares (they stay read-only in the
 * child): a process holding 64 forks five children that live at once, 384
 * entries (a table of a fixed 256 refused the fourth fork, and everyone's
 * read-only mappings after it), and each child still may not make one
 * writable. */
static int sixty_four_shares_five_forks(void)
{
	uint64_t first = 0, view;
	int s, pids[5], bad = 0;

	for (int i = 0; i < 64; i++) {
		uint64_t g = grant(my_pid(), shm_obj, 4096, PROT_READ, &s);
		if (s || !g || map_grant(g, 4096, PROT_READ, &view))
			return 1;
		if (!i)
			first = view;
	}
	for (int k = 0; k < 5; k++) {
		int pid = urt_tm_fork();
		if (pid == 0) {
			int r = mem_op(_PROC_MPROTECT, first, 4096, RW);
			urt_sleep_ms(300);      /* alive while its siblings are made */
			ProcessExit(r == -EACCES ? 0 : 1);
		}
		if (pid < 0)
			return 10 + k;
		pids[k] = pid;
	}
	for (int k = 0; k < 5; k++)
		bad += reap(pids[k]) != EXITED(0);
	return bad ? 20 + bad : 0;
}

void t_shm_read_only_shares_survive_a_fork_tree(void)
{
	KTAP_REQUIRE(mmap_(0, 4096, RW, _PROC_MAP_SHARED | _PROC_MAP_ANON, &shm_obj) == 0);
	KTAP_EQ(in_child(sixty_four_shares_five_forks), EXITED(0));
	KTAP_EQ(mem_op(_PROC_MUNMAP, shm_obj, 4096, 0), 0);
}

/* _PROC_MMAP with _PROC_MAP_CONTIG, for a driver (this program holds the
 * I/O privilege, as the first program does): zeroed memory in one physical
 * run, whose address the reply gives and MemPhys confirms. */
void t_mmap_contig_is_one_run(void)
{
	struct _proc_mmap m = { .hdr.type = _PROC_MMAP, .len = 5 * 4096,
				.prot = PROT_READ | PROT_WRITE,
				.flags = _PROC_MAP_PRIVATE | _PROC_MAP_ANON | _PROC_MAP_CONTIG };
	struct _proc_mmap_reply r = { 0 };
	uint64_t pa = 0;

	KTAP_REQUIRE(urt_tm_send(&m, sizeof m, &r, sizeof r) == 0);
	KTAP_CHECK(r.addr != 0 && r.paddr != 0 && (r.paddr & 4095) == 0);
	KTAP_EQ(MemPhys_r((void *)r.addr, 5 * 4096, &pa), 5 * 4096);
	KTAP_EQ(pa, r.paddr);
	KTAP_EQ(((volatile unsigned char *)r.addr)[5 * 4096 - 1], 0);
	m.hdr.type = _PROC_MUNMAP;
	m.addr = r.addr;
	KTAP_EQ(urt_tm_send(&m, sizeof m, 0, 0), 0);
	m = (struct _proc_mmap){ .hdr.type = _PROC_MMAP, .len = 4096, .prot = PROT_READ,
				 .flags = _PROC_MAP_PRIVATE | _PROC_MAP_CONTIG };
	KTAP_EQ(urt_tm_send(&m, sizeof m, &r, sizeof r), -EINVAL);  /* not anonymous */
}
