/* storm WHICH [SCALE]: SMP message storms from user mode, as KTAP.
 *   msg       8 servers x 8 clients x 128 rounds of MsgSend/Receive/Reply,
 *             payloads checked both ways, exact per-(client, server) counts
 *   many      1 server, 16 clients x 1000 sends each, exact counts
 *   pingpong  two threads, 10,000 round trips, sequence checked
 *   chan      4 threads x 1000 rounds: create 4 channels, destroy them in a
 *             shuffled order; every create that succeeded is destroyed
 *   late      4 clients x 1000 rounds: a slow server answers after its
 *             clients' REPLY timeouts may have sent them on to a quick
 *             server; the late answers must never reach the quick one's
 *             clients or its queue
 *   blk       block I/O by interrupt: /bin/blkstorm, started as a driver
 *             that may map the board's disk controllers, starts the disk's
 *             driver and reads the disk (checked against a first read) while
 *             the rest runs; skipped, said, on a board without a disk
 *   all       all of these at once, with pulses (counted exactly), send
 *             timeouts (each must time out) and thread kills mixed in
 * SCALE (percent, default 100) shrinks every round count.  Each storm is a
 * KTAP case; a last case checks the kernel's object counts are back at what
 * they were before (KernelObjects).  Threads land on every hart the
 * scheduler has. */
#include <keel/hwinfo.h>
#include <keel/kobjects.h>
#include <keel/msg.h>
#include <keel/sysinfo.h>
#include "ktap.h"
#include "urt.h"
#include "urt_tm.h"

#define SERVERS   8
#define CLIENTS   8
#define MANY      16
#define CHANNERS  4
#define STACKS    64
#define CODE_PING 2
/* A server is stopped by a message from this client, never by a pulse:
 * the pulser keeps the pulse pool full, and a stop pulse refused for room
 * (EAGAIN) once left a server running on a destroyed channel's id, which a
 * new channel then took over (campaign run 45). */
#define STOP_CLIENT 0xffffffffu

struct msg {
	uint32_t client, round, server, seq;
	uint8_t data[48];
};

#define STACK 16384
#define GUARD 1024
static char stacks[STACKS][GUARD + STACK] __attribute__((aligned(16)));
static volatile unsigned next_stack;
static unsigned scale = 100;

static unsigned scaled(unsigned n)
{
	unsigned v = n * scale / 100;
	return v ? v : 1;
}

/* Below each stack lies a guard of GUARD bytes of a pattern (no page is
 * unmapped: the stacks are .bss): a thread whose frames ran past its
 * stack's end writes there before it reaches the next stack down, and
 * thread_stacks_within_bounds says so.  (A frame larger than the guard
 * that is written only at its far end jumps it.) */
#define GUARD_BYTE 0xa5

static int spawn(void *(*fn)(void *), void *arg)
{
	unsigned i = __atomic_fetch_add(&next_stack, 1, __ATOMIC_RELAXED);

	if (i >= STACKS)
		return -ENOMEM;
	memset(stacks[i], GUARD_BYTE, GUARD);
	return urt_thread_create(fn, arg, stacks[i] + GUARD, STACK, 10);
}

static bool stacks_within_bounds(void)
{
	unsigned used = next_stack < STACKS ? next_stack : STACKS, bad = 0;

	for (unsigned i = 0; i < used; i++) {
		unsigned lo = 0;                /* the deepest byte written */
		while (lo < GUARD && (unsigned char)stacks[i][lo] == GUARD_BYTE)
			lo++;
		if (lo < GUARD) {
			ktap_diag("stack %u: the thread wrote %u bytes past the end of its %u-byte "
				  "stack", i, GUARD - lo, STACK);
			bad++;
		}
	}
	return bad == 0;
}

static bool join_all(const int *tids, int n)
{
	bool ok = true;

	for (int i = 0; i < n; i++) {
		int r = tids[i] > 0 ? ThreadJoin_r(tids[i], 0) : tids[i];
		if (r) {
			ktap_diag("thread %d of %d: %s %d", i, n, tids[i] > 0 ? "join" : "create", r);
			ok = false;
		}
	}
	return ok;
}

