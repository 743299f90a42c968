/* devc-pty: pseudo-terminals.  A pair is a terminal (the slave,
 * /dev/pts/N) whose "device" is another open (the master): what the
 * master writes is the terminal's input, what programs write on the slave
 * is what the master reads.  The slave has the line discipline of every
 * Keel terminal (termdisc.h), so tests and programs can drive a terminal
 * without a UART.
 *
 *   /dev/ptmx     each open makes a new pair and is its master; the
 *                 slave starts locked (posix_openpt, grantpt, unlockpt,
 *                 ptsname: the master's devctls _DCMD_PTY_*);
 *   /dev/pts      the slaves by number, and a directory listing them;
 *   /dev/ptypX    named pairs, X = 0-9a-f (-n N of them, 4 unless told;
 *   /dev/ttypX    16 at most): always there, the slave unlocked and owned
 *                 by root, group tty, mode 0620, so init can keep a getty
 *                 on it (/etc/ttys).  Opening the master connects to
 *                 whatever holds the slave (the getty's prompt is waiting
 *                 in the output); one master at a time (EBUSY), and none
 *                 while the slave's last session has not yet closed after
 *                 a hang-up.  When both sides are closed the pair is made
 *                 new (settings, owner, queues), not freed.
 *
 * Flow: the master's writes go byte by byte into the line discipline
 * (echo comes back to the master); a write waits while the input queue is
 * full and a reader could empty it.  The slave's output (processed:
 * OPOST) waits in a ring of OUT_RING bytes until the master reads it; a
 * slave write waits for room.  Echo meeting a full ring is lost (counted).
 *
 * Hang-up: when the master closes, the slave's foreground process group
 * gets SIGHUP and SIGCONT, its reads return end of file and its writes
 * EIO.  While no slave is open (after one was), the master reads what is
 * left and then EIO, as on the systems programs were written for.  A pair
 * ends when both sides are closed.
 *
 * Locks: one manager; every handler and pulse runs under its handler lock,
 * which guards all pairs.  Each pair has a timer for VTIME whose pulse
 * carries the pair's number. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>
#include "termdisc.h"
#include "ttyctl.h"

#define PTY_MAX     64u         /* /dev/pts/N, made on demand */
#define NAMED_MAX   16u         /* /dev/ptypX: srv.ptys[PTY_MAX + X] */
#define OUT_RING    8192u
#define IO_STEP     512u        /* client bytes handled at a time */
#define TTY_GID     5           /* the group of a granted slave (/etc/group: tty) */

enum { H_PTMX = 1, H_PTS = 2, H_NAMED_MASTER = 0x100, H_NAMED_SLAVE = 0x200 };
enum { PULSE_TIMER = 1 };

struct pty {
	unsigned n;                     /* srv.ptys[n]: /dev/pts/n or /dev/ttyp(n - PTY_MAX) */
	bool named;                     /* /dev/ptypX: never freed, made new */
	bool locked, master_open, slave_seen, hung;
	unsigned slave_opens;
	struct tty_timer vtime;         /* VTIME of the oldest parked slave read */
	iofunc_attr_t mattr, sattr;     /* master and slave; data points here */
	struct termdisc td;
	struct winsize ws;
	int32_t pgrp;                   /* foreground process group, 0: none */
	int32_t sid;                    /* the session whose controlling terminal it is, 0 */
	resmgr_waitq_t mreaders, mwriters, sreaders, swriters;
	resmgr_notifyq_t mpolls, spolls; /* poll arms on each side */
	uint32_t out_head, out_count;
	uint64_t echo_lost;
	uint8_t out[OUT_RING];          /* slave output the master has not read */
};

static struct {
	resmgr_t *mgr;
	int coid;
	iofunc_attr_t dir;              /* /dev/pts */
	iofunc_attr_t ptmx;             /* /dev/ptmx as stat sees it */
	unsigned named;                 /* named pairs served (-n) */
	struct pty *ptys[PTY_MAX + NAMED_MAX];
} srv;

/* The pair of an open (NULL: /dev/pts or /dev/ptmx themselves). */
static struct pty *pty_of(const iofunc_ocb_t *ocb)
{
	return ocb->attr->data;
}

static bool is_master(const iofunc_ocb_t *ocb)
{
	const struct pty *p = pty_of(ocb);

	return p && ocb->attr == &p->mattr;
}

