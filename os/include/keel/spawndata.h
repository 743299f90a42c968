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
 *             path with its NUL) padded to 8 bytes
 *   cwdlen  bytes: the working directory (absolute, with its NUL)
 *
 * exec (_SPAWN_DATA_EXEC) sends the same block in its _PROC_EXEC: the
 * process keeps its connections, so an fd's entry names the connection
 * it already is (coid == fd), or _SPAWN_FD_CLOSE for an FD_CLOEXEC fd that
 * the new image's libc closes (the old image cannot: exec may fail). */
#include <stdint.h>

#define _SPAWN_DATA_MAGIC   0x4450534bu     /* "KSPD" */

#define _SPAWN_DATA_EXEC    0x0001u     /* _spawn_data.flags: an exec */

struct _spawn_data {
	uint32_t magic;
	uint16_t version;               /* 2 */
	uint16_t nfds;
	uint32_t nacts;
	int32_t parent;                 /* the parent's pid, for _IO_DUP */
	uint16_t cwdlen;                /* the working directory's bytes; 0: "/" */
	uint16_t flags;                 /* _SPAWN_DATA_* */
	uint32_t console;               /* bit i: fd i (0..2) is still the kernel console */
};

/* An inherited descriptor: the child's fd `fd` becomes a connection to the
 * server (pid, chid) sharing the open of the parent's connection `coid`.
 * In an exec's block: coid == fd (kept) or _SPAWN_FD_CLOSE.  In a spawn's,
 * coid may carry _SPAWN_FD_CLOEXEC: the parent's fd has FD_CLOEXEC, so the
 * child has it for the file actions only (POSIX: they happen as if after
 * fork, before exec) and closes it after them, unless an action put
 * another open at that number. */
#define _SPAWN_FD_CLOSE   (-1)
#define _SPAWN_FD_CLOEXEC 0x40000000
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

_Static_assert(sizeof(struct _spawn_data) == 24, "struct _spawn_data layout");
_Static_assert(sizeof(struct _spawn_fd) == 16, "struct _spawn_fd layout");
_Static_assert(sizeof(struct _spawn_act) == 24, "struct _spawn_act layout");
