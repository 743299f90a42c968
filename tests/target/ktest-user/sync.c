/* ktest-user: sync objects (user fast path, kernel slow path), timeouts on blocking
 * calls, unblock and death notifications, timers that deliver pulses. */
#include "ktest_user.h"

/* ---- sync objects: user fast path, kernel slow path ----------------------------- */

uint32_t my_tid(void)
{
	struct _client_info ci;

	return ConnectClientInfo_r(-1, &ci, 0) == 0 ? (uint32_t)ci.tid : 0;
}

void mutex_lock(sync_t *m, uint32_t me)
{
	uint32_t free = 0;

	if (!__atomic_compare_exchange_n(&m->__owner, &free, me, false, __ATOMIC_ACQUIRE,
					 __ATOMIC_RELAXED))
		SyncMutexLock_r(m);
}

void mutex_unlock(sync_t *m, uint32_t me)
{
	uint32_t mine = me;

	if (!__atomic_compare_exchange_n(&m->__owner, &mine, 0, false, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED))
		SyncMutexUnlock_r(m);           /* waiters: the kernel hands it over */
}

static sync_t counter_lock;
static volatile long counter;

void *count_up(void *arg)
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

void t_mutex_exact_count(void)
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

void t_mutex_errors(void)
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
	/* a semaphore's word is no mutex: an error, not a wait for an unlock that
	 * never comes (a condvar waiter's relock of a word made a semaphore meanwhile
	 * stalled kfuzz); the timeout turns the old wait into a failure here */
	static sync_t sem;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &sem, 0), 0);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_MUTEX, 10), 0);
	KTAP_EQ(SyncMutexLock_r(&sem), -EINVAL);
	KTAP_EQ(SyncDestroy_r(&sem), 0);
}

static sync_t pp_mutex, pp_cond;
static volatile int pp_turn, pp_rounds_done;

void *pp_other(void *arg)
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

void t_condvar_ping_pong(void)
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

void *consumer(void *arg)
{
	for (int i = 0; i < 50; i++)
		if (SyncSemWait_r(&sem, 0) == 0)
			__atomic_add_fetch(&consumed, 1, __ATOMIC_RELAXED);
	return arg;
}

void t_semaphore(void)
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

uint64_t now_ns(void)
{
	uint64_t t = 0;

	ClockTime_r(CLOCK_MONOTONIC, 0, &t);
	return t;
}

int timeout_ms(unsigned states, uint64_t ms)
{
	uint64_t ns = ms * 1000000;

	return TimerTimeout_r(CLOCK_MONOTONIC, states, 0, &ns, 0);
}

void t_timeout_send_and_receive(void)
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

void *slow_server(void *arg)
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
void t_timeout_reply(void)
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

sync_t held;
volatile int held_go;

void *hold_mutex(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&held, me);
	held_go = 1;
	while (held_go == 1)
		SchedYield_r();
	mutex_unlock(&held, me);
	return arg;
}

void t_timeout_mutex_and_sem(void)
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

void *unblock_server(void *arg)
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
void t_unblock_pulse(void)
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

void *short_lived(void *arg)
{
	return arg;
}

void death_pulse_comes(int chid)
{
	struct _pulse p;

	int tid = urt_thread_create(short_lived, 0, stacks[1], sizeof stacks[1], 10);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	memset(&p, 0, sizeof p);
	KTAP_EQ(timeout_ms(_NTO_TIMEOUT_RECEIVE, 1000), 0);
	KTAP_EQ(MsgReceivePulse_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, _PULSE_CODE_THREADDEATH);
	KTAP_EQ(p.value.sival_int, tid);
}

void t_thread_death_pulse(void)
{
	int chid = ChannelCreate_r(_NTO_CHF_THREAD_DEATH);

	death_pulse_comes(chid);
	ChannelDestroy_r(chid);
}

void *send_once(void *arg)
{
	int coid = (int)(long)arg;
	char r[4];

	MsgSend_r(coid, "msg", 4, r, sizeof r);
	return 0;
}

/* MsgReceivePulse leaves messages queued for MsgReceive. */
void t_receive_pulse_skips_messages(void)
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

