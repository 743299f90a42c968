/* File contents: read, write and truncate.  A write puts data into a new
 * block before linking it (rule 2) and grows the size last (rule 5). */
#include <errno.h>
#include <string.h>
#include "fsk_impl.h"

/* Loads a regular file: -EISDIR for a directory, -EINVAL for a link. */
static int file_get(struct fsk *fs, uint32_t ino, struct fsk_inode *in)
{
	int err = inode_get(fs, ino, in);

	if (err)
		return err == -ENOENT ? -EIO : err;
	switch (in->mode & FSK_S_IFMT) {
	case FSK_S_IFREG: return 0;
	case FSK_S_IFDIR: return -EISDIR;
	default: return -EINVAL;
	}
}

static uint64_t max_size(const struct fsk *fs)
{
	return fsk_max_file_blocks(fs->g.block_log2) << fs->g.block_log2;
}

/* Marks an access when the last one is older than the last change (so a
 * file read over and over costs one inode write, not one per read). */
static int touch_atime(struct fsk *fs, uint32_t ino, struct fsk_inode *in)
{
	if (fs->rdonly || (in->atime_ns > in->mtime_ns && in->atime_ns > in->ctime_ns))
		return 0;
	in->atime_ns = fsk_now(fs);
	return inode_put(fs, ino, in);
}

int64_t core_read(struct fsk *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
	uint32_t bs = fs->g.block_size, boff, chunk, b;
	struct fsk_inode in;
	uint8_t *dst = buf;
	uint64_t n, done;
	int err = file_get(fs, ino, &in);

	if (err)
		return err;
	if (off >= in.size)
		return 0;
	n = in.size - off < len ? in.size - off : len;
	for (done = 0; done < n; done += chunk) {
		boff = (uint32_t)((off + done) & (bs - 1));
		chunk = bs - boff < n - done ? bs - boff : (uint32_t)(n - done);
		err = inode_bmap(fs, &in, (off + done) >> fs->g.block_log2, &b);
		if (!err && b)
			err = bc_peek(fs, b, boff, dst + done, chunk);
		else if (!err)
			memset(dst + done, 0, chunk);
		if (err)
			return err;
	}
	err = touch_atime(fs, ino, &in);
	return err ? err : (int64_t)n;
}

/* Puts chunk bytes at boff of file block lblk, allocating the block if it is
 * a hole. */
static int write_block(struct fsk *fs, struct fsk_inode *in, uint64_t lblk, uint32_t boff,
		       const uint8_t *src, uint32_t chunk)
{
	uint8_t blk[FSK_MAX_BLOCK];
	uint32_t b;
	int err = inode_bmap(fs, in, lblk, &b);

	if (err)
		return err;
	if (b)
		return chunk == fs->g.block_size ? bc_write(fs, b, src) : bc_patch(fs, b, boff, src, chunk);
	err = alloc_block(fs, &b);
	if (err)
		return err;
	memset(blk, 0, fs->g.block_size);
	memcpy(blk + boff, src, chunk);
	err = bc_write(fs, b, blk);
	if (!err)
		err = bc_barrier(fs);
	if (!err)
		err = inode_link_block(fs, in, lblk, b);
	if (err) {
		free_block(fs, b);
		return err;
	}
	in->nblocks++;
	return 0;
}

int64_t core_write(struct fsk *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
	uint32_t bs = fs->g.block_size, boff, chunk;
	const uint8_t *src = buf;
	struct fsk_inode in;
	uint64_t done;
	int err;

	if (fs->rdonly)
		return -EROFS;
	err = file_get(fs, ino, &in);
	if (err)
		return err;
	if (len == 0)
		return 0;
	if (off > max_size(fs) || len > max_size(fs) - off)
		return -EFBIG;
	for (done = 0; done < len; done += chunk) {
		boff = (uint32_t)((off + done) & (bs - 1));
		chunk = bs - boff < len - done ? bs - boff : (uint32_t)(len - done);
		err = write_block(fs, &in, (off + done) >> fs->g.block_log2, boff, src + done, chunk);
		if (err)
			break;
	}
	if (done == 0)
		return err;
	if (off + done > in.size)
		in.size = off + done;
	in.mtime_ns = in.ctime_ns = fsk_now(fs);
	err = bc_barrier(fs);                     /* rule 5: linked, then sized */
	if (!err)
		err = inode_put(fs, ino, &in);
	return err ? err : (int64_t)done;
}

int core_truncate(struct fsk *fs, uint32_t ino, uint64_t size)
{
	struct fsk_inode in;
	int err;

	if (fs->rdonly)
		return -EROFS;
	err = file_get(fs, ino, &in);
	if (err)
		return err;
	if (size > max_size(fs))
		return -EFBIG;
	if (size == in.size)
		return 0;
	if (size < in.size) {
		err = inode_shrink(fs, ino, &in, size);
		if (err)
			return err;
	}
	in.size = size;
	in.mtime_ns = in.ctime_ns = fsk_now(fs);
	return inode_put(fs, ino, &in);
}
