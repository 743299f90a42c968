#pragma once
/* Copies a host directory tree into a mounted fs-keel volume: directories,
 * regular files (all-zero blocks become holes), symbolic links and hard
 * links (files of one host inode get one fs-keel inode), with permission
 * bits, owners and times.  Other file types are skipped with a warning. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fskeel.h"

struct populate_opts {
	bool root_owner;              /* store every owner as 0:0 */
	void (*warn)(const char *line);   /* may be NULL */
};

struct populate_stats {
	uint32_t files, dirs, symlinks, hardlinks, skipped;
	uint64_t bytes;
};

/* Copies the contents of hostdir into directory `into` of fs, and hostdir's
 * own mode, owner and times onto `into`.  Returns 0, or a negative errno
 * with a one-line reason in why (a name longer than FSK_NAME_MAX is
 * -ENAMETOOLONG, a full volume -ENOSPC). */
int populate(struct fsk *fs, uint32_t into, const char *hostdir, const struct populate_opts *o,
	     struct populate_stats *stats, char *why, size_t whylen);
