/* fsk_check (fsck-keel's engine) against each kind of damage it must find:
 * a sample volume is damaged in one way by editing the raw image, then a
 * check must report it (status 4), a repairing check must fix it (status
 * 1), a second check must be clean, and the repaired volume must mount and
 * walk without an error.  Two kinds are beyond repair and must stay 4. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crc.h"
#include "fstree.h"
#include "ktap.h"

#define IMG_SIZE (2u << 20)
#define LOG2 10u
#define BS (1u << LOG2)

static uint8_t *pristine;
static struct fsk_geometry geo;

/* ---- raw access ---------------------------------------------------------------- */

static uint8_t *blk(uint8_t *img, uint32_t b)
{
	return img + (size_t)b * BS;
}

static struct fsk_inode *inode(uint8_t *img, uint32_t ino)
{
	return (struct fsk_inode *)(blk(img, geo.itable_start) + (size_t)(ino - 1) * FSK_INODE_SIZE);
}

static uint32_t ino_of(uint8_t *img, const char *path)
{
	struct ramdev r;
	struct fsk *fs;
	uint32_t ino = 0;

	ramdev_from(&r, img, IMG_SIZE);
	if (fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0) == 0) {
		if (fsk_resolve(fs, path, false, &ino))
			ino = 0;
		fsk_unmount(fs);
	}
	ramdev_free(&r);
	if (!ino)
		kt_fail(__FILE__, __LINE__, "no %s in the sample", path);
	return ino;
}

/* Entry `name` of directory path (in its direct blocks). */
static struct fsk_dirent *entry(uint8_t *img, const char *dir, const char *name)
{
	struct fsk_inode *d = inode(img, ino_of(img, dir));
	struct fsk_dirent *e = NULL;

	for (uint32_t k = 0; k < FSK_NDIRECT && d->block[k]; k++) {
		e = (struct fsk_dirent *)blk(img, d->block[k]);
		for (uint32_t i = 0; i < BS / FSK_DIRENT_SIZE; i++)
			if (e[i].ino && e[i].name_len == strlen(name) &&
			    !memcmp(e[i].name, name, e[i].name_len))
				return &e[i];
	}
	kt_fail(__FILE__, __LINE__, "no entry %s in %s", name, dir);
	return e;
}

static struct fsk_dirent *free_entry(uint8_t *img, const char *dir)
{
	struct fsk_dirent *e = (struct fsk_dirent *)blk(img, inode(img, ino_of(img, dir))->block[0]);

	for (uint32_t i = 2; i < BS / FSK_DIRENT_SIZE; i++)
		if (!e[i].ino)
			return &e[i];
	kt_fail(__FILE__, __LINE__, "no free entry in %s", dir);
	return &e[BS / FSK_DIRENT_SIZE - 1];
}

static bool bit(uint8_t *img, uint32_t start, uint32_t i)
{
	return blk(img, start)[i / 8] >> (i % 8) & 1;
}

static void flip_bit(uint8_t *img, uint32_t start, uint32_t i)
{
	blk(img, start)[i / 8] ^= (uint8_t)(1u << (i % 8));
}

static uint32_t free_block(uint8_t *img)
{
	for (uint32_t b = geo.data_start; b < geo.backup; b++)
		if (!bit(img, geo.bbitmap_start, b))
			return b;
	return 0;
}

static uint32_t free_inode(uint8_t *img)
{
	for (uint32_t i = 2; i <= geo.inodes; i++)
		if (!bit(img, geo.ibitmap_start, i))
			return i;
	return 0;
}

static void reseal(uint8_t *img, uint32_t b)
{
	struct fsk_super *sb = (struct fsk_super *)blk(img, b);

	sb->crc = crc32c(0, sb, offsetof(struct fsk_super, crc));
}

/* ---- damage, one kind each ----------------------------------------------------------- */

