/* mkfs-keel and fsck-keel: a host tree is copied into a volume (by the
 * populate code under ASan, and by the mkfs-keel program) and read back
 * byte for byte with every attribute; the programs' exit statuses on
 * clean, damaged and repaired images; a volume at an offset; a volume in
 * the partition of a GPT disk image. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "blkfile.h"
#include "fstree.h"
#include "gpt.h"
#include "ktap.h"
#include "populate.h"

static char tmp[64];              /* the test's scratch directory */
static char tree[96];             /* the host tree */

/* ---- the host tree --------------------------------------------------------------- */

static void write_file(const char *rel, uint32_t seed, size_t size, mode_t mode)
{
	char path[256];
	uint8_t *buf = malloc(size + 1);
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	for (size_t i = 0; i < size; i++)
		buf[i] = fstree_byte(seed, i);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	KT_CHECK(fd >= 0 && write(fd, buf, size) == (ssize_t)size);
	close(fd);
	chmod(path, mode);
	free(buf);
}

static void make_tree(void)
{
	static const size_t sizes[] = { 0, 1, 511, 1023, 1024, 1025, 4096, 12288, 70001, 300000 };
	char rel[64], path[256], target[300];
	int fd;

	snprintf(tree, sizeof(tree), "%s/tree", tmp);
	mkdir(tree, 0755);
	snprintf(path, sizeof(path), "%s/bin", tree);
	mkdir(path, 0750);
	snprintf(path, sizeof(path), "%s/bin/deep", tree);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/empty-dir", tree);
	mkdir(path, 0755);
	for (size_t i = 0; i < KT_COUNT(sizes); i++) {
		snprintf(rel, sizeof(rel), "%sf%zu", i % 3 == 1 ? "bin/" : i % 3 == 2 ? "bin/deep/" : "", i);
		write_file(rel, (uint32_t)i, sizes[i], i == 4 ? 04755 : i == 5 ? 0600 : 0644);
	}
	/* A sparse file: a hole of a megabyte, then bytes. */
	snprintf(path, sizeof(path), "%s/sparse", tree);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	KT_CHECK(fd >= 0 && pwrite(fd, "tail", 4, 1 << 20) == 4);
	close(fd);
	snprintf(path, sizeof(path), "%s/short-link", tree);
	KT_CHECK(symlink("bin/f1", path) == 0);
	memset(target, 'x', 200);
	target[200] = 0;
	snprintf(path, sizeof(path), "%s/long-link", tree);
	KT_CHECK(symlink(target, path) == 0);
	snprintf(path, sizeof(path), "%s/bin/f1", tree);
	snprintf(target, sizeof(target), "%s/hard", tree);
	KT_CHECK(link(path, target) == 0);
	snprintf(path, sizeof(path), "%s/fifo", tree);
	KT_CHECK(mkfifo(path, 0644) == 0);
}

/* ---- comparing ------------------------------------------------------------------- */

struct cmp {
	struct fsk *fs;
	bool root_owner;
	unsigned compared;
	uint32_t hard_ino;
};

static int64_t ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void same_bytes(struct cmp *c, const char *host, uint32_t ino, uint64_t size)
{
	uint8_t *a = malloc(size + 1), *b = malloc(size + 1);
	int fd = open(host, O_RDONLY);

	KT_CHECK(fd >= 0 && read(fd, a, size) == (ssize_t)size);
	close(fd);
	KT_EQ(fsk_read(c->fs, ino, 0, b, size), (int64_t)size);
	if (memcmp(a, b, size))
		kt_fail(__FILE__, __LINE__, "%s: bytes differ", host);
	free(a);
	free(b);
}

