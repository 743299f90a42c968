/* kfuzz SEED N [THREADS]: N kernel calls, every call of KCALL_TABLE (and
 * numbers past it), with arguments drawn by kind (args.c, calls.c), from
 * THREADS threads at once, while helper threads keep the run going: servers
 * receive and reply so sends complete, a signaller posts and signals the
 * sync objects so waits complete, a churner maps and unmaps a page that
 * pointers point into, a keeper keeps a forkee (a child blocked on a
 * channel of kfuzz's) for AsClone, ProcessFork and ProcessExec to work on.
 * Every call is preceded by a short TimerTimeout on every blocking state, so
 * nothing blocks for long.  Calls that end their caller (ProcessExit) or the
 * machine (SystemReset) or
 * could send it anywhere (SignalReturn, a SignalAction's handler) and, now
 * and then, the privileged calls run in a child process made for the
 * purpose (unprivileged: they must fail EPERM), whose exit reports the
 * result.
 *
 * At the end it prints one line per call,
 *     kfuzz: <CallName> ok <n> <ERRNO> <n> ...
 * and a summary; it exits 0 unless its own machinery failed or a device
 * was mapped (8: args.c's paddr() keeps to addresses the kernel refuses).
 * The kernel must survive all of it. */
#include <keel/msg.h>
#include <keel/signal.h>
#include <keel/sysinfo.h>
#include "kfuzz.h"

#define KERNEL_ADDR_FOR_FUZZ 0xffffffff80000000ul   /* EFAULT, never a mask */

#define HELPERS   5             /* signaller, churner, two senders, forkee keeper */
#define ERR_SLOTS 400           /* errno values counted one by one */
#define TIMEOUT_NS 200000ul     /* every blocking call ends after 0.2 ms */
#define ALL_STATES 0x3fff0u     /* every STATE_* bit TimerTimeout knows */

static volatile long calls_left;
static volatile int run_done;
static volatile int fuzzers_done;
static volatile uint32_t ok_count[KCALL_COUNT];
static volatile uint32_t err_count[KCALL_COUNT][ERR_SLOTS];
static volatile uint32_t unknown_count, unknown_odd;
static volatile uint32_t children_disturbed;
static volatile uint32_t device_maps;    /* AS_MAP_PHYS or AS_MAP_GRANT that succeeded */
static struct fuzzer fuzzers[FUZZERS_MAX];
static char stacks[FUZZERS_MAX + SERVERS + HELPERS][16384] __attribute__((aligned(16)));
extern sync_t fz_victim_sem;
_Static_assert(STATE_SEM == 17, "code.S names STATE_SEM by value");

/* Reaping children: a fuzzed ProcessWait must not take the exit status of
 * a child that a via_child() waits for; >0 readers (via_child), -1 one
 * fuzzed ProcessWait. */
static volatile int reap_gate;
int fork_chid;                  /* the forkee sends here */

static long kcall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3, r4 __asm__("a4") = a4, r5 __asm__("a5") = a5;
	register long r7 __asm__("a7") = n;

	/* A kernel call keeps a1..a5 and the callee-saved registers; t0..t6
	 * and a6 come back undefined (<keel/kcall.h>). */
	__asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
			 : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6");
	return r0;
}

static void record(long n, long r)
{
	if (r >= 0) {
		__atomic_add_fetch(&ok_count[n], 1, __ATOMIC_RELAXED);
		return;
	}
	unsigned e = -r < ERR_SLOTS ? (unsigned)-r : 0;   /* 0: out of range */
	__atomic_add_fetch(&err_count[n][e], 1, __ATOMIC_RELAXED);
}

static void sleep_ns(uint64_t ns)
{
	static sync_t never;            /* a semaphore nobody posts */

	if (!never.__owner)
		SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &never, 0);
	TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_SEM, 0, &ns, 0);
	SyncSemWait_r(&never, 0);
}

/* The calling thread's CPU time. */
static uint64_t cpu_ns(void)
{
	uint64_t t = 0;

	ClockTime_r(CLOCK_THREAD_CPUTIME_ID, 0, &t);
	return t;
}

/* A helper's pause after a round that began at CPU time start: period ns,
 * or PACE times the CPU time the round took if that is longer.  The
 * helpers outrank the fuzzers, and under emulation on a busy host a round
 * of kernel calls can outlast a period of a millisecond: paced so, the five
 * take at most a third of one hart together, and the fuzzers (and their
 * children, which may have been put below them) still run. */
#define PACE 15

static void pace(uint64_t start, uint64_t period)
{
	uint64_t took = cpu_ns() - start;

	sleep_ns(took * PACE > period ? took * PACE : period);
}

/* The gate's word changes under gate_mutex, and who cannot pass waits on
 * gate_cond: blocked, never polling.  A holder that a fuzzed SchedSet put
 * below the fuzzers waits for a child that has its priority, and fuzzers
 * that polled the gate above it kept that child off a hart for good.  Both
 * are kfuzz's own (fuzzed sync calls draw from the pool only).  A lock or
 * wait may end early (a fuzzed TimerTimeout covers the next call): the lock
 * is tried again, the condition looked at again. */
static sync_t gate_mutex, gate_cond;

static void gate_lock(void)
{
	while (SyncMutexLock_r(&gate_mutex))
		;
}

static void gate_enter(int want)
{
	gate_lock();
	for (;;) {
		int g = reap_gate;
		if (want < 0 ? g == 0 : g >= 0) {
			reap_gate = want < 0 ? -1 : g + 1;
			break;
		}
		SyncCondvarWait_r(&gate_cond, &gate_mutex);     /* relocks, whatever it returns */
	}
	SyncMutexUnlock_r(&gate_mutex);
}

static void gate_leave(int want)
{
	gate_lock();
	reap_gate = want < 0 ? 0 : reap_gate - 1;
	SyncCondvarSignal_r(&gate_cond, 1);
	SyncMutexUnlock_r(&gate_mutex);
}

