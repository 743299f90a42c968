/* The resource-manager dispatch: receive, check, find the open, call the
 * handler, reply.  Any number of threads may run resmgr_loop on one
 * manager (resmgr_pool_start makes them): each has its own context, the
 * binding table has its lock, and handlers run one at a time under the
 * manager's handler lock (QNX's attribute lock, for the whole manager), so
 * a handler may touch its attribute and open control blocks freely; the
 * receive, the checks and the replies of the framework run in parallel.
 * A manager made concurrent (resmgr_concurrent) runs its connect and I/O
 * handlers without that lock, any number at once: the server locks what
 * they share (lock_ocb and unlock_ocb around each I/O message), and an I/O
 * handler's open stays alive while it runs (ocb->busy counts them); a close
 * that comes meanwhile is answered by the last of them, once it has closed
 * the open, so no thread of the server ever waits for another.
 *
 * Every message is checked before a field is read: shorter than its
 * type's body is EINVAL, an unknown type ENOSYS, I/O on a connection with
 * no open EBADF, a connect whose path does not lie inside the message or
 * is not NUL-terminated EINVAL.  Nothing a client sends can make the
 * server read past what it received. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include "libc.h"

/* One connection bound to an open. */
struct binding {
	int32_t scoid;                  /* the client's pid */
	int32_t coid;                   /* its connection */
	iofunc_ocb_t *ocb;
};

struct resmgr {
	int chid;
	volatile int stop;
	iofunc_attr_t *attr;
	resmgr_connect_funcs_t connect;
	resmgr_io_funcs_t io;
	pthread_mutex_t lock;           /* guards the bindings */
	pthread_mutex_t handler_lock;   /* one handler at a time (recursive) */
	bool concurrent;                /* connect and I/O handlers without it */
	struct binding *b;
	unsigned nb, cap;
	int self_coid;                  /* for the server's own pulses, or -1 */
};

resmgr_t *resmgr_create(int chid, const resmgr_connect_funcs_t *connect,
			const resmgr_io_funcs_t *io, iofunc_attr_t *attr)
{
	if (chid < 0 || !attr) {
		errno = EINVAL;
		return NULL;
	}
	resmgr_t *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->chid = chid;
	m->attr = attr;
	m->self_coid = -1;
	if (connect)
		m->connect = *connect;
	if (io)
		m->io = *io;
	pthread_mutex_init(&m->lock, NULL);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&m->handler_lock, &a);
	return m;
}

unsigned resmgr_open_count(const resmgr_t *m)
{
	return m->nb;
}

static struct binding *find(resmgr_t *m, int32_t scoid, int32_t coid)
{
	for (unsigned i = 0; i < m->nb; i++)
		if (m->b[i].scoid == scoid && m->b[i].coid == coid)
			return &m->b[i];
	return NULL;
}

static int bind(resmgr_t *m, int32_t scoid, int32_t coid, iofunc_ocb_t *ocb)
{
	if (m->nb == m->cap) {
		unsigned cap = m->cap ? m->cap * 2 : 16;
		struct binding *nb = realloc(m->b, cap * sizeof *nb);
		if (!nb)
			return ENOMEM;
		m->b = nb;
		m->cap = cap;
	}
	m->b[m->nb++] = (struct binding){ scoid, coid, ocb };
	ocb->refs++;
	return 0;
}

static bool client_connected(const resmgr_t *m, int32_t scoid);
static iofunc_ocb_t *unbind(resmgr_t *m, unsigned i, int closer);

/* bind for the client of ctp (m->lock held), unless that client is gone:
 * a client whose DISCONNECT was handled before its open or dup (received
 * before it ended) was bound here, and nothing would ever unbind it.  Then
 * EBADF, and *gone the open to close once m->lock is let go (or NULL). */
