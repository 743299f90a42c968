/* kbench: guest instructions per kernel operation, read from the instret
 * counter (deterministic under QEMU -icount shift=0,sleep=off).
 *
 *   init=/bin/kbench          on one hart: client and server share it
 *   init=/bin/kbench cross    on two harts: the client is pinned to hart 0,
 *                             the server to hart 1 (ThreadCtl's run mask)
 *   init=/bin/kbench profile  on one hart, for os/utils/kbench/profile.py:
 *                             PROFILE_OPS of each operation between calls of
 *                             profile_begin() and profile_end(), whose
 *                             addresses mark the windows in QEMU's
 *                             instruction trace
 *
 * Under -icount instret is one machine-wide count: every hart's
 * instructions.  On one hart a figure is the total over ROUNDS operations
 * divided by ROUNDS.  Across harts the harts take turns, each up to the next
 * timer deadline or until it waits in wfi (with idle=poll an idle hart spins
 * through its turn instead); a stretch of operations that a turn change cuts
 * into counts the other hart's whole turn.  So there every figure is the cheapest of
 * BATCHES batches of ROUNDS/BATCHES operations: for a round trip, both
 * harts' instructions (client, server, the kernel on each, the IPIs and the
 * waiting hart's idle loop) while a batch ran.  That the server really ran
 * on the other hart shows in hart 1's switch count (SysInfo), printed with
 * each cross-hart round trip. */
#include <keel/msg.h>
#include <keel/sync.h>
#include <keel/sysinfo.h>
#include <keel/thread.h>
#include "urt.h"

#define ROUNDS 2000
#define BATCHES 20

static uint64_t instret(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

static void report(const char *what, uint64_t total, long ops)
{
	printf("kbench: %-40s %8lu instructions/op  (%ld ops)\n", what,
	       (unsigned long)(total / (uint64_t)ops), ops);
}

static int coid, low_coid;
static bool cross;
static volatile int server_size;
static char sbuf[4096], cbuf[4096];
static char stack[16384] __attribute__((aligned(16)));
static char low_stack[16384] __attribute__((aligned(16)));
static char tstack[8192] __attribute__((aligned(16)));

/* Switches on hart `hart` since boot (0 if there is no such hart). */
static uint64_t switches_on(unsigned hart)
{
	struct _hart_stats hs;

	return SysInfo_r(_SYSINFO_HART, hart, &hs, sizeof hs) == (long)sizeof hs ? hs.switches : 0;
}

static void *server(void *arg)
{
	int chid = (int)(long)arg;

	if (cross && ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)(1ul << 1)) != 0)
		printf("kbench: the server cannot be pinned to hart 1\n");

	/* As a resmgr loop serves: each reply goes with the next receive. */
	int rcvid = MsgReceive_r(chid, sbuf, sizeof sbuf, 0);
	for (;;) {
		if (rcvid > 0)
			rcvid = MsgReplyReceive_r(rcvid, 0, sbuf, (size_t)server_size, chid, sbuf,
						  sizeof sbuf, 0);
		else
			rcvid = MsgReceive_r(chid, sbuf, sizeof sbuf, 0);
	}
	return 0;
}

/* The figure for ROUNDS calls of op(arg): see the top of the file. */
static void measure(const char *what, void (*op)(long), long arg)
{
	int batches = cross ? BATCHES : 1;
	long per = ROUNDS / batches;
	uint64_t best = UINT64_MAX;

	for (int b = 0; b < batches; b++) {
		uint64_t t0 = instret();
		for (long i = 0; i < per; i++)
			op(arg);
		uint64_t t = instret() - t0;
		if (t < best)
			best = t;
	}
	report(what, best, per);
}

static void nop(long unused)
{
	(void)unused;
	KernelNop_r();
}

static int pulse_ch, pulse_co;

static void pulse(long i)
{
	struct _pulse p;

	MsgSendPulse_r(pulse_co, 10, 1, (int)i);
	MsgReceive_r(pulse_ch, &p, sizeof p, 0);
}

static int trip_co, trip_size;

static void trip(long unused)
{
	(void)unused;
	MsgSend_r(trip_co, cbuf, (size_t)trip_size, cbuf, (size_t)trip_size);
}

static void round_trip(int co, int size, const char *more)
{
	char what[80];

	server_size = size;
	trip_co = co;
	trip_size = size;
	trip(0);        /* warm up */
	snprintf(what, sizeof what, "MsgSend/Receive/Reply %s %d bytes%s",
		 cross ? "cross-hart" : "same hart", size, more);
	uint64_t sw = switches_on(1);
	measure(what, trip, 0);
	if (cross)
		printf("kbench: %s: the server's hart 1 switched %lu times in %d round trips\n",
		       what, (unsigned long)(switches_on(1) - sw), ROUNDS);
}

/* A server below its client's priority: the reply switches to the client
 * at once (the server at the client's priority until it replies). */
static int low_server(void)
{
	int chid = ChannelCreate_r(0);

	low_coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	if (chid <= 0 || low_coid < 0 ||
	    urt_thread_create(server, (void *)(long)chid, low_stack, sizeof low_stack, 5) <= 0)
		return -1;
	round_trip(low_coid, 0, ", server lower");
	return 0;
}

