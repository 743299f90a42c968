#pragma once
/* Host definition of pmm_bad_free(): records the call instead of panicking. */
#include <stdint.h>

struct bad_free_log {
	unsigned count;
	uint64_t pa;           /* of the last call */
	const char *why;       /* of the last call */
};

extern struct bad_free_log bad_free_log;
