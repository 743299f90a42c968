/* ktest-user: the kernel calls seen from user mode, as KTAP.  Run as the
 * first process: init=/bin/ktest-user.  With the argument `fault` it ends
 * by reading a kernel address, which must kill it with a report; with
 * `childfault` it also starts a child that faults and checks the report
 * its parent gets. */
#include <keel/msg.h>
#include <keel/clock.h>
#include <keel/kcall.h>
#include <keel/procmgr.h>
#include <keel/sync.h>
#include "ktap.h"
#include "urt.h"

#define KERNEL_ADDR ((void *)0xffffffff80000000ul)
#define UNMAPPED    ((void *)0x00000012345000ul)

static long raw_kcall(long n)
{
	register long a0 __asm__("a0") = 0;
	register long a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
	return a0;
}

static void t_null_call(void)
{
	KTAP_EQ(KernelNop_r(), 0);
}

static void t_unknown_call_enosys(void)
{
	KTAP_EQ(raw_kcall(999), -ENOSYS);
	KTAP_EQ(raw_kcall(-1), -ENOSYS);
}

static void t_debug_string_bad_pointers(void)
{
	KTAP_EQ(DebugPutString_r(KERNEL_ADDR, 8), -EFAULT);
	KTAP_EQ(DebugPutString_r(UNMAPPED, 8), -EFAULT);
	KTAP_EQ(DebugPutString_r("x", (size_t)-1), -EINVAL);
	KTAP_EQ(DebugPutString_r("", 0), 0);
}

static void t_clock(void)
{
	uint64_t a = 0, b = 0;

	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, &a), 0);
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, &b), 0);
	KTAP_CHECK(b >= a && a > 0);
	KTAP_EQ(ClockTime_r(99, 0, &a), -EINVAL);
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(ClockTime(CLOCK_MONOTONIC, 0, UNMAPPED), -1);
	KTAP_EQ(errno, EFAULT);
}

static void t_channel_ids(void)
{
	int chid = ChannelCreate_r(0);

	KTAP_CHECK(chid > 0);
	KTAP_EQ(ChannelDestroy_r(chid), 0);
	KTAP_EQ(ChannelDestroy_r(chid), -EINVAL);
	KTAP_EQ(ChannelDestroy_r(-5), -EINVAL);
	KTAP_EQ(ChannelCreate_r(0x10), -EINVAL);                /* no such flag */
	KTAP_EQ(ChannelCreate_r(0x80000000u), -EINVAL);
}

static void t_connection_ids(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	int side = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);

	KTAP_CHECK(coid >= 0 && coid < _NTO_SIDE_CHANNEL);
	KTAP_CHECK(side & _NTO_SIDE_CHANNEL);
	KTAP_EQ(ConnectAttach_r(ND_LOCAL_NODE, 0, 77, 0, 0), -ESRCH);
	KTAP_EQ(ConnectAttach_r(ND_LOCAL_NODE, 4242, chid, 0, 0), -ESRCH);
	KTAP_EQ(ConnectDetach_r(coid), 0);
	KTAP_EQ(ConnectDetach_r(coid), -EINVAL);
	KTAP_EQ(ConnectDetach_r(side), 0);
	KTAP_EQ(ChannelDestroy_r(chid), 0);
}

/* ---- a server thread ------------------------------------------------------ */

struct server {
	int chid;
	int mode;               /* what to do with each message */
	volatile int done;
	struct _msg_info info;
	char last[64];
};

enum { SRV_ECHO_UPPER, SRV_ERROR, SRV_READ_TAIL, SRV_BIG_REPLY, SRV_INFO_WRITE };

static void *serve_one(void *arg)
{
	struct server *s = arg;
	char buf[16];
	int rcvid = MsgReceive_r(s->chid, buf, sizeof buf, &s->info);

	if (rcvid <= 0) {
		s->done = rcvid ? rcvid : -1;
		return 0;
	}
	memcpy(s->last, buf, sizeof buf);
	if (s->mode == SRV_ERROR) {
		MsgError(rcvid, EBUSY);
	} else if (s->mode == SRV_READ_TAIL) {
		char tail[8] = { 0 };
		long n = MsgRead_r(rcvid, tail, sizeof tail - 1, 20);
		MsgReply(rcvid, n, tail, sizeof tail);
	} else if (s->mode == SRV_INFO_WRITE) {
		struct _msg_info mi;
		long r = MsgInfo_r(rcvid, &mi);
		MsgWrite_r(rcvid, "WORLD", 5, 6);       /* into the reply buffer at 6 */
		MsgReply(rcvid, r == 0 ? mi.srcmsglen * 100 + mi.dstmsglen : r, "hello ", 6);
	} else if (s->mode == SRV_BIG_REPLY) {
		static const char big[] = "0123456789abcdefghijklmnopqrstuvwxyz";
		MsgReply(rcvid, 99, big, sizeof big);
	} else {
		for (int i = 0; i < (int)sizeof buf; i++)
			if (buf[i] >= 'a' && buf[i] <= 'z')
				buf[i] = (char)(buf[i] - 32);
		MsgReply(rcvid, 7, buf, sizeof buf);
	}
	s->done = 1;
	return 0;
}

static char stacks[4][8192] __attribute__((aligned(16)));

static int start_server(struct server *s, int mode, int stack)
{
	s->chid = ChannelCreate_r(0);
	s->mode = mode;
	s->done = 0;
	return urt_thread_create(serve_one, s, stacks[stack], sizeof stacks[stack], 10);
}

static int connect_to(struct server *s)
{
	return ConnectAttach_r(ND_LOCAL_NODE, 0, s->chid, 0, 0);
}

static void finish(struct server *s, int tid, int coid)
{
	ThreadJoin_r(tid, 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(s->chid);
}

static void t_send_receive_reply(void)
{
	static struct server s;
	char reply[16] = { 0 };
	int tid = start_server(&s, SRV_ECHO_UPPER, 0);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	long st = MsgSend_r(coid, "hello, keel", 12, reply, sizeof reply);
	KTAP_EQ(st, 7);
	KTAP_CHECK(!strcmp(reply, "HELLO, KEEL"));
	finish(&s, tid, coid);
	KTAP_EQ(s.done, 1);
	KTAP_EQ(s.info.msglen, 12);
	KTAP_EQ(s.info.srcmsglen, 12);
	KTAP_EQ(s.info.dstmsglen, 16);
	KTAP_EQ(s.info.coid, coid);
}

/* The server's 16-byte buffer takes only part of a 30-byte message; a
 * 37-byte reply is cut to the client's 10 bytes. */
static void t_truncation_both_ways(void)
{
	static struct server s;
	char reply[10];
	int tid = start_server(&s, SRV_BIG_REPLY, 1);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "abcdefghijklmnopqrstuvwxyz0123", 30, reply, sizeof reply), 99);
	KTAP_CHECK(!memcmp(reply, "0123456789", 10));
	finish(&s, tid, coid);
	KTAP_EQ(s.info.msglen, 16);
	KTAP_EQ(s.info.srcmsglen, 30);
	KTAP_CHECK(!memcmp(s.last, "abcdefghijklmnop", 16));
}

static void t_msg_error(void)
{
	static struct server s;
	int tid = start_server(&s, SRV_ERROR, 2);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "x", 1, 0, 0), -EBUSY);
	finish(&s, tid, coid);
}

static void t_msg_read_offset(void)
{
	static struct server s;
	char reply[8] = { 0 };
	int tid = start_server(&s, SRV_READ_TAIL, 3);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "....................TAIL", 24, reply, sizeof reply), 4);
	KTAP_CHECK(!strcmp(reply, "TAIL"));
	finish(&s, tid, coid);
}

static void t_msg_info_and_write(void)
{
	static struct server s;
	char reply[12] = { 0 };
	int tid = start_server(&s, SRV_INFO_WRITE, 0);
	int coid = connect_to(&s);

	KTAP_REQUIRE(tid > 0 && coid >= 0);
	KTAP_EQ(MsgSend_r(coid, "abc", 3, reply, 11), 3 * 100 + 11);
	KTAP_CHECK(!strcmp(reply, "hello WORLD"));
	finish(&s, tid, coid);
	KTAP_EQ(MsgInfo_r(tid, 0), -ESRCH);                             /* not a client */
}

static void t_sched_get_set(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof sp);
	int pol = SchedGet_r(0, 0, &sp);
	KTAP_CHECK(pol == SCHED_RR || pol == SCHED_FIFO || pol == SCHED_OTHER);
	int base = sp.sched_priority;
	sp.sched_priority = base + 3;
	KTAP_EQ(SchedSet_r(0, 0, SCHED_FIFO, &sp), 0);
	memset(&sp, 0, sizeof sp);
	KTAP_EQ(SchedGet_r(0, 0, &sp), SCHED_FIFO);
	KTAP_EQ(sp.sched_priority, base + 3);
	KTAP_EQ(sp.sched_curpriority, base + 3);
	sp.sched_priority = 0;
	KTAP_EQ(SchedSet_r(0, 0, SCHED_RR, &sp), -EINVAL);
	sp.sched_priority = base;
	KTAP_EQ(SchedSet_r(0, 0, 77, &sp), -EINVAL);
	KTAP_EQ(SchedSet_r(0, 0, pol, &sp), 0);
	KTAP_EQ(SchedGet_r(0, 0x7fff0003, &sp), -ESRCH);
	KTAP_EQ(SchedGet_r(4242, 0, &sp), -ESRCH);
	KTAP_EQ(SchedGet_r(0, 0, KERNEL_ADDR), -EFAULT);
}

static void t_client_info(void)
{
	struct _client_info ci;

	memset(&ci, 0xff, sizeof ci);
	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	KTAP_EQ(ci.pid > 1, 1);                 /* taskman (pid 1) started us */
	KTAP_EQ(ci.cred.euid, 0);
	KTAP_EQ(ConnectClientInfo_r(4242, &ci, 0), -ESRCH);
	KTAP_EQ(ConnectClientInfo_r(-1, KERNEL_ADDR, 0), -EFAULT);
}

/* ---- sync objects: user fast path, kernel slow path ----------------------------- */

static uint32_t my_tid(void)
{
	struct _client_info ci;

	return ConnectClientInfo_r(-1, &ci, 0) == 0 ? (uint32_t)ci.tid : 0;
}

static void mutex_lock(sync_t *m, uint32_t me)
{
	uint32_t free = 0;

	if (!__atomic_compare_exchange_n(&m->__owner, &free, me, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		SyncMutexLock_r(m);
}

static void mutex_unlock(sync_t *m, uint32_t me)
{
	uint32_t mine = me;

	if (!__atomic_compare_exchange_n(&m->__owner, &mine, 0, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		SyncMutexUnlock_r(m);           /* waiters: the kernel hands it over */
}

static sync_t counter_lock;
static volatile long counter;

static void *count_up(void *arg)
{
	uint32_t me = my_tid();

	for (int i = 0; i < 300; i++) {
		mutex_lock(&counter_lock, me);
		long c = counter;
		if ((i & 7) == 0)
			SchedYield_r();         /* hold it across a switch: others must wait */
		counter = c + 1;
		mutex_unlock(&counter_lock, me);
	}
	return arg;
}

static void t_mutex_exact_count(void)
{
	int tid[4];

	counter = 0;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &counter_lock, 0), 0);
	for (int i = 0; i < 4; i++)
		tid[i] = urt_thread_create(count_up, 0, stacks[i], sizeof stacks[i], 10);
	for (int i = 0; i < 4; i++)
		KTAP_EQ(ThreadJoin_r(tid[i], 0), 0);
	KTAP_EQ(counter, 1200);
	KTAP_EQ(counter_lock.__owner, 0);
	KTAP_EQ(SyncDestroy_r(&counter_lock), 0);
}

static void t_mutex_errors(void)
{
	static sync_t m;
	uint32_t me = my_tid();

	KTAP_REQUIRE(me != 0);
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &m, 0), 0);
	KTAP_EQ(SyncMutexLock_r(&m), 0);                                /* free: taken */
	KTAP_EQ(m.__owner, me);
	KTAP_EQ(SyncMutexLock_r(&m), -EDEADLK);
	KTAP_EQ(SyncMutexUnlock_r(&m), 0);
	KTAP_EQ(SyncMutexUnlock_r(&m), -EPERM);                         /* not the owner */
	KTAP_EQ(SyncMutexLock_r(KERNEL_ADDR), -EFAULT);
	KTAP_EQ(SyncMutexLock_r((sync_t *)UNMAPPED), -EFAULT);
	KTAP_EQ(SyncMutexLock_r((sync_t *)((char *)&m + 2)), -EFAULT);  /* misaligned */
	KTAP_EQ(SyncTypeCreate_r(9, &m, 0), -EINVAL);
}

static sync_t pp_mutex, pp_cond;
static volatile int pp_turn, pp_rounds_done;

static void *pp_other(void *arg)
{
	uint32_t me = my_tid();

	for (int i = 0; i < 200; i++) {
		mutex_lock(&pp_mutex, me);
		while (pp_turn != 1)
			SyncCondvarWait_r(&pp_cond, &pp_mutex);
		pp_turn = 0;
		SyncCondvarSignal_r(&pp_cond, 0);
		mutex_unlock(&pp_mutex, me);
	}
	pp_rounds_done++;
	return arg;
}

static void t_condvar_ping_pong(void)
{
	uint32_t me = my_tid();

	pp_turn = 0;
	pp_rounds_done = 0;
	SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &pp_mutex, 0);
	SyncTypeCreate_r(_NTO_SYNC_TYPE_COND, &pp_cond, 0);
	int tid = urt_thread_create(pp_other, 0, stacks[0], sizeof stacks[0], 10);
	KTAP_REQUIRE(tid > 0);
	for (int i = 0; i < 200; i++) {
		mutex_lock(&pp_mutex, me);
		while (pp_turn != 0)
			SyncCondvarWait_r(&pp_cond, &pp_mutex);
		pp_turn = 1;
		SyncCondvarSignal_r(&pp_cond, 0);
		mutex_unlock(&pp_mutex, me);
	}
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(pp_rounds_done, 1);
	KTAP_EQ(SyncCondvarWait_r(&pp_cond, &pp_mutex), -EPERM);      /* mutex not held */
}

static sync_t sem;
static volatile int consumed;

static void *consumer(void *arg)
{
	for (int i = 0; i < 50; i++)
		if (SyncSemWait_r(&sem, 0) == 0)
			__atomic_add_fetch(&consumed, 1, __ATOMIC_RELAXED);
	return arg;
}

static void t_semaphore(void)
{
	sem.__count = 2;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &sem, 0), 0);
	KTAP_EQ(sem.__count, 2);
	KTAP_EQ(SyncSemWait_r(&sem, 1), 0);
	KTAP_EQ(SyncSemWait_r(&sem, 1), 0);
	KTAP_EQ(SyncSemWait_r(&sem, 1), -EAGAIN);                       /* tryget on empty */
	consumed = 0;
	int tid = urt_thread_create(consumer, 0, stacks[1], sizeof stacks[1], 10);
	KTAP_REQUIRE(tid > 0);
	for (int i = 0; i < 50; i++)
		KTAP_EQ(SyncSemPost_r(&sem), 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(consumed, 50);
	KTAP_EQ(sem.__count, 0);
}

/* ---- timeouts on blocking calls ------------------------------------------------ */

static uint64_t now_ns(void)
{
	uint64_t t = 0;

	ClockTime_r(CLOCK_MONOTONIC, 0, &t);
	return t;
}