static void d_super_crc(uint8_t *img) { ((struct fsk_super *)img)->label[0] ^= 1; }
static void d_super_geometry(uint8_t *img)
{
	((struct fsk_super *)img)->itable_start++;
	reseal(img, 0);
}
static void d_backup(uint8_t *img) { ((struct fsk_super *)blk(img, geo.backup))->inodes++; }
static void d_bad_type(uint8_t *img) { inode(img, ino_of(img, "a/small"))->mode = 0170644; }
static void d_dir_size(uint8_t *img) { inode(img, ino_of(img, "a/b"))->size = 100; }
static void d_out_of_range(uint8_t *img) { inode(img, ino_of(img, "a/b/multi"))->block[1] = geo.blocks + 9; }
static void d_metadata_ptr(uint8_t *img) { inode(img, ino_of(img, "a/b/multi"))->block[2] = geo.itable_start; }
static void d_duplicate(uint8_t *img)
{
	inode(img, ino_of(img, "c/many-19"))->block[0] = inode(img, ino_of(img, "a/b/multi"))->block[0];
}
static void d_past_eof(uint8_t *img)
{
	uint32_t b = free_block(img);

	inode(img, ino_of(img, "empty"))->block[3] = b;
	flip_bit(img, geo.bbitmap_start, b);
}
static void d_nblocks(uint8_t *img) { inode(img, ino_of(img, "c/sparse"))->nblocks += 3; }
static void d_nlink_high(uint8_t *img) { inode(img, ino_of(img, "a/b/multi"))->nlink = 5; }
static void d_nlink_low(uint8_t *img) { inode(img, ino_of(img, "a/small"))->nlink = 1; }
static void d_dir_nlink(uint8_t *img) { inode(img, ino_of(img, "a"))->nlink = 7; }
static void d_free_target(uint8_t *img) { entry(img, "c", "many-10")->ino = free_inode(img); }
static void d_range_target(uint8_t *img) { entry(img, "c", "many-11")->ino = geo.inodes + 1; }
static void d_dot(uint8_t *img) { entry(img, "a/b", ".")->ino = FSK_ROOT_INO; }
static void d_dotdot(uint8_t *img) { entry(img, "a/b", "..")->ino = ino_of(img, "c"); }
static void d_dup_name(uint8_t *img) { *free_entry(img, "c") = *entry(img, "c", "many-12"); }
static void d_dir_loop(uint8_t *img)
{
	struct fsk_dirent *e = free_entry(img, "a/b");

	*e = *entry(img, "/", "a");
	memcpy(e->name, "up", 2);
	e->name_len = 2;
}
static void d_slash(uint8_t *img) { entry(img, "c", "many-13")->name[2] = '/'; }
static void d_type_byte(uint8_t *img) { entry(img, "/", "short")->type = FSK_DT_REG; }
static void d_misplaced_dot(uint8_t *img)
{
	struct fsk_dirent *e = entry(img, "c", "many-14");

	e->name_len = 1;
	memset(e->name, 0, sizeof(e->name));
	e->name[0] = '.';
}
static void d_orphan(uint8_t *img)
{
	uint32_t ino = free_inode(img), b = free_block(img);
	struct fsk_inode *in = inode(img, ino);

	memset(in, 0, sizeof(*in));
	in->mode = FSK_S_IFREG | 0600;
	in->nlink = 1;
	in->size = 10;
	in->block[0] = b;
	in->nblocks = 1;
	flip_bit(img, geo.ibitmap_start, ino);
	flip_bit(img, geo.bbitmap_start, b);
}
static void d_block_leak(uint8_t *img) { flip_bit(img, geo.bbitmap_start, free_block(img)); }
static void d_block_unmarked(uint8_t *img)
{
	flip_bit(img, geo.bbitmap_start, inode(img, ino_of(img, "a/b/multi"))->block[4]);
}
static void d_inode_unmarked(uint8_t *img) { flip_bit(img, geo.ibitmap_start, ino_of(img, "c/many-15")); }
static void d_bitmap_padding(uint8_t *img) { flip_bit(img, geo.ibitmap_start, geo.inodes + 3); }
static void d_indirect_entry(uint8_t *img)
{
	uint32_t *ind = (uint32_t *)blk(img, inode(img, ino_of(img, "c/sparse"))->block[12]);

	ind[7] = 3;                       /* the superblock's neighbourhood */
}
static void d_long_link_block(uint8_t *img) { inode(img, ino_of(img, "a/b/long"))->block[0] = 1; }
static void d_dir_hole(uint8_t *img)
{
	struct fsk_inode *c = inode(img, ino_of(img, "c"));

	c->block[0] = 0;                  /* a directory without "." and ".." */
}

/* Beyond repair. */
static void d_root(uint8_t *img) { inode(img, FSK_ROOT_INO)->mode = 0; }
static void d_both_supers(uint8_t *img)
{
	d_super_crc(img);
	((struct fsk_super *)blk(img, geo.backup))->magic = 0;
}

struct damage {
	const char *name;
	void (*edit)(uint8_t *img);
};

