#pragma once
/* A small KTAP producer for host unit tests.  A test program lists its cases
 * in a table and returns kt_run(); a case fails if any KT_ check fails (the
 * checks after it still run, except KT_REQUIRE, which returns). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct kt_case {
	const char *name;
	void (*fn)(const void *arg);
	const void *arg;
};

/* Marks the running case failed and prints a "# file:line: ..." diagnostic. */
void kt_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define KT_CHECK(c) do { if (!(c)) kt_fail(__FILE__, __LINE__, "%s", #c); } while (0)
#define KT_REQUIRE(c) do { if (!(c)) { kt_fail(__FILE__, __LINE__, "%s", #c); return; } } while (0)
#define KT_EQ(a, b) do { \
	unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
	if (a_ != b_) kt_fail(__FILE__, __LINE__, "%s == %s: 0x%llx != 0x%llx", #a, #b, a_, b_); \
} while (0)
#define KT_STREQ(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_) != 0) \
		kt_fail(__FILE__, __LINE__, "%s == \"%s\": got \"%s\"", #a, b_ ? b_ : "(null)", a_ ? a_ : "(null)"); \
} while (0)

/* Prints the KTAP header and plan, runs cases[0..n) in order, prints one
 * result line each.  Returns the process exit status: 0 if all passed. */
int kt_run(const struct kt_case *cases, size_t n);

/* Deterministic pseudo-random numbers (xorshift64*) for seeded tests. */
void kt_srand(uint64_t seed);
uint64_t kt_rand(void);

/* Fails the running case unless r[0..n) equals want[0..nwant). */
struct memrange;
void kt_expect_ranges(const struct memrange *r, int n, const struct memrange *want, int nwant,
		      const char *file, int line);
#define KT_RANGES(r, n, ...) do { \
	const struct memrange want_[] = { __VA_ARGS__ }; \
	kt_expect_ranges(r, n, want_, (int)KT_COUNT(want_), __FILE__, __LINE__); \
} while (0)

/* Number of entries of a static array. */
#define KT_COUNT(a) (sizeof(a) / sizeof((a)[0]))
