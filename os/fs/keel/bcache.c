/* Block I/O for a mounted volume: a small direct-mapped cache in front of
 * the device.  The cache never holds a change the device has not been
 * given (write-through), so eviction is free and the ordering rules of
 * fskeel.h are the order of the calls here.  Every block number reaching
 * this file has been range-checked by its caller; the checks here are the
 * last line, answering -EIO rather than touching the device out of range.
 * Each slot has its lock (fs->bc[slot]), held across the slot's device I/O,
 * so calls on blocks of different slots go to the device at once; no
 * pointer into a slot leaves this file. */
#include <errno.h>
#include <string.h>
#include "fsk_impl.h"

/* The threaded host test builds the core with FSK_YIELD_IN_IO: every block
 * access first lets the other threads run, so the calls of different
 * threads interleave at every step and a missing lock shows. */
#ifdef FSK_YIELD_IN_IO
#include <sched.h>
#define io_yield() sched_yield()
#else
#define io_yield() ((void)0)
#endif

static uint8_t *slot_data(struct fsk *fs, uint32_t slot)
{
	return fs->bc_data + (size_t)slot * fs->g.block_size;
}

static uint64_t blk_off(const struct fsk *fs, uint32_t blk)
{
	return (uint64_t)blk << fs->g.block_log2;
}

/* Brings blk into its slot (whose lock the caller holds); returns the
 * slot's data or NULL with *err. */
static uint8_t *bc_load(struct fsk *fs, uint32_t blk, int *err)
{
	uint32_t slot = blk % BCACHE_SLOTS;
	uint8_t *d = slot_data(fs, slot);

	if (fs->bc_blk[slot] == blk)
		return d;
	fs->bc_blk[slot] = UINT32_MAX;
	*err = fs->dev->read(fs->dev->ctx, blk_off(fs, blk), d, fs->g.block_size);
	if (*err)
		return NULL;
	fs->bc_blk[slot] = blk;
	return d;
}

/* The lock of blk's slot, taken; NULL (nothing taken) for a block past the
 * volume. */
static pthread_mutex_t *slot_lock(struct fsk *fs, uint32_t blk)
{
	if (blk >= fs->g.blocks)
		return NULL;
	pthread_mutex_t *m = &fs->bc[blk % BCACHE_SLOTS];
	pthread_mutex_lock(m);
	return m;
}

int bc_read(struct fsk *fs, uint32_t blk, void *buf)
{
	return bc_peek(fs, blk, 0, buf, fs->g.block_size);
}

int bc_peek(struct fsk *fs, uint32_t blk, uint32_t off, void *dst, uint32_t len)
{
	int err = 0;

	if (off > fs->g.block_size || len > fs->g.block_size - off)
		return -EIO;
	io_yield();
	pthread_mutex_t *m = slot_lock(fs, blk);
	if (!m)
		return -EIO;
	uint8_t *d = bc_load(fs, blk, &err);
	if (d)
		memcpy(dst, d + off, len);
	pthread_mutex_unlock(m);
	return err;
}

int bc_get32(struct fsk *fs, uint32_t blk, uint32_t idx, uint32_t *v)
{
	return bc_peek(fs, blk, idx * 4, v, 4);
}

int bc_write(struct fsk *fs, uint32_t blk, const void *buf)
{
	uint32_t slot = blk % BCACHE_SLOTS;
	int err;

	io_yield();
	pthread_mutex_t *m = slot_lock(fs, blk);
	if (!m)
		return -EIO;
	fs->bc_blk[slot] = UINT32_MAX;
	err = fs->dev->write(fs->dev->ctx, blk_off(fs, blk), buf, fs->g.block_size);
	if (!err) {
		memcpy(slot_data(fs, slot), buf, fs->g.block_size);
		fs->bc_blk[slot] = blk;
	}
	pthread_mutex_unlock(m);
	return err;
}

int bc_patch(struct fsk *fs, uint32_t blk, uint32_t off, const void *src, uint32_t len)
{
	int err = 0;
	uint32_t first, end;

	if (off > fs->g.block_size || len > fs->g.block_size - off)
		return -EIO;
	io_yield();
	pthread_mutex_t *m = slot_lock(fs, blk);
	if (!m)
		return -EIO;
	uint8_t *d = bc_load(fs, blk, &err);
	if (d) {
		memcpy(d + off, src, len);
		first = off / FSK_SECTOR * FSK_SECTOR;
		end = (off + len + FSK_SECTOR - 1) / FSK_SECTOR * FSK_SECTOR;
		err = fs->dev->write(fs->dev->ctx, blk_off(fs, blk) + first, d + first,
				     end - first);
		if (err)
			fs->bc_blk[blk % BCACHE_SLOTS] = UINT32_MAX;
	}
	pthread_mutex_unlock(m);
	return err;
}

int bc_write_raw(struct fsk *fs, uint64_t off, const void *src, size_t len)
{
	return fs->dev->write(fs->dev->ctx, off, src, len);
}

int bc_barrier(struct fsk *fs)
{
	return fs->dev->flush ? fs->dev->flush(fs->dev->ctx) : 0;
}

int64_t fsk_now(struct fsk *fs)
{
	return fs->dev->now_ns ? fs->dev->now_ns(fs->dev->ctx) : 0;
}