/* A fresh space holding the child program; returns its id or -errno. */
static int child_space(void)
{
	int as = AsCreate_r();

	if (as <= 0)
		return as;
	int r = AsMap_r(as, CHILD_CODE_VA, 4096, PROT_READ | PROT_EXEC, AS_MAP_ANON, 0);
	if (!r)
		r = AsWrite_r(as, CHILD_CODE_VA, fz_child, (size_t)(fz_child_end - fz_child));
	if (r) {
		AsDestroy_r(as);
		return r;
	}
	return as;
}

/* Polls for the child's end for about ms milliseconds: its pid, or 0. */
static int poll_child(int pid, struct _proc_exit *ex, int ms)
{
	for (int i = 0; i < ms; i++) {
		int w = ProcessWait_r(pid, ex, _PROC_WAIT_NOHANG);
		if (w != -EAGAIN)
			return w;
		sleep_ns(1000000);
	}
	return 0;
}

/* Waits for the child; one that another fuzzer stopped (SIGSTOP to a
 * random pid) or left blocked is killed after 2 s, and counts as
 * disturbed.  Says so when it has to. */
static int wait_child(int pid, struct _proc_exit *ex)
{
	int w = poll_child(pid, ex, 2000);

	if (w)
		return w;
	int k = SignalKill_r(pid, 0, SIGKILL, 0, 0);
	printf("kfuzz: child %d still there after 2 s (stopped by another fuzzer?): SIGKILL: %d\n",
	       pid, k);
	w = poll_child(pid, ex, 2000);
	if (!w)
		printf("kfuzz: child %d still there 2 s after SIGKILL\n", pid);
	return w ? w : -ETIMEDOUT;
}

/* Draws the arguments of call n by its hints. */
static void draw_args(struct fuzzer *f, long n, long *a)
{
	f->used = 0;
	for (int i = 0; i < KCALL_MAX_ARGS; i++)
		f->prev[i] = -1;
	for (int i = 0; i < KCALL_MAX_ARGS; i++)
		a[i] = i < call_nargs[n] ? fz_arg(f, i, (enum arg_kind)call_hint[n][i])
					 : (long)fz_next(f);  /* ignored by the kernel */
}

/* Call n made by an unprivileged child process: its exit status is the
 * result (ProcessExit's success is the child ending with the status it
 * was given).  Returns false if the call did not run (no child could be
 * made, or another fuzzer broke its space). */
static bool via_child(struct fuzzer *f, long n)
{
	long a[KCALL_MAX_ARGS + 1] = { 0 };
	struct _proc_start st = { .entry = CHILD_CODE_VA, .argc = (uint64_t)n,
				  .argv = CHILD_ARGS_VA };
	struct _proc_exit ex;

	/* The arguments as kfuzz draws them: its pointers name nothing in
	 * the child's space but NULL and bad ones keep their meaning. */
	draw_args(f, n, a);
	long arg = a[0] = n == KCALL_ProcessExit ? (long)fz_below(f, 200) : a[0];
	st.envp = fz_next(f);   /* the nonce; the child checks the seventh word */
	a[6] = ~(n ^ a[0] ^ a[1] ^ a[2] ^ a[3] ^ a[4] ^ a[5] ^ (long)st.envp);
	int as = child_space();
	if (as <= 0)
		return false;
	if (AsWrite_r(as, CHILD_ARGS_VA, a, 7 * sizeof a[0])) {
		AsDestroy_r(as);
		return false;
	}
	gate_enter(1);
	int pid = ProcessStart_r(as, &st);
	f->child = pid;
	int w = pid > 0 ? wait_child(pid, &ex) : pid;
	f->child = 0;
	gate_leave(1);
	if (pid <= 0) {
		AsDestroy_r(as);
		return false;
	}
	if (w != pid || ex.how != _PROC_EXITED) {
		/* Another fuzzer's AsUnmap or AsWrite with a garbage space id
		 * hit this space: the call never ran.  Counted, not recorded. */
		__atomic_add_fetch(&children_disturbed, 1, __ATOMIC_RELAXED);
		return false;
	}
	if (n == KCALL_ProcessExit && ex.status != arg)
		printf("kfuzz: a child's ProcessExit(%ld) ended it with status %d (code %d)\n",
		       arg, ex.status, ex.code);
	if (n == KCALL_ProcessExit)
		record(n, ex.status == arg ? 0 : -EINVAL);
	else
		record(n, ex.status);
	return true;
}

/* Ids a call made go to the pools; the id a pool drops is released. */
static void release(enum pool p, long id)
{
	uint64_t ns = 5000000;

	switch (p) {
	case POOL_CHID: ChannelDestroy_r((int)id); break;
	case POOL_COID: ConnectDetach_r((int)id); break;
	case POOL_TIMER: TimerDestroy_r((int)id); break;
	case POOL_AS: AsDestroy_r((int)id); break;
	case POOL_INTR: InterruptDetach_r((int)id); break;
	case POOL_TID:
		TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_JOIN, 0, &ns, 0);
		ThreadJoin_r((int)id, 0);
		break;
	default: break;
	}
}

static void keep(enum pool p, long id)
{
	long old = pool_put(p, id);

	if (old != POOL_EMPTY)
		release(p, old);
}

