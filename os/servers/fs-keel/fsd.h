#pragma once
/* fs-keel server (see main.c for the whole picture).
 *
 * Threads.  FSD_THREADS threads serve the volume at once (the framework's
 * concurrent mode: no handler lock); the core is safe for that by its own
 * locks (os/fs/keel/fsk_impl.h).  The server's locks, in the order taken,
 * each before the core's:
 *   fsd_live (rwlock, main.c): every handler holds it shared (fsd_enter);
 *       the unmount takes it exclusive, so no handler is half-way through
 *       the volume when it goes.
 *   fsd_names (rwlock, connect.c): a connect that makes, removes or moves
 *       a name holds it exclusive from its walk to its answer, other
 *       connects shared, so what a walk found is still there when the
 *       open binds to it.
 *   fnode.lock (mutex): every I/O handler on a node (io.c), so one inode's
 *       opens, offsets and attribute copy change one request at a time.
 *   nodes_lock (mutex, node.c): the list of nodes and their open counts;
 *       nothing calls the core while holding it (the core's unlink asks
 *       node_in_use under its own namespace lock).
 * A handler may block on the device's server (its reads and writes are
 * messages), never on a client. */
#include <pthread.h>
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

#define FSD_THREADS 4

/* Unmounts the volume (marks it clean) and makes the loops end: 0 or EIO.
 * Takes fsd_live exclusive: never from inside fsd_enter. */
int fsd_unmount(void);
/* A handler's hold on the mounted volume (fsd_live shared). */
void fsd_enter(void);
void fsd_leave(void);
/* The reply to _DCMD_FSYS_MOUNTINFO (main.c fills it at mount). */
extern struct _io_mountinfo_reply fsd_info;

/* ---- node.c: the inodes that are open ------------------------------------------- */

/* An open inode: the iofunc attribute the framework's defaults work on,
 * refreshed from the disk before every use (the disk is the truth; the
 * attribute is a copy).  An inode whose last name goes while it is open is
 * kept by the core (node_in_use), nameless with nlink 0, and freed when its
 * last open closes (node_close) or at the unmount (node_forget_all).  A
 * node whose inode went all the same (a volume changed under the server)
 * turns stale: the generation no longer matches and its I/O answers
 * ESTALE. */
struct fnode {
	iofunc_attr_t attr;             /* attr.data -> this; attr.count: opens (nodes_lock) */
	pthread_mutex_t lock;           /* its I/O handlers, one at a time */
	struct fnode *next;
	uint32_t gen;                   /* the inode's generation when it was opened */
};

/* Fills attr (mode, owner, nlink, ino, size, times) from inode ino: 0 or an
 * errno. */
int attr_load(uint32_t ino, iofunc_attr_t *attr);
/* One more open of inode ino as it is now: its node (one per live inode,
 * made if there is none) with the open counted.  0 or an errno. */
int node_open(uint32_t ino, struct fnode **out);
/* An open of n ends; with the last, n goes, and its inode too if no name
 * is left. */
void node_close(struct fnode *n);
/* Reloads n's attribute (n's lock held): 0, or ESTALE for an inode freed
 * since. */
int node_refresh(struct fnode *n);
/* fsk_set_in_use's question: is inode ino open?  (ctx unused) */
bool node_in_use(void *ctx, uint32_t ino);
/* Frees the inodes of every node whose names all went (the unmount, with
 * fsd_live exclusive). */
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
