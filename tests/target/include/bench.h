#pragma once
/* The benchmark programs' common part: the instruction counter and
 * kbench's line format, which the farm records as figures:
 *   kbench: <operation>   N instructions/op  (R ops)
 * Under QEMU -icount shift=0 instret is one machine-wide count: every
 * hart's instructions, whoever runs them. */
#include <stdint.h>
#include <stdio.h>

static inline uint64_t instret(void)
{
	uint64_t n;

	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

/* The figure total / ops; the line goes out at once (the console may be
 * the figure's subject). */
static inline void report(const char *what, uint64_t total, long ops)
{
	printf("kbench: %-40s %8lu instructions/op  (%ld ops)\n", what,
	       (unsigned long)(total / (uint64_t)ops), ops);
	fflush(stdout);
}