void t_timer_pulses(void)
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
	/* A period under 100 us is taken as 100 us (each expiry is an
	 * interrupt and a pulse: a period of a tick or two left the hart
	 * nothing else to do), and the old value says so. */
	struct _itimer old;
	it = (struct _itimer){ 1000000, 50 };
	KTAP_EQ(TimerSettime_r(id, 0, &it, &old), 0);
	KTAP_EQ(old.interval_nsec, 2000000);                            /* the period before */
	it = (struct _itimer){ 0, 0 };
	KTAP_EQ(TimerSettime_r(id, 0, &it, &old), 0);                   /* disarmed */
	KTAP_EQ(old.interval_nsec, 100000);
	KTAP_CHECK(old.nsec > 0 && old.nsec <= 1000000);
	memset(&old, 0xff, sizeof old);
	KTAP_EQ(TimerSettime_r(id, 0, &it, &old), 0);
	KTAP_EQ(old.nsec, 0);                                           /* nothing armed */
	KTAP_EQ(old.interval_nsec, 0);
	KTAP_EQ(TimerDestroy_r(id), 0);
	KTAP_EQ(TimerDestroy_r(id), -EINVAL);
	KTAP_EQ(TimerSettime_r(id, 0, &it, 0), -EINVAL);
	/* One process holds 32 timers at most: the rest are the others'. */
	int ids[33], made = 0;
	while (made < 33 && (ids[made] = TimerCreate_r(CLOCK_MONOTONIC, &ev)) >= 0)
		made++;
	KTAP_EQ(made, 32);
	KTAP_EQ(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EAGAIN);
	for (int i = 0; i < made; i++)
		KTAP_EQ(TimerDestroy_r(ids[i]), 0);
	it = (struct _itimer){ 2000000, 2000000 };
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = 0;                     /* no such signal (signal events: ktest-proc) */
	KTAP_EQ(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EINVAL);
	KTAP_EQ(TimerCreate_r(CLOCK_MONOTONIC, KERNEL_ADDR), -EFAULT);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

/* A CLOCK_REALTIME timer's absolute time is on that clock (it was taken
 * as a monotonic one: decades away).  20 ms from now, then one already
 * passed, which expires at once. */
void t_timer_realtime_absolute(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, _NTO_SIDE_CHANNEL, 0);
	struct sigevent ev;
	struct _pulse p;
	uint64_t rt = 0, tmo;

	KTAP_REQUIRE(chid > 0 && coid >= 0);
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_PULSE;
	ev.sigev_coid = coid;
	ev.sigev_priority = 15;
	ev.sigev_code = 9;
	int id = TimerCreate_r(CLOCK_REALTIME, &ev);
	KTAP_REQUIRE(id >= 0);
	/* The realtime clock far from the monotonic one (set back as it was
	 * at the end: the cases after this read it). */
	uint64_t epoch = 1700000000ull * 1000000000ull, was = 0, mono0 = now_ns();
	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, 0, &was), 0);
	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, &epoch, 0), 0);
	uint64_t t0 = now_ns();                 /* before rt: the 20 ms count from here at most */
	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, 0, &rt), 0);
	KTAP_REQUIRE(rt >= epoch);
	struct _itimer it = { rt + 20000000, 0 };
	KTAP_EQ(TimerSettime_r(id, TIMER_ABSTIME, &it, 0), 0);
	tmo = 1000000000;                                               /* 1 s at most */
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &tmo, 0), 0);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	uint64_t took = now_ns() - t0;
	KTAP_CHECK(took >= 15000000 && took < 1000000000);
	it = (struct _itimer){ rt / 2, 0 };
	KTAP_EQ(TimerSettime_r(id, TIMER_ABSTIME, &it, 0), 0);
	tmo = 1000000000;
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &tmo, 0), 0);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);
	KTAP_EQ(p.code, 9);
	KTAP_EQ(TimerDestroy_r(id), 0);
	uint64_t back = was + (now_ns() - mono0);
	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, &back, 0), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

static volatile int de_rc;

void *event_server(void *arg)
{
	int chid = (int)(long)arg;
	struct sigevent ev;

	int rcvid = MsgReceive_r(chid, &ev, sizeof ev, 0);      /* the client's event */
	MsgReply_r(rcvid, 0, 0, 0);
	de_rc = MsgDeliverEvent_r(rcvid, &ev);                   /* later: notify it */
	return 0;
}

void t_deliver_event(void)
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
