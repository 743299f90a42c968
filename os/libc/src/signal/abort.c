/* abort (POSIX.1-2017): abnormal termination with SIGABRT, unless a
 * handler catches it and does not return.  Blocking or ignoring SIGABRT
 * does not stop it: the package's raised the signal and, when that came
 * back, exited with status 1, which its parent took for an ordinary end. */
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

void abort(void)
{
	struct sigaction sa;
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGABRT);
	if (sigaction(SIGABRT, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN) {
		sa.sa_handler = SIG_DFL;
		sigaction(SIGABRT, &sa, NULL);
	}
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(SIGABRT);                         /* a handler runs here */
	/* It returned: the default action, whatever was set meanwhile. */
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sa.sa_handler = SIG_DFL;
	sigaction(SIGABRT, &sa, NULL);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	raise(SIGABRT);
	_exit(127);                             /* (not reached) */
}
