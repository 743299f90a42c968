#pragma once
/* Kernel console output.  One kprintf call prints whole lines atomically
 * across harts (one lock per call, never per byte).  Never call it from a hot
 * path (scheduler, IPC, trap fast paths): use trace() there. */
#include <stdarg.h>
#include <stddef.h>

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vkprintf(const char *fmt, va_list ap);
/* len bytes to the console as they are (no newline translation), as one
 * write under the console line lock.  Interrupts may be on or off. */
void kputs_raw(const char *s, size_t len);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