static int bind_client(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
		       iofunc_ocb_t **gone)
{
	int r = bind(m, ctp->info.scoid, ctp->info.coid, ocb);

	*gone = NULL;
	if (r || client_connected(m, ctp->info.scoid))
		return r;
	*gone = unbind(m, m->nb - 1, 0);
	return EBADF;
}

static void close_ocb(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(m->io.close_ocb ? m->io.close_ocb : iofunc_close_ocb_default)(ctp, ocb);
}

/* Drops binding i (m->lock held).  Returns its open if that was the
 * open's last connection and no I/O handler has it: the caller closes it
 * once m->lock is let go (a server's close_ocb may wait for locks its
 * handlers hold while they wait for m->lock).  An open a handler still
 * has (busy) is closed by the last of them (io_done), which then answers
 * closer (the close's rcvid, or 0). */
static iofunc_ocb_t *unbind(resmgr_t *m, unsigned i, int closer)
{
	iofunc_ocb_t *ocb = m->b[i].ocb;

	m->b[i] = m->b[--m->nb];
	if (--ocb->refs != 0)
		return NULL;
	if (ocb->busy) {
		ocb->close_rcvid = closer;
		return NULL;
	}
	return ocb;
}

/* resmgr_reply's other ways: a longer deferred reply, or one now. */
static int __attribute__((noinline)) reply_more(resmgr_context_t *ctp, long status,
						const void *data, size_t len)
{
	if (ctp->defer && !ctp->reply_pending && len <= sizeof ctp->reply) {
		memcpy(ctp->reply, data, len);
		ctp->reply_status = status;
		ctp->reply_len = len;
		ctp->reply_pending = 1;
		return RESMGR_DONE;
	}
	MsgReply_r(ctp->rcvid, status, data, len);
	return RESMGR_DONE;
}

int resmgr_reply(resmgr_context_t *ctp, long status, const void *data, size_t len)
{
	if (!ctp->defer || ctp->reply_pending || len > 16)
		return reply_more(ctp, status, data, len);
	/* A read's byte or a stat's few, kept for the loop's next receive
	 * (MsgReplyReceives), copied without a call. */
	const uint8_t *from = data;
	for (size_t i = 0; i < len; i++)
		ctp->reply[i] = (char)from[i];
	ctp->reply_status = status;
	ctp->reply_len = len;
	ctp->reply_pending = 1;
	return RESMGR_DONE;
}

long resmgr_msgread(resmgr_context_t *ctp, void *dst, size_t len, size_t offset)
{
	size_t have = ctp->msglen, n = 0;

	if (offset < have) {
		n = have - offset < len ? have - offset : len;
		memcpy(dst, ctp->msg.raw + offset, n);
	}
	if (n == len)
		return (long)n;
	long r = MsgRead_r(ctp->rcvid, (char *)dst + n, len - n, offset + n + ctp->msgread_skew);
	return r < 0 ? (n ? (long)n : r) : (long)n + r;
}

static void finish(resmgr_context_t *ctp, int r)
{
	if (r == RESMGR_DONE)
		return;
	if (r == 0)
		resmgr_reply(ctp, 0, NULL, 0);
	else
		MsgError_r(ctp->rcvid, r > 0 ? r : EINVAL);
}

static int connect_open(resmgr_t *m, resmgr_context_t *ctp, const struct _io_connect *c,
			const char *path, iofunc_ocb_t **ocb)
{
	int r = m->connect.open ? m->connect.open(ctp, c, path, m->attr, ocb) : RESMGR_DEFAULT;

	if (r == RESMGR_DEFAULT)
		r = iofunc_open_default(ctp, c, path, m->attr, ocb);
	return r;
}

