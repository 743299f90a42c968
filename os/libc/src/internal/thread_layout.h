#pragma once
/* The size of every thread's record (struct __pthread, which sits just
 * below the thread's tp), for crt0.S: a multiple of 16 so that sp stays
 * aligned.  Only #defines here, so assembly may include it; libc.h checks
 * the struct fits. */
#define KEEL_THREAD_RECORD_SIZE 1792
