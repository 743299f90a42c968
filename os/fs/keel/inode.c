/* Inodes: reading with every field checked, block mapping through the
 * indirect tree, growing and shrinking, stat and setattr.
 *
 * Invariants kept here: a pointer read from disk is used only after
 * blk_ok(); a walk that frees an indirect tree visits at most as many blocks
 * as the volume has (a budget of its own: walks of two files may run at
 * once), so a corrupt tree that points back into itself ends with -EIO
 * instead of running for ever. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "fsk_impl.h"

bool blk_ok(const struct fsk *fs, uint32_t blk)
{
	return blk >= fs->g.data_start && blk < fs->g.backup;
}

uint64_t size_blocks(const struct fsk *fs, uint64_t size)
{
	/* (not size + block_size - 1: a size near 2^64 from a corrupt inode
	 * would wrap to a few blocks and pass for valid) */
	return (size >> fs->g.block_log2) + ((size & (fs->g.block_size - 1)) != 0);
}

enum fsk_dtype mode_dtype(uint32_t mode)
{
	switch (mode & FSK_S_IFMT) {
	case FSK_S_IFREG: return FSK_DT_REG;
	case FSK_S_IFDIR: return FSK_DT_DIR;
	case FSK_S_IFLNK: return FSK_DT_LNK;
	default: return FSK_DT_NONE;
	}
}

static void inode_where(const struct fsk *fs, uint32_t ino, uint32_t *blk, uint32_t *off)
{
	uint64_t byte = (uint64_t)(ino - 1) * FSK_INODE_SIZE;

	*blk = fs->g.itable_start + (uint32_t)(byte >> fs->g.block_log2);
	*off = (uint32_t)(byte & (fs->g.block_size - 1));
}

/* Whether the inode's fields fit the format (pointers included). */
static bool inode_valid(const struct fsk *fs, const struct fsk_inode *in)
{
	uint64_t max_blocks = fsk_max_file_blocks(fs->g.block_log2);
	uint32_t nptr = FSK_NPTR;

	switch (in->mode & FSK_S_IFMT) {
	case FSK_S_IFREG:
		if (size_blocks(fs, in->size) > max_blocks)
			return false;
		break;
	case FSK_S_IFDIR:                       /* empty only once removed (kept open) */
		if ((in->size == 0 && in->nlink) || in->size & (fs->g.block_size - 1) ||
		    in->size >> fs->g.block_log2 > fs->g.backup - fs->g.data_start)
			return false;
		break;
	case FSK_S_IFLNK:
		if (in->size == 0 || in->size > FSK_PATH_MAX || in->size >= fs->g.block_size)
			return false;
		if (in->size <= FSK_INLINE_MAX)
			nptr = 0;
		else if (in->block[0] == 0)
			return false;
		break;
	default:
		return false;
	}
	for (uint32_t i = 0; i < nptr; i++)
		if (in->block[i] && !blk_ok(fs, in->block[i]))
			return false;
	return true;
}

int inode_get(struct fsk *fs, uint32_t ino, struct fsk_inode *in)
{
	uint32_t blk, off;
	int err;

	if (ino == 0 || ino > fs->g.inodes)
		return -EIO;
	inode_where(fs, ino, &blk, &off);
	err = bc_peek(fs, blk, off, in, sizeof(*in));
	if (err)
		return err;
	if (in->mode == 0)
		return -ENOENT;
	return inode_valid(fs, in) ? 0 : -EIO;
}

int inode_put(struct fsk *fs, uint32_t ino, const struct fsk_inode *in)
{
	uint32_t blk, off;

	if (ino == 0 || ino > fs->g.inodes)
		return -EIO;
	inode_where(fs, ino, &blk, &off);
	return bc_patch(fs, blk, off, in, sizeof(*in));
}

