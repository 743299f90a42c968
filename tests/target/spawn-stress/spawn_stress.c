/* spawn-stress [SCALE]: process creation under load, as KTAP.  Run as the
 * first program (init=/bin/spawn-stress): taskman starts it, so it is also
 * the heir of orphans.  Children are /bin/tm-child and this program again.
 *
 *   spawns_from_threads       THREADS threads of this process (on every
 *                             hart) each spawn ROUNDS*SCALE children that
 *                             exit with a chosen status, fault, are killed
 *                             with SIGKILL while they sleep, or orphan a
 *                             grandchild; each is reaped by pid and its
 *                             status checked exactly
 *   forks_and_execs_from_processes
 *                             WORKERS worker processes ("worker K N": one
 *                             thread, so fork is allowed) each make N
 *                             children in turn by fork (the child exits with
 *                             a chosen status), fork + exec of tm-child, and
 *                             spawn, reaping and checking each
 *   orphans_reaped_by_init    every orphaned grandchild comes to us, ends 5
 *   no_zombie_left            nothing left to wait for (ECHILD)
 *   kernel_objects_back_at_baseline
 *                             threads, channels, pulses and sync objects as
 *                             at the start; free pages (taskman's memory
 *                             too) after a second, smaller pass as after
 *                             the first: nothing grows with more processes
 *
 * All of it twice: the full pass, then a fifth of it.
 * The last line counts what was made: "spawn-stress: N processes (S spawns,
 * F forks, E execs)". */
#include <keel/errno.h>
#include <keel/kobjects.h>
#include <keel/procmgr.h>
#include <keel/signal.h>
#include "ktap.h"
#include "urt.h"
#include "urt_tm.h"

#define CHILD       "/bin/tm-child"
#define SELF        "/bin/spawn-stress"
#define THREADS     4
#define ROUNDS      500         /* per spawner thread, times SCALE */
#define WORKERS     4
#define WORK        900         /* children per worker, times SCALE */
#define ORPHAN_MS   "20"

#define EXITED(c)   _PROC_W_EXITCODE(c)
#define SIGNALED(s) _PROC_W_SIGNALED(s)

static unsigned scale = 1;
static volatile uint32_t spawns, forks, execs, orphans, bad_rounds;
static char stacks[THREADS][32768] __attribute__((aligned(16)));

static void count(volatile uint32_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

/* Waits for pid; its status word, or -errno (-1000: another pid came). */
static int reap(int pid)
{
	struct _proc_wait_reply r;
	int got = urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r);

	return got == pid ? r.status : got < 0 ? got : -1000;
}

static int spawn_child(const char *a1, const char *a2, const char *a3)
{
	const char *argv[] = { "tm-child", a1, a2, a3, 0 };
	int pid = urt_tm_spawn(CHILD, argv, 0, 0, 0, 0, 0);

	if (pid > 0)
		count(&spawns);
	return pid;
}

static bool check(const char *who, unsigned round, int got, int want)
{
	if (got == want)
		return true;
	if (__atomic_add_fetch(&bad_rounds, 1, __ATOMIC_RELAXED) <= 10)
		printf("spawn-stress: %s round %u: status 0x%x, want 0x%x\n", who, round,
		       (unsigned)got, (unsigned)want);
	return false;
}

/* ---- spawner threads ---------------------------------------------------------- */

/* One round of thread t: what the child does follows the round number. */
static bool spawn_round(unsigned t, unsigned i)
{
	char num[12];
	unsigned status = (i * 7 + t) & 0xff;
	int pid, want;

	switch (i % 16) {
	case 0:                                 /* stores through NULL */
		pid = spawn_child("fault", 0, 0);
		want = SIGNALED(SIGSEGV);
		break;
	case 5:                                 /* killed in its sleep */
		pid = spawn_child("sleep", "10000", "0");
		if (pid > 0 && SignalKill_r(pid, 0, SIGKILL, 0, 0) != 0)
			return check("spawner (kill)", i, -1, 0);
		want = SIGNALED(SIGKILL);
		break;
	case 9:                                 /* leaves a grandchild to init */
		pid = spawn_child("orphan", ORPHAN_MS, 0);
		if (pid > 0)
			count(&orphans);
		want = EXITED(0);
		break;
	default:
		snprintf(num, sizeof num, "%u", status);
		pid = spawn_child("exit", num, 0);
		want = EXITED(status);
	}
	if (pid <= 0)
		return check("spawner (spawn)", i, pid, 1);
	return check("spawner", i, reap(pid), want);
}

