/* ktest-proc: signals (SignalKill, SignalAction, SignalProcmask,
 * SignalSuspend, SignalWaitinfo, SignalReturn), as libc will use them. */
#include <keel/sysinfo.h>
#include <keel/thread.h>
#include "proc.h"

/* The handler stub libc will have: a0 = sp = the frame. */
__asm__(".pushsection .text\n"
	".globl test_sigstub\n"
	"test_sigstub:\n"
	" mv s0, a0\n"
	" ld t0, 0(s0)\n"                       /* handler */
	" lw a0, 8(s0)\n"                       /* signo */
	" addi a1, s0, 16\n"                    /* &info */
	" addi a2, s0, 88\n"                    /* &ctx */
	" jalr t0\n"
	" mv a0, s0\n"
	" li a7, 63\n ecall\n"                  /* SignalReturn(frame) */
	" unimp\n"
	".popsection\n");
extern void test_sigstub(void);
extern const char clone_entry[];
_Static_assert(KCALL_SignalReturn == 63, "test_sigstub's call number");
_Static_assert(offsetof(struct _sigframe, info) == 16 && offsetof(struct _sigframe, ctx) == 88,
	       "test_sigstub's frame offsets");

static sigset_t set1(int signo)
{
	sigset_t s = { { 0, 0 } };

	s.__bits[(signo - 1) / 32] |= 1u << ((signo - 1) % 32);
	return s;
}

static bool has(const sigset_t *s, int signo)
{
	return s->__bits[(signo - 1) / 32] >> ((signo - 1) % 32) & 1;
}

static int on(int signo, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = fn;
	sa.sa_flags = flags;
	return SignalAction_r(0, test_sigstub, signo, &sa, 0);
}

static int dfl(int signo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	return SignalAction_r(0, 0, signo, &sa, 0);
}

static int procmask(int how, int signo)
{
	sigset_t s = set1(signo);

	return SignalProcmask_r(0, 0, how, &s, 0);
}

static volatile int got_signo, got_code, got_pid, handled, order[4], norder;
static volatile long got_value;
static volatile uint64_t got_addr;

static void record(int signo, siginfo_t *info, void *ctx)
{
	(void)ctx;
	got_signo = signo;
	got_code = info->si_code;
	got_pid = info->si_pid;
	got_value = (long)info->si_value.sival_ptr;
	got_addr = (uint64_t)(uintptr_t)info->si_addr;
	handled++;
	if (norder < 4)
		order[norder++] = signo;
}

static void reset(void)
{
	got_signo = got_code = got_pid = handled = norder = 0;
	got_value = 0;
	got_addr = 0;
}

static void t_handler_runs_with_info(void)
{
	reset();
	KTAP_EQ(on(SIGUSR1, record, SA_SIGINFO), 0);
	KTAP_EQ(SignalKill_r(0, 0, SIGUSR1, SI_QUEUE, 1234), 0);        /* delivered on the way out */
	KTAP_EQ(handled, 1);
	KTAP_EQ(got_signo, SIGUSR1);
	KTAP_EQ(got_code, SI_QUEUE);
	KTAP_EQ(got_pid, my_pid());
	KTAP_EQ(got_value, 1234);
	KTAP_EQ(dfl(SIGUSR1), 0);
}

static void t_blocked_signal_waits_for_unblock(void)
{
	sigset_t pend;

	reset();
	KTAP_EQ(on(SIGUSR2, record, 0), 0);
	KTAP_EQ(procmask(SIG_BLOCK, SIGUSR2), 0);
	KTAP_EQ(SignalKill_r(0, 0, SIGUSR2, SI_USER, 0), 0);
	KTAP_EQ(handled, 0);
	KTAP_EQ(SignalProcmask_r(0, 0, SIG_PENDING, 0, &pend), 0);
	KTAP_CHECK(has(&pend, SIGUSR2));
	KTAP_EQ(procmask(SIG_UNBLOCK, SIGUSR2), 0);
	KTAP_EQ(handled, 1);
	KTAP_EQ(got_signo, SIGUSR2);
	KTAP_EQ(SignalProcmask_r(0, 0, SIG_PENDING, 0, &pend), 0);
	KTAP_CHECK(!has(&pend, SIGUSR2));
	KTAP_EQ(dfl(SIGUSR2), 0);
}

static void t_waitinfo_takes_a_blocked_signal(void)
{
	siginfo_t info;
	sigset_t s = set1(SIGUSR1);

	reset();
	KTAP_EQ(on(SIGUSR1, record, 0), 0);
	KTAP_EQ(procmask(SIG_BLOCK, SIGUSR1), 0);
	KTAP_EQ(SignalKill_r(0, 0, SIGUSR1, SI_QUEUE, 77), 0);
	memset(&info, 0, sizeof info);
	KTAP_EQ(SignalWaitinfo_r(&s, &info), SIGUSR1);
	KTAP_EQ(info.si_signo, SIGUSR1);
	KTAP_EQ((long)info.si_value.sival_ptr, 77);
	KTAP_EQ(handled, 0);                            /* taken, not delivered */
	uint64_t ns = 20 * 1000 * 1000;
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SIGWAITINFO, 0, &ns, 0), 0);
	KTAP_EQ(SignalWaitinfo_r(&s, &info), -EAGAIN);  /* nothing came */
	KTAP_EQ(procmask(SIG_UNBLOCK, SIGUSR1), 0);
	KTAP_EQ(handled, 0);
	KTAP_EQ(dfl(SIGUSR1), 0);
}

/* A thread blocked in MsgReceive gets a signal: EINTR, or the call goes on
 * with SA_RESTART. */
static volatile long recv_rc;
static volatile int recv_chid, recv_tid, recv_ready;
static char rstack[16384] __attribute__((aligned(16)));

static void *receiver(void *arg)
{
	char b[8];

	(void)arg;
	recv_tid = (int)urt_tid();
	recv_ready = 1;
	recv_rc = MsgReceive_r(recv_chid, b, sizeof b, 0);
	return 0;
}

static long interrupt_receiver(int flags)
{
	reset();
	recv_rc = 1000;
	recv_ready = 0;
	recv_chid = ChannelCreate_r(0);
	if (on(SIGUSR1, record, flags))
		return -1;
	int tid = urt_thread_create(receiver, 0, rstack, sizeof rstack, 0);
	while (!recv_ready)
		SchedYield_r();
	pause_ms(20);                                   /* in MsgReceive by now */
	KTAP_EQ(SignalKill_r(0, tid, SIGUSR1, SI_USER, 0), 0);
	pause_ms(20);
	if (flags & SA_RESTART) {
		KTAP_EQ(recv_rc, 1000);                 /* still receiving */
		int coid = ConnectAttach_r(0, 0, recv_chid, _NTO_SIDE_CHANNEL, 0);
		KTAP_EQ(MsgSendPulse_r(coid, -1, 5, 0), 0);
		ConnectDetach_r(coid);
	}
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(handled, 1);
	ChannelDestroy_r(recv_chid);
	dfl(SIGUSR1);
	return recv_rc;
}

static void t_signal_interrupts_a_blocked_call(void)
{
	KTAP_EQ(interrupt_receiver(0), -EINTR);
}

