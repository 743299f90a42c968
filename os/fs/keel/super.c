/* Volume life: layout, format, mount (every superblock field checked before
 * it is used), unmount, statvfs and the barrier calls. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crc.h"
#include "fsk_impl.h"

static uint32_t div_up(uint64_t a, uint64_t b)
{
	return (uint32_t)((a + b - 1) / b);
}

int fsk_layout(uint32_t block_log2, uint32_t blocks, uint32_t inodes, struct fsk_geometry *g)
{
	uint64_t bs, bits, meta;

	if (block_log2 < FSK_MIN_LOG2 || block_log2 > FSK_MAX_LOG2)
		return -EINVAL;
	if (blocks < FSK_MIN_BLOCKS || inodes < FSK_MIN_INODES || inodes > blocks)
		return -EINVAL;
	bs = 1u << block_log2;
	bits = bs * 8;
	g->block_log2 = block_log2;
	g->block_size = (uint32_t)bs;
	g->blocks = blocks;
	g->inodes = inodes;
	g->ibitmap_start = 1;
	g->ibitmap_blocks = div_up((uint64_t)inodes + 1, bits);
	g->bbitmap_start = g->ibitmap_start + g->ibitmap_blocks;
	g->bbitmap_blocks = div_up(blocks, bits);
	g->itable_start = g->bbitmap_start + g->bbitmap_blocks;
	g->itable_blocks = div_up((uint64_t)inodes * FSK_INODE_SIZE, bs);
	meta = (uint64_t)g->itable_start + g->itable_blocks;
	if (meta + 2 > (uint64_t)blocks - 1)
		return -EINVAL;
	g->data_start = (uint32_t)meta;
	g->backup = blocks - 1;
	return 0;
}

uint64_t fsk_max_file_blocks(uint32_t block_log2)
{
	uint64_t p = (1u << block_log2) / 4;

	return FSK_NDIRECT + p + p * p + p * p * p;
}

uint32_t fsk_super_crc(const struct fsk_super *sb)
{
	return crc32c(0, sb, offsetof(struct fsk_super, crc));
}

static void super_fill(struct fsk_super *sb, const struct fsk_geometry *g)
{
	sb->magic = FSK_MAGIC;
	sb->version = FSK_VERSION;
	sb->block_log2 = g->block_log2;
	sb->blocks = g->blocks;
	sb->inodes = g->inodes;
	sb->ibitmap_start = g->ibitmap_start;
	sb->ibitmap_blocks = g->ibitmap_blocks;
	sb->bbitmap_start = g->bbitmap_start;
	sb->bbitmap_blocks = g->bbitmap_blocks;
	sb->itable_start = g->itable_start;
	sb->itable_blocks = g->itable_blocks;
	sb->data_start = g->data_start;
	sb->root_ino = FSK_ROOT_INO;
	sb->inode_size = FSK_INODE_SIZE;
}

/* ---- format ------------------------------------------------------------------ */

/* Writes n zeroed blocks from blk through the device. */
static int zero_blocks(const struct fsk_blkdev *dev, const struct fsk_geometry *g, uint32_t blk,
		       uint32_t n, uint8_t *buf)
{
	int err;

	memset(buf, 0, g->block_size);
	for (uint32_t i = 0; i < n; i++) {
		err = dev->write(dev->ctx, (uint64_t)(blk + i) << g->block_log2, buf, g->block_size);
		if (err)
			return err;
	}
	return 0;
}

/* Writes a bitmap of `blocks` blocks at start in which bits [0, used) and
 * [limit, end) are set and the rest clear; `extra` (if not 0) is set too. */
static int write_bitmap(const struct fsk_blkdev *dev, const struct fsk_geometry *g,
			uint32_t start, uint32_t blocks, uint32_t used, uint32_t limit,
			uint32_t extra, uint8_t *buf)
{
	uint32_t bits = g->block_size * 8;
	int err;

	for (uint32_t b = 0; b < blocks; b++) {
		memset(buf, 0, g->block_size);
		for (uint32_t k = 0; k < bits; k++) {
			uint64_t i = (uint64_t)b * bits + k;
			if (i < used || i >= limit || (extra && i == extra))
				bit_set(buf, k, true);
		}
		err = dev->write(dev->ctx, (uint64_t)(start + b) << g->block_log2, buf, g->block_size);
		if (err)
			return err;
	}
	return 0;
}

