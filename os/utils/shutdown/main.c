/* shutdown: takes the system down.  It finds init (the one process
 * taskman itself started, proc_init_pid) and sends it SIGTERM; init stops the sessions
 * and the services and ends, and the system powers off with it
 * (os/sbin/init).  Only a process allowed to signal init (root) may.
 *
 *   shutdown        power off
 * Exit status: 0 when init was told, 1 when it could not be, 2 for usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/procinfo.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 2;
	}
	pid_t init = proc_init_pid();
	if (init < 0) {
		fprintf(stderr, "shutdown: cannot find init: %s\n", strerror(errno));
		return 1;
	}
	if (kill(init, SIGTERM) != 0) {
		fprintf(stderr, "shutdown: cannot signal init (pid %d): %s\n", (int)init,
			strerror(errno));
		return 1;
	}
	printf("shutdown: the system is going down\n");
	return 0;
}