static unsigned spawner_rounds;

static void *spawner(void *arg)
{
	unsigned t = (unsigned)(uintptr_t)arg;
	bool ok = true;

	for (unsigned i = 0; i < spawner_rounds; i++)
		ok &= spawn_round(t, i);
	return (void *)(uintptr_t)ok;
}

/* ---- worker processes ------------------------------------------------------------ */

/* Round j of worker k: fork, fork + exec, spawn in turn.  The status it
 * checks, or a negative errno if the child could not be made. */
static bool work_round(unsigned k, unsigned j)
{
	char num[12];
	unsigned status = (j * 3 + k) & 0x7f;
	int pid;

	snprintf(num, sizeof num, "%u", status);
	if (j % 3 == 2) {
		const char *argv[] = { "tm-child", "exit", num, 0 };
		pid = urt_tm_spawn(CHILD, argv, 0, 0, 0, 0, 0);
	} else {
		pid = urt_tm_fork();
		if (pid == 0 && j % 3 == 0)
			ProcessExit((int)status);
		if (pid == 0) {
			const char *argv[] = { "tm-child", "exit", num, 0 };
			urt_tm_exec(CHILD, argv, 0);
			ProcessExit(200);       /* the exec failed */
		}
	}
	if (pid <= 0)
		return check("worker (make)", j, pid, 1);
	return check("worker", j, reap(pid), EXITED(status));
}

static int worker(unsigned k, unsigned n)
{
	unsigned bad = 0;

	for (unsigned j = 0; j < n; j++)
		bad += !work_round(k, j);
	return bad ? 1 : 0;
}

static int start_worker(unsigned k, unsigned n)
{
	char kk[12], nn[12];
	const char *argv[] = { "spawn-stress", "worker", kk, nn, 0 };

	snprintf(kk, sizeof kk, "%u", k);
	snprintf(nn, sizeof nn, "%u", n);
	return urt_tm_spawn(SELF, argv, 0, 0, 0, 0, 0);
}

/* ---- the kernel's objects --------------------------------------------------------- */

static void objects(struct _kernel_objects *k)
{
	memset(k, 0, sizeof *k);
	KernelObjects_r(k);
}

static bool same(const struct _kernel_objects *a, const struct _kernel_objects *b)
{
	return a->threads == b->threads && a->channels == b->channels &&
	       a->pulses == b->pulses && a->sync_objects == b->sync_objects &&
	       a->free_pages == b->free_pages;
}

/* Two readings 20 ms apart that agree (for up to 2 s): taskman may still
 * be settling when we begin, and the kernel finishing a free when we end.
 * True if they agreed. */
static bool settled(struct _kernel_objects *k)
{
	struct _kernel_objects next;

	objects(k);
	for (int i = 0; i < 100; i++) {
		urt_sleep_ms(20);
		objects(&next);
		if (same(&next, k))
			return true;
		*k = next;
	}
	return false;
}

/* One pass: the workers and the spawner threads at once, then the orphans.
 * Adds to the pass/fail flags; returns the orphans that did not come back
 * right (diagnosed). */
static uint32_t orphans_seen;