static int timeout_ms(unsigned states, uint64_t ms)
{
	uint64_t ns = ms * 1000000;

	return TimerTimeout_r(CLOCK_MONOTONIC, states, 0, &ns, 0);
}

static void t_timeout_send_and_receive(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	char buf[8];

	uint64_t t0 = now_ns();
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_SEND | _NTO_TIMEOUT_REPLY, 20), 0);
	KTAP_EQ(MsgSend_r(coid, "x", 1, 0, 0), -ETIMEDOUT);             /* nobody receives */
	KTAP_CHECK(now_ns() - t0 >= 20000000);
	t0 = now_ns();
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 15), 0);
	KTAP_EQ(MsgReceive_r(chid, buf, sizeof buf, 0), -ETIMEDOUT);    /* nobody sends */
	KTAP_CHECK(now_ns() - t0 >= 15000000);
	KTAP_EQ(TimerTimeout_r(77, _NTO_TIMEOUT_SEND, 0, 0, 0), -EINVAL);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static volatile int slow_rcvid, slow_reply_rc;

static void *slow_server(void *arg)
{
	int chid = (int)(long)arg;
	char buf[8];

	slow_rcvid = MsgReceive_r(chid, buf, sizeof buf, 0);
	while (slow_reply_rc == 1)
		SchedYield_r();                 /* the client gives up meanwhile */
	slow_reply_rc = MsgReply_r(slow_rcvid, 0, 0, 0);
	return 0;
}

/* A client that times out while REPLY-blocked leaves; the late reply finds
 * nobody (ESRCH). */
static void t_timeout_reply(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	slow_reply_rc = 1;
	int tid = urt_thread_create(slow_server, (void *)(long)chid, stacks[2], sizeof stacks[2], 10);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_REPLY, 20), 0);
	KTAP_EQ(MsgSend_r(coid, "x", 1, 0, 0), -ETIMEDOUT);
	KTAP_CHECK(slow_rcvid > 0);
	slow_reply_rc = 0;
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(slow_reply_rc, -ESRCH);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static sync_t held;
static volatile int held_go;

static void *hold_mutex(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&held, me);
	held_go = 1;
	while (held_go == 1)
		SchedYield_r();
	mutex_unlock(&held, me);
	return arg;
}

static void t_timeout_mutex_and_sem(void)
{
	static sync_t empty;

	SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &held, 0);
	held_go = 0;
	int tid = urt_thread_create(hold_mutex, 0, stacks[3], sizeof stacks[3], 10);
	KTAP_REQUIRE(tid > 0);
	while (!held_go)
		SchedYield_r();
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_MUTEX, 10), 0);
	KTAP_EQ(SyncMutexLock_r(&held), -ETIMEDOUT);
	held_go = 2;
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	empty.__count = 0;
	SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &empty, 0);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_SEM, 10), 0);
	KTAP_EQ(SyncSemWait_r(&empty, 0), -ETIMEDOUT);
}

/* ---- unblock and death notifications -------------------------------------------- */

static volatile int ub_code, ub_value, ub_flags, ub_rcvid;

static void *unblock_server(void *arg)
{
	int chid = (int)(long)arg;
	char buf[8];
	struct _pulse p;
	struct _msg_info mi;

	ub_rcvid = MsgReceive_r(chid, buf, sizeof buf, 0);
	memset(&p, 0, sizeof p);
	MsgReceivePulse_r(chid, &p, sizeof p, 0);       /* the client's timeout arrives */
	ub_code = p.code;
	ub_value = p.value.sival_int;
	ub_flags = MsgInfo_r(ub_rcvid, &mi) == 0 ? mi.flags : -1;
	MsgError_r(ub_rcvid, EINTR);
	return 0;
}

/* On an _NTO_CHF_UNBLOCK channel a REPLY timeout becomes a pulse to the
 * server, and the client waits for the server's answer. */
static void t_unblock_pulse(void)
{
	int chid = ChannelCreate_r(_NTO_CHF_UNBLOCK);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	int tid = urt_thread_create(unblock_server, (void *)(long)chid, stacks[0], sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_REPLY, 10), 0);
	KTAP_EQ(MsgSend_r(coid, "x", 1, 0, 0), -EINTR);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(ub_code, _PULSE_CODE_UNBLOCK);
	KTAP_EQ(ub_value, ub_rcvid);
	KTAP_CHECK(ub_flags >= 0 && (ub_flags & _NTO_MI_UNBLOCK_REQ));
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static void *short_lived(void *arg)
{
	return arg;
}

static void t_thread_death_pulse(void)
{
	int chid = ChannelCreate_r(_NTO_CHF_THREAD_DEATH);
	struct _pulse p;

	int tid = urt_thread_create(short_lived, 0, stacks[1], sizeof stacks[1], 10);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	memset(&p, 0, sizeof p);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 1000), 0);
	KTAP_EQ(MsgReceivePulse_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, _PULSE_CODE_THREADDEATH);
	KTAP_EQ(p.value.sival_int, tid);
	ChannelDestroy_r(chid);
}

static void *send_once(void *arg)
{
	int coid = (int)(long)arg;
	char r[4];

	MsgSend_r(coid, "msg", 4, r, sizeof r);
	return 0;
}

/* MsgReceivePulse leaves messages queued for MsgReceive. */
static void t_receive_pulse_skips_messages(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	char buf[8];
	struct _pulse p;

	int tid = urt_thread_create(send_once, (void *)(long)coid, stacks[2], sizeof stacks[2], 10);
	KTAP_REQUIRE(tid > 0);
	for (int i = 0; i < 20; i++)
		SchedYield_r();                         /* let it queue its message */
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 10), 0);
	KTAP_EQ(MsgReceivePulse_r(chid, &p, sizeof p, 0), -ETIMEDOUT);
	int rcvid = MsgReceive_r(chid, buf, sizeof buf, 0);
	KTAP_CHECK(rcvid > 0);
	KTAP_CHECK(!strcmp(buf, "msg"));
	KTAP_EQ(MsgReply_r(rcvid, 0, "ok", 3), 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

/* ---- timers deliver pulses ------------------------------------------------------ */

static void t_timer_pulses(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	struct _itimer it = { 5000000, 0 };
	struct _pulse p;

	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_PULSE;
	ev.sigev_coid = coid;
	ev.sigev_priority = 15;
	ev.sigev_code = 7;
	ev.sigev_value.sival_int = 1234;
	int id = TimerCreate_r(CLOCK_MONOTONIC, &ev);
	KTAP_REQUIRE(id >= 0);
	uint64_t t0 = now_ns();
	KTAP_EQ(TimerSettime_r(id, 0, &it, 0), 0);
	memset(&p, 0, sizeof p);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_CHECK(now_ns() - t0 >= 5000000);
	KTAP_EQ(p.code, 7);
	KTAP_EQ(p.value.sival_int, 1234);
	it = (struct _itimer){ 2000000, 2000000 };                      /* periodic */
	KTAP_EQ(TimerSettime_r(id, 0, &it, 0), 0);
	for (int i = 0; i < 5; i++)
		KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(TimerDestroy_r(id), 0);
	KTAP_EQ(TimerDestroy_r(id), -EINVAL);
	KTAP_EQ(TimerSettime_r(id, 0, &it, 0), -EINVAL);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;                     /* no such signal (signal events: ktest-proc) */
	KTAP_EQ(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EINVAL);
	KTAP_EQ(TimerCreate_r(CLOCK_MONOTONIC, KERNEL_ADDR), -EFAULT);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static volatile int de_rc;

static void *event_server(void *arg)
{
	int chid = (int)(long)arg;
	struct sigevent ev;

	int rcvid = MsgReceive_r(chid, &ev, sizeof ev, 0);      /* the client's event */
	MsgReply_r(rcvid, 0, 0, 0);
	de_rc = MsgDeliverEvent_r(rcvid, &ev);                   /* later: notify it */
	return 0;
}

static void t_deliver_event(void)
{
	int schid = ChannelCreate_r(0), cchid = ChannelCreate_r(0);
	int scoid = ConnectAttach_r(ND_LOCAL_NODE, 0, schid, 0, 0);
	int ccoid = ConnectAttach_r(ND_LOCAL_NODE, 0, cchid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	struct _pulse p;

	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_PULSE;
	ev.sigev_coid = ccoid;
	ev.sigev_code = 9;
	ev.sigev_value.sival_int = 77;
	de_rc = 1;
	int tid = urt_thread_create(event_server, (void *)(long)schid, stacks[0], sizeof stacks[0], 10);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(MsgSend_r(scoid, &ev, sizeof ev, 0, 0), 0);
	KTAP_EQ(MsgReceive_r(cchid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, 9);
	KTAP_EQ(p.value.sival_int, 77);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(de_rc, 0);
	KTAP_EQ(MsgDeliverEvent_r(0x7fff0009, &ev), -ESRCH);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;                     /* no such signal (signal events: ktest-proc) */
	KTAP_EQ(MsgDeliverEvent_r(tid, &ev), -EINVAL);
	ConnectDetach_r(scoid);
	ConnectDetach_r(ccoid);
	ChannelDestroy_r(schid);
	ChannelDestroy_r(cchid);
}

/* ---- processes built from outside (procmgr calls) --------------------------------- */

/* Position-independent child programs, copied into a new space. */
__asm__(".pushsection .text\n"
	".option push\n.option norvc\n"        /* fixed 4-byte instructions: known pcs */
	".globl child_exit42, child_exit42_end\n"
	"child_exit42:\n li a0, 42\n li a7, 2\n ecall\n1: j 1b\n"
	"child_exit42_end:\n"
	".globl child_ascreate, child_ascreate_end\n"
	"child_ascreate:\n li a7, 44\n ecall\n li a7, 2\n ecall\n2: j 2b\n"
	"child_ascreate_end:\n"
	".globl child_fault, child_fault_end\n"
	"child_fault:\n li t0, -1\n slli t0, t0, 31\n lw t1, 0(t0)\n3: j 3b\n"
	"child_fault_end:\n"
	".globl child_load_a0, child_load_a0_end, child_store_a0, child_store_a0_end\n"
	"child_load_a0:\n ld t1, 0(a0)\n4: j 4b\n"
	"child_load_a0_end:\n"
	"child_store_a0:\n sd zero, 0(a0)\n5: j 5b\n"
	"child_store_a0_end:\n"
	".option pop\n"
	".popsection\n");
extern const char child_exit42[], child_exit42_end[], child_ascreate[], child_ascreate_end[];
extern const char child_fault[], child_fault_end[];
extern const char child_load_a0[], child_load_a0_end[], child_store_a0[], child_store_a0_end[];

static int start_child_args(const char *from, const char *to, uint64_t a0, uint64_t a1);
static int start_child_priv(const char *from, const char *to, uint64_t a0, uint64_t a1,
			    uint32_t privs);

/* Start code [from, to) as an unprivileged process; returns its pid. */
static int start_child(const char *from, const char *to)
{
	return start_child_args(from, to, 0, 0);
}

static void t_process_start_and_wait(void)
{
	struct _proc_exit ex;

	KTAP_EQ(ProcessWait_r(-1, &ex, 0), -ECHILD);                    /* no children yet */
	int pid = start_child(child_exit42, child_exit42_end);
	KTAP_REQUIRE(pid > 1);
	memset(&ex, 0, sizeof ex);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_EQ(ex.how, _PROC_EXITED);
	KTAP_EQ(ex.status, 42);
	KTAP_EQ(ProcessWait_r(pid, &ex, _PROC_WAIT_NOHANG), -ECHILD);   /* reaped */
}

static void t_unprivileged_child_gets_eperm(void)
{
	struct _proc_exit ex;
	int pid = start_child(child_ascreate, child_ascreate_end);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(ProcessWait_r(-1, &ex, 0), pid);
	KTAP_EQ(ex.status, -EPERM);             /* its AsCreate was refused */
}

static void t_child_fault_reported(void)
{
	struct _proc_exit ex;
	int pid = start_child(child_fault, child_fault_end);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_EQ(ex.how, _PROC_KILLED);
	KTAP_EQ(ex.addr, 0xffffffff80000000ul);
	KTAP_EQ(ex.pc, 0x10000 + 8);
}

static void t_as_calls_check_arguments(void)
{
	int as = AsCreate_r();

	KTAP_REQUIRE(as > 0);
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, PROT_WRITE | PROT_EXEC, AS_MAP_ANON, 0), -EINVAL);
	KTAP_EQ(AsMap_r(as, 0x10001, 4096, PROT_READ, AS_MAP_ANON, 0), -EINVAL);
	KTAP_EQ(AsMap_r(as, 0xffffffff80000000ul, 4096, PROT_READ, AS_MAP_ANON, 0), -EINVAL);
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, PROT_READ, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, PROT_READ, AS_MAP_ANON, 0), -EEXIST);
	KTAP_EQ(AsWrite_r(as, 0x30000, "x", 1), -EFAULT);               /* not mapped */
	KTAP_EQ(AsWrite_r(as, 0x10000, KERNEL_ADDR, 8), -EFAULT);
	KTAP_EQ(AsDestroy_r(as), 0);
	KTAP_EQ(AsDestroy_r(as), -EINVAL);
	KTAP_EQ(AsMap_r(77, 0x10000, 4096, PROT_READ, AS_MAP_ANON, 0), -EINVAL);
}

/* ---- more argument and state checks -------------------------------------------- */

static void *return_42(void *arg);

static void t_connect_attach_bad_node(void)
{
	int chid = ChannelCreate_r(0);

	KTAP_EQ(ConnectAttach_r(5, 0, chid, 0, 0), -EINVAL);
	KTAP_EQ(ConnectDetach_r(-1), -EINVAL);
	KTAP_EQ(ConnectDetach_r(_NTO_SIDE_CHANNEL | 5000), -EINVAL);
	ChannelDestroy_r(chid);
}

static void t_receive_bad_channel(void)
{
	char b[4];

	KTAP_EQ(MsgReceive_r(0, b, sizeof b, 0), -EINVAL);
	KTAP_EQ(MsgReceive_r(99, b, sizeof b, 0), -EINVAL);
	KTAP_EQ(MsgReceivev_r(1, (iov_t *)b, 1000, 0), -EINVAL);       /* too many parts */
}

static volatile int destroyed_rc, receiving;

static void *receive_until_destroyed(void *arg)
{
	char b[4];

	receiving = 1;
	destroyed_rc = MsgReceive_r((int)(long)arg, b, sizeof b, 0);
	return 0;
}

/* Block this thread for about ms milliseconds. */
static void pause_ms(uint64_t ms)
{
	int chid = ChannelCreate_r(0);
	char b[4];

	timeout_ms(_NTO_TIMEOUT_RECEIVE, ms);
	MsgReceive_r(chid, b, sizeof b, 0);
	ChannelDestroy_r(chid);
}

