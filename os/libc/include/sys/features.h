#pragma once
/* The package's feature macros, plus the POSIX options Keel's libc
 * provides (the package defines them only for its own hosted targets).
 * Headers test these to declare clock_gettime, nanosleep, timer_create,
 * the pthread and semaphore interfaces.  sysconf reports the same set. */
#include_next <sys/features.h>

#define _POSIX_THREADS                    200809L
#define _POSIX_THREAD_SAFE_FUNCTIONS      200809L
#define _POSIX_THREAD_ATTR_STACKADDR      200809L
#define _POSIX_THREAD_ATTR_STACKSIZE      200809L
#define _POSIX_THREAD_PRIORITY_SCHEDULING 200809L
#define _POSIX_THREAD_PRIO_INHERIT        200809L
#define _POSIX_THREAD_CPUTIME             200809L
#define _POSIX_PRIORITY_SCHEDULING        200809L
#define _POSIX_TIMERS                     200809L
#define _POSIX_TIMEOUTS                   200809L
#define _POSIX_MONOTONIC_CLOCK            200809L
#define _POSIX_CLOCK_SELECTION            200809L
#define _POSIX_CPUTIME                    200809L
#define _POSIX_SEMAPHORES                 200809L
#define _POSIX_BARRIERS                   200809L
#define _POSIX_SPIN_LOCKS                 200809L
#define _POSIX_READER_WRITER_LOCKS        200809L
