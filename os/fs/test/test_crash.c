/* Power cuts at every instant of a workload.  The workload (creates, writes
 * through indirect blocks, renames across directories and over existing
 * names, a directory move, unlink, rmdir, truncate, appends) runs once to
 * count its device writes and note where each fsync returned; then, for
 * every k, it runs again on a device that keeps only its first k writes
 * (and, in a second round, half of write k + 1 as well, a torn write).
 * After each cut: fsck -y must say clean or repaired, a second fsck must be
 * clean, and everything fsync'd before the cut must be there byte for byte
 * (for a rename cut short, under its old name or its new one). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fstree.h"
#include "ktap.h"

#define IMG_SIZE (1u << 20)

enum mark {
	M_KEEP1, M_KEEP2, M_R1, M_R1_MOVED, M_X, M_D2_MOVED, M_OVER, M_OVER_DONE,
	M_GROW0, M_GROW_LAST = M_GROW0 + 9, M_END, M_COUNT
};

#define GROW_PIECE 4096u

/* Device write counts at which each fsync returned. */
static uint64_t marks[M_COUNT];
static bool recording;
static uint8_t *base_img;

static int put(struct fsk *fs, const char *dir, const char *name, uint32_t seed, uint32_t len)
{
	uint8_t *buf = malloc(len);
	uint32_t d, ino;
	int err = fsk_resolve(fs, dir, true, &d);

	for (uint32_t i = 0; i < len; i++)
		buf[i] = fstree_byte(seed, i);
	if (!err)
		err = fsk_create(fs, d, name, 0644, 0, 0, &ino);
	if (!err && fsk_write(fs, ino, 0, buf, len) != (int64_t)len)
		err = -1;
	free(buf);
	return err;
}

static uint32_t at(struct fsk *fs, const char *path)
{
	uint32_t ino = 0;

	fsk_resolve(fs, path, false, &ino);
	return ino;
}

static void mark(struct fsk *fs, struct ramdev *r, enum mark m)
{
	fsk_fsync(fs, 0);
	if (recording)
		marks[m] = r->writes;
}

/* Runs the workload; every result is ignored (after the cut they are
 * meaningless) except through the marks. */
static void workload(struct fsk *fs, struct ramdev *r)
{
	uint8_t piece[GROW_PIECE];
	uint32_t g;

	put(fs, "/", "keep1", 1, 3000);
	mark(fs, r, M_KEEP1);
	fsk_mkdir(fs, FSK_ROOT_INO, "d1", 0755, 0, 0, NULL);
	put(fs, "/d1", "keep2", 2, 70000);
	mark(fs, r, M_KEEP2);
	put(fs, "/", "r1", 3, 500);
	mark(fs, r, M_R1);
	fsk_rename(fs, FSK_ROOT_INO, "r1", at(fs, "/d1"), "r1b");
	mark(fs, r, M_R1_MOVED);
	fsk_mkdir(fs, FSK_ROOT_INO, "d2", 0755, 0, 0, NULL);
	put(fs, "/d2", "x", 4, 1500);
	mark(fs, r, M_X);
	fsk_rename(fs, FSK_ROOT_INO, "d2", at(fs, "/a"), "d2m");
	mark(fs, r, M_D2_MOVED);
	put(fs, "/", "over", 5, 2100);
	put(fs, "/", "src", 6, 900);
	mark(fs, r, M_OVER);
	fsk_rename(fs, FSK_ROOT_INO, "src", FSK_ROOT_INO, "over");
	mark(fs, r, M_OVER_DONE);
	fsk_unlink(fs, at(fs, "/c"), "many-05");
	fsk_truncate(fs, at(fs, "/c/sparse"), 100);
	fsk_mkdir(fs, FSK_ROOT_INO, "e", 0755, 0, 0, NULL);
	fsk_rmdir(fs, FSK_ROOT_INO, "e");
	fsk_create(fs, FSK_ROOT_INO, "grow", 0644, 0, 0, &g);
	for (uint32_t i = 0; i <= M_GROW_LAST - M_GROW0; i++) {
		for (uint32_t k = 0; k < GROW_PIECE; k++)
			piece[k] = fstree_byte(7, i * GROW_PIECE + k);
		fsk_write(fs, g, (uint64_t)i * GROW_PIECE, piece, GROW_PIECE);
		mark(fs, r, (enum mark)(M_GROW0 + i));
	}
	fsk_unlink(fs, at(fs, "/c"), "many-06");
	mark(fs, r, M_END);
}

/* Whether path holds exactly len bytes of pattern seed (or, with at_least,
 * at least len bytes of which the first len match). */
static bool holds(struct fsk *fs, const char *path, uint32_t seed, uint32_t len, bool at_least)
{
	struct fsk_stat st;
	uint8_t *buf;
	uint32_t ino = at(fs, path);
	bool ok;

	if (!ino || fsk_stat(fs, ino, &st) || st.size < len || (!at_least && st.size != len))
		return false;
	buf = malloc(len + 1);
	ok = fsk_read(fs, ino, 0, buf, len) == (int64_t)len;
	for (uint32_t i = 0; ok && i < len; i++)
		ok = buf[i] == fstree_byte(seed, i);
	free(buf);
	return ok;
}