static void learn(struct fuzzer *f, long n, const long *a, long r)
{
	bool receive = n == KCALL_MsgReceivev || n == KCALL_MsgReceivePulsev ||
		       n == KCALL_MsgReceive;

	if (n == KCALL_AsMap && r == 0 && (a[4] == AS_MAP_PHYS || a[4] == AS_MAP_GRANT)) {
		/* args.c's paddr() never draws a device: say so if one was mapped */
		__atomic_add_fetch(&device_maps, 1, __ATOMIC_RELAXED);
		printf("kfuzz: AsMap(%ld, 0x%lx, 0x%lx, 0x%lx, %ld, 0x%lx) mapped a device\n",
		       a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	if (r < 0 || (r == 0 && !receive))
		return;
	switch (n) {
	case KCALL_ChannelCreate: keep(POOL_CHID, r); break;
	case KCALL_ConnectAttach: keep(POOL_COID, r); break;
	case KCALL_TimerCreate: keep(POOL_TIMER, r); break;
	case KCALL_InterruptAttachEvent:
		last_irq = a[0];
		keep(POOL_INTR, r);
		break;
	case KCALL_ThreadCreate: keep(POOL_TID, r); break;
	case KCALL_ProcessStart:
	case KCALL_ProcessFork: keep(POOL_PID, r); break;
	case KCALL_AsClone: keep(POOL_AS, r); break;
	case KCALL_AsOpen:
		/* Only the space of a child kfuzz made is kept for fuzzing.
		 * kfuzz's own would be fuzzed anywhere (vaddr keeps only AS_SELF
		 * in the play area), and any other process's is the system's:
		 * taskman's fuzzed is taskman killed.  one_call never asks for
		 * those two; another (a child that is not in the pool any more)
		 * is given back at once. */
		if (a[0] != __atomic_load_n(&forkee_pid, __ATOMIC_RELAXED) &&
		    (a[0] == 0 || a[0] == own_pid || !pool_holds(POOL_PID, a[0])))
			AsDestroy_r((int)r);
		else
			keep(POOL_AS, r);
		break;
	case KCALL_AsCreate:
		if (fz_below(f, 2) && !AsMap_r((int)r, CHILD_CODE_VA, 4096, PROT_READ | PROT_EXEC,
					       AS_MAP_ANON, 0)) {
			/* the child code, and a KernelNop for a start there */
			long nop[KCALL_MAX_ARGS + 1] = { [KCALL_MAX_ARGS] = ~(long)KCALL_KernelNop };
			AsWrite_r((int)r, CHILD_CODE_VA, fz_child, (size_t)(fz_child_end - fz_child));
			AsWrite_r((int)r, CHILD_ARGS_VA, nop, sizeof nop);
		}
		keep(POOL_AS, r);
		break;
	default:
		if (!receive)
			break;
		if (r > 0)
			keep(POOL_RCVID, r);
		const struct _msg_info *mi = (const void *)a[3];
		if ((const char *)mi >= f->scratch &&
		    (const char *)(mi + 1) <= f->scratch + sizeof f->scratch)
			keep(POOL_SCOID, mi->scoid);
	}
}

/* Unlocks the pool mutexes this fuzzer holds, but `keep`.  A thread in
 * SyncCondvarWait takes its mutex back without a timeout; holding no other
 * one then, it cannot be part of a cycle, and the holder of the one it
 * wants lets go within 256 calls. */
static void drop_mutexes(struct fuzzer *f, sync_t *keep)
{
	for (int i = 0; i < SYNC_POOL; i++) {
		sync_t *m = &sync_pool[i];
		uint32_t owner = __atomic_load_n(&m->__owner, __ATOMIC_RELAXED) & ~_NTO_SYNC_WAITING;
		if (m != keep && owner == f->tid)
			SyncMutexUnlock_r(m);
	}
}

/* Half the condvar waits get their mutex argument locked first (if it is
 * one of the pool's and turns out to be a mutex), so that some get past
 * the ownership check to wait and be signalled. */
static void hold_mutex(long m)
{
	sync_t *s = (sync_t *)m;
	uint64_t ns = TIMEOUT_NS;

	if (s < &sync_pool[0] || s >= &sync_pool[SYNC_POOL])
		return;
	TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_MUTEX, 0, &ns, 0);
	SyncMutexLock_r(s);
}

/* Half the calls on a rcvid get one just received from the traffic channel
 * (a sender then waits for its reply), so that some get past the rcvid
 * check: senders wait in SEND far more than in REPLY. */
static bool takes_rcvid(long n)
{
	return n == KCALL_MsgReplyv || n == KCALL_MsgError || n == KCALL_MsgReadv ||
	       n == KCALL_MsgWritev || n == KCALL_MsgInfo || n == KCALL_MsgDeliverEvent;
}

static void fresh_rcvid(long *a)
{
	char buf[64];
	uint64_t ns = TIMEOUT_NS;

	TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_RECEIVE, 0, &ns, 0);
	int rcvid = MsgReceive_r(traffic_chid, buf, sizeof buf, 0);
	if (rcvid > 0) {
		keep(POOL_RCVID, rcvid);
		a[0] = rcvid;
	}
}

/* Half the SignalWaitinfo calls find a kept signal pending for this thread
 * (blocked again first: a fuzzed SignalProcmask may have opened it), so
 * that some take one whenever the drawn set holds it. */
static int block_kept(void);

static void pending_signal(struct fuzzer *f)
{
	static const int kept[] = { SIGURG, SIGWINCH, SIGCHLD };

	block_kept();
	SignalKill_r(0, (int)f->tid, kept[fz_below(f, 3)], 0, 0);
}

/* Half the ThreadDestroy calls name a victim just started (it lives about
 * three milliseconds, so one drawn from the pool is mostly gone: a CI run
 * of 40,000 calls once saw no success), so that some end a live thread. */
static void fresh_victim(long *a)
{
	static char stack[4096] __attribute__((aligned(16)));
	struct _thread_attr at;

	memset(&at, 0, sizeof at);
	at.stackaddr = stack;           /* the victim never touches its stack */
	at.stacksize = sizeof stack;
	long tid = ThreadCreate_r(0, (void *(*)(void *))(uintptr_t)fz_victim, 0, &at);
	if (tid > 0) {
		keep(POOL_TID, tid);
		a[0] = tid;
	}
}

/* Half the AsProtect calls change one page of kfuzz's own play area that
 * is mapped first: ranges drawn at random are seldom all mapped (a CI run
 * once saw no success in 40,000 calls). */
static void mapped_page(struct fuzzer *f, long *a)
{
	a[0] = AS_SELF;
	a[1] = (long)(PLAY_BASE + fz_below(f, PLAY_PAGES) * 4096ul);
	a[2] = 4096;
	AsMap_r(AS_SELF, (uint64_t)a[1], 4096, PROT_READ, AS_MAP_ANON, 0);  /* or mapped already */
}

