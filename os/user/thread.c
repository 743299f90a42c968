/* Thread creation with a caller-supplied stack, and thread exit. */
#include "urt.h"

void urt_thread_exit(void *status)
{
	ThreadDestroy_r(0, -1, status);
	for (;;)                        /* ThreadDestroy of oneself does not return */
		ProcessExit(EFAULT);
}

/* exitfunc of every thread: func's return value arrives as status. */
static void thread_return(void *status)
{
	urt_thread_exit(status);
}

int urt_thread_create(void *(*func)(void *), void *arg, void *stack, size_t size, int prio)
{
	struct _thread_attr attr = {
		.stackaddr = stack,
		.stacksize = size,
		.exitfunc = thread_return,
	};

	if (prio > 0) {
		attr.flags = _NTO_TA_EXPLICIT_SCHED;
		attr.policy = SCHED_RR;
		attr.param.sched_priority = prio;
	}
	return ThreadCreate_r(0, func, arg, &attr);
}
