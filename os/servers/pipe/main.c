/* pipe: POSIX pipes (<keel/pipemsg.h> says how libc opens both ends).
 *   - A write of at most PIPE_BUF bytes goes in whole or waits; a longer
 *     one may go in parts, the writer waiting for room in between.
 *   - No reader left: the write fails EPIPE and the writer gets SIGPIPE.
 *   - No writer left and nothing buffered: a read returns 0 (end of file).
 *   - O_NONBLOCK: EAGAIN instead of waiting.  FIONREAD: bytes buffered.
 *   - poll/select (_IO_NOTIFY): a reader is ready with data (POLLIN) and
 *     hung up with no writer left (POLLHUP); a writer is ready with room
 *     for an atomic write (POLLOUT), in error with no reader (POLLERR).
 *   - FIFOs (mkfifo): "fifo/<dev>.<ino>" names the pipe of a file
 *     system's S_IFIFO node; its opens wait for the other end (O_NONBLOCK:
 *     a reader goes on at once, a writer with no reader is ENXIO).
 *   - A waiting reader or writer that gets a signal is answered EINTR (the
 *     channel asks for unblock pulses); one that dies is dropped when its
 *     open closes; data is taken from the buffer only once the reply that
 *     carries it went through, so a dead reader loses nothing.
 *   - A FIFO's name here opens only what a file system granted: its
 *     permission check is the only one (<keel/pipemsg.h>).
 * All state is under the resmgr handler lock (one handler at a time). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <time.h>
#include <keel/neutrino.h>
#include <keel/pipemsg.h>
#include <keel/procmsg.h>

#define PIPE_SIZE 8192u
#define PIPES_MAX 1024

_Static_assert(PIPE_SIZE >= PIPE_BUF, "an atomic write must fit");

struct pipe {
	int id;
	bool fifo;                      /* named by a file system node: */
	uint64_t dev, ino;              /* ... this one */
	unsigned readers, writers;      /* opens of each end, those still waiting included */
	int32_t maker;                  /* pid that made it (pipe(): its read end's open) */
	bool named;                     /* its write end was opened by number (pipe()) */
	resmgr_waitq_t oq;              /* FIFO opens waiting for the other end (flags: end) */
	uint32_t head, count;
	resmgr_waitq_t rq, wq;
	resmgr_notifyq_t rpoll, wpoll;  /* poll arms of the read and the write end */
	uint8_t buf[PIPE_SIZE];
};

static struct pipe *pipes[PIPES_MAX];
static iofunc_attr_t attr;

static struct pipe *pipe_of(const iofunc_ocb_t *ocb)
{
	return ocb->data;
}

/* ---- readiness (poll, select) --------------------------------------------------- */

static uint32_t reader_ready(const struct pipe *p)
{
	return (p->count ? _NOTIFY_IN | _NOTIFY_RDNORM : 0) | (p->writers ? 0 : _NOTIFY_HUP);
}

static uint32_t writer_ready(const struct pipe *p)
{
	if (!p->readers)
		return _NOTIFY_ERR;
	return PIPE_SIZE - p->count >= PIPE_BUF ? _NOTIFY_OUT | _NOTIFY_WRNORM : 0;
}

/* After anything that changed the data or the ends. */
static void poll_wake(struct pipe *p)
{
	if (p->rpoll.head)
		resmgr_notify_ready(&p->rpoll, NULL, reader_ready(p));
	if (p->wpoll.head)
		resmgr_notify_ready(&p->wpoll, NULL, writer_ready(p));
}

static int pipe_notify(resmgr_context_t *ctp, const struct _io_notify *msg, iofunc_ocb_t *ocb)
{
	struct pipe *p = ocb->data;

	if (!p)
		return EBADF;
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return resmgr_notify_reply(&p->rpoll, ctp, msg, ocb, reader_ready(p));
	return resmgr_notify_reply(&p->wpoll, ctp, msg, ocb, writer_ready(p));
}

/* ---- reads ----------------------------------------------------------------- */

/* Replies up to nbytes of p's data to rcvid; takes them only if the reply
 * went through.  Returns the bytes taken. */
