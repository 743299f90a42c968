#pragma once
/* Threads: ThreadCreate attributes and the thread states that TimerTimeout
 * names.  See <keel/start.h> for the registers a new thread starts with. */
#include <stddef.h>
#include <stdint.h>
#include "sched.h"

/* _thread_attr.flags (Keel's own values). */
#define _NTO_TA_DETACHED        0x0001u  /* nobody joins it; its slot goes at exit */
#define _NTO_TA_EXPLICIT_SCHED  0x0002u  /* take policy and param from the attr */

/* ThreadCreate's fourth argument (NULL is EINVAL: Keel's kernel does not
 * allocate user stacks). */
struct _thread_attr {
	uint32_t flags;                 /* _NTO_TA_* */
	int32_t policy;                 /* with _NTO_TA_EXPLICIT_SCHED: SCHED_* */
	struct sched_param param;       /* with _NTO_TA_EXPLICIT_SCHED */
	void *stackaddr;                /* lowest byte of the stack */
	size_t stacksize;               /* bytes; the thread starts at the top */
	void (*exitfunc)(void *status); /* ra of the new thread: func's return lands here */
	void *tls;                      /* tp of the new thread */
};

_Static_assert(sizeof(struct _thread_attr) == 72, "struct _thread_attr layout");
_Static_assert(offsetof(struct _thread_attr, stackaddr) == 40, "struct _thread_attr layout");

/* ThreadCtl(cmd, data) commands (QNX values; the calling thread only):
 *   _NTO_TCTL_RUNMASK              data is the mask itself (bit i: the hart of
 *                                  dense index i, as SysInfo counts them): the
 *                                  thread runs only there from now on, and moves
 *                                  at once if it is elsewhere
 *   _NTO_TCTL_RUNMASK_GET_AND_SET  data is a uint64_t *: the mask to set in (0:
 *                                  keep it), the mask before out
 * Bits of harts that do not exist are dropped.  Errors: EINVAL for another
 * cmd or a mask with no hart left, EFAULT for a bad pointer.  New threads
 * may run anywhere. */
#define _NTO_TCTL_RUNMASK              4
#define _NTO_TCTL_RUNMASK_GET_AND_SET  6

/* Thread states (QNX values); TimerTimeout's flags are 1 << STATE_*. */
#define STATE_DEAD        0
#define STATE_RUNNING     1
#define STATE_READY       2
#define STATE_STOPPED     3
#define STATE_SEND        4
#define STATE_RECEIVE     5
#define STATE_REPLY       6
#define STATE_STACK       7
#define STATE_WAITTHREAD  8
#define STATE_WAITPAGE    9
#define STATE_SIGSUSPEND  10
#define STATE_SIGWAITINFO 11
#define STATE_NANOSLEEP   12
#define STATE_MUTEX       13
#define STATE_CONDVAR     14
#define STATE_JOIN        15
#define STATE_INTR        16
#define STATE_SEM         17

/* A state's QNX name ("REPLY"), or "?" for a value past STATE_SEM. */
static inline const char *thread_state_name(unsigned state)
{
	static const char *const names[] = {
		"DEAD", "RUNNING", "READY", "STOPPED", "SEND", "RECEIVE", "REPLY", "STACK",
		"WAITTHREAD", "WAITPAGE", "SIGSUSPEND", "SIGWAITINFO", "NANOSLEEP", "MUTEX",
		"CONDVAR", "JOIN", "INTR", "SEM",
	};

	return state < sizeof names / sizeof names[0] ? names[state] : "?";
}
