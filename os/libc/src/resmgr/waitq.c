/* Parked requests: what a handler answers later (sys/resmgr.h).  Every
 * call runs under the manager's handler lock, so the queue has no lock of
 * its own. */
#include <errno.h>
#include <stdlib.h>
#include <sys/resmgr.h>
#include <keel/neutrino.h>

/* The unblock pulse of a client that a signal (or a timeout) reaches after
 * its request was received may be handled first, by another thread of the
 * pool, while the request's own handler has yet to take the handler lock;
 * it then found nothing to unblock.  So a request whose client already asks
 * to be unblocked is never parked: it is answered EINTR at once (under the
 * handler lock, so a pulse that comes after this check finds it parked). */
static int park(resmgr_waitq_t *q, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
		uint16_t type, uint64_t nbytes, uint64_t done)
{
	struct _msg_info info;

	if (MsgInfo_r(ctp->rcvid, &info) == 0 && (info.flags & _NTO_MI_UNBLOCK_REQ))
		return done ? resmgr_reply(ctp, (long)done, NULL, 0) : EINTR;
	resmgr_waiter_t *w = calloc(1, sizeof *w);
	if (!w)
		return done ? resmgr_reply(ctp, (long)done, NULL, 0) : ENOMEM;
	w->rcvid = ctp->rcvid;
	w->pid = ctp->info.pid;
	w->ocb = ocb;
	w->type = type;
	w->nbytes = nbytes;
	w->done = done;
	if (!q->tail)
		q->tail = &q->head;
	*q->tail = w;
	q->tail = &w->next;
	q->n++;
	return RESMGR_DONE;
}

int resmgr_waitq_park(resmgr_waitq_t *q, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
		      uint16_t type, uint64_t nbytes)
{
	return park(q, ctp, ocb, type, nbytes, 0);
}

/* A write some of whose bytes already went: interrupted or out of memory,
 * it is answered their count (POSIX: a write interrupted after it moved
 * data returns how much). */
int resmgr_waitq_park_write(resmgr_waitq_t *q, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
			    uint64_t nbytes, uint64_t done)
{
	return park(q, ctp, ocb, _IO_WRITE, nbytes, done);
}

resmgr_waiter_t *resmgr_waitq_first(const resmgr_waitq_t *q)
{
	return q->head;
}

void resmgr_waitq_remove(resmgr_waitq_t *q, resmgr_waiter_t *w)
{
	for (resmgr_waiter_t **pp = &q->head; *pp; pp = &(*pp)->next) {
		if (*pp != w)
			continue;
		*pp = w->next;
		if (q->tail == &w->next)
			q->tail = pp;
		q->n--;
		free(w);
		return;
	}
}

/* The kernel numbers a request by its client thread, which may have been
 * answered and sent again since the pulse left: only a request whose
 * client still asks to be unblocked is the pulse's. */
int resmgr_waitq_unblock(resmgr_waitq_t *q, int rcvid, int err)
{
	struct _msg_info info;

	for (resmgr_waiter_t *w = q->head; w; w = w->next) {
		if (w->rcvid != rcvid)
			continue;
		if (MsgInfo_r(rcvid, &info) == 0 && !(info.flags & _NTO_MI_UNBLOCK_REQ))
			return 0;
		if (w->type == _IO_WRITE && w->done)    /* some went: POSIX says how many */
			MsgReply_r(rcvid, (long)w->done, NULL, 0);
		else
			MsgError_r(rcvid, err);
		resmgr_waitq_remove(q, w);
		return 1;
	}
	return 0;
}

/* The open is closing: its reads and writes can never be served.  A client
 * still there (another thread of the process that closed it) gets EBADF,
 * or the count of a write that moved some bytes; one that is gone gets
 * nothing (the reply fails, harmlessly).  A parked open (_IO_CONNECT) is
 * the closing open itself: whoever cancels it answers it. */
void resmgr_waitq_drop(resmgr_waitq_t *q, const iofunc_ocb_t *ocb)
{
	resmgr_waiter_t *w = q->head;

	while (w) {
		resmgr_waiter_t *next = w->next;
		if (w->ocb == ocb) {
			if (w->type == _IO_WRITE && w->done)
				MsgReply_r(w->rcvid, (long)w->done, NULL, 0);
			else if (w->type != _IO_CONNECT)
				MsgError_r(w->rcvid, EBADF);
			resmgr_waitq_remove(q, w);
		}
		w = next;
	}
}

void resmgr_waitq_fail_all(resmgr_waitq_t *q, int err)
{
	while (q->head) {
		MsgError_r(q->head->rcvid, err);
		resmgr_waitq_remove(q, q->head);
	}
}
