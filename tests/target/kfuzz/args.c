/* kfuzz's arguments: ids from pools (live, stale, foreign, garbage) and
 * pointers from the pointer classes (valid, NULL, unmapped, kernel,
 * misaligned, straddling the end of a mapping, read only, a page another
 * thread maps and unmaps meanwhile) around well-formed objects. */
#include <keel/msg.h>
#include <keel/signal.h>
#include "kfuzz.h"

#define POOL_SIZE 16
#define PROTECTED_MAX 32

static volatile long pools[POOL_COUNT][POOL_SIZE];
static volatile unsigned pool_next[POOL_COUNT];
static volatile long protected_tids[PROTECTED_MAX];
static volatile unsigned nprotected;

int server_chid[SERVERS], server_coid[SERVERS];
int traffic_chid;
int sender_tid[SENDERS];
volatile long last_irq = -1;
int own_pid;
sync_t sync_pool[SYNC_POOL];
volatile int forkee_pid, forkee_tid;

uint64_t fz_next(struct fuzzer *f)
{
	uint64_t x = f->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return f->rng = x;
}

/* Spaces are few (8 per process): their pool keeps fewer, so that the
 * children kfuzz makes still find a free one. */
static unsigned pool_cap(enum pool p)
{
	return p == POOL_AS ? 4 : POOL_SIZE;
}

void pools_init(void)
{
	for (int p = 0; p < POOL_COUNT; p++)
		for (int i = 0; i < POOL_SIZE; i++)
			pools[p][i] = POOL_EMPTY;
}

long pool_put(enum pool p, long id)
{
	unsigned i = __atomic_fetch_add(&pool_next[p], 1, __ATOMIC_RELAXED) % pool_cap(p);

	return __atomic_exchange_n(&pools[p][i], id, __ATOMIC_RELAXED);
}

long pool_newest(enum pool p)
{
	unsigned i = (__atomic_load_n(&pool_next[p], __ATOMIC_RELAXED) + pool_cap(p) - 1) % pool_cap(p);

	return __atomic_load_n(&pools[p][i], __ATOMIC_RELAXED);
}

bool pool_holds(enum pool p, long id)
{
	for (unsigned i = 0; i < pool_cap(p); i++)
		if (__atomic_load_n(&pools[p][i], __ATOMIC_RELAXED) == id)
			return true;
	return false;
}

long pool_get(struct fuzzer *f, enum pool p)
{
	return __atomic_load_n(&pools[p][fz_below(f, pool_cap(p))], __ATOMIC_RELAXED);
}

void protect_tid(long tid)
{
	unsigned i = __atomic_fetch_add(&nprotected, 1, __ATOMIC_RELAXED);

	if (i < PROTECTED_MAX)
		protected_tids[i] = tid;
}

bool tid_protected(long tid)
{
	unsigned n = __atomic_load_n(&nprotected, __ATOMIC_RELAXED);

	for (unsigned i = 0; i < n && i < PROTECTED_MAX; i++)
		if (protected_tids[i] == tid)
			return true;
	return tid == 0 || tid == -1;   /* the caller itself; every thread */
}

static long garbage(struct fuzzer *f)
{
	switch (fz_below(f, 6)) {
	case 0: return -1;
	case 1: return (long)fz_below(f, 64);
	case 2: return (long)(int32_t)fz_next(f);
	case 3: return (long)0x7fffffff;
	case 4: return (long)0x80000000ul;
	default: return (long)fz_next(f);
	}
}

/* An id: mostly one the run has seen (live or stale), else another kind's
 * (foreign) or garbage. */
static long id_from(struct fuzzer *f, enum pool p)
{
	unsigned r = fz_below(f, 20);

	if (r < 13)
		return pool_get(f, p);
	if (r < 16)
		return pool_get(f, (enum pool)fz_below(f, POOL_COUNT));
	return garbage(f);
}

static long tid_safe(struct fuzzer *f)
{
	for (int tries = 0; tries < 4; tries++) {
		long t = id_from(f, POOL_TID);
		if (!tid_protected(t))
			return t;
	}
	return 0x7fff0000 + fz_below(f, 16);    /* an id that never exists */
}

