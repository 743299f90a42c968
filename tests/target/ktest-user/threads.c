/* ktest-user: ending other threads (ThreadDestroy), DISCONNECT, a child that is a
 * copy of this program, a process's end, priority inheritance, a condvar
 * and its mutex in one hash bucket. */
#include "ktest_user.h"

/* ---- ending other threads (ThreadDestroy) ----------------------------------------- */

#define KILLED_STATUS 0x5eedl

static volatile int victim_ready;

/* Join tid, but give up after ms: a thread that was not made to end would
 * otherwise hang the whole run.  The join's result, or its status. */
long join_within(int tid, uint64_t ms)
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
int wait_state(int tid, int state, uint64_t ms)
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
long destroy_when_blocked(void *(*fn)(void *), void *arg, int state)
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

void *spin_forever(void *arg)
{
	(void)arg;
	for (;;)
		__atomic_add_fetch(&spinning, 1, __ATOMIC_RELAXED);     /* never enters the kernel */
	return 0;
}

void t_thread_destroy_arguments(void)
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
void t_thread_destroy_running(void)
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

void *receive_forever(void *arg)
{
	char b[8];

	victim_ready = 1;
	MsgReceive_r((int)(long)arg, b, sizeof b, 0);
	return (void *)1l;
}

/* The dead receiver takes nothing: a pulse sent afterwards is still there. */
void t_thread_destroy_receive_blocked(void)
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

void *send_forever(void *arg)
{
	char r[4];

	victim_ready = 1;
	MsgSend_r((int)(long)arg, "dead", 5, r, sizeof r);
	return (void *)1l;
}

/* A SEND-blocked client that is destroyed leaves the queue: nobody receives
 * its message afterwards. */
void t_thread_destroy_send_blocked(void)
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
void t_thread_destroy_reply_blocked(void)
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

void *lock_dm_mutex(void *arg)
{
	victim_ready = 1;
	SyncMutexLock_r(&dm_mutex);
	return arg;
}

/* A destroyed mutex waiter is not handed the mutex: the unlock frees it. */
void t_thread_destroy_mutex_blocked(void)
{
	uint32_t me = my_tid();

	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_MUTEX, &dm_mutex, 0), 0);
	mutex_lock(&dm_mutex, me);
	KTAP_EQ(destroy_when_blocked(lock_dm_mutex, 0, STATE_MUTEX), KILLED_STATUS);
	mutex_unlock(&dm_mutex, me);
	KTAP_EQ(dm_mutex.__owner, 0);
	KTAP_EQ(SyncDestroy_r(&dm_mutex), 0);                            /* nothing left inside */
}

void *wait_dm_cond(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&dm_mutex, me);
	victim_ready = 2;               /* 1 once the wait has let the mutex go */
	SyncCondvarWait_r(&dm_cond, &dm_mutex);
	mutex_unlock(&dm_mutex, me);
	return arg;
}

void *watch_dm_cond(void *arg)
{
	while (victim_ready != 2)
		pause_ms(1);
	while (dm_mutex.__owner)        /* the waiter is in the kernel: it let the mutex go */
		pause_ms(1);
	victim_ready = 1;
	return arg;
}

/* A destroyed condvar waiter does not take the mutex back on its way out. */
void t_thread_destroy_condvar_blocked(void)
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

void *wait_dm_sem(void *arg)
{
	victim_ready = 1;
	SyncSemWait_r(&dm_sem, 0);
	return arg;
}

/* A destroyed semaphore waiter takes no unit: a later post is still there. */
void t_thread_destroy_sem_blocked(void)
{
	dm_sem.__count = 0;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &dm_sem, 0), 0);
	KTAP_EQ(destroy_when_blocked(wait_dm_sem, 0, STATE_SEM), KILLED_STATUS);
	KTAP_EQ(SyncSemPost_r(&dm_sem), 0);
	KTAP_EQ(SyncSemWait_r(&dm_sem, 1), 0);
}

void *join_arg(void *arg)
{
	victim_ready = 1;
	ThreadJoin_r((int)(long)arg, 0);
	return (void *)1l;
}

/* A destroyed joiner does not consume the thread it waited for. */
void t_thread_destroy_join_blocked(void)
{
	dm_sem.__count = 0;
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &dm_sem, 0), 0);
	int waiter = urt_thread_create(wait_dm_sem, (void *)9l, stacks[0], sizeof stacks[0], 10);
	KTAP_REQUIRE(waiter > 0);
	KTAP_EQ(destroy_when_blocked(join_arg, (void *)(long)waiter, STATE_JOIN), KILLED_STATUS);
	KTAP_EQ(SyncSemPost_r(&dm_sem), 0);
	KTAP_EQ(join_within(waiter, 3000), 9);
}

void *sleep_long(void *arg)
{
	victim_ready = 1;
	pause_ms(10000);
	return arg;
}

