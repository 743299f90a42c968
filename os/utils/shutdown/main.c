/* shutdown: takes the system down.  It finds init (the one process
 * taskman itself started, proc_init_pid) and signals it; init stops the
 * sessions and the services, and then the system powers off (SIGTERM) or,
 * with -r, reboots (SIGUSR1: init asks taskman for the reset once all is
 * stopped; os/sbin/init).  Only a process allowed to signal init (root)
 * may.
 *
 *   shutdown        power off
 *   shutdown -r     reboot
 * Exit status: 0 when init was told, 1 when it could not be, 2 for usage. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/procinfo.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	bool reboot = false;
	int c;

	while ((c = getopt(argc, argv, "r")) != -1) {
		if (c != 'r') {
			fprintf(stderr, "usage: %s [-r]\n", argv[0]);
			return 2;
		}
		reboot = true;
	}
	if (optind < argc) {
		fprintf(stderr, "usage: %s [-r]\n", argv[0]);
		return 2;
	}
	pid_t init = proc_init_pid();
	if (init < 0) {
		fprintf(stderr, "shutdown: cannot find init: %s\n", strerror(errno));
		return 1;
	}
	if (kill(init, reboot ? SIGUSR1 : SIGTERM) != 0) {
		fprintf(stderr, "shutdown: cannot signal init (pid %d): %s\n", (int)init,
			strerror(errno));
		return 1;
	}
	printf(reboot ? "shutdown: the system is going down for a reboot\n"
		      : "shutdown: the system is going down\n");
	return 0;
}
