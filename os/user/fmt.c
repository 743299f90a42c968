/* printf-style formatting (see urt_fmt.h).  long, long long, size_t,
 * ptrdiff_t and intmax_t are all 64 bits on Keel (LP64), so one unsigned
 * 64-bit path serves every integer conversion. */
#include <stdbool.h>
#include <stdint.h>
#include "urt_fmt.h"

struct spec {
	bool left, zero, plus, space, alt;
	bool ptr;                       /* %p: 0x even for zero */
	int width;
	int prec;                       /* -1: none given */
	int size;                       /* bytes of the argument: 1, 2, 4 or 8 */
	char conv;
};

struct out {
	urt_put_fn put;
	void *ctx;
	int count;
};

static void emit(struct out *o, char c)
{
	o->put(o->ctx, c);
	o->count++;
}

static void emit_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

static const char *parse_flags(const char *f, struct spec *s)
{
	for (;; f++) {
		switch (*f) {
		case '-': s->left = true; break;
		case '0': s->zero = true; break;
		case '+': s->plus = true; break;
		case ' ': s->space = true; break;
		case '#': s->alt = true; break;
		default: return f;
		}
	}
}

/* A decimal number or '*' (taken from ap); *v stays as is if neither. */
static const char *parse_num(const char *f, int *v, va_list *ap)
{
	if (*f == '*') {
		*v = va_arg(*ap, int);
		return f + 1;
	}
	if (*f >= '0' && *f <= '9') {
		*v = 0;
		while (*f >= '0' && *f <= '9')
			*v = *v * 10 + (*f++ - '0');
	}
	return f;
}

static const char *parse_size(const char *f, struct spec *s)
{
	s->size = 4;
	if (f[0] == 'h' && f[1] == 'h') {
		s->size = 1;
		return f + 2;
	}
	if (f[0] == 'l' && f[1] == 'l') {
		s->size = 8;
		return f + 2;
	}
	if (*f == 'h')
		s->size = 2;
	else if (*f == 'l' || *f == 'z' || *f == 't' || *f == 'j')
		s->size = 8;
	else
		return f;
	return f + 1;
}

/* Parses one conversion after '%'; returns the character after it. */
static const char *parse_spec(const char *f, struct spec *s, va_list *ap)
{
	*s = (struct spec){ .prec = -1 };
	f = parse_flags(f, s);
	f = parse_num(f, &s->width, ap);
	if (s->width < 0) {             /* a negative '*' width means '-' */
		s->left = true;
		s->width = -s->width;
	}
	if (*f == '.') {
		s->prec = 0;
		f = parse_num(f + 1, &s->prec, ap);
		if (s->prec < 0)        /* a negative '*' precision means none */
			s->prec = -1;
	}
	f = parse_size(f, s);
	s->conv = *f;
	return *f ? f + 1 : f;
}

/* Pads to the width around body_len characters: spaces before unless '-'. */
static void pad_before(struct out *o, const struct spec *s, int body_len)
{
	if (!s->left)
		emit_n(o, ' ', s->width - body_len);
}

static void pad_after(struct out *o, const struct spec *s, int body_len)
{
	if (s->left)
		emit_n(o, ' ', s->width - body_len);
}

static void put_str(struct out *o, const struct spec *s, const char *str)
{
	int n = 0;

	if (!str)
		str = "(null)";
	while (str[n] && (s->prec < 0 || n < s->prec))
		n++;
	pad_before(o, s, n);
	for (int i = 0; i < n; i++)
		emit(o, str[i]);
	pad_after(o, s, n);
}

static void put_char(struct out *o, const struct spec *s, char c)
{
	pad_before(o, s, 1);
	emit(o, c);
	pad_after(o, s, 1);
}

/* The digits of v in base, least significant first; returns how many. */
static int digits_of(uint64_t v, unsigned base, bool upper, char *d)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	while (v) {
		d[n++] = set[v % base];
		v /= base;
	}
	return n;
}