static long server_or(struct fuzzer *f, const int *ids, enum pool p)
{
	return fz_below(f, 3) == 0 ? ids[fz_below(f, SERVERS)] : id_from(f, p);
}

/* Receives mostly go where messages wait: the traffic channel. */
static long receive_chid(struct fuzzer *f)
{
	return fz_below(f, 2) ? traffic_chid : server_or(f, server_chid, POOL_CHID);
}

static long not_server(struct fuzzer *f, const int *ids, enum pool p)
{
	long v = id_from(f, p);

	for (int i = 0; i < SERVERS; i++)
		if (v == ids[i])
			return -1;
	if (ids == server_chid && (v == traffic_chid || v == fork_chid))
		return -1;
	return v;
}

static long small_or_garbage(struct fuzzer *f, unsigned below)
{
	return fz_below(f, 5) ? (long)fz_below(f, below) : garbage(f);
}

/* ---- addresses for the address-space calls -------------------------------- */

/* In AS_SELF only the play area, so that kfuzz never unmaps itself; in a
 * space kfuzz built, anywhere (and sometimes not page-aligned). */
static long vaddr(struct fuzzer *f)
{
	if (f->prev[0] == AS_SELF)
		return (long)(PLAY_BASE + fz_below(f, PLAY_PAGES) * 4096ul);
	switch (fz_below(f, 6)) {
	case 0: return (long)(fz_next(f) & 0x3ffffff000ul);
	case 1: return (long)(CHILD_CODE_VA + fz_below(f, 16) * 4096ul);
	case 2: return (long)(fz_next(f) & 0x3ffffffffful);    /* unaligned */
	case 3: return (long)0xffffffc000000000ul;             /* the kernel half */
	default: return (long)(0x20000000ul + fz_below(f, 64) * 4096ul);
	}
}

static long vlen(struct fuzzer *f)
{
	if (f->prev[0] == AS_SELF) {
		uint64_t left = PLAY_PAGES - (((uint64_t)f->prev[1] - PLAY_BASE) >> 12);
		return (long)((1 + fz_below(f, (unsigned)left)) * 4096ul);
	}
	switch (fz_below(f, 6)) {
	case 0: return 0;
	case 1: return (long)fz_next(f);
	case 2: return (long)(1 + fz_below(f, 8192));          /* unaligned */
	case 3: return (long)(fz_below(f, 1024) * 4096ul);     /* up to 4 MiB */
	default: return (long)((1 + fz_below(f, 8)) * 4096ul);
	}
}

/* A priority for a thread: valid ones stay at or below the fuzzers' own
 * (10), so that no fuzzed thread outranks the servers and helpers that keep
 * the run going; the bad ones are out of range. */
static int prio_or_bad(struct fuzzer *f)
{
	static const int bad[] = { 0, -1, 256, 0x7fffffff, (int)0x80000000 };

	return fz_below(f, 6) ? 1 + (int)fz_below(f, 10) : bad[fz_below(f, 5)];
}

/* ---- well-formed objects ----------------------------------------------------- */

static void *scratch(struct fuzzer *f, unsigned size)
{
	unsigned at = (f->used + 15) & ~15u;

	if (at + size > sizeof f->scratch)
		at = 0;                 /* reuse: the call sees overlapping objects */
	f->used = at + size;
	return f->scratch + at;
}

static void fill_random(struct fuzzer *f, void *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		((uint8_t *)p)[i] = (uint8_t)fz_next(f);
}

static void *make_iov(struct fuzzer *f, unsigned *size)
{
	iov_t *v = scratch(f, 4 * sizeof(iov_t));

	for (int i = 0; i < 4; i++) {
		char *b = scratch(f, 64);
		unsigned r = fz_below(f, 8);
		/* Mostly good parts; now and then a bad base inside a good vector. */
		v[i].iov_base = r == 0 ? 0 : r == 1 ? (void *)0xffffffff80000000ul :
				r == 2 ? (void *)(RO_PAGE + 8) : b;
		v[i].iov_len = fz_below(f, 16) ? fz_below(f, 65) : (size_t)fz_next(f);
	}
	*size = 4 * sizeof(iov_t);
	return v;
}

