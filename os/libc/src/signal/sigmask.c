/* Signal masks and waits (POSIX.1-2017 sigprocmask, pthread_sigmask,
 * sigpending, sigsuspend, sigwait, sigwaitinfo, sigtimedwait): the calling
 * thread's mask in the kernel (SignalProcmask, SignalSuspend,
 * SignalWaitinfo). */
#include <errno.h>
#include <signal.h>
#include "libc.h"

/* A set without SIGCANCEL, libc's own (thread/cancel.c): no user mask or
 * wait takes it. */
static const sigset_t *user_set(const sigset_t *set, sigset_t *copy)
{
	if (!set || !__uptr_ok(set, sizeof *set))
		return set;             /* the kernel reports the bad pointer */
	*copy = *set;
	sigdelset(copy, __SIGCANCEL);
	return copy;
}

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict oset)
{
	sigset_t copy;

	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return EINVAL;
	const sigset_t *s = user_set(set, &copy);
	int r = SignalProcmask_r(0, 0, set ? how : SIG_BLOCK, s, oset);
	if (r < 0)
		return -r;
	if (set && how == SIG_SETMASK)
		__self()->cancel_sigmasked = 0;         /* SIGCANCEL is unblocked by it */
	if (oset)
		sigdelset(oset, __SIGCANCEL);
	return 0;
}

int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict oset)
{
	int r = pthread_sigmask(how, set, oset);

	return r ? (int)__syscall_ret(-r) : 0;
}

int sigpending(sigset_t *set)
{
	int r = (int)__syscall_ret(SignalProcmask_r(0, 0, SIG_PENDING, NULL, set));

	if (r == 0)
		sigdelset(set, __SIGCANCEL);
	return r;
}

int sigsuspend(const sigset_t *mask)
{
	sigset_t copy;

	return (int)__syscall_ret(__kcall_cp(KCALL_SignalSuspend,
					     (long)user_set(mask, &copy), 0, 0, 0, 0, 0));
							/* always -1, EINTR */
}

static long wait_cp(const sigset_t *set, siginfo_t *info)
{
	sigset_t copy;

	return __kcall_cp(KCALL_SignalWaitinfo, (long)user_set(set, &copy), (long)info, 0, 0, 0, 0);
}

int sigwaitinfo(const sigset_t *restrict set, siginfo_t *restrict info)
{
	return (int)__syscall_ret(wait_cp(set, info));
}

int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict info,
		 const struct timespec *restrict timeout)
{
	uint64_t ns;
	int r = __timespec_ns(timeout, &ns);

	if (r < 0)
		return (int)__syscall_ret(r);
	TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_SIGWAITINFO, NULL, &ns, NULL);
	return (int)__syscall_ret(wait_cp(set, info));  /* EAGAIN on timeout */
}

int sigwait(const sigset_t *restrict set, int *restrict sig)
{
	int r;

	do
		r = (int)wait_cp(set, NULL);
	while (r == -EINTR);
	if (r < 0)
		return -r;
	*sig = r;
	return 0;
}
