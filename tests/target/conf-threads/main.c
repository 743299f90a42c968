/* conf-threads: POSIX.1-2017 threads, mutexes, condition variables,
 * read-write locks, barriers, spin locks, semaphores, thread-specific data
 * and cancellation on Keel's libc.  Each case names the XSH page it checks
 * (tests/target/include/conf.h).  Run as the first process:
 *   make run CMDLINE="init=/bin/conf-threads"                         */
#include <stdlib.h>
#include "cases.h"

int main(void)
{
	size_t n = conf_thread_ncases + conf_sync_ncases;
	struct conf_case *all = malloc(n * sizeof *all);

	if (!all)
		return 2;
	memcpy(all, conf_thread_cases, conf_thread_ncases * sizeof *all);
	memcpy(all + conf_thread_ncases, conf_sync_cases, conf_sync_ncases * sizeof *all);
	return conf_run("conf-threads", all, n) ? 1 : 0;
}