static int do_open(resmgr_t *m, resmgr_context_t *ctp, const struct _io_connect *c,
		   const char *path)
{
	if (find(m, ctp->info.scoid, ctp->info.coid))
		return EBUSY;                   /* this connection has an open already */
	iofunc_ocb_t *ocb = NULL;
	int r = connect_open(m, ctp, c, path, &ocb);
	bool later = r == RESMGR_DONE && ocb;   /* parked: bound now, answered later */
	if (r != 0 && !later)
		return r;
	iofunc_ocb_t *gone;
	pthread_mutex_lock(&m->lock);
	int b = bind_client(m, ctp, ocb, &gone);
	pthread_mutex_unlock(&m->lock);
	if (b) {
		if (b != EBADF || gone)
			close_ocb(m, ctp, ocb);
		return b;
	}
	return later ? RESMGR_DONE : resmgr_open_reply(ctp->rcvid);
}

int resmgr_open_reply(int rcvid)
{
	struct _io_connect_reply rep = { .file_type = _FTYPE_FILE };

	MsgReply_r(rcvid, 0, &rep, sizeof rep);
	return RESMGR_DONE;
}

void resmgr_open_cancel(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	iofunc_ocb_t *gone = NULL;

	pthread_mutex_lock(&m->lock);
	for (unsigned i = 0; i < m->nb; i++) {
		if (m->b[i].ocb == ocb) {
			gone = unbind(m, i, 0);
			break;
		}
	}
	pthread_mutex_unlock(&m->lock);
	if (gone)
		close_ocb(m, ctp, gone);
}

static int io_call(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb, uint64_t have);
static int io_call_checked(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
			   uint64_t have);

/* io_call under the server's lock_ocb, if it has one; checked: the caller
 * has checked the message (io_checked). */
static int locked_io_call(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb, uint64_t have,
			  bool checked)
{
	if (m->io.lock_ocb)
		m->io.lock_ocb(ctp, ocb);
	int r = checked ? io_call_checked(m, ctp, ocb, have) : io_call(m, ctp, ocb, have);
	if (m->io.unlock_ocb)
		m->io.unlock_ocb(ctp, ocb);
	return r;
}

/* The I/O messages a combine may carry: none that moves data or parks. */
static bool combinable(unsigned type)
{
	return type == _IO_STAT || type == _IO_CHMOD || type == _IO_CHOWN || type == _IO_UTIME ||
	       type == _IO_DEVCTL;
}

/* _IO_CONNECT_COMBINE_CLOSE: a temporary open for the one I/O message in
 * extra, which moves to the front of the buffer (its fields aligned) once
 * the open no longer needs the path. */
static int do_combine(resmgr_t *m, resmgr_context_t *ctp, const struct _io_connect *c,
		      const char *path, const char *extra)
{
	struct _io_hdr h;
	size_t len = c->extra_len;

	if (c->extra_type != _IO_CONNECT_EXTRA_COMBINE || len < sizeof h)
		return EINVAL;
	memcpy(&h, extra, sizeof h);
	if (!combinable(h.type))
		return ENOSYS;
	iofunc_ocb_t *ocb = NULL;
	int r = connect_open(m, ctp, c, path, &ocb);
	if (r != 0)
		return r;
	memmove(ctp->msg.raw, extra, len);
	ctp->msglen = len;
	ocb->refs = 1;
	r = locked_io_call(m, ctp, ocb, len, false);
	close_ocb(m, ctp, ocb);
	return r;
}

/* A rename's or link's extra: of the type the subtype takes, with its
 * NUL as its last byte and none before. */
static bool extra_ok(const struct _io_connect *c, const char *extra)
{
	bool type_ok = c->subtype == _IO_CONNECT_RENAME ?
		       c->extra_type == _IO_CONNECT_EXTRA_RENAME :
		       c->extra_type == _IO_CONNECT_EXTRA_LINK ||
		       c->extra_type == _IO_CONNECT_EXTRA_SYMLINK;

	return type_ok && c->extra_len > 0 && extra[c->extra_len - 1] == 0 &&
	       strlen(extra) == (size_t)c->extra_len - 1;
}

#define CONNECT_CALL(fn, ...) \
	(m->connect.fn ? m->connect.fn(ctp, c, path, __VA_ARGS__) : RESMGR_DEFAULT)