static void *make_event(struct fuzzer *f, unsigned *size)
{
	struct sigevent *e = scratch(f, sizeof *e);

	*size = sizeof *e;
	switch (fz_below(f, 8)) {
	case 0: SIGEV_NONE_INIT(e); break;
	case 1: SIGEV_UNBLOCK_INIT(e); break;
	case 2: SIGEV_INTR_INIT(e); break;
	case 3: fill_random(f, e, sizeof *e); break;
	default:
		SIGEV_PULSE_INIT(e, (int)server_or(f, server_coid, POOL_COID),
				 fz_below(f, 4) ? 10 : (int)garbage(f), (int)fz_below(f, 128),
				 (int)fz_next(f));
	}
	return e;
}

static void *make_itimer(struct fuzzer *f, unsigned *size)
{
	struct _itimer *t = scratch(f, sizeof *t);

	*size = sizeof *t;
	t->nsec = fz_below(f, 8) ? 100000 + fz_below(f, 2000000) : fz_next(f);
	t->interval_nsec = fz_below(f, 2) ? 0 : 1000000 + fz_below(f, 4000000);
	return t;
}

static void *make_attr(struct fuzzer *f, unsigned *size)
{
	struct _thread_attr *a = scratch(f, sizeof *a);
	static char victim_stack[4096] __attribute__((aligned(16)));

	*size = sizeof *a;
	memset(a, 0, sizeof *a);
	a->flags = fz_below(f, 6) ? fz_below(f, 4) : (uint32_t)fz_next(f);
	a->policy = (int32_t)fz_below(f, 4);
	a->param.sched_priority = prio_or_bad(f);
	/* The victims never touch their stack: any plausible one will do. */
	a->stackaddr = fz_below(f, 8) ? victim_stack : (void *)garbage(f);
	a->stacksize = fz_below(f, 8) ? sizeof victim_stack : (size_t)garbage(f);
	return a;
}

/* A start for a space kfuzz loaded with the child code: it runs call
 * `argc` with the arguments at `argv` and exits with the result. */
static void *make_start(struct fuzzer *f, unsigned *size)
{
	struct _proc_start *s = scratch(f, sizeof *s);

	*size = sizeof *s;
	memset(s, 0, sizeof *s);
	s->entry = fz_below(f, 8) ? CHILD_CODE_VA : (uint64_t)garbage(f);
	s->argc = KCALL_KernelNop;
	s->argv = fz_below(f, 8) ? CHILD_ARGS_VA : fz_below(f, 256);
	s->privileges = fz_below(f, 8) ? 0 : (uint32_t)fz_next(f);
	s->priority = fz_below(f, 8) ? 0 : (int32_t)garbage(f);
	return s;
}

/* A signal set: mostly a few random signals, often the ones kfuzz keeps
 * pending-able (FZ_KEPT_SIGNALS); now and then every bit. */
static uint64_t signal_bits(struct fuzzer *f)
{
	switch (fz_below(f, 6)) {
	case 0: return ~0ull;
	case 1: return 0;
	case 2: case 3: return FZ_KEPT_SIGNALS | (1ull << fz_below(f, 64));
	default: return (1ull << fz_below(f, 64)) | (1ull << fz_below(f, 64));
	}
}

static void *make_sigset(struct fuzzer *f, unsigned *size)
{
	sigset_t *set = scratch(f, sizeof *set);
	uint64_t bits = signal_bits(f);

	*size = sizeof *set;
	set->__bits[0] = (uint32_t)bits;
	set->__bits[1] = (uint32_t)(bits >> 32);
	return set;
}

/* A signal action: default, ignore, or a handler somewhere (only ever
 * installed in a child, see sanitize_action in kfuzz.c). */
static void *make_sigaction(struct fuzzer *f, unsigned *size)
{
	struct sigaction *a = scratch(f, sizeof *a);
	static void (*const handlers[])(int) = { SIG_DFL, SIG_IGN, SIG_IGN,
						 (void (*)(int))CHILD_CODE_VA };
	uint64_t bits = signal_bits(f);

	*size = sizeof *a;
	memset(a, 0, sizeof *a);
	a->sa_handler = fz_below(f, 8) ? handlers[fz_below(f, 4)] : (void (*)(int))garbage(f);
	a->sa_flags = fz_below(f, 4) ? 0 : (int)fz_next(f);
	a->sa_mask.__bits[0] = (uint32_t)bits;
	a->sa_mask.__bits[1] = (uint32_t)(bits >> 32);
	return a;
}

