/* vsnprintf for the kernel: %d %i %u %x %X %o %p %s %c %%, flags '-' '0',
 * width and precision (also '*'), length modifiers hh h l ll z t.  Always
 * NUL-terminates when size > 0; returns the length the full output needs. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "kprintf.h"
#include "kstring.h"

struct out {
	char *buf;
	size_t size;
	size_t len;
};

struct spec {
	bool left, zero;
	int width, prec;
	int lenmod;     /* 0 int, 1 long, 2 long long, -1 short, -2 char */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	if (!s)
		s = "(null)";
	int n = (int)strnlen(s, sp->prec >= 0 ? (size_t)sp->prec : SIZE_MAX);
	if (!sp->left)
		pad(o, sp->width - n, ' ');
	for (int i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, sp->width - n, ' ');
}

static void put_num(struct out *o, const struct spec *sp, uint64_t v, unsigned base,
		    bool neg, bool upper, const char *prefix)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = dig[v % base];
		v /= base;
	} while (v);
	int digits = n < sp->prec ? sp->prec : n;
	int total = digits + (neg ? 1 : 0) + (int)strlen(prefix);
	char fill = sp->zero && !sp->left && sp->prec < 0 ? '0' : ' ';
	if (!sp->left && fill == ' ')
		pad(o, sp->width - total, ' ');
	if (neg)
		put(o, '-');
	while (*prefix)
		put(o, *prefix++);
	if (!sp->left && fill == '0')
		pad(o, sp->width - total, '0');
	pad(o, digits - n, '0');
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, sp->width - total, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l' || *f == 'z' || *f == 't')
			sp->lenmod = sp->lenmod > 0 ? 2 : 1;
		else if (*f == 'h')
			sp->lenmod = sp->lenmod < 0 ? -2 : -1;
		else
			break;
	}
	return f;
}

static uint64_t arg_unsigned(const struct spec *sp, va_list *ap)
{
	switch (sp->lenmod) {
	case 2: return va_arg(*ap, unsigned long long);
	case 1: return va_arg(*ap, unsigned long);
	case -1: return (unsigned short)va_arg(*ap, unsigned int);
	case -2: return (unsigned char)va_arg(*ap, unsigned int);
	default: return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(const struct spec *sp, va_list *ap)
{
	switch (sp->lenmod) {
	case 2: return va_arg(*ap, long long);
	case 1: return va_arg(*ap, long);
	case -1: return (short)va_arg(*ap, int);
	case -2: return (signed char)va_arg(*ap, int);
	default: return va_arg(*ap, int);
	}
}

static void convert(struct out *o, char c, struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'd':
	case 'i': {
		int64_t v = arg_signed(sp, ap);
		put_num(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, false, "");
		break;
	}
	case 'u': put_num(o, sp, arg_unsigned(sp, ap), 10, false, false, ""); break;
	case 'x': put_num(o, sp, arg_unsigned(sp, ap), 16, false, false, ""); break;
	case 'X': put_num(o, sp, arg_unsigned(sp, ap), 16, false, true, ""); break;
	case 'o': put_num(o, sp, arg_unsigned(sp, ap), 8, false, false, ""); break;
	case 'p':
		put_num(o, sp, (uintptr_t)va_arg(*ap, void *), 16, false, false, "0x");
		break;
	case 's': put_str(o, sp, va_arg(*ap, const char *)); break;
	case 'c': put(o, (char)va_arg(*ap, int)); break;
	case '%': put(o, '%'); break;
	default:
		put(o, '%');
		put(o, c);
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;
	struct spec sp;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &aq);
		if (!*fmt)
			break;
		convert(&o, *fmt++, &sp, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
