#pragma once
/* Fatal errors.  Prints `KEEL PANIC: <reason> at 0x<pc>`, stops the other
 * harts by IPI, dumps every hart's registers and trace ring, powers off. */
#include <stdint.h>

void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* Panic with an explicit pc and register frame (trap handlers). */
void panic_frame(const void *frame, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* Stop this hart for a panic in progress (IPI handler): records `frame`. */
void panic_stop_self(void *frame) __attribute__((noreturn));

#define assert(c) do { if (!(c)) panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__); } while (0)