static void t_sa_restart_restarts_the_call(void)
{
	KTAP_EQ(interrupt_receiver(SA_RESTART), 0);     /* the pulse, received after the handler */
}

/* A timeout TimerTimeout armed is the next call's even when a signal comes
 * before that call: one that does nothing visible (SIGCONT to a running
 * process), or a handler, whose own calls must not use it up.  The sender
 * thread is also the watchdog: if the wait lost its timeout, it posts the
 * semaphore after 3 s, and the wait ends with 0 instead of ETIMEDOUT. */
static sync_t tmo_sem, tmo_done;
static volatile int tmo_main, tmo_go, tmo_sent, tmo_signo;
static char tstack[16384] __attribute__((aligned(16)));

static void *tmo_sender(void *arg)
{
	uint64_t ns = 3000ull * 1000 * 1000;

	(void)arg;
	while (!tmo_go)
		SchedYield_r();
	SignalKill_r(0, tmo_main, tmo_signo, SI_USER, 0);
	tmo_sent = 1;
	TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEM, 0, &ns, 0);
	if (SyncSemWait_r(&tmo_done, 0) == -ETIMEDOUT)
		SyncSemPost_r(&tmo_sem);                /* the wait would never end */
	return 0;
}

/* The two semaphores fresh: the wait's and the watchdog's. */
static void tmo_setup(void)
{
	reset();
	memset(&tmo_sem, 0, sizeof tmo_sem);
	memset(&tmo_done, 0, sizeof tmo_done);
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &tmo_sem, 0), 0);
	KTAP_EQ(SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &tmo_done, 0), 0);
}

/* The wait is over: the watchdog thread tid stands down and ends. */
static void tmo_finish(int tid)
{
	SyncSemPost_r(&tmo_done);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
}

static void use_up(int signo, siginfo_t *info, void *ctx)
{
	uint64_t now;

	record(signo, info, ctx);
	ClockTime_r(CLOCK_MONOTONIC, 0, &now);          /* a call of the handler's own */
}

/* The timed wait's result and its length in ms (*ms). */
static long timed_wait_across(int signo, long *ms)
{
	uint64_t ns = 300ull * 1000 * 1000, t0 = 0, t1 = 0;

	tmo_setup();
	tmo_main = (int)urt_tid();
	tmo_go = tmo_sent = 0;
	tmo_signo = signo;
	int tid = urt_thread_create(tmo_sender, 0, tstack, sizeof tstack, 0);
	ClockTime_r(CLOCK_MONOTONIC, 0, &t0);
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEM, 0, &ns, 0), 0);
	tmo_go = 1;
	while (!tmo_sent || (signo != SIGCONT && !handled))
		;                                       /* no call: it comes in user code */
	for (volatile int i = 0; i < 200000; i++)
		;                                       /* time for SIGCONT's interrupt */
	long r = SyncSemWait_r(&tmo_sem, 0);
	ClockTime_r(CLOCK_MONOTONIC, 0, &t1);
	tmo_finish(tid);
	SyncDestroy_r(&tmo_sem);
	SyncDestroy_r(&tmo_done);
	*ms = (long)((t1 - t0) / 1000000);
	return r;
}

static void t_timeout_outlives_a_signal_before_its_call(void)
{
	long ms = 0;

	KTAP_EQ(timed_wait_across(SIGCONT, &ms), -ETIMEDOUT);
	KTAP_CHECK(ms >= 290 && ms < 2500);
	KTAP_EQ(on(SIGUSR1, use_up, 0), 0);
	KTAP_EQ(timed_wait_across(SIGUSR1, &ms), -ETIMEDOUT);
	KTAP_EQ(handled, 1);
	KTAP_CHECK(ms >= 290 && ms < 2500);
	dfl(SIGUSR1);
}

/* A handler with SA_RESTART breaks a timed wait (a receive: waits POSIX
 * ends with EINTR never restart, see conf-signals): the wait goes on after
 * it to its own deadline, which the handler's calls have not used up. */
static volatile int rs_ready, rs_coid;

static void *rs_sender(void *arg)
{
	uint64_t ns = 3000ull * 1000 * 1000;

	(void)arg;
	while (!rs_ready)
		SchedYield_r();
	pause_ms(50);                                   /* in the wait by now */
	SignalKill_r(0, tmo_main, SIGUSR1, SI_USER, 0);
	TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SEM, 0, &ns, 0);
	if (SyncSemWait_r(&tmo_done, 0) == -ETIMEDOUT)
		MsgSendPulse_r(rs_coid, -1, 5, 0);      /* the wait would never end */
	return 0;
}

static void t_restarted_wait_keeps_its_deadline(void)
{
	uint64_t ns = 300ull * 1000 * 1000, t0 = 0, t1 = 0;
	char b[8];

	tmo_setup();
	int chid = ChannelCreate_r(0);
	KTAP_REQUIRE(chid >= 0);
	rs_coid = ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	KTAP_REQUIRE(rs_coid > 0);
	KTAP_EQ(on(SIGUSR1, use_up, SA_RESTART), 0);
	tmo_main = (int)urt_tid();
	rs_ready = 0;
	int tid = urt_thread_create(rs_sender, 0, tstack, sizeof tstack, 0);
	ClockTime_r(CLOCK_MONOTONIC, 0, &t0);
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &ns, 0), 0);
	rs_ready = 1;
	long r = MsgReceive_r(chid, b, sizeof b, 0);
	ClockTime_r(CLOCK_MONOTONIC, 0, &t1);
	tmo_finish(tid);
	KTAP_EQ(r, -ETIMEDOUT);
	KTAP_EQ(handled, 1);
	long ms = (long)((t1 - t0) / 1000000);
	KTAP_CHECK(ms >= 290 && ms < 2500);
	ConnectDetach_r(rs_coid);
	ChannelDestroy_r(chid);
	SyncDestroy_r(&tmo_sem);
	SyncDestroy_r(&tmo_done);
	dfl(SIGUSR1);
}

/* A REPLY-blocked client: it leaves at once, unless the channel asked for
 * _NTO_CHF_UNBLOCK; then the server hears an unblock pulse and decides. */
static volatile long send_rc;
static volatile int send_coid;

static void *sender(void *arg)
{
	(void)arg;
	send_rc = MsgSend_r(send_coid, "q", 2, 0, 0);
	return 0;
}

/* The sender (joined) left with EINTR after its handler ran; its channel
 * and connection go. */
static void sender_ended_with_eintr(int chid)
{
	KTAP_EQ(send_rc, -EINTR);
	KTAP_EQ(handled, 1);
	ConnectDetach_r(send_coid);
	ChannelDestroy_r(chid);
	dfl(SIGUSR1);
}

