/* ktest-user: processes built from outside (procmgr calls), argument and state
 * checks, message shapes, queues and ordering, the kernel's windows. */
#include "ktest_user.h"

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

int start_child_priv(const char *from, const char *to, uint64_t a0, uint64_t a1,
			    uint32_t privs);

/* Start code [from, to) as an unprivileged process; returns its pid. */
int start_child(const char *from, const char *to)
{
	return start_child_args(from, to, 0, 0);
}

void t_process_start_and_wait(void)
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

void t_unprivileged_child_gets_eperm(void)
{
	struct _proc_exit ex;
	int pid = start_child(child_ascreate, child_ascreate_end);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(ProcessWait_r(-1, &ex, 0), pid);
	KTAP_EQ(ex.status, -EPERM);             /* its AsCreate was refused */
}

void t_child_fault_reported(void)
{
	struct _proc_exit ex;
	int pid = start_child(child_fault, child_fault_end);

	KTAP_REQUIRE(pid > 1);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_EQ(ex.how, _PROC_KILLED);
	KTAP_EQ(ex.addr, 0xffffffff80000000ul);
	KTAP_EQ(ex.pc, 0x10000 + 8);
}

void t_as_calls_check_arguments(void)
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


void t_connect_attach_bad_node(void)
{
	int chid = ChannelCreate_r(0);

	KTAP_EQ(ConnectAttach_r(5, 0, chid, 0, 0), -EINVAL);
	KTAP_EQ(ConnectDetach_r(-1), -EINVAL);
	KTAP_EQ(ConnectDetach_r(_NTO_SIDE_CHANNEL | 5000), -EINVAL);
	ChannelDestroy_r(chid);
}

void t_receive_bad_channel(void)
{
	char b[4];

	KTAP_EQ(MsgReceive_r(0, b, sizeof b, 0), -EINVAL);
	KTAP_EQ(MsgReceive_r(99, b, sizeof b, 0), -EINVAL);
	KTAP_EQ(MsgReceivev_r(1, (iov_t *)b, 1000, 0), -EINVAL);       /* too many parts */
}

static volatile int destroyed_rc, receiving;

void *receive_until_destroyed(void *arg)
{
	char b[4];

	receiving = 1;
	destroyed_rc = MsgReceive_r((int)(long)arg, b, sizeof b, 0);
	return 0;
}

/* Block this thread for about ms milliseconds. */
void pause_ms(uint64_t ms)
{
	int chid = ChannelCreate_r(0);
	char b[4];

	timeout_ms(_NTO_TIMEOUT_RECEIVE, ms);
	MsgReceive_r(chid, b, sizeof b, 0);
	ChannelDestroy_r(chid);
}

/* Destroying a channel wakes a receiver blocked on it with an error. */
void t_channel_destroy_wakes_receiver(void)
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

static void *end_on_hart0(void *arg)
{
	ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)1ul);
	return arg;
}

void t_pulse_pool_exhaustion(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	int sent = 0, rc = 0;

	/* Pinned: the filling empties this hart's cache of free pulses too. */
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)1ul), 0);
	while (sent < 1000 && (rc = MsgSendPulse_r(coid, 10, 1, sent)) == 0)
		sent++;
	KTAP_EQ(rc, -EAGAIN);
	KTAP_CHECK(sent >= 64 && sent < 1000);
	/* The pool's reserve is the kernel's: a thread's death still says so, */
	int deaths = ChannelCreate_r(_NTO_CHF_THREAD_DEATH);
	death_pulse_comes(deaths);
	/* and a notice received gives its pulse back to the reserve, not to
	 * the next MsgSendPulse through this hart's cache (the dying threads
	 * end on hart 0 too: another hart's cache would feed the pool). */
	int leaked = 0, heard = 0;
	struct _pulse p;
	while (MsgSendPulse_r(coid, 10, 1, 0) == 0)
		;       /* that death's pulse may have come from another hart's cache */
	for (int i = 0; i < 80; i++) {
		int tid = urt_thread_create(end_on_hart0, 0, stacks[1], sizeof stacks[1], 10);
		KTAP_REQUIRE(tid > 0);
		KTAP_EQ(ThreadJoin_r(tid, 0), 0);
		timeout_ms(_NTO_TIMEOUT_RECEIVE, 1000);
		if (MsgReceivePulse_r(deaths, &p, sizeof p, 0) != 0)
			break;                  /* the reserve is gone */
		heard++;
		leaked += MsgSendPulse_r(coid, 10, 1, 0) == 0;
	}
	KTAP_EQ(heard, 80);
	KTAP_EQ(leaked, 0);
	ChannelDestroy_r(deaths);
	ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)~0ul);
	KTAP_EQ(ChannelDestroy_r(chid), 0);                     /* gives them back */
	chid = ChannelCreate_r(0);
	int coid2 = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	KTAP_EQ(MsgSendPulse_r(coid2, 10, 1, 0), 0);
	ConnectDetach_r(coid);
	ConnectDetach_r(coid2);
	ChannelDestroy_r(chid);
}

