#pragma once
/* <time.h> with Keel's clock ids: the package's header with its CLOCK_*
 * and TIMER_ABSTIME replaced by the kernel ABI's values (<keel/clock.h>,
 * spelled identically here so that both headers may be included in any
 * order), and the declarations the package leaves out. */
#undef CLOCK_REALTIME
#undef CLOCK_MONOTONIC
#undef CLOCK_PROCESS_CPUTIME_ID
#undef CLOCK_THREAD_CPUTIME_ID
#undef TIMER_ABSTIME
#include_next <time.h>
#undef CLOCK_REALTIME
#undef CLOCK_MONOTONIC
#undef CLOCK_PROCESS_CPUTIME_ID
#undef CLOCK_THREAD_CPUTIME_ID
#undef CLOCK_REALTIME_COARSE
#undef CLOCK_MONOTONIC_RAW
#undef CLOCK_MONOTONIC_COARSE
#undef CLOCK_BOOTTIME
#undef CLOCK_REALTIME_ALARM
#undef CLOCK_BOOTTIME_ALARM
#undef TIMER_ABSTIME
#define CLOCK_REALTIME            0
#define CLOCK_MONOTONIC           2
#define CLOCK_PROCESS_CPUTIME_ID  3     /* the caller's process */
#define CLOCK_THREAD_CPUTIME_ID   4     /* the calling thread */
#define TIMER_ABSTIME             0x80000000u
