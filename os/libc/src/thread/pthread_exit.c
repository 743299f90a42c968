/* pthread_exit: cleanup handlers, then thread-specific-data destructors,
 * then the thread ends.  A joinable thread leaves its record for the
 * joiner; a detached one puts itself on the reaper's list. */
#include "libc.h"

void __pthread_bury(struct __pthread *t);

void pthread_exit(void *value)
{
	struct __pthread *t = __self();

	__atomic_fetch_or(&t->cancel, __CANCEL_DISABLED, __ATOMIC_ACQ_REL);    /* none in the handlers */
	while (t->cleanup) {
		struct __cleanup *c = t->cleanup;
		t->cleanup = c->next;
		c->fn(c->arg);
	}
	__tsd_run_dtors();
	__poll_channel_drop(false);
	t->result = value;
	int32_t joinable = __T_JOINABLE;
	if (!__atomic_compare_exchange_n(&t->state, &joinable, __T_EXITING, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		__pthread_bury(t);
	for (;;)
		ThreadDestroy_r(0, -1, value);
}
