/* Directories: arrays of 64-byte entries (fskeel.h).  Entry `slot` lies in
 * file block slot / (S / 64); a hole is a block of free entries.  Every
 * entry read is checked (dir_entry) before its inode number or name is
 * used. */
#include <errno.h>
#include <string.h>
#include "fsk_impl.h"

#define PER_BLOCK(fs) ((fs)->g.block_size / FSK_DIRENT_SIZE)

/* Checks a name for lookup: "." and ".." allowed. */
static int name_check_lookup(const char *name, size_t *len)
{
	size_t n = strnlen(name, FSK_NAME_MAX + 1);

	if (n == 0 || memchr(name, '/', n))
		return -EINVAL;
	if (n > FSK_NAME_MAX)
		return -ENAMETOOLONG;
	*len = n;
	return 0;
}

int name_check(const char *name)
{
	size_t n;
	int err = name_check_lookup(name, &n);

	if (err)
		return err;
	if ((n == 1 && name[0] == '.') || (n == 2 && name[0] == '.' && name[1] == '.'))
		return -EINVAL;
	return 0;
}

static uint64_t dir_slots(const struct fsk_inode *d)
{
	return d->size / FSK_DIRENT_SIZE;
}

static bool entry_valid(const struct fsk *fs, const struct fsk_dirent *e)
{
	if (e->ino == 0)
		return true;
	if (e->ino > fs->g.inodes || e->name_len == 0 || e->name_len > FSK_NAME_MAX)
		return false;
	if (e->type < FSK_DT_REG || e->type > FSK_DT_LNK)
		return false;
	return !memchr(e->name, '/', e->name_len) && !memchr(e->name, 0, e->name_len);
}

/* The disk block holding entry slot and the entry's offset in it (block 0
 * for a hole). */
static int entry_where(struct fsk *fs, const struct fsk_inode *d, uint64_t slot, uint32_t *blk,
		       uint32_t *off)
{
	*off = (uint32_t)(slot % PER_BLOCK(fs)) * FSK_DIRENT_SIZE;
	return inode_bmap(fs, d, slot / PER_BLOCK(fs), blk);
}

int dir_entry(struct fsk *fs, const struct fsk_inode *d, uint64_t slot, struct fsk_dirent *e)
{
	uint32_t blk, off;
	int err = entry_where(fs, d, slot, &blk, &off);

	if (err)
		return err;
	if (blk == 0) {
		memset(e, 0, sizeof(*e));
		return 0;
	}
	err = bc_peek(fs, blk, off, e, sizeof(*e));
	if (err)
		return err;
	return entry_valid(fs, e) ? 0 : -EIO;
}

/* The next slot at or after *slot that may hold an entry: skips holes.
 * Returns 1 with *e, 0 at the end, or an errno. */
static int next_entry(struct fsk *fs, const struct fsk_inode *d, uint64_t *slot,
		      struct fsk_dirent *e)
{
	uint32_t blk, off;
	int err;

	for (; *slot < dir_slots(d); (*slot)++) {
		err = entry_where(fs, d, *slot, &blk, &off);
		if (err)
			return err;
		if (blk == 0) {
			*slot = (*slot / PER_BLOCK(fs) + 1) * PER_BLOCK(fs) - 1;
			continue;
		}
		err = bc_peek(fs, blk, off, e, sizeof(*e));
		if (err)
			return err;
		if (!entry_valid(fs, e))
			return -EIO;
		if (e->ino)
			return 1;
	}
	return 0;
}

int dir_find(struct fsk *fs, const struct fsk_inode *d, const char *name, uint32_t *ino,
	     uint64_t *slot)
{
	struct fsk_dirent e;
	uint64_t s = 0;
	size_t n;
	int r = name_check_lookup(name, &n);

	if (r)
		return r;
	while ((r = next_entry(fs, d, &s, &e)) == 1) {
		if (e.name_len == n && memcmp(e.name, name, n) == 0) {
			*ino = e.ino;
			if (slot)
				*slot = s;
			return 0;
		}
		s++;
	}
	return r ? r : -ENOENT;
}

static void entry_fill(struct fsk_dirent *e, const char *name, uint32_t ino, enum fsk_dtype type)
{
	size_t n = strlen(name);

	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->type = (uint8_t)type;
	e->name_len = (uint8_t)n;
	memcpy(e->name, name, n);
}

void dir_block_init(uint8_t *blk, uint32_t bs, uint32_t self, uint32_t parent)
{
	struct fsk_dirent e[2];

	memset(blk, 0, bs);
	entry_fill(&e[0], ".", self, FSK_DT_DIR);
	entry_fill(&e[1], "..", parent, FSK_DT_DIR);
	memcpy(blk, e, sizeof(e));
}

static int dir_touch(struct fsk *fs, uint32_t dino, struct fsk_inode *d)
{
	d->mtime_ns = d->ctime_ns = fsk_now(fs);
	return inode_put(fs, dino, d);
}

/* Grows directory dino by a block at file block lblk (a hole or the end)
 * whose first entry is *e. */
