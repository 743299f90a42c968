#pragma once
/* tmpfs: a file system in memory (see main.c for the whole picture).
 *
 * Locking: none of its own.  tmpfs runs one resmgr_loop thread and the
 * framework runs every handler under its handler lock, so each handler
 * sees and leaves the tree whole; nothing in tmpfs blocks (MsgRead and
 * MsgReply copy from and to a client that is REPLY-blocked on us). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resmgr.h>
#include "fsrules.h"

#define TMPFS_PAGE      4096u
#define TMPFS_NAME_MAX  255u
#define TMPFS_FILE_MAX  ((int64_t)1 << 32)    /* bytes one file may hold */

struct tdirent {
	struct tdirent *next;           /* in position order */
	uint64_t pos;                   /* readdir cookie: never reused in its directory */
	struct tnode *node;
	char name[];
};

struct tnode {
	iofunc_attr_t attr;             /* attr.data -> this node; count: opens */
	struct tnode *parent;           /* a directory's: where it is (the root: itself) */
	/* regular files: page i holds bytes [i*PAGE, (i+1)*PAGE); NULL reads as zeros */
	unsigned char **pages;
	size_t npages;                  /* entries of pages[] */
	/* directories */
	struct tdirent *ents, *last;
	uint64_t next_pos;              /* the next entry's cookie (0 and 1: "." and "..") */
	/* symbolic links: the text (attr.nbytes its length) */
	char *target;
};

/* The file system (main.c). */
extern struct tnode *tmpfs_root;
extern const char *tmpfs_mount;         /* the attached name, no trailing '/' but for "/" */

/* ---- store.c: nodes and pages ----------------------------------------------- */

/* Pages in use and the limit (-s), for ENOSPC and statvfs. */
extern size_t tmpfs_pages_used, tmpfs_pages_limit;
/* Nodes alive and the most there may be. */
extern size_t tmpfs_nodes, tmpfs_nodes_max;

/* Sets the page limit (bytes, rounded down to pages, at most the pool). */
void store_set_limit(uint64_t bytes);
/* A new node of mode (S_IF* | permissions) owned by uid/gid, nlink 0:
 * NULL when the node limit is reached or memory is out. */
struct tnode *node_new(uint32_t mode, uint32_t uid, uint32_t gid);
/* Frees n if nothing holds it any more (no name, no open). */
void node_release(struct tnode *n);
/* Makes regular file n len bytes long: 0, or ENOSPC/EFBIG. */
int node_set_size(struct tnode *n, int64_t len);
/* The page holding byte off of n, made (zeroed) if missing: NULL when no
 * page or page table can be had (ENOSPC). */
unsigned char *node_page(struct tnode *n, uint64_t off);
/* The page holding byte off, or NULL for a hole. */
const unsigned char *node_page_peek(const struct tnode *n, uint64_t off);
/* Pages n holds (for st_blocks). */
size_t node_pages(const struct tnode *n);

/* ---- dir.c: names -------------------------------------------------------------- */

/* The entry name (len bytes) of dir, or NULL. */
struct tdirent *dir_find(const struct tnode *dir, const char *name, size_t len);
/* Adds name -> n to dir (n's nlink and a directory's ".." counted):
 * 0 or ENOMEM. */
int dir_add(struct tnode *dir, const char *name, struct tnode *n);
/* dir_add in two steps, for a caller that must not fail once it has
 * changed anything (rename): an entry named name (NULL: out of memory),
 * then linked into dir for n. */
struct tdirent *dir_entry_new(const char *name);
void dir_link(struct tnode *dir, struct tdirent *e, struct tnode *n);
/* Removes entry e of dir (nlink uncounted; n released if unheld). */
void dir_remove(struct tnode *dir, struct tdirent *e);
/* Whether directory n has no entries. */
bool dir_empty(const struct tnode *n);

/* What a walk found: the last component's directory and name, and the
 * node it names (NULL: none).  The mount's root: dir NULL, name "". */
struct walk {
	struct tnode *dir;
	struct tnode *node;
	char name[TMPFS_NAME_MAX + 1];
};

#define WALK_FOLLOW  FSWALK_FOLLOW     /* a last component that is a link is followed */
#define WALK_NOLINK  FSWALK_NOLINK     /* a second path: a link on the way is EXDEV */

/* Walks path (relative to the mount, checked NUL-terminated) with search
 * permission checked at each directory: 0, an errno, or RESMGR_DONE when
 * it met a symbolic link and replied the rewritten path (a link reply). */
int walk(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w);

/* ---- io.c: the I/O handlers ----------------------------------------------------- */

extern const resmgr_io_funcs_t tmpfs_io;

/* ---- connect.c: the connect handlers -------------------------------------------- */

extern const resmgr_connect_funcs_t tmpfs_connect;