static void reply_blocked_case(unsigned chflags)
{
	struct _msg_info mi;
	union { char b[16]; struct _pulse p; } m;

	reset();
	send_rc = 1000;
	int chid = ChannelCreate_r(chflags);
	send_coid = ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	KTAP_EQ(on(SIGUSR1, record, 0), 0);
	int tid = urt_thread_create(sender, 0, rstack, sizeof rstack, 0);
	int rcvid = MsgReceive_r(chid, m.b, sizeof m.b, &mi);
	KTAP_REQUIRE(rcvid > 0);
	KTAP_EQ(SignalKill_r(0, tid, SIGUSR1, SI_USER, 0), 0);
	if (chflags & _NTO_CHF_UNBLOCK) {
		KTAP_EQ(MsgReceive_r(chid, m.b, sizeof m.b, 0), 0);     /* a pulse */
		KTAP_EQ(m.p.code, _PULSE_CODE_UNBLOCK);
		KTAP_EQ(m.p.value.sival_int, rcvid);
		pause_ms(10);
		KTAP_EQ(send_rc, 1000);                 /* still waiting for us */
		KTAP_EQ(MsgError_r(rcvid, EINTR), 0);
	} else {
		KTAP_EQ(ThreadJoin_r(tid, 0), 0);
		KTAP_EQ(MsgReply_r(rcvid, 0, 0, 0), -ESRCH);    /* it left */
	}
	if (chflags & _NTO_CHF_UNBLOCK)
		KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	sender_ended_with_eintr(chid);
}

static void t_reply_blocked_client_leaves_with_eintr(void)
{
	reply_blocked_case(0);
}

static void t_unblock_channel_gets_the_pulse(void)
{
	reply_blocked_case(_NTO_CHF_UNBLOCK);
}

/* The unblock pulse comes from the kernel's shared pulse pool.  Pulses a
 * process sends cannot empty it (the last 64 are the kernel's notices'),
 * but notices can: here the deaths of 100 threads on a channel nobody
 * reads.  A signal that meets an empty pool is not lost: the kernel asks
 * again until a pulse is free (it used to give up, and the client waited
 * for a reply that its server, never told, had no reason to send).  The
 * server and the client run on hart 0, whose cache of free pulses the
 * filling empties too. */
static void *pinned_sender(void *arg)
{
	(void)arg;
	ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)1ul);
	send_rc = MsgSend_r(send_coid, "q", 2, 0, 0);
	return 0;
}

static void *just_end(void *arg)
{
	return arg;
}

static void t_unblock_pulse_waits_for_a_free_pulse(void)
{
	union { char b[16]; struct _pulse p; } m;
	struct _msg_info mi;
	static char dstack[8192] __attribute__((aligned(16)));
	uint64_t ns = 1000ull * 1000 * 1000, zero = 0;
	int rc = 0, sent = 0;

	reset();
	send_rc = 1000;
	KTAP_EQ(ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)1ul), 0);
	int chid = ChannelCreate_r(_NTO_CHF_UNBLOCK);
	send_coid = ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	KTAP_EQ(on(SIGUSR1, record, 0), 0);
	int tid = urt_thread_create(pinned_sender, 0, rstack, sizeof rstack, 0);
	KTAP_REQUIRE(tid > 0);
	int rcvid = MsgReceive_r(chid, m.b, sizeof m.b, &mi);
	KTAP_REQUIRE(rcvid > 0);
	/* Every free pulse into channels nobody reads: ours, then notices. */
	int fill = ChannelCreate_r(0), deaths = ChannelCreate_r(_NTO_CHF_THREAD_DEATH);
	int fcoid = ConnectAttach_r(0, 0, fill, _NTO_SIDE_CHANNEL, 0);
	while (sent < 2000 && (rc = MsgSendPulse_r(fcoid, 10, 1, sent)) == 0)
		sent++;
	KTAP_EQ(rc, -EAGAIN);
	for (int i = 0; i < 100; i++) {
		int t = urt_thread_create(just_end, 0, dstack, sizeof dstack, 0);
		KTAP_REQUIRE(t > 0);
		KTAP_EQ(ThreadJoin_r(t, 0), 0);
	}
	KTAP_EQ(SignalKill_r(0, tid, SIGUSR1, SI_USER, 0), 0);
	pause_ms(20);                           /* its ask met the empty pool */
	KTAP_EQ(send_rc, 1000);
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &zero, 0), 0);
	KTAP_EQ(MsgReceive_r(chid, m.b, sizeof m.b, 0), -ETIMEDOUT);    /* no pulse yet */
	KTAP_EQ(ChannelDestroy_r(fill), 0);     /* the pulses go back */
	KTAP_EQ(ChannelDestroy_r(deaths), 0);
	ConnectDetach_r(fcoid);
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &ns, 0), 0);
	KTAP_EQ(MsgReceive_r(chid, m.b, sizeof m.b, 0), 0);     /* the unblock pulse */
	KTAP_EQ(m.p.code, _PULSE_CODE_UNBLOCK);
	KTAP_EQ(m.p.value.sival_int, rcvid);
	KTAP_EQ(MsgInfo_r(rcvid, &mi), 0);
	KTAP_CHECK(mi.flags & _NTO_MI_UNBLOCK_REQ);
	KTAP_EQ(MsgError_r(rcvid, EINTR), 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	sender_ended_with_eintr(chid);
	ThreadCtl_r(_NTO_TCTL_RUNMASK, (void *)~0ul);
}

/* A SEND-blocked client (its server busy, not receiving) gets a signal
 * whose handler has no SA_RESTART: the handler runs and the send goes on,
 * since no server saw the message (as if the signal had come before the
 * call).  pipe() and stat() are not allowed EINTR; they used to fail with
 * it when a SIGCHLD met a busy taskman. */
static int until_state(int tid, int want)
{
	for (int i = 0; i < 3000 && ThreadState_r(tid) != want; i++)
		pause_ms(1);
	return ThreadState_r(tid);
}

static void t_send_blocked_client_sends_again_after_the_handler(void)
{
	union { char b[16]; struct _pulse p; } m;
	uint64_t ns = 3000ull * 1000 * 1000;

	reset();
	send_rc = 1000;
	int chid = ChannelCreate_r(0);
	send_coid = ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	KTAP_EQ(on(SIGUSR1, record, 0), 0);
	int tid = urt_thread_create(sender, 0, rstack, sizeof rstack, 0);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(until_state(tid, STATE_SEND), STATE_SEND);
	KTAP_EQ(SignalKill_r(0, tid, SIGUSR1, SI_USER, 0), 0);
	for (int i = 0; i < 3000 && !handled; i++)
		pause_ms(1);
	KTAP_EQ(handled, 1);
	KTAP_EQ(until_state(tid, STATE_SEND), STATE_SEND);      /* sending again */
	KTAP_EQ(send_rc, 1000);
	KTAP_EQ(TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &ns, 0), 0);
	int rcvid = MsgReceive_r(chid, m.b, sizeof m.b, 0);
	KTAP_REQUIRE(rcvid > 0);
	KTAP_EQ(m.b[0], 'q');
	KTAP_EQ(MsgReply_r(rcvid, 7, 0, 0), 0);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(send_rc, 7);
	KTAP_EQ(handled, 1);
	ConnectDetach_r(send_coid);
	ChannelDestroy_r(chid);
	dfl(SIGUSR1);
}

/* A fault goes to a SIGSEGV handler, which skips the instruction. */
static void skip_fault(int signo, siginfo_t *info, void *ctx)
{
	struct _sigregs *r = ctx;
	uint16_t insn = *(const uint16_t *)(uintptr_t)r->pc;

	record(signo, info, ctx);
	r->pc += (insn & 3) == 3 ? 4 : 2;
}

