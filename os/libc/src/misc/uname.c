/* uname and gethostname (POSIX.1-2017).  The node name is "keel" until a
 * configuration server names the machine. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "libc.h"

int uname(struct utsname *u)
{
	if (!__uptr_ok(u, sizeof *u))
		return (int)__syscall_ret(-EFAULT);
	memset(u, 0, sizeof *u);
	strcpy(u->sysname, "Keel");
	strcpy(u->nodename, "keel");
	strcpy(u->release, "0.1.0");
	strcpy(u->version, "Keel libc on picolibc 1.8");
	strcpy(u->machine, "riscv64");
	return 0;
}

int gethostname(char *name, size_t len)
{
	static const char host[] = "keel";

	if (!__uptr_ok(name, len ? len : 1))
		return (int)__syscall_ret(-EFAULT);
	if (len < sizeof host)
		return (int)__syscall_ret(-ENAMETOOLONG);
	memcpy(name, host, sizeof host);
	return 0;
}
