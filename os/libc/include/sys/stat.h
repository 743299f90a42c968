#pragma once
/* The package's <sys/stat.h>, plus what it declares only for other
 * targets: lstat, mknod and the special tv_nsec values of futimens and
 * utimensat (POSIX.1-2017), which Keel's libc provides. */
#include_next <sys/stat.h>

#ifndef UTIME_NOW
#define UTIME_NOW   -2L
#define UTIME_OMIT  -1L
#endif

int lstat(const char *__restrict __path, struct stat *__restrict __buf);
int mknod(const char *__path, mode_t __mode, dev_t __dev);
