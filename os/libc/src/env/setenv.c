/* setenv and unsetenv (POSIX.1-2017): the package's, behind the name check
 * POSIX asks for (an empty name or one holding '=' is EINVAL), which the
 * package does not make.  Its versions are renamed __pkg_* in libc.mk. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int __pkg_setenv(const char *name, const char *value, int overwrite);
int __pkg_unsetenv(const char *name);

static int bad_name(const char *name)
{
	if (!name || !*name || strchr(name, '=')) {
		errno = EINVAL;
		return 1;
	}
	return 0;
}

int setenv(const char *name, const char *value, int overwrite)
{
	return bad_name(name) ? -1 : __pkg_setenv(name, value, overwrite);
}

int unsetenv(const char *name)
{
	return bad_name(name) ? -1 : __pkg_unsetenv(name);
}