/* Destroying a channel wakes a receiver blocked on it with an error. */
static void t_channel_destroy_wakes_receiver(void)
{
	int chid = ChannelCreate_r(0);

	destroyed_rc = 1;
	receiving = 0;
	int tid = urt_thread_create(receive_until_destroyed, (void *)(long)chid, stacks[0],
				    sizeof stacks[0], 10);
	KTAP_REQUIRE(tid > 0);
	while (!receiving)
		SchedYield_r();
	pause_ms(50);                   /* it is inside MsgReceive by now */
	KTAP_EQ(ChannelDestroy_r(chid), 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(destroyed_rc, -EINTR);
}

static void t_pulse_pool_exhaustion(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	int sent = 0, rc = 0;

	while (sent < 1000 && (rc = MsgSendPulse_r(coid, 10, 1, sent)) == 0)
		sent++;
	KTAP_EQ(rc, -EAGAIN);
	KTAP_CHECK(sent >= 64 && sent < 1000);
	KTAP_EQ(ChannelDestroy_r(chid), 0);                     /* gives them back */
	chid = ChannelCreate_r(0);
	int coid2 = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	KTAP_EQ(MsgSendPulse_r(coid2, 10, 1, 0), 0);
	ConnectDetach_r(coid);
	ConnectDetach_r(coid2);
	ChannelDestroy_r(chid);
}

static void t_thread_create_bad_args(void)
{
	struct _thread_attr at;

	memset(&at, 0, sizeof at);
	KTAP_EQ(ThreadCreate_r(0, 0, 0, &at), -EINVAL);                 /* no function */
	KTAP_EQ(ThreadCreate_r(0, return_42, 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(ThreadCreate_r(4242, return_42, 0, &at), -ESRCH);
	at.flags = _NTO_TA_EXPLICIT_SCHED;
	at.param.sched_priority = 999;
	KTAP_EQ(ThreadCreate_r(0, return_42, 0, &at), -EINVAL);
	at.flags = 0;
	at.stackaddr = KERNEL_ADDR;
	at.stacksize = 8192;
	KTAP_EQ(ThreadCreate_r(0, return_42, 0, &at), -EINVAL);
}

static int park_start(void);
static sync_t park_sem;

/* A detached thread cannot be joined while it lives (EINVAL), and once it
 * ends its id is gone at once (ESRCH), with nobody joining it. */
static void t_thread_detach(void)
{
	int tid = park_start();
	uint64_t ns = 2000000000ul;

	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadDetach_r(tid), 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), -EINVAL);                         /* detached: no join */
	KTAP_EQ(ThreadDetach_r(tid), -EINVAL);                          /* and only once */
	KTAP_EQ(SyncSemPost_r(&park_sem), 0);
	uint64_t end = now_ns() + ns;
	int r;
	while ((r = ThreadDetach_r(tid)) == -EINVAL && now_ns() < end)  /* until its slot goes */
		SchedYield_r();
	KTAP_EQ(r, -ESRCH);
	KTAP_EQ(ThreadJoin_r(tid, 0), -ESRCH);
	KTAP_EQ(ThreadDetach_r(0x7fff0123), -ESRCH);
	SyncDestroy_r(&park_sem);
}

/* ThreadState reports what the kernel sees: the caller running, a parked
 * thread in its semaphore wait, an ended one dead until joined, then gone. */
static void t_thread_state(void)
{
	struct _client_info me;

	KTAP_EQ(ConnectClientInfo_r(-1, &me, 0), 0);
	KTAP_EQ(ThreadState_r(me.tid), STATE_RUNNING);
	int tid = park_start();
	KTAP_REQUIRE(tid > 0);
	uint64_t end = now_ns() + 3000000000ull;
	int st;
	while ((st = ThreadState_r(tid)) != STATE_SEM && now_ns() < end)
		SchedYield_r();
	KTAP_EQ(st, STATE_SEM);
	KTAP_EQ(SyncSemPost_r(&park_sem), 0);
	while ((st = ThreadState_r(tid)) != STATE_DEAD && now_ns() < end)
		SchedYield_r();
	KTAP_EQ(st, STATE_DEAD);                                        /* ended, not joined */
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(ThreadState_r(tid), -ESRCH);                            /* joined: gone */
	KTAP_EQ(ThreadState_r(0x7fff0123), -ESRCH);
	SyncDestroy_r(&park_sem);
}

static void t_clock_set_realtime(void)
{
	uint64_t epoch = 1700000000ull * 1000000000ull, rt = 0, mono = 0;

	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, &epoch, 0), 0);
	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, 0, &rt), 0);
	KTAP_CHECK(rt >= epoch && rt - epoch < 1000000000ull);
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, &epoch, 0), -EINVAL);      /* cannot be set */
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, &mono), 0);
	KTAP_CHECK(mono < epoch);
}

static void t_timer_disarm(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	/* 200 ms: a host that stalls the hart between two calls must not
	 * decide the case (5 ms did, on a loaded machine). */
	struct _itimer it = { 200000000, 0 }, off = { 0, 0 }, old;
	struct _pulse p;

	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_PULSE;
	ev.sigev_coid = coid;
	int id = TimerCreate_r(CLOCK_MONOTONIC, &ev);
	KTAP_REQUIRE(id >= 0);
	KTAP_EQ(TimerSettime_r(id, 0, &it, 0), 0);
	KTAP_EQ(TimerSettime_r(id, 0, &off, &old), 0);                  /* disarmed in time */
	KTAP_CHECK(old.nsec > 0 && old.nsec <= 200000000);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 250), 0);             /* past its deadline */
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), -ETIMEDOUT);       /* no pulse came */
	KTAP_EQ(TimerDestroy_r(id), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static volatile int seen_prio;

static void *report_priority(void *arg)
{
	int chid = (int)(long)arg;
	char b[4];
	struct sched_param sp;

	int rcvid = MsgReceive_r(chid, b, sizeof b, 0);
	seen_prio = SchedGet_r(0, 0, &sp) >= 0 ? sp.sched_curpriority : -1;
	MsgReply_r(rcvid, 0, 0, 0);
	return 0;
}

/* A receiver runs at its client's priority, unless the channel is fixed. */
static int served_at(unsigned chflags, int client_prio)
{
	int chid = ChannelCreate_r(chflags);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	struct sched_param sp, mine;

	SchedGet_r(0, 0, &mine);
	int tid = urt_thread_create(report_priority, (void *)(long)chid, stacks[2], sizeof stacks[2], 8);
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = client_prio;
	SchedSet_r(0, 0, SCHED_NOCHANGE, &sp);
	MsgSend_r(coid, "p", 2, 0, 0);
	SchedSet_r(0, 0, SCHED_NOCHANGE, &mine);
	ThreadJoin_r(tid, 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
	return seen_prio;
}

static void t_receiver_inherits_priority(void)
{
	KTAP_EQ(served_at(0, 20), 20);
	KTAP_EQ(served_at(_NTO_CHF_FIXED_PRIORITY, 20), 8);
}

static void t_sync_destroy_busy(void)
{
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &held, 0), 0);
	held_go = 0;
	int tid = urt_thread_create(hold_mutex, 0, stacks[3], sizeof stacks[3], 10);
	KTAP_REQUIRE(tid > 0);
	while (!held_go)
		SchedYield_r();
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_MUTEX, 5), 0);
	KTAP_EQ(SyncMutexLock_r(&held), -ETIMEDOUT);
	held_go = 2;
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(SyncDestroy_r(&held), 0);                                /* nobody waits now */
	KTAP_EQ(SyncDestroy_r(KERNEL_ADDR), -EFAULT);
}

static void t_msg_error_zero_is_einval(void)
{
	KTAP_EQ(MsgError_r(0, 0), -ESRCH);
	KTAP_EQ(MsgReadv_r(0, 0, 0, (size_t)-1), -EINVAL);
	KTAP_EQ(MsgWritev_r(0, 0, 100, 0), -EINVAL);
}

/* ---- message shapes, queues and ordering ----------------------------------------- */

struct echo_srv {
	int chid;
	int n;                  /* messages to serve */
	char order[8];
};

static void *serve_n(void *arg)
{
	struct echo_srv *e = arg;
	char b[32];

	for (int i = 0; i < e->n; i++) {
		memset(b, 0, sizeof b);
		int rcvid = MsgReceive_r(e->chid, b, sizeof b, 0);
		if (rcvid <= 0)
			return 0;
		e->order[i] = b[0];
		MsgReply_r(rcvid, b[0], b, sizeof b);
	}
	return 0;
}

static void t_zero_length_round_trip(void)
{
	static struct echo_srv e;
	e = (struct echo_srv){ ChannelCreate_r(0), 1, { 0 } };
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, e.chid, 0, 0);
	int tid = urt_thread_create(serve_n, &e, stacks[0], sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(MsgSendv_r(coid, 0, 0, 0, 0), 0);               /* nothing each way */
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(e.chid);
}

/* Gather on send, scatter on receive and reply. */
static void t_iov_gather_scatter(void)
{
	static struct echo_srv e;
	e = (struct echo_srv){ ChannelCreate_r(0), 1, { 0 } };
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, e.chid, 0, 0);
	int tid = urt_thread_create(serve_n, &e, stacks[0], sizeof stacks[0], 10);
	iov_t s3[3], r2[2];
	char a[4], b[40];

	KTAP_REQUIRE(tid > 0);
	SETIOV(&s3[0], "Gath", 4);
	SETIOV(&s3[1], "er-", 3);
	SETIOV(&s3[2], "scatter", 8);
	SETIOV(&r2[0], a, sizeof a);
	SETIOV(&r2[1], b, sizeof b);
	KTAP_EQ(MsgSendv_r(coid, s3, 3, r2, 2), 'G');
	KTAP_CHECK(!memcmp(a, "Gath", 4));
	KTAP_CHECK(!strcmp(b, "er-scatter"));
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(e.chid);
}

static int po_coid;

static void *send_letter(void *arg)
{
	char m[2] = { (char)(long)arg, 0 };

	MsgSend_r(po_coid, m, 2, 0, 0);
	return 0;
}

/* Senders queue by priority: the higher one is received first. */
static void t_senders_queue_by_priority(void)
{
	static struct echo_srv e;
	e = (struct echo_srv){ ChannelCreate_r(0), 2, { 0 } };
	po_coid = ConnectAttach_r(ND_LOCAL_NODE, 0, e.chid, 0, 0);
	int lo = urt_thread_create(send_letter, (void *)'l', stacks[1], sizeof stacks[1], 11);
	int hi = urt_thread_create(send_letter, (void *)'h', stacks[2], sizeof stacks[2], 21);

	KTAP_REQUIRE(lo > 0 && hi > 0);
	pause_ms(30);                           /* both are queued now */
	int srv = urt_thread_create(serve_n, &e, stacks[0], sizeof stacks[0], 30);
	KTAP_REQUIRE(srv > 0);
	KTAP_EQ(ThreadJoin_r(srv, 0), 0);
	KTAP_EQ(ThreadJoin_r(lo, 0), 0);
	KTAP_EQ(ThreadJoin_r(hi, 0), 0);
	KTAP_EQ(e.order[0], 'h');
	KTAP_EQ(e.order[1], 'l');
	ConnectDetach_r(po_coid);
	ChannelDestroy_r(e.chid);
}

/* Two receivers on one channel serve two clients. */
static void t_many_receivers_one_channel(void)
{
	static struct echo_srv e1, e2;
	int chid = ChannelCreate_r(0);
	e1 = (struct echo_srv){ chid, 1, { 0 } };
	e2 = (struct echo_srv){ chid, 1, { 0 } };
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	int s1 = urt_thread_create(serve_n, &e1, stacks[0], sizeof stacks[0], 10);
	int s2 = urt_thread_create(serve_n, &e2, stacks[1], sizeof stacks[1], 10);
	char r[32];

	KTAP_REQUIRE(s1 > 0 && s2 > 0);
	KTAP_EQ(MsgSend_r(coid, "a", 2, r, sizeof r), 'a');
	KTAP_EQ(MsgSend_r(coid, "b", 2, r, sizeof r), 'b');
	KTAP_EQ(ThreadJoin_r(s1, 0), 0);
	KTAP_EQ(ThreadJoin_r(s2, 0), 0);
	KTAP_EQ(e1.order[0] + e2.order[0], 'a' + 'b');
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static void t_pulse_codes_and_side_channel(void)
{
	int chid = ChannelCreate_r(0);
	int side = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct _pulse p;

	KTAP_EQ(MsgSendPulse_r(side, 10, -5, 55), 0);
	KTAP_EQ(MsgSendPulse_r(side, 10, 127, 56), 0);
	KTAP_EQ(MsgSendPulse_r(side, 10, -129, 0), -EINVAL);
	KTAP_EQ(MsgSendPulse_r(side, 300, 1, 0), -EINVAL);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, -5);
	KTAP_EQ(p.scoid, side);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, 127);
	KTAP_EQ(p.value.sival_int, 56);
	ConnectDetach_r(side);
	ChannelDestroy_r(chid);
}

static void t_thread_ids_unique(void)
{
	int seen[40];

	for (int i = 0; i < 40; i++) {
		seen[i] = urt_thread_create(return_42, 0, stacks[0], sizeof stacks[0], 10);
		KTAP_REQUIRE(seen[i] > 0);
		KTAP_EQ(ThreadJoin_r(seen[i], 0), 0);
		for (int j = 0; j < i; j++)
			KTAP_CHECK(seen[j] != seen[i]);         /* a reused slot has a new id */
	}
}

static void t_semaphore_bad_count(void)
{
	static sync_t bad;

	bad.__count = -1;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &bad, 0), -EINVAL);
	bad.__count = 0;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &bad, 0), 0);
	bad.__count = -7;                       /* scribbled on by the program */
	KTAP_EQ(SyncSemWait_r(&bad, 1), -EINVAL);
	KTAP_EQ(SyncSemPost_r(&bad), -EINVAL);
	KTAP_EQ(SyncCondvarSignal_r(&bad, 1), 0);                       /* nobody waits */
}

__asm__(".pushsection .text\n"
	".globl child_block, child_block_end\n"
	"child_block:\n li a0, 0\n li a7, 3\n ecall\n"                /* ChannelCreate(0) */
	" li a1, 0\n li a2, 0\n li a3, 0\n li a7, 11\n ecall\n"        /* MsgReceivev: forever */
	"4: j 4b\n"
	"child_block_end:\n"
	".popsection\n");
extern const char child_block[], child_block_end[];

static void t_process_wait_nohang(void)
{
	struct _proc_exit ex;
	int pid = start_child(child_block, child_block_end);

	KTAP_REQUIRE(pid > 1);
	pause_ms(10);
	KTAP_EQ(ProcessWait_r(pid, &ex, _PROC_WAIT_NOHANG), -EAGAIN);  /* still running */
	KTAP_EQ(ProcessWait_r(pid + 100, &ex, _PROC_WAIT_NOHANG), -ECHILD);
	struct _proc_start st;
	memset(&st, 0, sizeof st);
	KTAP_EQ(ProcessStart_r(77, &st), -EINVAL);                      /* no such space */
	st.privileges = 0x80;
	KTAP_EQ(ProcessStart_r(77, &st), -EPERM);                       /* more than we hold */
}

static void t_as_protect_then_run(void)
{
	int as = AsCreate_r();
	struct _proc_start st;
	struct _proc_exit ex;

	KTAP_REQUIRE(as > 0);
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsMap_r(as, 0x20000, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsWrite_r(as, 0x10000, child_exit42, (size_t)(child_exit42_end - child_exit42)), 0);
	KTAP_EQ(AsProtect_r(as, 0x10000, 4096, PROT_READ | PROT_WRITE | PROT_EXEC), -EINVAL);
	KTAP_EQ(AsProtect_r(as, 0x10000, 4096, PROT_READ | PROT_EXEC), 0);
	memset(&st, 0, sizeof st);
	st.entry = 0x10000;
	st.sp = 0x21000;
	int pid = ProcessStart_r(as, &st);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_EQ(ex.status, 42);
}

/* ---- ids, offsets and broadcasts --------------------------------------------------- */

static volatile long rw_read_rc;

static void *read_past_then_write(void *arg)
{
	int chid = (int)(long)arg;
	char b[4], tail[8];

	int rcvid = MsgReceive_r(chid, b, sizeof b, 0);
	rw_read_rc = MsgRead_r(rcvid, tail, sizeof tail, 100);  /* past the end: nothing */
	MsgWrite_r(rcvid, "written", 8, 0);
	MsgReply_r(rcvid, 5, 0, 0);                             /* the reply adds nothing */
	return 0;
}

