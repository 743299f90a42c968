#pragma once
/* KTAP output for on-target test programs, in the shape the farm collects
 * (one pytest result per case):
 *
 *   KTAP version 1
 *   1..N
 *   ok 1 name            (or "not ok 1 name", with "# ..." diagnostics before)
 *   ...
 *   <suite>: done: P passed, F failed
 *
 * Either list the cases in a table and call ktap_run(), whose cases report
 * failures through the KTAP_* checks, or drive it by hand with ktap_plan(),
 * ktap_ok() and ktap_done().  Results may come from any thread: the counters
 * are atomic and every line is written whole. */
#include <stdbool.h>
#include <stddef.h>

struct ktap_case {
	const char *name;
	void (*fn)(void);
};

/* "KTAP version 1" and the plan line "1..n". */
void ktap_plan(unsigned n);
/* "ok N name" or "not ok N name" with the next number; returns ok. */
bool ktap_ok(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "# " and the text, as one line. */
void ktap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Marks the running table case failed and prints "# file:line: text". */
void ktap_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The running table case cannot run here: it reports "ok N name # SKIP
 * reason" instead (unless it also failed).  The case returns after this. */
void ktap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* By hand: "ok N name # SKIP why" with the next number (counted as passed,
 * as a skipped table case). */
void ktap_skipped(const char *name, const char *why);
/* Plans n cases, runs them in order, one result line each.  Returns the
 * number that failed. */
int ktap_run(const struct ktap_case *cases, size_t n);
/* "<suite>: done: P passed, F failed" over every result so far; returns F. */
int ktap_done(const char *suite);

#define KTAP_CHECK(c) do { \
	if (!(c)) ktap_fail(__FILE__, __LINE__, "%s", #c); \
} while (0)
/* Returns from the case when c is false. */
#define KTAP_REQUIRE(c) do { \
	if (!(c)) { ktap_fail(__FILE__, __LINE__, "%s", #c); return; } \
} while (0)
#define KTAP_EQ(a, b) do { \
	long a_ = (long)(a), b_ = (long)(b); \
	if (a_ != b_) ktap_fail(__FILE__, __LINE__, "%s == %s: %ld (0x%lx) != %ld (0x%lx)", \
				#a, #b, a_, (unsigned long)a_, b_, (unsigned long)b_); \
} while (0)
