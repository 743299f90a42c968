#pragma once
/* Clocks and timers: ClockTime, ClockId, TimerCreate, TimerSettime and
 * TimerTimeout.  Times are nanoseconds in a uint64_t.  Names and values
 * follow QNX Neutrino. */
#include <stdint.h>
#include "thread.h"

/* Clock ids (QNX values).  ClockId(pid, tid) returns further ids that name
 * a process's or thread's CPU time; their encoding is the kernel's.
 *
 *   ClockId(pid, tid)   pid 0: the caller's process; tid 0: the process's
 *                       clock, else that thread's (which must belong to
 *                       the process).  -> clock id > 0, usable with
 *                       ClockTime (read only: setting one is -EINVAL);
 *                       -ESRCH if the process or thread does not exist.
 *                       The id goes stale (-EINVAL from ClockTime) when
 *                       what it names ends.
 * CPU time counts from a thread's switch-in to its switch-out, kernel work
 * on its behalf included; a process's clock adds its ended threads. */
#define CLOCK_REALTIME            0
#define CLOCK_MONOTONIC           2
#define CLOCK_PROCESS_CPUTIME_ID  3     /* the caller's process */
#define CLOCK_THREAD_CPUTIME_ID   4     /* the calling thread */

/* Timers: TimerCreate(clock, event) -> id, -EAGAIN when the system's 64
 * are taken or the process holds 32.  TimerSettime(id, flags, new, old):
 * new.nsec 0 disarms; a period (interval_nsec) under 100 us is taken as
 * 100 us; old (if not NULL) gets the time to the next expiry and the
 * period in use (zeros when disarmed). */

/* TimerSettime flags (QNX value): nsec is an absolute time of the clock. */
#define TIMER_ABSTIME             0x80000000u

struct _itimer {
	uint64_t nsec;                  /* first expiry: relative, or absolute with TIMER_ABSTIME */
	uint64_t interval_nsec;         /* period after that; 0 for a one-shot */
};

_Static_assert(sizeof(struct _itimer) == 16, "struct _itimer layout");

/* TimerTimeout flags: the blocking states the timeout applies to, plus
 * TIMER_ABSTIME.  The timeout covers the calling thread's next blocking
 * call only and is cleared when that call returns (QNX semantics). */
#define _NTO_TIMEOUT_SEND         (1u << STATE_SEND)
#define _NTO_TIMEOUT_RECEIVE      (1u << STATE_RECEIVE)
#define _NTO_TIMEOUT_REPLY        (1u << STATE_REPLY)
#define _NTO_TIMEOUT_NANOSLEEP    (1u << STATE_NANOSLEEP)
#define _NTO_TIMEOUT_MUTEX        (1u << STATE_MUTEX)
#define _NTO_TIMEOUT_CONDVAR      (1u << STATE_CONDVAR)
#define _NTO_TIMEOUT_JOIN         (1u << STATE_JOIN)
#define _NTO_TIMEOUT_INTR         (1u << STATE_INTR)
#define _NTO_TIMEOUT_SEM          (1u << STATE_SEM)
#define _NTO_TIMEOUT_SIGSUSPEND   (1u << STATE_SIGSUSPEND)
#define _NTO_TIMEOUT_SIGWAITINFO  (1u << STATE_SIGWAITINFO)   /* ends with EAGAIN */
