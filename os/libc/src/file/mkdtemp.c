/* mkdtemp (POSIX.1-2017): the template's trailing XXXXXX replaced by
 * characters from a sequence seeded with the clock and the pid until mkdir
 * makes a new directory (mode 0700).  Unguessable names are not promised
 * (mkdir refuses an existing name, so a guess costs a retry, not safety). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "libc.h"

#define TRIES 100

char *mkdtemp(char *tmpl)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	if (!__uptr_ok(tmpl, 1)) {
		errno = EFAULT;
		return NULL;
	}
	size_t len = strlen(tmpl);
	if (len < 6 || strcmp(tmpl + len - 6, "XXXXXX")) {
		errno = EINVAL;
		return NULL;
	}
	static uint64_t counter;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t x = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15u ^ (uint64_t)getpid() << 32 ^
		     __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	for (int t = 0; t < TRIES; t++) {
		for (int i = 0; i < 6; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			tmpl[len - 6 + i] = set[x % (sizeof set - 1)];
		}
		if (mkdir(tmpl, 0700) == 0)
			return tmpl;
		if (errno != EEXIST)
			break;
	}
	memcpy(tmpl + len - 6, "XXXXXX", 6);
	return NULL;
}
