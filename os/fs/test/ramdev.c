/* In-memory block device (see ramdev.h).  Its counters and clock are
 * atomics: the threaded test's workers write at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ramdev.h"

static bool in_range(const struct ramdev *r, uint64_t off, size_t len)
{
	return off % FSK_SECTOR == 0 && len % FSK_SECTOR == 0 && off <= r->dev.size_bytes &&
	       len <= r->dev.size_bytes - off;
}

static int rd(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct ramdev *r = ctx;

	if (!in_range(r, off, len))
		return -EIO;
	memcpy(buf, r->mem + off, len);
	return 0;
}

static int wr(void *ctx, uint64_t off, const void *buf, size_t len)
{
	struct ramdev *r = ctx;

	if (!in_range(r, off, len))
		return -EIO;
	uint64_t n = __atomic_fetch_add(&r->writes, 1, __ATOMIC_RELAXED);

	if (n < r->cut_after)
		memcpy(r->mem + off, buf, len);
	else if (n == r->cut_after && r->torn)
		memcpy(r->mem + off, buf, len / 2 / FSK_SECTOR * FSK_SECTOR);
	return 0;
}

static int fl(void *ctx)
{
	struct ramdev *r = ctx;

	__atomic_fetch_add(&r->flushes, 1, __ATOMIC_RELAXED);
	return 0;
}

static int64_t now(void *ctx)
{
	struct ramdev *r = ctx;

	return __atomic_add_fetch(&r->clock, 1000, __ATOMIC_RELAXED);
}

void ramdev_init(struct ramdev *r, uint64_t size)
{
	memset(r, 0, sizeof(*r));
	r->mem = calloc(1, size);
	r->cut_after = UINT64_MAX;
	r->clock = 1700000000000000000;
	r->dev = (struct fsk_blkdev){ .ctx = r, .size_bytes = size, .read = rd, .write = wr,
				      .flush = fl, .now_ns = now };
}

void ramdev_from(struct ramdev *r, const uint8_t *image, uint64_t size)
{
	ramdev_init(r, size);
	memcpy(r->mem, image, size);
}

void ramdev_free(struct ramdev *r)
{
	free(r->mem);
	r->mem = NULL;
}