/* _IO_CONNECT: path and extra must lie inside what was received. */
/* (The handlers off a read's and a write's way are noinline: inlined, their
 * registers were saved on every message.) */
static int __attribute__((noinline)) do_connect(resmgr_t *m, resmgr_context_t *ctp)
{
	const struct _io_connect *c = &ctp->msg.connect;
	int r;

	if (ctp->msglen < sizeof *c || c->path_len == 0 ||
	    sizeof *c + (size_t)c->path_len + c->extra_len > ctp->msglen)
		return EINVAL;
	const char *path = ctp->msg.raw + sizeof *c, *extra = path + c->path_len;
	if (path[c->path_len - 1] != 0 || strlen(path) != (size_t)c->path_len - 1)
		return EINVAL;
	switch (c->subtype) {
	case _IO_CONNECT_OPEN:
		return do_open(m, ctp, c, path);
	case _IO_CONNECT_COMBINE_CLOSE:
		return do_combine(m, ctp, c, path, extra);
	case _IO_CONNECT_UNLINK:
		r = CONNECT_CALL(unlink, m->attr);
		break;
	case _IO_CONNECT_MKNOD:
		r = CONNECT_CALL(mknod, m->attr);
		break;
	case _IO_CONNECT_READLINK:
		r = CONNECT_CALL(readlink, m->attr);
		break;
	case _IO_CONNECT_RENAME:
		if (!extra_ok(c, extra))
			return EINVAL;
		r = CONNECT_CALL(rename, extra, m->attr);
		break;
	case _IO_CONNECT_LINK:
		if (!extra_ok(c, extra))
			return EINVAL;
		r = CONNECT_CALL(link, extra, m->attr);
		break;
	default:
		return ENOSYS;
	}
	return r == RESMGR_DEFAULT ? ENOSYS : r;
}

/* A _IO_DUP may name the sender's parent's connection (an inherited fd
 * of a spawned or forked child): taskman says whose child the sender is,
 * and whether it is still taking over its fds (after that, a child could
 * take any open its parent made since, close-on-exec ones too: a user's
 * shell would take init's, root's, console).  A manager running in
 * taskman's own process (or in the first process when there is no
 * taskman) cannot ask itself: it refuses. */
static bool may_share(int32_t sender, int32_t owner)
{
	struct _proc_ids ids;

	if (owner == 0 || owner == sender)
		return true;
	if (getpid() == TASKMAN_PID)
		return false;
	return __proc_ids(sender, &ids) >= 0 && ids.ppid == owner &&
	       (ids.flags & _PROC_IDS_INHERITING);
}

static int __attribute__((noinline)) do_dup(resmgr_t *m, resmgr_context_t *ctp)
{
	const struct _io_dup *d = (const void *)ctp->msg.raw;
	int r = EBADF;

	if (!may_share(ctp->info.scoid, d->pid))
		return EPERM;
	iofunc_ocb_t *gone = NULL;
	pthread_mutex_lock(&m->lock);
	struct binding *orig = find(m, d->pid ? d->pid : ctp->info.scoid, d->coid);
	if (find(m, ctp->info.scoid, ctp->info.coid))
		r = EBUSY;
	else if (orig)
		r = bind_client(m, ctp, orig->ocb, &gone);
	pthread_mutex_unlock(&m->lock);
	if (gone)
		close_ocb(m, ctp, gone);
	return r;
}

static int __attribute__((noinline)) do_close(resmgr_t *m, resmgr_context_t *ctp)
{
	pthread_mutex_lock(&m->lock);
	struct binding *b = find(m, ctp->info.scoid, ctp->info.coid);
	iofunc_ocb_t *ocb = b ? b->ocb : NULL;
	iofunc_ocb_t *gone = b ? unbind(m, (unsigned)(b - m->b), ctp->rcvid) : NULL;
	bool later = ocb && !gone && ocb->refs == 0;    /* io_done answers */
	pthread_mutex_unlock(&m->lock);
	if (gone)
		close_ocb(m, ctp, gone);
	return later ? RESMGR_DONE : ocb ? 0 : EBADF;
}