static uint8_t pattern(uint32_t client, uint32_t round, unsigned k)
{
	return (uint8_t)(client * 31 + round * 7 + k);
}

/* ---- a checked server and client, shared by msg, many and pingpong ---------- */

struct server {
	int chid, coid;
	uint32_t id;
	volatile uint32_t got[MANY];    /* messages per client */
	volatile uint32_t pulses, bad;
	volatile int last_bad;          /* the last bad receive: its error, or 1 a bad message */
};

/* A stop message (answered here); false for anything else. */
static bool is_stop(int rcvid, const struct msg *m, size_t len)
{
	if (rcvid <= 0 || len != sizeof *m || m->client != STOP_CLIENT)
		return false;
	MsgReply_r(rcvid, 0, 0, 0);
	return true;
}

/* Stops the server thread tid on coid and joins it: 0, or what failed. */
static int stop_server(int coid, int tid)
{
	struct msg m = { .client = STOP_CLIENT };
	long sent = MsgSend_r(coid, &m, sizeof m, 0, 0);

	return sent ? (int)sent : ThreadJoin_r(tid, 0);
}

static void *serve(void *p)
{
	struct server *s = p;
	struct msg m;
	struct _msg_info info;

	for (;;) {
		int rcvid = MsgReceive_r(s->chid, &m, sizeof m, &info);
		if (rcvid == 0) {
			s->pulses++;
			continue;
		}
		if (is_stop(rcvid, &m, info.msglen))
			return 0;
		if (rcvid < 0 || info.msglen != sizeof m || m.server != s->id || m.client >= MANY) {
			s->bad++;
			s->last_bad = rcvid < 0 ? rcvid : 1;
			if (rcvid > 0)
				MsgError_r(rcvid, EINVAL);
			continue;
		}
		for (unsigned k = 0; k < sizeof m.data; k++) {
			s->bad += m.data[k] != pattern(m.client, m.round, k);
			m.data[k] ^= 0x5a;
		}
		s->got[m.client]++;
		MsgReply_r(rcvid, (long)m.round, &m, sizeof m);
	}
}

static int server_start(struct server *s, uint32_t id)
{
	*s = (struct server){ .id = id };
	s->chid = ChannelCreate_r(0);
	s->coid = ConnectAttach_r(ND_LOCAL_NODE, 0, s->chid, _NTO_SIDE_CHANNEL, 0);
	if (s->chid <= 0 || s->coid < 0)
		return -1;
	return spawn(serve, s);
}

static bool server_stop(struct server *s, int tid)
{
	int r = stop_server(s->coid, tid);

	if (r)
		ktap_diag("server %u did not stop: %d", s->id, r);
	if (s->bad)
		ktap_diag("server %u: %u bad receives, the last %d", s->id, s->bad, s->last_bad);
	ConnectDetach_r(s->coid);
	ChannelDestroy_r(s->chid);
	return r == 0;
}

/* One round trip; true if the reply carries the right status and data. */
static bool round_trip(struct server *s, uint32_t client, uint32_t round)
{
	struct msg m = { .client = client, .round = round, .server = s->id }, r;

	for (unsigned k = 0; k < sizeof m.data; k++)
		m.data[k] = pattern(client, round, k);
	if (MsgSend_r(s->coid, &m, sizeof m, &r, sizeof r) != (long)round)
		return false;
	for (unsigned k = 0; k < sizeof r.data; k++)
		if (r.data[k] != (uint8_t)(pattern(client, round, k) ^ 0x5a))
			return false;
	return r.client == client && r.round == round;
}

/* ---- msg: 8 x 8 ------------------------------------------------------------------ */

static struct server msg_servers[SERVERS];
static volatile int hold_servers;       /* `all`: the pulser still sends to them */
static volatile uint32_t msg_done[CLIENTS];
static unsigned msg_rounds;

static void *msg_client(void *p)
{
	uint32_t c = (uint32_t)(long)p;

	for (uint32_t r = 0; r < msg_rounds; r++)
		if (round_trip(&msg_servers[(c + r) % SERVERS], c, r))
			msg_done[c]++;
	return 0;
}

