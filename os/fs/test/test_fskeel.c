/* Host tests of the fs-keel core: format and mount (and the mount's refusal
 * of each kind of bad superblock), then every operation, each checked by
 * reading back through the library and, where it matters, by a full
 * fsk_check that must find nothing. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "crc.h"
#include "fstree.h"
#include "ktap.h"

#define VOL_SIZE (4u << 20)       /* 4 MiB */

struct vol {
	struct ramdev r;
	struct fsk *fs;
};

static bool vol_open(struct vol *v, uint32_t log2, uint64_t size)
{
	struct fsk_format_opts fo = { .block_log2 = log2, .root_uid = 7, .root_gid = 8 };
	char why[FSK_REASON_MAX];

	ramdev_init(&v->r, size);
	if (fsk_format(&v->r.dev, &fo))
		return false;
	if (fsk_mount(&v->r.dev, 0, &v->fs, why, sizeof(why))) {
		printf("# mount: %s\n", why);
		return false;
	}
	return true;
}

/* Unmounts, requires a clean check, frees. */
static void vol_close(struct vol *v)
{
	struct fsk_check_result res;

	KT_EQ(fsk_unmount(v->fs), 0);
	KT_EQ(fstree_check(&v->r, false, &res), FSK_CHECK_CLEAN);
	ramdev_free(&v->r);
}

static uint32_t mkfile(struct vol *v, uint32_t dir, const char *name, const char *text)
{
	uint32_t ino = 0;

	KT_EQ(fsk_create(v->fs, dir, name, 0640, 5, 6, &ino), 0);
	if (text)
		KT_EQ(fsk_write(v->fs, ino, 0, text, strlen(text)), (int64_t)strlen(text));
	return ino;
}

static bool content_is(struct vol *v, uint32_t ino, const char *text)
{
	char buf[256] = { 0 };
	int64_t n = fsk_read(v->fs, ino, 0, buf, sizeof(buf) - 1);

	return n == (int64_t)strlen(text) && strcmp(buf, text) == 0;
}

/* ---- format and mount ---------------------------------------------------------- */

static void format_and_mount(const void *arg)
{
	struct fsk_statvfs sv;
	struct fsk_stat st;
	struct fsk_dirinfo d;
	uint64_t pos = 0;
	struct vol v;

	(void)arg;
	for (uint32_t log2 = FSK_MIN_LOG2; log2 <= FSK_MAX_LOG2; log2++) {
		KT_REQUIRE(vol_open(&v, log2, VOL_SIZE));
		KT_CHECK(!fsk_was_dirty(v.fs));
		KT_EQ(fsk_stat(v.fs, FSK_ROOT_INO, &st), 0);
		KT_EQ(st.mode, FSK_S_IFDIR | 0755);
		KT_EQ(st.uid, 7);
		KT_EQ(st.gid, 8);
		KT_EQ(st.nlink, 2);
		KT_EQ(fsk_statvfs(v.fs, &sv), 0);
		KT_EQ(sv.bsize, 1u << log2);
		KT_EQ(sv.bfree, sv.blocks - 1);   /* the root's block */
		KT_EQ(sv.files, (VOL_SIZE >> log2) / 4);
		KT_EQ(sv.ffree, sv.files - 1);
		KT_EQ(fsk_readdir(v.fs, FSK_ROOT_INO, &pos, &d), 1);
		KT_STREQ(d.name, ".");
		KT_EQ(fsk_readdir(v.fs, FSK_ROOT_INO, &pos, &d), 1);
		KT_STREQ(d.name, "..");
		KT_EQ(d.ino, FSK_ROOT_INO);
		KT_EQ(fsk_readdir(v.fs, FSK_ROOT_INO, &pos, &d), 0);
		pos = 0;
		vol_close(&v);
	}
}

/* The superblock as stored, for tampering; resealed with a good CRC. */
static void super_patch(struct ramdev *r, void (*edit)(struct fsk_super *), bool reseal)
{
	struct fsk_super sb;

	memcpy(&sb, r->mem, sizeof(sb));
	edit(&sb);
	if (reseal)
		sb.crc = crc32c(0, &sb, offsetof(struct fsk_super, crc));
	memcpy(r->mem, &sb, sizeof(sb));
}

static void e_magic(struct fsk_super *sb) { sb->magic ^= 1; }
static void e_label(struct fsk_super *sb) { sb->label[3] ^= 0x20; }
static void e_version(struct fsk_super *sb) { sb->version = 2; }
static void e_incompat(struct fsk_super *sb) { sb->feat_incompat = 0x10; }
static void e_rocompat(struct fsk_super *sb) { sb->feat_ro_compat = 0x4; }
static void e_blocks(struct fsk_super *sb) { sb->blocks *= 2; }
static void e_itable(struct fsk_super *sb) { sb->itable_start++; }
static void e_log2(struct fsk_super *sb) { sb->block_log2 = 20; }
static void e_inodes(struct fsk_super *sb) { sb->inodes = 3; }
static void e_state(struct fsk_super *sb) { sb->state = 9; }

struct bad_super {
	void (*edit)(struct fsk_super *);
	bool reseal;
	const char *reason;           /* a word the one-line reason must hold */
};

