#pragma once
/* Error numbers of the Keel ABI.  Kernel calls return them negated in a0;
 * libc stores them in errno.  The values follow QNX Neutrino's <errno.h>, so
 * programs ported from there see the numbers they expect. */
#define EOK          0
#define EPERM        1
#define ENOENT       2
#define ESRCH        3
#define EINTR        4
#define EIO          5
#define ENXIO        6
#define E2BIG        7
#define ENOEXEC      8
#define EBADF        9
#define ECHILD       10
#define EAGAIN       11
#define ENOMEM       12
#define EACCES       13
#define EFAULT       14
#define EBUSY        16
#define EEXIST       17
#define ENODEV       19
#define EINVAL       22
#define ENFILE       23
#define EMFILE       24
#define ENOSPC       28
#define EDEADLK      45
#define ENOTSUP      48
#define ENAMETOOLONG 78
#define ENOSYS       89
#define ELOOP        90
#define ENOTCONN     134
#define ETIMEDOUT    260
#define ESRVRFAULT   312
#define EOWNERDEAD   358