static void *make_string(struct fuzzer *f, unsigned *size)
{
	/* devices of both boards (virt: ns16550a, virtio, its PCIe host;
	 * sifive_u: its uart) and one of none */
	static const char *const names[] = { "ns16550a", "sifive,test1", "virtio,mmio",
					     "riscv,plic0", "sifive,plic-1.0.0", "sifive,uart0",
					     "pci-host-ecam-generic", "" };
	char *s = scratch(f, 96);

	*size = 96;
	unsigned nnames = sizeof names / sizeof names[0];
	unsigned r = fz_below(f, nnames + 2);
	if (r < nnames) {
		for (unsigned i = 0; (s[i] = names[r][i]) != 0; i++)
			;
	} else if (r == nnames) {
		memset(s, 'x', 95);     /* HWINFO_NAME_MAX or more */
		s[95] = 0;
	} else {
		fill_random(f, s, 96);
		s[fz_below(f, 96)] = 0;
	}
	return s;
}

/* A sync object of the pool; for a mutex argument half the time one this
 * fuzzer holds, so unlocks and condvar waits get past their ownership
 * check. */
static void *make_sync(struct fuzzer *f, enum arg_kind k, unsigned *size)
{
	*size = sizeof(sync_t);
	unsigned at = fz_below(f, SYNC_POOL);
	for (unsigned i = 0; k == ARG_MUTEX && i < SYNC_POOL && fz_below(f, 2); i++) {
		sync_t *s = &sync_pool[(at + i) % SYNC_POOL];
		if ((__atomic_load_n(&s->__owner, __ATOMIC_RELAXED) & ~_NTO_SYNC_WAITING) == f->tid)
			return s;
	}
	return &sync_pool[at];
}

static void *make_plain(struct fuzzer *f, enum arg_kind k, unsigned *size)
{
	static const unsigned sizes[ARG_KIND_COUNT] = {
		[ARG_NS] = 8, [ARG_NS_OUT] = 8, [ARG_SATTR] = sizeof(struct _sync_attr),
		[ARG_SPARAM] = sizeof(struct sched_param),
		[ARG_SPARAM_OUT] = sizeof(struct sched_param), [ARG_ITIMER_OUT] = 16,
		[ARG_MSGINFO] = sizeof(struct _msg_info),
		[ARG_CLIENTINFO] = sizeof(struct _client_info),
		[ARG_PEXIT] = sizeof(struct _proc_exit), [ARG_HWDEV] = 24,
		[ARG_STATUSP] = 8, [ARG_SIGSET_OUT] = sizeof(sigset_t),
		[ARG_SIGINFO_OUT] = sizeof(siginfo_t), [ARG_SIGACT_OUT] = sizeof(struct sigaction),
	};
	unsigned n = sizes[k] ? sizes[k] : 64;
	uint8_t *p = scratch(f, n);

	*size = n;
	memset(p, 0, n);
	if (k == ARG_NS)
		*(uint64_t *)p = fz_below(f, 8) ? 50000 + fz_below(f, 1000000) : fz_next(f);
	else if (k == ARG_SPARAM)
		((struct sched_param *)p)->sched_priority = prio_or_bad(f);
	else if (k == ARG_BUF_OUT)
		fill_random(f, p, n);
	/* ARG_BUF_IN stays zero: AsWrite puts it into spaces that children run
	 * in, and zeros are an illegal instruction, never an endless loop. */
	return p;
}

/* Console text: blanks up to a NUL, however long a length the call gets
 * (the kernel prints at most 256 bytes, up to the first NUL). */
static void *make_text(unsigned *size)
{
	static char text[320];

	if (!text[0])
		memset(text, ' ', sizeof text - 1);
	*size = sizeof text;
	return text;
}

