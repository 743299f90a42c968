/* KTAP results (see ktap.h). */
#include "ktap.h"
#include "urt.h"
#include "urt_fmt.h"

static unsigned next_number, npassed, nfailed;
static bool case_failed;
static char skip_reason[120];           /* the running table case's, "" if none */

void ktap_plan(unsigned n)
{
	printf("KTAP version 1\n");
	printf("1..%u\n", n);
}

/* One line from a format, written whole. */
static void diag_line(const char *prefix, const char *fmt, va_list ap)
{
	char buf[200];

	urt_vsnformat(buf, sizeof(buf), fmt, ap);
	printf("%s%s\n", prefix, buf);
}

static bool result(bool ok, const char *name)
{
	unsigned n = __atomic_add_fetch(&next_number, 1, __ATOMIC_RELAXED);

	__atomic_add_fetch(ok ? &npassed : &nfailed, 1, __ATOMIC_RELAXED);
	printf("%sok %u %s\n", ok ? "" : "not ", n, name);
	return ok;
}

/* A skipped table case: "ok N name # SKIP reason" (counted as passed). */
static void skipped(const char *name)
{
	unsigned n = __atomic_add_fetch(&next_number, 1, __ATOMIC_RELAXED);

	__atomic_add_fetch(&npassed, 1, __ATOMIC_RELAXED);
	printf("ok %u %s # SKIP %s\n", n, name, skip_reason);
}

void ktap_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	urt_vsnformat(skip_reason, sizeof(skip_reason), fmt, ap);
	va_end(ap);
	if (!skip_reason[0])
		snprintf(skip_reason, sizeof(skip_reason), "no reason given");
}

void ktap_skipped(const char *name, const char *why)
{
	snprintf(skip_reason, sizeof(skip_reason), "%s", why);
	skipped(name);
	skip_reason[0] = 0;
}

bool ktap_ok(bool ok, const char *fmt, ...)
{
	char name[160];
	va_list ap;

	va_start(ap, fmt);
	urt_vsnformat(name, sizeof(name), fmt, ap);
	va_end(ap);
	return result(ok, name);
}

void ktap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_line("# ", fmt, ap);
	va_end(ap);
}

void ktap_fail(const char *file, int line_no, const char *fmt, ...)
{
	char where[96];
	va_list ap;

	__atomic_store_n(&case_failed, true, __ATOMIC_RELAXED);
	snprintf(where, sizeof(where), "# %s:%d: ", file, line_no);
	va_start(ap, fmt);
	diag_line(where, fmt, ap);
	va_end(ap);
}

int ktap_run(const struct ktap_case *cases, size_t n)
{
	unsigned failed = 0;

	ktap_plan((unsigned)n);
	for (size_t i = 0; i < n; i++) {
		__atomic_store_n(&case_failed, false, __ATOMIC_RELAXED);
		skip_reason[0] = 0;
		cases[i].fn();
		if (skip_reason[0] && !__atomic_load_n(&case_failed, __ATOMIC_RELAXED))
			skipped(cases[i].name);
		else
			failed += !result(!__atomic_load_n(&case_failed, __ATOMIC_RELAXED),
					  cases[i].name);
	}
	return (int)failed;
}

int ktap_done(const char *suite)
{
	unsigned p = __atomic_load_n(&npassed, __ATOMIC_RELAXED);
	unsigned f = __atomic_load_n(&nfailed, __ATOMIC_RELAXED);

	printf("%s: done: %u passed, %u failed\n", suite, p, f);
	return (int)f;
}
