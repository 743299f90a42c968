/* The serial terminal server shared by devc-ser8250 and devc-sersifive
 * (devc.h says how input, output and the kernel console fit together).
 *
 * Locks: the manager's handler lock guards the line discipline, the
 * waiting reads and writes and the terminal's settings (every handler and
 * pulse runs under it); tx_lock guards the TX ring and is taken inside the
 * handler lock (by the output callback) or alone (by the TX thread), never
 * the other way round. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>
#include <keel/procmgr.h>
#include <keel/procmsg.h>
#include "devc.h"
#include "termdisc.h"
#include "ttyctl.h"

#define DEV_VA      0x3000000000ul      /* where the registers are mapped */
#define TX_RING     8192u
#define TX_CHUNK    256u                /* ConsoleWrite's most */
#define WRITE_STEP  512u                /* client bytes processed at a time */

enum { PULSE_RX = 1, PULSE_TIMER, PULSE_TX_SPACE };

struct devc {
	const struct devc_hw *hw;
	volatile uint8_t *regs;
	int irq, intr_id, coid;
	struct tty_timer vtime;         /* VTIME of the oldest parked read */
	resmgr_t *mgr;
	iofunc_attr_t attr;
	/* Under the handler lock. */
	struct termdisc td;
	struct winsize ws;
	int32_t pgrp;                   /* foreground process group, 0: none */
	int32_t sid;                    /* the session it is the controlling terminal of, 0 */
	/* _DCMD_TERM_REVOKE: each open keeps in ocb->data the generation it
	 * was made in, shifted, and bit 0 set when a non-root process made it;
	 * such an open from an earlier generation is hung up. */
	uintptr_t gen;
	resmgr_waitq_t readers, writers;
	resmgr_notifyq_t polls;         /* poll/select arms */
	/* Under tx_lock. */
	pthread_mutex_t tx_lock;
	pthread_cond_t tx_cv, tx_empty_cv;
	uint32_t tx_head, tx_count;
	uint64_t tx_lost;               /* echo dropped on a full ring */
	bool writer_waits;              /* a write is parked for room */
	uint8_t tx[TX_RING];
};

static struct devc dev;

/* ---- output: the TX ring and its thread ---------------------------------------- */

static uint32_t tx_room(void)
{
	pthread_mutex_lock(&dev.tx_lock);
	uint32_t room = TX_RING - dev.tx_count;
	pthread_mutex_unlock(&dev.tx_lock);
	return room;
}

/* termdisc's output callback: into the ring; what does not fit is lost
 * (only echo can meet a full ring: writes wait for room first). */
static void tx_put(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	pthread_mutex_lock(&dev.tx_lock);
	for (size_t i = 0; i < len; i++) {
		if (dev.tx_count == TX_RING) {
			dev.tx_lost += len - i;
			break;
		}
		dev.tx[(dev.tx_head + dev.tx_count++) % TX_RING] = (uint8_t)buf[i];
	}
	pthread_cond_signal(&dev.tx_cv);
	pthread_mutex_unlock(&dev.tx_lock);
}

/* The next chunk: up to and including the first newline, at most
 * TX_CHUNK bytes (tx_lock held). */
static uint32_t tx_chunk(char *out)
{
	uint32_t n = 0;

	while (n < dev.tx_count && n < TX_CHUNK) {
		char c = (char)dev.tx[(dev.tx_head + n) % TX_RING];
		out[n++] = c;
		if (c == '\n')
			break;
	}
	return n;
}

static void *tx_thread(void *arg)
{
	char chunk[TX_CHUNK];

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&dev.tx_lock);
		while (dev.tx_count == 0)
			pthread_cond_wait(&dev.tx_cv, &dev.tx_lock);
		uint32_t n = tx_chunk(chunk);
		pthread_mutex_unlock(&dev.tx_lock);
		ConsoleWrite_r(chunk, n);
		pthread_mutex_lock(&dev.tx_lock);
		dev.tx_head = (dev.tx_head + n) % TX_RING;
		dev.tx_count -= n;
		bool wake = dev.writer_waits && dev.tx_count <= TX_RING / 2;
		if (wake)
			dev.writer_waits = false;
		if (dev.tx_count == 0)
			pthread_cond_broadcast(&dev.tx_empty_cv);
		pthread_mutex_unlock(&dev.tx_lock);
		if (wake)
			MsgSendPulse_r(dev.coid, -1, PULSE_TX_SPACE, 0);
	}
	return NULL;
}

static void tx_drain(void)
{
	pthread_mutex_lock(&dev.tx_lock);
	while (dev.tx_count)
		pthread_cond_wait(&dev.tx_empty_cv, &dev.tx_lock);
	pthread_mutex_unlock(&dev.tx_lock);
}

