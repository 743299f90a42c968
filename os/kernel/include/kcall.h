#pragma once
/* Kernel call dispatch (the table itself is expanded from <keel/kcall.h>). */
#include <stdint.h>

/* Run kernel call n for the current user thread; returns its result (a
 * negative errno on failure, -ENOSYS for an unknown number). */
long kcall_dispatch(uint64_t n, long a0, long a1, long a2, long a3, long a4, long a5);

/* The deadline TimerTimeout set for a wait in STATE_<state> during the
 * current kernel call, or WAIT_FOREVER. */
uint64_t kcall_deadline(uint32_t state);
