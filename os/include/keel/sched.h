#pragma once
/* Scheduling: policies and parameters of SchedGet/SchedSet and thread
 * attributes.  Names and values follow QNX Neutrino. */
#include <stdint.h>

/* Policies (QNX values). */
#define SCHED_NOCHANGE     0       /* SchedSet: keep the current policy */
#define SCHED_FIFO         1
#define SCHED_RR           2
#define SCHED_OTHER        3

/* Priorities: 0 is the idle thread's; 255 the highest (QNX range).  Keel's
 * limit for unprivileged processes is Keel's own choice. */
#define SCHED_PRIO_MIN     1
#define SCHED_PRIO_MAX     255
#define SCHED_PRIO_USER_MAX 63

struct sched_param {
	int32_t sched_priority;         /* base priority */
	int32_t sched_curpriority;      /* SchedGet: effective (inherited) priority */
	int32_t reserved[6];            /* sporadic server parameters later; 0 */
};

_Static_assert(sizeof(struct sched_param) == 32, "struct sched_param layout");
