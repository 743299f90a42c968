/* Seeded mutation fuzzing of the mount path, the operations and fsck.
 *
 *   fuzz_fskeel [DIR] [COUNT [SEED]]
 *
 * (DIR, the test-data directory host-test passes every program, is
 * ignored.)  Each of COUNT images (default 2000) is a sample volume with
 * 1..8 mutations in its metadata: the superblock (half the time resealed
 * with a good checksum, so the geometry checks behind the checksum are
 * reached), the bitmaps, the inode table, directory blocks, indirect
 * blocks and a symbolic link's block.  A mutation flips a bit, writes a
 * random byte, or writes a 32-bit value chosen to be near a boundary.
 * Then: mount (read-write); if accepted, a walk that reads everything and
 * a few changes; fsck with repair; fsck again.  Under ASan and UBSan any
 * bad access ends the program.  Beyond not crashing, it checks that a
 * repair converges: after fsck -y says clean or repaired, a second fsck
 * must be clean, the volume must mount and a walk must meet no error.
 * Image i uses the seed mix(SEED, i), printed with any violation, so a
 * failing image can be replayed alone. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crc.h"
#include "fstree.h"
#include "ktap.h"

struct base {
	uint32_t log2;
	uint64_t size;
	struct ramdev r;
	struct fsk_geometry g;
	uint32_t *meta;               /* metadata blocks, to aim the mutations */
	uint32_t nmeta;
};

struct tally {
	uint64_t images, mounted, rejected, clean, repaired, beyond, violations;
};

static uint64_t rng;

static uint64_t next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static uint64_t mix(uint64_t seed, uint64_t i)
{
	uint64_t x = seed ^ (i + 1) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	return (x ^ x >> 29) | 1;
}

/* ---- where the metadata is ------------------------------------------------------ */

static void meta_add(struct base *b, uint32_t blk)
{
	if (blk && blk < b->g.blocks && b->nmeta < b->g.blocks)
		b->meta[b->nmeta++] = blk;
}

/* An indirect tree's blocks (and, for a directory, its data blocks). */
static void meta_tree(struct base *b, uint32_t blk, int depth, bool data)
{
	const uint32_t *p;

	if (!blk || blk >= b->g.blocks)
		return;
	if (depth == 0) {
		if (data)
			meta_add(b, blk);
		return;
	}
	meta_add(b, blk);
	p = (const uint32_t *)(b->r.mem + ((size_t)blk << b->log2));
	for (uint32_t i = 0; i < (1u << b->log2) / 4; i++)
		meta_tree(b, p[i], depth - 1, data);
}

static void meta_find(struct base *b)
{
	const uint8_t *itab = b->r.mem + ((size_t)b->g.itable_start << b->log2);

	b->meta = malloc(b->g.blocks * sizeof(uint32_t));
	for (uint32_t k = 0; k < b->g.data_start; k++)
		meta_add(b, k ? k : b->g.backup);
	b->meta[b->nmeta++] = 0;
	for (uint32_t i = 1; i <= b->g.inodes; i++) {
		const struct fsk_inode *in = (const void *)(itab + (size_t)(i - 1) * FSK_INODE_SIZE);
		uint32_t type = in->mode & FSK_S_IFMT;
		bool dir = type == FSK_S_IFDIR;
		if (type == FSK_S_IFLNK && in->size > FSK_INLINE_MAX)
			meta_add(b, in->block[0]);
		if (type != FSK_S_IFDIR && type != FSK_S_IFREG)
			continue;
		for (uint32_t k = 0; k < FSK_NDIRECT; k++)
			meta_tree(b, in->block[k], 0, dir);
		for (int d = 1; d <= 3; d++)
			meta_tree(b, in->block[FSK_NDIRECT + d - 1], d, dir);
	}
}

static bool base_make(struct base *b, uint32_t log2, uint64_t size)
{
	memset(b, 0, sizeof(*b));
	b->log2 = log2;
	b->size = size;
	ramdev_init(&b->r, size);
	if (fstree_sample(&b->r, log2))
		return false;
	if (fsk_layout(log2, (uint32_t)(size >> log2), (uint32_t)(size >> log2) / 4, &b->g))
		return false;
	meta_find(b);
	return true;
}

/* ---- one image ------------------------------------------------------------------- */

static uint32_t interesting(const struct base *b)
{
	const uint32_t v[] = { 0, 1, 2, 0xffffffff, 0x80000000, b->g.blocks - 1, b->g.blocks,
			       b->g.backup, b->g.data_start, b->g.data_start - 1, b->g.inodes,
			       b->g.inodes + 1, 1u << b->log2, 0777, FSK_S_IFDIR | 0755,
			       FSK_S_IFLNK | 0777, FSK_MAGIC };

	return next() % 4 ? v[next() % KT_COUNT(v)] : (uint32_t)next() % (2 * b->g.blocks);
}

static void mutate(const struct base *b, uint8_t *img)
{
	int n = 1 + (int)(next() % 8);
	bool super_hit = false;

	for (int k = 0; k < n; k++) {
		uint32_t blk = next() % 4 == 0 ? 0 : b->meta[next() % b->nmeta];
		uint32_t bs = 1u << b->log2;
		uint32_t off = blk == 0 ? (uint32_t)(next() % FSK_SUPER_SIZE) : (uint32_t)(next() % bs);
		uint8_t *p = img + ((size_t)blk << b->log2) + off;
		uint32_t v;

		super_hit |= blk == 0;
		switch (next() % 3) {
		case 0:
			*p ^= (uint8_t)(1u << (next() % 8));
			break;
		case 1:
			*p = (uint8_t)next();
			break;
		default:
			v = interesting(b);
			off &= ~3u;
			memcpy(img + ((size_t)blk << b->log2) + off, &v, 4);
			break;
		}
	}
	if (super_hit && next() % 2) {
		struct fsk_super *sb = (struct fsk_super *)img;
		sb->crc = crc32c(0, sb, offsetof(struct fsk_super, crc));
	}
}