static void pass(unsigned rounds, unsigned work, bool *threads_ok, bool *workers_ok,
		 bool *orphans_ok)
{
	int wpid[WORKERS], tid[THREADS];
	uint32_t orphans0 = orphans;

	for (unsigned k = 0; k < WORKERS; k++)
		wpid[k] = start_worker(k, work);
	for (unsigned t = 0; t < THREADS; t++) {
		spawner_rounds = rounds;
		tid[t] = urt_thread_create(spawner, (void *)(uintptr_t)t, stacks[t],
					   sizeof stacks[t], 10);
	}
	for (unsigned t = 0; t < THREADS; t++) {
		void *r = 0;
		*threads_ok &= tid[t] > 0 && ThreadJoin_r(tid[t], &r) == 0 && r;
	}
	for (unsigned k = 0; k < WORKERS; k++) {
		int s = wpid[k] > 0 ? reap(wpid[k]) : wpid[k];
		if (s != EXITED(0))
			ktap_diag("worker %u (pid %d): status 0x%x", k, wpid[k], (unsigned)s);
		*workers_ok &= s == EXITED(0);
	}
	/* The workers' children are counted here, not by the workers (fork
	 * copies memory): each made `work`, a third of them by spawn. */
	forks += WORKERS * (work - work / 3);
	execs += WORKERS * ((work + 1) / 3);
	spawns += WORKERS * (work / 3) + WORKERS;

	unsigned got = 0, wrong = 0, want = orphans - orphans0;
	for (unsigned i = 0; i < want; i++) {
		struct _proc_wait_reply r;
		if (urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED, &r) <= 0)
			break;
		got++;
		wrong += r.status != EXITED(5);
	}
	orphans_seen += got;
	if (got != want || wrong)
		ktap_diag("orphans: %u made, %u reaped, %u with another status", want, got, wrong);
	*orphans_ok &= got == want && !wrong && want > 0;
}

static void diag_objects(const char *what, bool still, const struct _kernel_objects *a,
			 const struct _kernel_objects *b)
{
	ktap_diag("%s%s: threads %u -> %u, channels %u -> %u, pulses %u -> %u, sync %u -> %u, "
		  "free pages %lu -> %lu", what, still ? "" : " (never settled)", a->threads,
		  b->threads, a->channels, b->channels, a->pulses, b->pulses, a->sync_objects,
		  b->sync_objects, (unsigned long)a->free_pages, (unsigned long)b->free_pages);
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	if (argc == 4 && !strcmp(argv[1], "worker"))
		return worker((unsigned)strtoul(argv[2], 0, 0), (unsigned)strtoul(argv[3], 0, 0));
	if (argc > 1)
		scale = (unsigned)strtoul(argv[1], 0, 0);
	if (!scale)
		return 2;

	struct _kernel_objects base, mid, now;
	settled(&base);
	ktap_plan(5);

	/* The full pass, then a fifth of it again: the kernel keeps what it
	 * grows once for good (the share counts the first fork makes, page
	 * tables of the kernel-stack window up to the most threads at once),
	 * so free pages are compared between the passes, the objects with
	 * the start. */
	bool threads_ok = true, workers_ok = true, orphans_ok = true;
	pass(ROUNDS * scale, WORK * scale, &threads_ok, &workers_ok, &orphans_ok);
	bool mid_still = settled(&mid);
	pass(ROUNDS * scale / 5, WORK * scale / 5, &threads_ok, &workers_ok, &orphans_ok);
	ktap_ok(threads_ok, "spawns_from_threads");
	ktap_ok(workers_ok, "forks_and_execs_from_processes");
	ktap_ok(orphans_ok, "orphans_reaped_by_init");

	struct _proc_wait_reply r;
	int left = urt_tm_wait(_PROC_P_ALL, 0, _PROC_WEXITED | _PROC_WNOHANG, &r);
	if (left != -ECHILD)
		ktap_diag("wait for any child: %d (pid %d, status 0x%x)", left, r.pid,
			  (unsigned)r.status);
	ktap_ok(left == -ECHILD, "no_zombie_left");

	bool still = settled(&now);
	struct _kernel_objects want = base;
	want.free_pages = mid.free_pages;
	bool back = mid_still && still && same(&now, &want);
	if (!back) {
		diag_objects("objects from the start", still, &base, &now);
		diag_objects("objects after the first pass", mid_still, &mid, &now);
	}
	ktap_ok(back, "kernel_objects_back_at_baseline");

	printf("spawn-stress: %u processes (%u spawns, %u forks, %u execs), %u bad rounds\n",
	       spawns + forks + orphans_seen, spawns, forks, execs, bad_rounds);
	return ktap_done("spawn-stress") ? 1 : 0;
}