static void tx_flush(void)
{
	pthread_mutex_lock(&dev.tx_lock);
	dev.tx_count = 0;
	pthread_cond_broadcast(&dev.tx_empty_cv);
	pthread_mutex_unlock(&dev.tx_lock);
}

/* termdisc's signal callback: to the foreground process group. */
static void send_signal(void *ctx, int signo)
{
	(void)ctx;
	if (dev.pgrp > 0)
		kill(-dev.pgrp, signo);
}

/* ---- reads ----------------------------------------------------------------------- */

static void reply_read(int rcvid, uint64_t nbytes)
{
	static uint8_t buf[TD_RING];
	size_t want = nbytes < sizeof buf ? (size_t)nbytes : sizeof buf;
	size_t n = td_read(&dev.td, buf, want);

	MsgReply_r(rcvid, (long)n, buf, n);
}

/* The VTIME timer follows the oldest parked read: set for it when it
 * needs one (restarted, as each byte that comes restarts it), off when
 * none is parked, so that it never ends a read it was not set for. */
static void follow_readers(void)
{
	unsigned t = resmgr_waitq_first(&dev.readers) ? td_read_timeout(&dev.td) : 0;

	if (t || dev.vtime.deadline)
		tty_timer_arm(&dev.vtime, t);
}

/* Answers the parked reads that can complete now, oldest first. */
static void serve_readers(void)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&dev.readers)) && td_can_read(&dev.td, w->nbytes)) {
		reply_read(w->rcvid, w->nbytes);
		resmgr_waitq_remove(&dev.readers, w);
	}
	follow_readers();
}

/* Is ocb an open _DCMD_TERM_REVOKE hung up? */
static bool revoked(const iofunc_ocb_t *ocb)
{
	uintptr_t d = (uintptr_t)ocb->data;

	return (d & 1) && (d >> 1) != dev.gen;
}

static int tty_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	if (revoked(ocb))
		return resmgr_reply(ctp, 0, NULL, 0);   /* hung up: end of file */
	int bg = tty_read_access(ctp, dev.sid, dev.pgrp);
	if (bg)
		return bg;
	if (!resmgr_waitq_first(&dev.readers) && td_can_read(&dev.td, msg->nbytes)) {
		reply_read(ctp->rcvid, msg->nbytes);
		return RESMGR_DONE;
	}
	if (ocb->ioflag & O_NONBLOCK)
		return EAGAIN;
	bool first = !resmgr_waitq_first(&dev.readers);
	int r = resmgr_waitq_park(&dev.readers, ctp, ocb, _IO_READ, msg->nbytes);
	if (r == RESMGR_DONE && first)
		follow_readers();
	return r;
}

/* ---- writes ------------------------------------------------------------------------ */

/* Moves what fits of write w (a client's _IO_WRITE) into the ring.
 * Returns true when all of it went. */
static bool write_some(int rcvid, uint64_t nbytes, uint64_t *done)
{
	uint8_t buf[WRITE_STEP];

	while (*done < nbytes) {
		uint32_t room = tx_room() / 2;         /* ONLCR at most doubles */
		uint64_t left = nbytes - *done;
		size_t n = left < WRITE_STEP ? (size_t)left : WRITE_STEP;
		if (n > room)
			n = room;
		if (n == 0)
			return false;
		long got = MsgRead_r(rcvid, buf, n, sizeof(struct _io_write) + *done);
		if (got <= 0)
			return true;            /* the client is gone or sent less */
		td_write(&dev.td, buf, (size_t)got);
		*done += (uint64_t)got;
	}
	return true;
}

static void park_for_room(void)
{
	pthread_mutex_lock(&dev.tx_lock);
	dev.writer_waits = true;
	if (dev.tx_count <= TX_RING / 2)        /* drained meanwhile: resume now */
		MsgSendPulse_r(dev.coid, -1, PULSE_TX_SPACE, 0);
	pthread_mutex_unlock(&dev.tx_lock);
}

static int tty_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	uint64_t done = 0;

	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (revoked(ocb))
		return EIO;
	int bg = (dev.td.t.c_lflag & TOSTOP) ? tty_write_access(ctp, dev.sid, dev.pgrp) : 0;
	if (bg)
		return bg;
	if (!resmgr_waitq_first(&dev.writers) && write_some(ctp->rcvid, msg->nbytes, &done))
		return resmgr_reply(ctp, (long)done, NULL, 0);
	if (ocb->ioflag & O_NONBLOCK)
		return done ? resmgr_reply(ctp, (long)done, NULL, 0) : EAGAIN;
	int r = resmgr_waitq_park_write(&dev.writers, ctp, ocb, msg->nbytes, done);
	if (r == RESMGR_DONE && resmgr_waitq_first(&dev.writers))
		park_for_room();
	return r;
}

