/* ktest-proc: copy-on-write clones, fork, exec, credentials and groups. */
#include "proc.h"

#define PROC_CONN_TEST 300

static int srv_chid, srv_pid;
static volatile long g;                 /* a word on a copy-on-write page */

/* ---- clones ----------------------------------------------------------------------- */

static long return_g(long arg)
{
	(void)arg;
	return g;
}

static long set_g(long v)
{
	g = v;
	return g;
}

extern const char clone_entry[];
static char exec_stack[16384] __attribute__((aligned(16)));

/* Start fn(arg) in space as (taken over) on the exec stack. */
static int start_in(int as, long (*fn)(long), long arg)
{
	struct _proc_start st;

	memset(&st, 0, sizeof st);
	st.entry = (uint64_t)(uintptr_t)clone_entry;
	st.sp = (uint64_t)(uintptr_t)(exec_stack + sizeof exec_stack);
	st.argc = (uint64_t)(uintptr_t)fn;
	st.argv = (uint64_t)arg;
	return ProcessStart_r(as, &st);
}

static void t_clone_sees_memory_at_clone_time(void)
{
	g = 5;
	int as = AsClone_r(0);
	KTAP_REQUIRE(as > 0);
	g = 6;                                  /* after the clone: ours alone */
	int pid = start_in(as, return_g, 0);
	KTAP_REQUIRE(pid > 0);
	KTAP_EQ(wait_status(pid), 5);
	KTAP_EQ(g, 6);
}

static void t_clone_writes_stay_private(void)
{
	g = 6;
	int pid = clone_child(set_g, 9, 0);
	KTAP_REQUIRE(pid > 0);
	KTAP_EQ(wait_status(pid), 9);
	KTAP_EQ(g, 6);
}

/* A page of its own, copy-on-write in a clone until someone writes it. */
static volatile struct _pulse cow_pulse __attribute__((aligned(4096)));

/* The child sends itself a pulse, then receives it into cow_pulse: the
 * kernel writes the pulse under the channel's lock, where a store fault on
 * a copy-on-write page is not resolved; it must make the page the child's
 * first, not fail the receive. */
static long pulse_child(long arg)
{
	int chid = ChannelCreate_r(0);
	int coid = chid < 0 ? chid : ConnectAttach_r(0, 0, chid, 0, 0);

	if (coid < 0)
		return 100;
	if (MsgSendPulse_r(coid, -1, 5, (int)arg))
		return 101;
	int r = MsgReceive_r(chid, (void *)&cow_pulse, sizeof cow_pulse, NULL);
	if (r != 0)
		return 102;
	return cow_pulse.code == 5 && cow_pulse.value.sival_int == arg ? 0 : 103;
}

static void t_a_pulse_lands_in_a_copy_on_write_buffer(void)
{
	cow_pulse.code = 1;                     /* mapped, with our data */
	int pid = clone_child(pulse_child, 77, 0);
	KTAP_REQUIRE(pid > 0);
	KTAP_EQ(wait_status(pid), 0);
	KTAP_EQ(cow_pulse.code, 1);             /* the child's write was its own */
}

#define BIG_PAGES 32
static volatile uint8_t big[BIG_PAGES][4096] __attribute__((aligned(4096)));

/* The child checks the parent's pattern on every page, then writes its
 * own, while the parent writes another one: nobody sees the others'. */
static long big_child(long arg)
{
	long bad = 0;

	(void)arg;
	for (int p = 0; p < BIG_PAGES; p++)
		for (int i = 0; i < 4096; i += 512) {
			bad += big[p][i] != (uint8_t)(p + 1);
			big[p][i] = (uint8_t)(p + 100);
		}
	for (int p = 0; p < BIG_PAGES; p++)
		for (int i = 0; i < 4096; i += 512)
			bad += big[p][i] != (uint8_t)(p + 100);
	return bad;
}