/* Damages a copy of the sample and runs check, repair, check, mount. */
static void repairs(const void *arg)
{
	const struct damage *d = arg;
	struct fsk_check_result res;
	struct walk_stats ws;
	struct ramdev r;
	struct fsk *fs;
	char why[FSK_REASON_MAX];

	ramdev_from(&r, pristine, IMG_SIZE);
	d->edit(r.mem);
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_UNFIXED);
	KT_CHECK(res.found > 0 && res.fixed == 0);
	KT_EQ(fstree_check(&r, true, &res), FSK_CHECK_FIXED);
	KT_CHECK(res.found > 0 && res.fixed == res.found);
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_CLEAN);
	KT_EQ(res.found, 0);
	KT_EQ(fsk_mount(&r.dev, 0, &fs, why, sizeof(why)), 0);
	if (fs) {
		fstree_walk(fs, &ws);
		KT_EQ(ws.errors, 0);
		KT_CHECK(ws.entries > 10);
		KT_EQ(fsk_unmount(fs), 0);
	}
	ramdev_free(&r);
}

static void stays_broken(const void *arg)
{
	const struct damage *d = arg;
	struct fsk_check_result res;
	struct ramdev r;
	struct fsk *fs;

	ramdev_from(&r, pristine, IMG_SIZE);
	d->edit(r.mem);
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_UNFIXED);
	KT_EQ(fstree_check(&r, true, &res), FSK_CHECK_UNFIXED);
	KT_CHECK(res.found > res.fixed);
	KT_EQ(fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0), -EINVAL);
	ramdev_free(&r);
}

/* Specific outcomes of a few repairs, beyond "clean afterwards". */
static void repairs_keep_the_right_things(const void *arg)
{
	struct fsk_check_result res;
	struct fsk_stat st;
	struct ramdev r;
	struct fsk *fs;
	uint32_t ino;
	char buf[200];

	(void)arg;
	/* Link counts come out as the names say. */
	ramdev_from(&r, pristine, IMG_SIZE);
	d_nlink_low(r.mem);
	d_dir_nlink(r.mem);
	KT_EQ(fstree_check(&r, true, &res), FSK_CHECK_FIXED);
	KT_EQ(fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0), 0);
	KT_EQ(fsk_resolve(fs, "a/small", false, &ino), 0);
	KT_EQ(fsk_stat(fs, ino, &st), 0);
	KT_EQ(st.nlink, 2);
	KT_EQ(fsk_resolve(fs, "a", false, &ino), 0);
	KT_EQ(fsk_stat(fs, ino, &st), 0);
	KT_EQ(st.nlink, 3);
	KT_EQ(fsk_unmount(fs), 0);
	ramdev_free(&r);
	/* Of a block claimed twice, the first claimant keeps its bytes. */
	ramdev_from(&r, pristine, IMG_SIZE);
	d_duplicate(r.mem);
	KT_EQ(fstree_check(&r, true, &res), FSK_CHECK_FIXED);
	KT_EQ(fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0), 0);
	KT_EQ(fsk_resolve(fs, "a/b/multi", false, &ino), 0);
	KT_EQ(fsk_read(fs, ino, 0, buf, sizeof(buf)), (int64_t)sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		if ((uint8_t)buf[i] != fstree_byte(3, i)) {
			kt_fail(__FILE__, __LINE__, "multi byte %zu", i);
			break;
		}
	KT_EQ(fsk_resolve(fs, "c/many-19", false, &ino), 0);
	KT_EQ(fsk_read(fs, ino, 0, buf, 100), 100);
	KT_CHECK(buf[0] == 0 && buf[99] == 0);
	KT_EQ(fsk_unmount(fs), 0);
	ramdev_free(&r);
	/* A directory loop loses the extra name, not the directory. */
	ramdev_from(&r, pristine, IMG_SIZE);
	d_dir_loop(r.mem);
	KT_EQ(fstree_check(&r, true, &res), FSK_CHECK_FIXED);
	KT_EQ(res.dirs, 4);
	KT_EQ(fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0), 0);
	KT_EQ(fsk_resolve(fs, "a/b/up", false, &ino), -ENOENT);
	KT_EQ(fsk_resolve(fs, "a/b/multi", false, &ino), 0);
	KT_EQ(fsk_unmount(fs), 0);
	ramdev_free(&r);
}

/* A regular file's size of 2^64 - 1: its block count used to wrap to 0,
 * fsck took the size for valid, cleared every block pointer as "past the
 * end" and kept the size; the server served it.  Now found, and what fsck
 * leaves is a file of a size it can hold, or none. */
