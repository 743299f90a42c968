/* Host tree -> fs-keel volume (see populate.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "populate.h"

#define COPY_CHUNK (64u * 1024u)

/* Host inodes already copied, for hard links. */
struct seen_ino {
	dev_t dev;
	ino_t ino;
	uint32_t fino;
};

struct pop {
	struct fsk *fs;
	const struct populate_opts *o;
	struct populate_stats *stats;
	char *why;
	size_t whylen;
	struct seen_ino *seen;
	size_t nseen, capseen;
	uint8_t *buf;
};

static int fail(struct pop *p, int err, const char *path, const char *what)
{
	snprintf(p->why, p->whylen, "%s: %s (error %d)", path, what, err);
	return err;
}

static int64_t ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Mode, owner and times of the host file onto ino. */
static int copy_attrs(struct pop *p, uint32_t ino, const struct stat *st)
{
	struct fsk_attr a = {
		.mode = st->st_mode & FSK_S_PERM,
		.uid = p->o->root_owner ? 0 : st->st_uid,
		.gid = p->o->root_owner ? 0 : st->st_gid,
		.atime_ns = ns_of(&st->st_atim),
		.mtime_ns = ns_of(&st->st_mtim),
	};
	unsigned mask = FSK_ATTR_UID | FSK_ATTR_GID | FSK_ATTR_ATIME | FSK_ATTR_MTIME;

	if (!S_ISLNK(st->st_mode))
		mask |= FSK_ATTR_MODE;
	return fsk_setattr(p->fs, ino, &a, mask);
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Copies the host file's bytes into ino, leaving all-zero blocks as holes. */
static int copy_data(struct pop *p, const char *path, uint32_t ino, uint64_t size)
{
	uint32_t bs = fsk_geom(p->fs)->block_size;
	uint64_t off = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY), err = 0;

	if (fd < 0)
		return fail(p, -errno, path, "cannot open");
	while (!err && (n = read(fd, p->buf, COPY_CHUNK)) > 0) {
		for (size_t k = 0; !err && k < (size_t)n; k += bs) {
			size_t len = (size_t)n - k < bs ? (size_t)n - k : bs;
			if (all_zero(p->buf + k, len))
				continue;
			int64_t w = fsk_write(p->fs, ino, off + k, p->buf + k, len);
			if (w != (int64_t)len)
				err = fail(p, w < 0 ? (int)w : -ENOSPC, path, "cannot write");
		}
		off += (uint64_t)n;
	}
	if (!err && n < 0)
		err = fail(p, -errno, path, "cannot read");
	close(fd);
	if (!err && off != size)
		err = fail(p, -EIO, path, "changed while copied");
	if (!err)
		err = fsk_truncate(p->fs, ino, off);
	if (!err)
		p->stats->bytes += off;
	return err;
}

static struct seen_ino *seen_find(struct pop *p, const struct stat *st)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (p->seen[i].dev == st->st_dev && p->seen[i].ino == st->st_ino)
			return &p->seen[i];
	return NULL;
}

