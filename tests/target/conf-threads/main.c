/* conf-threads: POSIX.1-2017 threads, mutexes, condition variables,
 * read-write locks, barriers, spin locks, semaphores, thread-specific data
 * and cancellation on Keel's libc.  Each case names the XSH page it checks
 * (tests/target/include/conf.h).  The cancellation cases block in reads
 * and writes of pipes: this program starts /sbin/pipe as its child and
 * ends it when done.  Run as the first process:
 *   make run CMDLINE="init=/bin/conf-threads"                         */
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "cases.h"

int main(void)
{
	size_t n = conf_thread_ncases + conf_sync_ncases + conf_cancel_ncases;
	struct conf_case *all = malloc(n * sizeof *all);
	char *argv[] = { "/sbin/pipe", NULL };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int p[2] = { -1, -1 }, status;
	pid_t pid;

	if (!all)
		return 2;
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL)) {
		conf_line("conf-threads: cannot start /sbin/pipe");
		return 2;
	}
	for (int i = 0; i < 500 && pipe(p) < 0; i++)
		nanosleep(&tick, NULL);
	if (p[0] < 0) {
		conf_line("conf-threads: /sbin/pipe never served %s", "/dev/pipe");
		return 2;
	}
	close(p[0]);
	close(p[1]);
	memcpy(all, conf_thread_cases, conf_thread_ncases * sizeof *all);
	memcpy(all + conf_thread_ncases, conf_sync_cases, conf_sync_ncases * sizeof *all);
	memcpy(all + conf_thread_ncases + conf_sync_ncases, conf_cancel_cases,
	       conf_cancel_ncases * sizeof *all);
	int r = conf_run("conf-threads", all, n) ? 1 : 0;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return r;
}
