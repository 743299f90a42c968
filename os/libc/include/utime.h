#pragma once
/* The package's <utime.h> (struct utimbuf) and utime (POSIX.1-2017), which
 * the package declares only where a system provides it: Keel's libc does. */
#include_next <utime.h>

int utime(const char *path, const struct utimbuf *times);
