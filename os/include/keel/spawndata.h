#pragma once
/* The startup data a parent's libc puts in a spawn message (struct
 * _proc_spawn's datalen bytes, <keel/procmsg.h>) and the child's libc
 * finds through AT_KEEL_SPAWNDATA: which descriptors it inherits and the
 * posix_spawn file actions to apply after that, in order.  taskman copies
 * it without reading it.  Keel's own layout; both sides are libc.
 *
 *   struct _spawn_data
 *   nfds    x struct _spawn_fd
 *   nacts   x struct _spawn_act, each followed by pathlen bytes (OPEN's
 *             path with its NUL) padded to 8 bytes */
#include <stdint.h>

#define _SPAWN_DATA_MAGIC   0x4450534bu     /* "KSPD" */

struct _spawn_data {
	uint32_t magic;
	uint16_t version;               /* 1 */
	uint16_t nfds;
	uint32_t nacts;
	int32_t parent;                 /* the parent's pid, for _IO_DUP */
};

/* An inherited descriptor: the child's fd `fd` becomes a connection to the
 * server (pid, chid) sharing the open of the parent's connection `coid`. */
struct _spawn_fd {
	int32_t fd;
	int32_t pid, chid;
	int32_t coid;
};

#define _SPAWN_ACT_OPEN   1             /* fd = open(path, oflag, mode) */
#define _SPAWN_ACT_CLOSE  2             /* close(fd) */
#define _SPAWN_ACT_DUP2   3             /* dup2(fd, newfd) */

struct _spawn_act {
	uint16_t op;                    /* _SPAWN_ACT_* */
	uint16_t pathlen;
	int32_t fd;
	int32_t newfd;                  /* DUP2 */
	int32_t oflag;                  /* OPEN */
	uint32_t mode;                  /* OPEN */
	uint32_t zero;
};

_Static_assert(sizeof(struct _spawn_data) == 16, "struct _spawn_data layout");
_Static_assert(sizeof(struct _spawn_fd) == 16, "struct _spawn_fd layout");
_Static_assert(sizeof(struct _spawn_act) == 24, "struct _spawn_act layout");