static void same_entry(struct cmp *c, const char *host, const char *rel, const struct stat *hs)
{
	struct fsk_stat st;
	char t1[FSK_PATH_MAX + 1], t2[FSK_PATH_MAX + 1];
	uint32_t ino;

	if (S_ISFIFO(hs->st_mode)) {
		KT_EQ(fsk_resolve(c->fs, rel, false, &ino), -ENOENT);   /* skipped */
		return;
	}
	if (fsk_resolve(c->fs, rel, false, &ino) || fsk_stat(c->fs, ino, &st)) {
		kt_fail(__FILE__, __LINE__, "%s missing", rel);
		return;
	}
	c->compared++;
	KT_EQ(st.mode & FSK_S_IFMT, hs->st_mode & S_IFMT);
	if (!S_ISLNK(hs->st_mode))
		KT_EQ(st.mode & FSK_S_PERM, hs->st_mode & 07777);
	KT_EQ(st.uid, c->root_owner ? 0 : hs->st_uid);
	KT_EQ(st.gid, c->root_owner ? 0 : hs->st_gid);
	KT_EQ(st.mtime_ns, ns(&hs->st_mtim));
	if (S_ISREG(hs->st_mode)) {
		KT_EQ(st.size, hs->st_size);
		KT_EQ(st.nlink, hs->st_nlink);
		same_bytes(c, host, ino, (uint64_t)hs->st_size);
		if (hs->st_nlink > 1) {
			if (c->hard_ino)
				KT_EQ(ino, c->hard_ino);
			c->hard_ino = ino;
		}
		if (hs->st_size == (1 << 20) + 4)   /* the sparse file kept its hole */
			KT_CHECK(st.blocks * 512 <= 3u * fsk_geom(c->fs)->block_size);
	} else if (S_ISLNK(hs->st_mode)) {
		ssize_t n = readlink(host, t1, sizeof(t1) - 1);
		t1[n < 0 ? 0 : n] = 0;
		KT_EQ(fsk_readlink(c->fs, ino, t2, sizeof(t2)), (int)n);
		KT_STREQ(t2, t1);
	}
}

static void same_tree(struct cmp *c, const char *host, const char *rel)
{
	char hp[512], rp[512];
	struct dirent *e;
	struct stat hs;
	DIR *d = opendir(host);

	KT_REQUIRE(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(hp, sizeof(hp), "%s/%s", host, e->d_name);
		snprintf(rp, sizeof(rp), "%s/%s", rel, e->d_name);
		KT_CHECK(lstat(hp, &hs) == 0);
		same_entry(c, hp, rp, &hs);
		if (S_ISDIR(hs.st_mode))
			same_tree(c, hp, rp);
	}
	closedir(d);
}

/* ---- cases ---------------------------------------------------------------------- */

static void populate_copies_the_tree(const void *arg)
{
	struct populate_opts po = { .root_owner = false };
	struct populate_stats ps;
	struct fsk_check_result res;
	struct ramdev r;
	struct cmp c = { 0 };
	char why[300];

	(void)arg;
	for (uint32_t log2 = 10; log2 <= 12; log2 += 2) {
		struct fsk_format_opts fo = { .block_log2 = log2 };
		ramdev_init(&r, 8u << 20);
		KT_REQUIRE(fsk_format(&r.dev, &fo) == 0);
		KT_REQUIRE(fsk_mount(&r.dev, 0, &c.fs, NULL, 0) == 0);
		po.root_owner = log2 == 12;
		c.root_owner = po.root_owner;
		c.hard_ino = 0;
		c.compared = 0;
		KT_EQ(populate(c.fs, FSK_ROOT_INO, tree, &po, &ps, why, sizeof(why)), 0);
		KT_EQ(ps.files, 11);
		KT_EQ(ps.dirs, 3);
		KT_EQ(ps.symlinks, 2);
		KT_EQ(ps.hardlinks, 1);
		KT_EQ(ps.skipped, 1);
		same_tree(&c, tree, "");
		KT_EQ(c.compared, 17);
		KT_EQ(fsk_unmount(c.fs), 0);
		KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_CLEAN);
		KT_EQ(res.files, 11);
		ramdev_free(&r);
	}
}

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;
	size_t n;

	va_start(ap, fmt);
	n = (size_t)vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - n, " >>%s/log 2>&1", tmp);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Flips bit `bit` of byte off of the image file. */