/* The body each I/O type needs before its fields may be read. */
static size_t body_size(unsigned type)
{
	switch (type) {
	case _IO_READ:   return sizeof(struct _io_read);
	case _IO_WRITE:  return sizeof(struct _io_write);
	case _IO_LSEEK:  return sizeof(struct _io_lseek);
	case _IO_STAT:   return sizeof(struct _io_stat);
	case _IO_DEVCTL: return sizeof(struct _io_devctl);
	case _IO_CLOSE:  return sizeof(struct _io_close);
	case _IO_DUP:    return sizeof(struct _io_dup);
	case _IO_CHMOD:  return sizeof(struct _io_chmod);
	case _IO_CHOWN:  return sizeof(struct _io_chown);
	case _IO_UTIME:  return sizeof(struct _io_utime);
	case _IO_SPACE:  return sizeof(struct _io_space);
	case _IO_MMAP:   return sizeof(struct _io_mmap);
	case _IO_SYNC:   return sizeof(struct _io_sync);
	case _IO_FDINFO: return sizeof(struct _io_fdinfo);
	case _IO_NOTIFY: return sizeof(struct _io_notify);
	case _IO_PREAD:
	case _IO_PWRITE: return sizeof(struct _io_pread);
	default:         return 0;
	}
}

/* A write's or devctl's data must be in the `have` bytes the client sent
 * for this message (compared without adding to nbytes, which a client may
 * set near 2^64). */
static bool data_fits(const resmgr_context_t *ctp, unsigned type, uint64_t have)
{
	if (type == _IO_WRITE)
		return have >= sizeof(struct _io_write) &&
		       ((const struct _io_write *)(const void *)ctp->msg.raw)->nbytes <=
		       have - sizeof(struct _io_write);
	if (type == _IO_PWRITE)
		return have >= sizeof(struct _io_pwrite) &&
		       ((const struct _io_pwrite *)(const void *)ctp->msg.raw)->nbytes <=
		       have - sizeof(struct _io_pwrite);
	if (type == _IO_DEVCTL)
		return have >= sizeof(struct _io_devctl) &&
		       ((const struct _io_devctl *)(const void *)ctp->msg.raw)->nbytes <=
		       have - sizeof(struct _io_devctl);
	return true;
}

#define CALL(fn, dflt, type) do { \
	r = m->io.fn ? m->io.fn(ctp, (const type *)(const void *)ctp->msg.raw, ocb) : RESMGR_DEFAULT; \
	if (r == RESMGR_DEFAULT) \
		r = dflt(ctp, (const type *)(const void *)ctp->msg.raw, ocb); \
} while (0)

static int io_call(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb, uint64_t have);

/* pread and pwrite: the request becomes a plain read or write (the body
 * rewritten in place, pwrite's data moved up to where a write's starts,
 * what lies past the buffer reached through msgread_skew) run at the given
 * offset with O_APPEND off; the open's offset and flags are put back. */
static int __attribute__((noinline)) positioned(resmgr_t *m, resmgr_context_t *ctp,
						iofunc_ocb_t *ocb, uint64_t have)
{
	const struct _io_pread *p = (const struct _io_pread *)(const void *)ctp->msg.raw;
	uint32_t ft = ocb->attr->mode & S_IFMT;
	size_t skew = sizeof(struct _io_pread) - sizeof(struct _io_write);

	if (ft == S_IFIFO || ft == S_IFCHR || ft == S_IFSOCK)
		return ESPIPE;
	if (p->offset < 0)
		return EINVAL;
	int64_t offset = p->offset, was = ocb->offset;
	uint32_t flags = ocb->ioflag;
	struct _io_write w = { .hdr = { .type = p->hdr.type == _IO_PREAD ? _IO_READ : _IO_WRITE },
			       .nbytes = p->nbytes };
	memmove(ctp->msg.raw + sizeof w, ctp->msg.raw + sizeof *p, ctp->msglen - sizeof *p);
	memcpy(ctp->msg.raw, &w, sizeof w);
	ctp->msglen -= skew;
	ctp->msgread_skew = skew;
	ocb->offset = offset;
	ocb->ioflag &= ~(uint32_t)O_APPEND;
	int r = io_call(m, ctp, ocb, have - skew);
	ocb->offset = was;
	ocb->ioflag = flags;
	ctp->msgread_skew = 0;
	return r;
}