/* Half the HwInfoEntry calls ask for a low entry of a device that may have
 * one (the PCIe host's ranges, interrupt-map and reg; every board's
 * interrupt controller's and UART's reg): names drawn at random seldom
 * meet an index, a kind and an entry number that all exist.  The strings
 * are kfuzz's own, never freed. */
static void entry_of_a_bus(struct fuzzer *f, long *a)
{
	static const char *const devices[] = { "pci-host-ecam-generic", "riscv,plic0",
					       "sifive,plic-1.0.0", "ns16550a", "sifive,uart0" };

	a[0] = (long)devices[fz_below(f, sizeof devices / sizeof devices[0])];
	a[1] = 0;
	a[2] = (long)fz_below(f, 3);            /* HWINFO_RANGE, HWINFO_IRQMAP, HWINFO_REG */
	a[3] = (long)fz_below(f, 4);
}

/* Half the MsgReceivePulsev calls find a pulse on the traffic channel
 * (senders send theirs only between long REPLY waits: a run saw as few as
 * 7 successes); half the TimerSettime calls get a timer just made (the
 * pool's are often destroyed: as few as 3). */
static int traffic_coid;

static void pulse_waiting(long *a)
{
	if (MsgSendPulse_r(traffic_coid, 10, 6, 78) == 0)
		a[0] = traffic_chid;
}

/* Half the MsgReplyReceivev calls get a live rcvid of the traffic channel
 * to reply to (with no data), that channel to receive on, a pulse waiting
 * there and a good receive buffer: drawn at random the eight arguments
 * rarely all fit (a CI run had no success in 538 calls, another 3 with the
 * rcvid and the channel alone prepared). */
static iov_t rr_iov;
static char rr_buf[64];

static void reply_receive_ready(long *a)
{
	long r[1] = { 0 };

	fresh_rcvid(r);
	if (r[0] <= 0 || MsgSendPulse_r(traffic_coid, 10, 6, 79) != 0)
		return;
	SETIOV(&rr_iov, rr_buf, sizeof rr_buf);
	a[0] = (long)((uint64_t)(uint32_t)r[0] | (uint64_t)(uint32_t)traffic_chid << 32);
	a[3] = (long)((uint64_t)1 << 32);               /* reply: no parts; receive: one */
	a[4] = (long)&rr_iov;
	a[5] = 0;                                       /* no _msg_info */
}

/* The same for MsgReplyReceives: its sizes (no reply; a receive of
 * rr_buf's) and buffers in place of the vectors. */
static void reply_receive_scalar_ready(long *a)
{
	reply_receive_ready(a);
	if (a[4] != (long)&rr_iov)
		return;
	a[2] = 0;
	a[3] = (long)((uint64_t)sizeof rr_buf << 32);
	a[4] = (long)rr_buf;
}

static void fresh_timer(long *a)
{
	struct sigevent ev;

	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_NONE;
	long id = TimerCreate_r(CLOCK_MONOTONIC, &ev);
	if (id >= 0) {
		keep(POOL_TIMER, id);
		a[0] = id;
	}
}

/* The next call's number: one of the table's, now and then one past it. */
static long draw_call(struct fuzzer *f)
{
	for (;;) {
		long n = (long)fz_below(f, KCALL_COUNT + 2);
		if (n >= KCALL_COUNT)
			return n;
		/* A random frame would send kfuzz anywhere: SignalReturn runs
		 * in a child, like ProcessExit and SystemReset (kfuzz holds
		 * the privilege: it would end the machine); SignalAction mostly runs in
		 * kfuzz, which keeps its own actions (sanitize_action). */
		bool child_only = n == KCALL_ProcessExit || n == KCALL_SignalReturn ||
				  n == KCALL_SystemReset ||
				  (n == KCALL_SignalAction && fz_below(f, 4) == 0);
		if (!child_only && !(call_priv[n] && fz_below(f, 16) == 0))
			return n;
		if (via_child(f, n))
			return -1;      /* made and counted in a child */
	}
}

/* kfuzz ignores every signal it may (main); SIGKILL and SIGSTOP it cannot,
 * so a SignalKill of one of those that could reach kfuzz (itself, or a
 * group: kfuzz is in one) goes to no process instead (ESRCH). */
static void spare_kfuzz(long *a)
{
	int signo = (int)a[2];
	int pid = (int)a[0];

	if ((signo == SIGKILL || signo == SIGSTOP) && (pid <= 0 || pid == own_pid))
		a[0] = 0x7ffffff0;
}

/* A SignalAction on kfuzz itself, or on taskman (kfuzz has the process
 * manager's privilege and may), only reads (act NULL) unless act is a
 * pointer the kernel cannot read (unmapped, kernel half): a handler, or
 * SIG_DFL for a signal that ends a process, would end kfuzz or taskman.
 * Installing happens in children and forkees. */
#define TASKMAN_PID 1           /* the first process (keel: init taskman (pid 1)) */
static void sanitize_action(long *a)
{
	uint64_t act = (uint64_t)a[3];
	bool self = a[0] == 0 || a[0] == own_pid || a[0] == TASKMAN_PID;
	bool unreadable = act >= 0xffffffc000000000ul ||
			  (act >= 0x2000000000ul && act < 0x2010000000ul);

	if (self && !unreadable)
		a[3] = 0;
}

/* A random event in kfuzz's own scratch buffer that would send SIGKILL or
 * SIGSTOP (which nothing can ignore) to kfuzz becomes SIGEV_NONE. */
static void defuse_event(struct fuzzer *f, long arg)
{
	struct sigevent *e = (struct sigevent *)arg;
	char *p = (char *)arg;

	if (p < f->scratch || p + sizeof *e > f->scratch + sizeof f->scratch)
		return;
	int how = e->sigev_notify;
	if ((how == SIGEV_SIGNAL || how == SIGEV_SIGNAL_CODE || how == SIGEV_SIGNAL_THREAD) &&
	    (e->sigev_signo == SIGKILL || e->sigev_signo == SIGSTOP))
		e->sigev_notify = SIGEV_NONE;
}

