#pragma once
/* fs-keel core internals shared by its files (never included outside
 * os/fs/keel).
 *
 * Threads.  Any number of threads may call the fsk_* calls of one volume
 * at once (but fsk_unmount, which must be the last).  lock.c wraps each
 * call's body (core_<call>) in the locks below, taken in this order:
 *   1. ns (rwlock): exclusive for a call that adds, removes or moves a name
 *      or frees an inode (create, mkdir, symlink, link, unlink, rmdir,
 *      rename, forget), shared for every other call.  So directories change
 *      only under it exclusive, and lookups, readdir and path walks need
 *      nothing more.
 *   2. ilock[ino % ILOCK_STRIPES] (mutex): one inode's contents and record
 *      (read, write, truncate, setattr, stat, bmap, fsync).  A call takes
 *      at most one.
 *   3. alloc (mutex): the bitmaps, the free counts and the rotors
 *      (alloc.c, statvfs).
 *   4. bc[slot] (mutex): one block-cache slot, held across its device I/O
 *      (bcache.c); nothing is taken under it.
 * Everything else in struct fsk is set at mount and read-only after. */
#include <pthread.h>
#include "fskeel.h"

#define BCACHE_SLOTS  64u
#define ILOCK_STRIPES 64u

/* A mounted volume. */
struct fsk {
	const struct fsk_blkdev *dev;
	struct fsk_geometry g;
	struct fsk_super sb;          /* as on disk, kept current */
	bool rdonly;
	bool was_dirty;
	bool (*in_use)(void *ctx, uint32_t ino);      /* the server's opens (fsk_set_in_use) */
	void *in_use_ctx;
	uint32_t ptrs_per_block;      /* block_size / 4 */

	/* Both bitmaps whole in memory, block-padded; every change is also
	 * written through (the sector holding the bit). */
	uint8_t *imap, *bmap;
	/* Inodes this mount took the last name of while open (bit ino): only
	 * those does a last close free (fsk_forget).  An inode with no links on
	 * disk that this mount did not unlink is a crash's orphan or damage, for
	 * fsck: freed at a close, a corrupt link count would lose a named file
	 * (or the root) to anyone who opened it. */
	uint32_t *kept;
	uint32_t free_inodes, free_blocks;
	uint32_t inode_rotor, block_rotor;    /* where the next search starts */

	/* Write-through block cache, direct-mapped: slot blk % BCACHE_SLOTS. */
	uint32_t bc_blk[BCACHE_SLOTS];        /* UINT32_MAX: empty */
	uint8_t *bc_data;                     /* BCACHE_SLOTS blocks */

	/* The locks, in the order they are taken (above). */
	pthread_rwlock_t ns;
	pthread_mutex_t ilock[ILOCK_STRIPES];
	pthread_mutex_t alloc;
	pthread_mutex_t bc[BCACHE_SLOTS];
	bool locks_ready;                     /* made (fsk_free destroys them only then) */
};

/* ---- lock.c: the locks ------------------------------------------------------ */

/* Makes fs's locks: 0 or -ENOMEM. */
int fsk_locks_init(struct fsk *fs);
void fsk_locks_destroy(struct fsk *fs);

/* ---- the calls' bodies, run by lock.c's fsk_* under the locks they need ----- */

int core_lookup(struct fsk *fs, uint32_t dir, const char *name, uint32_t *ino);
int core_resolve(struct fsk *fs, const char *path, bool follow, uint32_t *ino);
int core_readdir(struct fsk *fs, uint32_t dir, uint64_t *pos, struct fsk_dirinfo *d);
int core_readlink(struct fsk *fs, uint32_t ino, char *buf, size_t len);
int core_create(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
		uint32_t gid, uint32_t *ino);
int core_mkdir(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
	       uint32_t gid, uint32_t *ino);
int core_symlink(struct fsk *fs, uint32_t dir, const char *name, const char *target,
		 uint32_t uid, uint32_t gid, uint32_t *ino);
