#pragma once
/* fs-keel server (see main.c for the whole picture).
 *
 * Locking: none of its own.  The server runs one resmgr_loop thread, and
 * the framework runs every handler under its handler lock, so the fs-keel
 * core (safe for threads by its own locks, fsk_impl.h; this server does
 * not use that yet) is called by one handler at a time; main touches the
 * volume only before the loop starts and after it ends.  A handler may
 * block on the device's server (its reads and writes are messages), never
 * on a client. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/resmgr.h>
#include "fskeel.h"
#include "fsrules.h"

/* The mounted volume (NULL once unmounted), where it is served, how. */
extern struct fsk *fsd_fs;
extern const char *fsd_mount;           /* absolute, no trailing '/' but for "/" */
extern bool fsd_rdonly;
extern resmgr_t *fsd_mgr;

/* Unmounts the volume (marks it clean) and makes the loop end: 0 or EIO. */
int fsd_unmount(void);
/* The reply to _DCMD_FSYS_MOUNTINFO (main.c fills it at mount). */
extern struct _io_mountinfo_reply fsd_info;

/* ---- node.c: the inodes that are open ------------------------------------------- */

/* An open inode: the iofunc attribute the framework's defaults work on,
 * refreshed from the disk before every use (the disk is the truth; the
 * attribute is a copy).  An inode whose last name goes while it is open is
 * kept by the core (node_in_use), nameless with nlink 0, and freed when its
 * last open closes (node_put) or at the unmount (node_forget_all).  A node
 * whose inode went all the same (a volume changed under the server) turns
 * stale: the generation no longer matches and its I/O answers ESTALE. */
struct fnode {
	iofunc_attr_t attr;             /* attr.data -> this; attr.count: opens */
	struct fnode *next;
	uint32_t gen;                   /* the inode's generation when it was opened */
};

/* Fills attr (mode, owner, nlink, ino, size, times) from inode ino: 0 or an
 * errno. */
int attr_load(uint32_t ino, iofunc_attr_t *attr);
/* The node of inode ino as it is now (one per live inode), made with no
 * opens if there is none: 0 or an errno. */
int node_get(uint32_t ino, struct fnode **out);
/* Reloads n's attribute: 0, or ESTALE for an inode freed since. */
int node_refresh(struct fnode *n);
/* Frees n if nothing has it open, and its inode if no name is left. */
void node_put(struct fnode *n);
/* fsk_set_in_use's question: is inode ino open?  (ctx unused) */
bool node_in_use(void *ctx, uint32_t ino);
/* Frees the inodes of every node whose names all went (before the unmount). */
void node_forget_all(void);
/* The inode number of n. */
static inline uint32_t node_ino(const struct fnode *n)
{
	return (uint32_t)n->attr.ino;
}

/* ---- walk.c: paths -------------------------------------------------------------- */

/* What a walk found: the last component's directory and name, and the inode
 * it names (0: none).  The mount's root: dir 0, name "". */
struct walk {
	uint32_t dir;
	uint32_t ino;
	char name[FSK_NAME_MAX + 1];
};

#define WALK_FOLLOW  FSWALK_FOLLOW     /* a last component that is a link is followed */
#define WALK_NOLINK  FSWALK_NOLINK     /* a second path: a link on the way is EXDEV */

/* Walks path (relative to the mount, NUL-terminated) with search
 * permission checked at each directory: 0, an errno, or RESMGR_DONE when
 * it met a symbolic link and replied the rewritten path (a link reply). */
int walk(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w);

/* ---- the handlers ------------------------------------------------------------------ */

extern const resmgr_connect_funcs_t fsd_connect;        /* connect.c */
extern const resmgr_io_funcs_t fsd_io;                  /* io.c */