static void t_msg_read_past_end_write_kept(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	char r[8] = { 0 };
	int tid = urt_thread_create(read_past_then_write, (void *)(long)chid, stacks[0],
				    sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	rw_read_rc = 99;
	KTAP_EQ(MsgSend_r(coid, "abc", 4, r, sizeof r), 5);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(rw_read_rc, 0);
	KTAP_CHECK(!strcmp(r, "written"));
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static void t_connection_to_recreated_channel_is_stale(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	KTAP_EQ(ChannelDestroy_r(chid), 0);
	int chid2 = ChannelCreate_r(0);
	KTAP_EQ(chid2, chid);                                           /* the id comes back */
	KTAP_EQ(MsgSendPulse_r(coid, 10, 1, 0), -EBADF);                /* the old link does not */
	int coid2 = ConnectAttach_r(ND_LOCAL_NODE, 0, chid2, 0, 0);
	KTAP_EQ(MsgSendPulse_r(coid2, 10, 1, 0), 0);
	ConnectDetach_r(coid);
	ConnectDetach_r(coid2);
	ChannelDestroy_r(chid2);
}

static void *wait_for_me(void *arg)
{
	return arg;
}

static void t_thread_join_self_and_others(void)
{
	struct _client_info ci;

	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	KTAP_EQ(ThreadJoin_r(ci.tid, 0), -EDEADLK);
	int tid = urt_thread_create(wait_for_me, (void *)7, stacks[0], sizeof stacks[0], 10);
	void *v = 0;
	KTAP_EQ(ThreadJoin_r(tid, &v), 0);
	KTAP_EQ((long)v, 7);
}

/* A thread parked on park_sem until the case posts it: it certainly exists
 * while the case works on it. */
static sync_t park_sem;

static void *park(void *arg)
{
	SyncSemWait_r(&park_sem, 0);
	return arg;
}

static int park_start(void)
{
	if (SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &park_sem, 0) < 0)
		return -1;
	return urt_thread_create(park, 0, stacks[1], sizeof stacks[1], 10);
}

static void t_sched_set_other_thread(void)
{
	struct sched_param sp;
	int tid = park_start();

	KTAP_REQUIRE(tid > 0);
	memset(&sp, 0, sizeof sp);
	sp.sched_priority = 14;
	KTAP_EQ(SchedSet_r(0, tid, SCHED_NOCHANGE, &sp), 0);
	memset(&sp, 0, sizeof sp);
	KTAP_CHECK(SchedGet_r(0, tid, &sp) >= 0);
	KTAP_EQ(sp.sched_priority, 14);                                 /* the other's, not ours */
	KTAP_CHECK(SchedGet_r(0, 0, &sp) >= 0 && sp.sched_priority != 14);
	KTAP_EQ(SyncSemPost_r(&park_sem), 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(SchedSet_r(0, tid, SCHED_NOCHANGE, &sp), -ESRCH);       /* gone now */
	SyncDestroy_r(&park_sem);
}

static sync_t bc_mutex, bc_cond;
static volatile int bc_waiting, bc_woken, bc_go;

static void *bc_waiter(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&bc_mutex, me);
	__atomic_add_fetch(&bc_waiting, 1, __ATOMIC_RELAXED);
	while (!bc_go)
		SyncCondvarWait_r(&bc_cond, &bc_mutex);
	__atomic_add_fetch(&bc_woken, 1, __ATOMIC_RELAXED);
	mutex_unlock(&bc_mutex, me);
	return arg;
}

static void t_condvar_broadcast(void)
{
	uint32_t me = my_tid();
	int tid[3];

	bc_waiting = bc_woken = bc_go = 0;
	SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &bc_mutex, 0);
	SyncTypeCreate_r(_NTO_SYNC_TYPE_COND, &bc_cond, 0);
	for (int i = 0; i < 3; i++)
		tid[i] = urt_thread_create(bc_waiter, 0, stacks[i], sizeof stacks[i], 10);
	while (bc_waiting < 3)
		SchedYield_r();
	mutex_lock(&bc_mutex, me);
	bc_go = 1;
	KTAP_EQ(SyncCondvarSignal_r(&bc_cond, 1), 0);                   /* all of them */
	mutex_unlock(&bc_mutex, me);
	for (int i = 0; i < 3; i++)
		KTAP_EQ(ThreadJoin_r(tid[i], 0), 0);
	KTAP_EQ(bc_woken, 3);
}

static void t_privileged_calls_allowed_for_init(void)
{
	int as = AsCreate_r();                  /* init holds the process manager's privilege */

	KTAP_CHECK(as > 0);
	KTAP_EQ(AsDestroy_r(as), 0);
	KTAP_EQ(InterruptUnmask_r(1, 1), -EINVAL);                      /* allowed, nothing attached */
}

static void t_timer_arguments(void)
{
	struct sigevent ev;
	struct _itimer it = { 1000000, 0 };

	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_PULSE;
	KTAP_EQ(TimerCreate_r(99, &ev), -EINVAL);                       /* unknown clock */
	KTAP_EQ(TimerSettime_r(-1, 0, &it, 0), -EINVAL);
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, 0, 0), 0); /* cleared */
	ev.sigev_notify = SIGEV_SIGNAL;
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, &ev, 0, 0), -EINVAL);
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, KERNEL_ADDR, 0), -EFAULT);
}

/* ---- another process's death ------------------------------------------------------ */

__asm__(".pushsection .text\n"
	".option push\n.option norvc\n"
	/* a0 = parent pid, a1 = its chid: connect, exit with the coid */
	".globl child_connect, child_connect_end\n"
	"child_connect:\n mv a2, a1\n mv a1, a0\n li a0, 0\n li a3, 0\n li a4, 0\n"
	" li a7, 5\n ecall\n li a7, 2\n ecall\n6: j 6b\n"
	"child_connect_end:\n"
	/* make channel 1, wait 300 ms on it, exit 0 */
	".globl child_serve_briefly, child_serve_briefly_end\n"
	"child_serve_briefly:\n li a0, 0\n li a7, 3\n ecall\n mv s0, a0\n"
	" addi sp, sp, -16\n li t0, 300000000\n sd t0, 0(sp)\n"
	" li a0, 2\n li a1, 32\n li a2, 0\n mv a3, sp\n li a4, 0\n li a7, 40\n ecall\n"
	" mv a0, s0\n li a1, 0\n li a2, 0\n li a3, 0\n li a7, 11\n ecall\n"
	" li a0, 0\n li a7, 2\n ecall\n7: j 7b\n"
	"child_serve_briefly_end:\n"
	".option pop\n"
	".popsection\n");
extern const char child_connect[], child_connect_end[];
extern const char child_serve_briefly[], child_serve_briefly_end[];

static int start_child_args(const char *from, const char *to, uint64_t a0, uint64_t a1)
{
	return start_child_priv(from, to, a0, a1, 0);
}

/* Start code [from, to) as a process holding privs (KCALL_PRIV_*), with
 * a0 and a1; returns its pid. */
static int start_child_priv(const char *from, const char *to, uint64_t a0, uint64_t a1,
			    uint32_t privs)
{
	int as = AsCreate_r();
	struct _proc_start st;

	if (as <= 0)
		return as;
	if (AsMap_r(as, 0x10000, 4096, PROT_READ | PROT_EXEC, AS_MAP_ANON, 0) ||
	    AsMap_r(as, 0x20000, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0) ||
	    AsWrite_r(as, 0x10000, from, (size_t)(to - from)))
		return -1000;
	memset(&st, 0, sizeof st);
	st.entry = 0x10000;
	st.sp = 0x21000;
	st.argc = a0;
	st.argv = a1;
	st.privileges = privs;
	return ProcessStart_r(as, &st);
}

/* A client process that ends: the server hears DISCONNECT naming it. */
static void t_disconnect_pulse_when_client_dies(void)
{
	struct _client_info ci;
	struct _proc_exit ex;
	struct _pulse p;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT);

	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	int pid = start_child_args(child_connect, child_connect_end, (uint64_t)ci.pid, (uint64_t)chid);
	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_CHECK(ex.status >= 0);                             /* its ConnectAttach worked */
	memset(&p, 0, sizeof p);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 1000), 0);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, _PULSE_CODE_DISCONNECT);
	KTAP_EQ(p.scoid, pid);
	ChannelDestroy_r(chid);
}

/* A server process that ends: its client hears COIDDEATH for the
 * connection, and the connection is dead. */
static void t_coiddeath_pulse_when_server_dies(void)
{
	struct _proc_exit ex;
	struct _pulse p;
	int note = ChannelCreate_r(_NTO_CHF_COID_DISCONNECT);
	int pid = start_child(child_serve_briefly, child_serve_briefly_end);
	int coid = -1;

	KTAP_REQUIRE(pid > 1);
	for (int i = 0; i < 200 && coid < 0; i++) {
		coid = ConnectAttach_r(ND_LOCAL_NODE, pid, 1, 0, 0);
		if (coid < 0)
			pause_ms(1);    /* it lives 300 ms: a few yields may come before it runs */
	}
	KTAP_REQUIRE(coid >= 0);
	KTAP_EQ(MsgSendPulse_r(coid, 10, 3, 0), 0);                     /* it is reachable */
	memset(&p, 0, sizeof p);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 3000), 0);
	KTAP_EQ(MsgReceive_r(note, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, _PULSE_CODE_COIDDEATH);
	KTAP_EQ(p.value.sival_int, coid);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_EQ(MsgSendPulse_r(coid, 10, 3, 0), -EBADF);                /* the channel died */
	KTAP_EQ(ConnectAttach_r(ND_LOCAL_NODE, pid, 1, 0, 0), -ESRCH);
	ConnectDetach_r(coid);
	ChannelDestroy_r(note);
}

static void t_bad_pointers_efault(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	iov_t bad;

	SETIOV(&bad, KERNEL_ADDR, 8);
	KTAP_EQ(MsgSendv_r(coid, KERNEL_ADDR, 1, 0, 0), -EFAULT);      /* the iov array */
	KTAP_EQ(MsgReceivev_r(chid, UNMAPPED, 1, 0), -EFAULT);
	KTAP_EQ(MsgSendv_r(coid, &bad, 1, 0, 0), -EFAULT);              /* a kernel buffer */
	KTAP_EQ(MsgSendv_r(coid, &bad, 100, 0, 0), -EINVAL);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static void t_stale_ids(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	KTAP_EQ(ChannelDestroy_r(chid), 0);
	KTAP_EQ(MsgSend_r(coid, "x", 1, 0, 0), -EBADF);                 /* channel gone */
	KTAP_EQ(MsgSendPulse_r(coid, 10, 1, 2), -EBADF);
	KTAP_EQ(MsgReply_r(12345, 0, 0, 0), -ESRCH);                     /* no such client */
	KTAP_EQ(MsgError_r(-3, EIO), -ESRCH);
	KTAP_EQ(MsgSend_r(31, "x", 1, 0, 0), -EBADF);                   /* never attached */
	ConnectDetach_r(coid);
}

/* Pulses queue by priority and come before any message. */
static void t_pulses_by_priority(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	struct _pulse p;

	KTAP_EQ(MsgSendPulse_r(coid, 5, 1, 100), 0);
	KTAP_EQ(MsgSendPulse_r(coid, 20, 2, 200), 0);
	KTAP_EQ(MsgSendPulse_r(coid, 5, 3, 300), 0);
	KTAP_EQ(MsgSendPulse_r(coid, 10, 200, 0), -EINVAL);             /* code out of range */
	int order[3];
	for (int i = 0; i < 3; i++) {
		memset(&p, 0xff, sizeof p);
		KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);        /* 0: a pulse */
		order[i] = p.code;
	}
	KTAP_EQ(order[0], 2);
	KTAP_EQ(order[1], 1);
	KTAP_EQ(order[2], 3);
	KTAP_EQ(p.value.sival_int, 300);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static void *return_42(void *arg)
{
	(void)arg;
	return (void *)42;
}

static void t_thread_create_join(void)
{
	void *v = 0;
	int tid = urt_thread_create(return_42, 0, stacks[0], sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadJoin_r(tid, &v), 0);
	KTAP_EQ((long)v, 42);
	KTAP_EQ(ThreadJoin_r(tid, &v), -ESRCH);                         /* reaped: stale */
	KTAP_EQ(ThreadJoin_r(0x7fff0001, &v), -ESRCH);
}

static void t_yield(void)
{
	for (int i = 0; i < 10; i++)
		KTAP_EQ(SchedYield_r(), 0);
}


/* ---- device memory, interrupts, CPU-time clocks, scalar sends ------------------------- */

#define DEV_VA 0x3000000000ul           /* where these cases map device pages */

__asm__(".pushsection .text\n"
	".option push\n.option norvc\n"
	/* each makes one call with a0 from its start (a0), a1 = 0, a2 = 0, and
	 * exits with the result */
	".globl child_intr_attach, child_intr_attach_end\n"
	"child_intr_attach:\n li a1, 0\n li a2, 0\n li a7, 41\n ecall\n li a7, 2\n ecall\n8: j 8b\n"
	"child_intr_attach_end:\n"
	".globl child_intr_detach, child_intr_detach_end\n"
	"child_intr_detach:\n li a7, 42\n ecall\n li a7, 2\n ecall\n9: j 9b\n"
	"child_intr_detach_end:\n"
	".globl child_intr_unmask, child_intr_unmask_end\n"
	"child_intr_unmask:\n li a1, -1\n li a7, 43\n ecall\n li a7, 2\n ecall\n10: j 10b\n"
	"child_intr_unmask_end:\n"
	/* AsMap(AS_SELF, 0x30000, 4096, PROT_READ, AS_MAP_PHYS, a0) */
	".globl child_as_map_phys, child_as_map_phys_end\n"
	"child_as_map_phys:\n mv a5, a0\n li a0, 0\n li a1, 0x30000\n li a2, 4096\n li a3, 0x100\n"
	" li a4, 1\n li a7, 46\n ecall\n li a7, 2\n ecall\n11: j 11b\n"
	"child_as_map_phys_end:\n"
	/* AsUnmap(AS_SELF, 0x20000, 4096) */
	".globl child_as_unmap, child_as_unmap_end\n"
	"child_as_unmap:\n li a0, 0\n li a1, 0x20000\n li a2, 4096\n li a7, 47\n ecall\n"
	" li a7, 2\n ecall\n12: j 12b\n"
	"child_as_unmap_end:\n"
	".option pop\n"
	".popsection\n");
extern const char child_intr_attach[], child_intr_attach_end[];
extern const char child_intr_detach[], child_intr_detach_end[];
extern const char child_intr_unmask[], child_intr_unmask_end[];
extern const char child_as_map_phys[], child_as_map_phys_end[];
extern const char child_as_unmap[], child_as_unmap_end[];

/* Run a child to its end; its exit status (the result of its one call). */
static int child_status(const char *from, const char *to, uint64_t a0, uint32_t privs)
{
	struct _proc_exit ex;
	int pid = start_child_priv(from, to, a0, 0, privs);

	if (pid <= 1)
		return -1000;
	if (ProcessWait_r(pid, &ex, 0) != pid || ex.how != _PROC_EXITED)
		return -1001;
	return ex.status;
}

/* A device every machine has, for the mapping cases: the PLIC is the
 * kernel's; the UART is not (its driver will be a process). */
static int find_uart(struct _hw_device *d)
{
	int r = HwInfoDevice_r("ns16550a", 0, d);

	return r == -ENOENT ? HwInfoDevice_r("sifive,uart0", 0, d) : r;
}

static void t_hwinfo_device(void)
{
	struct _hw_device d;
	char longname[HWINFO_NAME_MAX + 8];

	memset(&d, 0, sizeof d);
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 0, &d), 0);
	KTAP_CHECK(d.base != 0 && d.size >= 0x200000);                  /* claim registers */
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 1, &d), -ENOENT);         /* only one */
	KTAP_EQ(HwInfoDevice_r("keel,no-such-device", 0, &d), -ENOENT);
	KTAP_EQ(find_uart(&d), 0);
	KTAP_CHECK(d.irq != 0);
	KTAP_EQ(HwInfoDevice_r(KERNEL_ADDR, 0, &d), -EFAULT);
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 0, UNMAPPED), -EFAULT);
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	KTAP_EQ(HwInfoDevice_r(longname, 0, &d), -EINVAL);
	KTAP_EQ(HwInfoDevice(0, 0, &d), -1);
	KTAP_EQ(errno, EFAULT);
}