void inode_init(struct fsk *fs, struct fsk_inode *in, uint32_t mode, uint32_t uid, uint32_t gid)
{
	int64_t now = fsk_now(fs);
	uint32_t gen = in->generation;

	memset(in, 0, sizeof(*in));
	in->generation = gen + 1;
	in->mode = mode;
	in->uid = uid;
	in->gid = gid;
	in->nlink = 1;
	in->atime_ns = in->mtime_ns = in->ctime_ns = now;
}

/* ---- mapping ------------------------------------------------------------------ */

/* Where file block lblk lies: depth 0 is block[lblk]; depth 1..3 start at
 * block[11 + depth] and take idx[0..depth) in the indirect blocks. */
struct bpath {
	int depth;
	uint32_t top;                 /* index in block[] */
	uint32_t idx[3];
};

static int bpath_of(const struct fsk *fs, uint64_t lblk, struct bpath *bp)
{
	uint64_t p = fs->ptrs_per_block, span = 1;

	if (lblk < FSK_NDIRECT) {
		bp->depth = 0;
		bp->top = (uint32_t)lblk;
		return 0;
	}
	lblk -= FSK_NDIRECT;
	for (int d = 1; d <= 3; d++) {
		span *= p;
		if (lblk < span) {
			bp->depth = d;
			bp->top = FSK_NDIRECT + (uint32_t)d - 1;
			for (int k = d - 1; k >= 0; k--) {
				bp->idx[k] = (uint32_t)(lblk % p);
				lblk /= p;
			}
			return 0;
		}
		lblk -= span;
	}
	return -EFBIG;
}

int inode_bmap(struct fsk *fs, const struct fsk_inode *in, uint64_t lblk, uint32_t *pblk)
{
	struct bpath bp;
	uint32_t b;
	int err = bpath_of(fs, lblk, &bp);

	if (err)
		return err;
	b = in->block[bp.top];
	for (int d = 0; d < bp.depth && b; d++) {
		if (!blk_ok(fs, b))
			return -EIO;
		err = bc_get32(fs, b, bp.idx[d], &b);
		if (err)
			return err;
	}
	if (b && !blk_ok(fs, b))
		return -EIO;
	*pblk = b;
	return 0;
}

int core_bmap(struct fsk *fs, uint32_t ino, uint64_t lblk, uint32_t *pblk)
{
	struct fsk_inode in;
	int err = inode_get(fs, ino, &in);

	if (err)
		return err;
	if ((in.mode & FSK_S_IFMT) == FSK_S_IFLNK)
		return -EINVAL;
	return inode_bmap(fs, &in, lblk, pblk);
}

/* A new indirect block, zeroed on disk (rules 1 and 2). */
static int new_indirect(struct fsk *fs, struct fsk_inode *in, uint32_t *out)
{
	static const uint8_t zero[FSK_MAX_BLOCK];
	int err = alloc_block(fs, out);

	if (err)
		return err;
	err = bc_write(fs, *out, zero);
	if (err) {
		free_block(fs, *out);
		return err;
	}
	in->nblocks++;
	return 0;
}

int inode_link_block(struct fsk *fs, struct fsk_inode *in, uint64_t lblk, uint32_t pblk)
{
	struct bpath bp;
	uint32_t parent, b, fresh;
	int err = bpath_of(fs, lblk, &bp);

	if (err)
		return err;
	if (bp.depth == 0) {
		in->block[bp.top] = pblk;
		return 0;
	}
	if (in->block[bp.top] == 0) {
		err = new_indirect(fs, in, &fresh);
		if (err)
			return err;
		in->block[bp.top] = fresh;
	}
	parent = in->block[bp.top];
	for (int d = 0; d < bp.depth; d++) {
		if (!blk_ok(fs, parent))
			return -EIO;
		if (d == bp.depth - 1) {
			err = bc_barrier(fs);
			return err ? err : bc_patch(fs, parent, bp.idx[d] * 4, &pblk, 4);
		}
		err = bc_get32(fs, parent, bp.idx[d], &b);
		if (err)
			return err;
		if (b == 0) {
			err = new_indirect(fs, in, &b);
			if (!err)
				err = bc_barrier(fs);
			if (!err)
				err = bc_patch(fs, parent, bp.idx[d] * 4, &b, 4);
			if (err)
				return err;
		}
		parent = b;
	}
	return 0;
}

