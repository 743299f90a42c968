/* tmbench: what process life costs through taskman, in guest instructions
 * (instret under QEMU -icount shift=0, where it counts the whole machine:
 * on one hart that is the caller, taskman and the child together, idle
 * included).  Run as the first program on one hart:
 *   init=/bin/tmbench
 * Each figure is the mean over ROUNDS rounds after one warm-up round:
 *   spawn + exit + wait    urt_tm_spawn of /bin/hello, then _PROC_WAIT
 *   fork + exit + wait     _PROC_FORK, the child exits at once
 *   fork + exec + wait     the child execs /bin/hello
 *   failed spawn           a spawn taskman refuses (not an ELF)
 * init=/bin/tmbench profile: each operation in a window that
 * os/utils/kbench/profile.py --program tmbench traces (between two
 * KernelNop calls). */
#include <keel/errno.h>
#include "urt.h"
#include "urt_tm.h"

#define ROUNDS 20

static uint64_t instret(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

static int reap(int pid)
{
	struct _proc_wait_reply r;

	return pid > 0 && urt_tm_wait(_PROC_P_PID, pid, _PROC_WEXITED, &r) == pid ? r.status : -1;
}

static int spawn_hello(void)
{
	const char *argv[] = { "hello", 0 };

	return reap(urt_tm_spawn("/bin/hello", argv, 0, 0, 0, 0, 0));
}

static int fork_exit(void)
{
	int pid = urt_tm_fork();

	if (pid == 0)
		ProcessExit(0);
	return reap(pid);
}

static int fork_exec(void)
{
	int pid = urt_tm_fork();

	if (pid == 0) {
		const char *argv[] = { "hello", 0 };
		urt_tm_exec("/bin/hello", argv, 0);
		ProcessExit(99);
	}
	return reap(pid);
}

static int failed_spawn(void)
{
	return urt_tm_spawn("/test/notelf", 0, 0, 0, 0, 0, 0) == -ENOEXEC ? 0 : -1;
}

/* Mean instructions of one round of fn; -1 if a round went wrong. */
static long measure(const char *what, int (*fn)(void))
{
	if (fn() != 0)
		return -1;
	uint64_t t0 = instret();
	for (int i = 0; i < ROUNDS; i++)
		if (fn() != 0)
			return -1;
	uint64_t per = (instret() - t0) / ROUNDS;
	printf("tmbench: %-32s %10lu instructions/op  (%d ops)\n", what, per, ROUNDS);
	return (long)per;
}

#define PROFILE_OPS 5

/* The markers are null kernel calls (nothing else makes one while tmbench
 * runs): a user address would not do, other processes run code there. */
static void profile_begin(const char *what)
{
	(void)what;
	KernelNop_r();
}

static void profile_end(void)
{
	KernelNop_r();
}

static int profile_window(const char *what, int (*fn)(void))
{
	int bad = fn() != 0;                    /* warm: every path taken once before */

	printf("tmbench: profile window: %s, %d ops\n", what, PROFILE_OPS);
	profile_begin(what);
	for (int i = 0; i < PROFILE_OPS; i++)
		bad |= fn() != 0;
	profile_end();
	return bad;
}

int main(int argc, char **argv, char **envp)
{
	(void)envp;
	int bad = 0;

	if (argc > 1 && !strcmp(argv[1], "profile")) {
		bad |= profile_window("spawn + exit + wait", spawn_hello);
		bad |= profile_window("fork + exit + wait", fork_exit);
		bad |= profile_window("failed spawn", failed_spawn);
		return bad;
	}

	bad |= measure("spawn + exit + wait", spawn_hello) < 0;
	bad |= measure("fork + exit + wait", fork_exit) < 0;
	bad |= measure("fork + exec + wait", fork_exec) < 0;
	bad |= measure("failed spawn", failed_spawn) < 0;
	printf("tmbench: %s\n", bad ? "a round failed" : "done");
	return bad;
}
