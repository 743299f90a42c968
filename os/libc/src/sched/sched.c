/* Scheduling (POSIX.1-2017 sched_*, pthread_getschedparam): SchedGet and
 * SchedSet on the kernel's priorities 1..255 (63 for unprivileged callers). */
#include <errno.h>
#include <sched.h>
#include "libc.h"

int sched_yield(void)
{
	SchedYield_r();
	return 0;
}

static bool policy_ok(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR || policy == SCHED_OTHER;
}

int sched_get_priority_max(int policy)
{
	if (!policy_ok(policy)) {
		errno = EINVAL;
		return -1;
	}
	return SCHED_PRIO_USER_MAX;
}

int sched_get_priority_min(int policy)
{
	if (!policy_ok(policy)) {
		errno = EINVAL;
		return -1;
	}
	return SCHED_PRIO_MIN;
}

int sched_getparam(pid_t pid, struct sched_param *param)
{
	return SchedGet(pid, 0, param) < 0 ? -1 : 0;
}

int sched_getscheduler(pid_t pid)
{
	struct sched_param p;

	return (int)__syscall_ret(SchedGet_r(pid, 0, &p));
}

int sched_setparam(pid_t pid, const struct sched_param *param)
{
	return SchedSet(pid, 0, SCHED_NOCHANGE, param) < 0 ? -1 : 0;
}

int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param)
{
	struct sched_param old;
	int prev = SchedGet(pid, 0, &old);

	if (prev < 0)
		return -1;
	if (!policy_ok(policy)) {
		errno = EINVAL;
		return -1;
	}
	return SchedSet(pid, 0, policy, param) < 0 ? -1 : prev;
}

int sched_rr_get_interval(pid_t pid, struct timespec *interval)
{
	(void)pid;
	if (!interval) {
		errno = EFAULT;
		return -1;
	}
	interval->tv_sec = 0;
	interval->tv_nsec = 40000000;   /* 4 ticks of 10 ms: the kernel's RR slice */
	return 0;
}

int pthread_getschedparam(pthread_t t, int *policy, struct sched_param *param)
{
	if (!t || t->self != t)
		return ESRCH;
	int r = SchedGet_r(0, (int)t->tid, param);
	if (r < 0)
		return -r;
	*policy = r;
	return 0;
}

int pthread_setschedparam(pthread_t t, int policy, const struct sched_param *param)
{
	if (!t || t->self != t)
		return ESRCH;
	if (!policy_ok(policy) || !param)
		return EINVAL;
	int r = SchedSet_r(0, (int)t->tid, policy, param);
	return r < 0 ? -r : 0;
}

int pthread_setschedprio(pthread_t t, int prio)
{
	struct sched_param p = { .sched_priority = prio };

	if (!t || t->self != t)
		return ESRCH;
	int r = SchedSet_r(0, (int)t->tid, SCHED_NOCHANGE, &p);
	return r < 0 ? -r : 0;
}