/* A thread asleep on a timer ends at once, not when its timer runs out. */
void t_thread_destroy_sleeping(void)
{
	uint64_t t0 = now_ns();

	KTAP_EQ(destroy_when_blocked(sleep_long, 0, STATE_RECEIVE), KILLED_STATUS);
	KTAP_CHECK(now_ns() - t0 < 5000000000ull);
}

/* ---- DISCONNECT: once per client process, after its last connection ---------------- */

void t_disconnect_after_last_connection(void)
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
int start_clone(void (*fn)(long), long arg)
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
int wait_child_within(int pid, struct _proc_exit *ex, uint64_t ms)
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

void *kid_spin(void *arg)
{
	for (;;)
		__atomic_add_fetch(&kid_spin_count, 1, __ATOMIC_RELAXED);
	return arg;
}

void *kid_receive(void *arg)
{
	char b[8];

	for (;;)
		if (MsgReceive_r(kid_recv_chid, b, sizeof b, 0) > 0)
			kid_got_message = 1;            /* and never replies */
	return arg;
}

void *kid_send(void *arg)
{
	char r[8];

	MsgSend_r((int)(long)arg, "kid", 4, r, sizeof r);
	return arg;
}

void *kid_lock(void *arg)
{
	SyncMutexLock_r(&kid_mutex);
	return arg;
}

void *kid_sem_wait(void *arg)
{
	SyncSemWait_r(&kid_sem, 0);
	return arg;
}

void *kid_cond_wait(void *arg)
{
	uint32_t me = my_tid();

	mutex_lock(&kid_mutex2, me);
	SyncCondvarWait_r(&kid_cond, &kid_mutex2);
	return arg;
}

void *kid_join(void *arg)
{
	ThreadJoin_r((int)(long)arg, 0);
	return arg;
}

void *kid_destroy_all(void *arg)
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
void kid_many_threads(long arg)
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

void *send_to_kid(void *arg)
{
	char r[4];

	kid_client_rc = MsgSend_r((int)(long)arg, "hi", 3, r, sizeof r);
	return 0;
}

/* One many-threads child: it must end with `status` however its threads
 * were blocked, its REPLY-blocked thread's message must find nobody, our
 * thread REPLY-blocked on it must get an error, and its two connections
 * must bring exactly one DISCONNECT.  0, or the step that went wrong. */
int kid_round(int chid, int mypid, bool destroy_all, int status)
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

void t_process_end_kills_all_threads(void)
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

void t_thread_destroy_all_ends_process(void)
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
int prio_of(int tid, bool base)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof sp);
	if (SchedGet_r(0, tid, &sp) < 0)
		return -1;
	return base ? sp.sched_priority : sp.sched_curpriority;
}

int cur_prio(int tid)
{
	return prio_of(tid, false);
}

/* The effective priority of tid once it is `want`, or what it is after 2 s. */
int wait_for_prio(int tid, int want)
{
	int p = -1;

	for (int i = 0; i < 1000 && (p = cur_prio(tid)) != want; i++)
		pause_ms(2);
	return p;
}

void wait_for_flag(volatile int *f)
{
	for (int i = 0; i < 2000 && !*f; i++)
		pause_ms(1);
}

/* Low: hold m1 until the go, then report the priority it is back at. */
static int pi_low_chid, pi_low_coid, pi_low_received;     /* pi_owner_boosted */

void *pi_low(void *arg)
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
void *pi_mid(void *arg)
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
void *pi_high(void *arg)
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

int pi_setup(void)
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
void t_pi_owner_boosted(void)
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
void t_pi_chain(void)
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
void t_pi_waiter_leaves(void)
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

void cvp_rounds(int side, uint32_t me)
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

void *cvp_other(void *arg)
{
	cvp_rounds(1, my_tid());
	return arg;
}

/* Ping-pong on one condvar with each of many mutexes in turn: some of them
 * share the condvar's kernel hash bucket, where a waiter that let its
 * mutex go through the bucket lock, while its signaller held that lock
 * waiting for the waiter to leave its hart, hung both harts. */
void t_condvar_mutex_same_bucket(void)
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

/* ThreadCtl's run mask.  Pinned to hart k, the thread's sleeps block and
 * wake on hart k: SysInfo's switch count of hart k grows by two a sleep,
 * another hart's hardly at all (nothing else runs). */
static uint64_t switches_on(unsigned hart)
{
	struct _hart_stats hs;

	return SysInfo_r(_SYSINFO_HART, hart, &hs, sizeof hs) == (long)sizeof hs ? hs.switches : 0;
}

static unsigned count_harts(void)
{
	struct _hart_stats hs;
	unsigned n = 0;

	while (SysInfo_r(_SYSINFO_HART, n, &hs, sizeof hs) == (long)sizeof hs)
		n++;
	return n;
}