/* ---- the output ring (slave to master) ------------------------------------------ */

static uint32_t out_room(const struct pty *p)
{
	return OUT_RING - p->out_count;
}

/* termdisc's output callback: processed slave writes and echo. */
static void out_put(void *ctx, const char *buf, size_t len)
{
	struct pty *p = ctx;

	for (size_t i = 0; i < len; i++) {
		if (p->out_count == OUT_RING) {
			p->echo_lost += len - i;
			return;
		}
		p->out[(p->out_head + p->out_count++) % OUT_RING] = (uint8_t)buf[i];
	}
}

static size_t out_take(struct pty *p, uint8_t *buf, size_t max)
{
	size_t n = 0;

	while (n < max && p->out_count) {
		buf[n++] = p->out[p->out_head];
		p->out_head = (p->out_head + 1) % OUT_RING;
		p->out_count--;
	}
	return n;
}

/* termdisc's signal callback: to the foreground process group. */
static void send_signal(void *ctx, int signo)
{
	struct pty *p = ctx;

	if (p->pgrp > 0)
		kill(-p->pgrp, signo);
}

/* ---- readiness -------------------------------------------------------------------- */

/* Can a master write put a byte into the input queue now?  In canonical
 * mode with no finished line, a full queue cannot be emptied by a read:
 * the byte is taken (and dropped by termdisc, counted) rather than
 * waiting forever. */
static bool input_room(const struct pty *p)
{
	const struct termdisc *td = &p->td;

	return td->count < TD_RING - 1 || ((td->t.c_lflag & ICANON) && td->ready == 0);
}

static bool slave_gone(const struct pty *p)
{
	return p->slave_seen && p->slave_opens == 0;
}

static uint32_t ready_master(const struct pty *p)
{
	return (p->out_count ? _NOTIFY_IN | _NOTIFY_RDNORM : 0) |
	       (input_room(p) ? _NOTIFY_OUT | _NOTIFY_WRNORM : 0) |
	       (slave_gone(p) ? _NOTIFY_HUP : 0);
}

static uint32_t ready_slave(const struct pty *p)
{
	if (p->hung)
		return _NOTIFY_HUP | _NOTIFY_IN | _NOTIFY_RDNORM;
	return (td_can_read(&p->td, 1) ? _NOTIFY_IN | _NOTIFY_RDNORM : 0) |
	       (out_room(p) >= OUT_RING / 2 ? _NOTIFY_OUT | _NOTIFY_WRNORM : 0);
}

static void poll_wake(struct pty *p)
{
	if (p->mpolls.head)
		resmgr_notify_ready(&p->mpolls, NULL, ready_master(p));
	if (p->spolls.head)
		resmgr_notify_ready(&p->spolls, NULL, ready_slave(p));
}

/* ---- slave reads (the line discipline's) ------------------------------------------ */

static void reply_slave_read(struct pty *p, int rcvid, uint64_t nbytes)
{
	static uint8_t buf[TD_RING];
	size_t want = nbytes < sizeof buf ? (size_t)nbytes : sizeof buf;
	size_t n = td_read(&p->td, buf, want);

	MsgReply_r(rcvid, (long)n, buf, n);
}

/* The VTIME timer follows the oldest parked slave read (devc_common.c's
 * follow_readers). */
static void follow_slave_readers(struct pty *p)
{
	unsigned t = resmgr_waitq_first(&p->sreaders) ? td_read_timeout(&p->td) : 0;

	if (t || p->vtime.deadline)
		tty_timer_arm(&p->vtime, t);
}

static void serve_slave_readers(struct pty *p)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&p->sreaders)) &&
	       (p->hung || td_can_read(&p->td, w->nbytes))) {
		reply_slave_read(p, w->rcvid, w->nbytes);
		resmgr_waitq_remove(&p->sreaders, w);
	}
	follow_slave_readers(p);
}

static int slave_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb,
		      struct pty *p)
{
	int bg = p->hung ? 0 : tty_read_access(ctp, p->sid, p->pgrp);