static void mount_rejects_bad_superblocks(const void *arg)
{
	static const struct bad_super cases[] = {
		{ e_magic, true, "magic" }, { e_label, false, "checksum" },
		{ e_version, true, "version" }, { e_incompat, true, "incompatible" },
		{ e_blocks, true, "larger than the device" }, { e_itable, true, "offsets" },
		{ e_log2, true, "geometry" }, { e_inodes, true, "geometry" },
		{ e_state, true, "state" },
	};
	char why[FSK_REASON_MAX];
	struct fsk *fs;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 10, 1u << 20));
	KT_EQ(fsk_unmount(v.fs), 0);
	uint8_t *good = malloc(1u << 20);
	memcpy(good, v.r.mem, 1u << 20);
	for (size_t i = 0; i < KT_COUNT(cases); i++) {
		memcpy(v.r.mem, good, 1u << 20);
		super_patch(&v.r, cases[i].edit, cases[i].reseal);
		why[0] = 0;
		KT_EQ(fsk_mount(&v.r.dev, 0, &fs, why, sizeof(why)), -EINVAL);
		if (!strstr(why, cases[i].reason) || strchr(why, '\n'))
			kt_fail(__FILE__, __LINE__, "case %zu: reason \"%s\"", i, why);
	}
	/* Unknown ro_compat features: read-only mount only. */
	memcpy(v.r.mem, good, 1u << 20);
	super_patch(&v.r, e_rocompat, true);
	KT_EQ(fsk_mount(&v.r.dev, 0, &fs, why, sizeof(why)), -EROFS);
	KT_EQ(fsk_mount(&v.r.dev, FSK_MOUNT_RDONLY, &fs, why, sizeof(why)), 0);
	KT_EQ(fsk_create(fs, FSK_ROOT_INO, "x", 0644, 0, 0, NULL), -EROFS);
	KT_EQ(fsk_unmount(fs), 0);
	/* A device shorter than the volume, and a root that is not a directory. */
	memcpy(v.r.mem, good, 1u << 20);
	v.r.dev.size_bytes = 512u << 10;
	KT_EQ(fsk_mount(&v.r.dev, 0, &fs, why, sizeof(why)), -EINVAL);
	v.r.dev.size_bytes = 1u << 20;
	struct fsk_geometry g;
	KT_EQ(fsk_layout(10, 1024, 256, &g), 0);
	struct fsk_inode *root = (struct fsk_inode *)(v.r.mem + ((size_t)g.itable_start << 10));
	root->mode = FSK_S_IFREG | 0644;
	KT_EQ(fsk_mount(&v.r.dev, 0, &fs, why, sizeof(why)), -EINVAL);
	KT_CHECK(strstr(why, "root") != NULL);
	free(good);
	ramdev_free(&v.r);
}

static void mount_marks_dirty_until_unmount(const void *arg)
{
	struct fsk_super sb;
	struct fsk *fs;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	memcpy(&sb, v.r.mem, sizeof(sb));
	KT_EQ(sb.state, FSK_STATE_DIRTY);
	KT_EQ(fsk_unmount(v.fs), 0);
	memcpy(&sb, v.r.mem, sizeof(sb));
	KT_EQ(sb.state, FSK_STATE_CLEAN);
	KT_EQ(fsk_mount(&v.r.dev, 0, &fs, NULL, 0), 0);
	KT_CHECK(!fsk_was_dirty(fs));
	/* A second mount of the same image sees the first one's dirty mark. */
	struct fsk *fs2;
	KT_EQ(fsk_mount(&v.r.dev, FSK_MOUNT_RDONLY, &fs2, NULL, 0), 0);
	KT_CHECK(fsk_was_dirty(fs2));
	KT_EQ(fsk_unmount(fs2), 0);
	v.fs = fs;
	vol_close(&v);
}

/* ---- files ----------------------------------------------------------------------- */

static void files_write_read_and_persist(const void *arg)
{
	struct fsk_stat st;
	uint32_t ino, again;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 10, VOL_SIZE));
	ino = mkfile(&v, FSK_ROOT_INO, "hello", "hello, world");
	KT_CHECK(content_is(&v, ino, "hello, world"));
	KT_EQ(fsk_write(v.fs, ino, 7, "keel!", 5), 5);
	KT_CHECK(content_is(&v, ino, "hello, keel!"));
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.mode, FSK_S_IFREG | 0640);
	KT_EQ(st.uid, 5);
	KT_EQ(st.size, 12);
	KT_EQ(st.nlink, 1);
	KT_EQ(st.blocks, 2);              /* one 1 KiB block in 512-byte units */
	KT_EQ(fsk_create(v.fs, FSK_ROOT_INO, "hello", 0644, 0, 0, NULL), -EEXIST);
	KT_EQ(fsk_create(v.fs, FSK_ROOT_INO, "a/b", 0644, 0, 0, NULL), -EINVAL);
	KT_EQ(fsk_create(v.fs, FSK_ROOT_INO, "..", 0644, 0, 0, NULL), -EINVAL);
	KT_EQ(fsk_create(v.fs, FSK_ROOT_INO, "", 0644, 0, 0, NULL), -EINVAL);
	KT_EQ(fsk_create(v.fs, FSK_ROOT_INO, "123456789012345678901234567890123456789012345678901234567890",
			 0644, 0, 0, NULL), -ENAMETOOLONG);
	KT_EQ(fsk_create(v.fs, ino, "x", 0644, 0, 0, NULL), -ENOTDIR);
	KT_EQ(fsk_read(v.fs, FSK_ROOT_INO, 0, &st, 1), -EISDIR);
	KT_EQ(fsk_unmount(v.fs), 0);
	KT_EQ(fsk_mount(&v.r.dev, 0, &v.fs, NULL, 0), 0);
	KT_EQ(fsk_resolve(v.fs, "/hello", true, &again), 0);
	KT_EQ(again, ino);
	KT_CHECK(content_is(&v, ino, "hello, keel!"));
	vol_close(&v);
}