static int format_with(const struct fsk_blkdev *dev, const struct fsk_format_opts *o,
		       const struct fsk_geometry *g, uint8_t *buf)
{
	uint32_t root_blk = g->data_start;
	int64_t now = dev->now_ns ? dev->now_ns(dev->ctx) : 0;
	struct fsk_inode root = { 0 };
	struct fsk_super sb = { 0 };
	int err;

	err = zero_blocks(dev, g, 0, g->data_start, buf);
	if (!err)
		err = write_bitmap(dev, g, g->ibitmap_start, g->ibitmap_blocks, FSK_ROOT_INO + 1,
				   g->inodes + 1, 0, buf);
	if (!err)
		err = write_bitmap(dev, g, g->bbitmap_start, g->bbitmap_blocks, root_blk + 1,
				   g->backup, 0, buf);
	if (err)
		return err;
	dir_block_init(buf, g->block_size, FSK_ROOT_INO, FSK_ROOT_INO);
	err = dev->write(dev->ctx, (uint64_t)root_blk << g->block_log2, buf, g->block_size);
	if (err)
		return err;
	root.mode = FSK_S_IFDIR | ((o->root_mode ? o->root_mode : 0755) & FSK_S_PERM);
	root.uid = o->root_uid;
	root.gid = o->root_gid;
	root.nlink = 2;
	root.size = g->block_size;
	root.atime_ns = root.mtime_ns = root.ctime_ns = now;
	root.block[0] = root_blk;
	root.nblocks = 1;
	memset(buf, 0, g->block_size);
	memcpy(buf, &root, sizeof(root));
	err = dev->write(dev->ctx, (uint64_t)g->itable_start << g->block_log2, buf, g->block_size);
	if (err)
		return err;
	super_fill(&sb, g);
	sb.state = FSK_STATE_CLEAN;
	sb.mkfs_time_ns = (uint64_t)now;
	memcpy(sb.uuid, o->uuid, sizeof(sb.uuid));
	if (o->label)
		strncpy(sb.label, o->label, sizeof(sb.label) - 1);
	sb.crc = fsk_super_crc(&sb);
	memset(buf, 0, g->block_size);
	memcpy(buf, &sb, sizeof(sb));
	err = dev->write(dev->ctx, (uint64_t)g->backup << g->block_log2, buf, g->block_size);
	if (!err && dev->flush)
		err = dev->flush(dev->ctx);
	if (!err)
		err = dev->write(dev->ctx, 0, buf, g->block_size);
	if (!err && dev->flush)
		err = dev->flush(dev->ctx);
	return err;
}

int fsk_format(const struct fsk_blkdev *dev, const struct fsk_format_opts *o)
{
	uint32_t log2 = o->block_log2 ? o->block_log2 : FSK_MAX_LOG2, blocks, inodes;
	struct fsk_geometry g;
	uint64_t fit;
	uint8_t *buf;
	int err;

	if (log2 < FSK_MIN_LOG2 || log2 > FSK_MAX_LOG2)
		return -EINVAL;
	fit = dev->size_bytes >> log2;
	if (fit > UINT32_MAX)
		fit = UINT32_MAX;
	blocks = o->blocks ? o->blocks : (uint32_t)fit;
	if (blocks > fit)
		return -EINVAL;
	inodes = o->inodes ? o->inodes : blocks / 4;
	if (inodes < FSK_MIN_INODES)
		inodes = FSK_MIN_INODES;
	err = fsk_layout(log2, blocks, inodes, &g);
	if (err)
		return err;
	buf = malloc(g.block_size);
	if (!buf)
		return -ENOMEM;
	err = format_with(dev, o, &g, buf);
	free(buf);
	return err;
}

/* ---- mount ------------------------------------------------------------------- */

static int reject(char *why, size_t len, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return err;
}