	if (bg)
		return bg;
	if (!resmgr_waitq_first(&p->sreaders) && (p->hung || td_can_read(&p->td, msg->nbytes))) {
		reply_slave_read(p, ctp->rcvid, msg->nbytes);
		return RESMGR_DONE;
	}
	if (ocb->ioflag & O_NONBLOCK)
		return EAGAIN;
	bool first = !resmgr_waitq_first(&p->sreaders);
	int r = resmgr_waitq_park(&p->sreaders, ctp, ocb, _IO_READ, msg->nbytes);
	if (r == RESMGR_DONE && first)
		follow_slave_readers(p);
	return r;
}

/* ---- master reads (the output ring) ----------------------------------------------- */

static void serve_slave_writers(struct pty *p);

static void reply_master_read(struct pty *p, int rcvid, uint64_t nbytes)
{
	static uint8_t buf[OUT_RING];
	size_t n = out_take(p, buf, nbytes < sizeof buf ? (size_t)nbytes : sizeof buf);

	MsgReply_r(rcvid, (long)n, buf, n);
}

static void serve_master_readers(struct pty *p)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&p->mreaders)) && (p->out_count || slave_gone(p))) {
		if (p->out_count)
			reply_master_read(p, w->rcvid, w->nbytes);
		else
			MsgError_r(w->rcvid, EIO);
		resmgr_waitq_remove(&p->mreaders, w);
	}
}

static int master_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb,
		       struct pty *p)
{
	if (p->out_count) {
		reply_master_read(p, ctp->rcvid, msg->nbytes);
		serve_slave_writers(p);
		poll_wake(p);
		return RESMGR_DONE;
	}
	if (slave_gone(p))
		return EIO;
	if (ocb->ioflag & O_NONBLOCK)
		return EAGAIN;
	return resmgr_waitq_park(&p->mreaders, ctp, ocb, _IO_READ, msg->nbytes);
}

/* ---- writes ----------------------------------------------------------------------- */

/* Client bytes of write w at offset *done, at most max of them. */
static long take_bytes(int rcvid, uint8_t *buf, size_t max, uint64_t nbytes, uint64_t done)
{
	uint64_t left = nbytes - done;
	size_t n = left < IO_STEP ? (size_t)left : IO_STEP;

	if (n > max)
		n = max;
	if (n == 0)
		return 0;
	return MsgRead_r(rcvid, buf, n, sizeof(struct _io_write) + done);
}

/* Slave write: through output processing into the ring, as far as it has
 * room (ONLCR at most doubles).  True when all of it went (or the client
 * went away). */
static bool slave_write_some(struct pty *p, int rcvid, uint64_t nbytes, uint64_t *done)
{
	uint8_t buf[IO_STEP];

	while (*done < nbytes) {
		long got = take_bytes(rcvid, buf, out_room(p) / 2, nbytes, *done);
		if (got == 0)
			return false;
		if (got < 0)
			return true;
		td_write(&p->td, buf, (size_t)got);
		*done += (uint64_t)got;
	}
	return true;
}

/* Master write: into the line discipline, byte by byte, while there is
 * input room; what the bytes made readable is answered at once. */
static bool master_write_some(struct pty *p, int rcvid, uint64_t nbytes, uint64_t *done)
{
	uint8_t buf[IO_STEP];

	while (*done < nbytes) {
		if (!input_room(p))
			return false;
		long got = take_bytes(rcvid, buf, IO_STEP, nbytes, *done);
		if (got <= 0)
			return true;
		long i = 0;
		while (i < got && input_room(p))
			td_input(&p->td, buf[i++]);
		*done += (uint64_t)i;
	}
	return true;
}

static void serve_slave_writers(struct pty *p)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&p->swriters))) {
		if (p->hung) {
			MsgError_r(w->rcvid, EIO);
		} else {
			if (!slave_write_some(p, w->rcvid, w->nbytes, &w->done))
				break;
			MsgReply_r(w->rcvid, (long)w->done, NULL, 0);
		}
		resmgr_waitq_remove(&p->swriters, w);
	}
	serve_master_readers(p);
}

static void serve_master_writers(struct pty *p)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&p->mwriters))) {
		if (!master_write_some(p, w->rcvid, w->nbytes, &w->done)) {
			if (!slave_gone(p))
				break;
			MsgError_r(w->rcvid, EIO);   /* no reader will ever make room */
		} else {
			MsgReply_r(w->rcvid, (long)w->done, NULL, 0);
		}
		resmgr_waitq_remove(&p->mwriters, w);
	}
	serve_slave_readers(p);
	serve_master_readers(p);        /* echo */
}

