/* ktest-user: ids, offsets and broadcasts; another process's death. */
#include "ktest_user.h"

/* ---- ids, offsets and broadcasts --------------------------------------------------- */

static volatile long rw_read_rc;

void *read_past_then_write(void *arg)
{
	int chid = (int)(long)arg;
	char b[4], tail[8];

	int rcvid = MsgReceive_r(chid, b, sizeof b, 0);
	rw_read_rc = MsgRead_r(rcvid, tail, sizeof tail, 100);  /* past the end: nothing */
	MsgWrite_r(rcvid, "written", 8, 0);
	MsgReply_r(rcvid, 5, 0, 0);                             /* the reply adds nothing */
	return 0;
}

void t_msg_read_past_end_write_kept(void)
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

void t_connection_to_recreated_channel_is_stale(void)
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

void *wait_for_me(void *arg)
{
	return arg;
}

void t_thread_join_self_and_others(void)
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

void *park(void *arg)
{
	SyncSemWait_r(&park_sem, 0);
	return arg;
}

int park_start(void)
{
	if (SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &park_sem, 0) < 0)
		return -1;
	return urt_thread_create(park, 0, stacks[1], sizeof stacks[1], 10);
}

void t_sched_set_other_thread(void)
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

void *bc_waiter(void *arg)
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

void t_condvar_broadcast(void)
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

void t_privileged_calls_allowed_for_init(void)
{
	int as = AsCreate_r();                  /* init holds the process manager's privilege */

	KTAP_CHECK(as > 0);
	KTAP_EQ(AsDestroy_r(as), 0);
	KTAP_EQ(InterruptUnmask_r(1, 1), -EINVAL);                      /* allowed, nothing attached */
}

void t_timer_arguments(void)
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

/* ---- what a kernel call keeps ------------------------------------------------------ */

/* kcall_keeps(a0, a1, a2, a3, a4, num): kernel call num with a0..a4 (a5 =
 * 0), every register a call keeps (<keel/kcall.h>: ra, sp, gp, tp,
 * s0..s11, a1..a5, a7) set to a value of its own first, the temporaries
 * to 1 (a call that gave them back as they were would be seen).  Returns how many
 * of them came back changed, plus 100 for each temporary (t0..t6, a6)
 * that came back nonzero (a call leaves them zero, or what the thread's
 * frame holds, zero here: see t_kcall_keeps_registers), but t0, which may
 * also come back as it went in (trap.S saves it before it knows the trap
 * is a call); the call's
 * own a0 goes to kcall_keeps_result.  The pulse calls' fast handlers are
 * leaves (kcall.h KCALL_ROW_LEAF) that keep s0..s11 in their registers
 * and never write them to the frame: this is what checks they come back. */
