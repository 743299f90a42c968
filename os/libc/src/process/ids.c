/* Process ids, groups and sessions (POSIX.1-2017 getppid, getpgid,
 * getpgrp, getsid, setpgid, setsid): taskman's _PROC_GETIDS, _PROC_SETPGID
 * and _PROC_SETSID.  getpid comes from the kernel (src/unistd/getpid.c). */
#include <errno.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include "libc.h"

static long to_taskman(const void *m, size_t len, void *rep, size_t rlen)
{
	int tm = __taskman_coid();

	return tm < 0 ? -errno : MsgSend_r(tm, m, len, rep, rlen);
}

int __proc_ids(pid_t pid, struct _proc_ids *ids)
{
	struct _proc_ids_req m = { .hdr = { .type = _PROC_GETIDS }, .pid = pid };

	return (int)to_taskman(&m, sizeof m, ids, sizeof *ids);
}

pid_t getppid(void)
{
	struct _proc_ids ids;

	return __proc_ids(0, &ids) < 0 ? 0 : ids.ppid;
}

pid_t getpgid(pid_t pid)
{
	struct _proc_ids ids;
	int r = __proc_ids(pid, &ids);

	return r < 0 ? (pid_t)__syscall_ret(r) : ids.pgid;
}

pid_t getpgrp(void)
{
	return getpgid(0);
}

pid_t getsid(pid_t pid)
{
	struct _proc_ids ids;
	int r = __proc_ids(pid, &ids);

	return r < 0 ? (pid_t)__syscall_ret(r) : ids.sid;
}

int setpgid(pid_t pid, pid_t pgid)
{
	struct _proc_setpgid m = { .hdr = { .type = _PROC_SETPGID }, .pid = pid, .pgid = pgid };

	if (pgid < 0)
		return (int)__syscall_ret(-EINVAL);
	return (int)__syscall_ret(to_taskman(&m, sizeof m, NULL, 0));
}

pid_t setsid(void)
{
	struct _proc_hdr m = { .type = _PROC_SETSID };

	return (pid_t)__syscall_ret(to_taskman(&m, sizeof m, NULL, 0));
}