static int pty_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	struct pty *p = pty_of(ocb);
	bool master = is_master(ocb);
	resmgr_waitq_t *q;
	uint64_t done = 0;
	bool all;

	if (!p)
		return EISDIR;
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (!master && p->hung)
		return EIO;
	if (!master && (p->td.t.c_lflag & TOSTOP)) {
		int bg = tty_write_access(ctp, p->sid, p->pgrp);
		if (bg)
			return bg;
	}
	q = master ? &p->mwriters : &p->swriters;
	if (resmgr_waitq_first(q))
		all = false;
	else if (master)
		all = master_write_some(p, ctp->rcvid, msg->nbytes, &done);
	else
		all = slave_write_some(p, ctp->rcvid, msg->nbytes, &done);
	if (master) {
		serve_slave_readers(p);
		serve_master_readers(p);
	} else {
		serve_master_readers(p);
	}
	poll_wake(p);
	if (all)
		return resmgr_reply(ctp, (long)done, NULL, 0);
	if (done && (ocb->ioflag & O_NONBLOCK))
		return resmgr_reply(ctp, (long)done, NULL, 0);
	if (ocb->ioflag & O_NONBLOCK)
		return EAGAIN;
	if (master && slave_gone(p))
		return done ? resmgr_reply(ctp, (long)done, NULL, 0) : EIO;
	return resmgr_waitq_park_write(q, ctp, ocb, msg->nbytes, done);
}

/* ---- the directory /dev/pts --------------------------------------------------------- */

static int dir_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	static char buf[2048];
	size_t max = msg->nbytes < sizeof buf ? (size_t)msg->nbytes : sizeof buf;
	size_t used = 0;
	uint64_t pos = (uint64_t)ocb->offset;
	char name[16];

	for (; pos < PTY_MAX; pos++) {
		const struct pty *p = srv.ptys[pos];
		if (!p || !p->master_open)
			continue;
		snprintf(name, sizeof name, "%u", p->n);
		if (resmgr_dirent_add(buf, max, &used, p->sattr.ino, pos + 1, DT_CHR, name)) {
			if (!used)
				return EINVAL;
			break;
		}
	}
	ocb->offset = (int64_t)pos;
	return resmgr_reply(ctp, (long)used, buf, used);
}

static int pty_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	struct pty *p = pty_of(ocb);

	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	if (ocb->attr == &srv.dir)
		return dir_read(ctp, msg, ocb);
	if (!p)
		return EBADF;
	return is_master(ocb) ? master_read(ctp, msg, ocb, p) : slave_read(ctp, msg, ocb, p);
}

/* ---- devctl -------------------------------------------------------------------------- */

static int set_attr(resmgr_context_t *ctp, const struct _io_devctl *m, struct pty *p)
{
	struct termios t;
	int r = resmgr_devctl_in(ctp, m, &t, sizeof t);

	if (r)
		return r;
	/* TCSADRAIN and TCSAFLUSH: output "sent" is output in the ring, which
	 * the master may never read, so none of them waits. */
	if (m->dcmd == _DCMD_TERM_SETATTRF)
		td_flush_input(&p->td);
	td_setattr(&p->td, &t);
	serve_slave_readers(p);
	serve_master_writers(p);
	return 0;
}

static int set_winsize(resmgr_context_t *ctp, const struct _io_devctl *m, struct pty *p)
{
	struct winsize w;
	int r = resmgr_devctl_in(ctp, m, &w, sizeof w);

	if (r)
		return r;
	bool changed = memcmp(&w, &p->ws, sizeof w) != 0;
	p->ws = w;
	if (changed && p->pgrp > 0)
		kill(-p->pgrp, SIGWINCH);
	return 0;
}

static int flush_queues(resmgr_context_t *ctp, const struct _io_devctl *m, struct pty *p)
{
	int32_t q;
	bool out = false;
	int r = resmgr_devctl_in(ctp, m, &q, sizeof q);

	if (!r)
		r = td_flush(&p->td, q, &out);
	if (r)
		return r;
	if (out)
		p->out_count = 0;
	serve_slave_writers(p);
	serve_master_writers(p);
	return 0;
}

