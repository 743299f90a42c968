/* Host tests of the user runtime's formatter (os/user/fmt.c): every
 * combination of flags, width, precision, length and conversion it claims,
 * over edge values, compared with the host C library's snprintf; and the
 * truncation rules of its snprintf. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "ktap.h"
#include "urt_fmt.h"

static unsigned compared, mismatches;   /* mismatches: in the running case */

/* Formats with both and fails the case on any difference. */
static void same(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void same(const char *fmt, ...)
{
	char want[512], got[512];
	va_list ap;
	int nw, ng;

	va_start(ap, fmt);
	nw = vsnprintf(want, sizeof(want), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	ng = urt_vsnformat(got, sizeof(got), fmt, ap);
	va_end(ap);
	compared++;
	if (nw == ng && strcmp(want, got) == 0)
		return;
	if (mismatches++ < 20)
		kt_fail(__FILE__, __LINE__, "\"%s\": got \"%s\" (%d), want \"%s\" (%d)", fmt, got, ng,
			want, nw);
	else if (mismatches == 21)
		kt_fail(__FILE__, __LINE__, "more mismatches not shown");
}

/* The runtime's snprintf (not format-checked: some tests feed it formats
 * that C leaves undefined). */
static int mine(char *buf, size_t size, const char *fmt, ...);

static int mine(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = urt_vsnformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static const char *const flag_sets[] = { "", "-", "0", "+", " ", "#", "-0", "+0", "#0", "- ", "+ ",
					 "#-", "-+#0 " };
static const char *const widths[] = { "", "1", "5", "12", "25" };
static const char *const precs[] = { "", ".", ".0", ".1", ".5", ".21" };

static const long long values[] = {
	0, 1, -1, 7, 8, 42, -42, 127, 128, -128, 255, 256, 32767, -32768, 65535, 65536,
	INT_MAX, INT_MIN, (long long)UINT_MAX, 0x1234abcdLL, 0x7fffffffffffffffLL,
	-0x7fffffffffffffffLL - 1, -2, 01777,
};

/* One format with conversion conv and length len, for every value. */
static void int_formats(const char *len, char conv)
{
	char fmt[48];

	for (size_t f = 0; f < KT_COUNT(flag_sets); f++)
		for (size_t w = 0; w < KT_COUNT(widths); w++)
			for (size_t p = 0; p < KT_COUNT(precs); p++) {
				snprintf(fmt, sizeof(fmt), "<%%%s%s%s%s%c>", flag_sets[f], widths[w],
					 precs[p], len, conv);
				for (size_t v = 0; v < KT_COUNT(values); v++) {
					if (strlen(len) == 0 || len[0] == 'h')
						same(fmt, (int)values[v]);
					else
						same(fmt, values[v]);
				}
			}
}

static void t_integers(const void *arg)
{
	static const char *const lens[] = { "hh", "h", "", "l", "ll", "z", "j", "t" };
	static const char convs[] = "diuxXo";

	(void)arg;
	mismatches = 0;
	compared = 0;
	for (size_t l = 0; l < KT_COUNT(lens); l++)
		for (size_t c = 0; c < strlen(convs); c++)
			int_formats(lens[l], convs[c]);
	printf("# %u integer formats compared\n", compared);
}

static void t_star(const void *arg)
{
	(void)arg;
	mismatches = 0;
	for (int w = -12; w <= 12; w += 3)
		for (int p = -2; p <= 6; p++) {
			same("[%*d]", w, -345);
			same("[%.*d]", p, -345);
			same("[%*.*x]", w, p, 0xbeefu);
			same("[%-*.*s]", w, p, "string");
			same("[%0*ld]", w, -9L);
		}
}

static void t_strings_chars(const void *arg)
{
	static const char *const strs[] = { "", "a", "hello", "a longer string of text" };
	char fmt[32];

	(void)arg;
	mismatches = 0;
	for (size_t s = 0; s < KT_COUNT(strs); s++)
		for (size_t w = 0; w < KT_COUNT(widths); w++)
			for (size_t p = 0; p < KT_COUNT(precs); p++) {
				snprintf(fmt, sizeof(fmt), "|%%%s%ss|%%-%s%ss|", widths[w], precs[p],
					 widths[w], precs[p]);
				same(fmt, strs[s], strs[s]);
			}
	for (size_t w = 0; w < KT_COUNT(widths); w++) {
		snprintf(fmt, sizeof(fmt), "|%%%sc|%%-%sc|", widths[w], widths[w]);
		same(fmt, 'x', 'y');
	}
	same("100%% %c%c%c", 'a', 0x7f, '~');
	same("plain text, no conversions");
	same("%s=%d, %s=%u, %c", "one", 1, "two", 2u, '!');
}

static const char *volatile null_str;

static void t_pointers(const void *arg)
{
	char got[64];
	int x;

	(void)arg;
	mismatches = 0;
	same("%p", (void *)&x);
	same("%20p|%-20p|", (void *)&x, (void *)0x1000);
	same("%p", (void *)UINTPTR_MAX);
	/* Where the C library prints "(nil)", the runtime prints a number. */
	KT_EQ(mine(got, sizeof(got), "%p", (void *)0), 3);
	KT_STREQ(got, "0x0");
	KT_EQ(mine(got, sizeof(got), "%s|%7s", null_str, null_str), 14);
	KT_STREQ(got, "(null)| (null)");
}

/* An unknown conversion is copied as it stands and takes no argument. */
static void t_unknown(const void *arg)
{
	char got[64];

	(void)arg;
	KT_EQ(mine(got, sizeof(got), "a%yb%-5.2Qc%d", 7), 12);
	KT_STREQ(got, "a%yb%-5.2Qc7");
	KT_EQ(mine(got, sizeof(got), "end%"), 4);
	KT_STREQ(got, "end%");
	KT_EQ(mine(got, sizeof(got), "%5%|"), 2);
	KT_STREQ(got, "%|");
}

/* snprintf semantics at every buffer size, with a guard byte after it. */
static void t_truncation(const void *arg)
{
	const char *full = "value=-1234 name=keel";
	char buf[40];
	size_t n = strlen(full);

	(void)arg;
	for (size_t size = 0; size <= n + 2; size++) {
		memset(buf, '#', sizeof(buf));
		KT_EQ(mine(buf, size, "value=%d name=%s", -1234, "keel"), n);
		if (size == 0) {
			KT_EQ(buf[0], '#');
			continue;
		}
		KT_CHECK(strncmp(buf, full, size - 1) == 0);
		KT_EQ(buf[size <= n ? size - 1 : n], 0);
		KT_EQ(buf[size], '#');
	}
}

struct counter {
	char text[1200];
	size_t n;
};

static void count_put(void *ctx, char c)
{
	struct counter *k = ctx;

	if (k->n < sizeof(k->text) - 1)
		k->text[k->n] = c;
	k->n++;
}

static int vcount(struct counter *k, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = urt_vformat(count_put, k, fmt, ap);
	va_end(ap);
	return n;
}

/* The character sink sees exactly what is counted, however long. */
static void t_sink(const void *arg)
{
	struct counter k = { .n = 0 };
	char want[1200];
	int n;

	(void)arg;
	n = vcount(&k, "%1000d|%s|%-100x|", 5, "tail", 0xabcu);
	snprintf(want, sizeof(want), "%1000d|%s|%-100x|", 5, "tail", 0xabcu);
	KT_EQ(n, strlen(want));
	KT_EQ(k.n, strlen(want));
	k.text[k.n < sizeof(k.text) ? k.n : sizeof(k.text) - 1] = 0;
	KT_CHECK(strcmp(k.text, want) == 0);
}

static const struct kt_case cases[] = {
	{ "integers_vs_libc", t_integers, NULL },
	{ "star_width_precision", t_star, NULL },
	{ "strings_and_chars_vs_libc", t_strings_chars, NULL },
	{ "pointers_and_null", t_pointers, NULL },
	{ "unknown_conversion", t_unknown, NULL },
	{ "snprintf_truncation", t_truncation, NULL },
	{ "long_output_sink", t_sink, NULL },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
