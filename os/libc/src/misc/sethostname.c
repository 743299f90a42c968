/* sethostname (no POSIX page; the BSD call hostname(1) uses).  Keel keeps
 * no node name to change yet (uname and gethostname answer "keel"): EPERM
 * for an unprivileged caller, EINVAL for a name longer than 255 bytes,
 * ENOSYS otherwise. */
#include <errno.h>
#include <unistd.h>
#include "libc.h"

int sethostname(const char *name, size_t len)
{
	if (geteuid() != 0)
		return (int)__syscall_ret(-EPERM);
	if (len > 255)
		return (int)__syscall_ret(-EINVAL);
	if (!__uptr_ok(name, len ? len : 1))
		return (int)__syscall_ret(-EFAULT);
	return (int)__syscall_ret(-ENOSYS);
}
