/* shutdown: takes the system down.  It finds init (the one process
 * taskman itself started: the live process whose parent is taskman) with
 * taskman's _PROC_INFO walk and sends it SIGTERM; init stops the sessions
 * and the services and ends, and the system powers off with it
 * (os/sbin/init).  Only a process allowed to signal init (root) may.
 *
 *   shutdown        power off
 * Exit status: 0 when init was told, 1 when it could not be, 2 for usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>

static pid_t find_init(void)
{
	int tm = ConnectAttach_r(ND_LOCAL_NODE, TASKMAN_PID, TASKMAN_CHID, _NTO_SIDE_CHANNEL, 0);
	struct _proc_info info;
	int32_t pid = 0;

	if (tm < 0) {
		errno = -tm;
		return -1;
	}
	for (;;) {
		struct _proc_info_req m = { .hdr = { .type = _PROC_INFO,
						     .subtype = _PROC_INFO_NEXT }, .pid = pid };
		long r = MsgSend_r(tm, &m, sizeof m, &info, sizeof info);
		if (r < 0) {
			ConnectDetach_r(tm);
			errno = r == -ESRCH ? ESRCH : (int)-r;
			return -1;
		}
		pid = info.pid;
		if (info.ppid == TASKMAN_PID && pid != TASKMAN_PID &&
		    info.state != _PROC_STATE_ZOMBIE)
			break;
	}
	ConnectDetach_r(tm);
	return pid;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: %s\n", argv[0]);
		return 2;
	}
	pid_t init = find_init();
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