/* Every catchable signal to SIG_IGN but FZ_KEPT_SIGNALS (ignored by
 * default): a fuzzed SignalKill to kfuzz's own process is discarded, and
 * one to a group it is in does no harm. */
static int ignore_signals(void)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };

	for (int s = _SIGMIN; s <= _SIGMAX; s++)
		if (s != SIGKILL && s != SIGSTOP && !(FZ_KEPT_SIGNALS & (1ull << (s - 1))) &&
		    SignalAction_r(0, 0, s, &ign, 0) < 0)
			return -1;
	return 0;
}

/* Every kfuzz thread blocks FZ_KEPT_SIGNALS when it starts (until a fuzzed
 * SignalProcmask says otherwise): one sent to it, or to kfuzz when no
 * thread has it open, stays pending, so SignalWaitinfo can succeed. */
static int block_kept(void)
{
	sigset_t kept = { { (uint32_t)FZ_KEPT_SIGNALS, (uint32_t)(FZ_KEPT_SIGNALS >> 32) } };

	return SignalProcmask_r(0, 0, SIG_BLOCK, &kept, 0);
}

static void one_call(struct fuzzer *f)
{
	long n = draw_call(f);
	long a[KCALL_MAX_ARGS];

	if (n < 0)
		return;
	if (n >= KCALL_COUNT) {         /* a number past the table */
		long bad = n == KCALL_COUNT ? KCALL_COUNT + (long)fz_below(f, 64) : (long)fz_next(f);
		long r = kcall6(bad, 0, 0, 0, 0, 0, 0);
		__atomic_add_fetch(r == -ENOSYS ? &unknown_count : &unknown_odd, 1, __ATOMIC_RELAXED);
		return;
	}
	draw_args(f, n, a);
	if (n == KCALL_SignalKill)
		spare_kfuzz(a);
	/* An id from AsOpen of kfuzz's own space or taskman's is given back
	 * at once (learn), but another fuzzer drawing a stale or garbage id
	 * may use it first: its AsWrite, AsUnmap or AsProtect would reach
	 * kfuzz's own code and counters, or taskman's.  So those pids name no
	 * process here. */
	if (n == KCALL_AsOpen && (a[0] == 0 || a[0] == own_pid || a[0] == TASKMAN_PID))
		a[0] = 0x7ffffff0;
	if (n == KCALL_SignalAction)
		sanitize_action(a);
	if (n == KCALL_TimerCreate || n == KCALL_MsgDeliverEvent || n == KCALL_InterruptAttachEvent)
		defuse_event(f, a[1]);
	if (n == KCALL_SyncCondvarWait || ++f->calls % 256 == 0)
		drop_mutexes(f, n == KCALL_SyncCondvarWait ? (sync_t *)a[1] : 0);
	if (n == KCALL_SyncCondvarWait && fz_below(f, 2))
		hold_mutex(a[1]);
	if (takes_rcvid(n) && fz_below(f, 2))
		fresh_rcvid(a);
	if (n == KCALL_SignalWaitinfo && fz_below(f, 2))
		pending_signal(f);
	if (n == KCALL_ThreadDestroy && fz_below(f, 2))
		fresh_victim(a);
	if (n == KCALL_AsProtect && fz_below(f, 2))
		mapped_page(f, a);
	if (n == KCALL_HwInfoEntry && fz_below(f, 2))
		entry_of_a_bus(f, a);
	if ((n == KCALL_MsgReceivePulsev || n == KCALL_MsgReceive) && fz_below(f, 2))
		pulse_waiting(a);
	if (n == KCALL_MsgReplyReceivev && fz_below(f, 2))
		reply_receive_ready(a);
	if (n == KCALL_MsgReplyReceives && fz_below(f, 2))
		reply_receive_scalar_ready(a);
	if (n == KCALL_TimerSettime && fz_below(f, 2))
		fresh_timer(a);
	bool gate = n == KCALL_ProcessWait;
	if (gate)
		gate_enter(-1);
	/* A timeout covers the next kernel call only: this one, so nothing
	 * (an unlock, the gate's sleep) may come in between. */
	if (n != KCALL_TimerTimeout) {
		/* A condvar wait outlasts the signaller's period (1 ms), so
		 * that some waits end signalled rather than timed out. */
		uint64_t ns = n == KCALL_SyncCondvarWait ? 3000000 : TIMEOUT_NS;
		TimerTimeout_r(CLOCK_MONOTONIC, ALL_STATES, 0, &ns, 0);
	}
	/* A run mask that leaves out harts would let a fuzzer that raised its
	 * priority and spins at a gate starve a pinned one for good: every mask
	 * set is all harts (0 stays, for EINVAL). */
	uint64_t all_harts = ~0ul;
	if (n == KCALL_ThreadCtl && a[0] == _NTO_TCTL_RUNMASK && a[1])
		a[1] = (long)~0ul;
	if (n == KCALL_ThreadCtl && a[0] == _NTO_TCTL_RUNMASK_GET_AND_SET && fz_below(f, 2))
		a[1] = (long)(uintptr_t)&all_harts;
	else if (n == KCALL_ThreadCtl && a[0] == _NTO_TCTL_RUNMASK_GET_AND_SET)
		a[1] = (long)KERNEL_ADDR_FOR_FUZZ;
	for (int i = 0; i < 6; i++)
		f->args[i] = a[i];
	f->current = n;
	long r = kcall6(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	f->current = -1;
	if (gate)
		gate_leave(-1);
	record(n, r);
	learn(f, n, a, r);
}

static void *fuzzer(void *p)
{
	struct fuzzer *f = p;

	block_kept();
	f->tid = urt_tid();
	while (__atomic_sub_fetch(&calls_left, 1, __ATOMIC_RELAXED) >= 0)
		one_call(f);
	drop_mutexes(f, 0);             /* a condvar waiter may want one back */
	__atomic_add_fetch(&fuzzers_done, 1, __ATOMIC_RELEASE);
	return 0;
}

/* ---- helpers: servers, signaller, churner ---------------------------------- */

static void *server(void *p)
{
	long i = (long)p;
	char buf[64];

	block_kept();
	for (;;) {
		int rcvid = MsgReceive_r(server_chid[i], buf, sizeof buf, 0);
		if (rcvid > 0)
			MsgReply_r(rcvid, rcvid & 7, buf, (size_t)(rcvid & 63));
		else if (rcvid < 0 && rcvid != -EINTR && rcvid != -ETIMEDOUT)
			sleep_ns(1000000);      /* its channel destroyed (a fuzzed id): no spinning */
	}
	return 0;
}

/* Wakes what waits on the sync pool, so waits sometimes succeed. */
static void *signaller(void *p)
{
	(void)p;
	block_kept();
	for (unsigned i = 0; !__atomic_load_n(&run_done, __ATOMIC_RELAXED); i++) {
		uint64_t start = cpu_ns();
		for (int j = 0; j < SYNC_POOL; j++) {
			SyncCondvarSignal_r(&sync_pool[j], (int)(i & 1));
			SyncSemPost_r(&sync_pool[j]);
		}
		pace(start, 1000000);
	}
	return 0;
}

/* Keeps messages and pulses waiting on the traffic channel. */
static void *sender(void *p)
{
	int coid = (int)(long)p;
	char msg[48] = "kfuzz traffic", reply[48];

	block_kept();
	while (!__atomic_load_n(&run_done, __ATOMIC_RELAXED)) {
		uint64_t start = cpu_ns();
		uint64_t ns = 500000000;       /* long REPLY-blocked: rcvids stay live */
		TimerTimeout_r(CLOCK_MONOTONIC, (1u << STATE_SEND) | (1u << STATE_REPLY), 0, &ns, 0);
		long r = MsgSend_r(coid, msg, sizeof msg, reply, sizeof reply);
		MsgSendPulse_r(coid, 10, 5, 77);
		/* A fuzzed ConnectDetach or ChannelDestroy may have hit the
		 * traffic connection: its sends fail at once from then on, and
		 * two senders spinning above the fuzzers' priority would keep
		 * them off a machine of one or two harts. */
		pace(start, r < 0 && r != -ETIMEDOUT ? 1000000 : 0);
	}
	return 0;
}

/* Maps and unmaps the churn pages: a pointer into one may become bad while
 * the kernel copies through it.  Out pointers write the kernel's answers into
 * CHURN_PAGE, and eight of those bytes at a random offset can read as an
 * event (SIGEV_SIGNAL, SIGSTOP: any answer with a 1 beside a 23 would do)
 * that defuse_event never saw, since it is not in kfuzz's scratch, and that
 * would stop kfuzz for good.  So events churn in a page of their own that
 * nothing can write: read-only zeros, SIGEV_NONE wherever one points. */
static void *churner(void *p)
{
	(void)p;
	block_kept();
	while (!__atomic_load_n(&run_done, __ATOMIC_RELAXED)) {
		uint64_t start = cpu_ns();
		AsMap_r(AS_SELF, CHURN_PAGE, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0);
		AsMap_r(AS_SELF, CHURN_EVENT_PAGE, 4096, PROT_READ, AS_MAP_ANON, 0);
		pace(start, 100000);    /* never a yield: it outranks the fuzzers on its hart */
		start = cpu_ns();
		AsUnmap_r(AS_SELF, CHURN_PAGE, 2 * 4096);
		pace(start, 100000);
	}
	return 0;
}

/* Starts a forkee and learns its thread from the message it sends. */
static void start_forkee(void)
{
	struct _proc_start st = { .entry = CHILD_CODE_VA + (uint64_t)(fz_forkee - fz_child),
				  .argc = (uint64_t)own_pid, .argv = (uint64_t)fork_chid };
	struct _msg_info info;
	int as = child_space();

	if (as <= 0)
		return;
	int pid = ProcessStart_r(as, &st);
	if (pid <= 0) {
		AsDestroy_r(as);
		return;
	}
	uint64_t ns = 1000000000;
	TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_RECEIVE, 0, &ns, 0);
	int rcvid = MsgReceive_r(fork_chid, 0, 0, &info);
	if (rcvid > 0 && info.pid == pid) {
		__atomic_store_n(&forkee_tid, info.tid, __ATOMIC_RELAXED);
		__atomic_store_n(&forkee_pid, pid, __ATOMIC_RELEASE);
	} else {                /* it went before it sent: reaped at the end */
		SignalKill_r(pid, 0, SIGKILL, 0, 0);
	}
}