static int dir_grow(struct fsk *fs, uint32_t dino, struct fsk_inode *d, uint64_t lblk,
		    const struct fsk_dirent *e)
{
	uint8_t blk[FSK_MAX_BLOCK];
	uint32_t b;
	int err;

	if (lblk + 1 > fs->g.backup - fs->g.data_start)
		return -ENOSPC;
	err = alloc_block(fs, &b);
	if (err)
		return err;
	memset(blk, 0, fs->g.block_size);
	memcpy(blk, e, sizeof(*e));
	err = bc_write(fs, b, blk);
	if (!err)
		err = bc_barrier(fs);
	if (!err)
		err = inode_link_block(fs, d, lblk, b);
	if (err) {
		free_block(fs, b);
		return err;
	}
	d->nblocks++;
	if ((lblk + 1) << fs->g.block_log2 > d->size)
		d->size = (lblk + 1) << fs->g.block_log2;
	return dir_touch(fs, dino, d);
}

int dir_add(struct fsk *fs, uint32_t dino, struct fsk_inode *d, const char *name, uint32_t ino,
	    enum fsk_dtype type)
{
	struct fsk_dirent e, cur;
	uint64_t slot;
	uint32_t blk, off;
	int err;

	entry_fill(&e, name, ino, type);
	for (slot = 2; slot < dir_slots(d); slot++) {   /* 0 and 1: "." and ".." */
		err = entry_where(fs, d, slot, &blk, &off);
		if (err)
			return err;
		if (blk == 0 && slot < PER_BLOCK(fs))
			return -EIO;                    /* no first block: no "." nor ".." */
		if (blk == 0)
			return dir_grow(fs, dino, d, slot / PER_BLOCK(fs), &e);
		err = bc_peek(fs, blk, off, &cur, sizeof(cur));
		if (err)
			return err;
		if (cur.ino == 0) {
			err = bc_patch(fs, blk, off, &e, sizeof(e));
			return err ? err : dir_touch(fs, dino, d);
		}
	}
	return dir_grow(fs, dino, d, dir_slots(d) / PER_BLOCK(fs), &e);
}

int dir_dots(struct fsk *fs, uint32_t dino, const struct fsk_inode *d, uint32_t *parent)
{
	struct fsk_dirent e[2];
	uint32_t blk, off;
	int err = entry_where(fs, d, 0, &blk, &off);

	if (!err && blk == 0)
		err = -EIO;
	if (!err)
		err = bc_peek(fs, blk, off, e, sizeof e);
	if (err)
		return err;
	bool ok = e[0].ino == dino && e[0].name_len == 1 && e[0].name[0] == '.' &&
		  e[1].ino != 0 && e[1].ino <= fs->g.inodes && e[1].name_len == 2 &&
		  !memcmp(e[1].name, "..", 2);
	if (ok && parent)
		*parent = e[1].ino;
	return ok ? 0 : -EIO;
}

int dir_set_ino(struct fsk *fs, uint32_t dino, struct fsk_inode *d, uint64_t slot, uint32_t ino,
		enum fsk_dtype type)
{
	struct fsk_dirent e;
	uint32_t blk, off;
	int err = entry_where(fs, d, slot, &blk, &off);

	if (!err && blk == 0)
		err = -EIO;
	if (!err)
		err = bc_peek(fs, blk, off, &e, sizeof(e));
	if (err)
		return err;
	e.ino = ino;
	e.type = (uint8_t)type;
	err = bc_patch(fs, blk, off, &e, sizeof(e));
	return err ? err : dir_touch(fs, dino, d);
}

int dir_clear(struct fsk *fs, uint32_t dino, struct fsk_inode *d, uint64_t slot)
{
	static const struct fsk_dirent zero;
	uint32_t blk, off;
	int err = entry_where(fs, d, slot, &blk, &off);

	if (err || blk == 0)
		return err ? err : -EIO;
	err = bc_patch(fs, blk, off, &zero, sizeof(zero));
	return err ? err : dir_touch(fs, dino, d);
}

int dir_is_empty(struct fsk *fs, const struct fsk_inode *d)
{
	struct fsk_dirent e;
	uint64_t s = 2;
	int r = next_entry(fs, d, &s, &e);

	return r < 0 ? r : !r;
}

/* Loads directory inode dir. */
static int dir_get(struct fsk *fs, uint32_t dir, struct fsk_inode *d)
{
	int err = inode_get(fs, dir, d);

	if (err)
		return err == -ENOENT ? -EIO : err;
	return (d->mode & FSK_S_IFMT) == FSK_S_IFDIR ? 0 : -ENOTDIR;
}

int core_lookup(struct fsk *fs, uint32_t dir, const char *name, uint32_t *ino)
{
	struct fsk_inode d;
	int err = dir_get(fs, dir, &d);

	return err ? err : dir_find(fs, &d, name, ino, NULL);
}

int core_readdir(struct fsk *fs, uint32_t dir, uint64_t *pos, struct fsk_dirinfo *out)
{
	struct fsk_inode d;
	struct fsk_dirent e;
	int r = dir_get(fs, dir, &d);

	if (r)
		return r;
	r = next_entry(fs, &d, pos, &e);
	if (r != 1)
		return r;
	(*pos)++;
	out->ino = e.ino;
	out->type = e.type;
	memcpy(out->name, e.name, e.name_len);
	out->name[e.name_len] = 0;
	return 1;
}