static void *make_object(struct fuzzer *f, enum arg_kind k, unsigned *size)
{
	switch (k) {
	case ARG_TEXT: return make_text(size);
	case ARG_IOV: return make_iov(f, size);
	case ARG_EVENT: return make_event(f, size);
	case ARG_ITIMER: return make_itimer(f, size);
	case ARG_ATTR: return make_attr(f, size);
	case ARG_START: return make_start(f, size);
	case ARG_STR: return make_string(f, size);
	case ARG_SYNC:
	case ARG_MUTEX: return make_sync(f, k, size);
	case ARG_SIGSET: return make_sigset(f, size);
	case ARG_SIGACT: return make_sigaction(f, size);
	default: return make_plain(f, k, size);
	}
}

/* The object at the end of this fuzzer's arena page: its last bytes cross
 * into the hole after the page. */
static long straddle(struct fuzzer *f, const void *obj, unsigned size)
{
	uint64_t page = ARENA_BASE + (uint64_t)f->index * 2 * 4096;
	unsigned cut = size > 1 ? 1 + fz_below(f, size - 1) : 1;
	char *at = (char *)(page + 4096 - cut);

	memcpy(at, obj, cut);
	return (long)at;
}

/* A copy of the object 1 to 7 bytes past an aligned place: the kernel
 * reads the same object misaligned.  (Pointing 1 to 7 bytes into the
 * object instead made an iov's bases out of its neighbours' bytes, and one
 * such base, 0x60000, was kfuzz's own counters, which a received pulse then
 * overwrote: a run that counted 84 calls it never made.)  A sync object is
 * never copied (a copy of a locked mutex is one nobody will unlock: a
 * condvar wait that timed out then waits for it for good, as POSIX has
 * it); a pointer 1 to 7 bytes into the pool's object is misaligned and
 * names no object kfuzz keeps. */
static long misaligned(struct fuzzer *f, enum arg_kind k, const void *obj, unsigned size)
{
	if (k == ARG_SYNC || k == ARG_MUTEX)
		return (long)obj + 1 + fz_below(f, 7);
	char *at = (char *)scratch(f, size + 8) + 1 + fz_below(f, 7);

	memmove(at, obj, size);
	return (long)at;
}

static enum ptr_class pick_class(struct fuzzer *f)
{
	unsigned r = fz_below(f, 16);

	return r < 9 ? PTR_VALID : (enum ptr_class)(1 + fz_below(f, PTR_CLASS_COUNT - 1));
}

static long pointer(struct fuzzer *f, enum arg_kind k)
{
	unsigned size;
	void *obj = make_object(f, k, &size);

	switch (pick_class(f)) {
	case PTR_NULL: return 0;
	case PTR_UNMAPPED: return (long)(0x2000000000ul + (fz_next(f) & 0xffffff8ul));
	case PTR_KERNEL:
		return fz_below(f, 2) ? (long)(0xffffffff80000000ul + (fz_next(f) & 0xffff8ul))
				      : (long)(0xffffffc000000000ul + (fz_next(f) & 0xfffff8ul));
	case PTR_MISALIGNED:    /* the object itself, moved off its alignment */
		return misaligned(f, k, obj, size);
	case PTR_STRADDLE:      /* text: the read-only page of blanks ends in a hole */
		return k == ARG_TEXT ? (long)(RO_PAGE + 4096 - 1 - fz_below(f, 64))
				     : straddle(f, obj, size);
	case PTR_READONLY: return (long)(RO_PAGE + fz_below(f, 4096 - 128));
	case PTR_CHURN:
		if (k == ARG_TEXT)      /* a fresh churn page is zeros: keep NULs off the console */
			return (long)(0x2000000000ul + 4096);
		if (k == ARG_EVENT)     /* see CHURN_EVENT_PAGE in kfuzz.c's churner */
			return (long)(CHURN_EVENT_PAGE + fz_below(f, 4096 - 128));
		return (long)(CHURN_PAGE + fz_below(f, 4096 - 128));
	default: return (long)obj;
	}
}

/* ---- the dispatcher ----------------------------------------------------------- */