static uint32_t give(struct pipe *p, int rcvid, uint64_t nbytes)
{
	uint32_t n = nbytes < p->count ? (uint32_t)nbytes : p->count;
	uint32_t first = n < PIPE_SIZE - p->head ? n : PIPE_SIZE - p->head;
	iov_t iov[2];

	SETIOV(&iov[0], p->buf + p->head, first);
	SETIOV(&iov[1], p->buf, n - first);
	if (MsgReplyv_r(rcvid, n, iov, 2) < 0)
		return 0;
	p->head = (p->head + n) % PIPE_SIZE;
	p->count -= n;
	return n;
}

static void serve_writers(struct pipe *p);

static void serve_readers(struct pipe *p)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&p->rq)) && (p->count || !p->writers)) {
		if (p->count)
			give(p, w->rcvid, w->nbytes);
		else
			MsgReply_r(w->rcvid, 0, NULL, 0);
		resmgr_waitq_remove(&p->rq, w);
	}
}

static int do_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	struct pipe *p = pipe_of(ocb);

	if (!p || (ocb->ioflag & O_ACCMODE) != O_RDONLY)
		return EBADF;
	if (msg->nbytes == 0)
		return resmgr_reply(ctp, 0, NULL, 0);
	if (p->count && !resmgr_waitq_first(&p->rq)) {
		give(p, ctp->rcvid, msg->nbytes);
		serve_writers(p);
		return RESMGR_DONE;
	}
	if (!p->writers && !p->count)
		return resmgr_reply(ctp, 0, NULL, 0);
	if (ocb->ioflag & O_NONBLOCK)
		return EAGAIN;
	return resmgr_waitq_park(&p->rq, ctp, ocb, _IO_READ, msg->nbytes);
}

/* ---- writes ------------------------------------------------------------------ */

/* Copies what it may of write w into p: all of it or nothing for an atomic
 * write, else as much as fits.  Returns false when the client is gone. */
static bool take(struct pipe *p, int rcvid, uint64_t nbytes, uint64_t *done)
{
	uint64_t left = nbytes - *done;
	uint32_t room = PIPE_SIZE - p->count;

	if (nbytes <= PIPE_BUF && left > room)
		return true;
	uint32_t n = left < room ? (uint32_t)left : room;
	while (n) {
		uint32_t tail = (p->head + p->count) % PIPE_SIZE;
		uint32_t part = n < PIPE_SIZE - tail ? n : PIPE_SIZE - tail;
		long got = MsgRead_r(rcvid, p->buf + tail, part, sizeof(struct _io_write) + *done);
		if (got != (long)part)
			return false;
		p->count += part;
		*done += part;
		n -= part;
	}
	return true;
}

/* Answers the write EPIPE, then sends SIGPIPE: in that order, since a
 * signal to a client still waiting for this reply makes the kernel ask for
 * an unblock, which another server thread would answer EINTR first. */
static void broken_pipe(int rcvid, int32_t pid)
{
	MsgError_r(rcvid, EPIPE);
	kill(pid, SIGPIPE);
}

static void serve_writers(struct pipe *p)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&p->wq))) {
		if (!p->readers) {
			broken_pipe(w->rcvid, w->pid);
		} else {
			uint64_t before = w->done;
			if (take(p, w->rcvid, w->nbytes, &w->done) && w->done < w->nbytes) {
				if (w->done != before)
					serve_readers(p);
				return;
			}
			MsgReply_r(w->rcvid, (long)w->done, NULL, 0);
		}
		resmgr_waitq_remove(&p->wq, w);
	}
	serve_readers(p);
}

static int do_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	struct pipe *p = pipe_of(ocb);
	uint64_t done = 0;

	if (!p || (ocb->ioflag & O_ACCMODE) != O_WRONLY)
		return EBADF;
	if (!p->readers) {
		broken_pipe(ctp->rcvid, ctp->info.pid);
		return RESMGR_DONE;
	}
	if (!resmgr_waitq_first(&p->wq)) {
		if (!take(p, ctp->rcvid, msg->nbytes, &done))
			return EFAULT;
		serve_readers(p);
		if (done == msg->nbytes)
			return resmgr_reply(ctp, (long)done, NULL, 0);
	}
	if (ocb->ioflag & O_NONBLOCK)
		return done ? resmgr_reply(ctp, (long)done, NULL, 0) : EAGAIN;
	return resmgr_waitq_park_write(&p->wq, ctp, ocb, msg->nbytes, done);
}

