/* KTAP output for host unit tests. */
#include <stdarg.h>
#include <stdio.h>
#include "ktap.h"
#include "memmap.h"

static bool failed;

void kt_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	failed = true;
	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

int kt_run(const struct kt_case *cases, size_t n)
{
	size_t i, nfail = 0;

	printf("KTAP version 1\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		failed = false;
		fflush(stdout);
		cases[i].fn(cases[i].arg);
		printf("%s %zu %s\n", failed ? "not ok" : "ok", i + 1, cases[i].name);
		nfail += failed;
	}
	fflush(stdout);
	return nfail ? 1 : 0;
}

static uint64_t rand_state = 1;

void kt_srand(uint64_t seed)
{
	rand_state = seed ? seed : 1;
}

uint64_t kt_rand(void)
{
	rand_state ^= rand_state >> 12;
	rand_state ^= rand_state << 25;
	rand_state ^= rand_state >> 27;
	return rand_state * 0x2545f4914f6cdd1dull;
}

void kt_expect_ranges(const struct memrange *r, int n, const struct memrange *want, int nwant,
		      const char *file, int line)
{
	int i;

	if (n != nwant) {
		kt_fail(file, line, "%d ranges, want %d", n, nwant);
		return;
	}
	for (i = 0; i < n; i++) {
		if (r[i].base != want[i].base || r[i].size != want[i].size)
			kt_fail(file, line, "range %d: 0x%llx+0x%llx, want 0x%llx+0x%llx", i,
				(unsigned long long)r[i].base, (unsigned long long)r[i].size,
				(unsigned long long)want[i].base, (unsigned long long)want[i].size);
	}
}
