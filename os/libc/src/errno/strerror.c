/* strerror, strerror_r and the POSIX strerror_r for Keel's error numbers
 * (<sys/errno.h>): one message per number; unknown numbers get
 * "Unknown error N". */
#define _GNU_SOURCE 1           /* the GNU strerror_r is defined here too */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const messages[] = {
	[0] = "No error",
	[EPERM] = "Operation not permitted",
	[ENOENT] = "No such file or directory",
	[ESRCH] = "No such process",
	[EINTR] = "Interrupted function call",
	[EIO] = "Input/output error",
	[ENXIO] = "No such device or address",
	[E2BIG] = "Argument list too long",
	[ENOEXEC] = "Exec format error",
	[EBADF] = "Bad file descriptor",
	[ECHILD] = "No child processes",
	[EAGAIN] = "Resource temporarily unavailable",
	[ENOMEM] = "Not enough space",
	[EACCES] = "Permission denied",
	[EFAULT] = "Bad address",
	[ENOTBLK] = "Block device required",
	[EBUSY] = "Device or resource busy",
	[EEXIST] = "File exists",
	[EXDEV] = "Cross-device link",
	[ENODEV] = "No such device",
	[ENOTDIR] = "Not a directory",
	[EISDIR] = "Is a directory",
	[EINVAL] = "Invalid argument",
	[ENFILE] = "Too many files open in system",
	[EMFILE] = "Too many open files",
	[ENOTTY] = "Inappropriate I/O control operation",
	[ETXTBSY] = "Text file busy",
	[EFBIG] = "File too large",
	[ENOSPC] = "No space left on device",
	[ESPIPE] = "Invalid seek",
	[EROFS] = "Read-only file system",
	[EMLINK] = "Too many links",
	[EPIPE] = "Broken pipe",
	[EDOM] = "Mathematics argument out of domain of function",
	[ERANGE] = "Result too large",
	[ENOMSG] = "No message of the desired type",
	[EIDRM] = "Identifier removed",
	[EDEADLK] = "Resource deadlock would occur",
	[ENOLCK] = "No locks available",
	[ECANCELED] = "Operation canceled",
	[ENOTSUP] = "Not supported",
	[EDQUOT] = "Disk quota exceeded",
	[ENOSTR] = "Not a STREAM",
	[ENODATA] = "No message is available",
	[ETIME] = "STREAM ioctl timeout",
	[ENOSR] = "No STREAM resources",
	[ENOLINK] = "Link has been severed",
	[EPROTO] = "Protocol error",
	[EMULTIHOP] = "Multihop attempted",
	[EBADMSG] = "Bad message",
	[ENAMETOOLONG] = "Filename too long",
	[EOVERFLOW] = "Value too large to be stored in data type",
	[EILSEQ] = "Illegal byte sequence",
	[ENOSYS] = "Function not implemented",
	[ELOOP] = "Too many levels of symbolic links",
	[ENOTEMPTY] = "Directory not empty",
	[EOPNOTSUPP] = "Operation not supported on socket",
	[ESTALE] = "Stale file handle",
	[ENOTCONN] = "The socket is not connected",
	[EINPROGRESS] = "Operation in progress",
	[EALREADY] = "Connection already in progress",
	[ENOTSOCK] = "Not a socket",
	[EDESTADDRREQ] = "Destination address required",
	[EMSGSIZE] = "Message too large",
	[EPROTOTYPE] = "Protocol wrong type for socket",
	[ENOPROTOOPT] = "Protocol not available",
	[EPROTONOSUPPORT] = "Protocol not supported",
	[EAFNOSUPPORT] = "Address family not supported",
	[EADDRINUSE] = "Address in use",
	[EADDRNOTAVAIL] = "Address not available",
	[ENETDOWN] = "Network is down",
	[ENETUNREACH] = "Network unreachable",
	[ENETRESET] = "Connection aborted by network",
	[ECONNABORTED] = "Connection aborted",
	[ECONNRESET] = "Connection reset",
	[ENOBUFS] = "No buffer space available",
	[EISCONN] = "Socket is connected",
	[ETIMEDOUT] = "Connection timed out",
	[ECONNREFUSED] = "Connection refused",
	[EHOSTUNREACH] = "Host is unreachable",
	[ESRVRFAULT] = "Server fault on message pass",
	[EOWNERDEAD] = "Previous owner died",
	[ENOTRECOVERABLE] = "State not recoverable",
};
static char unknown[32];

static const char *lookup(int e)
{
	if (e >= 0 && (size_t)e < sizeof messages / sizeof messages[0] && messages[e])
		return messages[e];
	return 0;
}

/* Returns the message for e; an unknown e gets "Unknown error e" in a
 * static buffer (not thread-safe, as POSIX allows). */
char *strerror(int e)
{
	const char *m = lookup(e);

	if (m)
		return (char *)m;
	snprintf(unknown, sizeof unknown, "Unknown error %d", e);
	return unknown;
}

/* The POSIX strerror_r: 0, EINVAL for an unknown e (the buffer still gets
 * "Unknown error e"), or ERANGE if buf is too small (it gets what fits). */
int __xpg_strerror_r(int e, char *buf, size_t len)
{
	const char *m = lookup(e);
	char tmp[32];
	int r = 0;

	if (!m) {
		snprintf(tmp, sizeof tmp, "Unknown error %d", e);
		m = tmp;
		r = EINVAL;
	}
	size_t n = strlen(m);
	if (len == 0)
		return ERANGE;
	if (n >= len) {
		memcpy(buf, m, len - 1);
		buf[len - 1] = 0;
		return ERANGE;
	}
	memcpy(buf, m, n + 1);
	return r;
}

/* The GNU strerror_r (what <string.h> names strerror_r by default here):
 * the message, in buf only when it is not a constant. */
char *strerror_r(int e, char *buf, size_t len)
{
	const char *m = lookup(e);

	if (m)
		return (char *)m;
	__xpg_strerror_r(e, buf, len);
	return buf;
}

/* Keel has one locale: strerror_l is strerror. */
char *strerror_l(int e, locale_t loc)
{
	(void)loc;
	return strerror(e);
}