/* ---- shrinking ---------------------------------------------------------------- */

/* What a shrink freed, and how many blocks its walk may still visit. */
struct walk_count {
	uint32_t n;
	uint64_t budget;
};

/* Frees the tree under blk (depth 0: a data block), counting in *c;
 * -EIO when the walk runs past the budget. */
static int free_tree(struct fsk *fs, uint32_t blk, int depth, struct walk_count *c)
{
	uint32_t *ptrs;
	int err = 0;

	if (!blk_ok(fs, blk))
		return 0;
	if (c->budget == 0)
		return -EIO;
	c->budget--;
	if (depth > 0) {
		ptrs = malloc(fs->g.block_size);
		if (!ptrs)
			return -ENOMEM;
		err = bc_read(fs, blk, ptrs);
		for (uint32_t i = 0; !err && i < fs->ptrs_per_block; i++)
			if (ptrs[i])
				err = free_tree(fs, ptrs[i], depth - 1, c);
		free(ptrs);
		if (err)
			return err;
	}
	c->n++;
	return free_block(fs, blk);
}

/* Cuts the tree under blk, which maps file blocks from `first` on, so that
 * no block at or past keep stays: clears those pointers on disk, then frees
 * what they held.  Returns 0 or an errno; *c counts blocks freed. */
static int trim_tree(struct fsk *fs, uint32_t blk, int depth, uint64_t first, uint64_t keep,
		     struct walk_count *c)
{
	uint64_t span = 1, child;
	uint32_t *old, *now;
	int err;

	if (!blk_ok(fs, blk))
		return -EIO;
	for (int d = 1; d < depth; d++)
		span *= fs->ptrs_per_block;
	old = malloc(2 * (size_t)fs->g.block_size);
	if (!old)
		return -ENOMEM;
	now = old + fs->ptrs_per_block;
	err = bc_read(fs, blk, old);
	memcpy(now, old, fs->g.block_size);
	for (uint32_t i = 0; !err && i < fs->ptrs_per_block; i++) {
		child = first + i * span;
		if (child >= keep)
			now[i] = 0;
		else if (child + span > keep && old[i] && depth > 1)
			err = trim_tree(fs, old[i], depth - 1, child, keep, c);
	}
	if (!err && memcmp(old, now, fs->g.block_size))
		err = bc_write(fs, blk, now);
	if (!err)
		err = bc_barrier(fs);
	for (uint32_t i = 0; !err && i < fs->ptrs_per_block; i++)
		if (old[i] && !now[i])
			err = free_tree(fs, old[i], depth - 1, c);
	free(old);
	return err;
}

/* Zeroes the bytes of the last block past size, so that growing the file
 * again reads zeros there. */
static int zero_tail(struct fsk *fs, const struct fsk_inode *in, uint64_t size)
{
	static const uint8_t zero[FSK_MAX_BLOCK];
	uint32_t off = (uint32_t)(size & (fs->g.block_size - 1)), b;
	int err;

	if (off == 0)
		return 0;
	err = inode_bmap(fs, in, size >> fs->g.block_log2, &b);
	if (err || b == 0)
		return err;
	return bc_patch(fs, b, off, zero, fs->g.block_size - off);
}