static void size_near_2_64_is_found(const void *arg)
{
	struct fsk_check_result res;
	struct fsk_stat st;
	struct ramdev r;
	struct fsk *fs;
	uint32_t ino;

	(void)arg;
	ramdev_from(&r, pristine, IMG_SIZE);
	inode(r.mem, ino_of(r.mem, "c/sparse"))->size = UINT64_MAX;
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_UNFIXED);
	KT_EQ(fstree_check(&r, true, &res), FSK_CHECK_FIXED);
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_CLEAN);
	KT_EQ(fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0), 0);
	int e = fsk_resolve(fs, "c/sparse", false, &ino);
	if (e == 0) {
		KT_EQ(fsk_stat(fs, ino, &st), 0);
		KT_CHECK(st.size < (1ull << 40));
	} else {
		KT_EQ(e, -ENOENT);
	}
	KT_EQ(fsk_unmount(fs), 0);
	ramdev_free(&r);
}

static const struct damage damages[] = {
	{ "super_checksum", d_super_crc }, { "super_geometry", d_super_geometry },
	{ "backup_super", d_backup }, { "inode_bad_type", d_bad_type },
	{ "inode_bad_dir_size", d_dir_size }, { "block_out_of_range", d_out_of_range },
	{ "block_in_metadata", d_metadata_ptr }, { "block_claimed_twice", d_duplicate },
	{ "block_past_eof", d_past_eof }, { "nblocks_wrong", d_nblocks },
	{ "nlink_too_high", d_nlink_high }, { "nlink_too_low", d_nlink_low },
	{ "dir_nlink_wrong", d_dir_nlink }, { "entry_names_free_inode", d_free_target },
	{ "entry_inode_out_of_range", d_range_target }, { "bad_dot", d_dot },
	{ "bad_dotdot", d_dotdot }, { "duplicate_name", d_dup_name },
	{ "directory_loop", d_dir_loop }, { "slash_in_name", d_slash },
	{ "wrong_type_byte", d_type_byte }, { "misplaced_dot", d_misplaced_dot },
	{ "orphan_inode", d_orphan }, { "block_bitmap_leak", d_block_leak },
	{ "block_bitmap_unmarked", d_block_unmarked }, { "inode_bitmap_unmarked", d_inode_unmarked },
	{ "bitmap_padding", d_bitmap_padding }, { "indirect_entry_bad", d_indirect_entry },
	{ "symlink_block_bad", d_long_link_block }, { "directory_without_first_block", d_dir_hole },
};

static const struct damage fatal[] = {
	{ "root_inode_freed", d_root }, { "both_superblocks", d_both_supers },
};

static void sample_is_clean(const void *arg)
{
	struct fsk_check_result res;
	struct ramdev r;

	(void)arg;
	ramdev_from(&r, pristine, IMG_SIZE);
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_CLEAN);
	KT_EQ(fstree_check(&r, true, &res), FSK_CHECK_CLEAN);
	KT_EQ(memcmp(r.mem, pristine, IMG_SIZE), 0);      /* a clean repair writes nothing */
	ramdev_free(&r);
}

int main(void)
{
	static struct kt_case cases[KT_COUNT(damages) + KT_COUNT(fatal) + 3];
	static char names[KT_COUNT(damages) + KT_COUNT(fatal)][64];
	struct ramdev r;
	size_t n = 0;
	int st;

	ramdev_init(&r, IMG_SIZE);
	if (fstree_sample(&r, LOG2) || fsk_layout(LOG2, IMG_SIZE / BS, IMG_SIZE / BS / 4, &geo)) {
		printf("# cannot make the sample volume\n");
		return 1;
	}
	pristine = r.mem;
	cases[n++] = (struct kt_case){ "sample_is_clean", sample_is_clean, NULL };
	for (size_t i = 0; i < KT_COUNT(damages); i++, n++) {
		snprintf(names[n - 1], sizeof(names[0]), "repairs_%s", damages[i].name);
		cases[n] = (struct kt_case){ names[n - 1], repairs, &damages[i] };
	}
	for (size_t i = 0; i < KT_COUNT(fatal); i++, n++) {
		snprintf(names[n - 1], sizeof(names[0]), "cannot_repair_%s", fatal[i].name);
		cases[n] = (struct kt_case){ names[n - 1], stays_broken, &fatal[i] };
	}
	cases[n++] = (struct kt_case){ "repairs_keep_the_right_things", repairs_keep_the_right_things, NULL };
	cases[n++] = (struct kt_case){ "size_near_2_64_is_found", size_near_2_64_is_found, NULL };
	st = kt_run(cases, n);
	ramdev_free(&r);
	return st;
}
