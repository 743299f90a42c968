/* printf and friends over urt_vformat.  Console output is collected per
 * line and written with one DebugPutString per line. */
#include "urt.h"
#include "urt_fmt.h"

#define LINE_MAX_OUT 256

struct line_sink {
	char buf[LINE_MAX_OUT];
	size_t n;
};

static void line_flush(struct line_sink *l)
{
	if (l->n)
		DebugPutString_r(l->buf, l->n);
	l->n = 0;
}

/* Ends a line at '\n' (kept) or when the buffer is full. */
static void line_put(void *ctx, char c)
{
	struct line_sink *l = ctx;

	l->buf[l->n++] = c;
	if (c == '\n' || l->n == sizeof(l->buf))
		line_flush(l);
}

int vprintf(const char *fmt, va_list ap)
{
	struct line_sink l;
	int n;

	l.n = 0;
	n = urt_vformat(line_put, &l, fmt, ap);
	line_flush(&l);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return urt_vsnformat(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