static void serve_writers(void)
{
	resmgr_waiter_t *w;

	while ((w = resmgr_waitq_first(&dev.writers))) {
		if (!write_some(w->rcvid, w->nbytes, &w->done)) {
			park_for_room();
			return;
		}
		MsgReply_r(w->rcvid, (long)w->done, NULL, 0);
		resmgr_waitq_remove(&dev.writers, w);
	}
}

/* ---- readiness (poll, select) ------------------------------------------------------ */

/* Writable: half the ring free, as a parked write resumes (tx_thread). */
static uint32_t tty_ready(void)
{
	return (td_can_read(&dev.td, 1) ? _NOTIFY_IN | _NOTIFY_RDNORM : 0) |
	       (tx_room() >= TX_RING / 2 ? _NOTIFY_OUT | _NOTIFY_WRNORM : 0);
}

/* After anything that may have made a read or a write possible. */
static void tty_poll_wake(void)
{
	if (dev.polls.head)
		resmgr_notify_ready(&dev.polls, NULL, tty_ready());
}

static int tty_notify(resmgr_context_t *ctp, const struct _io_notify *msg, iofunc_ocb_t *ocb)
{
	uint32_t ready = tty_ready();

	if (msg->action == _NOTIFY_ACTION_POLLARM && (msg->events & _NOTIFY_OUT) &&
	    !(ready & _NOTIFY_OUT))
		park_for_room();                /* the TX thread's pulse says when */
	return resmgr_notify_reply(&dev.polls, ctp, msg, ocb, ready);
}

/* ---- devctl ------------------------------------------------------------------------ */

/* _DCMD_TERM_REVOKE: a new generation; the reads and writes parked on
 * opens of an older one (non-root's) are answered as a hang-up. */
static void answer_revoked(resmgr_waitq_t *q, bool reads)
{
	resmgr_waiter_t *w = resmgr_waitq_first(q);

	while (w) {
		resmgr_waiter_t *next = w->next;
		if (revoked(w->ocb)) {
			if (reads)
				MsgReply_r(w->rcvid, 0, NULL, 0);
			else if (w->done)
				MsgReply_r(w->rcvid, (long)w->done, NULL, 0);
			else
				MsgError_r(w->rcvid, EIO);
			resmgr_waitq_remove(q, w);
		}
		w = next;
	}
}

static int tty_revoke(resmgr_context_t *ctp)
{
	struct _client_info ci;

	if (iofunc_client_info(ctp, &ci) || ci.cred.euid != 0)
		return EPERM;
	dev.gen++;
	answer_revoked(&dev.readers, true);
	answer_revoked(&dev.writers, false);
	follow_readers();
	if (dev.polls.head)             /* a poll on a hung-up open sees it at once */
		resmgr_notify_ready(&dev.polls, NULL, _NOTIFY_IN | _NOTIFY_OUT);
	return 0;
}

static int set_attr(const resmgr_context_t *ctp, const struct _io_devctl *m)
{
	struct termios t;
	int r = resmgr_devctl_in(ctp, m, &t, sizeof t);

	if (r)
		return r;
	if (m->dcmd != _DCMD_TERM_SETATTR)
		tx_drain();
	if (m->dcmd == _DCMD_TERM_SETATTRF)
		td_flush_input(&dev.td);
	td_setattr(&dev.td, &t);
	serve_readers();
	tty_poll_wake();        /* e.g. ICANON off: a partial line is input now */
	return 0;
}

static int flush_queues(const resmgr_context_t *ctp, const struct _io_devctl *m)
{
	int32_t q;
	bool out = false;
	int r = resmgr_devctl_in(ctp, m, &q, sizeof q);

	if (!r)
		r = td_flush(&dev.td, q, &out);
	if (r)
		return r;
	if (out)
		tx_flush();
	tty_poll_wake();        /* an emptied TX ring has room */
	return 0;
}