static volatile long *volatile fault_at = (volatile long *)8;

static void t_fault_goes_to_the_handler(void)
{
	reset();
	KTAP_EQ(on(SIGSEGV, skip_fault, 0), 0);
	*fault_at = 1;                                  /* skipped by the handler */
	KTAP_EQ(handled, 1);
	KTAP_EQ(got_signo, SIGSEGV);
	KTAP_EQ(got_code, SEGV_MAPERR);
	KTAP_EQ(got_addr, 8);
	KTAP_EQ(dfl(SIGSEGV), 0);
}

/* SIGUSR1's handler raises SIGUSR2, whose handler runs inside it. */
static void outer(int signo, siginfo_t *info, void *ctx)
{
	record(signo, info, ctx);
	SignalKill_r(0, 0, SIGUSR2, SI_USER, 0);
	if (norder < 4)
		order[norder++] = 100 + signo;          /* after the nested one */
}

static void t_signals_nest(void)
{
	reset();
	KTAP_EQ(on(SIGUSR1, outer, 0), 0);
	KTAP_EQ(on(SIGUSR2, record, 0), 0);
	KTAP_EQ(SignalKill_r(0, 0, SIGUSR1, SI_USER, 0), 0);
	KTAP_EQ(norder, 3);
	KTAP_EQ(order[0], SIGUSR1);
	KTAP_EQ(order[1], SIGUSR2);
	KTAP_EQ(order[2], 100 + SIGUSR1);
	dfl(SIGUSR1);
	dfl(SIGUSR2);
}

/* The handler's FP registers are its own: the interrupted code keeps fs0. */
static void clobber_fp(int signo, siginfo_t *info, void *ctx)
{
	record(signo, info, ctx);
	__asm__ volatile("fmv.d.x fs0, zero\n fmv.d.x fs1, zero" ::: "fs0", "fs1");
}

/* SignalKill(0, 0, SIGUSR1) with fs0 = in around the call only. */
static long __attribute__((noinline)) raise_keep_fs0(uint64_t in, uint64_t *out)
{
	register long a0 __asm__("a0") = 0;
	register long a1 __asm__("a1") = 0;
	register long a2 __asm__("a2") = SIGUSR1;
	register long a3 __asm__("a3") = SI_USER;
	register long a4 __asm__("a4") = 0;
	register long a7 __asm__("a7") = KCALL_SignalKill;
	uint64_t o;

	__asm__ volatile("fmv.d.x fs0, %[in]\n ecall\n fmv.x.d %[o], fs0"
			 : "+r"(a0), [o] "=&r"(o)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7), [in] "r"(in)
			 : "fs0", "fs1", "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6");  /* <keel/kcall.h> */
	*out = o;
	return a0;
}

static void t_handler_keeps_fp_registers(void)
{
	uint64_t in = 0x1122334455667788ul, out = 0;

	reset();
	KTAP_EQ(on(SIGUSR1, clobber_fp, 0), 0);
	KTAP_EQ(raise_keep_fs0(in, &out), 0);
	KTAP_EQ(handled, 1);
	KTAP_EQ(out, in);
	dfl(SIGUSR1);
}

/* A handler run on the way out of a kernel call leaves the caller what
 * the call itself would: programs make kernel calls through the functions
 * of <keel/kcall_stubs.h>, so (as <keel/kcall.h> says) a call keeps ra,
 * sp, gp, tp and s0..s11, and its argument registers a1..a5 and a7 (what
 * a restart after a signal makes the call again with); t0..t6 and a6 are
 * the calling convention's temporaries and come back undefined, but never
 * as the handler left them.  regs_raise(out, pid, tid) makes SignalKill(pid, tid, SIGUSR1)
 * with t0..t6 and a5, a6 set to 0x100 + their number, and stores x1..x31
 * after the call in out[n - 1] (ra and sp as they were inside it).  The
 * handler overwrites all of them with -1. */
__asm__(".pushsection .text\n"
	"regs_raise:\n"
	" addi sp, sp, -16\n sd s0, 0(sp)\n sd ra, 8(sp)\n"
	" mv s0, a0\n mv a0, a1\n mv a1, a2\n"
	" li a2, 16\n li a3, 0\n li a4, 0\n li a7, 58\n"     /* SIGUSR1, SI_USER, SignalKill */
	" li t0, 0x105\n li t1, 0x106\n li t2, 0x107\n li t3, 0x11c\n li t4, 0x11d\n"
	" li t5, 0x11e\n li t6, 0x11f\n li a5, 0x10f\n li a6, 0x110\n"
	" ecall\n"
	" sd x1, 0(s0)\n sd x2, 8(s0)\n sd x3, 16(s0)\n sd x4, 24(s0)\n sd x5, 32(s0)\n"
	" sd x6, 40(s0)\n sd x7, 48(s0)\n sd x9, 64(s0)\n sd x10, 72(s0)\n sd x11, 80(s0)\n"
	" sd x12, 88(s0)\n sd x13, 96(s0)\n sd x14, 104(s0)\n sd x15, 112(s0)\n"
	" sd x16, 120(s0)\n sd x17, 128(s0)\n sd x28, 216(s0)\n sd x29, 224(s0)\n"
	" sd x30, 232(s0)\n sd x31, 240(s0)\n"
	" ld s0, 0(sp)\n ld ra, 8(sp)\n addi sp, sp, 16\n ret\n"
	".popsection\n");
extern void regs_raise(uint64_t *out, long pid, long tid);
_Static_assert(KCALL_SignalKill == 58 && SIGUSR1 == 16 && SI_USER == 0, "regs_raise's numbers");

static void clobber_regs(int signo, siginfo_t *info, void *ctx)
{
	record(signo, info, ctx);
	__asm__ volatile("li t0, -1\n li t1, -1\n li t2, -1\n li t3, -1\n li t4, -1\n li t5, -1\n"
			 "li t6, -1\n li a1, -1\n li a2, -1\n li a3, -1\n li a4, -1\n li a5, -1\n"
			 "li a6, -1\n li a7, -1"
			 ::: "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a1", "a2", "a3", "a4",
			     "a5", "a6", "a7");
}

/* Both ways in: pid 0 and tid 0 (the process), and the caller's own pid
 * and tid (raise's shape), which the kernel delivers before the call returns. */
static void t_handler_keeps_registers(void)
{
	long ids[2][2] = { { 0, 0 }, { my_pid(), (long)urt_tid() } };

	KTAP_EQ(on(SIGUSR1, clobber_regs, 0), 0);
	for (int k = 0; k < 2; k++) {
		uint64_t out[31];

		reset();
		memset(out, 0, sizeof out);
		regs_raise(out, ids[k][0], ids[k][1]);
		KTAP_EQ(handled, 1);
		KTAP_EQ(out[9], 0);                             /* a0: SignalKill's 0 */
		KTAP_EQ(out[10], (uint64_t)ids[k][1]);          /* a1..a4: the arguments */
		KTAP_EQ(out[11], SIGUSR1);
		KTAP_EQ(out[12], SI_USER);
		KTAP_EQ(out[13], 0);
		KTAP_EQ(out[14], 0x10f);                        /* a5 */
		KTAP_EQ(out[16], KCALL_SignalKill);             /* a7 */
		for (int n = 5; n <= 7; n++)                    /* t0..t2 */
			KTAP_CHECK(out[n - 1] != ~0ul);
		for (int n = 28; n <= 31; n++)                  /* t3..t6 */
			KTAP_CHECK(out[n - 1] != ~0ul);
		KTAP_CHECK(out[15] != ~0ul);                    /* a6 */
	}
	dfl(SIGUSR1);
}

