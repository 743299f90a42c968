#pragma once
/* statvfs (POSIX.1-2017 <sys/statvfs.h>): what a file system's server
 * reports through the _DCMD_FSYS_STATVFS devctl of <keel/iomsg.h>. */
#include <sys/types.h>


struct statvfs {
	unsigned long f_bsize;          /* preferred I/O size */
	unsigned long f_frsize;         /* the unit of f_blocks, f_bfree, f_bavail */
	fsblkcnt_t f_blocks;
	fsblkcnt_t f_bfree;
	fsblkcnt_t f_bavail;
	fsfilcnt_t f_files;
	fsfilcnt_t f_ffree;
	fsfilcnt_t f_favail;
	unsigned long f_fsid;
	unsigned long f_flag;           /* ST_RDONLY, ST_NOSUID */
	unsigned long f_namemax;
};

#define ST_RDONLY  1ul
#define ST_NOSUID  2ul

int statvfs(const char *__restrict path, struct statvfs *__restrict buf);
int fstatvfs(int fd, struct statvfs *buf);