/* AsMap's last argument, by the kind of map (the fifth argument, drawn
 * before it).  AS_MAP_CONTIG writes the physical address it got there: an
 * out pointer like any other, never a number that happens to name a page
 * of kfuzz's own image.  AS_MAP_SHARE takes a virtual address in the space
 * it shares from.  For AS_MAP_PHYS and AS_MAP_GRANT, and anything else, a
 * physical address the kernel must refuse (RAM, unaligned, beyond the
 * physical address space, a range that wraps), never a device: kfuzz holds
 * the process manager's privilege, which maps any device into its own space
 * without a grant, and a device mapped at random is real hardware written
 * at random: a store that enables the output of QEMU sifive_u's GPIO pin 10
 * (the reset line) resets the machine without a word.  The drivers' own
 * tests map their devices; learn() counts any such map that succeeds, and
 * kfuzz then exits 8. */
static long paddr(struct fuzzer *f)
{
	uint64_t flags = (uint64_t)f->prev[4];

	if (flags == AS_MAP_CONTIG)
		return pointer(f, ARG_NS_OUT);
	if ((flags & 0xff) == AS_MAP_SHARE)
		return fz_below(f, 2) ? (long)(fz_below(f, 0x40000) << 12) : garbage(f);
	switch (fz_below(f, 4)) {
	case 0:         /* RAM: the first 64 MiB, which every board has and the kernel uses */
		return (long)(RAM_BASE_FOR_FUZZ + (fz_below(f, 0x4000) << 12));
	case 1:         /* a page of the device half, off its alignment */
		return (long)((fz_below(f, 0x40000) << 12) | (1 + fz_below(f, 4095)));
	case 2:         /* beyond any physical address */
		return (long)((1ull << 56) + (fz_below(f, 0x40000) << 12));
	default:        /* the last page of the address space: any length wraps */
		return (long)-4096;
	}
}