/* Whether ctp's message (of `type`, `have` bytes of it the client's) is
 * an I/O message a handler may take: 0, or the error to answer. */
static int io_checked(const resmgr_context_t *ctp, unsigned type, uint64_t have)
{
	size_t need = body_size(type);

	if (!need || type == _IO_DUP || type == _IO_CLOSE)
		return ENOSYS;
	if (ctp->msglen < need || !data_fits(ctp, type, have))
		return EINVAL;
	return 0;
}

static int io_call_checked(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
			   uint64_t have);

/* The I/O message at the front of ctp's buffer on ocb; `have` bytes of it
 * are the client's (its whole message, or a combine's extra). */
static int io_call(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb, uint64_t have)
{
	int r = io_checked(ctp, ctp->msg.hdr.type, have);

	return r ? r : io_call_checked(m, ctp, ocb, have);
}

/* io_call for a message io_checked has passed. */
static int io_call_checked(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
			   uint64_t have)
{
	unsigned type = ctp->msg.hdr.type;
	int r;

	if (type == _IO_PREAD || type == _IO_PWRITE)
		return positioned(m, ctp, ocb, have);
	switch (type) {
	case _IO_READ:   CALL(read, iofunc_read_default, struct _io_read); break;
	case _IO_WRITE:  CALL(write, iofunc_write_default, struct _io_write); break;
	case _IO_LSEEK:  CALL(lseek, iofunc_lseek_default, struct _io_lseek); break;
	case _IO_STAT:   CALL(stat, iofunc_stat_default, struct _io_stat); break;
	case _IO_CHMOD:  CALL(chmod, iofunc_chmod_default, struct _io_chmod); break;
	case _IO_CHOWN:  CALL(chown, iofunc_chown_default, struct _io_chown); break;
	case _IO_UTIME:  CALL(utime, iofunc_utime_default, struct _io_utime); break;
	case _IO_SPACE:  CALL(space, iofunc_space_default, struct _io_space); break;
	case _IO_SYNC:   CALL(sync, iofunc_sync_default, struct _io_sync); break;
	case _IO_FDINFO: CALL(fdinfo, iofunc_fdinfo_default, struct _io_fdinfo); break;
	case _IO_NOTIFY: CALL(notify, iofunc_notify_default, struct _io_notify); break;
	case _IO_MMAP:   CALL(mmap, iofunc_mmap_default, struct _io_mmap); break;
	default:         CALL(devctl, iofunc_devctl_default, struct _io_devctl); break;
	}
	return r;
}

/* A concurrent manager's I/O handler is done with ocb: the last one
 * closes an open whose connections all went meanwhile, and answers the
 * close that is waiting for that. */
static void io_done(resmgr_t *m, resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	int closer = 0;

	pthread_mutex_lock(&m->lock);
	bool last = --ocb->busy == 0 && ocb->refs == 0;
	if (last)
		closer = ocb->close_rcvid;
	pthread_mutex_unlock(&m->lock);
	if (!last)
		return;
	close_ocb(m, ctp, ocb);
	if (closer)
		MsgReply_r(closer, 0, NULL, 0);
}