void t_thread_runmask(void)
{
	unsigned n = count_harts();
	uint64_t all = (1ul << n) - 1, mask = 0;
	sync_t never;

	KTAP_REQUIRE(n >= 1 && n < 64);
	KTAP_EQ(ThreadCtl_r(9, 0), -EINVAL);
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK, 0), -EINVAL);
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)(1ul << 63)), -EINVAL);  /* no such hart */
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK_GET_AND_SET, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK_GET_AND_SET, &mask), 0);        /* 0: only read */
	KTAP_EQ(mask, all);
	if (n < 3)
		return;                                 /* the rest needs two harts besides 0 */
	memset(&never, 0, sizeof never);
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &never, 0), 0);
	for (unsigned k = 1; k <= 2; k++) {
		unsigned other = 3 - k;
		KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)(1ul << k)), 0);
		uint64_t mine = switches_on(k), theirs = switches_on(other);
		for (int i = 0; i < 50; i++) {
			uint64_t ns = 200000;
			TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEM, 0, &ns, 0);
			KTAP_EQ(SyncSemWait_r(&never, 0), -ETIMEDOUT);
		}
		uint64_t here = switches_on(k) - mine, there = switches_on(other) - theirs;
		KTAP_CHECK(here >= 100);
		KTAP_CHECK(there < 50);
	}
	mask = all;
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK_GET_AND_SET, &mask), 0);
	KTAP_EQ(mask, 1ul << 2);                        /* the one set before */
	SyncDestroy_r(&never);
}

/* A semaphore's count word that another thread keeps rewriting, never
 * with the same value twice: a compare-and-swap of the kernel's on it can
 * lose again and again.  It used to retry under the sync bucket's lock
 * with interrupts off for as long as the rewriting went on, so nothing
 * else ran on the caller's hart, not even a higher-priority thread whose
 * timer expired.  Here that thread is what stops the rewriting, 200 ms in,
 * while the caller posts (then takes, without blocking) in a loop, each
 * call a chance to lose: the loop must end within 2 s.  Whether a call
 * lost depends on the two harts running at once (a busy host may not run
 * them so); the bound holds either way.  The rewriter gives up by itself
 * after 5 s, so a hart held by the old retry fails the bound instead of
 * hanging the boot. */
static sync_t scribbled;
static volatile int scribble_on, scribble_stop;

static void *scribble(void *arg)
{
	uint64_t end = now_ns() + 5000000000ull;
	uint32_t c = 1;

	if (ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)2ul))
		return arg;
	scribble_on = 1;
	while (!scribble_stop && now_ns() < end)
		for (int i = 0; i < 4096; i++) {
			c = c % 0x0ffffff0u + 1;
			__atomic_store_n(&scribbled.__count, c, __ATOMIC_RELAXED);
		}
	return arg;
}

static void *scribble_stopper(void *arg __attribute__((unused)))
{
	static sync_t never;

	ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)1ul);
	memset(&never, 0, sizeof never);
	SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &never, 0);
	timeout_ms(_NTO_TIMEOUT_SEM, 200);
	long r = SyncSemWait_r(&never, 0);
	scribble_stop = 1;
	SyncDestroy_r(&never);
	return (void *)r;
}

void t_semaphore_count_scribbled(void)
{
	uint64_t all = (1ul << count_harts()) - 1;

	if (count_harts() < 2) {
		ktap_skip("needs two harts");
		return;
	}
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)1ul), 0);
	for (int wait = 0; wait < 2; wait++) {
		void *slept = 0;
		long calls = 0, bad = 0;

		memset(&scribbled, 0, sizeof scribbled);
		scribbled.__count = 1;
		KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &scribbled, 0), 0);
		scribble_on = scribble_stop = 0;
		int w = urt_thread_create(scribble, 0, stacks[0], sizeof stacks[0], 10);
		KTAP_REQUIRE(w > 0);
		while (!scribble_on)
			SchedYield_r();
		int s = urt_thread_create(scribble_stopper, 0, stacks[1], sizeof stacks[1], 20);
		KTAP_REQUIRE(s > 0);
		uint64_t t0 = now_ns();
		while (!scribble_stop) {
			long r = wait ? SyncSemWait_r(&scribbled, 1) : SyncSemPost_r(&scribbled);
			bad += r != 0 && !(wait && r == -EAGAIN);       /* a count of 0: nothing to take */
			calls++;
		}
		uint64_t took = now_ns() - t0;
		KTAP_EQ(ThreadJoin_r(s, &slept), 0);
		KTAP_EQ(ThreadJoin_r(w, 0), 0);
		KTAP_EQ((long)slept, -ETIMEDOUT);
		KTAP_EQ(bad, 0);
		KTAP_CHECK(calls > 0);
		printf("# %ld SyncSem%s calls on a count rewritten meanwhile: %lu ms\n", calls,
		       wait ? "Wait" : "Post", (unsigned long)(took / 1000000));
		KTAP_CHECK(took < 2000000000ull);
		SyncDestroy_r(&scribbled);
	}
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)all), 0);
}
