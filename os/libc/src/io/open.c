/* open(2) through the path manager (<keel/iomsg.h>, "Opening a name"):
 * the connect goes to taskman, whose redirect lists the servers whose
 * names match, longest first; each is tried in turn with the rest of the
 * path until one accepts (ENOENT moves on to the next, any other error
 * ends the open).  A link reply restarts with the rewritten path, at most
 * _IO_SYMLOOP_MAX times (ELOOP). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

static mode_t cur_umask = 022;

mode_t umask(mode_t m)
{
	return __atomic_exchange_n(&cur_umask, m & 0777, __ATOMIC_RELAXED);
}

static void connect_msg(struct _io_connect *c, unsigned subtype, size_t path_len, int oflag,
			mode_t mode, uint32_t handle)
{
	*c = (struct _io_connect){
		.type = _IO_CONNECT,
		.subtype = (uint16_t)subtype,
		.file_type = _FTYPE_ANY,
		.reply_max = sizeof(struct _io_connect_link_reply) +
			     _IO_CONNECT_ENTRIES_MAX * sizeof(struct _io_connect_entry),
		.entry_max = _IO_CONNECT_ENTRIES_MAX,
		.handle = handle,
		.ioflag = (uint32_t)oflag,
		.mode = mode,
		.umask = __atomic_load_n(&cur_umask, __ATOMIC_RELAXED),
		.path_len = (uint16_t)path_len,
	};
}

int _connect_open(int pid, int chid, uint32_t handle, const char *path, int oflag, mode_t mode)
{
	size_t len = strlen(path) + 1;
	struct _io_connect c;

	if (len > _IO_PATH_MAX)
		return (int)__syscall_ret(-ENAMETOOLONG);
	connect_msg(&c, _IO_CONNECT_OPEN, len, oflag, mode, handle);
	return (int)__syscall_ret(__io_connect(pid, chid, __fd_lowest(), &c, path, NULL));
}

/* The redirect: link reply, entries, maybe a rewritten path. */
struct redirect {
	struct _io_connect_link_reply link;
	struct _io_connect_entry e[_IO_CONNECT_ENTRIES_MAX];
	char more[_IO_PATH_MAX];        /* room for a rewritten path */
};

/* Sends the connect (subtype) for path through the path manager: an open
 * returns the fd; other subtypes (unlink, ...) the server's status, the
 * connection gone again.  -errno on failure.  A rename names its source
 * (`from`, absolute and clean) as the extra, relative to the server of
 * the target; a source outside that server's name is EXDEV. */
static int connect_path(char *path, unsigned subtype, int oflag, mode_t mode, const char *from)
{
	struct redirect rd;

	for (int loops = 0; loops <= _IO_SYMLOOP_MAX; loops++) {
		size_t len = strlen(path) + 1;
		struct _io_connect c;
		connect_msg(&c, subtype, len, oflag, mode, 0);
		int tm = __taskman_coid();
		if (tm < 0)
			return -errno;
		iov_t s[2], r;
		SETIOV(&s[0], &c, sizeof c);
		SETIOV(&s[1], path, len);
		SETIOV(&r, &rd, sizeof rd);
		long st = MsgSendv_r(tm, s, 2, &r, 1);
		if (st < 0)
			return (int)st;
		if (!(st & _IO_CONNECT_RET_LINK))
			return -EIO;                    /* taskman opens nothing itself */
		unsigned n = rd.link.nentries;
		if (n > _IO_CONNECT_ENTRIES_MAX)
			return -EIO;
		if (n == 0) {                           /* a symbolic link: start again */
			const char *np = (const char *)&rd.e[0];      /* right after the link reply */
			if (rd.link.path_len == 0 || rd.link.path_len > _IO_PATH_MAX ||
			    np[rd.link.path_len - 1] != 0)
				return -EIO;
			memmove(path, np, rd.link.path_len);
			continue;
		}
		int err = -ENOENT;
		for (unsigned i = 0; i < n && err == -ENOENT; i++) {
			const struct _io_connect_entry *e = &rd.e[i];
			const char *rest = e->prefix_len < len ? path + e->prefix_len : "";
			while (*rest == '/')
				rest++;
			size_t rl = strlen(rest) + 1;
			connect_msg(&c, subtype, rl, oflag, mode, e->handle);
			const char *xfrom = NULL;
			if (from) {
				if (strncmp(from, path, e->prefix_len) ||
				    (from[e->prefix_len] && from[e->prefix_len] != '/' &&
				     e->prefix_len > 1))
					return -EXDEV;
				for (xfrom = from + e->prefix_len; *xfrom == '/'; xfrom++)
					;
				c.extra_type = _IO_CONNECT_EXTRA_RENAME;
				c.extra_len = (uint16_t)(strlen(xfrom) + 1);
			}
			err = __io_connect(e->pid, e->chid, __fd_lowest(), &c, rest, xfrom);
			if (err >= 0 && subtype != _IO_CONNECT_OPEN) {
				ConnectDetach_r(err);           /* the message was the point */
				__fds[err] = (struct __fd){ 0 };
				return 0;
			}
			if (err >= 0)
				return err;
		}
		return err;
	}
	return -ELOOP;
}

/* Checks path and makes it absolute and clean in buf: 0 or -1 and errno. */
static int take_path(const char *path, char *buf)
{
	if (!__uptr_ok(path, 1))
		return (int)__syscall_ret(-EFAULT);
	size_t len = strnlen(path, _IO_PATH_MAX);
	if (len == 0)
		return (int)__syscall_ret(-ENOENT);
	if (len >= _IO_PATH_MAX)
		return (int)__syscall_ret(-ENAMETOOLONG);
	return (int)__syscall_ret(__path_abs(path, buf));
}

int open(const char *path, int oflag, ...)
{
	char buf[_IO_PATH_MAX];
	mode_t mode = 0;

	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (take_path(path, buf) < 0)
		return -1;
	return (int)__syscall_ret(connect_path(buf, _IO_CONNECT_OPEN, oflag, mode, NULL));
}

/* unlink (POSIX.1-2017): an _IO_CONNECT_UNLINK to the name's server. */
int unlink(const char *path)
{
	char buf[_IO_PATH_MAX];

	if (take_path(path, buf) < 0)
		return -1;
	return (int)__syscall_ret(connect_path(buf, _IO_CONNECT_UNLINK, 0, 0, NULL));
}

/* rename (POSIX.1-2017): an _IO_CONNECT_RENAME to the target's server,
 * the source path as the extra (both within that server, else EXDEV). */
int rename(const char *from, const char *to)
{
	char src[_IO_PATH_MAX], dst[_IO_PATH_MAX];

	if (take_path(from, src) < 0 || take_path(to, dst) < 0)
		return -1;
	return (int)__syscall_ret(connect_path(dst, _IO_CONNECT_RENAME, 0, 0, src));
}

/* readlink (POSIX.1-2017).  The servers report no symbolic links yet (the
 * path space's own links are followed by taskman, and lstat is stat), so a
 * name that exists is not a link: EINVAL; one that does not, its error. */
ssize_t readlink(const char *restrict path, char *restrict buf, size_t size)
{
	struct stat st;

	(void)buf;
	(void)size;
	if (stat(path, &st) < 0)
		return -1;
	return (ssize_t)__syscall_ret(-EINVAL);
}