static int do_io(resmgr_t *m, resmgr_context_t *ctp)
{
	unsigned type = ctp->msg.hdr.type;
	size_t need = body_size(type);

	if (!need)
		return ENOSYS;
	if (ctp->msglen < need || !data_fits(ctp, type, (uint64_t)ctp->info.srcmsglen))
		return EINVAL;
	if (type == _IO_DUP)
		return do_dup(m, ctp);
	if (type == _IO_CLOSE)
		return do_close(m, ctp);
	/* (io_checked's tests, passed: the message is checked) */
	pthread_mutex_lock(&m->lock);
	struct binding *b = find(m, ctp->info.scoid, ctp->info.coid);
	iofunc_ocb_t *ocb = b ? b->ocb : NULL;
	if (ocb && m->concurrent)
		ocb->busy++;                    /* a close meanwhile leaves it to us */
	pthread_mutex_unlock(&m->lock);
	if (!ocb)
		return EBADF;
	int r = locked_io_call(m, ctp, ocb, (uint64_t)ctp->info.srcmsglen, true);
	if (m->concurrent)
		io_done(m, ctp, ocb);
	return r;
}

/* The client whose last connection went has its opens closed. */
/* The kernel's DISCONNECT: the client's last connection to us went.  It
 * is queued, so the client may have connected again before it is handled
 * (close the last pipe, make a new one): a client the kernel still reports
 * connected keeps its bindings, which are all new (closes unbind at once). */
/* Whether the kernel reports scoid connected: asked under m->lock, which
 * every bind takes.  A client connects before it sends an open, so an open
 * bound by another serving thread (resmgr_concurrent) is either seen here,
 * its client connected, or comes after the unbinding; asked outside the
 * lock, a new open bound between the question and the unbinding was taken
 * for the gone client's and dropped (its next write: EBADF). */
static bool client_connected(const resmgr_t *m, int32_t scoid)
{
	/* To this channel: a server process of several channels (devnull's
	 * five) hears DISCONNECT per channel, and a client's connection to
	 * another of them kept the binding here for good. */
	return ConnectClientOf_r(scoid, m->chid) == 0;
}

static void client_gone(resmgr_t *m, resmgr_context_t *ctp)
{
	int32_t scoid = ctp->msg.pulse.scoid;

	pthread_mutex_lock(&m->lock);
	bool back = client_connected(m, scoid);
	for (unsigned i = 0; !back && i < m->nb;) {
		if (m->b[i].scoid != scoid) {
			i++;
			continue;
		}
		iofunc_ocb_t *gone = unbind(m, i, 0);
		if (gone) {             /* closed without m->lock: the table may change */
			pthread_mutex_unlock(&m->lock);
			close_ocb(m, ctp, gone);
			pthread_mutex_lock(&m->lock);
			back = client_connected(m, scoid);
			i = 0;
		}
	}
	pthread_mutex_unlock(&m->lock);
}

/* A pulse: the kernel's disconnect and unblock notices, and the server's
 * own (user codes).  Every one runs under the handler lock: closing an
 * open, answering a parked request and a server pulse are handler work. */
static void __attribute__((noinline)) do_pulse(resmgr_t *m, resmgr_context_t *ctp)
{
	const struct _pulse *p = &ctp->msg.pulse;

	if (ctp->msglen < sizeof(struct _pulse))
		return;
	pthread_mutex_lock(&m->handler_lock);
	if (p->code == _PULSE_CODE_DISCONNECT)
		client_gone(m, ctp);
	else if (p->code == _PULSE_CODE_UNBLOCK && m->io.unblock)
		m->io.unblock(ctp, p->value.sival_int);
	else if (p->code >= _PULSE_CODE_MINAVAIL && m->io.pulse)
		m->io.pulse(ctp, p->code, p->value);
	pthread_mutex_unlock(&m->handler_lock);
}

void resmgr_lock(resmgr_t *m)
{
	pthread_mutex_lock(&m->handler_lock);
}

void resmgr_unlock(resmgr_t *m)
{
	pthread_mutex_unlock(&m->handler_lock);
}

