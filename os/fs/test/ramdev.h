#pragma once
/* An fs-keel block device in memory for the tests: counts writes and
 * barriers, and can "lose power" after a given number of writes (later
 * writes are dropped, as if the machine had stopped), or fail reads. */
#include <stdbool.h>
#include <stdint.h>
#include "fskeel.h"

struct ramdev {
	struct fsk_blkdev dev;        /* dev.ctx points back here */
	uint8_t *mem;
	uint64_t writes, flushes;
	uint64_t cut_after;           /* UINT64_MAX: never */
	bool torn;                    /* write cut_after + 1 lands half (whole sectors) */
	int64_t clock;                /* now_ns: advances by 1000 per call */
};

/* A zeroed device of size bytes (a multiple of FSK_SECTOR). */
void ramdev_init(struct ramdev *r, uint64_t size);
/* A device over a copy of image[0..size). */
void ramdev_from(struct ramdev *r, const uint8_t *image, uint64_t size);
void ramdev_free(struct ramdev *r);