/* Bytes of a big file through every level of indirection, block sizes 1-4 KiB. */
static void files_through_every_indirection(const void *arg)
{
	uint8_t *buf = malloc(70000), *back = malloc(70000);
	struct fsk_statvfs sv0, sv1;
	uint32_t ino, pb;
	struct vol v;

	(void)arg;
	for (uint32_t log2 = 10; log2 <= 12; log2++) {
		uint64_t bs = 1u << log2, p = bs / 4;
		uint64_t offs[] = { 0, 11 * bs + 100, (12 + p - 1) * bs + 5, (12 + p + 5 * p) * bs - 3,
				    (12 + p + p * p) * bs + 7, (12 + p + p * p + 3 * p * p + 2) * bs };
		KT_REQUIRE(vol_open(&v, log2, 16u << 20));
		KT_EQ(fsk_statvfs(v.fs, &sv0), 0);
		ino = mkfile(&v, FSK_ROOT_INO, "big", NULL);
		for (size_t i = 0; i < KT_COUNT(offs); i++) {
			for (int k = 0; k < 70000; k++)
				buf[k] = fstree_byte((uint32_t)i, offs[i] + (uint64_t)k);
			KT_EQ(fsk_write(v.fs, ino, offs[i], buf, 70000), 70000);
		}
		for (size_t i = 0; i < KT_COUNT(offs); i++) {
			KT_EQ(fsk_read(v.fs, ino, offs[i], back, 70000), 70000);
			for (int k = 0; k < 70000; k++)
				if (back[k] != fstree_byte((uint32_t)i, offs[i] + (uint64_t)k)) {
					kt_fail(__FILE__, __LINE__, "2^%u: piece %zu byte %d", log2, i, k);
					break;
				}
		}
		/* A hole between the pieces reads as zeros and maps to block 0. */
		KT_EQ(fsk_read(v.fs, ino, (12 + p + 2 * p) * bs, back, 100), 100);
		KT_CHECK(back[0] == 0 && back[99] == 0);
		KT_EQ(fsk_bmap(v.fs, ino, 12 + p + 2 * p, &pb), 0);
		KT_EQ(pb, 0);
		KT_EQ(fsk_bmap(v.fs, ino, 0, &pb), 0);
		KT_CHECK(pb != 0);
		KT_EQ(fsk_bmap(v.fs, ino, fsk_max_file_blocks(log2), &pb), -EFBIG);
		KT_EQ(fsk_write(v.fs, ino, fsk_max_file_blocks(log2) << log2, buf, 1), -EFBIG);
		/* Freeing it all gives back every block, indirect ones included. */
		KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "big"), 0);
		KT_EQ(fsk_statvfs(v.fs, &sv1), 0);
		KT_EQ(sv1.bfree, sv0.bfree);
		KT_EQ(sv1.ffree, sv0.ffree);
		vol_close(&v);
	}
	free(buf);
	free(back);
}

static void truncate_shrinks_and_grows(const void *arg)
{
	uint8_t buf[3000], back[3000];
	struct fsk_statvfs sv0, sv1;
	struct fsk_stat st;
	uint32_t ino;
	struct vol v;

	(void)arg;
	memset(buf, 0xab, sizeof(buf));
	KT_REQUIRE(vol_open(&v, 10, VOL_SIZE));
	KT_EQ(fsk_statvfs(v.fs, &sv0), 0);
	ino = mkfile(&v, FSK_ROOT_INO, "t", NULL);
	for (int i = 0; i < 400; i++)      /* 1.2 MB: into the double indirect */
		KT_EQ(fsk_write(v.fs, ino, (uint64_t)i * 3000, buf, 3000), 3000);
	KT_EQ(fsk_truncate(v.fs, ino, 1500), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.size, 1500);
	KT_EQ(st.blocks, 4);              /* two 1 KiB blocks */
	KT_EQ(fsk_statvfs(v.fs, &sv1), 0);
	KT_EQ(sv1.bfree, sv0.bfree - 2);
	/* Growing leaves a hole; the old tail past 1500 reads as zeros. */
	KT_EQ(fsk_truncate(v.fs, ino, 5000), 0);
	KT_EQ(fsk_read(v.fs, ino, 0, back, 3000), 3000);
	KT_CHECK(back[1499] == 0xab && back[1500] == 0 && back[2047] == 0 && back[2999] == 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.size, 5000);
	KT_EQ(st.blocks, 4);
	/* Cut inside the single-indirect range keeps the indirect block. */
	KT_EQ(fsk_truncate(v.fs, ino, 0), 0);
	KT_EQ(fsk_write(v.fs, ino, 0, buf, 3000), 3000);
	KT_EQ(fsk_write(v.fs, ino, 20 * 1024, buf, 3000), 3000);
	KT_EQ(fsk_truncate(v.fs, ino, 14 * 1024 + 1), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.blocks, 2 * 4);          /* 3 data blocks and the indirect block */
	KT_EQ(fsk_truncate(v.fs, FSK_ROOT_INO, 0), -EISDIR);
	KT_EQ(fsk_truncate(v.fs, ino, 0), 0);
	KT_EQ(fsk_statvfs(v.fs, &sv1), 0);
	KT_EQ(sv1.bfree, sv0.bfree);
	vol_close(&v);
}

