#pragma once
/* Kernel benchmarks (the `kbench` command line word). */
#include <stdint.h>

void kbench_run(void);
/* Timer-interrupt cost accounting, kept by the trap path while enabled. */
void kbench_timer_reset(void);
void kbench_timer_read(uint64_t *instr, uint64_t *count);