int core_link(struct fsk *fs, uint32_t ino, uint32_t dir, const char *name);
int core_unlink(struct fsk *fs, uint32_t dir, const char *name);
int core_rmdir(struct fsk *fs, uint32_t dir, const char *name);
int core_rename(struct fsk *fs, uint32_t sdir, const char *sname, uint32_t ddir,
		const char *dname);
int core_forget(struct fsk *fs, uint32_t ino);
int64_t core_read(struct fsk *fs, uint32_t ino, uint64_t off, void *buf, size_t len);
int64_t core_write(struct fsk *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);
int core_truncate(struct fsk *fs, uint32_t ino, uint64_t size);
int core_stat(struct fsk *fs, uint32_t ino, struct fsk_stat *st);
int core_setattr(struct fsk *fs, uint32_t ino, const struct fsk_attr *a, unsigned mask);
int core_bmap(struct fsk *fs, uint32_t ino, uint64_t lblk, uint32_t *pblk);
int core_statvfs(struct fsk *fs, struct fsk_statvfs *sv);
int core_sync(struct fsk *fs);
int core_fsync(struct fsk *fs, uint32_t ino);

/* ---- bcache.c: block I/O ---------------------------------------------------- */

/* Copies block blk (< blocks) into buf (block_size bytes).  Returns 0 or a
 * device error. */
int bc_read(struct fsk *fs, uint32_t blk, void *buf);
/* Writes the whole block blk from buf. */
int bc_write(struct fsk *fs, uint32_t blk, const void *buf);
/* Replaces bytes [off, off + len) of block blk and writes the sectors that
 * hold them. */
int bc_patch(struct fsk *fs, uint32_t blk, uint32_t off, const void *src, uint32_t len);
/* Copies bytes [off, off + len) of block blk to dst. */
int bc_peek(struct fsk *fs, uint32_t blk, uint32_t off, void *dst, uint32_t len);
/* Reads pointer idx of indirect block blk into *v (unchecked). */
int bc_get32(struct fsk *fs, uint32_t blk, uint32_t idx, uint32_t *v);
/* Writes sectors of the volume outside the cache (bitmaps, superblock). */
int bc_write_raw(struct fsk *fs, uint64_t off, const void *src, size_t len);
/* The device barrier (a no-op without flush). */
int bc_barrier(struct fsk *fs);
int64_t fsk_now(struct fsk *fs);

/* ---- super.c ---------------------------------------------------------------- */

/* Checks a superblock image against the format and a device of dev_size
 * bytes; on success *g is its geometry.  Returns 0 or -EINVAL with a reason
 * in why[0..len) (may be NULL). */
int fsk_super_check(const struct fsk_super *sb, uint64_t dev_size, struct fsk_geometry *g,
		    char *why, size_t len);
/* The superblock's checksum. */
uint32_t fsk_super_crc(const struct fsk_super *sb);

/* ---- alloc.c: bitmaps ------------------------------------------------------- */

/* Take a free block / inode: sets its bit on disk (rule 1) and returns 0
 * with *out set, or -ENOSPC, or a device error. */
int alloc_block(struct fsk *fs, uint32_t *out);
int alloc_inode(struct fsk *fs, uint32_t *out);
/* Clear the bit of a block / inode on disk.  The caller has already removed
 * every reference (rule 4).  Values out of range are ignored (and counted
 * as corruption by fsck, not here). */
int free_block(struct fsk *fs, uint32_t blk);
int free_inode(struct fsk *fs, uint32_t ino);
/* Bit helpers over a bitmap in memory. */
bool bit_get(const uint8_t *map, uint32_t i);
void bit_set(uint8_t *map, uint32_t i, bool v);

/* ---- inode.c -------------------------------------------------------------- */