static void t_cow_pages_stay_apart(void)
{
	for (int p = 0; p < BIG_PAGES; p++)
		for (int i = 0; i < 4096; i += 512)
			big[p][i] = (uint8_t)(p + 1);
	int pid = clone_child(big_child, 0, 0);
	KTAP_REQUIRE(pid > 0);
	for (int p = 0; p < BIG_PAGES; p++)
		for (int i = 0; i < 4096; i += 512)
			big[p][i] = (uint8_t)(p + 50);
	KTAP_EQ(wait_status(pid), 0);
	long bad = 0;
	for (int p = 0; p < BIG_PAGES; p++)
		for (int i = 0; i < 4096; i += 512)
			bad += big[p][i] != (uint8_t)(p + 50);
	KTAP_EQ(bad, 0);
}

/* A clone of a clone: three spaces share pages, each write copies. */
static long grand_clone(long arg)
{
	(void)arg;
	g = 20;
	int as = AsClone_r(0);          /* the child holds our privilege */
	if (as < 0)
		return 100;
	g = 21;
	int pid = start_in(as, return_g, 0);
	if (pid < 0)
		return 101;
	int st = wait_status(pid);
	return st == 20 && g == 21 ? 0 : 102;
}

static void t_clone_of_a_clone(void)
{
	g = 1;
	int pid = clone_child(grand_clone, 0, KCALL_PRIV_PROCMGR);
	KTAP_REQUIRE(pid > 0);
	KTAP_EQ(wait_status(pid), 0);
	KTAP_EQ(g, 1);
}

/* ---- fork --------------------------------------------------------------------------- */

/* MsgSendv with fs0 set to `in` around the call only (the kernel call is
 * the only thing between), and what fs0 holds after it in *out. */
