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
	struct _io_connect_reply rep;
	long st;

	if (len > _IO_PATH_MAX)
		return (int)__syscall_ret(-ENAMETOOLONG);
	connect_msg(&c, _IO_CONNECT_OPEN, len, oflag, mode, handle);
	int fd = __io_connect(pid, chid, __fd_lowest(), &c, path, NULL, &rep, sizeof rep, &st,
			      false);
	if (fd >= 0 && (st & _IO_CONNECT_RET_LINK)) {
		__fd_forget(fd);
		fd = -ELOOP;                    /* a link: not followed here */
	}
	return (int)__syscall_ret(fd);
}

/* The redirect: link reply, entries, maybe a rewritten path. */
struct redirect {
	struct _io_connect_link_reply link;
	struct _io_connect_entry e[_IO_CONNECT_ENTRIES_MAX];
	char more[_IO_PATH_MAX];        /* room for a rewritten path */
};

/* What a server may reply to a connect: an open's body, a link with its
 * rewritten path, or a subtype's data (stat, readlink text, ...). */
union server_reply {
	struct _io_connect_reply open;
	struct {
		struct _io_connect_link_reply link;
		char path[_IO_PATH_MAX];
	} link;
	char data[_IO_PATH_MAX + 64];
};

/* A link reply's path, cleaned, into path: 0 or -errno. */
static int take_link(char *path, const union server_reply *r)
{
	char tmp[_IO_PATH_MAX];
	size_t n = r->link.link.path_len;

	if (n == 0 || n > _IO_PATH_MAX || r->link.path[n - 1] != 0 || r->link.path[0] != '/')
		return -EIO;
	memcpy(tmp, r->link.path, n);
	return __path_abs(tmp, path);
}

/* The connect of rq for path at redirect entry e: an open's fd, another
 * subtype's status, 1 with *relink set when the server replied a link
 * (path rewritten), or -errno (-ENOENT: try the next entry). */
static long try_entry(char *path, const struct _io_connect_entry *e, const struct __connect *rq,
		      bool *relink)
{
	size_t len = strlen(path) + 1;
	const char *rest = e->prefix_len < len ? path + e->prefix_len : "";
	const void *extra = rq->extra;
	size_t extra_len = rq->extra_len;
	struct _io_connect c;
	union server_reply rep;
	long st;

	while (*rest == '/')
		rest++;
	if (rq->from) {                         /* rename or hard link: same server */
		const char *from = rq->from;
		size_t nl = e->prefix_len;      /* the server's name: prefix_len less its '/' */
		if (nl > 1 && nl <= len && path[nl - 1] == '/')
			nl--;
		if (strncmp(from, path, nl) || (nl > 1 && from[nl] && from[nl] != '/'))
			return -EXDEV;
		for (from += nl; *from == '/'; from++)
			;
		extra = from;
		extra_len = strlen(from) + 1;
	}
	connect_msg(&c, rq->subtype, strlen(rest) + 1, rq->oflag, rq->mode, e->handle);
	c.reply_max = sizeof rep;
	c.eflag = rq->eflag;
	c.extra_type = rq->extra_type;
	c.extra_len = (uint16_t)extra_len;
	int fd = __io_connect(e->pid, e->chid, __fd_lowest(), &c, rest, extra, &rep, sizeof rep, &st,
			      rq->cp && rq->subtype == _IO_CONNECT_OPEN);
	if (fd < 0)
		return fd;
	if (st & _IO_CONNECT_RET_LINK) {
		__fd_forget(fd);
		int r = take_link(path, &rep);
		*relink = r == 0;
		return r ? r : 1;
	}
	if (rq->subtype == _IO_CONNECT_OPEN)
		return fd;
	__fd_forget(fd);                        /* the message was the point */
	if (rq->reply)
		memcpy(rq->reply, &rep, rq->reply_len < sizeof rep ? rq->reply_len : sizeof rep);
	return st;
}

