/* Block and inode allocation over the in-memory bitmaps.  A change to a bit
 * is written at once as the one sector that holds it, so the allocation is
 * on disk before the caller can point at what it got (rule 1 of fskeel.h),
 * and a free happens only after the caller cleared its pointer (rule 4).
 * The bitmaps, counts and rotors are under fs->alloc (fsk_impl.h). */
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
	int err = -ENOSPC;

	pthread_mutex_lock(&fs->alloc);
	if (fs->free_blocks)
		err = take_bit(fs, fs->bmap, fs->g.bbitmap_start, fs->g.data_start, fs->g.backup,
			       &fs->block_rotor, out);
	if (err == 0)
		fs->free_blocks--;
	pthread_mutex_unlock(&fs->alloc);
	return err;
}

int alloc_inode(struct fsk *fs, uint32_t *out)
{
	int err = -ENOSPC;

	pthread_mutex_lock(&fs->alloc);
	if (fs->free_inodes)
		err = take_bit(fs, fs->imap, fs->g.ibitmap_start, FSK_ROOT_INO + 1,
			       fs->g.inodes + 1, &fs->inode_rotor, out);
	if (err == 0)
		fs->free_inodes--;
	pthread_mutex_unlock(&fs->alloc);
	return err;
}

/* Clears bit i of map (the bitmap at block start), counting it free. */
static int give_back(struct fsk *fs, uint8_t *map, uint32_t start, uint32_t i, uint32_t *nfree)
{
	int err = 0;

	pthread_mutex_lock(&fs->alloc);
	if (bit_get(map, i)) {
		bit_set(map, i, false);
		(*nfree)++;
		err = map_sync(fs, map, start, i);
	}
	pthread_mutex_unlock(&fs->alloc);
	return err;
}

int free_block(struct fsk *fs, uint32_t blk)
{
	if (!blk_ok(fs, blk))
		return 0;
	return give_back(fs, fs->bmap, fs->g.bbitmap_start, blk, &fs->free_blocks);
}

int free_inode(struct fsk *fs, uint32_t ino)
{
	if (ino <= FSK_ROOT_INO || ino > fs->g.inodes)
		return 0;
	return give_back(fs, fs->imap, fs->g.ibitmap_start, ino, &fs->free_inodes);
}
