#pragma once
/* The package's <limits.h> (with its <sys/syslimits.h>), and Keel's value
 * where the package's is not this system's.
 *
 * IOV_MAX: readv and writev send one I/O message whose parts are a header
 * and the caller's vector, and a message has at most KEEL_MSG_PARTS_MAX
 * (17) parts on either side (<keel/msg.h>): 16 vectors, XSI's
 * _XOPEN_IOV_MAX.  A literal, so that <limits.h> pulls in nothing;
 * io/readv.c asserts it against the kernel's figure. */
#include_next <limits.h>

#undef IOV_MAX
#define IOV_MAX 16

/* POSIX.1-2017 requires it; the package leaves it out. */
#ifndef SSIZE_MAX
#define SSIZE_MAX __LONG_MAX__
#endif

/* getpass's buffer, its NUL included: the longest password it returns is
 * PASS_MAX - 1 bytes (the rest of a longer line is read and dropped). */
#define PASS_MAX 128
