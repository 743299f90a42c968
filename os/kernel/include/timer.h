#pragma once
/* Time: the timebase counter and the per-hart tick. */
#include <stdint.h>

#define HZ 100

extern uint64_t timebase_hz;

void timer_init_hart(void);             /* arm this hart's periodic tick */
void timer_handle(void);                /* timer interrupt on this hart */
uint64_t time_ns(void);                 /* monotonic nanoseconds since reset */
void delay_us(uint64_t us);             /* busy wait */