static bool storm_msg(void)
{
	int st[SERVERS], ct[CLIENTS];
	bool ok = true;

	msg_rounds = scaled(128) / SERVERS * SERVERS;     /* each client sees each server alike */
	if (!msg_rounds)
		msg_rounds = SERVERS;
	for (int i = 0; i < SERVERS; i++)
		st[i] = server_start(&msg_servers[i], (uint32_t)i);
	for (int c = 0; c < CLIENTS; c++)
		ct[c] = spawn(msg_client, (void *)(long)c);
	ok &= join_all(ct, CLIENTS);
	while (__atomic_load_n(&hold_servers, __ATOMIC_ACQUIRE))       /* pulses still coming */
		SchedYield_r();
	for (int i = 0; i < SERVERS; i++) {
		ok &= st[i] > 0 && server_stop(&msg_servers[i], st[i]);
		ok &= msg_servers[i].bad == 0;
		for (int c = 0; c < CLIENTS; c++)
			if (msg_servers[i].got[c] != msg_rounds / SERVERS) {
				ktap_diag("msg: server %d got %u from client %d, not %u", i,
					  msg_servers[i].got[c], c, msg_rounds / SERVERS);
				ok = false;
			}
	}
	for (int c = 0; c < CLIENTS; c++)
		if (msg_done[c] != msg_rounds) {
			ktap_diag("msg: client %d finished %u of %u rounds", c, msg_done[c], msg_rounds);
			ok = false;
		}
	return ok;
}

/* ---- many: 1 x 16 ---------------------------------------------------------------- */

static struct server many_server;
static volatile uint32_t many_done[MANY];
static unsigned many_sends;

static void *many_client(void *p)
{
	uint32_t c = (uint32_t)(long)p;

	for (uint32_t r = 0; r < many_sends; r++)
		if (round_trip(&many_server, c, r))
			many_done[c]++;
	return 0;
}

static bool storm_many(void)
{
	int ct[MANY];
	bool ok = true;

	many_sends = scaled(1000);
	int st = server_start(&many_server, 100);
	for (int c = 0; c < MANY; c++)
		ct[c] = spawn(many_client, (void *)(long)c);
	ok &= join_all(ct, MANY);
	ok &= st > 0 && server_stop(&many_server, st) && many_server.bad == 0;
	for (int c = 0; c < MANY; c++)
		if (many_done[c] != many_sends || many_server.got[c] != many_sends) {
			ktap_diag("many: client %d: %u sent, %u received of %u", c, many_done[c],
				  many_server.got[c], many_sends);
			ok = false;
		}
	return ok;
}

/* ---- pingpong ------------------------------------------------------------------ */

static struct server pp_server;
static volatile uint32_t pp_done;

static void *pp_client(void *p)
{
	unsigned n = (unsigned)(long)p;

	for (uint32_t r = 0; r < n; r++)
		if (round_trip(&pp_server, 0, r))
			pp_done++;
	return 0;
}

static bool storm_pingpong(void)
{
	unsigned n = scaled(10000);
	int st = server_start(&pp_server, 200);
	int ct = spawn(pp_client, (void *)(long)n);
	bool ok = ct > 0 && ThreadJoin_r(ct, 0) == 0;

	ok &= st > 0 && server_stop(&pp_server, st) && pp_server.bad == 0;
	if (pp_done != n || pp_server.got[0] != n) {
		ktap_diag("pingpong: %u of %u round trips", pp_done, n);
		ok = false;
	}
	return ok;
}

/* ---- chan: create, shuffle, destroy -------------------------------------------- */

static volatile uint32_t chan_created, chan_full, chan_bad;
static unsigned chan_rounds, chan_batch = 4;