static int tty_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	struct {
		struct _io_devctl_reply r;
		union { struct termios t; struct winsize w; int32_t i; } u;
	} rep = { { 0, 0 }, { .i = 0 } };
	int r = tty_devctl_changes(m->dcmd) ? tty_write_access(ctp, dev.sid, dev.pgrp) : 0;

	if (revoked(ocb))
		return EIO;
	if (r)
		return r;
	switch (m->dcmd) {
	case _DCMD_TERM_REVOKE:
		r = tty_revoke(ctp);
		break;
	case _DCMD_TERM_GETATTR:
		rep.u.t = dev.td.t;
		rep.r.nbytes = sizeof rep.u.t;
		break;
	case _DCMD_TERM_SETATTR: case _DCMD_TERM_SETATTRW: case _DCMD_TERM_SETATTRF:
		r = set_attr(ctp, m);
		break;
	case _DCMD_TERM_GETWINSZ:
		rep.u.w = dev.ws;
		rep.r.nbytes = sizeof rep.u.w;
		break;
	case _DCMD_TERM_SETWINSZ:
		r = resmgr_devctl_in(ctp, m, &dev.ws, sizeof dev.ws);
		break;
	case _DCMD_TERM_FLUSH:
		r = flush_queues(ctp, m);
		break;
	case _DCMD_TERM_DRAIN:
		tx_drain();
		break;
	case _DCMD_TERM_GETPGRP:
		rep.u.i = dev.pgrp;
		rep.r.nbytes = sizeof rep.u.i;
		break;
	case _DCMD_TERM_SETPGRP:
		r = tty_set_pgrp(ctp, m, dev.sid, &dev.pgrp);
		break;
	case _DCMD_FIONREAD:
		rep.u.i = (int32_t)td_readable(&dev.td);
		rep.r.nbytes = sizeof rep.u.i;
		break;
	default:
		return ENOTTY;
	}
	return r ? r : resmgr_reply(ctp, 0, &rep, sizeof rep.r + rep.r.nbytes);
}

/* ---- pulses, unblock, close ------------------------------------------------------- */

static void receive(void)
{
	int c;
	bool got = false;

	while ((c = dev.hw->rx_byte(dev.regs)) >= 0) {
		td_input(&dev.td, (uint8_t)c);
		got = true;
	}
	if (got)                /* (a byte restarts VTIME: not an interrupt without one) */
		serve_readers();
	InterruptUnmask_r(dev.irq, dev.intr_id);
}

/* The VTIME timer: the oldest read completes with what is there. */
static void timer_expired(void)
{
	resmgr_waiter_t *w = resmgr_waitq_first(&dev.readers);

	if (!tty_timer_due(&dev.vtime))
		return;                 /* a pulse of an earlier setting */
	if (w && td_read_timeout(&dev.td)) {
		reply_read(w->rcvid, w->nbytes);
		resmgr_waitq_remove(&dev.readers, w);
	}
	serve_readers();
}

/* taskman's news that session sid's leader ended: SIGHUP to the
 * foreground group, and the terminal is that session's no more (POSIX
 * _exit; a stopped job there is taskman's, by the orphaned-group rule).
 * Checked with taskman first: any client may send any pulse. */
static void ctty_gone(int32_t sid)
{
	if (sid <= 0 || sid != dev.sid)
		return;
	int holder = resmgr_ctty_session("/dev/ser1");
	if (holder < 0 || holder == sid)
		return;
	int32_t pg = dev.pgrp;
	dev.sid = dev.pgrp = 0;
	if (pg > 0)
		kill(-pg, SIGHUP);
}

static int tty_pulse(resmgr_context_t *ctp, int code, union sigval value)
{
	(void)ctp;
	if (code == _PROC_PULSE_CTTY_GONE)
		ctty_gone(value.sival_int);
	else if (code == PULSE_RX)
		receive();
	else if (code == PULSE_TIMER)
		timer_expired();
	else if (code == PULSE_TX_SPACE)
		serve_writers();
	tty_poll_wake();
	return 0;
}

static int tty_unblock(resmgr_context_t *ctp, int rcvid)
{
	(void)ctp;
	if (resmgr_waitq_unblock(&dev.readers, rcvid, EINTR))
		follow_readers();
	else
		resmgr_waitq_unblock(&dev.writers, rcvid, EINTR);
	return 0;
}

static int tty_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	resmgr_waitq_drop(&dev.readers, ocb);
	resmgr_waitq_drop(&dev.writers, ocb);
	follow_readers();
	resmgr_notify_drop(&dev.polls, ocb);
	return iofunc_close_ocb_default(ctp, ocb);
}

/* ---- start -------------------------------------------------------------------------- */

static int map_device(const char *name)
{
	struct _hw_device d;
	int r = HwInfoDevice_r(dev.hw->compatible, 0, &d);

	if (r < 0 || d.irq == 0) {
		fprintf(stderr, "%s: no %s device (%d)\n", name, dev.hw->compatible, r);
		return -1;
	}
	uint64_t page = d.base & ~0xffful;
	r = AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_PHYS, page);
	if (r < 0) {
		fprintf(stderr, "%s: cannot map %#lx (%d)\n", name, (unsigned long)page, r);
		return -1;
	}
	dev.regs = (volatile uint8_t *)(DEV_VA + (d.base - page));
	dev.irq = (int)d.irq;
	return 0;
}