/* The master's own: the pair's number, the slave's lock, its owner. */
static int master_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, struct pty *p,
			 int32_t *out)
{
	struct _client_info ci;
	int32_t v;
	int r;

	if (p->named)
		return ENOTTY;          /* /dev/ptypX: no number, lock or grant */
	switch (m->dcmd) {
	case _DCMD_PTY_NUMBER:
		*out = (int32_t)p->n;
		return 0;
	case _DCMD_PTY_UNLOCK:
		r = resmgr_devctl_in(ctp, m, &v, sizeof v);
		if (!r)
			p->locked = v != 0;
		return r;
	case _DCMD_PTY_GRANT:
		r = iofunc_client_info(ctp, &ci);
		if (r)
			return r;
		p->sattr.uid = ci.cred.ruid;
		p->sattr.gid = TTY_GID;
		p->sattr.mode = S_IFCHR | 0620;
		return 0;
	default:
		return ENOTTY;
	}
}

static int pty_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	struct pty *p = pty_of(ocb);
	struct {
		struct _io_devctl_reply r;
		union { struct termios t; struct winsize w; int32_t i; } u;
	} rep = { { 0, 0 }, { .i = 0 } };
	int r = 0;

	if (!p)
		return ENOTTY;
	if (!is_master(ocb) && !p->hung && tty_devctl_changes(m->dcmd)) {
		r = tty_write_access(ctp, p->sid, p->pgrp);
		if (r)
			return r;
	}
	switch (m->dcmd) {
	case _DCMD_TERM_GETATTR:
		rep.u.t = p->td.t;
		rep.r.nbytes = sizeof rep.u.t;
		break;
	case _DCMD_TERM_SETATTR: case _DCMD_TERM_SETATTRW: case _DCMD_TERM_SETATTRF:
		r = set_attr(ctp, m, p);
		break;
	case _DCMD_TERM_GETWINSZ:
		rep.u.w = p->ws;
		rep.r.nbytes = sizeof rep.u.w;
		break;
	case _DCMD_TERM_SETWINSZ:
		r = set_winsize(ctp, m, p);
		break;
	case _DCMD_TERM_FLUSH:
		r = flush_queues(ctp, m, p);
		break;
	case _DCMD_TERM_DRAIN:
		break;
	case _DCMD_TERM_GETPGRP:
		rep.u.i = p->pgrp;
		rep.r.nbytes = sizeof rep.u.i;
		break;
	case _DCMD_TERM_SETPGRP:
		r = tty_set_pgrp(ctp, m, p->sid, &p->pgrp);
		break;
	case _DCMD_FIONREAD:
		rep.u.i = (int32_t)(is_master(ocb) ? p->out_count : td_readable(&p->td));
		rep.r.nbytes = sizeof rep.u.i;
		break;
	default:
		if (!is_master(ocb))
			return ENOTTY;
		r = master_devctl(ctp, m, p, &rep.u.i);
		if (!r && m->dcmd == _DCMD_PTY_NUMBER)
			rep.r.nbytes = sizeof rep.u.i;
		break;
	}
	poll_wake(p);
	return r ? r : resmgr_reply(ctp, 0, &rep, sizeof rep.r + rep.r.nbytes);
}

static int pty_notify(resmgr_context_t *ctp, const struct _io_notify *msg, iofunc_ocb_t *ocb)
{
	struct pty *p = pty_of(ocb);

	if (!p)
		return RESMGR_DEFAULT;
	if (is_master(ocb))
		return resmgr_notify_reply(&p->mpolls, ctp, msg, ocb, ready_master(p));
	return resmgr_notify_reply(&p->spolls, ctp, msg, ocb, ready_slave(p));
}

/* ---- pairs: making, hanging up, ending ---------------------------------------------- */

static const char *slave_path(const struct pty *p, char *buf)
{
	if (p->named)
		snprintf(buf, 24, "/dev/ttyp%x", p->n - PTY_MAX);
	else
		snprintf(buf, 24, "/dev/pts/%u", p->n);
	return buf;
}

/* A pair's state as made: nothing queued, the terminal's usual settings,
 * no session. */
static void pty_clear(struct pty *p)
{
	p->hung = p->slave_seen = false;
	p->slave_opens = 0;
	p->pgrp = p->sid = 0;
	p->out_head = p->out_count = 0;
	p->echo_lost = 0;
	p->ws = (struct winsize){ 24, 80, 0, 0 };
	td_init(&p->td, out_put, send_signal, p);
}