long __connect_path(char *path, const struct __connect *rq)
{
	struct redirect rd;

	if (rq->extra_len > UINT16_MAX)
		return -ENAMETOOLONG;
	for (int loops = 0; loops <= _IO_SYMLOOP_MAX; loops++) {
		size_t len = strlen(path) + 1;
		struct _io_connect c;
		connect_msg(&c, rq->subtype, len, rq->oflag, rq->mode, 0);
		int tm = __taskman_coid();
		if (tm < 0)
			return -errno;
		iov_t s[2], r;
		SETIOV(&s[0], &c, sizeof c);
		SETIOV(&s[1], path, len);
		SETIOV(&r, &rd, sizeof rd);
		long st = MsgSendv_r(tm, s, 2, &r, 1);
		if (st < 0)
			return st;
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
		long err = -ENOENT;
		bool relink = false;
		for (unsigned i = 0; i < n && err == -ENOENT; i++)
			err = try_entry(path, &rd.e[i], rq, &relink);
		if (!relink)
			return err;
	}
	return -ELOOP;
}

int __take_path(const char *path, char *buf, uint8_t *eflag)
{
	if (!__uptr_ok(path, 1))
		return -EFAULT;
	size_t len = strnlen(path, _IO_PATH_MAX);
	if (len == 0)
		return -ENOENT;
	if (len >= _IO_PATH_MAX)
		return -ENAMETOOLONG;
	if (eflag)
		*eflag = path[len - 1] == '/' ? _IO_CONNECT_EFLAG_DIR : 0;
	return __path_abs(path, buf);
}

long __path_call(const char *path, struct __connect *rq)
{
	char buf[_IO_PATH_MAX];
	int r = __take_path(path, buf, &rq->eflag);

	return r < 0 ? r : __connect_path(buf, rq);
}

int open(const char *path, int oflag, ...)
{
	struct __connect rq = { .subtype = _IO_CONNECT_OPEN, .oflag = oflag, .cp = true };

	__testcancel();                 /* a cancellation point before the fd exists, */
					/* and while a FIFO's open waits (__io_connect) */
	if (oflag & O_CREAT) {
		va_list ap;
		va_start(ap, oflag);
		rq.mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	long fd = __path_call(path, &rq);
	char abs[_IO_PATH_MAX];
	if (fd >= 0 && __path_abs(path, abs) == 0)
		__at_opened((int)fd, abs);      /* for the *at calls and fchdir (io/at.c) */
	return (int)__syscall_ret(fd);
}

/* unlink (POSIX.1-2017): an _IO_CONNECT_UNLINK to the name's server. */
int unlink(const char *path)
{
	struct __connect rq = { .subtype = _IO_CONNECT_UNLINK };
	long r = __path_call(path, &rq);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}

/* The directory of path as the path space resolves it, its links followed
 * (a stat of it: the connect rewrites the buffer as it follows them),
 * written back into path before the last name.  0 or -errno. */
static long resolve_dir(char *path)
{
	char dir[_IO_PATH_MAX];
	char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return 0;                       /* in "/" */
	size_t n = (size_t)(slash - path), tail = strlen(slash);
	memcpy(dir, path, n);
	dir[n] = 0;
	struct _io_stat m = { .hdr = { .type = _IO_STAT } };
	struct _io_stat_reply rep;
	struct __connect rq = { .subtype = _IO_CONNECT_COMBINE_CLOSE,
				.extra_type = _IO_CONNECT_EXTRA_COMBINE, .extra = &m,
				.extra_len = sizeof m, .reply = &rep, .reply_len = sizeof rep };
	long r = __connect_path(dir, &rq);
	if (r < 0 && r != -ENOSYS)
		return r;
	size_t d = strlen(dir);
	if (d + tail + 1 > _IO_PATH_MAX)
		return -ENAMETOOLONG;
	memmove(path + d, slash, tail + 1);
	memcpy(path, dir, d);
	return 0;
}

/* rename (POSIX.1-2017): an _IO_CONNECT_RENAME to the target's server,
 * the source path as the extra (both within that server, else EXDEV).
 * The target's path is resolved on the way (symbolic links of the path
 * space, e.g. /etc -> /usr/etc, rewrite it); when the source's path then
 * does not name the same server, its directory is resolved too and the
 * rename asked again. */
int rename(const char *from, const char *to)
{
	char src[_IO_PATH_MAX];
	struct __connect rq = { .subtype = _IO_CONNECT_RENAME,
				.extra_type = _IO_CONNECT_EXTRA_RENAME, .from = src };
	int r = __take_path(from, src, NULL);
	long st = r < 0 ? r : __path_call(to, &rq);

	if (st == -EXDEV && resolve_dir(src) == 0)
		st = __path_call(to, &rq);
	return st < 0 ? (int)__syscall_ret(st) : 0;
}
