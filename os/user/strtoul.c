/* strtoul and strtol, enough for parsing program arguments. */
#include <limits.h>
#include "urt.h"

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/* Skips a "0x"/"0" prefix as base 0 or 16 asks; returns the base to use. */
static int take_base(const char **s, int base)
{
	bool hex = (*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X') &&
		   digit_value((*s)[2]) < 16;

	if ((base == 0 || base == 16) && hex) {
		*s += 2;
		return 16;
	}
	if (base == 0)
		return (*s)[0] == '0' ? 8 : 10;
	return base;
}

/* Magnitude of the digits at s; *end gets the first unused character
 * (s itself if there were no digits). */
static unsigned long take_digits(const char *s, int base, const char **end)
{
	unsigned long v = 0, limit = (unsigned long)-1;
	const char *p = s;
	int d;

	while ((d = digit_value(*p)) < base) {
		v = v > (limit - (unsigned long)d) / (unsigned long)base ? limit :
		    v * (unsigned long)base + (unsigned long)d;
		p++;
	}
	*end = p;
	return v;
}

static unsigned long parse(const char *s, char **end, int base, bool *neg)
{
	const char *start = s, *stop;
	unsigned long v;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	*neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (base < 0 || base == 1 || base > 36) {
		if (end)
			*end = (char *)start;
		return 0;
	}
	base = take_base(&s, base);
	v = take_digits(s, base, &stop);
	if (end)
		*end = (char *)(stop == s ? start : stop);
	return v;
}

unsigned long strtoul(const char *s, char **end, int base)
{
	bool neg;
	unsigned long v = parse(s, end, base, &neg);

	return neg ? 0 - v : v;
}

long strtol(const char *s, char **end, int base)
{
	bool neg;
	unsigned long v = parse(s, end, base, &neg);

	if (neg)
		return v > (unsigned long)LONG_MAX + 1 ? LONG_MIN : (long)(0 - v);
	return v > LONG_MAX ? LONG_MAX : (long)v;
}
