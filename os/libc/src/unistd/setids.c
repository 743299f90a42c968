/* Changing credentials (POSIX.1-2017 setuid, seteuid, setreuid, setgid,
 * setegid, setregid; setresuid, setresgid, setgroups and initgroups as
 * common practice has them): one _PROC_SETCRED message to taskman, which
 * applies POSIX's permission rules and has the kernel keep the result. */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include "libc.h"

static int setcred(unsigned sub, int a, int b, int c)
{
	struct _proc_setcred m = { .hdr = { .type = _PROC_SETCRED, .subtype = (uint16_t)sub },
				   .ids = { a, b, c } };
	int tm = __taskman_coid();

	if (tm < 0)
		return -1;
	return (int)__syscall_ret(MsgSend_r(tm, &m, sizeof m, NULL, 0));
}

int setuid(uid_t uid)  { return setcred(_PROC_SETUID, (int)uid, -1, -1); }
int seteuid(uid_t uid) { return setcred(_PROC_SETEUID, (int)uid, -1, -1); }
int setgid(gid_t gid)  { return setcred(_PROC_SETGID, (int)gid, -1, -1); }
int setegid(gid_t gid) { return setcred(_PROC_SETEGID, (int)gid, -1, -1); }

int setreuid(uid_t r, uid_t e)
{
	return setcred(_PROC_SETREUID, (int)r, (int)e, -1);
}

int setregid(gid_t r, gid_t e)
{
	return setcred(_PROC_SETREGID, (int)r, (int)e, -1);
}

int setresuid(uid_t r, uid_t e, uid_t s)
{
	return setcred(_PROC_SETRESUID, (int)r, (int)e, (int)s);
}

int setresgid(gid_t r, gid_t e, gid_t s)
{
	return setcred(_PROC_SETRESGID, (int)r, (int)e, (int)s);
}

int setgroups(int n, const gid_t *groups)
{
	struct _proc_setcred m = { .hdr = { .type = _PROC_SETCRED, .subtype = _PROC_SETGROUPS } };

	if (n < 0 || n > _PROC_NGROUPS_MAX)
		return (int)__syscall_ret(-EINVAL);
	if (n && !__uptr_ok(groups, (size_t)n * sizeof *groups))
		return (int)__syscall_ret(-EFAULT);
	m.ngroups = (uint32_t)n;
	for (int i = 0; i < n; i++)
		m.groups[i] = (uint32_t)groups[i];
	int tm = __taskman_coid();
	if (tm < 0)
		return -1;
	return (int)__syscall_ret(MsgSend_r(tm, &m, sizeof m, NULL, 0));
}

/* The groups in the group database that list user, plus group. */
int initgroups(const char *user, gid_t group)
{
	gid_t g[_PROC_NGROUPS_MAX];
	size_t n = 0;
	struct group *gr;

	g[n++] = group;
	setgrent();
	while ((gr = getgrent()) && n < _PROC_NGROUPS_MAX) {
		if (gr->gr_gid == group)
			continue;
		for (char **m = gr->gr_mem; m && *m; m++)
			if (!strcmp(*m, user)) {
				g[n++] = gr->gr_gid;
				break;
			}
	}
	endgrent();
	return setgroups((int)n, g);
}