static void t_as_map_phys_checks(void)
{
	struct _hw_device uart, plic;

	KTAP_REQUIRE(find_uart(&uart) == 0 && HwInfoDevice_r("riscv,plic0", 0, &plic) == 0);
	uint64_t pa = uart.base & ~0xffful;
	/* RAM: every machine Keel runs on has RAM at 0x80000000. */
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, 0x80000000ul), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, plic.base), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 8192, PROT_READ, AS_MAP_PHYS, plic.base - 4096),
		-EINVAL);                                               /* overlaps it */
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_EXEC, AS_MAP_PHYS, pa), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, pa + 4), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 0, PROT_READ, AS_MAP_PHYS, pa), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, 1ul << 56), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, -4096l), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, 0x80, pa), -EINVAL);   /* flags */
	KTAP_EQ(AsMap_r(AS_SELF, 0xffffffff80000000ul, 4096, PROT_READ, AS_MAP_PHYS, pa), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_PHYS, pa), 0);
	/* The kernel never copies into device memory (its direct map has
	 * none of it): AsWrite there is EFAULT, not a kernel fault. */
	KTAP_EQ(AsWrite_r(AS_SELF, DEV_VA + 0x800, "x", 1), -EFAULT);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, pa), -EEXIST);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_ANON, 0), -EEXIST);
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);
	KTAP_EQ(AsMap(AS_SELF, DEV_VA + 4096, 4096, PROT_READ, AS_MAP_PHYS, 0x80000000ul), -1);
	KTAP_EQ(errno, EINVAL);
}

/* AsUnmap takes pages away: the kernel's copies fault on them afterwards,
 * also in another space; holes are fine, bad ranges are not. */
/* No access at all cannot be a page's protection (a valid PTE without R,
 * W and X is a pointer to a page table: the page's bytes would become
 * PTEs), and device memory never becomes executable through AsProtect. */