/* Keeps a forkee: a new one whenever the last has ended (exec'd into child
 * code, killed, answered).  It asks by thread (signal 0 to the forkee's
 * thread), never by waiting: a fuzzed ProcessWait may have reaped the
 * forkee and its pid may now name a via_child child, whose end is not the
 * keeper's to take; a thread id never names another thread.  Ended forkees
 * are reaped by fuzzed waits or at the end (reap_children). */
static void *keeper(void *p)
{
	(void)p;
	block_kept();
	while (!__atomic_load_n(&run_done, __ATOMIC_RELAXED)) {
		uint64_t start = cpu_ns();
		int pid = __atomic_load_n(&forkee_pid, __ATOMIC_ACQUIRE);
		if (!pid) {
			start_forkee();
		} else if (SignalKill_r(pid, forkee_tid, 0, 0, 0) == -ESRCH) {
			__atomic_store_n(&forkee_pid, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&forkee_tid, 0, __ATOMIC_RELAXED);
		}
		pace(start, 2000000);
	}
	int pid = __atomic_load_n(&forkee_pid, __ATOMIC_ACQUIRE);
	if (pid)
		SignalKill_r(pid, forkee_tid, SIGKILL, 0, 0);   /* reap_children reaps it */
	return 0;
}

/* ---- setup and report ------------------------------------------------------- */

/* The fixed pages pointers are drawn from: per fuzzer a page with a hole
 * after it, one read-only page of blanks.  Returns 0 or -errno. */
