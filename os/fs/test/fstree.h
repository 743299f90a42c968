#pragma once
/* Shared by the fs-keel tests: a sample volume holding one of each kind of
 * thing the format has, and a bounded walk of a (possibly corrupt) volume. */
#include <stdint.h>
#include "fskeel.h"
#include "ramdev.h"

/* Formats r (already sized) with 2^log2-byte blocks and fills it: nested
 * directories, empty, small, multi-block, single-, double- and triple-
 * indirect sparse files, hard links, inline and block symbolic links.
 * Returns 0 or the first error. */
int fstree_sample(struct ramdev *r, uint32_t log2);

/* The content written at file offset off of the sample's files. */
uint8_t fstree_byte(uint32_t seed, uint64_t off);

struct walk_stats {
	uint32_t entries, files, dirs, links, errors;
	uint64_t bytes;
};

/* Visits every entry under the root (depth and count bounded, so a corrupt
 * volume with loops ends), reading every file and link and stat'ing each. */
void fstree_walk(struct fsk *fs, struct walk_stats *ws);

/* fsk_check over r, each finding printed as a KTAP diagnostic unless
 * fstree_quiet; returns its status. */
extern bool fstree_quiet;
int fstree_check(struct ramdev *r, bool repair, struct fsk_check_result *res);