static void full_volume_reports_enospc(const void *arg)
{
	uint8_t buf[4096];
	struct fsk_statvfs sv;
	uint32_t ino;
	int64_t n, total = 0;
	struct vol v;

	(void)arg;
	memset(buf, 1, sizeof(buf));
	KT_REQUIRE(vol_open(&v, 10, 256u << 10));
	ino = mkfile(&v, FSK_ROOT_INO, "fill", NULL);
	while ((n = fsk_write(v.fs, ino, (uint64_t)total, buf, sizeof(buf))) > 0)
		total += n;
	KT_EQ(n, -ENOSPC);
	KT_EQ(fsk_statvfs(v.fs, &sv), 0);
	KT_EQ(sv.bfree, 0);
	KT_CHECK(total > 200 * 1024);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "d", 0755, 0, 0, NULL), -ENOSPC);
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "fill"), 0);
	KT_EQ(fsk_statvfs(v.fs, &sv), 0);
	KT_EQ(sv.bfree, sv.blocks - 1);
	/* Inodes run out too. */
	char name[16];
	int made = 0, err = 0;
	for (; made < 100000 && !err; made++) {
		snprintf(name, sizeof(name), "f%d", made);
		err = fsk_create(v.fs, FSK_ROOT_INO, name, 0644, 0, 0, NULL);
	}
	KT_EQ(err, -ENOSPC);
	KT_EQ(made - 1, (int)sv.files - 1);
	vol_close(&v);
}

/* ---- names ------------------------------------------------------------------------- */

static void hard_links_share_an_inode(const void *arg)
{
	struct fsk_stat st;
	uint32_t ino, got, d;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	ino = mkfile(&v, FSK_ROOT_INO, "one", "shared");
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "d", 0755, 0, 0, &d), 0);
	KT_EQ(fsk_link(v.fs, ino, d, "two"), 0);
	KT_EQ(fsk_link(v.fs, ino, d, "two"), -EEXIST);
	KT_EQ(fsk_link(v.fs, d, FSK_ROOT_INO, "dirlink"), -EPERM);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.nlink, 2);
	KT_EQ(fsk_resolve(v.fs, "d/two", true, &got), 0);
	KT_EQ(got, ino);
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "one"), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.nlink, 1);
	KT_CHECK(content_is(&v, ino, "shared"));
	KT_EQ(fsk_unlink(v.fs, d, "two"), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), -EIO);    /* freed */
	KT_EQ(fsk_unlink(v.fs, d, "two"), -ENOENT);
	vol_close(&v);
}

static uint32_t open_ino;               /* the inode kept_while_open's server has open */

static bool open_one(void *ctx, uint32_t ino)
{
	(void)ctx;
	return ino == open_ino;
}

/* POSIX's unlink of an open file: the last name goes, the inode stays
 * (nlink 0, its data readable and writable) until fsk_forget; it takes no
 * new name; a rename over a name keeps an open target the same way; an
 * inode not open goes at once. */
static void unlinked_open_file_is_kept_until_forgotten(const void *arg)
{
	struct fsk_statvfs before, after;
	struct fsk_stat st;
	uint32_t ino, other, closed;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	KT_EQ(fsk_statvfs(v.fs, &before), 0);
	fsk_set_in_use(v.fs, open_one, NULL);
	ino = mkfile(&v, FSK_ROOT_INO, "open", "still here");
	open_ino = ino;
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "open"), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.nlink, 0);
	KT_CHECK(content_is(&v, ino, "still here"));
	KT_EQ(fsk_write(v.fs, ino, 0, "STILL", 5), 5);
	KT_CHECK(content_is(&v, ino, "STILL here"));
	KT_EQ(fsk_link(v.fs, ino, FSK_ROOT_INO, "again"), -ENOENT);
	KT_EQ(fsk_forget(v.fs, ino), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), -EIO);    /* freed */
	KT_EQ(fsk_forget(v.fs, ino), 0);          /* twice: nothing left to do */
	/* a rename over an open target */
	ino = mkfile(&v, FSK_ROOT_INO, "target", "old");
	other = mkfile(&v, FSK_ROOT_INO, "new", "new");
	open_ino = ino;
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, "new", FSK_ROOT_INO, "target"), 0);
	KT_CHECK(content_is(&v, ino, "old"));
	KT_EQ(fsk_forget(v.fs, other), 0);        /* named: stays */
	KT_CHECK(content_is(&v, other, "new"));
	KT_EQ(fsk_forget(v.fs, ino), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), -EIO);
	/* not open: freed at once */
	closed = mkfile(&v, FSK_ROOT_INO, "closed", "x");
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "closed"), 0);
	KT_EQ(fsk_stat(v.fs, closed, &st), -EIO);
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "target"), 0);
	KT_EQ(fsk_statvfs(v.fs, &after), 0);
	KT_EQ(after.ffree, before.ffree);
	KT_EQ(after.bfree, before.bfree);
	vol_close(&v);
}

/* The raw inode ino of a volume unmounted (geometry g). */
static struct fsk_inode *raw_inode(struct vol *v, const struct fsk_geometry *g, uint32_t ino)
{
	return (struct fsk_inode *)(v->r.mem + ((size_t)g->itable_start << g->block_log2) +
				    (size_t)(ino - 1) * FSK_INODE_SIZE);
}

/* A last close frees only what this mount unlinked: an inode with no links
 * on disk that it did not (damage, or a crash's orphan) is fsck's.  A named
 * file whose count reads 0 stays readable after it was opened and closed
 * (it used to be freed: its name then led to a freed inode); a root with
 * fewer than two links is refused at mount (any ls of it used to free the
 * root); a size near 2^64 is corrupt (its block count wrapped to 0). */
