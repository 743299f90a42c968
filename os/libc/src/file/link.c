/* link, symlink and readlink (POSIX.1-2017): _IO_CONNECT_LINK with the
 * existing path (a hard link: both names in one server, else EXDEV) or the
 * link's text as the extra, and _IO_CONNECT_READLINK, whose reply is the
 * text. */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "libc.h"

int link(const char *existing, const char *name)
{
	char from[_IO_PATH_MAX];
	struct __connect rq = { .subtype = _IO_CONNECT_LINK, .extra_type = _IO_CONNECT_EXTRA_LINK,
				.from = from };
	int r = __take_path(existing, from, NULL);
	long st = r < 0 ? r : __path_call(name, &rq);

	return st < 0 ? (int)__syscall_ret(st) : 0;
}

int symlink(const char *target, const char *name)
{
	if (!__uptr_ok(target, 1))
		return (int)__syscall_ret(-EFAULT);
	size_t len = strnlen(target, _IO_PATH_MAX);
	if (len == 0)
		return (int)__syscall_ret(-ENOENT);
	if (len >= _IO_PATH_MAX)
		return (int)__syscall_ret(-ENAMETOOLONG);
	struct __connect rq = { .subtype = _IO_CONNECT_LINK, .extra_type = _IO_CONNECT_EXTRA_SYMLINK,
				.extra = target, .extra_len = len + 1 };
	long st = __path_call(name, &rq);

	return st < 0 ? (int)__syscall_ret(st) : 0;
}

ssize_t readlink(const char *restrict path, char *restrict buf, size_t size)
{
	char text[_IO_PATH_MAX];
	struct __connect rq = { .subtype = _IO_CONNECT_READLINK, .reply = text,
				.reply_len = sizeof text };

	if (size == 0)
		return (ssize_t)__syscall_ret(-EINVAL);
	if (!__uptr_ok(buf, size))
		return (ssize_t)__syscall_ret(-EFAULT);
	long n = __path_call(path, &rq);
	if (n < 0)
		return (ssize_t)__syscall_ret(n);
	if (n > (long)sizeof text)
		return (ssize_t)__syscall_ret(-EIO);
	if ((size_t)n > size)
		n = (long)size;                 /* POSIX: truncated, no NUL */
	memcpy(buf, text, (size_t)n);
	return n;
}
