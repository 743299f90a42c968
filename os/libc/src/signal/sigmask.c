/* Signal masks and waits (POSIX.1-2017 sigprocmask, pthread_sigmask,
 * sigpending, sigsuspend, sigwait, sigwaitinfo, sigtimedwait): the calling
 * thread's mask in the kernel (SignalProcmask, SignalSuspend,
 * SignalWaitinfo). */
#include <errno.h>
#include <signal.h>
#include "libc.h"

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict oset)
{
	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return EINVAL;
	int r = SignalProcmask_r(0, 0, set ? how : SIG_BLOCK, set, oset);
	return r < 0 ? -r : 0;
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict oset)
{
	int r = pthread_sigmask(how, set, oset);

	return r ? (int)__syscall_ret(-r) : 0;
}

int sigpending(sigset_t *set)
{
	return (int)__syscall_ret(SignalProcmask_r(0, 0, SIG_PENDING, NULL, set));
}

int sigsuspend(const sigset_t *mask)
{
	return (int)__syscall_ret(SignalSuspend_r(mask));      /* always -1, EINTR */
}

int sigwaitinfo(const sigset_t *restrict set, siginfo_t *restrict info)
{
	return (int)__syscall_ret(SignalWaitinfo_r(set, info));
}

int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict info,
		 const struct timespec *restrict timeout)
{
	uint64_t ns;
	int r = __timespec_ns(timeout, &ns);

	if (r < 0)
		return (int)__syscall_ret(r);
	TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SIGWAITINFO, NULL, &ns, NULL);
	return (int)__syscall_ret(SignalWaitinfo_r(set, info));  /* EAGAIN on timeout */
}

int sigwait(const sigset_t *restrict set, int *restrict sig)
{
	int r;

	do
		r = SignalWaitinfo_r(set, NULL);
	while (r == -EINTR);
	if (r < 0)
		return -r;
	*sig = r;
	return 0;
}
