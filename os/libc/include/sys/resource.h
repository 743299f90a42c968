#pragma once
/* <sys/resource.h>: the package's struct rusage, plus resource limits on
 * taskman's numbers (<keel/procmsg.h> _PROC_RLIMIT_*). */
#include_next <sys/resource.h>
#include <stdint.h>

typedef uint64_t rlim_t;

struct rlimit {
	rlim_t rlim_cur;
	rlim_t rlim_max;
};

#define RLIM_INFINITY   (~(rlim_t)0)
#define RLIM_SAVED_MAX  RLIM_INFINITY
#define RLIM_SAVED_CUR  RLIM_INFINITY

#define RLIMIT_CORE    0
#define RLIMIT_CPU     1
#define RLIMIT_DATA    2
#define RLIMIT_FSIZE   3
#define RLIMIT_NOFILE  4
#define RLIMIT_STACK   5
#define RLIMIT_AS      6
#define RLIMIT_NPROC   7

int getrlimit(int resource, struct rlimit *rl);
int setrlimit(int resource, const struct rlimit *rl);
