/* kbench: guest instructions per kernel operation, read from the instret
 * counter (deterministic under QEMU -icount shift=0,sleep=off).  Run as
 * init=/bin/kbench, best with -smp 1 so client and server share a hart. */
#include <keel/msg.h>
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
	printf("kbench: %-36s %8lu instructions/op  (%ld ops)\n", what,
	       (unsigned long)(total / (uint64_t)ops), ops);
}

static int chid, coid;
static volatile int server_size;
static char sbuf[4096], cbuf[4096];
static char stack[16384] __attribute__((aligned(16)));

static void *server(void *arg)
{
	(void)arg;
	for (;;) {
		int rcvid = MsgReceive_r(chid, sbuf, sizeof sbuf, 0);
		if (rcvid > 0)
			MsgReply_r(rcvid, 0, sbuf, (size_t)server_size);
	}
	return 0;
}

static void round_trip(const char *what, int size)
{
	server_size = size;
	MsgSend_r(coid, cbuf, (size_t)size, cbuf, (size_t)size);       /* warm up */
	uint64_t t0 = instret();
	for (int i = 0; i < ROUNDS; i++)
		MsgSend_r(coid, cbuf, (size_t)size, cbuf, (size_t)size);
	report(what, instret() - t0, ROUNDS);
}

static void *nothing(void *arg)
{
	return arg;
}

int main(int argc, char **argv, char **envp)
{
	(void)argc; (void)argv; (void)envp;
	static char tstack[8192] __attribute__((aligned(16)));
	uint64_t t0 = instret();

	for (int i = 0; i < ROUNDS; i++)
		KernelNop_r();
	report("null kernel call", instret() - t0, ROUNDS);

	chid = ChannelCreate_r(0);
	coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	if (chid <= 0 || coid < 0 || urt_thread_create(server, 0, stack, sizeof stack, 10) <= 0)
		return 1;
	round_trip("MsgSend/Receive/Reply 0 bytes", 0);
	round_trip("MsgSend/Receive/Reply 64 bytes", 64);
	round_trip("MsgSend/Receive/Reply 4096 bytes", 4096);

	int pchid = ChannelCreate_r(0);
	int pcoid = ConnectAttach_r(ND_LOCAL_NODE, 0, pchid, 0, 0);
	struct _pulse p;
	t0 = instret();
	for (int i = 0; i < ROUNDS; i++) {
		MsgSendPulse_r(pcoid, 10, 1, i);
		MsgReceive_r(pchid, &p, sizeof p, 0);
	}
	report("pulse send + receive", instret() - t0, ROUNDS);

	t0 = instret();
	for (int i = 0; i < 200; i++) {
		int tid = urt_thread_create(nothing, 0, tstack, sizeof tstack, 10);
		ThreadJoin_r(tid, 0);
	}
	report("thread create + join", instret() - t0, 200);
	printf("kbench: done\n");
	return 0;
}