/* A named pair as at the start: root's, group tty, mode 0620 (login gave
 * the slave to its user). */
static void named_owner(struct pty *p)
{
	p->sattr.uid = 0;
	p->sattr.gid = TTY_GID;
	p->sattr.mode = S_IFCHR | 0620;
}

/* The pair ends (both sides closed): no session keeps its slave as
 * controlling terminal.  A named pair is made new; another is freed. */
static void pty_free(struct pty *p)
{
	char name[24];

	resmgr_set_ctty(0, slave_path(p, name));
	resmgr_waitq_fail_all(&p->mreaders, EIO);
	resmgr_waitq_fail_all(&p->mwriters, EIO);
	resmgr_waitq_fail_all(&p->sreaders, EIO);
	resmgr_waitq_fail_all(&p->swriters, EIO);
	if (p->named) {
		tty_timer_arm(&p->vtime, 0);
		pty_clear(p);
		named_owner(p);
		return;
	}
	if (p->vtime.id >= 0)
		TimerDestroy_r(p->vtime.id);
	srv.ptys[p->n] = NULL;
	free(p);
}

/* A pair in srv.ptys[n] (its timer's pulse carries n), owned by uid:gid. */
static struct pty *pty_make(unsigned n, uint32_t uid, uint32_t gid)
{
	struct sigevent ev;
	struct pty *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->n = n;
	pty_clear(p);
	iofunc_attr_init(&p->mattr, S_IFCHR | 0666);
	iofunc_attr_init(&p->sattr, S_IFCHR | 0620);
	p->mattr.data = p->sattr.data = p;
	p->mattr.ino = 0x10000u + n;
	p->sattr.ino = n + 1;
	p->sattr.uid = uid;
	p->sattr.gid = gid;
	SIGEV_PULSE_INIT(&ev, srv.coid, SIGEV_PULSE_PRIO_INHERIT, PULSE_TIMER, (int)n);
	p->vtime.id = TimerCreate_r(CLOCK_MONOTONIC, &ev);
	if (p->vtime.id < 0) {
		free(p);
		return NULL;
	}
	srv.ptys[n] = p;
	return p;
}

/* A new /dev/ptmx pair, its slave locked and the opener's. */
static struct pty *pty_new(resmgr_context_t *ctp)
{
	struct _client_info ci;
	unsigned n = 0;

	while (n < PTY_MAX && srv.ptys[n])
		n++;
	if (n == PTY_MAX || iofunc_client_info(ctp, &ci))
		return NULL;
	struct pty *p = pty_make(n, ci.cred.euid, ci.cred.egid);
	if (p)
		p->locked = true;
	return p;
}

/* /dev/ptypX and /dev/ttypX: 0 or an errno. */
static int named_new(unsigned x)
{
	struct pty *p = pty_make(PTY_MAX + x, 0, TTY_GID);

	if (!p)
		return ENOMEM;
	p->named = true;
	return 0;
}

/* The master closed: the slave side hangs up. */
static void hang_up(struct pty *p)
{
	p->hung = true;
	if (p->pgrp > 0) {
		kill(-p->pgrp, SIGHUP);
		kill(-p->pgrp, SIGCONT);
	}
	resmgr_waitq_fail_all(&p->swriters, EIO);
	serve_slave_readers(p);
	poll_wake(p);
}

/* An open of p's slave (not a stat): EIO after a hang-up, until the
 * session that had it has closed it. */
static int slave_open(resmgr_context_t *ctp, const struct _io_connect *msg, struct pty *p,
		      iofunc_ocb_t **ocb)
{
	char name[24];

	if (p->hung)
		return EIO;
	int r = iofunc_open_default(ctp, msg, "", &p->sattr, ocb);
	if (r)
		return r;
	p->slave_opens++;
	p->slave_seen = true;
	(*ocb)->data = p;       /* counted in slave_opens */
	if (!(msg->ioflag & O_NOCTTY))
		tty_open_ctty(ctp, slave_path(p, name), &p->sid, &p->pgrp);
	return 0;
}