static long send_keep_fs0(int coid, const char *msg, uint64_t in, uint64_t *out)
{
	iov_t siov = { (void *)msg, strlen(msg) + 1 };
	register long a0 __asm__("a0") = coid;
	register long a1 __asm__("a1") = (long)&siov;
	register long a2 __asm__("a2") = 1;
	register long a3 __asm__("a3") = 0;
	register long a4 __asm__("a4") = 0;
	register long a7 __asm__("a7") = KCALL_MsgSendv;
	uint64_t o;

	__asm__ volatile("fmv.d.x fs0, %[in]\n ecall\n fmv.x.d %[o], fs0"
			 : "+r"(a0), [o] "=&r"(o)
			 : "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a7), [in] "r"(in)
			 : "fs0", "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "a6");  /* <keel/kcall.h> */
	*out = o;
	return a0;
}

#define FP_MARK 0x4142434445464748ul

static long forker(long arg)
{
	struct _client_info ci;
	uint64_t fp = 0;

	(void)arg;
	int coid = ConnectAttach_r(0, srv_pid, srv_chid, 0, 0);
	if (coid < 0)
		return 100;
	g = 111;
	long r = send_keep_fs0(coid, "fork", FP_MARK, &fp);
	if (r == 0) {                           /* the child */
		if (g != 111)
			exit(201);
		if (fp != FP_MARK)
			exit(202);
		if (ConnectClientInfo_r(-1, &ci, 0) || ci.cred.euid != 42 || ci.sid != 13)
			exit(203);
		g = 222;
		exit(MsgSend_r(coid, "kid", 4, 0, 0) == 7 ? 50 : 204);
	}
	if (r != 50)
		return 300 + r;
	if (g != 111)
		return 205;
	if (fp != FP_MARK)
		return 206;
	return 60;
}

static void t_fork_copies_the_caller(void)
{
	struct _msg_info mi, mi2;
	char buf[16];
	struct _cred_info cred;

	srv_chid = ChannelCreate_r(0);
	srv_pid = my_pid();
	KTAP_REQUIRE(srv_chid > 0);
	int c = clone_child(forker, 0, 0);
	KTAP_REQUIRE(c > 0);
	int rcvid = MsgReceive_r(srv_chid, buf, sizeof buf, &mi);
	KTAP_REQUIRE(rcvid > 0);
	KTAP_EQ(mi.pid, c);
	KTAP_CHECK(!strcmp(buf, "fork"));
	memset(&cred, 0, sizeof cred);
	cred.euid = 42;
	KTAP_EQ(ProcessSetCred_r(c, &cred), 0);
	KTAP_EQ(ProcessSetGroup_r(c, 12, 13), 0);
	int as = AsClone_r(mi.pid);
	KTAP_REQUIRE(as > 0);
	int k = ProcessFork_r(mi.pid, mi.tid, as);
	KTAP_REQUIRE(k > 0);
	int r2 = MsgReceive_r(srv_chid, buf, sizeof buf, &mi2);         /* on the copied coid */
	KTAP_REQUIRE(r2 > 0);
	KTAP_EQ(mi2.pid, k);
	KTAP_EQ(mi2.coid, mi.coid);
	KTAP_EQ(MsgReply_r(r2, 7, 0, 0), 0);
	int ks = wait_status(k);
	KTAP_EQ(ks, 50);
	KTAP_EQ(MsgReply_r(rcvid, ks, 0, 0), 0);
	KTAP_EQ(wait_status(c), 60);
	ChannelDestroy_r(srv_chid);
}

static char thread_stack[16384] __attribute__((aligned(16)));

static void *block_forever(void *arg)
{
	char b[4];
	int chid = ChannelCreate_r(0);

	(void)arg;
	MsgReceive_r(chid, b, sizeof b, 0);
	return 0;
}

static long threaded_forker(long arg)
{
	(void)arg;
	int coid = ConnectAttach_r(0, srv_pid, srv_chid, 0, 0);
	if (coid < 0 || urt_thread_create(block_forever, 0, thread_stack, sizeof thread_stack, 0) < 0)
		return 100;
	long r = MsgSend_r(coid, "fork", 5, 0, 0);
	return r == -EBUSY ? 0 : 101;
}

static void t_fork_of_a_threaded_process_is_ebusy(void)
{
	struct _msg_info mi;
	char buf[16];

	srv_chid = ChannelCreate_r(0);
	srv_pid = my_pid();
	int c = clone_child(threaded_forker, 0, 0);
	KTAP_REQUIRE(c > 0);
	int rcvid = MsgReceive_r(srv_chid, buf, sizeof buf, &mi);
	KTAP_REQUIRE(rcvid > 0);
	KTAP_EQ(AsClone_r(mi.pid), -EBUSY);             /* its other thread would race a copy */
	int as = AsCreate_r();
	KTAP_EQ(ProcessFork_r(mi.pid, mi.tid, as), -EBUSY);
	KTAP_EQ(AsDestroy_r(as), 0);                    /* still ours: the call failed */
	KTAP_EQ(MsgError_r(rcvid, EBUSY), 0);
	KTAP_EQ(wait_status(c), 0);
	ChannelDestroy_r(srv_chid);
}

/* ---- exec --------------------------------------------------------------------------- */

static volatile long exec_marker;

static long exec_target(long coid)
{
	if (exec_marker != 5)
		return 90;                      /* not the new image */
	return MsgSend_r((int)coid, "new", 4, 0, 0) == 8 ? 77 : 91;
}

static long execer(long arg)
{
	(void)arg;
	int coid = ConnectAttach_r(0, srv_pid, srv_chid, 0, 0);
	if (coid < 0 || urt_thread_create(block_forever, 0, thread_stack, sizeof thread_stack, 0) < 0)
		return 100;
	MsgSend_r(coid, "exec", 5, 0, 0);
	return 95;                              /* exec did not happen */
}

static void t_exec_replaces_the_image(void)
{
	struct _msg_info mi, mi2;
	struct _proc_start st;
	char buf[16];

	srv_chid = ChannelCreate_r(0);
	srv_pid = my_pid();
	exec_marker = 0;
	int c = clone_child(execer, 0, 0);
	KTAP_REQUIRE(c > 0);
	int rcvid = MsgReceive_r(srv_chid, buf, sizeof buf, &mi);
	KTAP_REQUIRE(rcvid > 0);
	exec_marker = 5;                        /* only the new image has it */
	int as = AsClone_r(0);
	exec_marker = 0;
	KTAP_REQUIRE(as > 0);
	memset(&st, 0, sizeof st);
	st.entry = (uint64_t)(uintptr_t)clone_entry;
	st.sp = (uint64_t)(uintptr_t)(exec_stack + sizeof exec_stack);
	st.argc = (uint64_t)(uintptr_t)exec_target;
	st.argv = (uint64_t)mi.coid;            /* the connection survives exec */
	KTAP_EQ(ProcessExec_r(mi.pid, mi.tid, as, &st), 0);
	KTAP_EQ(MsgReply_r(rcvid, 0, 0, 0), 0);        /* restarts it in the new image */
	int r2 = MsgReceive_r(srv_chid, buf, sizeof buf, &mi2);
	KTAP_REQUIRE(r2 > 0);
	KTAP_EQ(mi2.pid, c);
	KTAP_CHECK(!strcmp(buf, "new"));
	KTAP_EQ(MsgReply_r(r2, 8, 0, 0), 0);
	KTAP_EQ(wait_status(c), 77);
	ChannelDestroy_r(srv_chid);
}

/* ---- many processes ------------------------------------------------------------------ */

#define MANY 1000

static long wait_for_server(long arg)
{
	(void)arg;
	int coid = ConnectAttach_r(0, srv_pid, srv_chid, 0, 0);
	if (coid < 0)
		return 100;
	return MsgSend_r(coid, "hi", 3, 0, 0) == 3 ? 0 : 101;
}

static int many_rcvid[MANY];

static void t_a_thousand_processes_at_once(void)
{
	char buf[8];
	int started = 0, received = 0, bad = 0;

	srv_chid = ChannelCreate_r(0);
	srv_pid = my_pid();
	for (; started < MANY; started++) {
		if (clone_child(wait_for_server, 0, 0) <= 0)
			break;
		if (started % 200 == 199)       /* slow under load: show progress */
			ktap_diag("%d processes started", started + 1);
	}
	KTAP_EQ(started, MANY);
	for (; received < started; received++) {
		if ((many_rcvid[received] = MsgReceive_r(srv_chid, buf, sizeof buf, 0)) <= 0)
			break;
		if (received % 200 == 199)
			ktap_diag("%d of them waiting on us", received + 1);
	}
	KTAP_EQ(received, started);
	for (int i = 0; i < received; i++)
		MsgReply_r(many_rcvid[i], 3, 0, 0);
	for (int i = 0; i < started; i++) {
		struct _proc_exit ex;
		if (ProcessWait_r(-1, &ex, 0) <= 0 || ex.how != _PROC_EXITED || ex.status != 0)
			bad++;
		if (i % 200 == 199)
			ktap_diag("%d of them ended", i + 1);
	}
	KTAP_EQ(bad, 0);
	ChannelDestroy_r(srv_chid);
}

/* ---- credentials and groups ----------------------------------------------------------- */

static void t_set_cred_and_group_show_in_client_info(void)
{
	struct _cred_info c = { 1, 2, 3, 4, 5, 6, 2, { 7, 8 } }, zero;
	struct _client_info ci;

	memset(&zero, 0, sizeof zero);
	KTAP_EQ(ProcessSetCred_r(0, &c), 0);
	KTAP_EQ(ProcessSetGroup_r(0, 12, 13), 0);
	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	KTAP_EQ(memcmp(&ci.cred, &c, sizeof c), 0);
	KTAP_EQ(ci.sid, 13);
	KTAP_EQ(ProcessSetCred_r(0, &zero), 0);
	KTAP_EQ(ProcessSetGroup_r(0, 0, 0), 0);
}

/* ---- privilege and bad arguments ------------------------------------------------------- */

static long try_privileged(long arg)
{
	struct _proc_start st;
	struct _proc_exit ex;
	struct _cred_info cr;
	long bad = 0;

	(void)arg;
	memset(&st, 0, sizeof st);
	memset(&cr, 0, sizeof cr);
	bad += AsCreate_r() != -EPERM;
	bad += AsDestroy_r(1) != -EPERM;
	bad += AsMap_r(0, 0x10000, 4096, PROT_READ, 0, 0) != -EPERM;
	bad += AsUnmap_r(0, 0x10000, 4096) != -EPERM;
	bad += AsProtect_r(0, 0x10000, 4096, PROT_READ) != -EPERM;
	bad += AsWrite_r(0, 0x10000, "x", 1) != -EPERM;
	bad += ProcessStart_r(1, &st) != -EPERM;
	bad += ProcessWait_r(-1, &ex, 0) != -EPERM;
	bad += AsClone_r(0) != -EPERM;
	bad += ProcessFork_r(1, 1, 1) != -EPERM;
	bad += ProcessExec_r(1, 1, 1, &st) != -EPERM;
	bad += ProcessSetCred_r(0, &cr) != -EPERM;
	bad += ProcessSetGroup_r(0, 1, 1) != -EPERM;
	return bad;
}

static void t_privileged_calls_refuse_unprivileged_callers(void)
{
	int pid = clone_child(try_privileged, 0, 0);

	KTAP_REQUIRE(pid > 0);
	KTAP_EQ(wait_status(pid), 0);
}

#define BAD_PTR ((void *)0xffffffff80000000ul)

static void t_fork_exec_bad_arguments(void)
{
	struct _proc_start st;
	int me = my_pid();

	memset(&st, 0, sizeof st);
	KTAP_EQ(AsClone_r(-5), -ESRCH);
	KTAP_EQ(AsClone_r(999999), -ESRCH);
	KTAP_EQ(AsOpen_r(999999), -ESRCH);
	KTAP_EQ(AsOpen_r(1), -EPERM);                   /* taskman's memory is its own */
	KTAP_EQ(AsClone_r(1), -EPERM);
	int as = AsClone_r(0);
	KTAP_REQUIRE(as > 0);
	KTAP_EQ(ProcessFork_r(999999, 1, as), -ESRCH);
	KTAP_EQ(ProcessFork_r(me, urt_tid(), as), -ESRCH);      /* not itself */
	KTAP_EQ(ProcessFork_r(0, urt_tid(), as), -ESRCH);
	KTAP_EQ(ProcessExec_r(999999, 1, as, &st), -ESRCH);
	KTAP_EQ(ProcessExec_r(999999, 1, as, BAD_PTR), -EFAULT);
	KTAP_EQ(ProcessExec_r(999999, 1, as, 0), -EFAULT);
	st.privileges = 0x80;
	KTAP_EQ(ProcessExec_r(999999, 1, as, &st), -EPERM);
	KTAP_EQ(AsDestroy_r(as), 0);                    /* refused calls left it alone */
	KTAP_EQ(ProcessSetCred_r(0, BAD_PTR), -EFAULT);
	KTAP_EQ(ProcessSetCred_r(0, 0), -EFAULT);
	KTAP_EQ(ProcessSetCred_r(999999, &st.cred), -ESRCH);
	KTAP_EQ(ProcessSetCred_r(-3, &st.cred), -ESRCH);
	KTAP_EQ(ProcessSetGroup_r(0, -1, 0), -EINVAL);
	KTAP_EQ(ProcessSetGroup_r(0, 0, -1), -EINVAL);
	KTAP_EQ(ProcessSetGroup_r(999999, 1, 1), -ESRCH);
}

/* A child that is not blocked on us cannot be forked or exec'd. */
static void t_fork_needs_a_thread_blocked_on_the_caller(void)
{
	struct _msg_info mi;
	char buf[8];
	struct _proc_start st;

	srv_chid = ChannelCreate_r(0);
	srv_pid = my_pid();
	int c = clone_child(wait_for_server, 0, 0);
	KTAP_REQUIRE(c > 0);
	int rcvid = MsgReceive_r(srv_chid, buf, sizeof buf, &mi);
	KTAP_REQUIRE(rcvid > 0);
	int as = AsClone_r(c);
	KTAP_REQUIRE(as > 0);
	KTAP_EQ(ProcessFork_r(c, mi.tid + 1, as), -ESRCH);      /* no such thread */
	KTAP_EQ(ProcessFork_r(c, urt_tid(), as), -ESRCH);       /* ours, not c's */
	KTAP_EQ(ProcessFork_r(c, mi.tid, 77), -EINVAL);         /* no such space */
	memset(&st, 0, sizeof st);
	KTAP_EQ(ProcessExec_r(c, mi.tid, 77, &st), -EINVAL);
	KTAP_EQ(MsgReply_r(rcvid, 3, 0, 0), 0);
	KTAP_EQ(wait_status(c), 0);
	KTAP_EQ(ProcessFork_r(c, mi.tid, as), -ESRCH);          /* ended */
	AsDestroy_r(as);
	ChannelDestroy_r(srv_chid);
}

/* ---- connections ------------------------------------------------------------------------ */

static int coids[PROC_CONN_TEST];

/* Every fd is a connection: a process holds 256 of them, ordinary and side
 * together, and the 257th is EAGAIN. */
static void t_two_hundred_fifty_six_connections(void)
{
	int chid = ChannelCreate_r(0), n = 0, side = 0;

	KTAP_REQUIRE(chid > 0);
	for (int i = 0; i < PROC_CONN_TEST; i++) {
		int c = ConnectAttach_r(0, 0, chid, i % 4 ? 0 : _NTO_SIDE_CHANNEL, 0);
		if (c < 0) {
			KTAP_EQ(c, -EAGAIN);
			break;
		}
		coids[n++] = c;
		side += (c & _NTO_SIDE_CHANNEL) != 0;
	}
	/* The program itself holds a few already (its console, none here). */
	KTAP_CHECK(n >= 250 && n <= 256);
	KTAP_CHECK(side > 50);
	KTAP_EQ(MsgSendPulse_r(coids[n - 1], -1, 3, 0), 0);
	for (int i = 0; i < n; i++)
		KTAP_EQ(ConnectDetach_r(coids[i]), 0);
	KTAP_EQ(ConnectDetach_r(coids[0]), -EINVAL);
	ChannelDestroy_r(chid);
}

/* ---- messages between two spaces ------------------------------------------------- */

/* A message between processes is copied from one space into the other:
 * a short one through the kernel's stack with each space switched to in
 * turn (the fast path), a long one or one into a copy-on-write page
 * through the page tables (the general path).  The clone is the client of
 * a channel of ours; what each side got is checked byte for byte. */
#define XS_UNMAPPED ((void *)0x00000012345000ul)

static char xs_rbuf[4096] __attribute__((aligned(4096)));       /* copy-on-write after the clone */
static char xs_reply[4096] __attribute__((aligned(4096)));
static char xs_big[1024];

enum { XS_PARTS, XS_BAD_REPLY, XS_COW_REPLY, XS_BIG };

static int xs_connect(long arg)
{
	return ConnectAttach_r(0, (int)(arg >> 32), (int)(arg & 0xffff), 0, 0);
}

static long xs_client(long arg)
{
	int coid = xs_connect(arg);
	int mode = (int)((arg >> 16) & 0xffff);
	char r1[3], r2[20], r3[4];

	if (coid < 0)
		return 100;
	if (mode == XS_PARTS) {
		/* 5 + 100 + 20 bytes out, 3 + 20 + 4 bytes back */
		char a[5] = "head", b[100], c[20];
		for (int i = 0; i < 100; i++)
			b[i] = (char)(i + 1);
		memset(c, 'z', sizeof c);
		iov_t s[3] = { { a, 5 }, { b, 100 }, { c, 20 } };
		iov_t r[3] = { { r1, 3 }, { r2, 20 }, { r3, 4 } };
		memset(r2, 0, sizeof r2);
		long st = MsgSendv_r(coid, s, 3, r, 3);
		if (st != 42)
			return 101;
		if (memcmp(r1, "rep", 3) || memcmp(r2, "ly-in-three-parts!!!", 20) || memcmp(r3, "END.", 4))
			return 102;
	} else if (mode == XS_BAD_REPLY) {
		if (MsgSend_r(coid, "x", 1, XS_UNMAPPED, 8) != -EFAULT)
			return 103;
	} else if (mode == XS_COW_REPLY) {
		/* xs_reply is still the parent's page, shared copy-on-write */
		if (MsgSend_r(coid, "y", 1, xs_reply, 16) != 16)
			return 104;
		if (memcmp(xs_reply, "into-a-cow-page", 16))
			return 105;
	} else {
		for (int i = 0; i < (int)sizeof xs_big; i++)
			xs_big[i] = (char)(i * 7);
		if (MsgSend_r(coid, xs_big, sizeof xs_big, 0, 0) != 0)
			return 106;
	}
	MsgSend_r(coid, "bye", 4, 0, 0);
	return 0;
}

/* Start the client in mode; it connects to chid of ours. */
static int xs_start(int chid, int mode)
{
	return clone_child(xs_client, (long)my_pid() << 32 | (long)mode << 16 | chid, 0);
}

/* Receive the client's "bye" (replying to rcvid with status in the same
 * call when rcvid > 0), answer it, and collect the client's status. */
static int xs_finish(int chid, int pid, int rcvid, long status, const void *rep, size_t len)
{
	char bye[8] = { 0 };
	int r = rcvid > 0 ? MsgReplyReceive_r(rcvid, status, rep, len, chid, bye, sizeof bye, 0) :
			    MsgReceive_r(chid, bye, sizeof bye, 0);

	if (r <= 0 || strcmp(bye, "bye"))
		return -1;
	MsgReply_r(r, 0, 0, 0);
	return wait_status(pid);
}

static void t_a_message_between_spaces_arrives_whole(void)
{
	int chid = ChannelCreate_r(0);
	char p1[60], p2[200];
	struct _msg_info info;

	KTAP_REQUIRE(chid > 0);
	int pid = xs_start(chid, XS_PARTS);
	KTAP_REQUIRE(pid > 0);
	memset(p2, 0, sizeof p2);
	iov_t r[2] = { { p1, sizeof p1 }, { p2, sizeof p2 } };
	int rcvid = MsgReceivev_r(chid, r, 2, &info);
	KTAP_CHECK(rcvid > 0);
	KTAP_EQ(info.msglen, 125);
	KTAP_EQ(info.srcmsglen, 125);
	KTAP_EQ(info.dstmsglen, 27);
	KTAP_EQ(info.pid, pid);
	KTAP_CHECK(!memcmp(p1, "head", 5));
	int bad = 0;
	for (int i = 0; i < 100; i++)                   /* b spans both buffers */
		bad += (i + 5 < 60 ? p1[i + 5] : p2[i + 5 - 60]) != (char)(i + 1);
	for (int i = 0; i < 20; i++)
		bad += p2[45 + i] != 'z';
	KTAP_EQ(bad, 0);
	KTAP_EQ(p2[65], 0);                             /* nothing past the message */
	/* The reply goes with the next receive (the server's loop). */
	KTAP_EQ(xs_finish(chid, pid, rcvid, 42, "reply-in-three-parts!!!END.", 27), 0);
	ChannelDestroy_r(chid);
}

/* A receive buffer that is not mapped fails the receiver (EFAULT) and the
 * message waits for the next receive; a reply into a client's unmapped
 * buffer fails both the reply and the client's send. */
static void t_a_bad_buffer_between_spaces_fails_its_owner(void)
{
	int chid = ChannelCreate_r(0);
	char buf[8] = { 0 };

	KTAP_REQUIRE(chid > 0);
	int pid = xs_start(chid, XS_BAD_REPLY);
	KTAP_REQUIRE(pid > 0);
	KTAP_EQ(MsgReceive_r(chid, XS_UNMAPPED, 8, 0), -EFAULT);
	int rcvid = MsgReceive_r(chid, buf, sizeof buf, 0);
	KTAP_CHECK(rcvid > 0);
	KTAP_EQ(buf[0], 'x');
	KTAP_EQ(MsgReply_r(rcvid, 0, "12345678", 8), -EFAULT);
	KTAP_EQ(xs_finish(chid, pid, 0, 0, 0, 0), 0);
	ChannelDestroy_r(chid);
}

/* Buffers on pages shared copy-on-write by the clone: the copy makes each
 * its owner's own, in both directions, and the other side's stays as it was. */
static void t_a_message_between_spaces_lands_in_copy_on_write_pages(void)
{
	int chid = ChannelCreate_r(0);

	KTAP_REQUIRE(chid > 0);
	memset(xs_rbuf, '.', 64);
	memset(xs_reply, '-', 64);
	int pid = xs_start(chid, XS_COW_REPLY);
	KTAP_REQUIRE(pid > 0);
	int rcvid = MsgReceive_r(chid, xs_rbuf, 16, 0);   /* into our copy-on-write page */
	KTAP_CHECK(rcvid > 0);
	KTAP_EQ(xs_rbuf[0], 'y');
	KTAP_EQ(xs_rbuf[2], '.');
	KTAP_EQ(xs_finish(chid, pid, rcvid, 16, "into-a-cow-page", 16), 0);
	KTAP_EQ(xs_reply[0], '-');                      /* the client's copy was its own */
	ChannelDestroy_r(chid);
}

/* Longer than the kernel copies through its stack: the same bytes. */
static void t_a_long_message_between_spaces_arrives_whole(void)
{
	int chid = ChannelCreate_r(0);
	static char got[sizeof xs_big];

	KTAP_REQUIRE(chid > 0);
	int pid = xs_start(chid, XS_BIG);
	KTAP_REQUIRE(pid > 0);
	int rcvid = MsgReceive_r(chid, got, sizeof got, 0);
	KTAP_CHECK(rcvid > 0);
	int bad = 0;
	for (int i = 0; i < (int)sizeof got; i++)
		bad += got[i] != (char)(i * 7);
	KTAP_EQ(bad, 0);
	KTAP_EQ(xs_finish(chid, pid, rcvid, 0, 0, 0), 0);
	ChannelDestroy_r(chid);
}

const struct ktap_case proc_cases[] = {
	{ "two_hundred_fifty_six_connections", t_two_hundred_fifty_six_connections },
	{ "a_message_between_spaces_arrives_whole", t_a_message_between_spaces_arrives_whole },
	{ "a_bad_buffer_between_spaces_fails_its_owner",
	  t_a_bad_buffer_between_spaces_fails_its_owner },
	{ "a_message_between_spaces_lands_in_copy_on_write_pages",
	  t_a_message_between_spaces_lands_in_copy_on_write_pages },
	{ "a_long_message_between_spaces_arrives_whole",
	  t_a_long_message_between_spaces_arrives_whole },
	{ "clone_sees_memory_at_clone_time", t_clone_sees_memory_at_clone_time },
	{ "clone_writes_stay_private", t_clone_writes_stay_private },
	{ "cow_pages_stay_apart", t_cow_pages_stay_apart },
	{ "a_pulse_lands_in_a_copy_on_write_buffer", t_a_pulse_lands_in_a_copy_on_write_buffer },
	{ "clone_of_a_clone", t_clone_of_a_clone },
	{ "fork_copies_the_caller", t_fork_copies_the_caller },
	{ "fork_of_a_threaded_process_is_ebusy", t_fork_of_a_threaded_process_is_ebusy },
	{ "fork_needs_a_thread_blocked_on_the_caller", t_fork_needs_a_thread_blocked_on_the_caller },
	{ "exec_replaces_the_image", t_exec_replaces_the_image },
	{ "set_cred_and_group_show_in_client_info", t_set_cred_and_group_show_in_client_info },
	{ "privileged_calls_refuse_unprivileged_callers",
	  t_privileged_calls_refuse_unprivileged_callers },
	{ "fork_exec_bad_arguments", t_fork_exec_bad_arguments },
	{ "a_thousand_processes_at_once", t_a_thousand_processes_at_once },
};
const unsigned n_proc_cases = sizeof proc_cases / sizeof proc_cases[0];

/* ---- faults (only in the boot that expects their report lines) ------------------------- */

static long store_null(long arg)
{
	(void)arg;
	*(volatile long *)0 = 1;
	return 0;
}

static long illegal(long arg)
{
	(void)arg;
	__asm__ volatile(".word 0xc0001073");   /* csrw cycle, zero: read-only CSR */
	return 0;
}

/* fn's child ends killed by signo with code; returns the report. */
static struct _proc_exit killed_by(long (*fn)(long), int signo, int code)
{
	struct _proc_exit ex;
	int pid = clone_child(fn, 0, 0);

	memset(&ex, 0, sizeof ex);
	KTAP_CHECK(pid > 0);
	KTAP_EQ(ProcessWait_r(pid, &ex, 0), pid);
	KTAP_EQ(ex.how, _PROC_KILLED);
	KTAP_EQ(ex.status, signo);
	KTAP_EQ(ex.code, code);
	return ex;
}

static void t_null_store_is_sigsegv(void)
{
	KTAP_EQ(killed_by(store_null, SIGSEGV, SEGV_MAPERR).addr, 0);
}

static void t_illegal_instruction_is_sigill(void)
{
	killed_by(illegal, SIGILL, ILL_ILLOPC);
}

const struct ktap_case fault_cases[] = {
	{ "null_store_is_sigsegv", t_null_store_is_sigsegv },
	{ "illegal_instruction_is_sigill", t_illegal_instruction_is_sigill },
};
const unsigned n_fault_cases = sizeof fault_cases / sizeof fault_cases[0];