__asm__(".pushsection .text\n"
	".globl kcall_keeps\n"
	"kcall_keeps:\n"
	" addi sp, sp, -160\n"
	" sd ra, 0(sp)\n sd s0, 8(sp)\n sd s1, 16(sp)\n sd s2, 24(sp)\n sd s3, 32(sp)\n"
	" sd s4, 40(sp)\n sd s5, 48(sp)\n sd s6, 56(sp)\n sd s7, 64(sp)\n sd s8, 72(sp)\n"
	" sd s9, 80(sp)\n sd s10, 88(sp)\n sd s11, 96(sp)\n"
	" sd a1, 104(sp)\n sd a2, 112(sp)\n sd a3, 120(sp)\n sd a4, 128(sp)\n sd a5, 136(sp)\n"
	" sd a5, 144(sp)\n"                     /* num, for a7 */
	" li a5, 0\n sd a5, 136(sp)\n"
	" li s0, 0x5a5a0000\n addi s1, s0, 1\n addi s2, s0, 2\n addi s3, s0, 3\n"
	" addi s4, s0, 4\n addi s5, s0, 5\n addi s6, s0, 6\n addi s7, s0, 7\n"
	" addi s8, s0, 8\n addi s9, s0, 9\n addi s10, s0, 10\n addi s11, s0, 11\n"
	" la ra, kcall_keeps\n"
	" sd sp, 152(sp)\n"
	" ld a7, 144(sp)\n"
	" li t0, 1\n li t1, 1\n li t2, 1\n li t3, 1\n li t4, 1\n li t5, 1\n li t6, 1\n li a6, 1\n"
	" ecall\n"
	/* the temporaries first, before any is used here */
	" li t3, 0\n"
	" beqz t0, 1f\n addi t0, t0, -1\n beqz t0, 1f\n addi t3, t3, 100\n1:\n"
	" beqz t1, 1f\n addi t3, t3, 100\n1:\n"
	" beqz t2, 1f\n addi t3, t3, 100\n1:\n"
	" beqz t4, 1f\n addi t3, t3, 100\n1:\n"
	" beqz t5, 1f\n addi t3, t3, 100\n1:\n"
	" beqz t6, 1f\n addi t3, t3, 100\n1:\n"
	" beqz a6, 1f\n addi t3, t3, 100\n1:\n"
	" la t0, kcall_keeps_result\n sd a0, 0(t0)\n"
	" li t0, 0x5a5a0000\n"
	" bne s0, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s1, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s2, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s3, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s4, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s5, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s6, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s7, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s8, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s9, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s10, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" addi t0, t0, 1\n bne s11, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" ld t0, 104(sp)\n bne a1, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" ld t0, 112(sp)\n bne a2, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" ld t0, 120(sp)\n bne a3, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" ld t0, 128(sp)\n bne a4, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" ld t0, 136(sp)\n bne a5, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" ld t0, 144(sp)\n bne a7, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" ld t0, 152(sp)\n bne sp, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" la t0, kcall_keeps\n bne ra, t0, 2f\n addi t3, t3, -1\n2: addi t3, t3, 1\n"
	" mv a0, t3\n"
	" ld ra, 0(sp)\n ld s0, 8(sp)\n ld s1, 16(sp)\n ld s2, 24(sp)\n ld s3, 32(sp)\n"
	" ld s4, 40(sp)\n ld s5, 48(sp)\n ld s6, 56(sp)\n ld s7, 64(sp)\n ld s8, 72(sp)\n"
	" ld s9, 80(sp)\n ld s10, 88(sp)\n ld s11, 96(sp)\n"
	" addi sp, sp, 160\n"
	" ret\n"
	".popsection\n");
long kcall_keeps(long a0, long a1, long a2, long a3, long a4, long num);
long kcall_keeps_result;

/* Every way through the pulse calls (a leaf done, a leaf declined to the
 * general way, a leaf done with work for kcall_exit on the way out, and a
 * call that is no leaf) keeps what a call keeps and leaks no kernel
 * address in a temporary.  The general way gives back the temporaries its
 * frame holds: zero in a new thread and after every interrupt or fault
 * (trap.S), but what a signal handler's return put there, the interrupted
 * code's, until then.  So the calls are made from a new thread: no earlier
 * case's values are in its frame, and an interrupt meanwhile (a timer, an
 * IPI) must leave none either.  Its first FP instruction is such a trap,
 * made here with every temporary nonzero: the thread's FP is off until
 * then (fpu.c), so the kernel takes the trap, turns FP on and runs the
 * instruction again. */