static void flip(const char *img, uint64_t off, int bit)
{
	uint8_t b;
	int fd = open(img, O_RDWR);

	KT_CHECK(fd >= 0 && pread(fd, &b, 1, (off_t)off) == 1);
	b ^= (uint8_t)(1u << bit);
	KT_CHECK(pwrite(fd, &b, 1, (off_t)off) == 1);
	close(fd);
}

static void programs_make_check_and_repair(const void *arg)
{
	struct cmp c = { .root_owner = true };
	struct fsk_geometry g;
	struct blkfile bf;
	char img[128];

	(void)arg;
	snprintf(img, sizeof(img), "%s/vol.img", tmp);
	KT_EQ(run("%s/mkfs-keel -b 1024 -r -L test -d %s %s 8M", HOST_BIN, tree, img), 0);
	KT_EQ(run("%s/fsck-keel %s", HOST_BIN, img), FSK_CHECK_CLEAN);
	KT_REQUIRE(blkfile_open(&bf, img, 0, 0, BLKFILE_RDONLY) == 0);
	KT_EQ(bf.dev.size_bytes, 8u << 20);
	KT_REQUIRE(fsk_mount(&bf.dev, FSK_MOUNT_RDONLY, &c.fs, NULL, 0) == 0);
	same_tree(&c, tree, "");
	KT_EQ(c.compared, 17);
	g = *fsk_geom(c.fs);
	KT_EQ(fsk_unmount(c.fs), 0);
	blkfile_close(&bf);
	/* A leaked block in the bitmap: found (4), repaired (1), then clean (0). */
	flip(img, ((uint64_t)g.bbitmap_start << 10) + (g.backup - 5) / 8, (int)((g.backup - 5) % 8));
	KT_EQ(run("%s/fsck-keel %s", HOST_BIN, img), FSK_CHECK_UNFIXED);
	KT_EQ(run("%s/fsck-keel -y %s", HOST_BIN, img), FSK_CHECK_FIXED);
	KT_EQ(run("%s/fsck-keel -n %s", HOST_BIN, img), FSK_CHECK_CLEAN);
	/* Beyond repair: both superblocks gone. */
	flip(img, 0, 0);
	flip(img, (8u << 20) - 1024, 0);
	KT_EQ(run("%s/fsck-keel -y %s", HOST_BIN, img), FSK_CHECK_UNFIXED);
	/* Usage and a missing image. */
	KT_EQ(run("%s/fsck-keel -q %s", HOST_BIN, img), FSK_CHECK_FAILED);
	KT_EQ(run("%s/fsck-keel %s/none.img", HOST_BIN, tmp), FSK_CHECK_FAILED);
	KT_EQ(run("%s/mkfs-keel %s 10Q", HOST_BIN, img), 1);
	KT_EQ(run("%s/mkfs-keel %s 8K", HOST_BIN, img), 1);       /* too small */
}

/* -O gives one copied path its owner over -r's 0:0; a path the tree does
 * not hold, or a malformed -O, fails the run. */
