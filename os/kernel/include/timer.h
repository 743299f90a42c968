#pragma once
/* Time: the timebase counter and the per-hart tick. */
#include <stdint.h>

struct process;
struct thread;

#define HZ 100

extern uint64_t timebase_hz;

void timer_init_hart(void);             /* arm this hart's periodic tick */
uint64_t ns_to_ticks(uint64_t ns);      /* nanoseconds to timebase ticks */
uint64_t ticks_to_ns(uint64_t ticks);   /* timebase ticks to nanoseconds */
uint64_t time_ns(void);                 /* monotonic nanoseconds since reset */
void delay_us(uint64_t us);             /* busy wait */

#define CLOCK_REALTIME  0               /* QNX clock ids */
#define CLOCK_MONOTONIC 2
/* Nanoseconds of clock `id`, or -1 for an unknown clock. */
int64_t clock_get(int id);
/* Set CLOCK_REALTIME; 0 or -1 for another clock. */
int clock_set(int id, int64_t ns);
/* CPU-time clocks (cputime.c): nanoseconds run by the process or thread
 * that clock `id` names (CLOCK_*_CPUTIME_ID: the caller's), or -1 if id
 * is not a CPU-time clock or names nothing alive. */
int64_t cputime_get(int id);
/* The id of process pid's CPU-time clock, or of its thread t's when t is
 * not NULL. */
long cputime_clock_id(uint32_t pid, const struct thread *t);
#define CPUCLOCK_PID_MAX 0xffffffu      /* the largest pid a process clock names */