static void *channer(void *p)
{
	uint64_t rng = (uint64_t)(long)p * 0x9e3779b97f4a7c15ull + 1;
	int ids[16];

	for (unsigned r = 0; r < chan_rounds; r++) {
		unsigned n = 0;
		for (unsigned i = 0; i < chan_batch; i++) {
			int id = ChannelCreate_r(0);
			if (id > 0)
				ids[n++] = id;
			else if (id == -EAGAIN)
				__atomic_add_fetch(&chan_full, 1, __ATOMIC_RELAXED);
			else
				__atomic_add_fetch(&chan_bad, 1, __ATOMIC_RELAXED);
		}
		__atomic_add_fetch(&chan_created, n, __ATOMIC_RELAXED);
		for (unsigned i = n; i > 1; i--) {     /* shuffle the destroy order */
			rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
			unsigned j = (unsigned)(rng % i);
			int t = ids[i - 1];
			ids[i - 1] = ids[j];
			ids[j] = t;
		}
		for (unsigned i = 0; i < n; i++)
			if (ChannelDestroy_r(ids[i]) != 0)
				__atomic_add_fetch(&chan_bad, 1, __ATOMIC_RELAXED);
	}
	return 0;
}

static bool storm_chan(void)
{
	int t[CHANNERS];

	chan_rounds = scaled(1000);
	for (int i = 0; i < CHANNERS; i++)
		t[i] = spawn(channer, (void *)(long)(i + 1));
	bool ok = join_all(t, CHANNERS);
	if (chan_bad || !chan_created) {
		ktap_diag("chan: %u created, %u refused as full, %u other failures", chan_created,
			  chan_full, chan_bad);
		ok = false;
	}
	return ok;
}

/* ---- extras for `all`: pulses, timeouts, kills -------------------------------- */

static volatile uint32_t extra_bad, pulses_sent, pulses_refused;
static volatile int pulse_err, timeout_err, kill_err;   /* the last unexpected answer of each */
static volatile uint32_t pulse_bad, timeout_bad, kill_bad;
static volatile uint32_t timeouts_done, kills_done;     /* for the ticker */

/* Pulses to the msg servers, counted there exactly: every one the kernel
 * accepted must arrive; a full pulse pool may refuse some (EAGAIN). */
static void *pulser(void *p)
{
	unsigned n = (unsigned)(long)p;

	for (unsigned i = 0; i < n; i++) {
		int r = MsgSendPulse_r(msg_servers[i % SERVERS].coid, 10, CODE_PING, (int)i);
		if (r == 0)
			pulses_sent++;
		else if (r == -EAGAIN)
			pulses_refused++;
		else {
			extra_bad++;
			pulse_bad++;
			pulse_err = r;
		}
	}
	__atomic_store_n(&hold_servers, 0, __ATOMIC_RELEASE);
	return 0;
}

/* A channel for an extra: a process has 16 channel slots, and in `all`
 * the storms' servers and the channers (which take slots and give them
 * back at once) can hold every one of them for a moment (EAGAIN): ask
 * again for up to 5 s.  A channel id, or the last error. */
static int extra_channel(void)
{
	int chid = ChannelCreate_r(0);
	sync_t nap;

	if (chid != -EAGAIN || SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &nap, 0) != 0)
		return chid;
	for (unsigned ms = 0; chid == -EAGAIN && ms < 5000; ms++) {
		uint64_t ns = 1000000;  /* 1 ms on a semaphore: urt_sleep_ms needs a channel */
		TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_SEM, 0, &ns, 0);
		SyncSemWait_r(&nap, 0);
		chid = ChannelCreate_r(0);
	}
	SyncDestroy_r(&nap);
	return chid;
}

/* Sends to a channel nobody receives on: each must time out. */
static void *timeouter(void *p)
{
	unsigned n = (unsigned)(long)p;
	int chid = extra_channel(), coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	char b[8] = "x";

	if (chid <= 0 || coid < 0) {
		extra_bad++;
		timeout_bad++;
		timeout_err = chid <= 0 ? chid : coid;
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t ns = 1000000;
		TimerTimeout_r(CLOCK_MONOTONIC, (1u << STATE_SEND) | (1u << STATE_REPLY), 0, &ns, 0);
		long r = MsgSend_r(coid, b, sizeof b, b, sizeof b);
		if (r != -ETIMEDOUT) {
			extra_bad++;
			timeout_bad++;
			timeout_err = (int)r;
		}
		timeouts_done++;
	}
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
	return 0;
}

static void *receive_forever(void *p)
{
	char b[8];

	MsgReceive_r((int)(long)p, b, sizeof b, 0);
	return 0;
}