/* A condition variable's wait that a signal ends still takes the mutex back
 * before it returns (POSIX pthread_cond_wait), however long its owner
 * keeps it: the relock is not a wait a signal may break.  (It was: the
 * call came back -EINTR without the mutex, which libc takes for a
 * spurious wake-up, and the caller ran its critical section beside the
 * owner.) */
static sync_t cv_mutex, cv_cond;
static volatile int cv_rc = 1000;
static volatile uint32_t cv_owner;

static void *cv_waiter(void *arg)
{
	uint32_t me = urt_tid();

	(void)arg;
	urt_mutex_lock(&cv_mutex, me);
	cv_rc = SyncCondvarWait_r(&cv_cond, &cv_mutex);
	cv_owner = __atomic_load_n(&cv_mutex.__owner, __ATOMIC_ACQUIRE) & ~_NTO_SYNC_WAITING;
	urt_mutex_unlock(&cv_mutex, me);
	return (void *)(uintptr_t)me;
}

static char cvstack[8192] __attribute__((aligned(16)));

static void t_condvar_wait_ended_by_a_signal_holds_the_mutex(void)
{
	uint32_t me = urt_tid();
	void *who = 0;

	reset();
	cv_rc = 1000;
	cv_owner = 0;
	memset(&cv_mutex, 0, sizeof cv_mutex);
	memset(&cv_cond, 0, sizeof cv_cond);
	KTAP_EQ(on(SIGUSR1, record, 0), 0);
	int tid = urt_thread_create(cv_waiter, 0, cvstack, sizeof cvstack, 0);
	KTAP_REQUIRE(tid > 0);
	KTAP_EQ(until_state(tid, STATE_CONDVAR), STATE_CONDVAR);
	urt_mutex_lock(&cv_mutex, me);                  /* held while the signal comes */
	KTAP_EQ(SignalKill_r(0, tid, SIGUSR1, SI_USER, 0), 0);
	pause_ms(20);
	KTAP_EQ(cv_rc, 1000);                           /* still waiting: for the mutex */
	urt_mutex_unlock(&cv_mutex, me);
	KTAP_EQ(ThreadJoin_r(tid, &who), 0);
	KTAP_EQ(handled, 1);
	KTAP_CHECK(cv_rc == 0 || cv_rc == -EINTR);      /* a wake-up, or the signal's */
	KTAP_EQ(cv_owner, (uint32_t)(uintptr_t)who);    /* it held the mutex */
	dfl(SIGUSR1);
}

/* A signal that interrupts user code (not a call) leaves it every register
 * as it was: regs_spin(out, flag) sets t0..t6 and a0..a7 to 0x200 + their
 * number, spins until *flag is set (by the handler, which overwrites them
 * all with -1), and stores x5..x31 in out[n - 1].  Another thread sends
 * the signal. */
__asm__(".pushsection .text\n"
	"regs_spin:\n"
	" addi sp, sp, -32\n sd s0, 0(sp)\n sd s1, 8(sp)\n sd s2, 16(sp)\n"
	" mv s0, a0\n mv s1, a1\n"
	" li t0, 0x205\n li t1, 0x206\n li t2, 0x207\n li t3, 0x21c\n li t4, 0x21d\n"
	" li t5, 0x21e\n li t6, 0x21f\n li a0, 0x20a\n li a1, 0x20b\n li a2, 0x20c\n"
	" li a3, 0x20d\n li a4, 0x20e\n li a5, 0x20f\n li a6, 0x210\n li a7, 0x211\n"
	"1: lw s2, 0(s1)\n beqz s2, 1b\n"
	" sd x5, 32(s0)\n sd x6, 40(s0)\n sd x7, 48(s0)\n sd x10, 72(s0)\n sd x11, 80(s0)\n"
	" sd x12, 88(s0)\n sd x13, 96(s0)\n sd x14, 104(s0)\n sd x15, 112(s0)\n"
	" sd x16, 120(s0)\n sd x17, 128(s0)\n sd x28, 216(s0)\n sd x29, 224(s0)\n"
	" sd x30, 232(s0)\n sd x31, 240(s0)\n"
	" ld s0, 0(sp)\n ld s1, 8(sp)\n ld s2, 16(sp)\n addi sp, sp, 32\n ret\n"
	".popsection\n");
extern void regs_spin(uint64_t *out, volatile uint32_t *flag);

static volatile uint32_t spin_flag;

static void clobber_regs_and_flag(int signo, siginfo_t *info, void *ctx)
{
	clobber_regs(signo, info, ctx);
	__asm__ volatile("li a0, -1" ::: "a0");
	spin_flag = 1;
}

static char kstack[8192] __attribute__((aligned(16)));

static void *signal_spinner(void *arg)
{
	pause_ms(20);                                   /* (it spins until the signal comes) */
	SignalKill_r(my_pid(), (int)(uintptr_t)arg, SIGUSR1, SI_USER, 0);
	return 0;
}

static void t_interrupted_code_keeps_every_register(void)
{
	uint64_t out[31];

	reset();
	spin_flag = 0;
	memset(out, 0, sizeof out);
	KTAP_EQ(on(SIGUSR1, clobber_regs_and_flag, 0), 0);
	struct sched_param sp;
	KTAP_REQUIRE(SchedGet_r(0, 0, &sp) >= 0);
	/* Above the spinner: on one hart it would otherwise never run. */
	int tid = urt_thread_create(signal_spinner, (void *)(uintptr_t)urt_tid(), kstack,
				    sizeof kstack, sp.sched_priority + 1);
	KTAP_REQUIRE(tid > 0);
	regs_spin(out, &spin_flag);
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(handled, 1);
	for (int n = 5; n <= 7; n++)                    /* t0..t2 */
		KTAP_EQ(out[n - 1], 0x200u + n);
	for (int n = 10; n <= 17; n++)                  /* a0..a7 */
		KTAP_EQ(out[n - 1], 0x200u + n);
	for (int n = 28; n <= 31; n++)                  /* t3..t6 */
		KTAP_EQ(out[n - 1], 0x200u + n);
	dfl(SIGUSR1);
}