static void *kcall_keeps_thread(void *arg)
{
	(void)arg;
	__asm__ volatile(".option push\n.option arch, +f\n"
			 "li t0, 1\n li t1, 1\n li t2, 1\n li t3, 1\n li t4, 1\n li t5, 1\n"
			 "li t6, 1\n li a6, 1\n csrr t0, fcsr\n.option pop"
			 ::: "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6", "memory");
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	KTAP_EQ(chid > 0, 1);
	KTAP_EQ(coid > 0, 1);
	if (chid <= 0 || coid <= 0)
		return 0;
	struct _pulse p;
	iov_t iov;

	/* Leaves, done: a pulse where nobody waits, then taken at once. */
	KTAP_EQ(kcall_keeps(coid, -1, 5, 77, 0, KCALL_MsgSendPulse), 0);
	KTAP_EQ(kcall_keeps_result, 0);
	memset(&p, 0, sizeof p);
	KTAP_EQ(kcall_keeps(chid, (long)&p, sizeof p, 0, 0, KCALL_MsgReceive), 0);
	KTAP_EQ(kcall_keeps_result, 0);
	KTAP_EQ(p.code, 5);
	KTAP_EQ((long)p.value.sival_ptr, 77);
	KTAP_EQ(kcall_keeps(coid, -1, 6, 78, 0, KCALL_MsgSendPulse), 0);
	SETIOV(&iov, &p, sizeof p);
	KTAP_EQ(kcall_keeps(chid, (long)&iov, 1, 0, 0, KCALL_MsgReceivev), 0);
	KTAP_EQ(kcall_keeps_result, 0);
	KTAP_EQ(p.code, 6);
	/* Declined to the general way: nothing queued (a zero timeout), a
	 * receive into a bad buffer, a bad connection. */
	uint64_t zero = 0;
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &zero, 0), 0);
	KTAP_EQ(kcall_keeps(chid, (long)&p, sizeof p, 0, 0, KCALL_MsgReceive), 0);
	KTAP_EQ(kcall_keeps_result, -ETIMEDOUT);
	KTAP_EQ(kcall_keeps(coid, -1, 7, 79, 0, KCALL_MsgSendPulse), 0);
	KTAP_EQ(kcall_keeps(chid, (long)KERNEL_ADDR, sizeof p, 0, 0, KCALL_MsgReceive), 0);
	KTAP_EQ(kcall_keeps_result, -EFAULT);
	KTAP_EQ(MsgReceive_r(chid, &p, sizeof p, 0), 0);                 /* still queued */
	KTAP_EQ(p.code, 7);
	KTAP_EQ(kcall_keeps(coid + 50, -1, 7, 79, 0, KCALL_MsgSendPulse), 0);
	KTAP_EQ(kcall_keeps_result, -EBADF);
	/* Done with work on the way out (kcall_exit's): a timeout armed for a
	 * state the call never waits in is cleared there. */
	uint64_t later = 1000000000;
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEND, 0, &later, 0), 0);
	KTAP_EQ(kcall_keeps(coid, -1, 8, 80, 0, KCALL_MsgSendPulse), 0);
	KTAP_EQ(kcall_keeps_result, 0);
	KTAP_EQ(kcall_keeps(chid, (long)&p, sizeof p, 0, 0, KCALL_MsgReceive), 0);
	KTAP_EQ(p.code, 8);
	KTAP_EQ(kcall_keeps(0, 0, 0, 0, 0, KCALL_KernelNop), 0);          /* no leaf */
	KTAP_EQ(ConnectDetach_r(coid), 0);
	KTAP_EQ(ChannelDestroy_r(chid), 0);
	return 0;
}