/* Threads blocked in MsgReceive, destroyed once the kernel says so.  A
 * victim that ends instead (its receive failed) is a failure, said, not a
 * wait forever: once the killer's channel could not be had (EAGAIN, all 16
 * slots taken), each victim's MsgReceive failed at once and the killer
 * waited for a RECEIVE state that never came (campaign run 144). */
static void *killer(void *p)
{
	unsigned n = (unsigned)(long)p;
	static char victim_stack[16384] __attribute__((aligned(16)));
	int chid = extra_channel();

	if (chid <= 0) {
		extra_bad++;
		kill_bad++;
		kill_err = chid;
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		int tid = urt_thread_create(receive_forever, (void *)(long)chid, victim_stack,
					    sizeof victim_stack, 10);
		void *status = 0;
		int st = 0;
		while (tid > 0 && (st = ThreadState_r(tid)) != STATE_RECEIVE && st > STATE_DEAD)
			SchedYield_r();
		int r = tid <= 0 ? 1000 + tid : st != STATE_RECEIVE ? 5000 - st :
			ThreadDestroy_r(tid, -1, (void *)77l) ? 2000 :
			ThreadJoin_r(tid, &status) ? 3000 : status != (void *)77l ? 4000 : 0;
		if (r) {
			extra_bad++;
			kill_bad++;
			kill_err = r;   /* 1000 + create's error, 2000 destroy, 3000 join, 4000 status,
					 * 5000 - the state or error of a victim that ended */
		}
		kills_done++;
	}
	ChannelDestroy_r(chid);
	return 0;
}

/* ---- late: replies that come after the client left --------------------------------
 * A slow server, on a channel without _NTO_CHF_UNBLOCK, answers each message
 * after a while; its clients wait a short time for the reply (a REPLY
 * timeout), leave, and send at once to a quick server on another channel of
 * the same process.  A late answer must fail (ESRCH) or reach the client as
 * some answer of this process's servers: it must never take the client off
 * the quick server's queue under the wrong channel's lock (it once did: a
 * client that had moved on was taken for one still waiting on the slow
 * channel, and the queues' links went stale).  A rcvid names the client
 * thread, so an answer of one of the process's servers may reach a message
 * its client sent to the other since ("crossed"): counted, and allowed. */
#define LATE_CLIENTS 4
#define LATE_SLOW    99                 /* the slow server's id in its answers */

static struct server quick;
static int slow_chid, slow_coid;
static volatile uint32_t late_refused, late_answered, late_bad, late_crossed;
static volatile uint32_t late_done[LATE_CLIENTS];
static unsigned late_rounds;

static void count(volatile uint32_t *n)
{
	__atomic_add_fetch(n, 1, __ATOMIC_RELAXED);
}

static void *slow_serve(void *p)
{
	struct msg m;
	struct _msg_info info;
	uint32_t seed = 1;

	(void)p;
	for (;;) {
		int rcvid = MsgReceive_r(slow_chid, &m, sizeof m, &info);
		if (rcvid <= 0)
			continue;
		if (is_stop(rcvid, &m, info.msglen))
			return 0;
		seed = seed * 1103515245u + 12345u;
		for (volatile uint32_t i = 0, n = (seed >> 16) % 4000; i < n; i++)
			;
		m.server = LATE_SLOW;
		long r = MsgReply_r(rcvid, 7, &m, sizeof m);
		count(r == -ESRCH ? &late_refused : r == 0 ? &late_answered : &late_bad);
	}
}

/* An answer from the other server of this process to client c. */
static bool crossed(long s, const struct msg *a, uint32_t c, uint32_t other)
{
	return s >= 0 && a->client == c && a->server == other;
}

