/* Controlling terminals and terminal access control (ttyctl.h). */
#include <errno.h>
#include <time.h>
#include <keel/neutrino.h>
#include <keel/iomsg.h>
#include "ttyctl.h"

void tty_open_ctty(resmgr_context_t *ctp, const char *path, int32_t *sid, int32_t *pgrp)
{
	if (resmgr_set_ctty(ctp->info.pid, path) != 0 || *sid == ctp->info.pid)
		return;
	/* A session leader's pid is its session's id and its group's. */
	*sid = *pgrp = ctp->info.pid;
}

/* Is the client of ctp in session sid but not in group pgrp?  *ci filled. */
static bool background(resmgr_context_t *ctp, int32_t sid, int32_t pgrp, struct _client_info *ci)
{
	if (sid <= 0 || pgrp <= 0 || iofunc_client_info(ctp, ci))
		return false;
	return ci->sid == sid && ci->pgid > 0 && ci->pgid != pgrp;
}

int tty_read_access(resmgr_context_t *ctp, int32_t sid, int32_t pgrp)
{
	struct _client_info ci;

	return background(ctp, sid, pgrp, &ci) ? _IO_ERR_BACKGROUND : 0;
}

int tty_write_access(resmgr_context_t *ctp, int32_t sid, int32_t pgrp)
{
	struct _client_info ci;

	return background(ctp, sid, pgrp, &ci) && !(ci.flags & _NTO_CI_TTOU_IGNORED) &&
	       !(ctp->msg.hdr.xflags & _IO_XFLAG_TTOU_BLOCKED) ? _IO_ERR_BACKGROUND : 0;
}

bool tty_devctl_changes(unsigned dcmd)
{
	switch (dcmd) {
	case _DCMD_TERM_SETATTR: case _DCMD_TERM_SETATTRW: case _DCMD_TERM_SETATTRF:
	case _DCMD_TERM_FLUSH: case _DCMD_TERM_DRAIN: case _DCMD_TERM_SETPGRP:
	case _DCMD_TERM_SETWINSZ:
		return true;
	default:
		return false;
	}
}

int tty_set_pgrp(resmgr_context_t *ctp, const struct _io_devctl *m, int32_t sid, int32_t *pgrp)
{
	struct _client_info ci;
	int32_t pg;
	int r = resmgr_devctl_in(ctp, m, &pg, sizeof pg);

	if (r)
		return r;
	if (pg <= 0)
		return EINVAL;
	/* POSIX tcsetpgrp: only for the caller's controlling terminal, and
	 * only to a group of its session.  (The server signals the group it
	 * is told, as root: anyone else's choice would be anyone's victim.) */
	if ((r = iofunc_client_info(ctp, &ci)))
		return r;
	if (sid <= 0 || ci.sid != sid)
		return ENOTTY;
	if (resmgr_group_in_session(pg, sid) != 1)
		return EPERM;
	*pgrp = pg;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void tty_timer_arm(struct tty_timer *t, unsigned deciseconds)
{
	struct _itimer it = { .nsec = (uint64_t)deciseconds * 100000000ull };

	if (t->id < 0)
		return;
	/* The deadline first: the timer cannot expire before it, so a pulse
	 * at or after it is this setting's. */
	t->deadline = deciseconds ? now_ns() + it.nsec : 0;
	TimerSettime_r(t->id, 0, &it, NULL);
}

bool tty_timer_due(struct tty_timer *t)
{
	if (!t->deadline || now_ns() < t->deadline)
		return false;
	t->deadline = 0;
	return true;
}