static int pipe_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	int r = do_read(ctp, msg, ocb);

	if (ocb->data)
		poll_wake(ocb->data);           /* room for the writers */
	return r;
}

static int pipe_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	int r = do_write(ctp, msg, ocb);

	if (ocb->data)
		poll_wake(ocb->data);           /* data for the readers */
	return r;
}

/* ---- opens, closes, devctl, unblock ----------------------------------------------- */

static struct pipe *new_pipe(void)
{
	for (int i = 0; i < PIPES_MAX; i++) {
		if (pipes[i])
			continue;
		pipes[i] = calloc(1, sizeof *pipes[i]);
		if (pipes[i])
			pipes[i]->id = i;
		return pipes[i];
	}
	return NULL;
}

static struct pipe *numbered_pipe(const char *path)
{
	char *end;
	long id = strtol(path, &end, 10);

	if (*end || end == path || id < 0 || id >= PIPES_MAX)
		return NULL;
	return pipes[id];
}

/* "<dev>.<ino>", both decimal: true with them set. */
static bool fifo_name(const char *name, uint64_t *dev, uint64_t *ino)
{
	char *end;

	if (*name < '0' || *name > '9')
		return false;
	*dev = strtoull(name, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return false;
	*ino = strtoull(end + 1, &end, 10);
	return *end == 0;
}

/* Opens of FIFOs the file systems granted and no one has made yet: a
 * full table drops its oldest (that open fails EACCES and may be tried
 * again). */
#define GRANTS_MAX 256

static struct grant {
	struct pipe_fifo_grant g;
	uint64_t at;                    /* CLOCK_MONOTONIC ns; 0: a free slot */
} grants[GRANTS_MAX];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + 1;
}

static int fifo_grant(resmgr_context_t *ctp, const struct _io_devctl *msg)
{
	struct pipe_fifo_grant g;
	struct _client_info ci;
	int r;

	if ((r = resmgr_devctl_in(ctp, msg, &g, sizeof g)))
		return r;
	if ((r = iofunc_client_info(ctp, &ci)))
		return r;
	if (ci.cred.euid != 0)
		return EPERM;                   /* file systems run as root */
	if (g.pid <= 0 || (g.mode != O_RDONLY && g.mode != O_WRONLY))
		return EINVAL;
	struct grant *slot = &grants[0];
	for (int i = 0; i < GRANTS_MAX; i++) {
		if (!grants[i].at) {
			slot = &grants[i];
			break;
		}
		if (grants[i].at < slot->at)
			slot = &grants[i];
	}
	slot->g = g;
	slot->at = now_ns();
	return resmgr_reply(ctp, 0, NULL, 0);
}

/* Uses up a grant of this open (client pid, end, node) made in time. */
static bool fifo_granted(int32_t pid, unsigned mode, uint64_t dev, uint64_t ino)
{
	uint64_t now = now_ns();

	for (int i = 0; i < GRANTS_MAX; i++) {
		struct grant *e = &grants[i];
		if (!e->at)
			continue;
		if (now - e->at > PIPE_FIFO_GRANT_NS) {
			e->at = 0;              /* never followed */
			continue;
		}
		if (e->g.pid == pid && e->g.mode == mode && e->g.dev == dev && e->g.ino == ino) {
			e->at = 0;
			return true;
		}
	}
	return false;
}

/* The pipe of FIFO dev/ino, made when it has none: NULL when out of pipes. */
static struct pipe *fifo_pipe(uint64_t dev, uint64_t ino)
{
	for (int i = 0; i < PIPES_MAX; i++)
		if (pipes[i] && pipes[i]->fifo && pipes[i]->dev == dev && pipes[i]->ino == ino)
			return pipes[i];
	struct pipe *p = new_pipe();
	if (p) {
		p->fifo = true;
		p->dev = dev;
		p->ino = ino;
	}
	return p;
}

/* Frees p once nothing has it open. */
static void pipe_gc(struct pipe *p)
{
	if (!p->readers && !p->writers) {
		pipes[p->id] = NULL;
		free(p);
	}
}

/* Opens an end of p for the client (the one its ioflag names): 0 or an
 * errno. */