static void *late_client(void *p)
{
	uint32_t c = (uint32_t)(long)p;

	for (uint32_t i = 0; i < late_rounds; i++) {
		struct msg m = { .client = c, .round = i, .server = LATE_SLOW }, a;
		uint64_t ns = 20000 + (i % 8) * 10000;  /* 20 to 90 us */
		TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_REPLY, 0, &ns, 0);
		long s = MsgSend_r(slow_coid, &m, sizeof m, &a, sizeof a);
		if (crossed(s, &a, c, quick.id))
			count(&late_crossed);
		else if (s != -ETIMEDOUT && !(s == 7 && a.server == LATE_SLOW && a.client == c))
			count(&late_bad);
		struct msg q = { .client = c, .round = i, .server = quick.id };
		for (unsigned k = 0; k < sizeof q.data; k++)
			q.data[k] = pattern(c, i, k);
		s = MsgSend_r(quick.coid, &q, sizeof q, &a, sizeof a);
		if (s == (long)i && a.client == c && a.round == i &&
		    a.data[0] == (uint8_t)(pattern(c, i, 0) ^ 0x5a))
			late_done[c]++;
		else if (s == 7 && crossed(s, &a, c, LATE_SLOW))
			count(&late_crossed);
		else
			count(&late_bad);
	}
	return 0;
}

static bool storm_late(void)
{
	int ct[LATE_CLIENTS];

	late_rounds = scaled(1000);
	int st = server_start(&quick, 0);
	slow_chid = ChannelCreate_r(0);
	slow_coid = ConnectAttach_r(ND_LOCAL_NODE, 0, slow_chid, _NTO_SIDE_CHANNEL, 0);
	int slow = slow_chid > 0 && slow_coid >= 0 ? spawn(slow_serve, 0) : -1;
	for (int c = 0; c < LATE_CLIENTS; c++)
		ct[c] = slow > 0 ? spawn(late_client, (void *)(long)c) : -1;
	bool ok = join_all(ct, LATE_CLIENTS);
	ok &= slow > 0 && stop_server(slow_coid, slow) == 0;
	ConnectDetach_r(slow_coid);
	ChannelDestroy_r(slow_chid);
	ok &= st > 0 && server_stop(&quick, st) && quick.bad == 0;
	uint32_t done = 0;
	for (int c = 0; c < LATE_CLIENTS; c++)
		done += late_done[c];
	/* Refusals prove the late path ran: a run where every answer came in
	 * time tested nothing. */
	ktap_diag("late: %u quick round trips of %u, %u answers crossed; slow answers: %u "
		  "refused (the client had left), %u in time; %u odd", done,
		  late_rounds * LATE_CLIENTS, late_crossed, late_refused, late_answered, late_bad);
	return ok && !late_bad && late_refused > 0 && done > 0;
}

/* ---- block I/O by interrupt ------------------------------------------------------ */

/* blkstorm may map the disk controllers the board has (it hands that on to
 * the driver it starts); it ends with 0 (every read as the reference), 3
 * (no disk here) or a failure (said by it). */
static const char *const controllers[] = { "virtio,mmio", "pci-host-ecam-generic" };
static volatile bool blk_no_disk;
static volatile int blk_pid;            /* blkstorm's, while storm_blk waits for its end */
static volatile int blk_over;

static bool storm_blk(void)
{
	char devs[64], reads[16];
	size_t n = 0;
	struct _hw_device d;
	struct _proc_wait_reply r;

	for (unsigned i = 0; i < sizeof controllers / sizeof controllers[0]; i++)
		if (HwInfoDevice_r(controllers[i], 0, &d) == 0) {
			size_t k = strlen(controllers[i]) + 1;
			memcpy(devs + n, controllers[i], k);
			n += k;
		}
	if (!n) {
		blk_no_disk = true;
		return true;
	}
	snprintf(reads, sizeof reads, "%u", scaled(1000));
	const char *argv[] = { "blkstorm", reads, 0 };
	int pid = urt_tm_spawn_devices("/bin/blkstorm", argv, _PROC_SPAWN_IOPRIV, devs, n);
	if (pid <= 0) {
		ktap_diag("blk: blkstorm did not start: %d", pid);
		return false;
	}
	blk_pid = pid;
	int w = urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r);
	blk_over = 1;
	if (w != pid) {
		ktap_diag("blk: no end of blkstorm");
		return false;
	}
	if (r.code == _PROC_CLD_EXITED && r.signo == 3)
		blk_no_disk = true;
	else if (r.code != _PROC_CLD_EXITED || r.signo != 0)
		ktap_diag("blk: blkstorm ended with code %d, status %d", r.code, r.signo);
	return r.code == _PROC_CLD_EXITED && (r.signo == 0 || r.signo == 3);
}

