/* kbench: guest instructions per kernel operation, read from the instret
 * counter (deterministic under QEMU -icount shift=0,sleep=off).
 *
 *   init=/bin/kbench          on one hart: client and server share it
 *   init=/bin/kbench cross    on two harts: the server runs on the other one
 *
 * instret counts one hart.  Across harts a round trip costs instructions on
 * both, so the cross-hart figure adds the server hart's count (read by the
 * server at each receive) to the client's. */
#include <keel/msg.h>
#include <keel/sync.h>
#include "urt.h"

#define ROUNDS 2000

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
static volatile uint64_t server_instret;        /* the server hart's count at its last receive */
static char sbuf[4096], cbuf[4096];
static char stack[16384] __attribute__((aligned(16)));
static char low_stack[16384] __attribute__((aligned(16)));
static char tstack[8192] __attribute__((aligned(16)));

static void *server(void *arg)
{
	int chid = (int)(long)arg;

	for (;;) {
		int rcvid = MsgReceive_r(chid, sbuf, sizeof sbuf, 0);
		server_instret = instret();
		if (rcvid > 0)
			MsgReply_r(rcvid, 0, sbuf, (size_t)server_size);
	}
	return 0;
}

static void round_trip(int co, int size, const char *more)
{
	char what[80];

	server_size = size;
	MsgSend_r(co, cbuf, (size_t)size, cbuf, (size_t)size);         /* warm up */
	uint64_t s0 = server_instret, t0 = instret();
	for (int i = 0; i < ROUNDS; i++)
		MsgSend_r(co, cbuf, (size_t)size, cbuf, (size_t)size);
	uint64_t total = instret() - t0;
	if (cross)
		total += server_instret - s0;   /* ROUNDS receives after the warm-up's */
	snprintf(what, sizeof what, "MsgSend/Receive/Reply %s %d bytes%s",
		 cross ? "cross-hart" : "same hart", size, more);
	report(what, total, ROUNDS);
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

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	cross = argc > 1 && strcmp(argv[1], "cross") == 0;
	uint64_t t0 = instret();

	for (int i = 0; i < ROUNDS; i++)
		KernelNop_r();
	report("null kernel call", instret() - t0, ROUNDS);

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
	struct _pulse p;
	t0 = instret();
	for (int i = 0; i < ROUNDS; i++) {
		MsgSendPulse_r(pcoid, 10, 1, i);
		MsgReceive_r(pchid, &p, sizeof p, 0);
	}
	report("pulse send + receive", instret() - t0, ROUNDS);

	if (cross) {
		/* The rest is measured on one hart.  Under -icount the harts take
		 * turns of up to a timer deadline's worth of instructions, so a
		 * hart that spins for another (a TLB shootdown for a new thread's
		 * stack) counts the other's whole turn. */
		printf("kbench: done\n");
		return 0;
	}
	mutexes();
	t0 = instret();
	for (int i = 0; i < 200; i++) {
		int tid = urt_thread_create(nothing, 0, tstack, sizeof tstack, 10);
		ThreadJoin_r(tid, 0);
	}
	report("thread create + join", instret() - t0, 200);
	printf("kbench: done\n");
	return 0;
}