static int attach_events(const char *name)
{
	struct sigevent ev;

	dev.coid = resmgr_self_coid(dev.mgr);
	if (dev.coid < 0)
		return -1;
	SIGEV_PULSE_INIT(&ev, dev.coid, SIGEV_PULSE_PRIO_INHERIT, PULSE_TIMER, 0);
	dev.vtime.id = TimerCreate_r(CLOCK_MONOTONIC, &ev);
	SIGEV_PULSE_INIT(&ev, dev.coid, SIGEV_PULSE_PRIO_INHERIT, PULSE_RX, 0);
	dev.intr_id = InterruptAttachEvent_r(dev.irq, &ev, _NTO_INTR_FLAGS_TRK_MSK);
	if (dev.intr_id < 0) {
		fprintf(stderr, "%s: cannot attach interrupt %d (%d)\n", name, dev.irq, dev.intr_id);
		return -1;
	}
	dev.hw->rx_enable(dev.regs);
	return 0;
}

/* An open of the terminal by a session leader without O_NOCTTY makes it
 * the session's controlling terminal (taskman decides). */
static int tty_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	int r = iofunc_open_default(ctp, msg, path, attr, ocb);
	struct _client_info ci;

	if (r)
		return r;
	bool user = iofunc_client_info(ctp, &ci) != 0 || ci.cred.euid != 0;
	(*ocb)->data = (void *)(dev.gen << 1 | (user ? 1 : 0));
	if (msg->subtype != _IO_CONNECT_COMBINE_CLOSE && !(msg->ioflag & O_NOCTTY))
		tty_open_ctty(ctp, "/dev/ser1", &dev.sid, &dev.pgrp);
	return 0;
}

static int start_server(const char *name)
{
	static const resmgr_connect_funcs_t conn = { .open = tty_open };
	static const resmgr_io_funcs_t io = {
		.read = tty_read, .write = tty_write, .devctl = tty_devctl,
		.close_ocb = tty_close, .unblock = tty_unblock, .pulse = tty_pulse,
		.notify = tty_notify,
	};
	/* /dev/tty is taskman's: each session's own controlling terminal. */
	static const char *const names[] = { "/dev/ser1", "/dev/console" };
	pthread_t t;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);

	iofunc_attr_init(&dev.attr, S_IFCHR | 0666);
	dev.mgr = chid >= 0 ? resmgr_create(chid, &conn, &io, &dev.attr) : NULL;
	if (!dev.mgr || attach_events(name) < 0)
		return -1;
	if (pthread_create(&t, NULL, tx_thread, NULL) || resmgr_pool_start(dev.mgr, 2) < 0)
		return -1;
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (resmgr_attach(dev.mgr, names[i], _FTYPE_TERMINAL, 0) < 0) {
			fprintf(stderr, "%s: cannot attach %s\n", name, names[i]);
			return -1;
		}
	return 0;
}

/* Runs argv[0] on the terminal (fds 0-2) in a new process group, which
 * becomes the foreground group; returns its exit status. */
static int run_on_terminal(char **argv)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_addopen(&fa, fd, "/dev/ser1", O_RDWR, 0);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&sa, 0);
	int r = posix_spawn(&pid, argv[0], &fa, &sa, argv, NULL);
	if (r) {
		fprintf(stderr, "devc: cannot run %s: %s\n", argv[0], strerror(r));
		return 127;
	}
	resmgr_lock(dev.mgr);
	dev.pgrp = pid;
	resmgr_unlock(dev.mgr);
	if (waitpid(pid, &status, 0) != pid)
		return 127;
	tx_drain();
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int devc_main(int argc, char **argv, const struct devc_hw *hw)
{
	const char *name = argc > 0 ? argv[0] : "devc";

	dev.hw = hw;
	dev.vtime.id = -1;
	dev.ws = (struct winsize){ 24, 80, 0, 0 };
	pthread_mutex_init(&dev.tx_lock, NULL);
	pthread_cond_init(&dev.tx_cv, NULL);
	pthread_cond_init(&dev.tx_empty_cv, NULL);
	td_init(&dev.td, tx_put, send_signal, &dev);
	if (map_device(name) < 0 || start_server(name) < 0)
		return 1;
	if (argc > 1)
		return run_on_terminal(argv + 1);
	return resmgr_loop(dev.mgr) < 0 ? 1 : 0;
}
