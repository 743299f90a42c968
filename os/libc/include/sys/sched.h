#pragma once
/* Scheduling policies and struct sched_param: the kernel ABI's
 * (<keel/sched.h>), which replaces the package's.  Priorities run from
 * SCHED_PRIO_MIN to SCHED_PRIO_USER_MAX for unprivileged threads. */
#define _SYS_SCHED_H_                   /* the package's header: not needed */
#include <keel/sched.h>
