#pragma once
/* <sched.h> on Keel: policies and struct sched_param from the kernel ABI. */
#define _SCHED_H_                       /* the package's header: not needed */
#include <sys/types.h>
#include <time.h>
#include <sys/sched.h>

#ifdef __cplusplus
extern "C" {
#endif

int sched_yield(void);
int sched_get_priority_max(int policy);
int sched_get_priority_min(int policy);
int sched_getparam(pid_t pid, struct sched_param *param);
int sched_setparam(pid_t pid, const struct sched_param *param);
int sched_getscheduler(pid_t pid);
int sched_setscheduler(pid_t pid, int policy, const struct sched_param *param);
int sched_rr_get_interval(pid_t pid, struct timespec *interval);

#ifdef __cplusplus
}
#endif