void t_thread_create_bad_args(void)
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

/* A stack the kernel made for a thread (no stackaddr) goes when the thread
 * ends, and a ThreadCreate it refuses makes none: free pages come back.
 * (Before: 16 pages a refusal of a bad priority, 16 a thread, for good.) */
static void end_with(void *status)
{
	ThreadDestroy_r(0, -1, status);
}

void t_thread_kernel_made_stack_goes_with_the_thread(void)
{
	struct _thread_attr bad, joinable;
	struct _kernel_objects before, after;
	void *v;

	memset(&bad, 0, sizeof bad);
	memset(&joinable, 0, sizeof joinable);
	bad.flags = _NTO_TA_EXPLICIT_SCHED;
	bad.param.sched_priority = 999;
	bad.exitfunc = joinable.exitfunc = end_with;    /* where return_42 returns to */
	int tid = ThreadCreate_r(0, return_42, 0, &joinable);   /* page tables for the stacks */
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadJoin_r(tid, &v), 0);
	KTAP_EQ(KernelObjects_r(&before), 0);
	for (int i = 0; i < 16; i++)
		KTAP_EQ(ThreadCreate_r(0, return_42, 0, &bad), -EINVAL);
	for (int i = 0; i < 16; i++) {
		tid = ThreadCreate_r(0, return_42, 0, &joinable);
		KTAP_REQUIRE(tid > 0);
		KTAP_EQ(ThreadJoin_r(tid, &v), 0);
		KTAP_EQ((long)v, 42);
	}
	KTAP_EQ(KernelObjects_r(&after), 0);
	/* A page table page or two for new addresses is all that may stay. */
	KTAP_CHECK(after.free_pages + 4 >= before.free_pages);
	if (after.free_pages + 4 < before.free_pages)
		ktap_diag("%lu pages fewer", (unsigned long)(before.free_pages - after.free_pages));
}

/* A detached thread cannot be joined while it lives (EINVAL), and once it
 * ends its id is gone at once (ESRCH), with nobody joining it. */
void t_thread_detach(void)
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
void t_thread_state(void)
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

void t_clock_set_realtime(void)
{
	uint64_t epoch = 1700000000ull * 1000000000ull, rt = 0, mono = 0;

	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, &epoch, 0), 0);
	KTAP_EQ(ClockTime_r(CLOCK_REALTIME, 0, &rt), 0);
	KTAP_CHECK(rt >= epoch && rt - epoch < 1000000000ull);
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, &epoch, 0), -EINVAL);      /* cannot be set */
	KTAP_EQ(ClockTime_r(CLOCK_MONOTONIC, 0, &mono), 0);
	KTAP_CHECK(mono < epoch);
}

void t_timer_disarm(void)
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

void *report_priority(void *arg)
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
int served_at(unsigned chflags, int client_prio)
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

void t_receiver_inherits_priority(void)
{
	KTAP_EQ(served_at(0, 20), 20);
	KTAP_EQ(served_at(_NTO_CHF_FIXED_PRIORITY, 20), 8);
}

void t_sync_destroy_busy(void)
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

void t_msg_error_zero_is_einval(void)
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

void *serve_n(void *arg)
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

void t_zero_length_round_trip(void)
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
void t_iov_gather_scatter(void)
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

void *send_letter(void *arg)
{
	char m[2] = { (char)(long)arg, 0 };

	MsgSend_r(po_coid, m, 2, 0, 0);
	return 0;
}

/* Senders queue by priority: the higher one is received first. */
void t_senders_queue_by_priority(void)
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
void t_many_receivers_one_channel(void)
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

void t_pulse_codes_and_side_channel(void)
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

void t_thread_ids_unique(void)
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

void t_semaphore_bad_count(void)
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

void t_process_wait_nohang(void)
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
	/* A refused start still takes the space (the caller must not leak it
	 * by an answer it did not expect): AsDestroy finds it gone. */
	int as = AsCreate_r();
	st.privileges = 0x80;
	KTAP_EQ(ProcessStart_r(as, &st), -EPERM);                       /* more than we hold */
	KTAP_EQ(AsDestroy_r(as), -EINVAL);
	as = AsCreate_r();
	st.privileges = 0;
	st.priority = 999;
	KTAP_EQ(ProcessStart_r(as, &st), -EINVAL);                      /* no such priority */
	KTAP_EQ(AsDestroy_r(as), -EINVAL);
	as = AsCreate_r();
	KTAP_EQ(ProcessStart_r(as, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(AsDestroy_r(as), -EINVAL);
}

void t_as_protect_then_run(void)
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

/* User mode reaches none of the kernel's windows: the direct map of RAM,
 * the kernel stacks, the I/O window, the kernel image.  A child that reads
 * (or writes) a mapped address in each is killed with a fault at exactly
 * that address. */
void t_kernel_windows_closed_to_user(void)
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