static void *nothing(void *arg)
{
	return arg;
}

static sync_t mutex;

/* Two threads take turns: lock, yield, unlock, yield.  On one hart every
 * lock finds the mutex held by the other thread, so each round has two
 * contended locks (the kernel blocks the caller) and two unlocks that hand
 * the mutex to a waiter.  yield_turns is the same loop without the mutex. */
static void *mutex_turns(void *arg)
{
	uint32_t me = urt_tid();

	for (int i = 0; i < ROUNDS; i++) {
		urt_mutex_lock(&mutex, me);
		SchedYield_r();
		urt_mutex_unlock(&mutex, me);
		SchedYield_r();
	}
	return arg;
}

static void *yield_turns(void *arg)
{
	for (int i = 0; i < ROUNDS; i++) {
		SchedYield_r();
		SchedYield_r();
	}
	return arg;
}

static void turns(const char *what, void *(*fn)(void *))
{
	uint64_t t0 = instret();
	int tid = urt_thread_create(fn, 0, tstack, sizeof tstack, 0);

	fn(0);
	ThreadJoin_r(tid, 0);
	report(what, instret() - t0, ROUNDS);
}

static void mutexes(void)
{
	uint32_t me = urt_tid();
	uint64_t t0 = instret();

	SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &mutex, 0);
	for (int i = 0; i < ROUNDS; i++) {
		urt_mutex_lock(&mutex, me);
		urt_mutex_unlock(&mutex, me);
	}
	report("SyncMutex lock+unlock uncontended", instret() - t0, ROUNDS);
	turns("yield turns (2 threads, 2 yields each)", yield_turns);
	turns("SyncMutex turns (same + 2 contended)", mutex_turns);
}

#define PROFILE_OPS 100

/* The window markers: never inlined, so each has an address of its own. */
__attribute__((noinline)) void profile_begin(const char *what)
{
	__asm__ volatile("" : : "r"(what) : "memory");
}

__attribute__((noinline)) void profile_end(void)
{
	__asm__ volatile("" : : : "memory");
}

static void profile_window(const char *what, void (*op)(long), long arg)
{
	for (int i = 0; i < 10; i++)    /* warm: every path taken once before */
		op(arg);
	printf("kbench: profile window: %s, %d ops\n", what, PROFILE_OPS);
	profile_begin(what);
	for (int i = 0; i < PROFILE_OPS; i++)
		op(arg);
	profile_end();
}

/* The other thread of the yield window: yields until the program ends. */
static void *yield_forever(void *arg)
{
	for (;;)
		SchedYield_r();
	return arg;
}

static void yields(long arg)
{
	(void)arg;
	SchedYield_r();
	SchedYield_r();
}

static int profile(void)
{
	int chid = ChannelCreate_r(0);
	coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	if (chid <= 0 || coid < 0 ||
	    urt_thread_create(server, (void *)(long)chid, stack, sizeof stack, 10) <= 0)
		return 1;
	profile_window("null kernel call", nop, 0);
	server_size = 0;
	trip_co = coid;
	trip_size = 0;
	profile_window("MsgSend/Receive/Reply same hart 0 bytes", trip, 0);
	int pchid = ChannelCreate_r(0);
	pulse_ch = pchid;
	pulse_co = ConnectAttach_r(ND_LOCAL_NODE, 0, pchid, 0, 0);
	profile_window("pulse send + receive", pulse, 0);
	if (urt_thread_create(yield_forever, 0, tstack, sizeof tstack, 0) <= 0)
		return 1;
	profile_window("yield turns (2 threads, 2 yields each)", yields, 0);
	printf("kbench: done\n");
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc > 1 && strcmp(argv[1], "profile") == 0)
		return profile();
	cross = argc > 1 && strcmp(argv[1], "cross") == 0;
	if (cross) {
		printf("kbench: across harts every figure is the cheapest of %d batches of %d\n",
		       BATCHES, ROUNDS / BATCHES);
		if (ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)1ul) != 0)
			printf("kbench: the client cannot be pinned to hart 0\n");
	}
	measure("null kernel call", nop, 0);

	int chid = ChannelCreate_r(0);
	coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	if (chid <= 0 || coid < 0 ||
	    urt_thread_create(server, (void *)(long)chid, stack, sizeof stack, 10) <= 0)
		return 1;
	round_trip(coid, 0, "");
	round_trip(coid, 64, "");
	round_trip(coid, 4096, "");
	if (low_server())
		return 1;

	int pchid = ChannelCreate_r(0);
	int pcoid = ConnectAttach_r(ND_LOCAL_NODE, 0, pchid, 0, 0);
	pulse_ch = pchid;
	pulse_co = pcoid;
	measure("pulse send + receive", pulse, 0);

	if (cross) {
		/* The rest is measured on one hart: a thread create's TLB
		 * shootdown spins for the other hart's turn, every time. */
		printf("kbench: done\n");
		return 0;
	}
	mutexes();
	uint64_t t0 = instret();
	for (int i = 0; i < 200; i++) {
		int tid = urt_thread_create(nothing, 0, tstack, sizeof tstack, 10);
		ThreadJoin_r(tid, 0);
	}
	report("thread create + join", instret() - t0, 200);
	printf("kbench: done\n");
	return 0;
}
