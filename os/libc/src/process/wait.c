/* wait, waitpid and waitid (POSIX.1-2017): a _PROC_WAIT message to taskman,
 * which replies when a child matching (idtype, id) changes state (at once
 * with WNOHANG). */
#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <keel/procmsg.h>
#include "libc.h"

static long wait_msg(int idtype, int id, int options, struct _proc_wait_reply *rep)
{
	struct _proc_wait m = { .hdr = { .type = _PROC_WAIT }, .idtype = idtype, .id = id,
				.options = (uint32_t)options };
	int tm = __taskman_coid();

	if (tm < 0)
		return -errno;
	return __kcall_cp(KCALL_MsgSend, tm, (long)&m, sizeof m, (long)rep, sizeof *rep, 0);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	struct _proc_wait_reply rep = { 0 };
	int idtype = pid > 0 ? _PROC_P_PID : pid == -1 ? _PROC_P_ALL : _PROC_P_PGID;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED))
		return (pid_t)__syscall_ret(-EINVAL);
	if (status && !__uptr_ok(status, sizeof *status))
		return (pid_t)__syscall_ret(-EFAULT);
	long r = wait_msg(idtype, pid < -1 ? -pid : pid > 0 ? pid : 0, options | WEXITED, &rep);
	if (r < 0)
		return (pid_t)__syscall_ret(r);
	if (status && rep.pid)
		*status = rep.status;
	return rep.pid;
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options)
{
	struct _proc_wait_reply rep = { 0 };

	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)) ||
	    (options & ~(WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT)))
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(info, sizeof *info))
		return (int)__syscall_ret(-EFAULT);
	long r = wait_msg((int)idtype, (int)id, options, &rep);
	if (r < 0)
		return (int)__syscall_ret(r);
	memset(info, 0, sizeof *info);
	if (rep.pid) {
		info->si_signo = SIGCHLD;
		info->si_code = rep.code;
		info->si_pid = rep.pid;
		info->si_uid = rep.uid;
		info->si_status = rep.signo;
	}
	return 0;
}