/* A sign of life every 5 s while the storms run (the farm takes a quiet
 * console for a hang): what has been done so far.  When nothing has moved
 * for 30 s, every thread of every process is listed once, with its state
 * (STATE_*, <keel/thread.h>) and, blocked in a send, its server's pid: a
 * hang then says where it is. */
static volatile int storms_over;

static void say_threads(void)
{
	struct _thread_stats ts;

	for (uint32_t from = 0; SysInfo_r(_SYSINFO_THREAD, from, &ts, sizeof ts) > 0;
	     from = ts.slot + 1)
		ktap_diag("storm: no progress for 30 s: pid %d tid %d (%.16s) state %u prio %u "
			  "blocked on pid %d", ts.pid, ts.tid, ts.name, ts.state, ts.prio,
			  ts.blocked_pid);
}

static void *ticker(void *p)
{
	static sync_t never;
	uint64_t last = 0;
	unsigned still = 0;

	(void)p;
	SyncTypeCreate_r(_NTO_SYNC_TYPE_SEM, &never, 0);
	for (unsigned s = 5; !storms_over; s += 5) {
		uint64_t ns = 5000000000ull;
		TimerTimeout_r(CLOCK_MONOTONIC, 1u << STATE_SEM, 0, &ns, 0);
		SyncSemWait_r(&never, 0);
		uint32_t msg = 0, many = 0, late = 0;
		for (int i = 0; i < CLIENTS; i++)
			msg += msg_done[i];
		for (int i = 0; i < MANY; i++)
			many += many_done[i];
		for (int i = 0; i < LATE_CLIENTS; i++)
			late += late_done[i];
		uint64_t sum = (uint64_t)msg + many + pp_done + chan_created + late + pulses_sent +
			       pulses_refused + timeouts_done + kills_done + blk_over;
		if (storms_over)
			break;
		ktap_diag("storm: %u s: msg %u, many %u, pingpong %u round trips, %u channels, "
			  "late %u, pulses %u, timeouts %u, kills %u, blk %s", s, msg, many, pp_done,
			  chan_created, late, pulses_sent + pulses_refused, timeouts_done, kills_done,
			  blk_over ? "over" : blk_pid ? "waiting for blkstorm" : "starting");
		still = sum == last ? still + 1 : 0;
		last = sum;
		if (still == 6)
			say_threads();
	}
	SyncDestroy_r(&never);
	return 0;
}

/* ---- the cases ---------------------------------------------------------------- */

static void objects(struct _kernel_objects *k)
{
	memset(k, 0, sizeof *k);
	KernelObjects_r(k);
}

static bool same(const struct _kernel_objects *a, const struct _kernel_objects *b)
{
	return a->threads == b->threads && a->channels == b->channels &&
	       a->pulses == b->pulses && a->sync_objects == b->sync_objects;
}

/* The baseline, once it holds still: taskman, which started this program,
 * is still settling its own threads and sync objects when we begin, so
 * two readings 20 ms apart must agree (for up to 2 s). */
static void settled_baseline(struct _kernel_objects *base)
{
	struct _kernel_objects next;

	objects(base);
	for (int i = 0; i < 100; i++) {
		uint64_t ns = 20000000;
		int chid = ChannelCreate_r(0);
		char b[4];
		TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, 0, &ns, 0);
		MsgReceive_r(chid, b, sizeof b, 0);
		ChannelDestroy_r(chid);
		objects(&next);
		if (same(&next, base) && next.free_pages == base->free_pages)
			return;
		*base = next;
	}
}

