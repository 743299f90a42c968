/* kfuzz SEED N [THREADS]: N kernel calls with random numbers and random
 * arguments (valid ids mixed with garbage) from several threads, while
 * server threads keep receiving and replying so that sends complete.
 * Calls that would end the program or block forever by design (ProcessExit,
 * ThreadDestroy, ThreadJoin, receives on the fuzzers' own channels) are
 * left out.  Ends with one summary line; the kernel must survive it. */
#include <keel/kcall.h>
#include <keel/msg.h>
#include "urt.h"

#define FUZZERS_MAX 8
#define SERVERS     2

static volatile long calls_left;
static volatile unsigned long per_result[4];    /* ok, error, unknown, left out */
static int server_chid[SERVERS], server_coid[SERVERS];
static char stacks[FUZZERS_MAX + SERVERS][16384] __attribute__((aligned(16)));

static uint64_t next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static long kcall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r0 __asm__("a0") = a0, r1 __asm__("a1") = a1, r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3, r4 __asm__("a4") = a4, r5 __asm__("a5") = a5;
	register long r7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(r0) : "r"(r1), "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r7)
			 : "memory");
	return r0;
}

/* An argument: a valid id or buffer most of the time, garbage otherwise. */
static long arg(uint64_t *s, void *buf)
{
	switch (next(s) % 10) {
	case 0: return 0;
	case 1: return -1;
	case 2: return (long)(next(s) % 64);
	case 3: return server_coid[next(s) % SERVERS];
	case 4: return server_chid[next(s) % SERVERS];
	case 5: return (long)buf;
	case 6: return (long)0xffffffff80000000ul;        /* kernel memory */
	case 7: return (long)(next(s) & 0xfffffffffffful); /* anywhere in the user half or past it */
	case 8: return 1;
	default: return (long)next(s);
	}
}

static bool excluded(long n)
{
	return n == KCALL_ProcessExit || n == KCALL_ThreadDestroy || n == KCALL_ThreadJoin ||
	       n == KCALL_MsgReceivev || n == KCALL_MsgReceivePulsev ||
	       n == KCALL_ChannelDestroy || n == KCALL_ConnectDetach ||
	       n == KCALL_ThreadCreate || n == KCALL_SyncMutexLock || n == KCALL_SyncCondvarWait ||
	       n == KCALL_SyncSemWait || n == KCALL_TimerTimeout ||
	       /* a random handler or frame jumps anywhere; the waits block */
	       n == KCALL_SignalAction || n == KCALL_SignalReturn ||
	       n == KCALL_SignalSuspend || n == KCALL_SignalWaitinfo;
}

static void *fuzzer(void *p)
{
	uint64_t s = (uint64_t)p;
	iov_t iov[2];
	char buf[64];

	while (__atomic_sub_fetch(&calls_left, 1, __ATOMIC_RELAXED) >= 0) {
		long n = (long)(next(&s) % (KCALL_COUNT + 4));
		if (excluded(n)) {
			__atomic_add_fetch(&per_result[3], 1, __ATOMIC_RELAXED);
			continue;
		}
		SETIOV(&iov[0], buf, next(&s) % sizeof buf);
		SETIOV(&iov[1], buf, next(&s) % sizeof buf);
		void *b = next(&s) & 1 ? (void *)iov : (void *)buf;
		long a0 = arg(&s, b), a1 = arg(&s, b), a2 = arg(&s, b) & 3, a3 = arg(&s, b);
		long a4 = arg(&s, b) & 3, a5 = arg(&s, b);
		if (n == KCALL_MsgSendv || n == KCALL_MsgSendvs || n == KCALL_MsgSendsv) {
			a0 = server_coid[next(&s) % SERVERS];   /* someone will reply */
			a1 = (long)iov;
		}
		if (n == KCALL_DebugPutString)
			a1 = 0;                                 /* keep the console readable */
		long r = kcall6(n, a0, a1, a2, a3, a4, a5);
		__atomic_add_fetch(&per_result[r >= 0 ? 0 : r == -ENOSYS ? 2 : 1], 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static void *server(void *p)
{
	long i = (long)p;
	char buf[64];

	for (;;) {
		int rcvid = MsgReceive_r(server_chid[i], buf, sizeof buf, 0);
		if (rcvid > 0)
			MsgReply_r(rcvid, rcvid & 7, buf, (size_t)(rcvid & 63));
	}
	return 0;
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	uint64_t seed = argc > 1 ? strtoul(argv[1], 0, 0) : 1;
	long n = argc > 2 ? strtol(argv[2], 0, 0) : 10000;
	int nf = argc > 3 ? (int)strtol(argv[3], 0, 0) : 4;
	int tid[FUZZERS_MAX];

	if (nf < 1 || nf > FUZZERS_MAX || !seed)
		return 2;
	for (int i = 0; i < SERVERS; i++) {
		server_chid[i] = ChannelCreate_r(0);
		server_coid[i] = ConnectAttach_r(ND_LOCAL_NODE, 0, server_chid[i], 0, 0);
		if (server_chid[i] <= 0 || server_coid[i] < 0 ||
		    urt_thread_create(server, (void *)(long)i, stacks[FUZZERS_MAX + i],
				      sizeof stacks[0], 12) <= 0)
			return 3;
	}
	/* SignalKill is fuzzed with signals 0..3 (its signo is masked like a2):
	 * ignored here, they cannot end the fuzzer itself. */
	struct sigaction ign;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	for (int sig = 1; sig <= 3; sig++)
		if (SignalAction_r(0, 0, sig, &ign, 0))
			return 5;
	calls_left = n;
	for (int i = 0; i < nf; i++)
		tid[i] = urt_thread_create(fuzzer, (void *)(seed * 2654435761u + (uint64_t)i + 1),
					   stacks[i], sizeof stacks[i], 10);
	for (int i = 0; i < nf; i++)
		if (tid[i] <= 0 || ThreadJoin_r(tid[i], 0))
			return 4;
	printf("kfuzz: seed %lu, %ld calls from %d threads: %lu ok, %lu errors, %lu unknown, "
	       "%lu left out\n", (unsigned long)seed, n, nf, per_result[0], per_result[1],
	       per_result[2], per_result[3]);
	return 0;
}