/* Reads inode ino and checks its fields against the format (type, size,
 * pointers in range).  Returns 0, -EIO for a corrupt inode (or ino out of
 * range), or -ENOENT for a free one. */
int inode_get(struct fsk *fs, uint32_t ino, struct fsk_inode *in);
/* Writes inode ino. */
int inode_put(struct fsk *fs, uint32_t ino, const struct fsk_inode *in);
/* True if blk may be a data-area pointer. */
bool blk_ok(const struct fsk *fs, uint32_t blk);
/* File blocks of an inode of size bytes. */
uint64_t size_blocks(const struct fsk *fs, uint64_t size);
/* The disk block of file block lblk (0: hole).  Returns 0, -EFBIG or -EIO. */
int inode_bmap(struct fsk *fs, const struct fsk_inode *in, uint64_t lblk, uint32_t *pblk);
/* Links disk block pblk (allocated and written) as file block lblk,
 * allocating zeroed indirect blocks on the way.  Pointers in the inode
 * change in *in only: the caller writes it.  Returns 0 or an errno. */
int inode_link_block(struct fsk *fs, struct fsk_inode *in, uint64_t lblk, uint32_t pblk);
/* Shrinks *in to size bytes (<= its size): writes the inode with the new
 * size and cleared pointers, then frees what they held (rules 4, 5). */
int inode_shrink(struct fsk *fs, uint32_t ino, struct fsk_inode *in, uint64_t size);
/* Frees every block of ino, then the inode itself. */
int inode_release(struct fsk *fs, uint32_t ino, struct fsk_inode *in);
/* Fills a new in-memory inode. */
void inode_init(struct fsk *fs, struct fsk_inode *in, uint32_t mode, uint32_t uid, uint32_t gid);
enum fsk_dtype mode_dtype(uint32_t mode);

/* ---- dir.c ---------------------------------------------------------------- */

/* Checks a name: 0, -EINVAL (empty, '/', "." or ".."), -ENAMETOOLONG. */
int name_check(const char *name);
/* Finds name in directory *d: 0 with *ino and *slot set, or -ENOENT/-EIO. */
int dir_find(struct fsk *fs, const struct fsk_inode *d, const char *name, uint32_t *ino,
	     uint64_t *slot);
/* Adds name -> ino (type) to directory dino, growing it by a block if no
 * entry is free, and writes *d with a new mtime.  Returns 0 or an errno. */
int dir_add(struct fsk *fs, uint32_t dino, struct fsk_inode *d, const char *name, uint32_t ino,
	    enum fsk_dtype type);
/* Rewrites entry slot of directory dino to name the given inode (same
 * name), and writes *d with a new mtime. */
int dir_set_ino(struct fsk *fs, uint32_t dino, struct fsk_inode *d, uint64_t slot, uint32_t ino,
		enum fsk_dtype type);
/* Clears entry slot of directory dino and writes *d with a new mtime. */
int dir_clear(struct fsk *fs, uint32_t dino, struct fsk_inode *d, uint64_t slot);
/* True (1) if the directory holds only "." and "..", 0 if not, or an errno. */
int dir_is_empty(struct fsk *fs, const struct fsk_inode *d);
/* Whether directory dino's slots 0 and 1 are its "." and "..": 0 with
 * *parent (if not NULL) the inode ".." names, or -EIO (a corrupt
 * directory, whose ".." a rename must not rewrite).  One read, whatever
 * the directory's size. */
int dir_dots(struct fsk *fs, uint32_t dino, const struct fsk_inode *d, uint32_t *parent);
/* Reads entry slot into *e (a hole reads as a free entry) and checks it.
 * Returns 0, or -EIO for a corrupt entry. */
int dir_entry(struct fsk *fs, const struct fsk_inode *d, uint64_t slot, struct fsk_dirent *e);
/* Fills a directory block with "." and ".." (the rest free). */
void dir_block_init(uint8_t *blk, uint32_t bs, uint32_t self, uint32_t parent);
