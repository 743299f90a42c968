/* mkfs-keel: makes an fs-keel volume in a file, or in a region of one (a
 * partition of a disk image), and optionally fills it from a host tree.
 *
 *   mkfs-keel [-b BLOCKSIZE] [-i INODES] [-o OFFSET] [-L LABEL] [-r] [-d DIR]
 *             [-O PATH=UID:GID]... IMAGE SIZE
 *
 * SIZE and OFFSET take K, M, G suffixes.  The file is created or extended
 * to OFFSET + SIZE, never shrunk.  -r stores every owner as 0:0; -O then
 * gives one copied file (PATH relative to DIR, e.g. home/keel) its owner,
 * so a tree built without privileges can still hold a user's directory.
 * Exit status 0 on success, 1 on any error (with a one-line reason). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "blkfile.h"
#include "populate.h"

#define OWNERS_MAX 16

struct owner {
	const char *path;
	uint32_t uid, gid;
};

struct mkfs_args {
	uint32_t log2, inodes;
	uint64_t offset, size;
	const char *label, *dir, *image;
	bool root_owner;
	struct owner owners[OWNERS_MAX];
	unsigned nowners;
};

/* "PATH=UID:GID" into o: false if malformed. */
static bool parse_owner(char *arg, struct owner *o)
{
	char *eq = strrchr(arg, '='), *end;

	if (!eq || eq == arg)
		return false;
	*eq = 0;
	unsigned long uid = strtoul(eq + 1, &end, 10);
	if (end == eq + 1 || *end != ':' || uid > UINT32_MAX)
		return false;
	char *g = end + 1;
	unsigned long gid = strtoul(g, &end, 10);
	if (end == g || *end || gid > UINT32_MAX)
		return false;
	*o = (struct owner){ .path = arg, .uid = (uint32_t)uid, .gid = (uint32_t)gid };
	return true;
}

static void warn_line(const char *line)
{
	fprintf(stderr, "mkfs-keel: %s\n", line);
}

static int usage(void)
{
	fprintf(stderr, "usage: mkfs-keel [-b BLOCKSIZE] [-i INODES] [-o OFFSET] [-L LABEL] [-r] "
			"[-d DIR] [-O PATH=UID:GID]... IMAGE SIZE\n");
	return 1;
}

static bool parse_args(int argc, char **argv, struct mkfs_args *a)
{
	uint64_t v;
	int c;

	while ((c = getopt(argc, argv, "b:i:o:L:rd:O:")) != -1) {
		switch (c) {
		case 'b':
			if (!parse_size(optarg, &v))
				return false;
			for (a->log2 = FSK_MIN_LOG2; a->log2 <= FSK_MAX_LOG2; a->log2++)
				if (v == 1u << a->log2)
					break;
			if (a->log2 > FSK_MAX_LOG2)
				return false;
			break;
		case 'i':
			if (!parse_size(optarg, &v) || v > UINT32_MAX)
				return false;
			a->inodes = (uint32_t)v;
			break;
		case 'o':
			if (!parse_size(optarg, &a->offset) || a->offset % FSK_SECTOR)
				return false;
			break;
		case 'L': a->label = optarg; break;
		case 'r': a->root_owner = true; break;
		case 'd': a->dir = optarg; break;
		case 'O':
			if (a->nowners == OWNERS_MAX || !parse_owner(optarg, &a->owners[a->nowners]))
				return false;
			a->nowners++;
			break;
		default: return false;
		}
	}
	if (argc - optind != 2 || !parse_size(argv[optind + 1], &a->size) ||
	    (a->nowners && !a->dir))
		return false;
	a->image = argv[optind];
	return a->size >= FSK_SECTOR;
}

static int fill(struct blkfile *bf, const struct mkfs_args *a)
{
	struct populate_opts po = { .root_owner = a->root_owner, .warn = warn_line };
	struct populate_stats ps;
	char why[4400];
	struct fsk *fs;
	int err = fsk_mount(&bf->dev, 0, &fs, why, sizeof(why));

	if (err) {
		fprintf(stderr, "mkfs-keel: %s: cannot mount the new volume: %s\n", a->image, why);
		return 1;
	}
	err = populate(fs, FSK_ROOT_INO, a->dir, &po, &ps, why, sizeof(why));
	if (err)
		fprintf(stderr, "mkfs-keel: %s\n", why);
	for (unsigned i = 0; !err && i < a->nowners; i++) {
		const struct owner *o = &a->owners[i];
		struct fsk_attr at = { .uid = o->uid, .gid = o->gid };
		uint32_t ino;
		err = fsk_resolve(fs, o->path, false, &ino);
		if (!err)
			err = fsk_setattr(fs, ino, &at, FSK_ATTR_UID | FSK_ATTR_GID);
		if (err)
			fprintf(stderr, "mkfs-keel: -O %s: %s\n", o->path, strerror(-err));
	}
	if (!err)
		printf("mkfs-keel: %s: copied %u files (%llu bytes), %u directories, %u links, "
		       "%u hard links from %s\n", a->image, ps.files, (unsigned long long)ps.bytes,
		       ps.dirs, ps.symlinks, ps.hardlinks, a->dir);
	if (fsk_unmount(fs) && !err) {
		fprintf(stderr, "mkfs-keel: %s: cannot finish the volume\n", a->image);
		err = -EIO;
	}
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct mkfs_args a = { .log2 = FSK_MAX_LOG2 };
	struct fsk_format_opts fo = { 0 };
	struct blkfile bf;
	int err;

	if (!parse_args(argc, argv, &a))
		return usage();
	err = blkfile_open(&bf, a.image, a.offset, a.size, BLKFILE_CREATE | BLKFILE_DURABLE);
	if (err) {
		fprintf(stderr, "mkfs-keel: %s: %s\n", a.image, strerror(-err));
		return 1;
	}
	bf.durable = false;               /* one flush at the end is enough here */
	fo.block_log2 = a.log2;
	fo.inodes = a.inodes;
	fo.label = a.label;
	random_uuid(fo.uuid);
	err = fsk_format(&bf.dev, &fo);
	if (err) {
		fprintf(stderr, "mkfs-keel: %s: cannot format (%s)\n", a.image,
			err == -EINVAL ? "size, block size or inode count out of range" : strerror(-err));
		blkfile_close(&bf);
		return 1;
	}
	printf("mkfs-keel: %s: %llu bytes at offset %llu, %u-byte blocks\n", a.image,
	       (unsigned long long)bf.dev.size_bytes, (unsigned long long)a.offset, 1u << a.log2);
	if (a.dir)
		err = fill(&bf, &a);
	bf.durable = true;
	if (!err && bf.dev.flush(bf.dev.ctx))
		err = 1;
	blkfile_close(&bf);
	return err ? 1 : 0;
}