static int seen_add(struct pop *p, const struct stat *st, uint32_t fino)
{
	if (p->nseen == p->capseen) {
		size_t cap = p->capseen ? 2 * p->capseen : 64;
		struct seen_ino *n = realloc(p->seen, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		p->seen = n;
		p->capseen = cap;
	}
	p->seen[p->nseen++] = (struct seen_ino){ st->st_dev, st->st_ino, fino };
	return 0;
}

static int copy_file(struct pop *p, uint32_t dir, const char *name, const char *path,
		     const struct stat *st)
{
	struct seen_ino *s = st->st_nlink > 1 ? seen_find(p, st) : NULL;
	uint32_t ino;
	int err;

	if (s) {
		err = fsk_link(p->fs, s->fino, dir, name);
		p->stats->hardlinks++;
		return err ? fail(p, err, path, "cannot link") : 0;
	}
	err = fsk_create(p->fs, dir, name, st->st_mode, 0, 0, &ino);
	if (err)
		return fail(p, err, path, "cannot create");
	err = copy_data(p, path, ino, (uint64_t)st->st_size);
	if (!err && st->st_nlink > 1)
		err = seen_add(p, st, ino);
	if (!err)
		err = copy_attrs(p, ino, st);
	p->stats->files++;
	return err;
}

static int copy_symlink(struct pop *p, uint32_t dir, const char *name, const char *path,
			const struct stat *st)
{
	char target[FSK_PATH_MAX + 1];
	ssize_t n = readlink(path, target, sizeof(target));
	uint32_t ino;
	int err;

	if (n < 0)
		return fail(p, -errno, path, "cannot read link");
	if ((size_t)n >= sizeof(target))
		return fail(p, -ENAMETOOLONG, path, "link target too long");
	target[n] = 0;
	err = fsk_symlink(p->fs, dir, name, target, 0, 0, &ino);
	if (!err)
		err = copy_attrs(p, ino, st);
	p->stats->symlinks++;
	return err ? fail(p, err, path, "cannot make link") : 0;
}

static int copy_tree(struct pop *p, uint32_t into, const char *hostdir, const struct stat *dst);

static int copy_entry(struct pop *p, uint32_t dir, const char *host, const char *name)
{
	char path[4096], line[4200];
	struct stat st;
	uint32_t ino;
	int err;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", host, name) >= sizeof(path))
		return fail(p, -ENAMETOOLONG, host, "path too long");
	if (strlen(name) > FSK_NAME_MAX)
		return fail(p, -ENAMETOOLONG, path, "name longer than 58 bytes");
	if (lstat(path, &st))
		return fail(p, -errno, path, "cannot stat");
	if (S_ISREG(st.st_mode))
		return copy_file(p, dir, name, path, &st);
	if (S_ISLNK(st.st_mode))
		return copy_symlink(p, dir, name, path, &st);
	if (S_ISDIR(st.st_mode)) {
		err = fsk_mkdir(p->fs, dir, name, st.st_mode, 0, 0, &ino);
		if (err)
			return fail(p, err, path, "cannot make directory");
		p->stats->dirs++;
		return copy_tree(p, ino, path, &st);
	}
	p->stats->skipped++;
	if (p->o->warn) {
		snprintf(line, sizeof(line), "%s: not a file, directory or link; skipped", path);
		p->o->warn(line);
	}
	return 0;
}

static int copy_tree(struct pop *p, uint32_t into, const char *hostdir, const struct stat *dst)
{
	struct dirent **list;
	int n = scandir(hostdir, &list, NULL, alphasort), err = 0;

	if (n < 0)
		return fail(p, -errno, hostdir, "cannot read directory");
	for (int i = 0; i < n; i++) {
		const char *nm = list[i]->d_name;
		if (!err && strcmp(nm, ".") && strcmp(nm, ".."))
			err = copy_entry(p, into, hostdir, nm);
		free(list[i]);
	}
	free(list);
	return err ? err : copy_attrs(p, into, dst);
}

int populate(struct fsk *fs, uint32_t into, const char *hostdir, const struct populate_opts *o,
	     struct populate_stats *stats, char *why, size_t whylen)
{
	struct pop p = { .fs = fs, .o = o, .stats = stats, .why = why, .whylen = whylen };
	struct stat st;
	int err;

	memset(stats, 0, sizeof(*stats));
	if (stat(hostdir, &st) || !S_ISDIR(st.st_mode))
		return fail(&p, -ENOTDIR, hostdir, "not a directory");
	p.buf = malloc(COPY_CHUNK);
	if (!p.buf)
		return fail(&p, -ENOMEM, hostdir, "out of memory");
	err = copy_tree(&p, into, hostdir, &st);
	free(p.buf);
	free(p.seen);
	return err;
}
