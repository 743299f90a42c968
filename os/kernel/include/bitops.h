#pragma once
/* Bit scans without libgcc (whose multilib here is hard-float). */
#include <stdint.h>

/* Index of the highest set bit of x (x != 0). */
static inline int bit_highest(uint64_t x)
{
	int n = 0;

	for (int s = 32; s; s >>= 1)
		if (x >> s) {
			x >>= s;
			n += s;
		}
	return n;
}

/* Index of the lowest set bit of x (x != 0). */
static inline int bit_lowest(uint64_t x)
{
	return bit_highest(x & -x);
}