static int map_arena(int nf)
{
	static char blanks[4096];
	int r;

	for (int i = 0; i < nf; i++)
		if ((r = AsMap_r(AS_SELF, ARENA_BASE + (uint64_t)i * 2 * 4096, 4096,
				 PROT_READ | PROT_WRITE, AS_MAP_ANON, 0)))
			return r;
	memset(blanks, ' ', sizeof blanks);
	if ((r = AsMap_r(AS_SELF, RO_PAGE, 4096, PROT_READ, AS_MAP_ANON, 0)) ||
	    (r = AsWrite_r(AS_SELF, RO_PAGE, blanks, sizeof blanks)))
		return r;
	return 0;
}

static int start_helpers(void)
{
	int slot = FUZZERS_MAX, tid, senders = 0;

	for (int i = 0; i < SERVERS; i++) {
		server_chid[i] = ChannelCreate_r(0);
		server_coid[i] = ConnectAttach_r(ND_LOCAL_NODE, 0, server_chid[i], 0, 0);
		if (server_chid[i] <= 0 || server_coid[i] < 0)
			return -1;
		if ((tid = urt_thread_create(server, (void *)(long)i, stacks[slot++],
					     sizeof stacks[0], 12)) <= 0)
			return -1;
		protect_tid(tid);
	}
	traffic_chid = ChannelCreate_r(0);
	traffic_coid = ConnectAttach_r(ND_LOCAL_NODE, 0, traffic_chid, 0, 0);
	if (traffic_chid <= 0 || traffic_coid < 0)
		return -1;
	fork_chid = ChannelCreate_r(0);
	if (fork_chid <= 0)
		return -1;
	void *(*const helpers[HELPERS])(void *) = { signaller, churner, sender, sender, keeper };
	for (int i = 0; i < HELPERS; i++) {
		if ((tid = urt_thread_create(helpers[i], (void *)(long)traffic_coid, stacks[slot++],
					     sizeof stacks[0], 11)) <= 0)
			return -1;
		protect_tid(tid);
		if (helpers[i] == sender)       /* a sender's rcvid is its tid */
			sender_tid[senders++] = tid;
	}
	return 0;
}

