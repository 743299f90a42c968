/* Signal sets (POSIX.1-2017 sigemptyset and friends): signal n is bit
 * n - 1 of the two 32-bit words. */
#include <errno.h>
#include <signal.h>

static int bad(int sig)
{
	if (sig < _SIGMIN || sig > _SIGMAX) {
		errno = EINVAL;
		return 1;
	}
	return 0;
}

int sigemptyset(sigset_t *set)
{
	set->__bits[0] = set->__bits[1] = 0;
	return 0;
}

int sigfillset(sigset_t *set)
{
	set->__bits[0] = set->__bits[1] = ~0u;
	return 0;
}

int sigaddset(sigset_t *set, int sig)
{
	if (bad(sig))
		return -1;
	set->__bits[(sig - 1) / 32] |= 1u << ((sig - 1) % 32);
	return 0;
}

int sigdelset(sigset_t *set, int sig)
{
	if (bad(sig))
		return -1;
	set->__bits[(sig - 1) / 32] &= ~(1u << ((sig - 1) % 32));
	return 0;
}

int sigismember(const sigset_t *set, int sig)
{
	if (bad(sig))
		return -1;
	return (set->__bits[(sig - 1) / 32] >> ((sig - 1) % 32)) & 1;
}