int fsk_super_check(const struct fsk_super *sb, uint64_t dev_size, struct fsk_geometry *g,
		    char *why, size_t len)
{
	uint32_t crc = fsk_super_crc(sb);

	if (sb->magic != FSK_MAGIC)
		return reject(why, len, -EINVAL, "bad magic 0x%08x: not an fs-keel volume",
			      (unsigned)sb->magic);
	if (sb->crc != crc)
		return reject(why, len, -EINVAL, "superblock checksum 0x%08x, computed 0x%08x",
			      (unsigned)sb->crc, (unsigned)crc);
	if (sb->version != FSK_VERSION)
		return reject(why, len, -EINVAL, "unsupported version %u", (unsigned)sb->version);
	if (sb->feat_incompat & ~FSK_FEAT_INCOMPAT_SUPP)
		return reject(why, len, -EINVAL, "unknown incompatible features 0x%x",
			      (unsigned)(sb->feat_incompat & ~FSK_FEAT_INCOMPAT_SUPP));
	if (sb->inode_size != FSK_INODE_SIZE || sb->root_ino != FSK_ROOT_INO)
		return reject(why, len, -EINVAL, "inode size %u or root inode %u not supported",
			      (unsigned)sb->inode_size, (unsigned)sb->root_ino);
	if (sb->state != FSK_STATE_CLEAN && sb->state != FSK_STATE_DIRTY)
		return reject(why, len, -EINVAL, "bad state %u", (unsigned)sb->state);
	if (fsk_layout(sb->block_log2, sb->blocks, sb->inodes, g))
		return reject(why, len, -EINVAL, "impossible geometry: 2^%u-byte blocks, %u blocks, %u inodes",
			      (unsigned)sb->block_log2, (unsigned)sb->blocks, (unsigned)sb->inodes);
	if (sb->ibitmap_start != g->ibitmap_start || sb->ibitmap_blocks != g->ibitmap_blocks ||
	    sb->bbitmap_start != g->bbitmap_start || sb->bbitmap_blocks != g->bbitmap_blocks ||
	    sb->itable_start != g->itable_start || sb->itable_blocks != g->itable_blocks ||
	    sb->data_start != g->data_start)
		return reject(why, len, -EINVAL, "area offsets disagree with the geometry");
	if ((uint64_t)sb->blocks << sb->block_log2 > dev_size)
		return reject(why, len, -EINVAL, "volume of %u blocks is larger than the device (%llu bytes)",
			      (unsigned)sb->blocks, (unsigned long long)dev_size);
	return 0;
}

/* Reads a whole bitmap area into a new buffer at *map. */
static int load_map(struct fsk *fs, uint32_t start, uint32_t blocks, uint8_t **map)
{
	size_t len = (size_t)blocks << fs->g.block_log2;

	*map = malloc(len);
	if (!*map)
		return -ENOMEM;
	return fs->dev->read(fs->dev->ctx, (uint64_t)start << fs->g.block_log2, *map, len);
}

static uint32_t count_clear(const uint8_t *map, uint32_t lo, uint32_t hi)
{
	uint32_t n = 0;

	for (uint32_t i = lo; i < hi; i++)
		n += !bit_get(map, i);
	return n;
}

/* Writes the superblock (primary only) with state. */
static int super_put(struct fsk *fs, uint32_t state)
{
	uint8_t sec[FSK_SECTOR] = { 0 };

	fs->sb.state = state;
	fs->sb.crc = fsk_super_crc(&fs->sb);
	memcpy(sec, &fs->sb, sizeof(fs->sb));
	return bc_write_raw(fs, 0, sec, sizeof(sec));
}

static void fsk_free(struct fsk *fs)
{
	free(fs->imap);
	free(fs->bmap);
	free(fs->kept);
	free(fs->bc_data);
	fsk_locks_destroy(fs);
	free(fs);
}