static void t_kill_and_stop_cannot_be_caught_or_blocked(void)
{
	sigset_t all = { { ~0u, ~0u } }, old, now;
	struct sigaction sa;

	KTAP_EQ(on(SIGKILL, record, 0), -EINVAL);
	KTAP_EQ(on(SIGSTOP, record, 0), -EINVAL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	KTAP_EQ(SignalAction_r(0, 0, SIGKILL, &sa, 0), -EINVAL);
	KTAP_EQ(SignalProcmask_r(0, 0, SIG_SETMASK, &all, &old), 0);
	KTAP_EQ(SignalProcmask_r(0, 0, SIG_SETMASK, &old, &now), 0);
	KTAP_CHECK(!has(&now, SIGKILL));
	KTAP_CHECK(!has(&now, SIGSTOP));
	KTAP_CHECK(has(&now, SIGTERM));
}

/* ---- other processes ---------------------------------------------------------------- */

static long block_forever_fn(long arg)
{
	char b[4];
	int chid = ChannelCreate_r(0);

	(void)arg;
	for (;;)
		MsgReceive_r(chid, b, sizeof b, 0);
	return 0;
}

static volatile long spins;

static long spin_forever_fn(long arg)
{
	(void)arg;
	for (;;)
		spins++;
	return 0;
}

static void killed_with(int signo, long (*fn)(long))
{
	struct _proc_exit ex;
	int pid = clone_child(fn, 0, 0);

	KTAP_REQUIRE(pid > 0);
	pause_ms(10);
	KTAP_EQ(SignalKill_r(pid, 0, signo, SI_USER, 0), 0);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_EQ(ex.how, _PROC_KILLED);
	KTAP_EQ(ex.status, signo);
}

static void t_default_action_ends_the_process(void)
{
	killed_with(SIGTERM, block_forever_fn);
	killed_with(SIGKILL, block_forever_fn);
	killed_with(SIGTERM, spin_forever_fn);  /* running in user mode, maybe on another hart */
	killed_with(SIGKILL, spin_forever_fn);
}

static int tick_chid, tick_pid;

static long ticker(long arg)
{
	(void)arg;
	int coid = ConnectAttach_r(0, tick_pid, tick_chid, 0, 0);
	if (coid < 0)
		return 100;
	long r = MsgSend_r(coid, "t", 2, 0, 0);        /* stopped in here; goes on after */
	return r == 99 ? 0 : 101;
}

/* A ticker child REPLY-blocked on us: its rcvid (*pid its pid), or <= 0. */
static int ticker_received(int *pid)
{
	struct _msg_info mi;
	char b[8];

	tick_chid = ChannelCreate_r(0);
	tick_pid = my_pid();
	*pid = clone_child(ticker, 0, 0);
	return *pid > 0 ? MsgReceive_r(tick_chid, b, sizeof b, &mi) : 0;
}

/* The state SysInfo reports for the first thread of pid (STATE_*), or -1. */
static int thread_state_of(int pid)
{
	struct _thread_stats ts;

	for (uint32_t from = 0; SysInfo_r(_SYSINFO_THREAD, from, &ts, sizeof ts) > 0;
	     from = ts.slot + 1)
		if (ts.pid == pid)
			return (int)ts.state;
	return -1;
}

static void t_stop_and_continue(void)
{
	struct _proc_exit ex;
	struct _msg_info mi;
	char b[8];
	int pid, rcvid = ticker_received(&pid);

	KTAP_REQUIRE(rcvid > 0);
	KTAP_EQ(SignalKill_r(pid, 0, SIGSTOP, SI_USER, 0), 0);
	KTAP_EQ(ProcessWait_r(pid, &ex, _PROC_WAIT_STOPPED), pid);
	KTAP_EQ(ex.how, _PROC_STOPPED);
	KTAP_EQ(ex.status, SIGSTOP);
	int st = -1;                            /* its thread gets to its stop soon after */
	for (int i = 0; i < 100 && (st = thread_state_of(pid)) != STATE_STOPPED; i++)
		pause_ms(10);
	KTAP_EQ(st, STATE_STOPPED);
	KTAP_EQ(ProcessWait_r(pid, &ex, _PROC_WAIT_STOPPED | _PROC_WAIT_NOHANG), -EAGAIN);
	KTAP_EQ(MsgReply_r(rcvid, 99, 0, 0), -ESRCH);  /* the stop took it out of the call */
	KTAP_EQ(SignalKill_r(pid, 0, SIGCONT, SI_USER, 0), 0);
	KTAP_EQ(ProcessWait_r(pid, &ex, _PROC_WAIT_CONTINUED), pid);
	KTAP_EQ(ex.how, _PROC_CONTINUED);
	KTAP_EQ(ex.status, SIGCONT);
	rcvid = MsgReceive_r(tick_chid, b, sizeof b, &mi);     /* the call started again */
	KTAP_REQUIRE(rcvid > 0);
	KTAP_EQ(mi.pid, pid);
	KTAP_EQ(MsgReply_r(rcvid, 99, 0, 0), 0);
	KTAP_EQ(wait_status(pid), 0);
	ChannelDestroy_r(tick_chid);
}

/* SIGCONT with its default action to a process that is not stopped does
 * nothing it can see: a call it is blocked in (here REPLY-blocked on us)
 * goes on; the server's reply still finds it (a notice that broke the wait
 * made the client send again, and the reply ESRCH). */
static void t_sigcont_breaks_no_call(void)
{
	int pid, rcvid = ticker_received(&pid);

	KTAP_REQUIRE(rcvid > 0);
	KTAP_EQ(SignalKill_r(pid, 0, SIGCONT, SI_USER, 0), 0);
	pause_ms(20);                           /* time for any notice to arrive */
	KTAP_EQ(MsgReply_r(rcvid, 99, 0, 0), 0);
	KTAP_EQ(wait_status(pid), 0);
	ChannelDestroy_r(tick_chid);
}

static int parent_pid;

/* An unprivileged child with uid 5 may signal itself, not uid 0's process. */
static long signal_others(long arg)
{
	long bad = 0;

	(void)arg;
	bad |= (SignalKill_r(parent_pid, 0, SIGUSR1, SI_USER, 0) != -EPERM) << 0;
	bad |= (SignalKill_r(parent_pid, 0, 0, SI_USER, 0) != -EPERM) << 1;
	bad |= (SignalKill_r(0, 0, 0, SI_USER, 0) != 0) << 2;
	bad |= (SignalKill_r(0, 0, SIGUSR1, 5, 0) != -EINVAL) << 3;       /* a kernel code */
	bad |= (SignalAction_r(parent_pid, 0, SIGUSR1, 0, 0) != -EPERM) << 4;
	bad |= (SignalProcmask_r(parent_pid, 0, SIG_BLOCK, 0, 0) != -EPERM) << 5;
	return bad;
}

static char perm_stack[16384] __attribute__((aligned(16)));

static void t_signal_permissions(void)
{
	struct _proc_start st;

	parent_pid = my_pid();
	int as = AsClone_r(0);
	KTAP_REQUIRE(as > 0);
	memset(&st, 0, sizeof st);
	st.entry = (uint64_t)(uintptr_t)clone_entry;
	st.sp = (uint64_t)(uintptr_t)(perm_stack + sizeof perm_stack);
	st.argc = (uint64_t)(uintptr_t)signal_others;
	st.cred.ruid = st.cred.euid = st.cred.suid = 5;         /* from its first instruction */
	int pid = ProcessStart_r(as, &st);
	KTAP_REQUIRE(pid > 0);
	KTAP_EQ(wait_status(pid), 0);
}

static void t_group_signal(void)
{
	struct _proc_exit ex;
	int a = clone_child(block_forever_fn, 0, 0), b = clone_child(block_forever_fn, 0, 0);

	KTAP_REQUIRE(a > 0 && b > 0);
	KTAP_EQ(ProcessSetGroup_r(a, 4242, 1), 0);
	KTAP_EQ(ProcessSetGroup_r(b, 4242, 1), 0);
	KTAP_EQ(SignalKill_r(-4243, 0, SIGTERM, SI_USER, 0), -ESRCH);
	KTAP_EQ(SignalKill_r(-4242, 0, SIGTERM, SI_USER, 0), 0);
	for (int i = 0; i < 2; i++) {
		int pid = ProcessWait_r(-1, &ex, 0);
		KTAP_CHECK(pid == a || pid == b);
		KTAP_EQ(ex.how, _PROC_KILLED);
		KTAP_EQ(ex.status, SIGTERM);
	}
}

/* ---- signal state across fork and exec ------------------------------------------------- */

static int fx_chid, fx_pid;
static char fx_stack[16384] __attribute__((aligned(16)));

/* Fork keeps dispositions and the forking thread's mask. */
static long sig_forker(long arg)
{
	struct sigaction old;
	sigset_t m;

	(void)arg;
	int coid = ConnectAttach_r(0, fx_pid, fx_chid, 0, 0);
	reset();
	if (coid < 0 || on(SIGUSR1, record, 0) || procmask(SIG_BLOCK, SIGUSR2))
		return 100;
	long r = MsgSend_r(coid, "f", 2, 0, 0);
	if (r != 0)
		return r == 55 ? 0 : 100 + r;   /* the parent: the child's status */
	if (SignalAction_r(0, 0, SIGUSR1, 0, &old) || old.sa_sigaction != record)
		exit(201);
	if (SignalProcmask_r(0, 0, SIG_BLOCK, 0, &m) || !has(&m, SIGUSR2))
		exit(202);
	SignalKill_r(0, 0, SIGUSR1, SI_USER, 0);
	exit(handled == 1 ? 55 : 203);
}

/* Exec: caught signals go back to SIG_DFL, ignored ones and the mask stay. */
static long exec_checks(long arg)
{
	struct sigaction old;
	sigset_t m;

	(void)arg;
	if (SignalAction_r(0, 0, SIGUSR1, 0, &old) || old.sa_handler != SIG_DFL)
		return 91;
	if (SignalAction_r(0, 0, SIGUSR2, 0, &old) || old.sa_handler != SIG_IGN)
		return 92;
	if (SignalProcmask_r(0, 0, SIG_BLOCK, 0, &m) || !has(&m, SIGTERM))
		return 93;
	return 77;
}

static long sig_execer(long arg)
{
	struct sigaction ign;

	(void)arg;
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	int coid = ConnectAttach_r(0, fx_pid, fx_chid, 0, 0);
	if (coid < 0 || on(SIGUSR1, record, 0) || SignalAction_r(0, 0, SIGUSR2, &ign, 0) ||
	    procmask(SIG_BLOCK, SIGTERM))
		return 100;
	MsgSend_r(coid, "e", 2, 0, 0);
	return 95;                              /* exec did not happen */
}

/* Serve one request of a child running fn: fork it, or exec it into
 * exec_checks; returns the child's exit status. */
static int serve_fork_or_exec(long (*fn)(long), bool fork)
{
	struct _msg_info mi;
	char b[4];

	fx_chid = ChannelCreate_r(0);
	fx_pid = my_pid();
	int c = clone_child(fn, 0, 0);
	int rcvid = c > 0 ? MsgReceive_r(fx_chid, b, sizeof b, &mi) : -1;
	if (rcvid <= 0)
		return -1;
	int as = AsClone_r(fork ? mi.pid : 0);
	if (fork) {
		int k = ProcessFork_r(mi.pid, mi.tid, as);
		MsgReply_r(rcvid, k > 0 ? wait_status(k) : -1, 0, 0);
	} else {
		struct _proc_start st;
		memset(&st, 0, sizeof st);
		st.entry = (uint64_t)(uintptr_t)clone_entry;
		st.sp = (uint64_t)(uintptr_t)(fx_stack + sizeof fx_stack);
		st.argc = (uint64_t)(uintptr_t)exec_checks;
		KTAP_EQ(ProcessExec_r(mi.pid, mi.tid, as, &st), 0);
		MsgReply_r(rcvid, 0, 0, 0);
	}
	int r = wait_status(c);
	ChannelDestroy_r(fx_chid);
	return r;
}

static void t_fork_keeps_dispositions_and_mask(void)
{
	KTAP_EQ(serve_fork_or_exec(sig_forker, true), 0);
}

static void t_exec_resets_caught_signals(void)
{
	KTAP_EQ(serve_fork_or_exec(sig_execer, false), 77);
}

/* Timer expiries and MsgDeliverEvent as signals: to the process, or to the
 * thread that created the timer. */
static volatile int alarm_tid;

static void note_thread(int signo, siginfo_t *info, void *ctx)
{
	record(signo, info, ctx);
	alarm_tid = (int)urt_tid();
}

static void t_timer_and_event_signals(void)
{
	struct sigevent ev;
	struct _itimer it = { 2000000, 0 };
	sigset_t s = set1(SIGALRM);
	siginfo_t info;

	reset();
	KTAP_EQ(on(SIGALRM, note_thread, 0), 0);
	memset(&ev, 0, sizeof ev);
	SIGEV_SIGNAL_INIT(&ev, SIGALRM);
	ev.sigev_value.sival_int = 31;
	int id = TimerCreate_r(CLOCK_MONOTONIC, &ev);
	KTAP_REQUIRE(id >= 0);
	KTAP_EQ(procmask(SIG_BLOCK, SIGALRM), 0);
	KTAP_EQ(TimerSettime_r(id, 0, &it, 0), 0);
	memset(&info, 0, sizeof info);
	KTAP_EQ(SignalWaitinfo_r(&s, &info), SIGALRM);  /* taken when blocked */
	KTAP_EQ(info.si_code, SI_TIMER);
	KTAP_EQ(info.si_value.sival_int, 31);
	KTAP_EQ(procmask(SIG_UNBLOCK, SIGALRM), 0);
	KTAP_EQ(TimerDestroy_r(id), 0);
	ev.sigev_notify = SIGEV_SIGNAL_THREAD;
	ev.sigev_code = SI_QUEUE;
	id = TimerCreate_r(CLOCK_MONOTONIC, &ev);
	KTAP_REQUIRE(id >= 0);
	KTAP_EQ(TimerSettime_r(id, 0, &it, 0), 0);
	for (int i = 0; i < 500 && !handled; i++)
		pause_ms(1);
	KTAP_EQ(handled, 1);
	KTAP_EQ(got_code, SI_QUEUE);
	KTAP_EQ(alarm_tid, (int)urt_tid());             /* the creator took it */
	KTAP_EQ(TimerDestroy_r(id), 0);
	ev.sigev_signo = 65;
	KTAP_EQ(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EINVAL);
	ev.sigev_signo = SIGALRM;
	ev.sigev_code = 3;                              /* a kernel code */
	KTAP_EQ(TimerCreate_r(CLOCK_MONOTONIC, &ev), -EINVAL);
	KTAP_EQ(MsgDeliverEvent_r((int)urt_tid(), &ev), -EINVAL);
	ev.sigev_code = SI_USER;
	reset();
	KTAP_EQ(MsgDeliverEvent_r((int)urt_tid(), &ev), 0);     /* a server's event, as a signal */
	KTAP_EQ(handled, 1);
	KTAP_EQ(got_signo, SIGALRM);
	dfl(SIGALRM);
}

/* MsgDeliverEvent is a server's call: a process that the target is no
 * client of gets ESRCH, as for an ended client, and the target sees
 * nothing (it once signalled any thread of any process). */
static long deliver_as_stranger(long tid)
{
	struct sigevent ev;

	memset(&ev, 0, sizeof ev);
	SIGEV_SIGNAL_INIT(&ev, SIGUSR1);
	ev.sigev_code = SI_USER;
	return MsgDeliverEvent_r((int)tid, &ev) == -ESRCH ? 0 : 1;
}

static void t_only_a_server_delivers_events(void)
{
	reset();
	KTAP_EQ(on(SIGUSR1, record, 0), 0);
	int c = clone_child(deliver_as_stranger, (long)urt_tid(), 0);
	KTAP_REQUIRE(c > 0);
	KTAP_EQ(wait_status(c), 0);
	pause_ms(5);
	KTAP_EQ(handled, 0);
	dfl(SIGUSR1);
}

/* The first process (taskman, or this program without it) takes only
 * the signals it catches: if these ended it, the system would power off
 * before this program's summary line. */
static void t_first_process_shrugs_off_signals(void)
{
	KTAP_EQ(SignalKill_r(1, 0, SIGTERM, SI_USER, 0), 0);
	KTAP_EQ(SignalKill_r(1, 0, SIGSTOP, SI_USER, 0), 0);
	KTAP_EQ(SignalKill_r(1, 0, SIGKILL, SI_USER, 0), 0);
	pause_ms(20);
	KTAP_EQ(SignalKill_r(1, 0, 0, SI_USER, 0), 0);          /* still there */
}

#define BAD ((void *)0xffffffff80000000ul)

static void t_signal_bad_arguments(void)
{
	sigset_t s = set1(SIGUSR1), empty = { { 0, 0 } };
	struct _proc_exit ex;

	KTAP_EQ(SignalKill_r(0, 0, 65, SI_USER, 0), -EINVAL);
	KTAP_EQ(SignalKill_r(0, 0, -1, SI_USER, 0), -EINVAL);
	KTAP_EQ(SignalKill_r(999999, 0, SIGUSR1, SI_USER, 0), -ESRCH);
	KTAP_EQ(SignalKill_r(0, 0x7fff0001, SIGUSR1, SI_USER, 0), -ESRCH);
	KTAP_EQ(SignalAction_r(0, 0, 0, 0, 0), -EINVAL);
	KTAP_EQ(SignalAction_r(0, 0, 65, 0, 0), -EINVAL);
	KTAP_EQ(SignalAction_r(0, 0, SIGUSR1, BAD, 0), -EFAULT);
	KTAP_EQ(SignalAction_r(0, 0, SIGUSR1, 0, BAD), -EFAULT);
	KTAP_EQ(SignalAction_r(999999, 0, SIGUSR1, 0, 0), -ESRCH);
	KTAP_EQ(SignalProcmask_r(0, 0, 9, &s, 0), -EINVAL);
	KTAP_EQ(SignalProcmask_r(0, 0, SIG_BLOCK, BAD, 0), -EFAULT);
	KTAP_EQ(SignalProcmask_r(0, 0, SIG_BLOCK, 0, BAD), -EFAULT);
	KTAP_EQ(SignalProcmask_r(0, 0x7fff0001, SIG_BLOCK, &s, 0), -ESRCH);
	KTAP_EQ(SignalSuspend_r(BAD), -EFAULT);
	KTAP_EQ(SignalWaitinfo_r(&empty, 0), -EINVAL);
	KTAP_EQ(SignalWaitinfo_r(BAD, 0), -EFAULT);
	KTAP_EQ(SignalReturn_r(BAD), -EFAULT);
	KTAP_EQ(ProcessWait_r(-1, &ex, 0x80), -EINVAL);
}

const struct ktap_case sig_cases[] = {
	{ "handler_runs_with_info", t_handler_runs_with_info },
	{ "blocked_signal_waits_for_unblock", t_blocked_signal_waits_for_unblock },
	{ "waitinfo_takes_a_blocked_signal", t_waitinfo_takes_a_blocked_signal },
	{ "signal_interrupts_a_blocked_call", t_signal_interrupts_a_blocked_call },
	{ "sa_restart_restarts_the_call", t_sa_restart_restarts_the_call },
	{ "timeout_outlives_a_signal_before_its_call", t_timeout_outlives_a_signal_before_its_call },
	{ "restarted_wait_keeps_its_deadline", t_restarted_wait_keeps_its_deadline },
	{ "reply_blocked_client_leaves_with_eintr", t_reply_blocked_client_leaves_with_eintr },
	{ "unblock_channel_gets_the_pulse", t_unblock_channel_gets_the_pulse },
	{ "unblock_pulse_waits_for_a_free_pulse", t_unblock_pulse_waits_for_a_free_pulse },
	{ "send_blocked_client_sends_again_after_the_handler",
	  t_send_blocked_client_sends_again_after_the_handler },
	{ "fault_goes_to_the_handler", t_fault_goes_to_the_handler },
	{ "signals_nest", t_signals_nest },
	{ "handler_keeps_fp_registers", t_handler_keeps_fp_registers },
	{ "handler_keeps_registers", t_handler_keeps_registers },
	{ "interrupted_code_keeps_every_register", t_interrupted_code_keeps_every_register },
	{ "condvar_wait_ended_by_a_signal_holds_the_mutex",
	  t_condvar_wait_ended_by_a_signal_holds_the_mutex },
	{ "kill_and_stop_cannot_be_caught_or_blocked", t_kill_and_stop_cannot_be_caught_or_blocked },
	{ "default_action_ends_the_process", t_default_action_ends_the_process },
	{ "stop_and_continue", t_stop_and_continue },
	{ "sigcont_breaks_no_call", t_sigcont_breaks_no_call },
	{ "signal_permissions", t_signal_permissions },
	{ "group_signal", t_group_signal },
	{ "fork_keeps_dispositions_and_mask", t_fork_keeps_dispositions_and_mask },
	{ "exec_resets_caught_signals", t_exec_resets_caught_signals },
	{ "timer_and_event_signals", t_timer_and_event_signals },
	{ "only_a_server_delivers_events", t_only_a_server_delivers_events },
	{ "first_process_shrugs_off_signals", t_first_process_shrugs_off_signals },
	{ "signal_bad_arguments", t_signal_bad_arguments },
};
const unsigned n_sig_cases = sizeof sig_cases / sizeof sig_cases[0];
