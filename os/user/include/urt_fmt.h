#pragma once
/* The formatting engine behind the runtime's printf family, apart so that
 * it can be tested on the host against the C library.  Pure: no kernel
 * calls, no globals. */
#include <stdarg.h>
#include <stddef.h>

/* Receives the output one character at a time. */
typedef void (*urt_put_fn)(void *ctx, char c);

/* Formats fmt with ap (the conversions listed in <urt.h>), handing every
 * character to put(ctx, c).  Returns the number of characters produced.
 * An unknown conversion is printed as it stands. */
int urt_vformat(urt_put_fn put, void *ctx, const char *fmt, va_list ap);

/* vsnprintf: at most size bytes into buf, NUL included (nothing if size is
 * 0); returns the length the whole output has. */
int urt_vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
