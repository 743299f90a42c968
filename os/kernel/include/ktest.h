#pragma once
/* Kernel self-tests, run by the `ktest` command line word, reported as KTAP.
 * A case returns 0 on success; KT_* macros print a diagnostic and fail it. */
#include <stdint.h>

struct ktest_case {
	const char *name;
	int (*fn)(void);
};

#define KTEST(nm)                                                                   \
	static int ktest_##nm(void);                                                \
	static const struct ktest_case ktest_case_##nm                              \
		__attribute__((used, section("ktest_cases"), aligned(8))) = { #nm, ktest_##nm }; \
	static int ktest_##nm(void)

void ktest_diag(const char *file, int line, const char *what, uint64_t a, uint64_t b);

#define KT_ASSERT(c) do { if (!(c)) { ktest_diag(__FILE__, __LINE__, #c, 0, 0); return -1; } } while (0)
#define KT_EQ(x, y) do { uint64_t x_ = (uint64_t)(x), y_ = (uint64_t)(y); \
	if (x_ != y_) { ktest_diag(__FILE__, __LINE__, #x " == " #y, x_, y_); return -1; } } while (0)

/* A case that cannot run here (e.g. needs two harts) returns KT_SKIP(why). */
#define KTEST_SKIP 1
extern const char *ktest_skip_reason;
#define KT_SKIP(why) do { ktest_skip_reason = (why); return KTEST_SKIP; } while (0)

/* Run every case, print KTAP; returns the number of failures. */
int ktest_run_all(void);