static void forget_frees_only_what_this_mount_unlinked(const void *arg)
{
	struct fsk_stat st;
	struct fsk_geometry g;
	struct fsk *fs;
	char why[FSK_REASON_MAX];
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	g = *fsk_geom(v.fs);
	uint32_t ino = mkfile(&v, FSK_ROOT_INO, "f", "named"), big = mkfile(&v, FSK_ROOT_INO, "b", 0);
	KT_EQ(fsk_unmount(v.fs), 0);
	raw_inode(&v, &g, ino)->nlink = 0;
	raw_inode(&v, &g, big)->size = UINT64_MAX;
	KT_EQ(fsk_mount(&v.r.dev, 0, &v.fs, why, sizeof why), 0);
	fsk_set_in_use(v.fs, open_one, NULL);
	open_ino = ino;
	KT_EQ(fsk_forget(v.fs, ino), 0);          /* its last close */
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_CHECK(content_is(&v, ino, "named"));
	KT_EQ(fsk_stat(v.fs, big, &st), -EIO);
	KT_EQ(fsk_unmount(v.fs), 0);
	raw_inode(&v, &g, FSK_ROOT_INO)->nlink = 0;
	KT_EQ(fsk_mount(&v.r.dev, 0, &fs, why, sizeof why), -EINVAL);
	KT_CHECK(strstr(why, "root directory has 0 links") != NULL);
	ramdev_free(&v.r);
}

/* A corrupt inode bitmap that calls a live inode free does not get it
 * overwritten: the next create takes another (it used to take that one,
 * and the directory it held lost its subtree). */
static void create_never_takes_a_live_inode(const void *arg)
{
	struct fsk_geometry g;
	struct fsk_stat st;
	char why[FSK_REASON_MAX];
	uint32_t d = 0, x = 0, y = 0, inside;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	g = *fsk_geom(v.fs);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "a", 0755, 0, 0, &d), 0);
	inside = mkfile(&v, d, "inside", "kept");
	KT_EQ(fsk_unmount(v.fs), 0);
	uint8_t *imap = v.r.mem + ((size_t)g.ibitmap_start << g.block_log2);
	imap[d / 8] &= (uint8_t)~(1u << (d % 8));               /* "a" looks free */
	imap[inside / 8] &= (uint8_t)~(1u << (inside % 8));     /* and its file */
	KT_EQ(fsk_mount(&v.r.dev, 0, &v.fs, why, sizeof why), 0);
	KT_EQ(fsk_create(v.fs, FSK_ROOT_INO, "x", 0640, 0, 0, &x), 0);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "y", 0755, 0, 0, &y), 0);
	KT_CHECK(x != d && x != inside && y != d && y != inside);
	KT_EQ(fsk_stat(v.fs, d, &st), 0);
	KT_EQ(st.mode & FSK_S_IFMT, FSK_S_IFDIR);
	KT_CHECK(content_is(&v, inside, "kept"));
	vol_close(&v);
}

/* Slots 0 and 1 of a directory are its "." and "..", whatever its blocks
 * say: a create in a directory whose slot 0 reads free does not go there
 * (it used to, and then could not be unlinked), and a rename does not
 * rewrite a moved directory's slot 1 unless it is its ".." (it used to
 * make a real name there a second name of the destination: a cycle). */
static void directory_dots_are_slots_0_and_1(const void *arg)
{
	struct fsk_geometry g;
	char why[FSK_REASON_MAX];
	uint32_t a = 0, b = 0, x = 0, y = 0, ino = 0;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	g = *fsk_geom(v.fs);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "a", 0755, 0, 0, &a), 0);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "b", 0755, 0, 0, &b), 0);
	KT_EQ(fsk_mkdir(v.fs, a, "x", 0755, 0, 0, &x), 0);
	KT_EQ(fsk_unmount(v.fs), 0);
	struct fsk_dirent *xe = (struct fsk_dirent *)(v.r.mem +
		((size_t)raw_inode(&v, &g, x)->block[0] << g.block_log2));
	xe[1].name_len = 1;                     /* x's ".." now reads "." */
	struct fsk_dirent *be = (struct fsk_dirent *)(v.r.mem +
		((size_t)raw_inode(&v, &g, b)->block[0] << g.block_log2));
	be[0].ino = 0;                          /* b's "." reads free */
	KT_EQ(fsk_mount(&v.r.dev, 0, &v.fs, why, sizeof why), 0);
	KT_EQ(fsk_rename(v.fs, a, "x", b, "x"), -EIO);
	KT_EQ(fsk_lookup(v.fs, a, "x", &ino), 0);
	KT_EQ(fsk_lookup(v.fs, b, "x", &ino), -ENOENT);
	KT_EQ(fsk_create(v.fs, b, "y", 0640, 0, 0, &y), 0);
	KT_EQ(fsk_unlink(v.fs, b, "y"), 0);
	KT_EQ(fsk_unmount(v.fs), 0);
	ramdev_free(&v.r);
}

/* A cut while an unlinked file is open: the volume holds an inode with no
 * name, which fsck-keel frees, and is clean after. */
static void unlinked_open_file_after_a_cut_is_freed_by_fsck(const void *arg)
{
	struct fsk_check_result res;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	fsk_set_in_use(v.fs, open_one, NULL);
	open_ino = mkfile(&v, FSK_ROOT_INO, "open", "data");
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "open"), 0);
	KT_EQ(fsk_unmount(v.fs), 0);              /* the server never forgot it: a cut */
	KT_EQ(fstree_check(&v.r, true, &res), FSK_CHECK_FIXED);
	KT_EQ(fstree_check(&v.r, false, &res), FSK_CHECK_CLEAN);
	ramdev_free(&v.r);
}

/* POSIX's rmdir of an open directory: the name goes, the directory stays
 * (nlink 0, no entries, not even "." and "..") and takes no new names until
 * fsk_forget frees it; its parent's count drops at once; a cut meanwhile
 * leaves a nameless inode that fsck-keel frees. */