int inode_shrink(struct fsk *fs, uint32_t ino, struct fsk_inode *in, uint64_t size)
{
	uint64_t keep = size_blocks(fs, size), first = FSK_NDIRECT, span = 1;
	uint32_t old[FSK_NPTR];
	struct walk_count c = { 0, fs->g.blocks };
	int err = 0;

	if ((in->mode & FSK_S_IFMT) != FSK_S_IFLNK)
		err = zero_tail(fs, in, size);
	if (err)
		return err;
	memcpy(old, in->block, sizeof(old));
	in->size = size;
	for (uint32_t i = 0; i < FSK_NDIRECT; i++)
		if (i >= keep)
			in->block[i] = 0;
	for (int d = 1; d <= 3; d++) {
		span *= fs->ptrs_per_block;
		if (first >= keep)
			in->block[FSK_NDIRECT + d - 1] = 0;
		first += span;
	}
	err = inode_put(fs, ino, in);
	if (!err)
		err = bc_barrier(fs);
	for (uint32_t i = 0; !err && i < FSK_NDIRECT; i++)
		if (old[i] && !in->block[i])
			err = free_tree(fs, old[i], 0, &c);
	first = FSK_NDIRECT;
	span = 1;
	for (int d = 1; !err && d <= 3; d++) {
		uint32_t top = old[FSK_NDIRECT + d - 1];
		span *= fs->ptrs_per_block;
		if (top && !in->block[FSK_NDIRECT + d - 1])
			err = free_tree(fs, top, d, &c);
		else if (top && keep < first + span)
			err = trim_tree(fs, top, d, first, keep, &c);
		first += span;
	}
	in->nblocks = in->nblocks > c.n ? in->nblocks - c.n : 0;
	if (c.n && !err)
		err = inode_put(fs, ino, in);
	return err;
}

int inode_release(struct fsk *fs, uint32_t ino, struct fsk_inode *in)
{
	uint32_t gen = in->generation;
	int err = 0;

	if ((in->mode & FSK_S_IFMT) == FSK_S_IFLNK && in->size <= FSK_INLINE_MAX)
		memset(in->block, 0, sizeof(in->block));
	else
		err = inode_shrink(fs, ino, in, 0);
	if (err)
		return err;
	memset(in, 0, sizeof(*in));
	in->generation = gen;
	err = inode_put(fs, ino, in);
	if (!err)
		err = bc_barrier(fs);
	return err ? err : free_inode(fs, ino);
}

/* ---- attributes --------------------------------------------------------------- */

int core_stat(struct fsk *fs, uint32_t ino, struct fsk_stat *st)
{
	struct fsk_inode in;
	int err = inode_get(fs, ino, &in);

	if (err)
		return err == -ENOENT ? -EIO : err;
	st->ino = ino;
	st->mode = in.mode;
	st->uid = in.uid;
	st->gid = in.gid;
	st->nlink = in.nlink;
	st->generation = in.generation;
	st->size = in.size;
	st->blocks = (uint64_t)in.nblocks << (fs->g.block_log2 - 9);
	st->atime_ns = in.atime_ns;
	st->mtime_ns = in.mtime_ns;
	st->ctime_ns = in.ctime_ns;
	st->blksize = fs->g.block_size;
	return 0;
}

int core_setattr(struct fsk *fs, uint32_t ino, const struct fsk_attr *a, unsigned mask)
{
	struct fsk_inode in;
	int err;

	if (fs->rdonly)
		return -EROFS;
	err = inode_get(fs, ino, &in);
	if (err)
		return err == -ENOENT ? -EIO : err;
	if (mask & FSK_ATTR_MODE)
		in.mode = (in.mode & FSK_S_IFMT) | (a->mode & FSK_S_PERM);
	if (mask & FSK_ATTR_UID)
		in.uid = a->uid;
	if (mask & FSK_ATTR_GID)
		in.gid = a->gid;
	if (mask & FSK_ATTR_ATIME)
		in.atime_ns = a->atime_ns;
	if (mask & FSK_ATTR_MTIME)
		in.mtime_ns = a->mtime_ns;
	in.ctime_ns = fsk_now(fs);
	return inode_put(fs, ino, &in);
}