/* Changes made on whatever the mount accepted; their results do not matter. */
static void poke(struct fsk *fs)
{
	static uint8_t buf[5000];
	uint32_t ino = 0, d = 0, any;

	memset(buf, 0x5a, sizeof(buf));
	if (fsk_create(fs, FSK_ROOT_INO, "fz", 0644, 0, 0, &ino) == 0) {
		fsk_write(fs, ino, 3000, buf, sizeof(buf));
		fsk_truncate(fs, ino, 1000);
	}
	fsk_mkdir(fs, FSK_ROOT_INO, "fzd", 0755, 0, 0, &d);
	fsk_rename(fs, FSK_ROOT_INO, "fz", d ? d : FSK_ROOT_INO, "fz2");
	if (fsk_resolve(fs, "a/small", false, &any) == 0)
		fsk_write(fs, any, 50, buf, 300);
	fsk_rename(fs, FSK_ROOT_INO, "a", FSK_ROOT_INO, "c");
	fsk_unlink(fs, FSK_ROOT_INO, "short");
	fsk_rmdir(fs, FSK_ROOT_INO, "fzd");
	if (fsk_resolve(fs, "c/sparse", false, &any) == 0)
		fsk_truncate(fs, any, 12345);
}

static void violation(struct tally *t, uint64_t i, uint64_t seed, const char *what, int v)
{
	if (t->violations++ < 10)
		printf("# image %llu (seed 0x%llx): %s (%d)\n", (unsigned long long)i,
		       (unsigned long long)seed, what, v);
}

static void one_image(const struct base *b, struct ramdev *r, struct tally *t, uint64_t i,
		      uint64_t seed)
{
	struct fsk_check_result res;
	struct walk_stats ws;
	struct fsk *fs;
	char why[FSK_REASON_MAX];
	int first, second;

	rng = seed;
	memcpy(r->mem, b->r.mem, b->size);
	r->dev.size_bytes = b->size;
	mutate(b, r->mem);
	if (fsk_mount(&r->dev, 0, &fs, why, sizeof(why)) == 0) {
		t->mounted++;
		fstree_walk(fs, &ws);
		poke(fs);
		fsk_unmount(fs);
	} else {
		t->rejected++;
		if (!why[0] || strchr(why, '\n'))
			violation(t, i, seed, "mount refused without a one-line reason", 0);
	}
	first = fstree_check(r, true, &res);
	second = fstree_check(r, false, &res);
	switch (first) {
	case FSK_CHECK_CLEAN: t->clean++; break;
	case FSK_CHECK_FIXED: t->repaired++; break;
	case FSK_CHECK_UNFIXED: t->beyond++; break;
	default: violation(t, i, seed, "fsck could not run", first); return;
	}
	if (first == FSK_CHECK_UNFIXED) {
		if (second != FSK_CHECK_UNFIXED)
			violation(t, i, seed, "beyond repair, then not", second);
		return;
	}
	if (second != FSK_CHECK_CLEAN) {
		violation(t, i, seed, "second fsck not clean", second);
		return;
	}
	if (fsk_mount(&r->dev, FSK_MOUNT_RDONLY, &fs, why, sizeof(why))) {
		violation(t, i, seed, "repaired volume does not mount", 0);
		return;
	}
	fstree_walk(fs, &ws);
	if (ws.errors)
		violation(t, i, seed, "walk of a repaired volume met errors", (int)ws.errors);
	fsk_unmount(fs);
}

static uint64_t count = 2000, seed = 0x6b65656c66737a31ull;

static void fuzz(const void *arg)
{
	struct base bases[2];
	struct ramdev r;
	struct tally t = { 0 };

	(void)arg;
	fstree_quiet = true;
	KT_REQUIRE(base_make(&bases[0], 10, 512u << 10));
	KT_REQUIRE(base_make(&bases[1], 12, 1u << 20));
	ramdev_init(&r, 1u << 20);
	for (uint64_t i = 0; i < count; i++) {
		t.images++;
		one_image(&bases[i % 2], &r, &t, i, mix(seed, i));
	}
	printf("# fuzz: %llu images (seed 0x%llx): mount accepted %llu, refused %llu; "
	       "fsck -y: clean %llu, repaired %llu, beyond repair %llu; crashes 0; violations %llu\n",
	       (unsigned long long)t.images, (unsigned long long)seed,
	       (unsigned long long)t.mounted, (unsigned long long)t.rejected,
	       (unsigned long long)t.clean, (unsigned long long)t.repaired,
	       (unsigned long long)t.beyond, (unsigned long long)t.violations);
	KT_EQ(t.violations, 0);
	/* The mutations must reach both sides of each decision. */
	KT_CHECK(t.mounted > 0 && t.rejected > 0 && t.repaired > 0);
	for (int k = 0; k < 2; k++) {
		ramdev_free(&bases[k].r);
		free(bases[k].meta);
	}
	ramdev_free(&r);
}

static bool numeric(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s) && *s != 'x' && !isxdigit((unsigned char)*s))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	static const struct kt_case cases[] = { { "fuzz_mount_walk_fsck", fuzz, NULL } };
	int k = 0;

	for (int i = 1; i < argc; i++) {
		if (!numeric(argv[i]))
			continue;
		if (k++ == 0)
			count = strtoull(argv[i], NULL, 0);
		else
			seed = strtoull(argv[i], NULL, 0);
	}
	return kt_run(cases, KT_COUNT(cases));
}
