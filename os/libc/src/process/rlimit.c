/* getrlimit and setrlimit (POSIX.1-2017): taskman keeps the limits
 * (_PROC_RLIMIT, subtype 0 get, 1 set); its resource numbers are
 * <sys/resource.h>'s. */
#include <errno.h>
#include <sys/resource.h>
#include <keel/procmsg.h>
#include "libc.h"

_Static_assert(RLIMIT_NOFILE == _PROC_RLIMIT_NOFILE && RLIMIT_NPROC == _PROC_RLIMIT_NPROC &&
	       RLIM_INFINITY == _PROC_RLIM_INFINITY, "rlimit numbers are taskman's");

static int rlimit_msg(int resource, struct _proc_rlimit *m, unsigned subtype)
{
	int tm = __taskman_coid();

	if (resource < 0 || resource >= _PROC_RLIMIT_COUNT)
		return -EINVAL;
	if (tm < 0)
		return -errno;
	m->hdr = (struct _proc_hdr){ .type = _PROC_RLIMIT, .subtype = (uint16_t)subtype };
	m->resource = resource;
	return (int)MsgSend_r(tm, m, sizeof *m, m, sizeof *m);
}

int getrlimit(int resource, struct rlimit *rl)
{
	struct _proc_rlimit m = { 0 };

	if (!__uptr_ok(rl, sizeof *rl))
		return (int)__syscall_ret(-EFAULT);
	int r = rlimit_msg(resource, &m, 0);
	if (r < 0)
		return (int)__syscall_ret(r);
	rl->rlim_cur = m.cur;
	rl->rlim_max = m.max;
	return 0;
}

int setrlimit(int resource, const struct rlimit *rl)
{
	struct _proc_rlimit m = { 0 };

	if (!__uptr_ok(rl, sizeof *rl))
		return (int)__syscall_ret(-EFAULT);
	if (rl->rlim_cur > rl->rlim_max)
		return (int)__syscall_ret(-EINVAL);
	m.cur = rl->rlim_cur;
	m.max = rl->rlim_max;
	return (int)__syscall_ret(rlimit_msg(resource, &m, 1));
}