/* Integer body: prefix (sign or 0x), zeros up to the precision, digits. */
static void put_int(struct out *o, struct spec *s, uint64_t mag, bool neg, unsigned base)
{
	char d[24], prefix[3];
	int nd, nzero, np = 0, body;

	nd = digits_of(mag, base, s->conv == 'X', d);
	if (neg)
		prefix[np++] = '-';
	else if (s->plus && (s->conv == 'd' || s->conv == 'i'))
		prefix[np++] = '+';
	else if (s->space && (s->conv == 'd' || s->conv == 'i'))
		prefix[np++] = ' ';
	if ((s->alt && base == 16 && mag) || s->ptr) {
		prefix[np++] = '0';
		prefix[np++] = s->conv;
	}
	nzero = (s->prec < 0 ? 1 : s->prec) - nd;
	if (s->alt && base == 8 && nzero <= 0)
		nzero = 1;              /* '#' octal starts with a 0 (digits never do) */
	if (nzero < 0)
		nzero = 0;
	body = np + nzero + nd;
	if (s->zero && !s->left && s->prec < 0 && s->width > body) {
		nzero += s->width - body;
		body = s->width;
	}
	pad_before(o, s, body);
	for (int i = 0; i < np; i++)
		emit(o, prefix[i]);
	emit_n(o, '0', nzero);
	while (nd)
		emit(o, d[--nd]);
	pad_after(o, s, body);
}

/* The next integer argument, narrowed to the spec's size. */
static uint64_t arg_unsigned(const struct spec *s, va_list *ap)
{
	if (s->size == 8)
		return va_arg(*ap, uint64_t);
	unsigned v = va_arg(*ap, unsigned);
	return s->size == 1 ? (uint8_t)v : s->size == 2 ? (uint16_t)v : v;
}

static int64_t arg_signed(const struct spec *s, va_list *ap)
{
	if (s->size == 8)
		return va_arg(*ap, int64_t);
	int v = va_arg(*ap, int);
	return s->size == 1 ? (int8_t)v : s->size == 2 ? (int16_t)v : v;
}

static void put_signed(struct out *o, struct spec *s, va_list *ap)
{
	int64_t v = arg_signed(s, ap);
	uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	put_int(o, s, mag, v < 0, 10);
}

static void put_pointer(struct out *o, struct spec *s, va_list *ap)
{
	uintptr_t p = (uintptr_t)va_arg(*ap, void *);

	s->conv = 'x';
	s->ptr = true;
	put_int(o, s, p, false, 16);
}

/* Prints one parsed conversion; false if the conversion is unknown. */
static bool put_conv(struct out *o, struct spec *s, va_list *ap)
{
	switch (s->conv) {
	case 'd': case 'i': put_signed(o, s, ap); return true;
	case 'u': put_int(o, s, arg_unsigned(s, ap), false, 10); return true;
	case 'x': case 'X': put_int(o, s, arg_unsigned(s, ap), false, 16); return true;
	case 'o': put_int(o, s, arg_unsigned(s, ap), false, 8); return true;
	case 'c': put_char(o, s, (char)va_arg(*ap, int)); return true;
	case 's': put_str(o, s, va_arg(*ap, const char *)); return true;
	case 'p': put_pointer(o, s, ap); return true;
	case '%': emit(o, '%'); return true;
	default: return false;
	}
}

int urt_vformat(urt_put_fn put, void *ctx, const char *fmt, va_list ap)
{
	struct out o = { put, ctx, 0 };
	struct spec s;
	const char *start;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			emit(&o, *fmt++);
			continue;
		}
		start = fmt;
		fmt = parse_spec(fmt + 1, &s, &aq);
		if (!put_conv(&o, &s, &aq))
			while (start < fmt)
				emit(&o, *start++);
	}
	va_end(aq);
	return o.count;
}

struct buf_sink {
	char *buf;
	size_t size, n;
};

static void buf_put(void *ctx, char c)
{
	struct buf_sink *b = ctx;

	if (b->n + 1 < b->size)
		b->buf[b->n] = c;
	b->n++;
}

int urt_vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_sink b = { buf, size, 0 };
	int n = urt_vformat(buf_put, &b, fmt, ap);

	if (size)
		buf[b.n < size ? b.n : size - 1] = '\0';
	return n;
}