/* What fsync promised by the time of the cut after write k. */
static bool promises_kept(struct fsk *fs, uint64_t k, char *what, size_t len)
{
#define DONE(m) (marks[m] <= k)
#define WANT(cond, msg) do { if (!(cond)) { snprintf(what, len, "%s", msg); return false; } } while (0)
	if (DONE(M_KEEP1))
		WANT(holds(fs, "/keep1", 1, 3000, false), "keep1");
	if (DONE(M_KEEP2))
		WANT(holds(fs, "/d1/keep2", 2, 70000, false), "d1/keep2");
	if (DONE(M_R1_MOVED))
		WANT(holds(fs, "/d1/r1b", 3, 500, false) && !at(fs, "/r1"), "r1 moved");
	else if (DONE(M_R1))
		WANT(holds(fs, "/r1", 3, 500, false) || holds(fs, "/d1/r1b", 3, 500, false), "r1 lost");
	if (DONE(M_D2_MOVED))
		WANT(holds(fs, "/a/d2m/x", 4, 1500, false) && !at(fs, "/d2"), "d2 moved");
	else if (DONE(M_X))
		WANT(holds(fs, "/d2/x", 4, 1500, false) || holds(fs, "/a/d2m/x", 4, 1500, false),
		     "d2/x lost");
	if (DONE(M_OVER_DONE))
		WANT(holds(fs, "/over", 6, 900, false) && !at(fs, "/src"), "rename over");
	else if (DONE(M_OVER))
		WANT(holds(fs, "/over", 6, 900, false) ||
		     (holds(fs, "/over", 5, 2100, false) && holds(fs, "/src", 6, 900, false)),
		     "rename over lost a file");
	for (int i = M_GROW_LAST; i >= M_GROW0; i--)
		if (DONE(i)) {
			WANT(holds(fs, "/grow", 7, (uint32_t)(i - M_GROW0 + 1) * GROW_PIECE, true), "grow");
			break;
		}
	return true;
#undef WANT
#undef DONE
}

/* Runs the workload cut after write k; returns false with a reason. */
static bool cut_at(uint64_t k, bool torn, char *what, size_t len)
{
	struct fsk_check_result res;
	struct ramdev r;
	struct fsk *fs;
	int st;
	bool ok = false;

	ramdev_from(&r, base_img, IMG_SIZE);
	r.cut_after = k;
	r.torn = torn;
	if (fsk_mount(&r.dev, 0, &fs, NULL, 0)) {
		snprintf(what, len, "mount before the workload");
		goto out;
	}
	workload(fs, &r);
	fsk_unmount(fs);
	r.cut_after = UINT64_MAX;
	st = fstree_check(&r, true, &res);
	if (st != FSK_CHECK_CLEAN && st != FSK_CHECK_FIXED) {
		snprintf(what, len, "fsck -y status %d", st);
		goto out;
	}
	if ((st = fstree_check(&r, false, &res)) != FSK_CHECK_CLEAN) {
		snprintf(what, len, "second fsck status %d", st);
		goto out;
	}
	if (fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, what, len))
		goto out;
	ok = promises_kept(fs, k, what, len);
	fsk_unmount(fs);
out:
	ramdev_free(&r);
	return ok;
}

static void every_cut(const void *arg)
{
	bool torn = arg != NULL;
	uint64_t total, failed = 0;
	char what[FSK_REASON_MAX];

	fstree_quiet = true;
	total = marks[M_END];
	KT_CHECK(total > 300);
	for (uint64_t k = 0; k <= total; k++) {
		if (cut_at(k, torn, what, sizeof(what)))
			continue;
		if (failed++ < 5)
			kt_fail(__FILE__, __LINE__, "cut after write %llu of %llu: %s",
				(unsigned long long)k, (unsigned long long)total, what);
	}
	printf("# %llu cuts%s, %llu failed\n", (unsigned long long)total + 1,
	       torn ? " with a torn write" : "", (unsigned long long)failed);
}

/* The uncut run: every promise holds at the end, and fsck finds nothing. */
static void uncut_run_is_clean(const void *arg)
{
	struct fsk_check_result res;
	struct ramdev r;
	struct fsk *fs;
	char what[FSK_REASON_MAX] = "";

	(void)arg;
	ramdev_from(&r, base_img, IMG_SIZE);
	KT_REQUIRE(fsk_mount(&r.dev, 0, &fs, NULL, 0) == 0);
	recording = true;
	workload(fs, &r);
	recording = false;
	KT_EQ(fsk_unmount(fs), 0);
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_CLEAN);
	KT_EQ(fsk_mount(&r.dev, FSK_MOUNT_RDONLY, &fs, NULL, 0), 0);
	if (!promises_kept(fs, UINT64_MAX, what, sizeof(what)))
		kt_fail(__FILE__, __LINE__, "%s", what);
	KT_EQ(fsk_unmount(fs), 0);
	for (int m = 1; m < M_COUNT; m++)
		KT_CHECK(marks[m] > marks[m - 1]);
	ramdev_free(&r);
}

int main(void)
{
	static const struct kt_case cases[] = {
		{ "uncut_run_is_clean", uncut_run_is_clean, NULL },
		{ "every_cut_is_repaired_and_keeps_fsynced_files", every_cut, NULL },
		{ "every_torn_cut_is_repaired_and_keeps_fsynced_files", every_cut, "torn" },
	};
	struct ramdev r;
	int st;

	ramdev_init(&r, IMG_SIZE);
	if (fstree_sample(&r, 10)) {
		printf("# cannot make the sample volume\n");
		return 1;
	}
	base_img = r.mem;
	st = kt_run(cases, KT_COUNT(cases));
	ramdev_free(&r);
	return st;
}
