/* Sending signals (POSIX.1-2017 kill, killpg, raise, sigqueue, pthread_kill):
 * SignalKill, which takes a process (pid > 0), a process group (pid < 0)
 * or a thread of the caller's own process. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include <pthread.h>
#include "libc.h"

int kill(pid_t pid, int sig)
{
	if (pid == -1)
		return (int)__syscall_ret(-ENOSYS);     /* every process: not offered */
	if (pid == 0) {
		/* The caller's group; a failed look-up (-1) must not become
		 * pid 1, taskman. */
		pid_t g = getpgrp();
		if (g <= 0)
			return g < 0 ? -1 : (int)__syscall_ret(-ESRCH);
		pid = -g;
	}
	return (int)__syscall_ret(SignalKill_r(pid, 0, sig, SI_USER, 0));
}

int killpg(pid_t pgrp, int sig)
{
	if (pgrp <= 1)
		return (int)__syscall_ret(-EINVAL);
	return (int)__syscall_ret(SignalKill_r(-pgrp, 0, sig, SI_USER, 0));
}

/* The calling thread gets it, before raise returns (when not blocked). */
int raise(int sig)
{
	return (int)__syscall_ret(SignalKill_r(getpid(), (int)__tid(), sig, SI_USER, 0));
}

int sigqueue(pid_t pid, int sig, const union sigval value)
{
	return (int)__syscall_ret(SignalKill_r(pid, 0, sig, SI_QUEUE, (intptr_t)value.sival_ptr));
}

/* A thread of the caller's own process (POSIX.1-2017 pthread_kill): the
 * error is returned, errno is left alone; signal 0 only checks. */
int pthread_kill(pthread_t t, int sig)
{
	if (!t || t->self != t)
		return ESRCH;
	long r = SignalKill_r(getpid(), (int)__atomic_load_n(&t->tid, __ATOMIC_RELAXED), sig,
			      SI_USER, 0);
	return r < 0 ? (int)-r : 0;
}
