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
#include <server.h>
#include "cases.h"

int main(void)
{
	size_t n = conf_thread_ncases + conf_sync_ncases + conf_cancel_ncases;
	struct conf_case *all = malloc(n * sizeof *all);
	int status;

	if (!all)
		return 2;
	pid_t pid = conf_start_pipe("conf-threads");
	if (pid < 0)
		return 2;
	memcpy(all, conf_thread_cases, conf_thread_ncases * sizeof *all);
	memcpy(all + conf_thread_ncases, conf_sync_cases, conf_sync_ncases * sizeof *all);
	memcpy(all + conf_thread_ncases + conf_sync_ncases, conf_cancel_cases,
	       conf_cancel_ncases * sizeof *all);
	int r = conf_run("conf-threads", all, n) ? 1 : 0;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return r;
}