static void t_as_prot_none(void)
{
	const uint64_t va = 0x10000000;
	struct _hw_device uart;
	char c = 1;
	int as = AsCreate_r();

	KTAP_REQUIRE(as > 0 && find_uart(&uart) == 0);
	KTAP_EQ(AsMap_r(as, va, 4096, PROT_NONE, AS_MAP_ANON, 0), -EINVAL);
	KTAP_EQ(AsMap_r(as, va, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsProtect_r(as, va, 4096, PROT_NONE), -EINVAL);
	KTAP_EQ(AsWrite_r(as, va, &c, 1), 0);                           /* unchanged */
	KTAP_EQ(AsMap_r(as, va + 4096, 4096, PROT_READ, AS_MAP_PHYS, uart.base & ~0xffful), 0);
	KTAP_EQ(AsProtect_r(as, va + 4096, 4096, PROT_READ | PROT_EXEC), -EINVAL);
	KTAP_EQ(AsProtect_r(as, va + 4096, 4096, PROT_NONE), -EINVAL);
	KTAP_EQ(AsDestroy_r(as), 0);
}

/* Mapping more than the free memory fails with ENOMEM (not EEXIST) and
 * leaves none of the range mapped; destroying the space gives every page
 * back.  A range with one page already mapped is EEXIST, and changes
 * nothing either. */
static void t_as_map_oom(void)
{
	struct _kernel_objects before, full, after;
	const uint64_t base = 0x10000000;
	char c = 1;

	KTAP_EQ(KernelObjects_r(&before), 0);
	int as = AsCreate_r();
	KTAP_REQUIRE(as > 0);
	uint64_t len = (before.free_pages + 4096) * 4096;
	KTAP_EQ(AsMap_r(as, base, len, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), -ENOMEM);
	KTAP_EQ(AsWrite_r(as, base, &c, 1), -EFAULT);                   /* nothing left mapped */
	KTAP_EQ(AsWrite_r(as, base + len / 2, &c, 1), -EFAULT);
	KTAP_EQ(KernelObjects_r(&full), 0);
	KTAP_CHECK(full.free_pages + 1024 > before.free_pages);          /* page tables at most */
	KTAP_EQ(AsMap_r(as, base + 8192, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsMap_r(as, base, 4 * 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), -EEXIST);
	KTAP_EQ(AsWrite_r(as, base, &c, 1), -EFAULT);                   /* EEXIST: nothing new */
	KTAP_EQ(AsWrite_r(as, base + 8192, &c, 1), 0);
	KTAP_EQ(AsDestroy_r(as), 0);
	KTAP_EQ(KernelObjects_r(&after), 0);
	KTAP_EQ(after.free_pages, before.free_pages);
}

static void t_as_unmap(void)
{
	int as = AsCreate_r();
	volatile char *p = (volatile char *)DEV_VA;

	KTAP_REQUIRE(as > 0);
	KTAP_EQ(AsMap_r(as, 0x10000, 3 * 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsWrite_r(as, 0x11000, "abc", 3), 0);
	KTAP_EQ(AsUnmap_r(as, 0x11000, 4096), 0);
	KTAP_EQ(AsWrite_r(as, 0x11000, "abc", 3), -EFAULT);
	KTAP_EQ(AsWrite_r(as, 0x10000, "abc", 3), 0);                   /* neighbours stay */
	KTAP_EQ(AsWrite_r(as, 0x12000, "abc", 3), 0);
	KTAP_EQ(AsUnmap_r(as, 0x10000, 3 * 4096), 0);                   /* with a hole */
	KTAP_EQ(AsWrite_r(as, 0x12000, "abc", 3), -EFAULT);
	KTAP_EQ(AsUnmap_r(as, 0x10001, 4096), -EINVAL);
	KTAP_EQ(AsUnmap_r(as, 0x10000, 100), -EINVAL);
	KTAP_EQ(AsUnmap_r(as, 0x10000, 0), -EINVAL);
	KTAP_EQ(AsUnmap_r(as, 0xffffffff80000000ul, 4096), -EINVAL);
	KTAP_EQ(AsUnmap_r(77, 0x10000, 4096), -EINVAL);
	KTAP_EQ(AsDestroy_r(as), 0);
	/* In our own space, after we used the page (so its translation is
	 * cached): the kernel's copy from it faults. */
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	p[0] = '\n';
	KTAP_EQ(DebugPutString_r((const char *)p, 1), 1);
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);
	KTAP_EQ(DebugPutString_r((const char *)p, 1), -EFAULT);
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);                   /* a hole now */
}

static void t_as_phys_unprivileged_eperm(void)
{
	struct _hw_device uart;

	KTAP_REQUIRE(find_uart(&uart) == 0);
	uint64_t pa = uart.base & ~0xffful;
	KTAP_EQ(child_status(child_as_map_phys, child_as_map_phys_end, pa, 0), -EPERM);
	KTAP_EQ(child_status(child_as_map_phys, child_as_map_phys_end, pa, KCALL_PRIV_IO), -EPERM);
	KTAP_EQ(child_status(child_as_unmap, child_as_unmap_end, 0, 0), -EPERM);
	KTAP_EQ(child_status(child_as_unmap, child_as_unmap_end, 0, KCALL_PRIV_IO), -EPERM);
}

static void pulse_event(struct sigevent *ev, int coid, int code)
{
	memset(ev, 0, sizeof *ev);
	SIGEV_PULSE_INIT(ev, coid, SIGEV_PULSE_PRIO_INHERIT, code, 0x5ca1ab1e);
}

/* A line nobody uses on either machine (virt: a PCIe INTx; sifive_u: a
 * GPIO), below every PLIC's riscv,ndev. */
#define QUIET_LINE 35

static void t_interrupt_arguments(void)
{
	struct sigevent ev;
	int chid = ChannelCreate_r(0), coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	pulse_event(&ev, coid, 5);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, 0, 0), -EFAULT);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, KERNEL_ADDR, 0), -EFAULT);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, UNMAPPED, 0), -EFAULT);
	KTAP_EQ(InterruptAttachEvent_r(0, &ev, 0), -EINVAL);            /* no source 0 */
	KTAP_EQ(InterruptAttachEvent_r(-1, &ev, 0), -EINVAL);
	KTAP_EQ(InterruptAttachEvent_r(100000, &ev, 0), -EINVAL);       /* past riscv,ndev */
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0x100), -EINVAL); /* unknown flag */
	ev.sigev_notify = SIGEV_SIGNAL;
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0), -EINVAL);
	pulse_event(&ev, coid, 5);
	ev.sigev_priority = 1000;
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0), -EINVAL);
	pulse_event(&ev, coid, 5);
	int id = InterruptAttachEvent_r(QUIET_LINE, &ev, _NTO_INTR_FLAGS_TRK_MSK);
	KTAP_REQUIRE(id > 0);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0), -EBUSY);    /* one owner per line */
	int id2 = InterruptAttachEvent_r(QUIET_LINE + 1, &ev, 0);
	KTAP_CHECK(id2 > 0 && id2 != id);
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, id), 0);                  /* not masked: no-op */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, -1), 0);
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE + 1, id), -EINVAL);        /* another line's id */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE + 2, -1), -EINVAL);        /* not attached */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, id + 1), -EINVAL);
	KTAP_EQ(InterruptDetach_r(id), 0);
	KTAP_EQ(InterruptDetach_r(id), -EINVAL);                        /* stale */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, id), -EINVAL);
	KTAP_EQ(InterruptDetach_r(0), -EINVAL);
	KTAP_EQ(InterruptDetach_r(-5), -EINVAL);
	int id3 = InterruptAttachEvent_r(QUIET_LINE, &ev, 0);           /* the line is free again */
	KTAP_CHECK(id3 > 0 && id3 != id);                               /* and the old id stays stale */
	KTAP_EQ(InterruptDetach_r(id), -EINVAL);
	KTAP_EQ(InterruptDetach(id), -1);
	KTAP_EQ(errno, EINVAL);
	KTAP_EQ(InterruptDetach_r(id3), 0);
	KTAP_EQ(InterruptDetach_r(id2), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

/* Unprivileged processes get EPERM; a driver (KCALL_PRIV_IO) gets past the
 * privilege check; nobody else's id is usable. */
static void t_interrupt_privileges(void)
{
	struct sigevent ev;
	int chid = ChannelCreate_r(0), coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	KTAP_EQ(child_status(child_intr_attach, child_intr_attach_end, QUIET_LINE, 0), -EPERM);
	KTAP_EQ(child_status(child_intr_unmask, child_intr_unmask_end, QUIET_LINE, 0), -EPERM);
	KTAP_EQ(child_status(child_intr_detach, child_intr_detach_end, 1, 0), -EPERM);
	KTAP_EQ(child_status(child_intr_attach, child_intr_attach_end, QUIET_LINE, KCALL_PRIV_IO),
		-EFAULT);                                               /* its NULL event */
	pulse_event(&ev, coid, 5);
	int id = InterruptAttachEvent_r(QUIET_LINE, &ev, 0);
	KTAP_REQUIRE(id > 0);
	KTAP_EQ(child_status(child_intr_detach, child_intr_detach_end, (uint64_t)id, KCALL_PRIV_IO),
		-EINVAL);                                               /* not its id */
	KTAP_EQ(child_status(child_intr_unmask, child_intr_unmask_end, QUIET_LINE, KCALL_PRIV_IO),
		-EINVAL);                                               /* not its line */
	KTAP_EQ(InterruptDetach_r(id), 0);                              /* still ours */
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

/* goldfish-rtc registers (QEMU hw/rtc/goldfish_rtc.c layout). */
#define RTC_TIME_LOW        0x00    /* reading it latches TIME_HIGH */
#define RTC_TIME_HIGH       0x04
#define RTC_ALARM_LOW       0x08    /* writing it arms the alarm */
#define RTC_ALARM_HIGH      0x0c
#define RTC_IRQ_ENABLED     0x10
#define RTC_CLEAR_INTERRUPT 0x1c

static volatile uint32_t *rtc;

static uint64_t rtc_now(void)
{
	uint64_t lo = rtc[RTC_TIME_LOW / 4];

	return (uint64_t)rtc[RTC_TIME_HIGH / 4] << 32 | lo;
}

static void rtc_alarm_in(uint64_t ns)
{
	uint64_t at = rtc_now() + ns;

	rtc[RTC_ALARM_HIGH / 4] = (uint32_t)(at >> 32);
	rtc[RTC_ALARM_LOW / 4] = (uint32_t)at;
}

/* Wait up to ms for a pulse on chid: its code, or the error. */
static int pulse_within(int chid, uint64_t ms, struct _pulse *p)
{
	memset(p, 0, sizeof *p);
	timeout_ms(_NTO_TIMEOUT_RECEIVE, ms);
	int r = MsgReceivePulse_r(chid, p, sizeof *p, 0);
	return r < 0 ? r : p->code;
}

/* End to end on a real device: the RTC's alarm fires its line, the pulse
 * arrives, the line stays masked (a second alarm stays silent) until
 * InterruptUnmask lets it through. */
static void t_interrupt_rtc_alarm_pulse(void)
{
	struct _hw_device d;
	struct sigevent ev;
	struct _pulse p;
	int r = HwInfoDevice_r("google,goldfish-rtc", 0, &d);

	if (r == -ENOENT) {
		ktap_skip("no google,goldfish-rtc in this machine's device tree");
		return;
	}
	KTAP_REQUIRE(r == 0 && d.irq != 0);
	KTAP_REQUIRE(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_PHYS,
			     d.base & ~0xffful) == 0);
	rtc = (volatile uint32_t *)(DEV_VA + (d.base & 0xfff));
	uint64_t t0 = rtc_now();
	KTAP_CHECK(t0 > 0 && rtc_now() >= t0);                          /* it is a clock */
	int chid = ChannelCreate_r(0), coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	pulse_event(&ev, coid, 9);
	int id = InterruptAttachEvent_r((int)d.irq, &ev, 0);
	KTAP_REQUIRE(id > 0);
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	rtc[RTC_IRQ_ENABLED / 4] = 1;
	KTAP_EQ(pulse_within(chid, 30, &p), -ETIMEDOUT);                /* no alarm yet */
	rtc_alarm_in(10 * 1000000ul);
	KTAP_EQ(pulse_within(chid, 2000, &p), 9);
	KTAP_EQ(p.value.sival_int, 0x5ca1ab1e);
	/* Serviced, re-armed, but masked: the next alarm must wait. */
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	rtc_alarm_in(5 * 1000000ul);
	KTAP_EQ(pulse_within(chid, 100, &p), -ETIMEDOUT);
	KTAP_EQ(InterruptUnmask_r((int)d.irq, id), 0);
	KTAP_EQ(pulse_within(chid, 2000, &p), 9);                       /* it was held back */
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	KTAP_EQ(InterruptUnmask_r((int)d.irq, -1), 0);
	/* Detached: an alarm no longer reaches us. */
	KTAP_EQ(InterruptDetach_r(id), 0);
	rtc_alarm_in(5 * 1000000ul);
	KTAP_EQ(pulse_within(chid, 100, &p), -ETIMEDOUT);
	rtc[RTC_IRQ_ENABLED / 4] = 0;
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static uint64_t clock_of(int id)
{
	uint64_t t = 0;

	return ClockTime_r(id, 0, &t) == 0 ? t : ~0ul;
}

static void burn_ms(uint64_t ms)
{
	uint64_t end = now_ns() + ms * 1000000;

	while (now_ns() < end)
		;
}

static volatile int sleeper_go;

static void *sleep_until_told(void *arg)
{
	(void)arg;
	while (!sleeper_go)
		pause_ms(10);
	return 0;
}

static void t_clock_id_cpu_time(void)
{
	int proc = ClockId_r(0, 0), me = ClockId_r(0, (int)my_tid());
	struct _client_info ci;

	KTAP_REQUIRE(proc > 0 && me > 0 && proc != me);
	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	KTAP_EQ(ClockId_r(ci.pid, 0), proc);                            /* by pid, the same */
	uint64_t p0 = clock_of(proc), t0 = clock_of(me), s0 = clock_of(CLOCK_THREAD_CPUTIME_ID);
	KTAP_CHECK(t0 != ~0ul && p0 != ~0ul && s0 != ~0ul);
	KTAP_CHECK(t0 <= p0);
	burn_ms(30);
	uint64_t p1 = clock_of(proc), t1 = clock_of(me), s1 = clock_of(CLOCK_THREAD_CPUTIME_ID);
	KTAP_CHECK(t1 - t0 >= 10000000 && t1 - t0 < 1000000000);       /* it ran ~30 ms */
	KTAP_CHECK(s1 - s0 >= 10000000);
	KTAP_CHECK(p1 - p0 >= t1 - t0 - 1000000);
	KTAP_CHECK(clock_of(CLOCK_PROCESS_CPUTIME_ID) >= p1);
	/* A thread that sleeps uses next to nothing. */
	sleeper_go = 0;
	int tid = urt_thread_create(sleep_until_told, 0, stacks[0], sizeof stacks[0], 0);
	KTAP_REQUIRE(tid > 0);
	int other = ClockId_r(0, tid);
	KTAP_REQUIRE(other > 0);
	pause_ms(20);
	uint64_t o0 = clock_of(other);
	pause_ms(60);
	uint64_t o1 = clock_of(other);
	KTAP_CHECK(o0 != ~0ul && o1 >= o0 && o1 - o0 < 20000000);
	sleeper_go = 1;
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(ClockTime_r(other, 0, &o1), -EINVAL);                   /* went stale with it */
	KTAP_EQ(ClockId_r(0, tid), -ESRCH);
	/* Errors. */
	uint64_t set = 5;
	KTAP_EQ(ClockTime_r(proc, &set, 0), -EINVAL);                   /* read only */
	KTAP_EQ(ClockTime_r(CLOCK_THREAD_CPUTIME_ID, &set, 0), -EINVAL);
	KTAP_EQ(ClockTime_r(proc, 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(ClockId_r(999999, 0), -ESRCH);
	KTAP_EQ(ClockId_r(-3, 0), -ESRCH);
	KTAP_EQ(ClockId_r(0, 0x7fff00f0), -ESRCH);
	KTAP_EQ(ClockTime_r(0x7fffffff, 0, &set), -EINVAL);
	KTAP_EQ(ClockId(999999, 0), -1);
	KTAP_EQ(errno, ESRCH);
}

/* MsgSendsv: the message from one buffer, the reply into a vector;
 * MsgSendvs the other way round.  Truncation works as with vectors. */
static void t_msg_send_scalar_forms(void)
{
	static struct server s;
	char a[4] = { 0 }, b[16] = { 0 }, one[16] = { 0 };
	iov_t riov[2], siov[2];

	int tid = start_server(&s, SRV_ECHO_UPPER, 0), coid = connect_to(&s);
	KTAP_REQUIRE(tid > 0 && coid >= 0);
	SETIOV(&riov[0], a, sizeof a);
	SETIOV(&riov[1], b, 6);
	KTAP_EQ(MsgSendsv_r(coid, "abcdefghij", 10, riov, 2), 7);
	KTAP_CHECK(!memcmp(a, "ABCD", 4) && !memcmp(b, "EFGHIJ", 6));
	finish(&s, tid, coid);
	KTAP_EQ(s.info.srcmsglen, 10);
	KTAP_EQ(s.info.dstmsglen, 10);

	tid = start_server(&s, SRV_ECHO_UPPER, 0);
	coid = connect_to(&s);
	KTAP_REQUIRE(tid > 0 && coid >= 0);
	SETIOV(&siov[0], "keel ", 5);
	SETIOV(&siov[1], "calls", 6);
	KTAP_EQ(MsgSendvs_r(coid, siov, 2, one, sizeof one), 7);
	KTAP_CHECK(!strcmp(one, "KEEL CALLS"));
	finish(&s, tid, coid);
	KTAP_EQ(s.info.srcmsglen, 11);
	KTAP_EQ(s.info.dstmsglen, 16);

	int chid = ChannelCreate_r(0);
	coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	KTAP_EQ(MsgSendsv_r(coid, KERNEL_ADDR, 8, riov, 2), -EFAULT);
	KTAP_EQ(MsgSendsv_r(coid, "x", -1l, riov, 2), -EINVAL);
	KTAP_EQ(MsgSendsv_r(coid, "x", 1, riov, 100), -EINVAL);
	KTAP_EQ(MsgSendsv_r(coid, "x", 1, KERNEL_ADDR, 1), -EFAULT);
	KTAP_EQ(MsgSendvs_r(coid, siov, 2, KERNEL_ADDR, 16), -EFAULT);
	KTAP_EQ(MsgSendvs_r(coid, siov, 100, one, 16), -EINVAL);
	KTAP_EQ(MsgSendvs_r(coid, KERNEL_ADDR, 1, one, 16), -EFAULT);
	ConnectDetach_r(coid);
	KTAP_EQ(MsgSendsv_r(coid, "x", 1, riov, 2), -EBADF);
	KTAP_EQ(MsgSendvs(coid, siov, 2, one, 16), -1);
	KTAP_EQ(errno, EBADF);
	ChannelDestroy_r(chid);
}

/* ---- ending other threads (ThreadDestroy) ----------------------------------------- */

#define KILLED_STATUS 0x5eedl

static volatile int victim_ready;

/* Join tid, but give up after ms: a thread that was not made to end would
 * otherwise hang the whole run.  The join's result, or its status. */
static long join_within(int tid, uint64_t ms)
{
	void *st = 0;

	timeout_ms(_NTO_TIMEOUT_JOIN, ms);
	int r = ThreadJoin_r(tid, &st);
	return r ? r : (long)st;
}

/* Start fn(arg) on a thread at priority 10, wait until it is about to block
 * (it sets victim_ready) and a little more, destroy it and join it: returns
 * the status its joiner saw, or a code below -1000 naming the step that
 * failed. */
/* Waits up to ms for the kernel to report thread tid in `state`; returns
 * the state it reported last. */
static int wait_state(int tid, int state, uint64_t ms)
{
	uint64_t end = now_ns() + ms * 1000000;
	int r;

	while ((r = ThreadState_r(tid)) != state && now_ns() < end)
		pause_ms(1);
	return r;
}

/* Starts fn(arg), waits until the kernel says it is blocked in `state`,
 * destroys it; returns its join status, or -3000 - the state it was in if
 * it never got there. */
static long destroy_when_blocked(void *(*fn)(void *), void *arg, int state)
{
	victim_ready = 0;
	int tid = urt_thread_create(fn, arg, stacks[3], sizeof stacks[3], 10);
	if (tid <= 0)
		return -1000;
	for (int i = 0; i < 1000 && victim_ready != 1; i++)
		pause_ms(1);
	int now = wait_state(tid, state, 3000);
	if (now != state) {
		ktap_diag("victim %d is in state %d, not %d, after 3 s", tid, now, state);
		ThreadDestroy_r(tid, -1, 0);
		join_within(tid, 3000);
		return -3000 - now;
	}
	int r = ThreadDestroy_r(tid, -1, (void *)KILLED_STATUS);
	if (r)
		return -2000 + r;
	return join_within(tid, 3000);
}

static volatile int spinning;

static void *spin_forever(void *arg)
{
	(void)arg;
	for (;;)
		__atomic_add_fetch(&spinning, 1, __ATOMIC_RELAXED);     /* never enters the kernel */
	return 0;
}

static void t_thread_destroy_arguments(void)
{
	int tid = urt_thread_create(return_42, 0, stacks[0], sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadDestroy_r(tid, 999, 0), -EINVAL);                 /* priority */
	KTAP_EQ(ThreadDestroy_r(tid, 0, 0), -EINVAL);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(ThreadDestroy_r(tid, -1, 0), -ESRCH);                   /* gone */
	KTAP_EQ(ThreadDestroy_r(0x7fff0042, -1, 0), -ESRCH);
	KTAP_EQ(ThreadDestroy_r(-2, -1, 0), -ESRCH);
	/* A thread already inside its own end (its THREADDEATH pulse is out)
	 * keeps its own status, whatever ThreadDestroy answers meanwhile. */
	int chid = ChannelCreate_r(_NTO_CHF_THREAD_DEATH);
	struct _pulse p;
	tid = urt_thread_create(return_42, 0, stacks[0], sizeof stacks[0], 10);
	KTAP_REQUIRE(tid > 0 && chid > 0);
	memset(&p, 0, sizeof p);
	while (p.value.sival_int != tid && timeout_ms(_NTO_TIMEOUT_RECEIVE, 3000) == 0 &&
	       MsgReceivePulse_r(chid, &p, sizeof p, 0) == 0)
		;
	KTAP_EQ(p.value.sival_int, tid);
	int r = ThreadDestroy_r(tid, -1, (void *)KILLED_STATUS);
	KTAP_CHECK(r == 0 || r == -ESRCH);
	KTAP_EQ(join_within(tid, 3000), 42);
	ChannelDestroy_r(chid);
}

/* A thread that runs in user mode and never makes a call, on another hart
 * when there is one: stopped by an interrupt. */
static void t_thread_destroy_running(void)
{
	spinning = 0;
	int tid = urt_thread_create(spin_forever, 0, stacks[0], sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	for (int i = 0; i < 1000 && spinning < 1000; i++)
		pause_ms(1);
	KTAP_CHECK(spinning >= 1000);                                    /* it ran */
	KTAP_EQ(ThreadDestroy_r(tid, -1, (void *)KILLED_STATUS), 0);
	KTAP_EQ(join_within(tid, 3000), KILLED_STATUS);
	int before = spinning;
	pause_ms(5);
	KTAP_EQ(spinning, before);                                       /* and runs no more */
}

static void *receive_forever(void *arg)
{
	char b[8];

	victim_ready = 1;
	MsgReceive_r((int)(long)arg, b, sizeof b, 0);
	return (void *)1l;
}

/* The dead receiver takes nothing: a pulse sent afterwards is still there. */
static void t_thread_destroy_receive_blocked(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	struct _pulse p;

	KTAP_EQ(destroy_when_blocked(receive_forever, (void *)(long)chid, STATE_RECEIVE), KILLED_STATUS);
	KTAP_EQ(MsgSendPulse_r(coid, 10, 5, 55), 0);
	memset(&p, 0, sizeof p);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 1000), 0);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, 5);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static void *send_forever(void *arg)
{
	char r[4];

	victim_ready = 1;
	MsgSend_r((int)(long)arg, "dead", 5, r, sizeof r);
	return (void *)1l;
}

/* A SEND-blocked client that is destroyed leaves the queue: nobody receives
 * its message afterwards. */
static void t_thread_destroy_send_blocked(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	char b[8];

	KTAP_EQ(destroy_when_blocked(send_forever, (void *)(long)coid, STATE_SEND), KILLED_STATUS);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 20), 0);
	KTAP_EQ(MsgReceive_r(chid, b, sizeof b, 0), -ETIMEDOUT);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

/* A REPLY-blocked client that is destroyed: the server's reply finds nobody. */
static void t_thread_destroy_reply_blocked(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	char b[8];

	int tid = urt_thread_create(send_forever, (void *)(long)coid, stacks[3], sizeof stacks[3], 10);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 2000), 0);
	int rcvid = MsgReceive_r(chid, b, sizeof b, 0);
	KTAP_EQ(rcvid, tid);
	/* A sender that found us waiting may still be on its way into REPLY
	 * on its own hart: wait until the kernel reports it there. */
	KTAP_EQ(wait_state(tid, STATE_REPLY, 2000), STATE_REPLY);
	KTAP_EQ(ThreadDestroy_r(tid, -1, (void *)KILLED_STATUS), 0);
	KTAP_EQ(join_within(tid, 3000), KILLED_STATUS);
	KTAP_EQ(MsgReply_r(rcvid, 0, "x", 1), -ESRCH);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static sync_t dm_mutex, dm_cond, dm_sem;

static void *lock_dm_mutex(void *arg)
{
	victim_ready = 1;
	SyncMutexLock_r(&dm_mutex);
	return arg;
}

/* A destroyed mutex waiter is not handed the mutex: the unlock frees it. */
static void t_thread_destroy_mutex_blocked(void)
{
	uint32_t me = my_tid();

	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &dm_mutex, 0), 0);
	mutex_lock(&dm_mutex, me);
	KTAP_EQ(destroy_when_blocked(lock_dm_mutex, 0, STATE_MUTEX), KILLED_STATUS);
	mutex_unlock(&dm_mutex, me);
	KTAP_EQ(dm_mutex.__owner, 0);
	KTAP_EQ(SyncDestroy_r(&dm_mutex), 0);                            /* nothing left inside */
}

static void *wait_dm_cond(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&dm_mutex, me);
	victim_ready = 2;               /* 1 once the wait has let the mutex go */
	SyncCondvarWait_r(&dm_cond, &dm_mutex);
	mutex_unlock(&dm_mutex, me);
	return arg;
}

static void *watch_dm_cond(void *arg)
{
	while (victim_ready != 2)
		pause_ms(1);
	while (dm_mutex.__owner)        /* the waiter is in the kernel: it let the mutex go */
		pause_ms(1);
	victim_ready = 1;
	return arg;
}

/* A destroyed condvar waiter does not take the mutex back on its way out. */
static void t_thread_destroy_condvar_blocked(void)
{
	uint32_t me = my_tid();

	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &dm_mutex, 0), 0);
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_COND, &dm_cond, 0), 0);
	int watcher = urt_thread_create(watch_dm_cond, 0, stacks[2], sizeof stacks[2], 10);
	KTAP_REQUIRE(watcher > 0);
	KTAP_EQ(destroy_when_blocked(wait_dm_cond, 0, STATE_CONDVAR), KILLED_STATUS);
	KTAP_EQ(join_within(watcher, 3000), 0);
	KTAP_EQ(dm_mutex.__owner, 0);
	mutex_lock(&dm_mutex, me);
	KTAP_EQ(dm_mutex.__owner, me);
	mutex_unlock(&dm_mutex, me);
	KTAP_EQ(SyncCondvarSignal_r(&dm_cond, 1), 0);
}

static void *wait_dm_sem(void *arg)
{
	victim_ready = 1;
	SyncSemWait_r(&dm_sem, 0);
	return arg;
}

