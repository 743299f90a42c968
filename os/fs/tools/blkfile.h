#pragma once
/* An fs-keel block device over a region of a host file (an image, or a
 * partition inside a disk image), for mkfs-keel, fsck-keel and the tests. */
#include <stdbool.h>
#include <stdint.h>
#include "fskeel.h"

struct blkfile {
	struct fsk_blkdev dev;        /* dev.ctx points back here */
	int fd;
	uint64_t base;                /* the region's offset in the file */
	bool durable;                 /* flush calls fdatasync */
};

#define BLKFILE_CREATE   1u       /* create the file, extend it to base + size */
#define BLKFILE_RDONLY   2u
#define BLKFILE_DURABLE  4u

/* Opens path's region [base, base + size) (size 0: to the end of the file;
 * sizes are cut down to whole sectors).  Returns 0 or a negative errno. */
int blkfile_open(struct blkfile *bf, const char *path, uint64_t base, uint64_t size,
		 unsigned flags);
void blkfile_close(struct blkfile *bf);

/* Parses a size with an optional K, M, G or T suffix (powers of 1024).
 * Returns false for anything else. */
bool parse_size(const char *s, uint64_t *out);

/* A version-4 UUID from the system's random source (all zero but the
 * version bits if there is none: unique ids are then the caller's loss). */
void random_uuid(uint8_t uuid[16]);
