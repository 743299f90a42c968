#pragma once
/* The string functions the pure code in os/lib calls.  os/lib is shared by
 * the kernel, taskman and the host unit tests: each environment supplies
 * these with their C meanings (the kernel's lib/string.c, the user runtime
 * or libc, the host's C library). */
#include <stddef.h>

int memcmp(const void *a, const void *b, size_t n);
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
