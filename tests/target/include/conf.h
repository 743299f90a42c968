#pragma once
/* KTAP for the libc conformance programs (tests/target/conf-*), header only
 * (a directory of headers is not a program).  Output has the shape the
 * farm collects, one pytest result per case:
 *
 *   KTAP version 1
 *   1..N
 *   ok 1 pthread_mutex_lock/errorcheck_relock_is_EDEADLK
 *   ...
 *   conf-threads: done: P passed, F failed
 *
 * A case is named <XSH page>/<what it checks>: the part before the slash is
 * the POSIX.1-2017 System Interfaces page (the section) whose requirement
 * the case checks.  Every line is one write(2), so lines from different
 * threads never mix; failures print "# file:line: ..." before the result.
 *
 * Run by /bin/conf-all, a program is one subtest of its KTAP document:
 * KEEL_CONF_DEPTH=N in the environment indents every line by 4*N spaces
 * (read once, at the first line, before any case can change the
 * environment). */
#include <stdlib.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct conf_case {
	const char *name;
	void (*fn)(void);
};

/* One flag for the whole program: a case's checks may sit in any of its
 * files, and conf_run (in another) reads it.  Weak, so that every file that
 * includes this header defines the same one (a static here was one per file,
 * and a failed check outside the file that calls conf_run still read "ok"). */
__attribute__((weak)) int conf_failed_now;

/* Spaces before every line (KEEL_CONF_DEPTH); -1 until the first line.
 * Weak for the same reason as conf_failed_now. */
#define CONF_DEPTH_MAX 8
__attribute__((weak)) int conf_indent_now = -1;

/* The indentation of this program's lines: 4 spaces per KEEL_CONF_DEPTH. */
__attribute__((unused)) static int conf_indent(void)
{
	int n = __atomic_load_n(&conf_indent_now, __ATOMIC_RELAXED);

	if (n < 0) {
		const char *d = getenv("KEEL_CONF_DEPTH");
		int depth = d ? atoi(d) : 0;
		n = 4 * (depth < 0 ? 0 : depth > CONF_DEPTH_MAX ? CONF_DEPTH_MAX : depth);
		__atomic_store_n(&conf_indent_now, n, __ATOMIC_RELAXED);
	}
	return n;
}

__attribute__((format(printf, 1, 2), unused)) static void conf_line(const char *fmt, ...)
{
	char buf[512];
	int indent = conf_indent();
	va_list ap;

	memset(buf, ' ', (size_t)indent);
	va_start(ap, fmt);
	int n = vsnprintf(buf + indent, sizeof buf - 1 - (size_t)indent, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += indent;
	if (n > (int)sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	write(1, buf, (size_t)n);
}

#define CONF_FAIL(...) do { \
	__atomic_store_n(&conf_failed_now, 1, __ATOMIC_RELAXED); \
	char conf_msg_[256]; \
	snprintf(conf_msg_, sizeof conf_msg_, __VA_ARGS__); \
	conf_line("# %s:%d: %s", __FILE__, __LINE__, conf_msg_); \
} while (0)

#define CHECK(c) do { if (!(c)) CONF_FAIL("%s", #c); } while (0)
#define REQUIRE(c) do { if (!(c)) { CONF_FAIL("%s", #c); return; } } while (0)
#define CHECK_EQ(a, b) do { \
	long a_ = (long)(a), b_ = (long)(b); \
	if (a_ != b_) CONF_FAIL("%s == %s: %ld != %ld", #a, #b, a_, b_); \
} while (0)
/* expr is -1 with errno e (errno cleared first). */
#define CHECK_ERR(expr, e) do { \
	errno = 0; \
	long r_ = (long)(expr); \
	int e_ = errno; \
	if (r_ != -1 || e_ != (e)) \
		CONF_FAIL("%s: %ld errno %d (%s), want -1 errno %d (%s)", #expr, r_, e_, \
			  strerror(e_), (e), strerror(e)); \
} while (0)

__attribute__((unused)) static int conf_run(const char *suite, const struct conf_case *cases,
					    size_t n)
{
	int passed = 0, failed = 0;

	conf_line("KTAP version 1");
	conf_line("1..%zu", n);
	for (size_t i = 0; i < n; i++) {
		__atomic_store_n(&conf_failed_now, 0, __ATOMIC_RELAXED);
		cases[i].fn();
		bool ok = !__atomic_load_n(&conf_failed_now, __ATOMIC_RELAXED);
		conf_line("%s %zu %s", ok ? "ok" : "not ok", i + 1, cases[i].name);
		ok ? passed++ : failed++;
	}
	conf_line("%s: done: %d passed, %d failed", suite, passed, failed);
	return failed;
}

#define CONF_CASE(page, what) { #page "/" #what, t_##page##__##what }
