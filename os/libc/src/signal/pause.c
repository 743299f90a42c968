/* pause (POSIX.1-2017): waits for a signal with the mask unchanged. */
#include <signal.h>
#include <unistd.h>

int pause(void)
{
	sigset_t cur;

	sigprocmask(SIG_BLOCK, NULL, &cur);
	return sigsuspend(&cur);
}