/* Back at baseline, waiting up to 2 s for the kernel to finish freeing. */
static bool at_baseline(const struct _kernel_objects *base)
{
	struct _kernel_objects now;
	uint64_t end = 0, t = 0;

	ClockTime_r(CLOCK_MONOTONIC, 0, &end);
	end += 2000000000ull;
	do {
		objects(&now);
		if (same(&now, base))
			return true;
		SchedYield_r();
		ClockTime_r(CLOCK_MONOTONIC, 0, &t);
	} while (t < end);
	ktap_diag("objects: threads %u -> %u, channels %u -> %u, pulses %u -> %u, "
		  "sync %u -> %u, free pages %lu -> %lu", base->threads, now.threads,
		  base->channels, now.channels, base->pulses, now.pulses, base->sync_objects,
		  now.sync_objects, (unsigned long)base->free_pages, (unsigned long)now.free_pages);
	return false;
}

struct storm {
	const char *name;
	bool (*fn)(void);
	volatile bool ok;
};

static struct storm storms[] = {
	{ "msg_8_servers_8_clients", storm_msg, false },
	{ "many_16_clients_1_server", storm_many, false },
	{ "pingpong", storm_pingpong, false },
	{ "chan_create_destroy_shuffled", storm_chan, false },
	{ "late_replies_after_timeouts", storm_late, false },
	{ "blk_block_io_by_interrupt", storm_blk, false },
};
#define NSTORMS (int)(sizeof storms / sizeof storms[0])

static void report(struct storm *s)
{
	if (s->fn == storm_blk && s->ok && blk_no_disk)
		ktap_skipped(s->name, "no disk on this board");
	else
		ktap_ok(s->ok, "%s", s->name);
}

static void *run_storm(void *p)
{
	struct storm *s = p;

	s->ok = s->fn();
	return 0;
}

/* Every storm at once, with the extras; each storm is still its own case. */
static void storm_all(void)
{
	int t[NSTORMS], x[3];
	unsigned pulses = scaled(2000);

	chan_batch = 1;                 /* the other storms hold channels too */
	hold_servers = 1;
	for (int i = 0; i < NSTORMS; i++)
		t[i] = spawn(run_storm, &storms[i]);
	while (!msg_servers[SERVERS - 1].coid)        /* the msg servers exist */
		SchedYield_r();
	x[0] = spawn(pulser, (void *)(long)pulses);
	x[1] = spawn(timeouter, (void *)(long)scaled(200));
	x[2] = spawn(killer, (void *)(long)scaled(200));
	bool extras = join_all(x, 3);
	join_all(t, NSTORMS);
	for (int i = 0; i < NSTORMS; i++)
		report(&storms[i]);
	uint32_t got = 0;
	for (int i = 0; i < SERVERS; i++)
		got += msg_servers[i].pulses;
	bool ok = extras && got == pulses_sent && pulses_sent + pulses_refused == pulses &&
		  pulses_sent > 0 && !extra_bad;
	if (!ok)
		ktap_diag("extras: %u pulses sent, %u refused (pool full), %u arrived; %u failures: "
			  "pulses %u (last %d), timeouts %u (last %d), kills %u (last %d)",
			  pulses_sent, pulses_refused, got, extra_bad, pulse_bad, pulse_err, timeout_bad,
			  timeout_err, kill_bad, kill_err);
	ktap_ok(ok, "pulses_timeouts_kills_mixed_in");
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	const char *which = argc > 1 ? argv[1] : "all";
	struct _kernel_objects base;

	if (argc > 2)
		scale = (unsigned)strtoul(argv[2], 0, 0);
	settled_baseline(&base);
	bool all = !strcmp(which, "all");
	int one = -1;
	for (int i = 0; i < NSTORMS; i++)
		if (!strncmp(storms[i].name, which, strlen(which)))
			one = i;
	if (!all && one < 0)
		return 2;
	ktap_plan(all ? NSTORMS + 3 : 3);
	int tick = spawn(ticker, 0);
	if (all) {
		storm_all();
	} else {
		storms[one].ok = storms[one].fn();
		report(&storms[one]);
	}
	storms_over = 1;
	if (tick <= 0 || ThreadJoin_r(tick, 0) != 0)
		ktap_diag("storm: the ticker thread failed");
	ktap_ok(stacks_within_bounds(), "thread_stacks_within_bounds");
	ktap_ok(at_baseline(&base), "kernel_objects_back_at_baseline");
	return ktap_done("storm") ? 1 : 0;
}
