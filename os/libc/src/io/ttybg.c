/* A terminal answered _IO_ERR_BACKGROUND (<keel/iomsg.h>): the caller is
 * in the terminal's session but not in its foreground process group
 * (POSIX.1 11.1.4).  SIGTTIN (a read) or SIGTTOU (a write with TOSTOP, a
 * change of the settings) goes to the caller's process group, whose
 * default action stops it; the caller asks again when it runs on.  A
 * caller that ignores or blocks the signal gets EIO instead (the terminal
 * already lets a writer that ignores SIGTTOU through; one that blocks it
 * gets EIO here, where POSIX lets it write).  Not checked: whether the
 * group is orphaned (POSIX: EIO); such a group stops until someone
 * continues it. */
#include <errno.h>
#include <signal.h>
#include "libc.h"

long __tty_background(int signo)
{
	struct sigaction sa;
	sigset_t mask;

	if (sigaction(signo, NULL, &sa) < 0 || sa.sa_handler == SIG_IGN ||
	    sigprocmask(SIG_BLOCK, NULL, &mask) < 0 || sigismember(&mask, signo))
		return -EIO;
	kill(0, signo);
	return 0;
}