int resmgr_self_coid(resmgr_t *m)
{
	pthread_mutex_lock(&m->lock);
	if (m->self_coid < 0)
		m->self_coid = ConnectAttach(0, 0, m->chid, _NTO_SIDE_CHANNEL, 0);
	int coid = m->self_coid;
	pthread_mutex_unlock(&m->lock);
	return coid;
}

void resmgr_handle(resmgr_t *m, resmgr_context_t *ctp)
{
	ctp->mgr = m;
	if (ctp->rcvid == 0) {
		do_pulse(m, ctp);
		return;
	}
	if (ctp->msglen < sizeof(struct _io_hdr)) {
		finish(ctp, EINVAL);
		return;
	}
	if (!m->concurrent)
		pthread_mutex_lock(&m->handler_lock);
	int r = ctp->msg.hdr.type == _IO_CONNECT ? do_connect(m, ctp) : do_io(m, ctp);
	if (!m->concurrent)
		pthread_mutex_unlock(&m->handler_lock);
	finish(ctp, r);
}

void resmgr_concurrent(resmgr_t *m)
{
	m->concurrent = true;
}

static void *pool_thread(void *arg)
{
	resmgr_loop(arg);
	return NULL;
}

int resmgr_pool_start(resmgr_t *m, unsigned nthreads)
{
	pthread_attr_t a;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (unsigned i = 0; i < nthreads; i++) {
		pthread_t t;
		int r = pthread_create(&t, &a, pool_thread, m);
		if (r) {
			errno = r;
			return -1;
		}
	}
	return 0;
}

/* The next message, and the reply to the last one if the handler left it
 * to the loop: one MsgReplyReceives.  A reply that fails (ESRCH: the
 * client went away meanwhile; EFAULT: its reply buffers are bad) receives
 * nothing, and the client's trouble is not the server's: receive now. */
static int next_message(resmgr_t *m, resmgr_context_t *ctp)
{
	if (ctp->reply_pending && !(ctp->reply_len >> 32)) {
		ctp->reply_pending = 0;
		int rcvid = MsgReplyReceives_r(_MSG_RR_IDS(ctp->rcvid, m->chid), ctp->reply_status,
					       ctp->reply, _MSG_RR_PARTS(ctp->reply_len,
									 sizeof ctp->msg.raw),
					       ctp->msg.raw, &ctp->info);
		if (rcvid != -ESRCH && rcvid != -EFAULT)
			return rcvid;
	} else if (ctp->reply_pending) {        /* a reply of 4 GiB or more: by itself */
		ctp->reply_pending = 0;
		MsgReply_r(ctp->rcvid, ctp->reply_status, ctp->reply, ctp->reply_len);
	}
	return MsgReceive_r(m->chid, ctp->msg.raw, sizeof ctp->msg.raw, &ctp->info);
}

int resmgr_loop(resmgr_t *m)
{
	resmgr_context_t *ctp = malloc(sizeof *ctp);

	if (!ctp)
		return -1;
	ctp->reply_pending = 0;
	while (!m->stop) {
		ctp->defer = 0;
		int rcvid = next_message(m, ctp);
		if (rcvid < 0) {
			if (rcvid == -EINTR || rcvid == -ETIMEDOUT)
				continue;
			free(ctp);
			errno = -rcvid;
			return -1;
		}
		ctp->rcvid = rcvid;
		ctp->msglen = rcvid == 0 ? sizeof(struct _pulse) : (size_t)ctp->info.msglen;
		ctp->msgread_skew = 0;
		ctp->defer = rcvid > 0;
		resmgr_handle(m, ctp);
		ctp->defer = 0;
	}
	if (ctp->reply_pending)
		MsgReply_r(ctp->rcvid, ctp->reply_status, ctp->reply, ctp->reply_len);
	free(ctp);
	return 0;
}

void resmgr_stop(resmgr_t *m)
{
	m->stop = 1;
}
