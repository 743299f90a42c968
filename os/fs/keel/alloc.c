/* Block and inode allocation over the in-memory bitmaps.  A change to a bit
 * is written at once as the one sector that holds it, so the allocation is
 * on disk before the caller can point at what it got (rule 1 of fskeel.h),
 * and a free happens only after the caller cleared its pointer (rule 4). */
#include <errno.h>
#include "fsk_impl.h"

#define SECTOR_BITS (FSK_SECTOR * 8u)

bool bit_get(const uint8_t *map, uint32_t i)
{
	return map[i / 8] >> (i % 8) & 1;
}

void bit_set(uint8_t *map, uint32_t i, bool v)
{
	if (v)
		map[i / 8] |= (uint8_t)(1u << (i % 8));
	else
		map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* Writes the sector of the bitmap at block `start` that holds bit i. */
static int map_sync(struct fsk *fs, const uint8_t *map, uint32_t start, uint32_t i)
{
	uint32_t sector = i / SECTOR_BITS;
	uint64_t off = ((uint64_t)start << fs->g.block_log2) + (uint64_t)sector * FSK_SECTOR;

	return bc_write_raw(fs, off, map + (size_t)sector * FSK_SECTOR, FSK_SECTOR);
}

/* The first clear bit in [lo, hi) starting the search at *rotor and
 * wrapping; sets it on disk.  *rotor moves past it. */
static int take_bit(struct fsk *fs, uint8_t *map, uint32_t start, uint32_t lo, uint32_t hi,
		    uint32_t *rotor, uint32_t *out)
{
	uint32_t n = hi - lo, i, k = 0;
	int err;

	if (*rotor < lo || *rotor >= hi)
		*rotor = lo;
	while (k < n) {
		i = lo + (uint32_t)(((uint64_t)*rotor - lo + k) % n);
		if (i % 8 == 0 && i + 8 <= hi && k + 8 <= n && map[i / 8] == 0xff) {
			k += 8;          /* a full byte inside [lo, hi): no wrap within it */
			continue;
		}
		k++;
		if (bit_get(map, i))
			continue;
		bit_set(map, i, true);
		err = map_sync(fs, map, start, i);
		if (err) {
			bit_set(map, i, false);
			return err;
		}
		*out = i;
		*rotor = i + 1;
		return 0;
	}
	return -ENOSPC;
}

int alloc_block(struct fsk *fs, uint32_t *out)
{
	int err;

	if (fs->free_blocks == 0)
		return -ENOSPC;
	err = take_bit(fs, fs->bmap, fs->g.bbitmap_start, fs->g.data_start, fs->g.backup,
		       &fs->block_rotor, out);
	if (err == 0)
		fs->free_blocks--;
	return err;
}

int alloc_inode(struct fsk *fs, uint32_t *out)
{
	int err;

	if (fs->free_inodes == 0)
		return -ENOSPC;
	err = take_bit(fs, fs->imap, fs->g.ibitmap_start, FSK_ROOT_INO + 1, fs->g.inodes + 1,
		       &fs->inode_rotor, out);
	if (err == 0)
		fs->free_inodes--;
	return err;
}

int free_block(struct fsk *fs, uint32_t blk)
{
	if (!blk_ok(fs, blk) || !bit_get(fs->bmap, blk))
		return 0;
	bit_set(fs->bmap, blk, false);
	fs->free_blocks++;
	return map_sync(fs, fs->bmap, fs->g.bbitmap_start, blk);
}

int free_inode(struct fsk *fs, uint32_t ino)
{
	if (ino <= FSK_ROOT_INO || ino > fs->g.inodes || !bit_get(fs->imap, ino))
		return 0;
	bit_set(fs->imap, ino, false);
	fs->free_inodes++;
	return map_sync(fs, fs->imap, fs->g.ibitmap_start, ino);
}
