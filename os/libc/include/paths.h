#pragma once
/* <paths.h>: the package's, plus the search paths Keel's programs assume:
 * the boot image's /bin and /sbin, then the disk's /usr. */
#include_next <paths.h>

#define _PATH_DEFPATH "/bin:/usr/bin"
#define _PATH_STDPATH "/bin:/sbin:/usr/bin:/usr/sbin"