static int pty_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	struct pty *p;
	int r;

	(void)attr;
	if (msg->handle & (H_NAMED_MASTER | H_NAMED_SLAVE)) {
		p = srv.ptys[PTY_MAX + (msg->handle & 0xff)];
		if (*path)
			return ENOENT;
		if (msg->subtype == _IO_CONNECT_COMBINE_CLOSE)    /* stat, chmod */
			return iofunc_open_default(ctp, msg, "", msg->handle & H_NAMED_MASTER ?
						   &p->mattr : &p->sattr, ocb);
		if (msg->handle & H_NAMED_SLAVE)
			return slave_open(ctp, msg, p, ocb);
		if (p->master_open || p->hung)
			return EBUSY;   /* connected, or its last session is ending */
		r = iofunc_open_default(ctp, msg, "", &p->mattr, ocb);
		if (!r) {
			p->master_open = true;
			(*ocb)->data = p;       /* the connected master, not a stat */
			poll_wake(p);
		}
		return r;
	}
	if (msg->handle == H_PTMX) {
		if (*path)
			return ENOENT;
		if (msg->subtype == _IO_CONNECT_COMBINE_CLOSE)    /* stat /dev/ptmx */
			return iofunc_open_default(ctp, msg, "", &srv.ptmx, ocb);
		p = pty_new(ctp);
		if (!p)
			return EAGAIN;
		r = iofunc_open_default(ctp, msg, "", &p->mattr, ocb);
		if (r) {
			pty_free(p);
		} else {
			p->master_open = true;
			(*ocb)->data = p;       /* the master, not a stat */
		}
		return r;
	}
	if (!*path)
		return iofunc_open_default(ctp, msg, "", &srv.dir, ocb);
	char *end;
	unsigned long n = strtoul(path, &end, 10);
	if (*end || end == path || n >= PTY_MAX || !(p = srv.ptys[n]) || !p->master_open)
		return ENOENT;
	if (msg->subtype == _IO_CONNECT_COMBINE_CLOSE)
		return iofunc_open_default(ctp, msg, "", &p->sattr, ocb);
	if (p->locked)
		return EIO;
	return slave_open(ctp, msg, p, ocb);
}

static int pty_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	struct pty *p = pty_of(ocb);
	bool master = is_master(ocb), counted = ocb->data != NULL;

	if (p) {
		resmgr_waitq_drop(master ? &p->mreaders : &p->sreaders, ocb);
		resmgr_waitq_drop(master ? &p->mwriters : &p->swriters, ocb);
		if (!master)
			follow_slave_readers(p);
		resmgr_notify_drop(master ? &p->mpolls : &p->spolls, ocb);
	}
	int r = iofunc_close_ocb_default(ctp, ocb);
	if (!p || !counted)
		return r;               /* a stat's open: the pair is as it was */
	if (master) {
		p->master_open = false;
		hang_up(p);
	} else {
		p->slave_opens--;
		if (slave_gone(p)) {
			serve_master_readers(p);
			serve_master_writers(p);
			poll_wake(p);
		}
	}
	if (!p->master_open && p->slave_opens == 0)
		pty_free(p);
	return r;
}

/* ---- pulses, unblock ---------------------------------------------------------------- */

/* taskman's news that session sid's leader ended: the pair whose slave
 * is its controlling terminal sends SIGHUP to its foreground group, and is
 * that session's no more (POSIX _exit; a stopped job there is taskman's,
 * by the orphaned-group rule).  Checked with taskman first: any client may
 * send any pulse. */
static void ctty_gone(int32_t sid)
{
	char name[24];

	for (unsigned n = 0; sid > 0 && n < PTY_MAX + NAMED_MAX; n++) {
		struct pty *p = srv.ptys[n];
		if (!p || p->sid != sid)
			continue;
		int holder = resmgr_ctty_session(slave_path(p, name));
		if (holder < 0 || holder == sid)
			return;
		int32_t pg = p->pgrp;
		p->sid = p->pgrp = 0;
		if (pg > 0)
			kill(-pg, SIGHUP);
		return;
	}
}

