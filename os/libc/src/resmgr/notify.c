/* Readiness for poll and select (sys/resmgr.h): the arms a server keeps per
 * object, answered with one pulse each.  Every call runs under the
 * manager's handler lock, so a queue has no lock of its own. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <keel/neutrino.h>
#include <keel/sigevent.h>

/* Conditions reported whether asked for or not (POSIX poll). */
#define ALWAYS (_NOTIFY_ERR | _NOTIFY_HUP)

static void unlink_arm(resmgr_notify_t **pp)
{
	resmgr_notify_t *n = *pp;

	*pp = n->next;
	free(n);
}

int resmgr_notify_reply(resmgr_notifyq_t *q, resmgr_context_t *ctp,
			const struct _io_notify *msg, iofunc_ocb_t *ocb, uint32_t ready)
{
	uint32_t now = ready & (msg->events | ALWAYS);

	if (!now && msg->action == _NOTIFY_ACTION_POLLARM) {
		resmgr_notify_t *n = NULL;
		for (resmgr_notify_t *a = q->head; a && !n; a = a->next)
			if (a->rcvid == ctp->rcvid && a->ocb == ocb)
				n = a;          /* the same thread's earlier arm on this open */
		if (!n) {
			n = calloc(1, sizeof *n);
			if (!n)
				return ENOMEM;
			n->next = q->head;
			q->head = n;
		}
		n->rcvid = ctp->rcvid;
		n->ocb = ocb;
		n->events = msg->events;
		n->coid = msg->coid;
		n->code = msg->code;
		n->value = msg->value;
	}
	return resmgr_reply(ctp, (long)now, NULL, 0);
}

void resmgr_notify_ready(resmgr_notifyq_t *q, const iofunc_ocb_t *ocb, uint32_t ready)
{
	resmgr_notify_t **pp = &q->head;

	while (*pp) {
		resmgr_notify_t *n = *pp;
		if ((ocb && n->ocb != ocb) || !(ready & (n->events | ALWAYS))) {
			pp = &n->next;
			continue;
		}
		struct sigevent ev;
		memset(&ev, 0, sizeof ev);
		SIGEV_PULSE_PTR_INIT(&ev, n->coid, -1, n->code, (void *)(intptr_t)n->value);
		MsgDeliverEvent_r(n->rcvid, &ev);       /* a client gone meanwhile: ESRCH */
		unlink_arm(pp);
	}
}

void resmgr_notify_drop(resmgr_notifyq_t *q, const iofunc_ocb_t *ocb)
{
	resmgr_notify_t **pp = &q->head;

	while (*pp) {
		if ((*pp)->ocb == ocb)
			unlink_arm(pp);
		else
			pp = &(*pp)->next;
	}
}

int iofunc_notify_default(resmgr_context_t *ctp, const struct _io_notify *msg,
			  iofunc_ocb_t *ocb)
{
	(void)ocb;
	return resmgr_reply(ctp, (long)(msg->events & (_NOTIFY_IN | _NOTIFY_RDNORM | _NOTIFY_OUT |
							 _NOTIFY_WRNORM)), NULL, 0);
}