static long scalar(struct fuzzer *f, enum arg_kind k)
{
	switch (k) {
	case ARG_INT: return small_or_garbage(f, 8);
	case ARG_ND: return fz_below(f, 8) ? ND_LOCAL_NODE : garbage(f);
	case ARG_LEN: return fz_below(f, 6) ? (long)fz_below(f, 65) : garbage(f);
	case ARG_TEXTLEN:       /* mostly nothing, now and then a blank: a readable console */
		return fz_below(f, 4) ? 0 : fz_below(f, 4) ? (long)fz_below(f, 2) : garbage(f);
	case ARG_PRIO: return fz_below(f, 4) ? (long)(1 + fz_below(f, 40)) : garbage(f);
	case ARG_FLAGS: return small_or_garbage(f, 4);
	case ARG_STATUS: return small_or_garbage(f, 256);
	case ARG_CHID: return receive_chid(f);
	case ARG_CHID_OWN: return not_server(f, server_chid, POOL_CHID);
	case ARG_COID: return server_or(f, server_coid, POOL_COID);
	case ARG_COID_OWN: return not_server(f, server_coid, POOL_COID);
	case ARG_RCVID: {       /* a sender's tid is live while it waits for a reply */
		unsigned r = fz_below(f, 4);
		return r < 2 ? sender_tid[r] : r == 2 ? pool_newest(POOL_RCVID)
						     : id_from(f, POOL_RCVID);
	}
	case ARG_SCOID: return fz_below(f, 5) ? id_from(f, POOL_SCOID) : -1;
	case ARG_TID: return tid_safe(f);
	case ARG_TID_ANY: {
		unsigned r = fz_below(f, 6);
		return r < 3 ? id_from(f, POOL_TID) : r == 3 ? (long)f->tid : r == 4 ? 0
			     : (long)fz_below(f, 12);
	}
	case ARG_PID: {
		unsigned r = fz_below(f, 6);
		return r == 0 ? 0 : r == 1 ? own_pid : r == 2 ? -1 : id_from(f, POOL_PID);
	}
	case ARG_TIMER: return id_from(f, POOL_TIMER);
	case ARG_AS: return fz_below(f, 4) ? id_from(f, POOL_AS) : AS_SELF;
	case ARG_INTR: return fz_below(f, 3) ? id_from(f, POOL_INTR) : pool_newest(POOL_INTR);
	case ARG_IRQ:           /* now and then the line of the newest attachment */
		return fz_below(f, 3) ? small_or_garbage(f, 64) : last_irq;
	case ARG_CLOCK: {
		static const long clocks[] = { CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC,
					       CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, 1 };
		return fz_below(f, 8) ? clocks[fz_below(f, 6)] : garbage(f);
	}
	case ARG_SYNCTYPE: return small_or_garbage(f, 4);
	case ARG_POLICY: return small_or_garbage(f, 4);
	case ARG_TOFLAGS: return fz_below(f, 4) ? (long)(fz_next(f) & 0x3fff0) : garbage(f);
	case ARG_PROT: return fz_below(f, 6) ? (long)(fz_below(f, 8) << 8) : garbage(f);
	case ARG_MAPFLAGS: return fz_below(f, 6) ? 0 : small_or_garbage(f, 6);
	case ARG_PADDR: return paddr(f);
	case ARG_VADDR: return vaddr(f);
	case ARG_VLEN: return vlen(f);
	case ARG_NIOV: return fz_below(f, 6) ? (long)fz_below(f, 5) : garbage(f);
	case ARG_RCVID_CHID:    /* each half drawn as its own kind, now and then garbage */
		return fz_below(f, 8) ? (long)((uint64_t)(uint32_t)scalar(f, ARG_RCVID) |
					       (uint64_t)(uint32_t)scalar(f, ARG_CHID) << 32)
				      : garbage(f);
	case ARG_NIOV2:
		return fz_below(f, 8) ? (long)((uint64_t)(uint32_t)scalar(f, ARG_NIOV) |
					       (uint64_t)(uint32_t)scalar(f, ARG_NIOV) << 32)
				      : garbage(f);
	case ARG_LEN2:
		return fz_below(f, 8) ? (long)((uint64_t)(uint32_t)scalar(f, ARG_LEN) |
					       (uint64_t)(uint32_t)scalar(f, ARG_LEN) << 32)
				      : garbage(f);
	case ARG_FUNC: {
		unsigned r = fz_below(f, 8);
		return r < 5 ? (long)fz_victim : r == 5 ? 0 : r == 6 ? (long)0xffffffff80000000ul
			       : (long)0x0000800000000000ul;     /* never runnable: rejected */
	}
	case ARG_SIGNO: {
		static const long kept[] = { SIGURG, SIGWINCH, SIGCHLD };
		unsigned r = fz_below(f, 8);
		return r < 3 ? kept[r] : r < 7 ? (long)fz_below(f, _SIGMAX + 1) : garbage(f);
	}
	case ARG_HOW: return fz_below(f, 6) ? (long)fz_below(f, 3) : garbage(f);
	case ARG_FPID: {
		long pid = __atomic_load_n(&forkee_pid, __ATOMIC_RELAXED);
		return pid && fz_below(f, 2) ? pid : scalar(f, ARG_PID);
	}
	case ARG_FTID: {
		long tid = __atomic_load_n(&forkee_tid, __ATOMIC_RELAXED);
		return tid && fz_below(f, 2) ? tid : scalar(f, ARG_TID_ANY);
	}
	case ARG_FAS: return fz_below(f, 2) ? pool_newest(POOL_AS) : scalar(f, ARG_AS);
	default: return garbage(f);
	}
}

static enum arg_kind any_kind(struct fuzzer *f)
{
	static const uint8_t kinds[] = {
		ARG_INT, ARG_LEN, ARG_FLAGS, ARG_CHID, ARG_COID, ARG_RCVID, ARG_TID, ARG_PID,
		ARG_TIMER, ARG_BUF_IN, ARG_BUF_OUT, ARG_IOV, ARG_EVENT, ARG_NS, ARG_SYNC,
	};
	return (enum arg_kind)kinds[fz_below(f, sizeof kinds)];
}

long fz_arg(struct fuzzer *f, int i, enum arg_kind k)
{
	if (k == ARG_ANY)
		k = any_kind(f);
	long v = k >= ARG_PTR_FIRST ? pointer(f, k) : scalar(f, k);
	f->prev[i] = v;
	return v;
}
