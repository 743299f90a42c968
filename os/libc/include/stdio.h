#pragma once
/* <stdio.h>: the package's, plus the POSIX.1-2008 functions it lacks. */
#include_next <stdio.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

ssize_t getdelim(char **restrict line, size_t *restrict cap, int delim, FILE *restrict f);
ssize_t getline(char **restrict line, size_t *restrict cap, FILE *restrict f);
int dprintf(int fd, const char *restrict fmt, ...) __attribute__((format(printf, 2, 3)));
int vdprintf(int fd, const char *restrict fmt, __gnuc_va_list ap);

#ifdef __cplusplus
}
#endif