static int open_end(resmgr_context_t *ctp, const struct _io_connect *msg, iofunc_attr_t *a,
		    iofunc_ocb_t **ocb, struct pipe *p)
{
	struct _io_connect m = *msg;
	int r = iofunc_open_default(ctp, &m, "", a, ocb);

	if (r)
		return r;
	(*ocb)->data = p;
	/* Counted as pipe_close will count it: by the open's own ioflag (a
	 * combine message's open is a reader whatever the client asked, and
	 * counted as a writer it once took a reader away at its close). */
	if (((*ocb)->ioflag & O_ACCMODE) == O_RDONLY)
		p->readers++;
	else
		p->writers++;
	return 0;
}

/* Answers the FIFO opens waiting on p for end `mode` (the other end came). */
static void release_opens(struct pipe *p, unsigned mode)
{
	resmgr_waiter_t *w = p->oq.head;

	while (w) {
		resmgr_waiter_t *next = w->next;
		if (w->flags == mode) {
			resmgr_open_reply(w->rcvid);
			resmgr_waitq_remove(&p->oq, w);
		}
		w = next;
	}
}

static int pipe_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb);

/* An open of FIFO p (POSIX.1-2017 open, "O_NONBLOCK" for a FIFO): the end
 * counts at once, so a waiting reader lets a writer through; each end waits
 * (parked, RESMGR_DONE with *ocb set) until the other is open. */
static int fifo_open(resmgr_context_t *ctp, const struct _io_connect *msg, iofunc_attr_t *a,
		     iofunc_ocb_t **ocb, struct pipe *p, unsigned mode)
{
	bool nonblock = msg->ioflag & O_NONBLOCK;
	int r;

	if (msg->subtype != _IO_CONNECT_OPEN)
		r = ENOSYS;                     /* a combine would wait, then close */
	else if (mode == O_WRONLY && !p->readers && nonblock)
		r = ENXIO;
	else
		r = open_end(ctp, msg, a, ocb, p);
	if (r) {
		pipe_gc(p);
		return r;
	}
	release_opens(p, mode == O_RDONLY ? O_WRONLY : O_RDONLY);
	poll_wake(p);
	if ((mode == O_RDONLY ? p->writers : p->readers) || nonblock)
		return 0;
	r = resmgr_waitq_park(&p->oq, ctp, *ocb, _IO_CONNECT, 0);
	if (r != RESMGR_DONE) {
		pipe_close(ctp, *ocb);
		*ocb = NULL;
		return r;
	}
	for (resmgr_waiter_t *w = p->oq.head; w; w = w->next)
		if (!w->next)
			w->flags = mode;
	return RESMGR_DONE;
}

static int pipe_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_attr_t *a, iofunc_ocb_t **ocb)
{
	unsigned mode = msg->ioflag & O_ACCMODE;

	uint64_t dev, ino;

	if (mode == O_RDWR || mode == O_ACCMODE)
		return EINVAL;                  /* one end per open */
	if (!strncmp(path, "fifo/", 5)) {
		if (!fifo_name(path + 5, &dev, &ino))
			return ENOENT;
		if (msg->subtype != _IO_CONNECT_OPEN ||
		    !fifo_granted(ctp->info.pid, mode, dev, ino))
			return EACCES;
		struct pipe *p = fifo_pipe(dev, ino);
		return p ? fifo_open(ctp, msg, a, ocb, p, mode) : ENFILE;
	}
	struct pipe *p = *path ? numbered_pipe(path) : (mode == O_RDONLY ? new_pipe() : NULL);
	if (!p)
		return *path ? ENOENT : (mode == O_RDONLY ? ENFILE : EINVAL);
	/* The number is pipe()'s way to its write end, once, for the process
	 * that made the pipe: anyone else's open by number (pipe numbers are
	 * small and easy to guess) would read another user's pipe, or write
	 * into it. */
	if (*path && (p->fifo || p->named || p->maker != ctp->info.pid || mode != O_WRONLY ||
		      msg->subtype != _IO_CONNECT_OPEN))
		return EACCES;
	int r = open_end(ctp, msg, a, ocb, p);
	if (r) {
		pipe_gc(p);                     /* a pipe made for this open goes */
		return r;
	}
	if (*path)
		p->named = true;
	else
		p->maker = ctp->info.pid;
	return 0;
}

