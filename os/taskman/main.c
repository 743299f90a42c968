/* taskman's start and its message loop.
 *
 * The kernel starts taskman as the first process with every privilege,
 * the boot image mapped at KEEL_BOOTIMG_BASE (its length in a3) and the
 * init= words of the command line as arguments.  taskman creates its
 * channel (TASKMAN_CHID, which every process reaches with a side-channel
 * connection), starts its reaper and loader threads, then the first
 * program: the init= program, or /sbin/init.  That program's end is the
 * system's (proc.c). */
#include <keel/errno.h>
#include "taskman.h"

#define REAPER_STACK (16 * 1024)

sync_t tm_mutex;
void proc_init_self(int32_t pid);

void tm_lock(void)
{
	urt_mutex_lock(&tm_mutex, urt_tid());
}

void tm_unlock(void)
{
	urt_mutex_unlock(&tm_mutex, urt_tid());
}

/* The kernel's pulses: an unblock request from a client waiting for a
 * reply (a signal arrived for it). */
static void pulse(const struct _pulse *p)
{
	if (p->code == _PULSE_CODE_UNBLOCK)
		proc_unblock(p->value.sival_int);
}

static void dispatch(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_hdr *h = msg;

	switch (h->type) {
	case _PROC_SPAWN:
	case _PROC_EXEC:        return spawn_msg(rcvid, info, msg, len);
	case _PROC_FORK:        return fork_msg(rcvid, info);
	case _PROC_FORKED:      return forked_msg(rcvid, info);
	case _PROC_WAIT:        return proc_msg_wait(rcvid, info, msg, len);
	case _PROC_GETIDS:      return proc_msg_getids(rcvid, info, msg, len);
	case _PROC_SETPGID:     return proc_msg_setpgid(rcvid, info, msg, len);
	case _PROC_SETSID:      return proc_msg_setsid(rcvid, info);
	case _PROC_SETCRED:     return cred_msg_set(rcvid, info, msg, len);
	case _PROC_RLIMIT:      return proc_msg_rlimit(rcvid, info, msg, len);
	case _PROC_DAEMON:      return proc_msg_daemon(rcvid, info);
	case _PROC_SYSRESET:    return proc_msg_sysreset(rcvid, info, msg, len);
	case _PROC_INFO:        return proc_msg_info(rcvid, info, msg, len);
	case _PROC_BOOTIMG:     return bootimg_msg(rcvid, info, msg, len);
	case _PROC_MMAP:
	case _PROC_MUNMAP:
	case _PROC_MPROTECT:    return mem_msg_mmap(rcvid, info, msg, len);
	case _PROC_SHM_GRANT:   return mem_msg_grant(rcvid, info, msg, len);
	case _PROC_PATH_ATTACH:
	case _PROC_PATH_LINK:   return path_msg_attach(rcvid, info, msg, len);
	case _PROC_PATH_DETACH: return path_msg_detach(rcvid, info, msg, len);
	case _PROC_PATH_LIST:   return path_msg_list(rcvid, info, msg, len);
	case _IO_CONNECT:       return path_msg_connect(rcvid, info, msg, len);
	case _PROC_SETCTTY:     return path_msg_setctty(rcvid, info, msg, len);
	default:                return tm_error(rcvid, ENOSYS);
	}
}

static __attribute__((noreturn)) void serve(int chid)
{
	static union {
		struct _proc_hdr hdr;
		struct _pulse pulse;
		char raw[512];
	} msg;
	struct _msg_info info;

	for (;;) {
		int rcvid = MsgReceive_r(chid, &msg, sizeof msg, &info);
		if (rcvid < 0) {
			printf("taskman: MsgReceive: error %d\n", rcvid);
			continue;
		}
		if (rcvid == 0) {
			pulse(&msg.pulse);
			continue;
		}
		if ((size_t)info.msglen < sizeof msg.hdr) {
			tm_error(rcvid, EINVAL);
			continue;
		}
		dispatch(rcvid, &info, &msg, (size_t)info.msglen);
	}
}

int main(int argc, char **argv, char **envp)
{
	static char *init_argv[] = { "/sbin/init", 0 };

	(void)envp;
	struct _client_info self;

	bootimg_init(urt_start_a3);
	int chid = ChannelCreate_r(_NTO_CHF_UNBLOCK);
	if (chid != TASKMAN_CHID || ConnectClientInfo_r(-1, &self, 0) < 0 || self.pid != TASKMAN_PID) {
		printf("taskman: must be pid %d with channel %d (got pid %d, channel %d)\n",
		       TASKMAN_PID, TASKMAN_CHID, self.pid, chid);
		return 1;
	}
	tm_lock();
	proc_init_self(self.pid);
	tm_unlock();
	void *stack = tm_alloc(REAPER_STACK);
	int tid = stack ? urt_thread_create(proc_reaper, 0, stack, REAPER_STACK, 0) : -ENOMEM;
	if (tid < 0) {
		printf("taskman: reaper thread: error %d\n", tid);
		return 1;
	}
	int n = argc > 1 ? argc - 1 : 1;
	char **args = argc > 1 ? argv + 1 : init_argv;
	int pid = spawn_first(n, args);
	if (pid < 0) {
		printf("taskman: init %s could not start: error %d\n", args[0], pid);
		return 1;
	}
	serve(chid);
}
