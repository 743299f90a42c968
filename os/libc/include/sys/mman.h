#pragma once
/* <sys/mman.h>: anonymous memory from the process manager (_PROC_MMAP of
 * <keel/procmsg.h>), private (copy-on-write in a forked child) or shared
 * (MAP_SHARED: parent and children write the same pages).  A file maps
 * where its server grants its pages (shm_open's objects do; other servers
 * answer ENODEV). */
#include <sys/types.h>

/* The process manager's bits (<keel/procmgr.h>), spelled the same. */
#define PROT_NONE          0x00000000u
#define PROT_READ          0x00000100u
#define PROT_WRITE         0x00000200u
#define PROT_EXEC          0x00000400u

#define MAP_SHARED      0x0001  /* the values are taskman's _PROC_MAP_* */
#define MAP_PRIVATE     0x0002
#define MAP_FIXED       0x0010
#define MAP_ANON        0x0080
#define MAP_ANONYMOUS   MAP_ANON
#define MAP_STACK       0x0400
#define MAP_FIXED_NOREPLACE 0x0800
/* Keel's own: physically contiguous anonymous memory, for a driver's DMA
 * (EPERM for other processes); MemPhys tells its physical address. */
#define MAP_CONTIG      0x0200

#define MAP_FAILED      ((void *)-1)

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int shm_open(const char *name, int oflag, mode_t mode);
int shm_unlink(const char *name);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