static int pipe_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	struct pipe *p = pipe_of(ocb);

	resmgr_waitq_drop(&p->rq, ocb);
	resmgr_waitq_drop(&p->wq, ocb);
	resmgr_notify_drop(&p->rpoll, ocb);
	resmgr_notify_drop(&p->wpoll, ocb);
	resmgr_waitq_drop(&p->oq, ocb);
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		p->readers--;
	else
		p->writers--;
	serve_writers(p);                       /* EPIPE if that was the last reader */
	serve_readers(p);                       /* end of file if the last writer */
	poll_wake(p);                           /* hang-up, or no reader */
	pipe_gc(p);
	return iofunc_close_ocb_default(ctp, ocb);
}

static int pipe_devctl(resmgr_context_t *ctp, const struct _io_devctl *msg, iofunc_ocb_t *ocb)
{
	struct pipe *p = pipe_of(ocb);
	struct { struct _io_devctl_reply r; int32_t v; } rep = { { 0, sizeof(int32_t) }, 0 };

	if (msg->dcmd == _DCMD_FIONREAD)
		rep.v = (int32_t)p->count;
	else if (msg->dcmd == _DCMD_PIPE_ID)
		rep.v = p->id;
	else if (msg->dcmd == _DCMD_PIPE_FIFO_GRANT)
		return fifo_grant(ctp, msg);
	else
		return ENOTTY;
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

static int pipe_stat(resmgr_context_t *ctp, const struct _io_stat *msg, iofunc_ocb_t *ocb)
{
	const struct pipe *p = pipe_of(ocb);
	struct _io_stat_reply st = { .ino = (uint64_t)p->id + 1, .mode = S_IFIFO | 0600,
				     .nlink = 1, .size = p->count, .blksize = PIPE_BUF };

	(void)msg;
	if (p->fifo) {                          /* as stat(2) of its name says */
		st.dev = p->dev;
		st.ino = p->ino;
	}
	return resmgr_reply(ctp, 0, &st, sizeof st);
}

/* A pipe has no file offset: lseek is ESPIPE (POSIX), never the default
 * handler's success, which told readers such as grep that they could seek
 * back over what they had already consumed. */
static int pipe_lseek(resmgr_context_t *ctp, const struct _io_lseek *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)msg;
	(void)ocb;
	return ESPIPE;
}

/* A FIFO open interrupted by a signal: its open is unbound and closed
 * first (the end no longer counts), then answered EINTR.  True if rcvid's
 * was on p (which may be gone then). */
static bool open_unblock(resmgr_context_t *ctp, struct pipe *p, int rcvid)
{
	for (resmgr_waiter_t *w = p->oq.head; w; w = w->next) {
		if (w->rcvid != rcvid)
			continue;
		struct _msg_info info;
		if (MsgInfo_r(rcvid, &info) == 0 && !(info.flags & _NTO_MI_UNBLOCK_REQ))
			return false;
		resmgr_open_cancel(ctp->mgr, ctp, w->ocb);      /* drops w, maybe p */
		MsgError_r(rcvid, EINTR);
		return true;
	}
	return false;
}

static int pipe_unblock(resmgr_context_t *ctp, int rcvid)
{
	for (int i = 0; i < PIPES_MAX; i++)
		if (pipes[i] && (resmgr_waitq_unblock(&pipes[i]->rq, rcvid, EINTR) ||
				 resmgr_waitq_unblock(&pipes[i]->wq, rcvid, EINTR) ||
				 open_unblock(ctp, pipes[i], rcvid)))
			return 0;
	return 0;
}

int main(void)
{
	static const resmgr_connect_funcs_t conn = { .open = pipe_open };
	static const resmgr_io_funcs_t io = {
		.read = pipe_read, .write = pipe_write, .devctl = pipe_devctl, .stat = pipe_stat,
		.lseek = pipe_lseek, .close_ocb = pipe_close, .unblock = pipe_unblock,
		.notify = pipe_notify,
	};
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *m;

	iofunc_attr_init(&attr, S_IFIFO | 0666);
	m = chid >= 0 ? resmgr_create(chid, &conn, &io, &attr) : NULL;
	if (!m || resmgr_attach(m, PIPE_SERVER_PATH, _FTYPE_PIPE, _PROC_PATH_DIR) < 0 ||
	    resmgr_pool_start(m, 1) < 0) {
		fprintf(stderr, "pipe: cannot serve %s: %s\n", PIPE_SERVER_PATH, strerror(errno));
		return 1;
	}
	return resmgr_loop(m) < 0 ? 1 : 0;
}