static void removed_open_directory_is_kept_until_forgotten(const void *arg)
{
	struct fsk_statvfs before, after;
	struct fsk_check_result res;
	struct fsk_dirinfo di;
	struct fsk_stat st;
	uint32_t d, x;
	uint64_t pos = 0;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 12, VOL_SIZE));
	KT_EQ(fsk_statvfs(v.fs, &before), 0);
	fsk_set_in_use(v.fs, open_one, NULL);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "d", 0755, 0, 0, &d), 0);
	KT_EQ(fsk_stat(v.fs, FSK_ROOT_INO, &st), 0);
	KT_EQ(st.nlink, 3);
	open_ino = d;
	KT_EQ(fsk_rmdir(v.fs, FSK_ROOT_INO, "d"), 0);
	KT_EQ(fsk_lookup(v.fs, FSK_ROOT_INO, "d", &x), -ENOENT);
	KT_EQ(fsk_stat(v.fs, d, &st), 0);
	KT_EQ(st.nlink, 0);
	KT_EQ(st.size, 0);
	KT_EQ(fsk_readdir(v.fs, d, &pos, &di), 0);  /* the end at once */
	KT_EQ(fsk_mkdir(v.fs, d, "sub", 0755, 0, 0, NULL), -ENOENT);
	KT_EQ(fsk_create(v.fs, d, "f", 0644, 0, 0, &x), -ENOENT);
	KT_EQ(fsk_stat(v.fs, FSK_ROOT_INO, &st), 0);
	KT_EQ(st.nlink, 2);                       /* its ".." no longer counts */
	KT_EQ(fsk_forget(v.fs, d), 0);
	KT_EQ(fsk_stat(v.fs, d, &st), -EIO);      /* freed */
	KT_EQ(fsk_statvfs(v.fs, &after), 0);
	KT_EQ(after.ffree, before.ffree);
	KT_EQ(after.bfree, before.bfree);
	/* a cut while it is open: fsck frees the nameless directory */
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "e", 0755, 0, 0, &d), 0);
	open_ino = d;
	KT_EQ(fsk_rmdir(v.fs, FSK_ROOT_INO, "e"), 0);
	KT_EQ(fsk_unmount(v.fs), 0);
	KT_EQ(fstree_check(&v.r, true, &res), FSK_CHECK_FIXED);
	KT_EQ(fstree_check(&v.r, false, &res), FSK_CHECK_CLEAN);
	ramdev_free(&v.r);
}

static void symlinks_inline_and_in_a_block(const void *arg)
{
	char big[1000], buf[1100];
	struct fsk_stat st;
	uint32_t l1, l2, f, got;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 10, VOL_SIZE));
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "d", 0755, 0, 0, NULL), 0);
	f = 0;
	KT_EQ(fsk_resolve(v.fs, "d", true, &got), 0);
	f = mkfile(&v, got, "target", "t");
	KT_EQ(fsk_symlink(v.fs, FSK_ROOT_INO, "s", "d/target", 0, 0, &l1), 0);
	memset(big, 0, sizeof(big));
	strcpy(big, "/d");
	for (int i = 0; i < 120; i++)
		strcat(big, "/../d");
	strcat(big, "/target");
	KT_EQ(fsk_symlink(v.fs, FSK_ROOT_INO, "l", big, 0, 0, &l2), 0);
	KT_EQ(fsk_stat(v.fs, l1, &st), 0);
	KT_EQ(st.mode & FSK_S_IFMT, FSK_S_IFLNK);
	KT_EQ(st.size, 8);
	KT_EQ(st.blocks, 0);              /* inline */
	KT_EQ(fsk_stat(v.fs, l2, &st), 0);
	KT_EQ(st.size, strlen(big));
	KT_EQ(st.blocks, 2);
	KT_EQ(fsk_readlink(v.fs, l2, buf, sizeof(buf)), (int)strlen(big));
	KT_STREQ(buf, big);
	KT_EQ(fsk_readlink(v.fs, l1, buf, 4), 8);
	KT_STREQ(buf, "d/t");
	KT_EQ(fsk_readlink(v.fs, f, buf, sizeof(buf)), -EINVAL);
	KT_EQ(fsk_resolve(v.fs, "/s", true, &got), 0);
	KT_EQ(got, f);
	KT_EQ(fsk_resolve(v.fs, "/s", false, &got), 0);
	KT_EQ(got, l1);
	KT_EQ(fsk_resolve(v.fs, "l", true, &got), 0);
	KT_EQ(got, f);
	KT_EQ(fsk_resolve(v.fs, "/../d/./target", true, &got), 0);
	KT_EQ(got, f);
	KT_EQ(fsk_resolve(v.fs, "s/x", true, &got), -ENOTDIR);
	KT_EQ(fsk_symlink(v.fs, FSK_ROOT_INO, "loop", "loop", 0, 0, NULL), 0);
	KT_EQ(fsk_resolve(v.fs, "loop", true, &got), -ELOOP);
	memset(buf, 'x', 1024);
	buf[1024] = 0;
	KT_EQ(fsk_symlink(v.fs, FSK_ROOT_INO, "huge", buf, 0, 0, NULL), -ENAMETOOLONG);
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "l"), 0);
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "s"), 0);
	vol_close(&v);
}

