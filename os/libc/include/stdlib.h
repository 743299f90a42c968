#pragma once
/* <stdlib.h>: the package's, plus the pseudo-terminal functions of POSIX
 * (XSI) it lacks, on Keel's /dev/ptmx (devc-pty). */
#include_next <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

int posix_openpt(int oflag);
int grantpt(int fd);
int unlockpt(int fd);
char *ptsname(int fd);
int ptsname_r(int fd, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