static void mkfs_sets_an_owner_per_path(const void *arg)
{
	struct fsk_stat st;
	struct blkfile bf;
	struct fsk *fs;
	uint32_t ino;
	char img[128];

	(void)arg;
	snprintf(img, sizeof(img), "%s/owners.img", tmp);
	KT_EQ(run("%s/mkfs-keel -r -O bin/deep=1000:1001 -O empty-dir=7:8 -d %s %s 8M", HOST_BIN,
		  tree, img), 0);
	KT_REQUIRE(blkfile_open(&bf, img, 0, 0, BLKFILE_RDONLY) == 0);
	KT_REQUIRE(fsk_mount(&bf.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0) == 0);
	KT_EQ(fsk_resolve(fs, "bin/deep", false, &ino), 0);
	KT_EQ(fsk_stat(fs, ino, &st), 0);
	KT_CHECK(st.uid == 1000 && st.gid == 1001);
	KT_EQ(fsk_resolve(fs, "empty-dir", false, &ino), 0);
	KT_EQ(fsk_stat(fs, ino, &st), 0);
	KT_CHECK(st.uid == 7 && st.gid == 8);
	KT_EQ(fsk_resolve(fs, "bin/deep/f2", false, &ino), 0);      /* below it: -r's */
	KT_EQ(fsk_stat(fs, ino, &st), 0);
	KT_CHECK(st.uid == 0 && st.gid == 0);
	KT_EQ(fsk_unmount(fs), 0);
	blkfile_close(&bf);
	KT_EQ(run("%s/mkfs-keel -r -O none=1:1 -d %s %s 8M", HOST_BIN, tree, img), 1);
	KT_EQ(run("%s/mkfs-keel -r -O bin=1 -d %s %s 8M", HOST_BIN, tree, img), 1);
	KT_EQ(run("%s/mkfs-keel -O bin=1:1 %s 8M", HOST_BIN, img), 1);  /* no -d */
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The figures of a 1 GiB volume (a sparse image file): mkfs-keel's and
 * fsck-keel's time on this host and what the volume's metadata takes; the
 * volume checks clean with the geometry of 1 GiB of 4 KiB blocks. */
static void mkfs_and_fsck_of_a_1_GiB_volume(const void *arg)
{
	struct timespec t0;
	struct blkfile bf;
	struct fsk *fs;
	char img[128];
	double mkfs_ms, fsck_ms;
	struct stat st;

	(void)arg;
	snprintf(img, sizeof(img), "%s/big.img", tmp);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	KT_EQ(run("%s/mkfs-keel %s 1G", HOST_BIN, img), 0);
	mkfs_ms = ms_since(&t0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	KT_EQ(run("%s/fsck-keel -n %s", HOST_BIN, img), FSK_CHECK_CLEAN);
	fsck_ms = ms_since(&t0);
	KT_REQUIRE(stat(img, &st) == 0);
	KT_EQ(st.st_size, 1ll << 30);
	KT_REQUIRE(blkfile_open(&bf, img, 0, 0, BLKFILE_RDONLY) == 0);
	KT_REQUIRE(fsk_mount(&bf.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0) == 0);
	const struct fsk_geometry *g = fsk_geom(fs);
	KT_EQ(g->block_size, 4096u);
	KT_EQ(g->blocks, (1u << 30) / 4096u);
	printf("# 1 GiB volume: mkfs-keel %.1f ms, fsck-keel %.1f ms (this host, the programs "
	       "whole); %u inodes, metadata %u blocks (%.1f MiB) before the data\n", mkfs_ms,
	       fsck_ms, g->inodes, g->data_start, g->data_start * 4096.0 / (1 << 20));
	KT_EQ(fsk_unmount(fs), 0);
	blkfile_close(&bf);
	unlink(img);
}

static void mkfs_refuses_long_names(const void *arg)
{
	char dir[128], path[256], img[128];

	(void)arg;
	snprintf(dir, sizeof(dir), "%s/longname", tmp);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/%0*d", dir, 59, 7);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	snprintf(img, sizeof(img), "%s/long.img", tmp);
	KT_EQ(run("%s/mkfs-keel -d %s %s 1M", HOST_BIN, dir, img), 1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%0*d", dir, 58, 7);
	close(open(path, O_WRONLY | O_CREAT, 0644));
	KT_EQ(run("%s/mkfs-keel -d %s %s 1M", HOST_BIN, dir, img), 0);
	KT_EQ(run("%s/fsck-keel %s", HOST_BIN, img), FSK_CHECK_CLEAN);
}

static void volume_at_an_offset(const void *arg)
{
	char img[128];
	struct stat st;

	(void)arg;
	snprintf(img, sizeof(img), "%s/off.img", tmp);
	KT_EQ(run("%s/mkfs-keel -o 1M -d %s %s 4M", HOST_BIN, tree, img), 0);
	KT_CHECK(stat(img, &st) == 0 && st.st_size == 5 << 20);
	KT_EQ(run("%s/fsck-keel -o 1M %s", HOST_BIN, img), FSK_CHECK_CLEAN);
	KT_EQ(run("%s/fsck-keel -o 1M -s 4M %s", HOST_BIN, img), FSK_CHECK_CLEAN);
	KT_EQ(run("%s/fsck-keel %s", HOST_BIN, img), FSK_CHECK_UNFIXED);  /* nothing at 0 */
}

struct filedisk {
	int fd;
};

static int fd_read(void *ctx, uint64_t lba, uint32_t count, void *buf)
{
	struct filedisk *d = ctx;

	return pread(d->fd, buf, count * 512u, (off_t)(lba * 512)) == (ssize_t)(count * 512u) ? 0 : -1;
}

static int fd_write(void *ctx, uint64_t lba, uint32_t count, const void *buf)
{
	struct filedisk *d = ctx;

	return pwrite(d->fd, buf, count * 512u, (off_t)(lba * 512)) == (ssize_t)(count * 512u) ? 0 : -1;
}

/* The shape of build/os/disk.img: a GPT with one fs-keel partition. */
static void gpt_disk_with_a_volume(const void *arg)
{
	static const uint8_t guid[16] = { 0x4b, 0x65, 0x65, 0x6c };
	uint64_t lbas = (16u << 20) / 512, first, last;
	struct gpt_part part = { 0 };
	struct gpt_disk *g = malloc(sizeof(*g));
	struct filedisk d;
	char img[128];

	(void)arg;
	snprintf(img, sizeof(img), "%s/disk.img", tmp);
	d.fd = open(img, O_RDWR | O_CREAT | O_TRUNC, 0644);
	KT_REQUIRE(d.fd >= 0 && ftruncate(d.fd, (off_t)lbas * 512) == 0);
	gpt_usable(512, lbas, &first, &last);
	first = (first + 2047) / 2048 * 2048;     /* 1 MiB aligned */
	memcpy(part.type, gpt_type_fskeel, 16);
	part.uuid[0] = 1;
	part.first_lba = first;
	part.last_lba = last;
	KT_EQ(gpt_write(fd_write, &d, 512, lbas, guid, &part, 1), 0);
	KT_EQ(run("%s/mkfs-keel -o %llu -d %s %s %llu", HOST_BIN, (unsigned long long)first * 512,
		  tree, img, (unsigned long long)(last - first + 1) * 512), 0);
	KT_EQ(gpt_read(fd_read, &d, 512, lbas, g), 0);
	KT_EQ(g->nparts, 1);
	KT_CHECK(!g->used_backup && !g->backup_bad);
	KT_EQ(g->parts[0].first_lba, first);
	KT_EQ(run("%s/fsck-keel -o %llu -s %llu %s", HOST_BIN, (unsigned long long)first * 512,
		  (unsigned long long)(last - first + 1) * 512, img), FSK_CHECK_CLEAN);
	close(d.fd);
	free(g);
}

int main(void)
{
	static const struct kt_case cases[] = {
		{ "populate_copies_the_tree", populate_copies_the_tree, NULL },
		{ "programs_make_check_and_repair", programs_make_check_and_repair, NULL },
		{ "mkfs_sets_an_owner_per_path", mkfs_sets_an_owner_per_path, NULL },
		{ "mkfs_refuses_long_names", mkfs_refuses_long_names, NULL },
		{ "mkfs_and_fsck_of_a_1_GiB_volume", mkfs_and_fsck_of_a_1_GiB_volume, NULL },
		{ "volume_at_an_offset", volume_at_an_offset, NULL },
		{ "gpt_disk_with_a_volume", gpt_disk_with_a_volume, NULL },
	};
	char cmd[128];
	int st;

	snprintf(tmp, sizeof(tmp), "/tmp/fskeel-tools-XXXXXX");
	if (!mkdtemp(tmp)) {
		printf("# cannot make a scratch directory\n");
		return 1;
	}
	make_tree();
	st = kt_run(cases, KT_COUNT(cases));
	if (st) {
		snprintf(cmd, sizeof(cmd), "sed 's/^/# /' %s/log", tmp);
		if (system(cmd) != 0)
			printf("# no log\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
	return system(cmd) == 0 ? st : 1;
}