static const char *errno_name(unsigned e)
{
	static const char *const names[ERR_SLOTS] = {
		[0] = "E_RANGE", [EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH",
		[EINTR] = "EINTR", [EIO] = "EIO", [E2BIG] = "E2BIG", [EBADF] = "EBADF",
		[ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST", [EINVAL] = "EINVAL", [ENFILE] = "ENFILE",
		[EMFILE] = "EMFILE", [ENOSPC] = "ENOSPC", [EDEADLK] = "EDEADLK",
		[ENOTSUP] = "ENOTSUP", [ENOSYS] = "ENOSYS", [ENOTCONN] = "ENOTCONN",
		[ETIMEDOUT] = "ETIMEDOUT", [ESRVRFAULT] = "ESRVRFAULT",
		[EOWNERDEAD] = "EOWNERDEAD",
	};
	static char other[16];

	if (names[e])
		return names[e];
	snprintf(other, sizeof other, "E%u", e);
	return other;
}

/* One line per call; returns the totals through ok and err. */
static void report(unsigned long *ok, unsigned long *err)
{
	for (int n = 0; n < KCALL_COUNT; n++) {
		char line[512];
		int len = snprintf(line, sizeof line, "kfuzz: %s ok %u", call_name[n], ok_count[n]);
		*ok += ok_count[n];
		for (unsigned e = 0; e < ERR_SLOTS; e++)
			if (err_count[n][e]) {
				len += snprintf(line + len, sizeof line - (size_t)len, " %s %u",
						errno_name(e), err_count[n][e]);
				*err += err_count[n][e];
			}
		puts(line);
	}
}

/* Waits until every fuzzer has finished; if none makes progress for
 * STALL_S seconds, says which call each fuzzer is in and returns -1. */
#define STALL_S 20
static long progress(void)
{
	return __atomic_load_n(&calls_left, __ATOMIC_RELAXED) -
	       __atomic_load_n(&fuzzers_done, __ATOMIC_RELAXED);
}

static void say_own(void);

/* The arguments of the call fuzzer f is in, and for a sync call the word
 * its sync argument names when that lies in kfuzz's own pool or scratch
 * (a condvar's relock waits for whoever that word says holds it). */
static void say_args(const struct fuzzer *f)
{
	long n = f->current;

	printf("kfuzz:   fuzzer %d's %s(0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx)\n", f->index,
	       call_name[n], f->args[0], f->args[1], f->args[2], f->args[3], f->args[4],
	       f->args[5]);
	for (int i = 0; i < 2; i++) {
		const char *w = (const char *)f->args[i];
		bool ours = (w >= (const char *)sync_pool && w < (const char *)&sync_pool[SYNC_POOL]);
		for (int k = 0; k < FUZZERS_MAX && !ours; k++)
			ours = w >= fuzzers[k].scratch &&
			       w + sizeof(sync_t) <= fuzzers[k].scratch + sizeof fuzzers[k].scratch;
		if (ours && ((uintptr_t)w & 3) == 0) {
			const sync_t *sy = (const sync_t *)(const void *)w;
			printf("kfuzz:   argument %d's word: owner 0x%x, count 0x%x\n", i,
			       (unsigned)sy->__owner, (unsigned)sy->__count);
		}
	}
}

static void say_others(bool kill);

static int watch(int nf)
{
	long last = progress();
	int still = 0;

	for (unsigned s = 1; __atomic_load_n(&fuzzers_done, __ATOMIC_ACQUIRE) < nf; s++) {
		sleep_ns(1000000000ul);
		long now = progress(), left = calls_left;
		if (s % 10 == 0)        /* a sign of life for whoever watches the console */
			printf("kfuzz: %ld calls left after %u s\n", left > 0 ? left : 0, s);
		still = now == last ? still + 1 : 0;
		last = now;
		if (still < STALL_S)
			continue;
		printf("kfuzz: stalled: no progress for %d s, %ld calls left\n", STALL_S,
		       left > 0 ? left : 0);
		for (int i = 0; i < nf; i++)
			printf("kfuzz: fuzzer %d (tid %u) is in %s, waiting for child %d (gate %d)\n",
			       i, fuzzers[i].tid, fuzzers[i].current < 0 ? "no call"
			       : call_name[fuzzers[i].current], fuzzers[i].child, reap_gate);
		for (int i = 0; i < nf; i++)
			if (fuzzers[i].current >= 0)
				say_args(&fuzzers[i]);
		say_own();
		say_others(false);      /* a child spinning above the fuzzers' priority? */
		return -1;
	}
	return 0;
}

/* What kfuzz's own threads are doing, as the kernel says (STATE_*,
 * <keel/thread.h>), and who holds each sync word of the pool, as the word
 * says (a mutex's owner tid, with _NTO_SYNC_WAITING while threads wait): a
 * stall's report.  A fuzzer waiting in a condvar's relock names the word. */
static void say_own(void)
{
	struct _thread_stats ts;

	for (uint32_t from = 0; SysInfo_r(_SYSINFO_THREAD, from, &ts, sizeof ts) > 0;
	     from = ts.slot + 1)
		if (ts.pid == own_pid)
			printf("kfuzz:   own tid %d (%.16s) in state %u at priority %u (policy %u), "
			       "%lu ms run\n", ts.tid, ts.name, ts.state, ts.prio, ts.policy,
			       (unsigned long)(ts.cpu_ns / 1000000));
	for (int i = 0; i < SYNC_POOL; i++)
		printf("kfuzz:   sync pool %d: owner word 0x%x, count 0x%x\n", i,
		       (unsigned)__atomic_load_n(&sync_pool[i].__owner, __ATOMIC_RELAXED),
		       (unsigned)__atomic_load_n(&sync_pool[i].__count, __ATOMIC_RELAXED));
}

/* What the threads of processes other than kfuzz do: a stuck child's
 * report; with kill, each of those processes also gets SIGKILL. */
static void say_others(bool kill)
{
	struct _thread_stats ts;

	for (uint32_t from = 0; SysInfo_r(_SYSINFO_THREAD, from, &ts, sizeof ts) > 0;
	     from = ts.slot + 1) {
		if (ts.pid == own_pid || ts.pid <= 1)
			continue;
		printf("kfuzz:   pid %d tid %d %s at priority %u (policy %u), %lu ms run\n", ts.pid,
		       ts.tid, thread_state_name(ts.state), ts.prio, ts.policy,
		       (unsigned long)(ts.cpu_ns / 1000000));
		if (kill)
			SignalKill_r(ts.pid, 0, SIGKILL, SI_USER, 0);
	}
}

/* Reaps what fuzzed ProcessStarts left running.  Their random code may
 * loop, and a random SIGSTOP may have stopped them: what has not ended
 * after 5 s is said and killed (SIGKILL).  Returns how many waits of 5 s
 * after that still saw one running: a process SIGKILL does not end is the
 * kernel's failure. */
static int reap_children(void)
{
	int stuck = 0;
	bool killed = false;

	for (;;) {
		uint64_t ns = 5000000000ul;
		struct _proc_exit ex;
		TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_JOIN, 0, &ns, 0);
		int r = ProcessWait_r(-1, &ex, 0);
		if (r == -ETIMEDOUT) {
			printf("kfuzz: a child of a fuzzed ProcessStart is still running after 5 s%s\n",
			       killed ? " and SIGKILL" : "; killing what is left");
			say_others(!killed);
			if (killed && ++stuck > 2)
				return stuck;
			killed = true;
			continue;
		}
		if (r <= 0)
			return stuck;
	}
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	uint64_t seed = argc > 1 ? strtoul(argv[1], 0, 0) : 1;
	long n = argc > 2 ? strtol(argv[2], 0, 0) : 10000;
	int nf = argc > 3 ? (int)strtol(argv[3], 0, 0) : 4;
	int tid[FUZZERS_MAX];
	struct _client_info me;

	if (nf < 1 || nf > FUZZERS_MAX || !seed || n < 0)
		return 2;
	pools_init();
	if (ignore_signals() || block_kept() || ConnectClientInfo_r(-1, &me, 0) < 0 || map_arena(nf) ||
	    SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &fz_victim_sem, 0) < 0 ||
	    SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &gate_mutex, 0) < 0 ||
	    SyncTypeCreate_r(_NTO_SYNC_TYPE_COND, &gate_cond, 0) < 0)
		return 3;
	own_pid = me.pid;
	protect_tid(me.tid);
	if (start_helpers())
		return 3;
	calls_left = n;
	for (int i = 0; i < nf; i++) {
		fuzzers[i].rng = seed * 2654435761u + (uint64_t)i + 1;
		fuzzers[i].index = i;
		fuzzers[i].current = -1;
		tid[i] = urt_thread_create(fuzzer, &fuzzers[i], stacks[i], sizeof stacks[i], 10);
		if (tid[i] <= 0)
			return 4;
		protect_tid(tid[i]);
	}
	/* The watch outranks every kfuzz thread (servers 12, helpers 11,
	 * fuzzers 10): whatever spins, the signs of life and a stall's report
	 * still come.  It sleeps but for a moment a second. */
	struct sched_param sp;
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = 13;
	if (SchedSet_r(0, 0, SCHED_NOCHANGE, &sp))
		return 3;
	if (watch(nf))
		return 6;
	for (int i = 0; i < nf; i++)
		if (ThreadJoin_r(tid[i], 0))
			return 4;
	run_done = 1;
	int stuck = reap_children();
	unsigned long ok = 0, err = 0;
	printf("\n");                   /* ends a line fuzzed console text may have begun */
	report(&ok, &err);
	printf("kfuzz: seed %lu, %ld calls from %d threads: %lu ok, %lu errors, %u unknown\n",
	       (unsigned long)seed, n, nf, ok, err, unknown_count);
	printf("kfuzz: %u child calls redone (their space was broken by another fuzzer)\n",
	       children_disturbed);
	if (unknown_odd) {
		printf("kfuzz: %u calls past the table did not fail ENOSYS\n", unknown_odd);
		return 5;
	}
	if (stuck)
		return 7;
	if (device_maps)
		return 8;
	return 0;
}