static int pty_pulse(resmgr_context_t *ctp, int code, union sigval value)
{
	struct pty *p;

	(void)ctp;
	if (code == _PROC_PULSE_CTTY_GONE) {
		ctty_gone(value.sival_int);
		return 0;
	}
	if (code != PULSE_TIMER || value.sival_int < 0 ||
	    (unsigned)value.sival_int >= PTY_MAX + NAMED_MAX ||
	    !(p = srv.ptys[value.sival_int]))
		return 0;
	/* The VTIME timer: the oldest slave read completes with what is there
	 * (a pulse of an earlier setting, or of a pair that was freed and made
	 * again in slot n, ends nothing). */
	if (!tty_timer_due(&p->vtime))
		return 0;
	resmgr_waiter_t *w = resmgr_waitq_first(&p->sreaders);
	if (w && td_read_timeout(&p->td)) {
		reply_slave_read(p, w->rcvid, w->nbytes);
		resmgr_waitq_remove(&p->sreaders, w);
	}
	serve_slave_readers(p);
	serve_master_writers(p);
	poll_wake(p);
	return 0;
}

static int pty_unblock(resmgr_context_t *ctp, int rcvid)
{
	(void)ctp;
	for (unsigned i = 0; i < PTY_MAX + NAMED_MAX; i++) {
		struct pty *p = srv.ptys[i];
		if (p && resmgr_waitq_unblock(&p->sreaders, rcvid, EINTR)) {
			follow_slave_readers(p);
			return 0;
		}
		if (p && (resmgr_waitq_unblock(&p->swriters, rcvid, EINTR) ||
			  resmgr_waitq_unblock(&p->mreaders, rcvid, EINTR) ||
			  resmgr_waitq_unblock(&p->mwriters, rcvid, EINTR)))
			return 0;
	}
	return 0;
}

/* -n N: how many named pairs (0 to NAMED_MAX); true if the arguments are good. */
static bool options(int argc, char **argv)
{
	int c;

	srv.named = 4;
	while ((c = getopt(argc, argv, "n:")) != -1) {
		char *end;
		unsigned long n = c == 'n' ? strtoul(optarg, &end, 10) : 0;
		if (c != 'n' || *end || end == optarg || n > NAMED_MAX)
			return false;
		srv.named = (unsigned)n;
	}
	return optind == argc;
}

/* The named pairs' names, each pair made first. */
static int attach_named(void)
{
	char name[24];

	for (unsigned x = 0; x < srv.named; x++) {
		int r = named_new(x);
		if (r) {
			errno = r;
			return -1;
		}
		snprintf(name, sizeof name, "/dev/ptyp%x", x);
		if (resmgr_attach_handle(srv.mgr, name, _FTYPE_ANY, 0, H_NAMED_MASTER | x) < 0)
			return -1;
		snprintf(name, sizeof name, "/dev/ttyp%x", x);
		if (resmgr_attach_handle(srv.mgr, name, _FTYPE_ANY, 0, H_NAMED_SLAVE | x) < 0)
			return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const resmgr_connect_funcs_t conn = { .open = pty_open };
	static const resmgr_io_funcs_t io = {
		.read = pty_read, .write = pty_write, .devctl = pty_devctl,
		.close_ocb = pty_close, .unblock = pty_unblock, .pulse = pty_pulse,
		.notify = pty_notify,
	};
	if (!options(argc, argv)) {
		fprintf(stderr, "usage: devc-pty [-n PAIRS]   (named pairs /dev/ptypX, 0 to %u)\n",
			NAMED_MAX);
		return 2;
	}
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);

	iofunc_attr_init(&srv.dir, S_IFDIR | 0755);
	iofunc_attr_init(&srv.ptmx, S_IFCHR | 0666);
	srv.mgr = chid >= 0 ? resmgr_create(chid, &conn, &io, &srv.dir) : NULL;
	srv.coid = srv.mgr ? resmgr_self_coid(srv.mgr) : -1;
	if (srv.coid < 0 ||
	    resmgr_attach_handle(srv.mgr, "/dev/pts", _FTYPE_ANY, _PROC_PATH_DIR, H_PTS) < 0 ||
	    attach_named() < 0 ||
	    resmgr_attach_handle(srv.mgr, "/dev/ptmx", _FTYPE_ANY, 0, H_PTMX) < 0) {
		fprintf(stderr, "devc-pty: cannot serve /dev/ptmx, /dev/pts and the named pairs: %s\n",
			strerror(errno));
		return 1;
	}
	return resmgr_loop(srv.mgr) < 0 ? 1 : 0;
}