/* A destroyed semaphore waiter takes no unit: a later post is still there. */
static void t_thread_destroy_sem_blocked(void)
{
	dm_sem.__count = 0;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &dm_sem, 0), 0);
	KTAP_EQ(destroy_when_blocked(wait_dm_sem, 0, STATE_SEM), KILLED_STATUS);
	KTAP_EQ(SyncSemPost_r(&dm_sem), 0);
	KTAP_EQ(SyncSemWait_r(&dm_sem, 1), 0);
}

static void *join_arg(void *arg)
{
	victim_ready = 1;
	ThreadJoin_r((int)(long)arg, 0);
	return (void *)1l;
}

/* A destroyed joiner does not consume the thread it waited for. */
static void t_thread_destroy_join_blocked(void)
{
	dm_sem.__count = 0;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &dm_sem, 0), 0);
	int waiter = urt_thread_create(wait_dm_sem, (void *)9l, stacks[0], sizeof stacks[0], 10);
	KTAP_REQUIRE(waiter > 0);
	KTAP_EQ(destroy_when_blocked(join_arg, (void *)(long)waiter, STATE_JOIN), KILLED_STATUS);
	KTAP_EQ(SyncSemPost_r(&dm_sem), 0);
	KTAP_EQ(join_within(waiter, 3000), 9);
}

static void *sleep_long(void *arg)
{
	victim_ready = 1;
	pause_ms(10000);
	return arg;
}

/* A thread asleep on a timer ends at once, not when its timer runs out. */
static void t_thread_destroy_sleeping(void)
{
	uint64_t t0 = now_ns();

	KTAP_EQ(destroy_when_blocked(sleep_long, 0, STATE_RECEIVE), KILLED_STATUS);
	KTAP_CHECK(now_ns() - t0 < 5000000000ull);
}

/* ---- DISCONNECT: once per client process, after its last connection ---------------- */

static void t_disconnect_after_last_connection(void)
{
	struct _client_info ci;
	struct _pulse p;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT);
	int a = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	int b = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);

	KTAP_REQUIRE(a >= 0 && b >= 0);
	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	KTAP_EQ(ConnectDetach_r(a), 0);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 20), 0);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), -ETIMEDOUT);       /* b still connects us */
	KTAP_EQ(ConnectDetach_r(b), 0);
	memset(&p, 0, sizeof p);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 1000), 0);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, _PULSE_CODE_DISCONNECT);
	KTAP_EQ(p.scoid, ci.pid);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 20), 0);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), -ETIMEDOUT);       /* only one */
	KTAP_EQ(ConnectDetach_r(b), -EINVAL);
	ChannelDestroy_r(chid);
}

/* ---- a child that is a copy of this program ---------------------------------------- */

extern char __data_start[], _end[];

#define CLONE_STACK_TOP  0x40000000ul
#define CLONE_STACK_SIZE 0x8000ul

/* The child's first instructions: gp for its copy of our data, then
 * clone_main(fn, arg) on the stack ProcessStart gave it. */
__asm__(".pushsection .text\n"
	".globl clone_entry\n"
	"clone_entry:\n"
	".option push\n.option norelax\n lla gp, __global_pointer$\n.option pop\n"
	" call clone_main\n"
	"8: j 8b\n"
	".popsection\n");
extern const char clone_entry[];

__attribute__((used, noreturn)) void clone_main(void (*fn)(long), long arg);

void clone_main(void (*fn)(long), long arg)
{
	fn(arg);
	ProcessExit(0);
}

/* Start a process that runs fn(arg) in a copy of this program as it is now
 * (text, data and bss at the same addresses, its own stack); its pid. */
static int start_clone(void (*fn)(long), long arg)
{
	uintptr_t text = 0x10000, data = (uintptr_t)__data_start;
	uintptr_t end = ((uintptr_t)_end + 4095) & ~4095ul;
	struct _proc_start st;
	int as = AsCreate_r();

	if (as <= 0)
		return as;
	if (AsMap_r(as, text, data - text, PROT_READ | PROT_EXEC, AS_MAP_ANON, 0) ||
	    AsMap_r(as, data, end - data, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0) ||
	    AsMap_r(as, CLONE_STACK_TOP - CLONE_STACK_SIZE, CLONE_STACK_SIZE,
		    PROT_READ | PROT_WRITE, AS_MAP_ANON, 0) ||
	    AsWrite_r(as, text, (const void *)text, data - text) ||
	    AsWrite_r(as, data, (const void *)data, end - data)) {
		AsDestroy_r(as);
		return -1000;
	}
	memset(&st, 0, sizeof st);
	st.entry = (uint64_t)clone_entry;
	st.sp = CLONE_STACK_TOP;
	st.argc = (uint64_t)fn;
	st.argv = (uint64_t)arg;
	return ProcessStart_r(as, &st);
}

/* Wait up to ms for child pid to end (without blocking for good: a child
 * that never ends fails the case instead of hanging the run). */
static int wait_child_within(int pid, struct _proc_exit *ex, uint64_t ms)
{
	int r = -EAGAIN;

	for (uint64_t i = 0; i < ms / 5 && (r = ProcessWait_r(pid, ex, _PROC_WAIT_NOHANG)) == -EAGAIN; i++)
		pause_ms(5);
	return r;
}

/* ---- a process's end ends all its threads ----------------------------------------- */

/* The many-threads child (each child has its own copy of these). */
#define KID_EXIT_STATUS    33
#define KID_DESTROY_STATUS 44
#define KID_THREADS        10

static char kid_stacks[KID_THREADS][4096] __attribute__((aligned(16)));
static sync_t kid_mutex, kid_mutex2, kid_sem, kid_cond;
static int kid_parent_coid[2], kid_recv_chid, kid_send_coid;
static volatile int kid_spin_count, kid_got_message;

static void *kid_spin(void *arg)
{
	for (;;)
		__atomic_add_fetch(&kid_spin_count, 1, __ATOMIC_RELAXED);
	return arg;
}

static void *kid_receive(void *arg)
{
	char b[8];

	for (;;)
		if (MsgReceive_r(kid_recv_chid, b, sizeof b, 0) > 0)
			kid_got_message = 1;            /* and never replies */
	return arg;
}

static void *kid_send(void *arg)
{
	char r[8];

	MsgSend_r((int)(long)arg, "kid", 4, r, sizeof r);
	return arg;
}

static void *kid_lock(void *arg)
{
	SyncMutexLock_r(&kid_mutex);
	return arg;
}

static void *kid_sem_wait(void *arg)
{
	SyncSemWait_r(&kid_sem, 0);
	return arg;
}

static void *kid_cond_wait(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&kid_mutex2, me);
	SyncCondvarWait_r(&kid_cond, &kid_mutex2);
	return arg;
}

static void *kid_join(void *arg)
{
	ThreadJoin_r((int)(long)arg, 0);
	return arg;
}

static void *kid_destroy_all(void *arg)
{
	pause_ms(10);
	ThreadDestroy_r(-1, -1, (void *)KID_DESTROY_STATUS);
	return arg;
}

/* arg: parent pid << 16 | parent chid, bit 32: end through ThreadDestroy(-1)
 * from another thread instead of ProcessExit.  Leaves threads spinning in
 * user mode (on other harts when there are), RECEIVE-, SEND-, REPLY-,
 * mutex-, semaphore-, condvar- and join-blocked, with two connections to
 * the parent's channel and its own channel 1 open to the parent; ends with
 * status 100 + n if thread n could not start. */
static void kid_many_threads(long arg)
{
	int ppid = (int)(arg >> 16 & 0xffff), pchid = (int)(arg & 0xffff);
	uint32_t me = my_tid();
	int n = 0, tid[KID_THREADS];

	kid_recv_chid = ChannelCreate_r(0);                     /* 1: the first */
	for (int i = 0; i < 2; i++)
		kid_parent_coid[i] = ConnectAttach_r(ND_LOCAL_NODE, ppid, pchid, 0, 0);
	kid_send_coid = ConnectAttach_r(ND_LOCAL_NODE, 0, ChannelCreate_r(0), 0, 0);
	kid_sem.__count = 0;
	SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &kid_mutex, 0);
	SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &kid_mutex2, 0);
	SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &kid_sem, 0);
	SyncTypeCreate_r(_NTO_SYNC_TYPE_COND, &kid_cond, 0);
	mutex_lock(&kid_mutex, me);
	tid[n] = urt_thread_create(kid_spin, 0, kid_stacks[n], sizeof kid_stacks[n], 9), n++;
	tid[n] = urt_thread_create(kid_spin, 0, kid_stacks[n], sizeof kid_stacks[n], 9), n++;
	tid[n] = urt_thread_create(kid_receive, 0, kid_stacks[n], sizeof kid_stacks[n], 10), n++;
	tid[n] = urt_thread_create(kid_send, (void *)(long)kid_send_coid, kid_stacks[n],
				   sizeof kid_stacks[n], 10), n++;
	tid[n] = urt_thread_create(kid_send, (void *)(long)kid_parent_coid[0], kid_stacks[n],
				   sizeof kid_stacks[n], 10), n++;
	tid[n] = urt_thread_create(kid_lock, 0, kid_stacks[n], sizeof kid_stacks[n], 10), n++;
	tid[n] = urt_thread_create(kid_sem_wait, 0, kid_stacks[n], sizeof kid_stacks[n], 10), n++;
	tid[n] = urt_thread_create(kid_cond_wait, 0, kid_stacks[n], sizeof kid_stacks[n], 10), n++;
	tid[n] = urt_thread_create(kid_join, (void *)(long)tid[0], kid_stacks[n],
				   sizeof kid_stacks[n], 10), n++;
	for (int i = 0; i < n; i++)
		if (tid[i] <= 0)
			ProcessExit(100 + i);
	pause_ms(30);                   /* everyone blocked or spinning by now */
	for (int i = 0; i < 400 && !kid_got_message; i++)
		pause_ms(5);            /* the parent's client is REPLY-blocked on us */
	if (arg >> 32) {
		if (urt_thread_create(kid_destroy_all, 0, kid_stacks[n], sizeof kid_stacks[n], 10) <= 0)
			ProcessExit(100 + n);
		pause_ms(10000);        /* killed meanwhile */
		ProcessExit(99);
	}
	ProcessExit(KID_EXIT_STATUS);
}

static volatile long kid_client_rc;

static void *send_to_kid(void *arg)
{
	char r[4];

	kid_client_rc = MsgSend_r((int)(long)arg, "hi", 3, r, sizeof r);
	return 0;
}

/* One many-threads child: it must end with `status` however its threads
 * were blocked, its REPLY-blocked thread's message must find nobody, our
 * thread REPLY-blocked on it must get an error, and its two connections
 * must bring exactly one DISCONNECT.  0, or the step that went wrong. */
static int kid_round(int chid, int mypid, bool destroy_all, int status)
{
	struct _proc_exit ex;
	struct _pulse p;
	char b[8];
	int pid = start_clone(kid_many_threads, (long)mypid << 16 | chid | (long)destroy_all << 32);
	int coid = -1, client = -1;

	if (pid <= 1)
		return 1;
	timeout_ms(_NTO_TIMEOUT_RECEIVE, 3000);
	int rcvid = MsgReceive_r(chid, b, sizeof b, 0);      /* its client thread's message */
	if (rcvid <= 0 || strcmp(b, "kid"))
		return 2;
	kid_client_rc = 1;
	coid = ConnectAttach_r(ND_LOCAL_NODE, pid, 1, _NTO_SIDE_CHANNEL, 0);
	if (coid >= 0)
		client = urt_thread_create(send_to_kid, (void *)(long)coid, stacks[0],
					   sizeof stacks[0], 10);
	if (wait_child_within(pid, &ex, 5000) != pid)
		return 3;
	if (ex.how != _PROC_EXITED || ex.status != status)
		return 400 + ex.status;
	if (MsgReply_r(rcvid, 0, 0, 0) != -ESRCH)
		return 5;
	if (client <= 0 || join_within(client, 3000) != 0 || kid_client_rc != -ESRCH)
		return 8;
	ConnectDetach_r(coid);
	memset(&p, 0, sizeof p);
	timeout_ms(_NTO_TIMEOUT_RECEIVE, 1000);
	if (MsgReceive_r(chid, &p, sizeof p, 0) != 0 || p.code != _PULSE_CODE_DISCONNECT ||
	    p.scoid != pid)
		return 6;
	timeout_ms(_NTO_TIMEOUT_RECEIVE, 10);
	if (MsgReceive_r(chid, &p, sizeof p, 0) != -ETIMEDOUT)
		return 7;                               /* a second DISCONNECT */
	return 0;
}

/* Enough rounds that leaked thread slots (256 in all) would run out. */
#define KID_ROUNDS 30

static void t_process_end_kills_all_threads(void)
{
	struct _client_info ci;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT);
	int bad = 0, round;

	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	for (round = 0; round < KID_ROUNDS && !bad; round++)
		bad = kid_round(chid, ci.pid, false, KID_EXIT_STATUS);
	if (bad)
		ktap_diag("round %d: step %d", round - 1, bad);
	KTAP_EQ(bad, 0);
	ChannelDestroy_r(chid);
}

static void t_thread_destroy_all_ends_process(void)
{
	struct _client_info ci;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT);
	int bad = 0, round;

	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	for (round = 0; round < 3 && !bad; round++)
		bad = kid_round(chid, ci.pid, true, KID_DESTROY_STATUS);
	if (bad)
		ktap_diag("round %d: step %d", round - 1, bad);
	KTAP_EQ(bad, 0);
	ChannelDestroy_r(chid);
}

/* ---- priority inheritance on user mutexes ------------------------------------------ */

#define PI_LOW  6
#define PI_MID  8
#define PI_HIGH 20

static sync_t pi_m1, pi_m2, pi_go;
static volatile int pi_held, pi_mid_held, pi_low_after, pi_mid_after, pi_high_rc, pi_high_tmo;

/* Thread tid's effective priority (with `base`, its own), or -1. */
static int prio_of(int tid, bool base)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof sp);
	if (SchedGet_r(0, tid, &sp) < 0)
		return -1;
	return base ? sp.sched_priority : sp.sched_curpriority;
}

static int cur_prio(int tid)
{
	return prio_of(tid, false);
}

/* The effective priority of tid once it is `want`, or what it is after 2 s. */
static int wait_for_prio(int tid, int want)
{
	int p = -1;

	for (int i = 0; i < 1000 && (p = cur_prio(tid)) != want; i++)
		pause_ms(2);
	return p;
}

static void wait_for_flag(volatile int *f)
{
	for (int i = 0; i < 2000 && !*f; i++)
		pause_ms(1);
}

/* Low: hold m1 until the go, then report the priority it is back at. */
static int pi_low_chid, pi_low_coid, pi_low_received;     /* pi_owner_boosted */

static void *pi_low(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&pi_m1, me);
	pi_held = 1;
	SyncSemWait_r(&pi_go, 0);
	if (pi_low_chid > 0) {  /* a message at its own priority while still lending */
		struct _pulse p;
		MsgSendPulse_r(pi_low_coid, PI_LOW, 1, 0);
		pi_low_received = MsgReceive_r(pi_low_chid, &p, sizeof p, 0) == 0 ? cur_prio(0) : -1;
	}
	mutex_unlock(&pi_m1, me);
	pi_low_after = cur_prio(0);
	return arg;
}

/* Mid: hold m2 while waiting for m1. */
static void *pi_mid(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&pi_m2, me);
	pi_mid_held = 1;
	mutex_lock(&pi_m1, me);
	mutex_unlock(&pi_m1, me);
	mutex_unlock(&pi_m2, me);
	pi_mid_after = cur_prio(0);
	return arg;
}

