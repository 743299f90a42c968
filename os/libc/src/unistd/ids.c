/* The caller's user and group ids (POSIX.1-2017 getuid and friends): the
 * kernel's credential record, ConnectClientInfo on the caller itself, never
 * a message to taskman (which may call these itself). */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

static struct _cred_info creds(void)
{
	struct _client_info ci = { 0 };

	ConnectClientInfo_r(-1, &ci, _NTO_CLIENT_NGROUPS);
	return ci.cred;
}

uid_t getuid(void)
{
	return (uid_t)creds().ruid;
}

uid_t geteuid(void)
{
	return (uid_t)creds().euid;
}

gid_t getgid(void)
{
	return (gid_t)creds().rgid;
}

gid_t getegid(void)
{
	return (gid_t)creds().egid;
}

/* The supplementary groups the kernel reports (at most
 * _NTO_CLIENT_NGROUPS of them). */
int getgroups(int size, gid_t list[])
{
	struct _cred_info c = creds();
	int n = (int)(c.ngroups < _NTO_CLIENT_NGROUPS ? c.ngroups : _NTO_CLIENT_NGROUPS);

	if (size == 0)
		return n;
	if (size < n)
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(list, (size_t)n * sizeof *list))
		return (int)__syscall_ret(-EFAULT);
	for (int i = 0; i < n; i++)
		list[i] = (gid_t)c.grouplist[i];
	return n;
}