static int mount_load(struct fsk *fs, unsigned flags, char *why, size_t len)
{
	struct fsk_inode root;
	int err;

	if ((err = load_map(fs, fs->g.ibitmap_start, fs->g.ibitmap_blocks, &fs->imap)) ||
	    (err = load_map(fs, fs->g.bbitmap_start, fs->g.bbitmap_blocks, &fs->bmap)))
		return reject(why, len, err, "cannot read the bitmaps (error %d)", err);
	fs->free_inodes = count_clear(fs->imap, FSK_ROOT_INO + 1, fs->g.inodes + 1);
	fs->free_blocks = count_clear(fs->bmap, fs->g.data_start, fs->g.backup);
	fs->bc_data = malloc((size_t)BCACHE_SLOTS << fs->g.block_log2);
	fs->kept = calloc((size_t)fs->g.inodes / 32 + 1, sizeof *fs->kept);
	if (!fs->bc_data || !fs->kept)
		return reject(why, len, -ENOMEM, "out of memory");
	for (uint32_t i = 0; i < BCACHE_SLOTS; i++)
		fs->bc_blk[i] = UINT32_MAX;
	err = inode_get(fs, FSK_ROOT_INO, &root);
	if (err)
		return reject(why, len, err == -ENOENT ? -EINVAL : err, "root inode is %s",
			      err == -ENOENT ? "free" : "corrupt");
	if ((root.mode & FSK_S_IFMT) != FSK_S_IFDIR)
		return reject(why, len, -EINVAL, "root inode is not a directory");
	if (root.nlink < 2)
		return reject(why, len, -EINVAL, "root directory has %u links", (unsigned)root.nlink);
	if (fs->sb.feat_ro_compat & ~FSK_FEAT_RO_COMPAT_SUPP && !(flags & FSK_MOUNT_RDONLY))
		return reject(why, len, -EROFS, "unknown features 0x%x allow only a read-only mount",
			      (unsigned)(fs->sb.feat_ro_compat & ~FSK_FEAT_RO_COMPAT_SUPP));
	if (fs->rdonly)
		return 0;
	fs->sb.mount_time_ns = (uint64_t)fsk_now(fs);
	err = super_put(fs, FSK_STATE_DIRTY);
	if (!err)
		err = bc_barrier(fs);
	return err ? reject(why, len, err, "cannot write the superblock (error %d)", err) : 0;
}

int fsk_mount(const struct fsk_blkdev *dev, unsigned flags, struct fsk **out, char *why,
	      size_t whylen)
{
	uint8_t sec[FSK_SECTOR];
	struct fsk *fs;
	int err;

	if (why && whylen)
		why[0] = 0;
	if (dev->size_bytes < FSK_SECTOR)
		return reject(why, whylen, -EINVAL, "device shorter than a superblock");
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return reject(why, whylen, -ENOMEM, "out of memory");
	fs->dev = dev;
	if (fsk_locks_init(fs)) {
		free(fs);
		return reject(why, whylen, -ENOMEM, "out of memory");
	}
	err = dev->read(dev->ctx, 0, sec, sizeof(sec));
	if (err) {
		fsk_free(fs);
		return reject(why, whylen, err, "cannot read the superblock (error %d)", err);
	}
	memcpy(&fs->sb, sec, sizeof(fs->sb));
	err = fsk_super_check(&fs->sb, dev->size_bytes, &fs->g, why, whylen);
	if (!err) {
		fs->rdonly = flags & FSK_MOUNT_RDONLY;
		fs->was_dirty = fs->sb.state != FSK_STATE_CLEAN;
		fs->ptrs_per_block = fs->g.block_size / 4;
		err = mount_load(fs, flags, why, whylen);
	}
	if (err) {
		fsk_free(fs);
		return err;
	}
	*out = fs;
	return 0;
}

int fsk_unmount(struct fsk *fs)
{
	int err = 0;

	if (!fs->rdonly) {
		err = bc_barrier(fs);
		if (!err)
			err = super_put(fs, FSK_STATE_CLEAN);
		if (!err)
			err = bc_barrier(fs);
	}
	fsk_free(fs);
	return err;
}

bool fsk_was_dirty(const struct fsk *fs)
{
	return fs->was_dirty;
}

const struct fsk_geometry *fsk_geom(const struct fsk *fs)
{
	return &fs->g;
}

int core_statvfs(struct fsk *fs, struct fsk_statvfs *sv)
{
	sv->bsize = fs->g.block_size;
	sv->blocks = fs->g.backup - fs->g.data_start;
	sv->bfree = fs->free_blocks;
	sv->files = fs->g.inodes;
	sv->ffree = fs->free_inodes;
	sv->namemax = FSK_NAME_MAX;
	sv->rdonly = fs->rdonly;
	return 0;
}

int core_sync(struct fsk *fs)
{
	return fs->rdonly ? 0 : bc_barrier(fs);
}

int core_fsync(struct fsk *fs, uint32_t ino)
{
	(void)ino;
	return core_sync(fs);
}
