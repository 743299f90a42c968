/* A terminal answered _IO_ERR_BACKGROUND (<keel/iomsg.h>): the caller is
 * in the terminal's session but not in its foreground process group
 * (POSIX.1 11.1.4).  For a read: EIO if the caller ignores or blocks
 * SIGTTIN or its group is orphaned, else SIGTTIN to its group (whose
 * default action stops it) and the caller asks again when it runs on.  For
 * a write with TOSTOP or a change of the settings: a caller that ignores or
 * blocks SIGTTOU goes through (1: ask again with _IO_XFLAG_TTOU_BLOCKED);
 * else EIO if its group is orphaned, else SIGTTOU and again.  An orphaned
 * group is taskman's answer (_PROC_GETIDS_ORPHANED). */
#include <errno.h>
#include <signal.h>
#include <keel/procmsg.h>
#include "libc.h"

static bool orphaned(void)
{
	struct _proc_ids_req m = { .hdr = { .type = _PROC_GETIDS,
					    .subtype = _PROC_GETIDS_ORPHANED } };
	int tm = __taskman_coid();

	return tm >= 0 && MsgSend_r(tm, &m, sizeof m, NULL, 0) == 1;
}

long __tty_background(int signo)
{
	struct sigaction sa;
	sigset_t mask;

	if (sigaction(signo, NULL, &sa) < 0 || sa.sa_handler == SIG_IGN ||
	    sigprocmask(SIG_BLOCK, NULL, &mask) < 0 || sigismember(&mask, signo))
		return signo == SIGTTOU ? 1 : -EIO;
	if (orphaned())
		return -EIO;
	kill(0, signo);
	return 0;
}