/* High: wait for the mutex arg (for pi_high_tmo ms at most, if set). */
static void *pi_high(void *arg)
{
	sync_t *m = arg;
	uint32_t me = my_tid(), free = 0;

	if (pi_high_tmo)
		timeout_ms(_NTO_TIMEOUT_MUTEX, (uint64_t)pi_high_tmo);
	if (__atomic_compare_exchange_n(&m->__owner, &free, me, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		pi_high_rc = 0;
	else
		pi_high_rc = SyncMutexLock_r(m);
	if (pi_high_rc == 0)
		mutex_unlock(m, me);
	return 0;
}

static int pi_setup(void)
{
	pi_held = pi_mid_held = 0;
	pi_low_after = pi_mid_after = pi_high_rc = -1;
	pi_high_tmo = 0;
	pi_go.__count = 0;
	if (SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &pi_m1, 0) ||
	    SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &pi_m2, 0) ||
	    SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &pi_go, 0))
		return -1;
	int low = urt_thread_create(pi_low, 0, stacks[0], sizeof stacks[0], PI_LOW);
	if (low > 0)
		wait_for_flag(&pi_held);
	return pi_held ? low : -1;
}

/* A low-priority owner runs at its high-priority waiter's priority while
 * that waits, and is back at its own once it lets the mutex go. */
static void t_pi_owner_boosted(void)
{
	/* Low also receives a pulse while lending: MsgReceive drops the
	 * priority a client lent, not what its mutex's waiter lends. */
	pi_low_chid = ChannelCreate_r(0);
	pi_low_coid = ConnectAttach_r(ND_LOCAL_NODE, 0, pi_low_chid, 0, 0);
	pi_low_received = -1;
	KTAP_REQUIRE(pi_low_chid > 0 && pi_low_coid >= 0);
	int low = pi_setup();

	KTAP_REQUIRE(low > 0);
	KTAP_EQ(cur_prio(low), PI_LOW);
	int high = urt_thread_create(pi_high, &pi_m1, stacks[1], sizeof stacks[1], PI_HIGH);
	KTAP_REQUIRE(high > 0);
	KTAP_EQ(wait_for_prio(low, PI_HIGH), PI_HIGH);
	KTAP_EQ(prio_of(low, true), PI_LOW);
	KTAP_EQ(SyncSemPost_r(&pi_go), 0);
	KTAP_EQ(join_within(high, 3000), 0);
	KTAP_EQ(join_within(low, 3000), 0);
	KTAP_EQ(pi_high_rc, 0);
	KTAP_EQ(pi_low_received, PI_HIGH);
	KTAP_EQ(pi_low_after, PI_LOW);
	KTAP_EQ(ConnectDetach_r(pi_low_coid), 0);
	KTAP_EQ(ChannelDestroy_r(pi_low_chid), 0);
	pi_low_chid = 0;
}

/* High waits for m2, held by mid, which waits for m1, held by low: both
 * run at high's priority until the chain unwinds. */
static void t_pi_chain(void)
{
	int low = pi_setup();

	KTAP_REQUIRE(low > 0);
	int mid = urt_thread_create(pi_mid, 0, stacks[1], sizeof stacks[1], PI_MID);
	KTAP_REQUIRE(mid > 0);
	wait_for_flag(&pi_mid_held);
	KTAP_EQ(wait_for_prio(low, PI_MID), PI_MID);
	int high = urt_thread_create(pi_high, &pi_m2, stacks[2], sizeof stacks[2], PI_HIGH);
	KTAP_REQUIRE(high > 0);
	KTAP_EQ(wait_for_prio(mid, PI_HIGH), PI_HIGH);
	KTAP_EQ(wait_for_prio(low, PI_HIGH), PI_HIGH);
	KTAP_EQ(SyncSemPost_r(&pi_go), 0);
	KTAP_EQ(join_within(high, 3000), 0);
	KTAP_EQ(join_within(mid, 3000), 0);
	KTAP_EQ(join_within(low, 3000), 0);
	KTAP_EQ(pi_high_rc, 0);
	KTAP_EQ(pi_low_after, PI_LOW);
	KTAP_EQ(pi_mid_after, PI_MID);
}

/* The boost ends when the waiter stops waiting: a timeout, or its end. */
static void t_pi_waiter_leaves(void)
{
	int low = pi_setup();

	KTAP_REQUIRE(low > 0);
	pi_high_tmo = 500;
	int high = urt_thread_create(pi_high, &pi_m1, stacks[1], sizeof stacks[1], PI_HIGH);
	KTAP_REQUIRE(high > 0);
	KTAP_EQ(wait_for_prio(low, PI_HIGH), PI_HIGH);
	KTAP_EQ(join_within(high, 3000), 0);
	KTAP_EQ(pi_high_rc, -ETIMEDOUT);
	KTAP_EQ(cur_prio(low), PI_LOW);
	pi_high_tmo = 0;
	high = urt_thread_create(pi_high, &pi_m1, stacks[1], sizeof stacks[1], PI_HIGH);
	KTAP_REQUIRE(high > 0);
	KTAP_EQ(wait_for_prio(low, PI_HIGH), PI_HIGH);
	KTAP_EQ(ThreadDestroy_r(high, -1, (void *)KILLED_STATUS), 0);
	KTAP_EQ(join_within(high, 3000), KILLED_STATUS);
	KTAP_EQ(cur_prio(low), PI_LOW);
	KTAP_EQ(SyncSemPost_r(&pi_go), 0);
	KTAP_EQ(join_within(low, 3000), 0);
	KTAP_EQ(pi_m1.__owner, 0);
}


/* ---- a condvar and its mutex in the same kernel hash bucket ------------------------- */

#define CV_PAIRS  128
#define CV_ROUNDS 25

static sync_t cvp_mutex[CV_PAIRS], cvp_cond;
static volatile int cvp_turn, cvp_pair;

static void cvp_rounds(int side, uint32_t me)
{
	sync_t *m = &cvp_mutex[cvp_pair];

	for (int i = 0; i < CV_ROUNDS; i++) {
		mutex_lock(m, me);
		while (cvp_turn != side)
			SyncCondvarWait_r(&cvp_cond, m);
		cvp_turn = !side;
		SyncCondvarSignal_r(&cvp_cond, 0);
		mutex_unlock(m, me);
	}
}

static void *cvp_other(void *arg)
{
	cvp_rounds(1, my_tid());
	return arg;
}

/* Ping-pong on one condvar with each of many mutexes in turn: some of them
 * share the condvar's kernel hash bucket, where a waiter that let its
 * mutex go through the bucket lock, while its signaller held that lock
 * waiting for the waiter to leave its hart, hung both harts. */
static void t_condvar_mutex_same_bucket(void)
{
	uint32_t me = my_tid();
	int bad = 0;

	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_COND, &cvp_cond, 0), 0);
	for (int k = 0; k < CV_PAIRS && !bad; k++) {
		cvp_pair = k;
		cvp_turn = 0;
		SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &cvp_mutex[k], 0);
		int tid = urt_thread_create(cvp_other, 0, stacks[0], sizeof stacks[0], 10);
		if (tid <= 0) {
			bad = 1;
			break;
		}
		cvp_rounds(0, me);
		bad = join_within(tid, 5000) != 0;
	}
	KTAP_EQ(bad, 0);
}

static const struct ktap_case cases[] = {
	{ "null_call", t_null_call },
	{ "unknown_call_enosys", t_unknown_call_enosys },
	{ "debug_string_bad_pointers", t_debug_string_bad_pointers },
	{ "clock_time", t_clock },
	{ "channel_ids", t_channel_ids },
	{ "connection_ids", t_connection_ids },
	{ "send_receive_reply", t_send_receive_reply },
	{ "truncation_both_ways", t_truncation_both_ways },
	{ "msg_error", t_msg_error },
	{ "msg_read_offset", t_msg_read_offset },
	{ "msg_info_and_write", t_msg_info_and_write },
	{ "sched_get_set", t_sched_get_set },
	{ "client_info", t_client_info },
	{ "bad_pointers_efault", t_bad_pointers_efault },
	{ "stale_ids", t_stale_ids },
	{ "pulses_by_priority", t_pulses_by_priority },
	{ "thread_create_join", t_thread_create_join },
	{ "sched_yield", t_yield },
	{ "mutex_exact_count", t_mutex_exact_count },
	{ "mutex_errors", t_mutex_errors },
	{ "condvar_ping_pong", t_condvar_ping_pong },
	{ "semaphore", t_semaphore },
	{ "timeout_send_and_receive", t_timeout_send_and_receive },
	{ "timeout_reply", t_timeout_reply },
	{ "timeout_mutex_and_sem", t_timeout_mutex_and_sem },
	{ "unblock_pulse", t_unblock_pulse },
	{ "thread_death_pulse", t_thread_death_pulse },
	{ "receive_pulse_skips_messages", t_receive_pulse_skips_messages },
	{ "timer_pulses", t_timer_pulses },
	{ "deliver_event", t_deliver_event },
	{ "process_start_and_wait", t_process_start_and_wait },
	{ "unprivileged_child_gets_eperm", t_unprivileged_child_gets_eperm },
	{ "as_calls_check_arguments", t_as_calls_check_arguments },
	{ "connect_attach_bad_node", t_connect_attach_bad_node },
	{ "receive_bad_channel", t_receive_bad_channel },
	{ "channel_destroy_wakes_receiver", t_channel_destroy_wakes_receiver },
	{ "pulse_pool_exhaustion", t_pulse_pool_exhaustion },
	{ "thread_create_bad_args", t_thread_create_bad_args },
	{ "thread_detach", t_thread_detach },
	{ "thread_state_as_the_kernel_sees_it", t_thread_state },
	{ "clock_set_realtime", t_clock_set_realtime },
	{ "timer_disarm", t_timer_disarm },
	{ "receiver_inherits_priority", t_receiver_inherits_priority },
	{ "sync_destroy_busy", t_sync_destroy_busy },
	{ "msg_error_and_read_arguments", t_msg_error_zero_is_einval },
	{ "zero_length_round_trip", t_zero_length_round_trip },
	{ "iov_gather_scatter", t_iov_gather_scatter },
	{ "senders_queue_by_priority", t_senders_queue_by_priority },
	{ "many_receivers_one_channel", t_many_receivers_one_channel },
	{ "pulse_codes_and_side_channel", t_pulse_codes_and_side_channel },
	{ "thread_ids_unique", t_thread_ids_unique },
	{ "semaphore_bad_count", t_semaphore_bad_count },
	{ "process_wait_nohang", t_process_wait_nohang },
	{ "as_protect_then_run", t_as_protect_then_run },
	{ "msg_read_past_end_write_kept", t_msg_read_past_end_write_kept },
	{ "connection_to_recreated_channel_is_stale", t_connection_to_recreated_channel_is_stale },
	{ "thread_join_self_and_others", t_thread_join_self_and_others },
	{ "sched_set_other_thread", t_sched_set_other_thread },
	{ "condvar_broadcast", t_condvar_broadcast },
	{ "privileged_calls_allowed_for_init", t_privileged_calls_allowed_for_init },
	{ "timer_arguments", t_timer_arguments },
	{ "disconnect_pulse_when_client_dies", t_disconnect_pulse_when_client_dies },
	{ "coiddeath_pulse_when_server_dies", t_coiddeath_pulse_when_server_dies },
	{ "hwinfo_device", t_hwinfo_device },
	{ "as_map_phys_checks", t_as_map_phys_checks },
	{ "as_unmap", t_as_unmap },
	{ "as_map_out_of_memory_enomem_nothing_left", t_as_map_oom },
	{ "as_prot_none_and_executable_devices_refused", t_as_prot_none },
	{ "as_phys_unprivileged_eperm", t_as_phys_unprivileged_eperm },
	{ "interrupt_arguments", t_interrupt_arguments },
	{ "interrupt_privileges", t_interrupt_privileges },
	{ "interrupt_rtc_alarm_pulse", t_interrupt_rtc_alarm_pulse },
	{ "clock_id_cpu_time", t_clock_id_cpu_time },
	{ "msg_send_scalar_forms", t_msg_send_scalar_forms },
	{ "thread_destroy_arguments", t_thread_destroy_arguments },
	{ "thread_destroy_running", t_thread_destroy_running },
	{ "thread_destroy_receive_blocked", t_thread_destroy_receive_blocked },
	{ "thread_destroy_send_blocked", t_thread_destroy_send_blocked },
	{ "thread_destroy_reply_blocked", t_thread_destroy_reply_blocked },
	{ "thread_destroy_mutex_blocked", t_thread_destroy_mutex_blocked },
	{ "thread_destroy_condvar_blocked", t_thread_destroy_condvar_blocked },
	{ "thread_destroy_sem_blocked", t_thread_destroy_sem_blocked },
	{ "thread_destroy_join_blocked", t_thread_destroy_join_blocked },
	{ "thread_destroy_sleeping", t_thread_destroy_sleeping },
	{ "disconnect_after_last_connection", t_disconnect_after_last_connection },
	{ "process_end_kills_all_threads", t_process_end_kills_all_threads },
	{ "thread_destroy_all_ends_process", t_thread_destroy_all_ends_process },
	{ "pi_owner_boosted", t_pi_owner_boosted },
	{ "pi_chain", t_pi_chain },
	{ "pi_waiter_leaves", t_pi_waiter_leaves },
	{ "condvar_mutex_same_bucket", t_condvar_mutex_same_bucket },
};

/* User mode reaches none of the kernel's windows: the direct map of RAM,
 * the kernel stacks, the I/O window, the kernel image.  A child that reads
 * (or writes) a mapped address in each is killed with a fault at exactly
 * that address. */
static void t_kernel_windows_closed_to_user(void)
{
	static const uint64_t probes[] = {
		0xffffffc080200000ul,   /* direct map: where the kernel's RAM is */
		0xffffffd000001000ul,   /* the first kernel stack, above its guard page */
		0xffffffe000000000ul,   /* the I/O window's first mapping (the console UART) */
		0xffffffff80000000ul,   /* the kernel image */
	};
	struct _proc_exit ex;

	for (unsigned i = 0; i < sizeof probes / sizeof probes[0]; i++)
		for (int store = 0; store < 2; store++) {
			int pid = store ? start_child_args(child_store_a0, child_store_a0_end, probes[i], 0)
					: start_child_args(child_load_a0, child_load_a0_end, probes[i], 0);
			KTAP_REQUIRE(pid > 1);
			KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
			KTAP_EQ(ex.how, _PROC_KILLED);
			KTAP_EQ(ex.addr, probes[i]);
			KTAP_EQ(ex.pc, 0x10000);
		}
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	ktap_run(cases, sizeof cases / sizeof cases[0]);
	int failed = ktap_done("ktest-user");

	if (argc > 1 && !strcmp(argv[1], "childfault")) {
		/* A child faulting on purpose prints a fault report: only in the
		 * boot that expects it. */
		static const struct ktap_case faulting[] = {
			{ "child_fault_reported", t_child_fault_reported },
			{ "kernel_windows_closed_to_user", t_kernel_windows_closed_to_user },
		};
		ktap_run(faulting, sizeof faulting / sizeof faulting[0]);
		failed = ktap_done("ktest-user faults");
	}
	if (argc > 1 && !strcmp(argv[1], "fault")) {
		printf("ktest-user: reading a kernel address\n");
		(void)*(volatile int *)KERNEL_ADDR;
		printf("ktest-user: still alive after reading a kernel address\n");
	}
	return failed ? 1 : 0;
}