void t_kcall_keeps_registers(void)
{
	int tid = urt_thread_create(kcall_keeps_thread, 0, stacks[0], sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
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

int start_child_args(const char *from, const char *to, uint64_t a0, uint64_t a1)
{
	return start_child_priv(from, to, a0, a1, 0);
}

/* Start code [from, to) as a process holding privs (KCALL_PRIV_*), with
 * a0 and a1; returns its pid. */
int start_child_priv(const char *from, const char *to, uint64_t a0, uint64_t a1,
			    uint32_t privs)
{
	return start_child_granted(from, to, a0, a1, privs, 0, 0);
}

/* The same, its space granted the device range [gpa, gpa + glen) first
 * (AS_MAP_GRANT; none when glen is 0). */
int start_child_granted(const char *from, const char *to, uint64_t a0, uint64_t a1,
			uint32_t privs, uint64_t gpa, uint64_t glen)
{
	int as = AsCreate_r();
	struct _proc_start st;

	if (as <= 0)
		return as;
	if ((glen && AsMap_r(as, 0, glen, 0, AS_MAP_GRANT, gpa)) ||
	    AsMap_r(as, 0x10000, 4096, PROT_READ | PROT_EXEC, AS_MAP_ANON, 0) ||
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
void t_disconnect_pulse_when_client_dies(void)
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
void t_coiddeath_pulse_when_server_dies(void)
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

void t_bad_pointers_efault(void)
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

/* Clients queued on a channel nobody is receiving on: one whose message
 * lies in unmapped memory, then a good one.  The receive fails only the
 * bad client (EFAULT) and gets the good message; a server's MsgReceive
 * never fails for a client's buffer (it used to, and a resource manager
 * whose loop ended on it left every later client waiting). */
static volatile long bad_send_rc, good_send_rc;

static void *send_unmapped(void *arg)
{
	bad_send_rc = MsgSend_r((int)(long)arg, UNMAPPED, 8, 0, 0);
	return 0;
}

static void *send_good(void *arg)
{
	good_send_rc = MsgSend_r((int)(long)arg, "good", 5, 0, 0);
	return 0;
}

static volatile long bad_receive_rc;

static void *receive_unmapped(void *arg)
{
	bad_receive_rc = MsgReceive_r((int)(long)arg, UNMAPPED, 8, 0);
	return 0;
}

/* Wait (at most 3 s) until thread tid is in state `want`; its state then. */
static int until_state(int tid, int want)
{
	uint64_t end = now_ns() + 3000000000ull;
	int st;

	while ((st = ThreadState_r(tid)) != want && now_ns() < end)
		SchedYield_r();
	return st;
}

void t_bad_client_buffer_fails_only_the_client(void)
{
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	char buf[8] = { 0 };
	struct _msg_info info;

	bad_send_rc = good_send_rc = 99;
	int bad = urt_thread_create(send_unmapped, (void *)(long)coid, stacks[0],
				    sizeof stacks[0], 10);
	KTAP_REQUIRE(bad > 0);
	KTAP_EQ(until_state(bad, STATE_SEND), STATE_SEND);
	int good = urt_thread_create(send_good, (void *)(long)coid, stacks[1],
				     sizeof stacks[1], 10);
	KTAP_REQUIRE(good > 0);
	KTAP_EQ(until_state(good, STATE_SEND), STATE_SEND);
	int rcvid = MsgReceive_r(chid, buf, sizeof buf, &info);
	KTAP_EQ(rcvid, good);                                           /* the bad one passed */
	KTAP_CHECK(!strcmp(buf, "good"));
	KTAP_EQ(info.msglen, 5);
	KTAP_EQ(ThreadJoin_r(bad, 0), 0);
	KTAP_EQ(bad_send_rc, -EFAULT);
	KTAP_EQ(MsgReply_r(rcvid, 7, 0, 0), 0);
	KTAP_EQ(ThreadJoin_r(good, 0), 0);
	KTAP_EQ(good_send_rc, 7);

	/* The other way round: a receiver whose buffer is unmapped fails
	 * (EFAULT), and the message it was handed waits for the next one. */
	bad_receive_rc = good_send_rc = 99;
	int rcv = urt_thread_create(receive_unmapped, (void *)(long)chid, stacks[2],
				    sizeof stacks[2], 10);
	KTAP_REQUIRE(rcv > 0);
	KTAP_EQ(until_state(rcv, STATE_RECEIVE), STATE_RECEIVE);
	good = urt_thread_create(send_good, (void *)(long)coid, stacks[1], sizeof stacks[1], 10);
	KTAP_REQUIRE(good > 0);
	KTAP_EQ(ThreadJoin_r(rcv, 0), 0);
	KTAP_EQ(bad_receive_rc, -EFAULT);
	KTAP_EQ(until_state(good, STATE_SEND), STATE_SEND);             /* still queued */
	memset(buf, 0, sizeof buf);
	rcvid = MsgReceive_r(chid, buf, sizeof buf, 0);
	KTAP_EQ(rcvid, good);
	KTAP_CHECK(!strcmp(buf, "good"));
	KTAP_EQ(MsgReply_r(rcvid, 8, 0, 0), 0);
	KTAP_EQ(ThreadJoin_r(good, 0), 0);
	KTAP_EQ(good_send_rc, 8);

	/* A server's reply from a buffer that is not its (a kernel address,
	 * a length past the user half) fails the server and answers the
	 * client with EFAULT, as a copy that faults does: a server that does
	 * not look at the error left the client waiting for good.  (The
	 * MsgError then finds nobody to answer.) */
	for (int k = 0; k < 2; k++) {
		good_send_rc = 99;
		good = urt_thread_create(send_good, (void *)(long)coid, stacks[1],
					 sizeof stacks[1], 10);
		KTAP_REQUIRE(good > 0);
		rcvid = MsgReceive_r(chid, buf, sizeof buf, 0);
		KTAP_EQ(rcvid, good);
		KTAP_EQ(k ? MsgReply_r(rcvid, 9, buf, ~0ul >> 1) : MsgReply_r(rcvid, 9, KERNEL_ADDR, 8),
			-EFAULT);
		KTAP_EQ(MsgError_r(rcvid, EIO), -ESRCH);
		KTAP_EQ(ThreadJoin_r(good, 0), 0);
		KTAP_EQ(good_send_rc, -EFAULT);
	}
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

void t_stale_ids(void)
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
void t_pulses_by_priority(void)
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

/* A queued pulse taken by MsgReceive into the caller's own buffers: a
 * buffer outside user space is refused before anything is taken (the
 * pulse stays); one in user space that faults (nothing mapped there) is
 * EFAULT and the pulse is gone; one on a page not yet touched (the bss
 * beyond what the program used) takes it. */
void t_queued_pulse_into_bad_buffers(void)
{
	static char untouched[65536] __attribute__((aligned(4096)));
	struct _pulse *p = (struct _pulse *)(untouched + 32768);
	int chid = ChannelCreate_r(0);
	int coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	KTAP_REQUIRE(chid >= 0 && coid >= 0);
	KTAP_EQ(MsgSendPulse_r(coid, 10, 1, 11), 0);
	KTAP_EQ(MsgReceive_r(chid, (void *)0xffffffff80000000ul, sizeof *p, 0), -EFAULT);
	KTAP_EQ(MsgReceive_r(chid, p, sizeof *p, 0), 0);
	KTAP_EQ(p->code, 1);
	KTAP_EQ(p->value.sival_int, 11);
	KTAP_EQ(MsgSendPulse_r(coid, 10, 2, 22), 0);
	KTAP_EQ(MsgReceive_r(chid, (void *)0x1000ul, sizeof *p, 0), -EFAULT);
	KTAP_EQ(MsgSendPulse_r(coid, 10, 3, 33), 0);
	p = (struct _pulse *)(untouched + 49152);
	KTAP_EQ(MsgReceive_r(chid, p, sizeof *p, 0), 0);
	KTAP_EQ(p->code, 3);                    /* 2 went with the fault */
	KTAP_EQ(p->value.sival_int, 33);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

void *return_42(void *arg)
{
	(void)arg;
	return (void *)42;
}

void t_thread_create_join(void)
{
	void *v = 0;
	int tid = urt_thread_create(return_42, 0, stacks[0], sizeof stacks[0], 10);

	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(ThreadJoin_r(tid, &v), 0);
	KTAP_EQ((long)v, 42);
	KTAP_EQ(ThreadJoin_r(tid, &v), -ESRCH);                         /* reaped: stale */
	KTAP_EQ(ThreadJoin_r(0x7fff0001, &v), -ESRCH);
}

void t_yield(void)
{
	for (int i = 0; i < 10; i++)
		KTAP_EQ(SchedYield_r(), 0);
}
