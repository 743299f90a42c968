/* Sample volumes and walks for the fs-keel tests (see fstree.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fstree.h"

bool fstree_quiet;

uint8_t fstree_byte(uint32_t seed, uint64_t off)
{
	uint64_t x = (off + 1) * 0x9e3779b97f4a7c15ull ^ seed;

	return (uint8_t)(x >> 29 ^ x >> 7);
}

static int put_file(struct fsk *fs, uint32_t dir, const char *name, uint32_t seed,
		    const uint64_t *offs, const uint32_t *lens, int n, uint32_t *out)
{
	uint8_t buf[9000];
	uint32_t ino;
	int err = fsk_create(fs, dir, name, 0644, 1000, 100, &ino);

	for (int i = 0; !err && i < n; i++) {
		for (uint32_t k = 0; k < lens[i]; k++)
			buf[k] = fstree_byte(seed, offs[i] + k);
		if (fsk_write(fs, ino, offs[i], buf, lens[i]) != (int64_t)lens[i])
			err = -1;
	}
	if (out)
		*out = ino;
	return err;
}

int fstree_sample(struct ramdev *r, uint32_t log2)
{
	struct fsk_format_opts fo = { .block_log2 = log2, .label = "sample" };
	uint64_t bs = 1u << log2, p = bs / 4;
	uint64_t o_small[] = { 0 }, o_multi[] = { 0 };
	uint32_t l_small[] = { 100 }, l_multi[] = { 9000 };
	uint64_t o_sparse[] = { 5 * bs + 3, (12 + 7) * bs, (12 + p + 3 * p + 1) * bs - 5,
				(12 + p + p * p + 2) * bs + 11 };
	uint32_t l_sparse[] = { 200, 64, 10, 77 };
	uint32_t a, b, c, f;
	struct fsk *fs;
	int err = fsk_format(&r->dev, &fo);

	if (err || (err = fsk_mount(&r->dev, 0, &fs, NULL, 0)))
		return err;
	if (!err)
		err = fsk_mkdir(fs, FSK_ROOT_INO, "a", 0755, 0, 0, &a);
	if (!err)
		err = fsk_mkdir(fs, a, "b", 0700, 1, 2, &b);
	if (!err)
		err = fsk_mkdir(fs, FSK_ROOT_INO, "c", 0755, 0, 0, &c);
	if (!err)
		err = put_file(fs, FSK_ROOT_INO, "empty", 1, NULL, NULL, 0, NULL);
	if (!err)
		err = put_file(fs, a, "small", 2, o_small, l_small, 1, &f);
	if (!err)
		err = fsk_link(fs, f, c, "small-link");
	if (!err)
		err = put_file(fs, b, "multi", 3, o_multi, l_multi, 1, NULL);
	if (!err)
		err = put_file(fs, c, "sparse", 4, o_sparse, l_sparse, 4, NULL);
	if (!err)
		err = fsk_symlink(fs, FSK_ROOT_INO, "short", "a/b/multi", 0, 0, NULL);
	if (!err)
		err = fsk_symlink(fs, b, "long", "../../c/./sparse/../sparse/../sparse/../sparse/"
				  "../sparse/../sparse", 0, 0, NULL);
	for (int i = 0; !err && i < 20; i++) {
		char name[16] = "many-00";
		name[5] = (char)('0' + i / 10);
		name[6] = (char)('0' + i % 10);
		err = put_file(fs, c, name, 10u + (uint32_t)i, o_small, l_small, 1, NULL);
	}
	if (!err)
		err = fsk_unlink(fs, c, "many-03");
	err = fsk_unmount(fs) ? -1 : err;
	return err;
}

#define WALK_DEPTH 16
#define WALK_MAX 4000

static void walk_dir(struct fsk *fs, uint32_t dir, int depth, struct walk_stats *ws, uint8_t *buf)
{
	struct fsk_dirinfo d;
	struct fsk_stat st;
	uint64_t pos = 0;
	char target[FSK_PATH_MAX + 1];
	int r = 0;

	while (ws->entries < WALK_MAX && (r = fsk_readdir(fs, dir, &pos, &d)) == 1) {
		ws->entries++;
		if (!strcmp(d.name, ".") || !strcmp(d.name, ".."))
			continue;
		if (fsk_stat(fs, d.ino, &st)) {
			ws->errors++;
			continue;
		}
		if ((st.mode & FSK_S_IFMT) == FSK_S_IFDIR) {
			ws->dirs++;
			if (depth < WALK_DEPTH)
				walk_dir(fs, d.ino, depth + 1, ws, buf);
		} else if ((st.mode & FSK_S_IFMT) == FSK_S_IFLNK) {
			ws->links++;
			if (fsk_readlink(fs, d.ino, target, sizeof(target)) < 0)
				ws->errors++;
		} else {
			int64_t n = 0;
			ws->files++;
			for (uint64_t off = 0; off < st.size && off < (1u << 20); off += (uint64_t)n) {
				n = fsk_read(fs, d.ino, off, buf, 65536);
				if (n <= 0) {
					ws->errors += n < 0;
					break;
				}
				ws->bytes += (uint64_t)n;
			}
		}
	}
	if (r < 0)
		ws->errors++;
}

void fstree_walk(struct fsk *fs, struct walk_stats *ws)
{
	uint8_t *buf = malloc(65536);

	memset(ws, 0, sizeof(*ws));
	walk_dir(fs, FSK_ROOT_INO, 0, ws, buf);
	free(buf);
}

static void say_diag(void *ctx, const char *line)
{
	(void)ctx;
	printf("# fsck: %s\n", line);
}

int fstree_check(struct ramdev *r, bool repair, struct fsk_check_result *res)
{
	return fsk_check(&r->dev, repair ? FSK_CHECK_REPAIR : 0, fstree_quiet ? NULL : say_diag,
			 NULL, res);
}