static void mkdir_rmdir_and_link_counts(const void *arg)
{
	struct fsk_stat st;
	uint32_t a, b;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 10, VOL_SIZE));
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "a", 0750, 3, 4, &a), 0);
	KT_EQ(fsk_mkdir(v.fs, a, "b", 0755, 0, 0, &b), 0);
	KT_EQ(fsk_stat(v.fs, FSK_ROOT_INO, &st), 0);
	KT_EQ(st.nlink, 3);
	KT_EQ(fsk_stat(v.fs, a, &st), 0);
	KT_EQ(st.nlink, 3);
	KT_EQ(st.mode, FSK_S_IFDIR | 0750);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "a", 0755, 0, 0, NULL), -EEXIST);
	KT_EQ(fsk_rmdir(v.fs, FSK_ROOT_INO, "a"), -ENOTEMPTY);
	KT_EQ(fsk_rmdir(v.fs, a, "."), -EINVAL);
	KT_EQ(fsk_rmdir(v.fs, a, ".."), -EINVAL);
	KT_EQ(fsk_unlink(v.fs, FSK_ROOT_INO, "a"), -EISDIR);
	mkfile(&v, b, "f", "x");
	KT_EQ(fsk_rmdir(v.fs, b, "f"), -ENOTDIR);
	KT_EQ(fsk_unlink(v.fs, b, "f"), 0);
	KT_EQ(fsk_rmdir(v.fs, a, "b"), 0);
	KT_EQ(fsk_stat(v.fs, a, &st), 0);
	KT_EQ(st.nlink, 2);
	KT_EQ(fsk_rmdir(v.fs, FSK_ROOT_INO, "a"), 0);
	KT_EQ(fsk_stat(v.fs, FSK_ROOT_INO, &st), 0);
	KT_EQ(st.nlink, 2);
	/* A directory of many entries grows past one block and shrinks back. */
	char name[16];
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "many", 0755, 0, 0, &a), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "n%03d", i);
		mkfile(&v, a, name, NULL);
	}
	KT_EQ(fsk_stat(v.fs, a, &st), 0);
	KT_EQ(st.size, 7 * 1024);         /* 102 entries of 64 bytes */
	uint64_t pos = 0;
	struct fsk_dirinfo d;
	int seen = 0;
	while (fsk_readdir(v.fs, a, &pos, &d) == 1)
		seen++;
	KT_EQ(seen, 102);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "n%03d", i);
		KT_EQ(fsk_unlink(v.fs, a, name), 0);
	}
	KT_EQ(fsk_rmdir(v.fs, FSK_ROOT_INO, "many"), 0);
	vol_close(&v);
}

static void rename_every_case(const void *arg)
{
	struct fsk_stat st;
	uint32_t a, b, c, f, g, got, e;
	struct vol v;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 10, VOL_SIZE));
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "a", 0755, 0, 0, &a), 0);
	KT_EQ(fsk_mkdir(v.fs, a, "b", 0755, 0, 0, &b), 0);
	KT_EQ(fsk_mkdir(v.fs, FSK_ROOT_INO, "c", 0755, 0, 0, &c), 0);
	f = mkfile(&v, a, "f", "file f");
	g = mkfile(&v, c, "g", "file g");
	/* Within a directory. */
	KT_EQ(fsk_rename(v.fs, a, "f", a, "f2"), 0);
	KT_EQ(fsk_lookup(v.fs, a, "f", &got), -ENOENT);
	KT_EQ(fsk_lookup(v.fs, a, "f2", &got), 0);
	KT_EQ(got, f);
	/* Across directories, over an existing file: g's inode goes. */
	KT_EQ(fsk_rename(v.fs, a, "f2", c, "g"), 0);
	KT_EQ(fsk_lookup(v.fs, c, "g", &got), 0);
	KT_EQ(got, f);
	KT_CHECK(content_is(&v, f, "file f"));
	KT_EQ(fsk_stat(v.fs, g, &st), -EIO);
	KT_EQ(fsk_stat(v.fs, f, &st), 0);
	KT_EQ(st.nlink, 1);
	/* A directory across directories: "..", parents' counts. */
	KT_EQ(fsk_rename(v.fs, a, "b", c, "b2"), 0);
	KT_EQ(fsk_lookup(v.fs, b, "..", &got), 0);
	KT_EQ(got, c);
	KT_EQ(fsk_stat(v.fs, a, &st), 0);
	KT_EQ(st.nlink, 2);
	KT_EQ(fsk_stat(v.fs, c, &st), 0);
	KT_EQ(st.nlink, 3);
	KT_EQ(fsk_stat(v.fs, b, &st), 0);
	KT_EQ(st.nlink, 2);
	/* Into itself or below itself. */
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, "c", b, "x"), -EINVAL);
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, "c", c, "x"), -EINVAL);
	/* Kinds that may not replace each other. */
	KT_EQ(fsk_rename(v.fs, c, "g", FSK_ROOT_INO, "a"), -EISDIR);
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, "a", c, "g"), -ENOTDIR);
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, "a", FSK_ROOT_INO, "c"), -ENOTEMPTY);
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, "nope", FSK_ROOT_INO, "x"), -ENOENT);
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, ".", FSK_ROOT_INO, "x"), -EINVAL);
	/* A directory over an empty directory in another parent. */
	KT_EQ(fsk_mkdir(v.fs, a, "empty", 0755, 0, 0, &e), 0);
	KT_EQ(fsk_rename(v.fs, c, "b2", a, "empty"), 0);
	KT_EQ(fsk_stat(v.fs, e, &st), -EIO);
	KT_EQ(fsk_lookup(v.fs, a, "empty", &got), 0);
	KT_EQ(got, b);
	KT_EQ(fsk_stat(v.fs, a, &st), 0);
	KT_EQ(st.nlink, 3);
	KT_EQ(fsk_stat(v.fs, c, &st), 0);
	KT_EQ(st.nlink, 2);
	/* A directory over an empty directory in the same parent. */
	KT_EQ(fsk_mkdir(v.fs, a, "e2", 0755, 0, 0, &e), 0);
	KT_EQ(fsk_rename(v.fs, a, "empty", a, "e2"), 0);
	KT_EQ(fsk_stat(v.fs, a, &st), 0);
	KT_EQ(st.nlink, 3);
	/* Two names of one inode: nothing happens. */
	KT_EQ(fsk_link(v.fs, f, FSK_ROOT_INO, "f-again"), 0);
	KT_EQ(fsk_rename(v.fs, FSK_ROOT_INO, "f-again", c, "g"), 0);
	KT_EQ(fsk_lookup(v.fs, FSK_ROOT_INO, "f-again", &got), 0);
	KT_EQ(fsk_stat(v.fs, f, &st), 0);
	KT_EQ(st.nlink, 2);
	vol_close(&v);
}

