/* sysconf (POSIX.1-2017): the limits and options of this libc and kernel.
 * OPEN_MAX is the process's RLIMIT_NOFILE (the kernel's 256 connections
 * at most). */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sys/resource.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>
#include "libc.h"

long sysconf(int name)
{
	switch (name) {
	case _SC_ARG_MAX:            return 256 * 1024;     /* _PROC_SPAWN_MAX */
	case _SC_CHILD_MAX:          return 1024;
	case _SC_CLK_TCK:            return CLOCKS_PER_SEC; /* times(): us ticks */
	case _SC_NGROUPS_MAX:        return _NTO_CLIENT_NGROUPS;
	case _SC_OPEN_MAX: {                                /* the process's fd limit */
		struct rlimit rl;
		return getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ?
		       (long)rl.rlim_cur : 256;
	}
	case _SC_PAGESIZE:           return 4096;
	case _SC_SEM_VALUE_MAX:      return SEM_VALUE_MAX;
	case _SC_THREAD_KEYS_MAX:    return PTHREAD_KEYS_MAX;
	case _SC_THREAD_STACK_MIN:   return PTHREAD_STACK_MIN;
	case _SC_HOST_NAME_MAX:      return 64;
	case _SC_IOV_MAX:            return IOV_MAX;        /* <limits.h>: the kernel's parts less one */
	case _SC_LINE_MAX:           return 2048;
	case _SC_VERSION:            return 200809L;
	case _SC_THREADS:            return _POSIX_THREADS;
	case _SC_TIMERS:             return _POSIX_TIMERS;
	case _SC_SEMAPHORES:         return _POSIX_SEMAPHORES;
	case _SC_MONOTONIC_CLOCK:    return _POSIX_MONOTONIC_CLOCK;
	case _SC_SPIN_LOCKS:         return _POSIX_SPIN_LOCKS;
	case _SC_BARRIERS:           return _POSIX_BARRIERS;
	case _SC_READER_WRITER_LOCKS: return _POSIX_READER_WRITER_LOCKS;
	case _SC_SPAWN:              return 200809L;
	default:
		errno = EINVAL;
		return -1;
	}
}