static void setattr_and_times(const void *arg)
{
	struct fsk_attr at = { .mode = FSK_S_IFDIR | 04711, .uid = 42, .gid = 43,
			       .atime_ns = 123456789, .mtime_ns = -5 };
	struct fsk_stat st, st2;
	uint32_t ino;
	struct vol v;
	char c;

	(void)arg;
	KT_REQUIRE(vol_open(&v, 10, VOL_SIZE));
	ino = mkfile(&v, FSK_ROOT_INO, "f", "abc");
	KT_EQ(fsk_setattr(v.fs, ino, &at, FSK_ATTR_MODE | FSK_ATTR_UID | FSK_ATTR_GID |
			  FSK_ATTR_ATIME | FSK_ATTR_MTIME), 0);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.mode, FSK_S_IFREG | 04711);  /* the type stays */
	KT_EQ(st.uid, 42);
	KT_EQ(st.gid, 43);
	KT_EQ(st.atime_ns, 123456789);
	KT_EQ(st.mtime_ns, -5);
	KT_CHECK(st.ctime_ns > 1700000000000000000);
	/* A read marks the access only when the last one is older than a change. */
	KT_EQ(fsk_read(v.fs, ino, 0, &c, 1), 1);
	KT_EQ(fsk_stat(v.fs, ino, &st2), 0);
	KT_CHECK(st2.atime_ns > st.ctime_ns);
	KT_EQ(fsk_read(v.fs, ino, 0, &c, 1), 1);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_EQ(st.atime_ns, st2.atime_ns);
	/* A write moves mtime and ctime. */
	KT_EQ(fsk_write(v.fs, ino, 0, "z", 1), 1);
	KT_EQ(fsk_stat(v.fs, ino, &st), 0);
	KT_CHECK(st.mtime_ns > st2.atime_ns && st.ctime_ns == st.mtime_ns);
	vol_close(&v);
}

static void sample_tree_checks_clean(const void *arg)
{
	struct fsk_check_result res;
	struct walk_stats ws;
	struct ramdev r;
	struct fsk *fs;

	(void)arg;
	for (uint32_t log2 = 10; log2 <= 12; log2++) {
		ramdev_init(&r, 2u << 20);
		KT_EQ(fstree_sample(&r, log2), 0);
		KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_CLEAN);
		KT_EQ(res.found, 0);
		KT_EQ(res.dirs, 4);
		KT_EQ(res.files, 1 + 1 + 1 + 1 + 19);
		KT_EQ(res.symlinks, 2);
		KT_EQ(fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0), 0);
		fstree_walk(fs, &ws);
		KT_EQ(ws.errors, 0);
		KT_EQ(ws.dirs, 3);
		KT_EQ(ws.files, 1 + 1 + 1 + 1 + 1 + 19);  /* small is seen twice */
		KT_EQ(ws.links, 2);
		KT_EQ(fsk_unmount(fs), 0);
		ramdev_free(&r);
	}
}

static const struct kt_case cases[] = {
	{ "format_and_mount", format_and_mount, NULL },
	{ "mount_rejects_bad_superblocks", mount_rejects_bad_superblocks, NULL },
	{ "mount_marks_dirty_until_unmount", mount_marks_dirty_until_unmount, NULL },
	{ "files_write_read_and_persist", files_write_read_and_persist, NULL },
	{ "files_through_every_indirection", files_through_every_indirection, NULL },
	{ "truncate_shrinks_and_grows", truncate_shrinks_and_grows, NULL },
	{ "full_volume_reports_enospc", full_volume_reports_enospc, NULL },
	{ "hard_links_share_an_inode", hard_links_share_an_inode, NULL },
	{ "unlinked_open_file_is_kept_until_forgotten", unlinked_open_file_is_kept_until_forgotten,
	  NULL },
	{ "forget_frees_only_what_this_mount_unlinked", forget_frees_only_what_this_mount_unlinked,
	  NULL },
	{ "create_never_takes_a_live_inode", create_never_takes_a_live_inode, NULL },
	{ "directory_dots_are_slots_0_and_1", directory_dots_are_slots_0_and_1, NULL },
	{ "unlinked_open_file_after_a_cut_is_freed_by_fsck",
	  unlinked_open_file_after_a_cut_is_freed_by_fsck, NULL },
	{ "removed_open_directory_is_kept_until_forgotten",
	  removed_open_directory_is_kept_until_forgotten, NULL },
	{ "symlinks_inline_and_in_a_block", symlinks_inline_and_in_a_block, NULL },
	{ "mkdir_rmdir_and_link_counts", mkdir_rmdir_and_link_counts, NULL },
	{ "rename_every_case", rename_every_case, NULL },
	{ "setattr_and_times", setattr_and_times, NULL },
	{ "sample_tree_checks_clean", sample_tree_checks_clean, NULL },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
