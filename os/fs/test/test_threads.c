/* The fs-keel core under threads (fsk_impl.h's locks): workers change
 * files of their own and names in a directory they share while a walker
 * reads every directory and resolves paths, all on one mounted volume.
 * Each worker keeps a model of its files and checks every read against
 * it; at the end every file is checked once more, the volume unmounts and
 * fsk_check must find nothing.  Built twice by make: under ASan/UBSan as
 * every host test, and under ThreadSanitizer (test_threads_tsan), which
 * fails on any data race the locks leave. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fstree.h"
#include "ktap.h"

#define WORKERS   4
#define FILES     6               /* per worker, in its own directory */
#define MAX_FILE  (320u << 10)    /* 1 KiB blocks: into the double indirect ones */
#define VOL_SIZE  (24u << 20)

struct file_model {
	bool exists;
	uint32_t ino;
	uint64_t size;
	uint8_t *data;              /* MAX_FILE bytes; [size, MAX_FILE) zero */
};

/* A sparse file every worker writes: slot s (SLOT bytes at s * STRIDE) is
 * worker s % WORKERS's, so the workers share its inode and its indirect
 * blocks but no byte; slots far apart keep new blocks coming (and the
 * inode's pointers and size changing) for the whole run. */
#define SLOT        1000u
#define STRIDE      (37u << 10)
#define SLOTS_EACH  400u
#define SLOTS       (SLOTS_EACH * WORKERS)

struct worker {
	pthread_t t;
	struct fsk *fs;
	int id;
	uint32_t dir, shared, common;
	uint8_t *mine;              /* the common file's slots as this worker wrote its own */
	uint64_t rng;
	unsigned ops;
	struct file_model f[FILES];
	char name[FILES][24];       /* each file's current name (renames change it) */
	unsigned renames, shared_names;
	char bad[200];              /* the first thing that did not hold */
};

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

#define FAIL(w, ...) do { \
	if (!(w)->bad[0]) \
		snprintf((w)->bad, sizeof (w)->bad, __VA_ARGS__); \
} while (0)

/* Reads file k whole and compares it with its model. */
static void verify(struct worker *w, int k, uint8_t *buf)
{
	struct file_model *m = &w->f[k];
	struct fsk_stat st;

	int64_t n = fsk_read(w->fs, m->ino, 0, buf, MAX_FILE + 1);
	if (n != (int64_t)m->size) {
		FAIL(w, "w%d %s: read %lld bytes, want %llu", w->id, w->name[k], (long long)n,
		     (unsigned long long)m->size);
		return;
	}
	if (memcmp(buf, m->data, m->size)) {
		uint64_t at = 0;
		while (buf[at] == m->data[at])
			at++;
		FAIL(w, "w%d %s: differs at %llu: read %#x, want %#x", w->id, w->name[k],
		     (unsigned long long)at, buf[at], m->data[at]);
	}
	if (fsk_stat(w->fs, m->ino, &st) || st.size != m->size || st.nlink != 1)
		FAIL(w, "w%d %s: stat says size %llu nlink %u", w->id, w->name[k],
		     (unsigned long long)st.size, st.nlink);
	uint32_t ino = 0;
	if (fsk_lookup(w->fs, w->dir, w->name[k], &ino) || ino != m->ino)
		FAIL(w, "w%d %s: lookup gives inode %u, want %u", w->id, w->name[k], ino, m->ino);
}

static void op_write(struct worker *w, int k, uint8_t *buf)
{
	struct file_model *m = &w->f[k];

	if (!m->exists) {
		int err = fsk_create(w->fs, w->dir, w->name[k], 0644, 1000, 100, &m->ino);
		if (err) {
			FAIL(w, "w%d create %s: %d", w->id, w->name[k], err);
			return;
		}
		m->exists = true;
		m->size = 0;
	}
	uint64_t off = next(&w->rng) % (m->size + 5000 < MAX_FILE ? m->size + 5000 : MAX_FILE);
	uint64_t len = 1 + next(&w->rng) % 9000;
	if (off + len > MAX_FILE)
		len = MAX_FILE - off;
	for (uint64_t i = 0; i < len; i++)
		buf[i] = (uint8_t)next(&w->rng);
	int64_t n = fsk_write(w->fs, m->ino, off, buf, len);
	if (n != (int64_t)len) {
		FAIL(w, "w%d write %s at %llu: %lld", w->id, w->name[k], (unsigned long long)off,
		     (long long)n);
		return;
	}
	memcpy(m->data + off, buf, len);
	if (off + len > m->size)
		m->size = off + len;
}

static void op_truncate(struct worker *w, int k)
{
	struct file_model *m = &w->f[k];
	uint64_t size = next(&w->rng) % (MAX_FILE / 2);

	if (!m->exists)
		return;
	int err = fsk_truncate(w->fs, m->ino, size);
	if (err) {
		FAIL(w, "w%d truncate %s: %d", w->id, w->name[k], err);
		return;
	}
	if (size < m->size)
		memset(m->data + size, 0, m->size - size);
	m->size = size;
}

static void op_unlink(struct worker *w, int k)
{
	struct file_model *m = &w->f[k];

	if (!m->exists)
		return;
	int err = fsk_unlink(w->fs, w->dir, w->name[k]);
	if (err) {
		FAIL(w, "w%d unlink %s: %d", w->id, w->name[k], err);
		return;
	}
	m->exists = false;
	memset(m->data, 0, m->size);
	m->size = 0;
}

static void op_rename(struct worker *w, int k)
{
	char to[24];

	if (!w->f[k].exists)
		return;
	snprintf(to, sizeof to, "f%d.%u", k, ++w->renames);
	int err = fsk_rename(w->fs, w->dir, w->name[k], w->dir, to);
	if (err) {
		FAIL(w, "w%d rename %s -> %s: %d", w->id, w->name[k], to, err);
		return;
	}
	memcpy(w->name[k], to, sizeof to);
}

/* One of its slots of the common file: written, or read back and checked. */
static void op_common(struct worker *w, uint8_t *buf)
{
	uint64_t s = (next(&w->rng) % SLOTS_EACH) * WORKERS + (uint64_t)w->id;
	uint64_t off = s * STRIDE;

	if (next(&w->rng) & 1) {
		for (unsigned i = 0; i < SLOT; i++)
			buf[i] = (uint8_t)next(&w->rng);
		int64_t n = fsk_write(w->fs, w->common, off, buf, SLOT);
		if (n != SLOT)
			FAIL(w, "w%d common write at %llu: %lld", w->id, (unsigned long long)off,
			     (long long)n);
		else
			memcpy(w->mine + s * SLOT, buf, SLOT);
		return;
	}
	int64_t n = fsk_read(w->fs, w->common, off, buf, SLOT);
	if (n < 0) {
		FAIL(w, "w%d common read at %llu: %lld", w->id, (unsigned long long)off, (long long)n);
		return;
	}
	memset(buf + n, 0, SLOT - (size_t)n);   /* past the end reads as the zeros never written */
	for (unsigned i = 0; i < SLOT; i++)
		if (buf[i] != w->mine[s * SLOT + i]) {
			FAIL(w, "w%d common slot %llu differs at byte %u: read %#x, want %#x", w->id,
			     (unsigned long long)s, i, buf[i], w->mine[s * SLOT + i]);
			return;
		}
}

/* A name of its own in the shared directory: made, found, removed. */
static void op_shared(struct worker *w)
{
	char name[24];
	uint32_t ino, found = 0;

	snprintf(name, sizeof name, "w%d-%u", w->id, ++w->shared_names);
	int err = fsk_create(w->fs, w->shared, name, 0600, 1, 1, &ino);
	if (!err)
		err = fsk_lookup(w->fs, w->shared, name, &found);
	if (!err && found != ino)
		err = -EIO;
	if (!err)
		err = fsk_unlink(w->fs, w->shared, name);
	if (err)
		FAIL(w, "w%d shared name %s: %d", w->id, name, err);
}

static pthread_barrier_t start;        /* the workers and the walker go together */

static void *work(void *arg)
{
	struct worker *w = arg;
	uint8_t *buf = malloc(MAX_FILE + 1);

	pthread_barrier_wait(&start);
	for (unsigned i = 0; buf && i < w->ops && !w->bad[0]; i++) {
		int k = (int)(next(&w->rng) % FILES);
		unsigned what = (unsigned)(next(&w->rng) % 100);
		if (what < 30)
			op_write(w, k, buf);
		else if (what < 50) {
			if (w->f[k].exists)
				verify(w, k, buf);
		} else if (what < 55)
			op_truncate(w, k);
		else if (what < 59)
			op_unlink(w, k);
		else if (what < 63)
			op_rename(w, k);
		else if (what < 68)
			op_shared(w);
		else
			op_common(w, buf);
	}
	free(buf);
	return NULL;
}

/* The walker: every directory listed and every name looked up again, paths
 * resolved, statvfs read, until told to stop.  A name may go between the
 * listing and the lookup (ENOENT); nothing else may fail. */
struct walker {
	pthread_t t;
	struct fsk *fs;
	volatile int stop;
	unsigned rounds, entries;
	char bad[200];
};

static void walk_dir(struct walker *wk, uint32_t dir)
{
	struct fsk_dirinfo d;
	uint64_t pos = 0;
	int r;

	while ((r = fsk_readdir(wk->fs, dir, &pos, &d)) == 1) {
		uint32_t ino;
		struct fsk_stat st;
		wk->entries++;
		int err = fsk_lookup(wk->fs, dir, d.name, &ino);
		if (err == -ENOENT || (!err && ino != d.ino))
			continue;                       /* gone or renamed over meanwhile */
		if (!err && fsk_stat(wk->fs, ino, &st)) {
			/* the inode may have gone since the lookup, its name with it */
			uint32_t again;
			err = fsk_lookup(wk->fs, dir, d.name, &again);
			if (!err && again == ino)
				err = fsk_stat(wk->fs, ino, &st);
			else
				err = 0;
		}
		if (err && err != -ENOENT && !wk->bad[0])
			snprintf(wk->bad, sizeof wk->bad, "lookup/stat of %s: %d", d.name, err);
	}
	if (r < 0 && !wk->bad[0])
		snprintf(wk->bad, sizeof wk->bad, "readdir of %u: %d", dir, r);
}

static void *walk(void *arg)
{
	struct walker *wk = arg;
	struct fsk_statvfs sv;
	char path[24];

	pthread_barrier_wait(&start);
	while (!__atomic_load_n(&wk->stop, __ATOMIC_ACQUIRE) && !wk->bad[0]) {
		uint32_t ino;
		walk_dir(wk, FSK_ROOT_INO);
		for (int i = 0; i < WORKERS; i++) {
			snprintf(path, sizeof path, "/w%d", i);
			if (fsk_resolve(wk->fs, path, true, &ino) == 0)
				walk_dir(wk, ino);
			else if (!wk->bad[0])
				snprintf(wk->bad, sizeof wk->bad, "resolve %s failed", path);
		}
		if (fsk_resolve(wk->fs, "/shared/", true, &ino) == 0)
			walk_dir(wk, ino);
		fsk_statvfs(wk->fs, &sv);
		wk->rounds++;
	}
	return NULL;
}

static void workers_and_a_walker(const void *arg)
{
	static struct worker w[WORKERS];
	struct fsk_format_opts fo = { .block_log2 = 10, .inodes = 512 };
	struct fsk_check_result res;
	struct fsk_statvfs before, after;
	struct walker wk = { 0 };
	struct ramdev r;
	struct fsk *fs;
	uint32_t shared, common;
	unsigned ops = (unsigned)(uintptr_t)arg;

	ramdev_init(&r, VOL_SIZE);
	KT_REQUIRE(fsk_format(&r.dev, &fo) == 0);
	KT_REQUIRE(fsk_mount(&r.dev, 0, &fs, NULL, 0) == 0);
	KT_REQUIRE(fsk_mkdir(fs, FSK_ROOT_INO, "shared", 0777, 0, 0, &shared) == 0);
	for (int i = 0; i < WORKERS; i++) {
		char dname[16];
		memset(&w[i], 0, sizeof w[i]);
		snprintf(dname, sizeof dname, "w%d", i);
		KT_REQUIRE(fsk_mkdir(fs, FSK_ROOT_INO, dname, 0755, 0, 0, &w[i].dir) == 0);
		w[i].fs = fs;
		w[i].id = i;
		w[i].shared = shared;
		w[i].mine = calloc(SLOTS, SLOT);
		KT_REQUIRE(w[i].mine);
		w[i].rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
		w[i].ops = ops;
		for (int k = 0; k < FILES; k++) {
			w[i].f[k].data = calloc(1, MAX_FILE);
			KT_REQUIRE(w[i].f[k].data);
			snprintf(w[i].name[k], sizeof w[i].name[k], "f%d", k);
		}
	}
	KT_EQ(fsk_statvfs(fs, &before), 0);
	KT_REQUIRE(fsk_create(fs, FSK_ROOT_INO, "common", 0666, 0, 0, &common) == 0);
	for (int i = 0; i < WORKERS; i++)
		w[i].common = common;
	wk.fs = fs;
	pthread_barrier_init(&start, NULL, WORKERS + 1);
	KT_REQUIRE(pthread_create(&wk.t, NULL, walk, &wk) == 0);
	for (int i = 0; i < WORKERS; i++)
		KT_REQUIRE(pthread_create(&w[i].t, NULL, work, &w[i]) == 0);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(w[i].t, NULL);
	__atomic_store_n(&wk.stop, 1, __ATOMIC_RELEASE);
	pthread_join(wk.t, NULL);
	pthread_barrier_destroy(&start);

	/* The common file as the workers' slots say, every byte. */
	uint8_t *buf = malloc(MAX_FILE + 1), all[SLOT];
	KT_REQUIRE(buf);
	unsigned slots_bad = 0, slots_written = 0;
	for (uint64_t s = 0; s < SLOTS; s++) {
		const uint8_t *want = w[s % WORKERS].mine + s * SLOT;
		int64_t n = fsk_read(fs, common, s * STRIDE, all, SLOT);
		if (n < 0 || n > SLOT) {
			slots_bad++;
			continue;
		}
		memset(all + n, 0, SLOT - (size_t)n);
		if (memcmp(all, want, SLOT))
			slots_bad++;
		for (unsigned i = 0; i < SLOT; i++)
			if (want[i]) {
				slots_written++;
				break;
			}
	}
	KT_EQ(slots_bad, 0);
	KT_EQ(fsk_unlink(fs, FSK_ROOT_INO, "common"), 0);
	unsigned files = 0;
	for (int i = 0; i < WORKERS; i++) {
		for (int k = 0; k < FILES; k++)
			if (w[i].f[k].exists) {
				verify(&w[i], k, buf);
				files++;
			}
		if (w[i].bad[0])
			printf("# %s\n", w[i].bad);
		KT_STREQ(w[i].bad, "");
	}
	if (wk.bad[0])
		printf("# walker: %s\n", wk.bad);
	KT_STREQ(wk.bad, "");
	printf("# %d workers x %u operations, %u files kept, %u common slots written, "
	       "walker %u rounds %u entries\n", WORKERS, ops, files, slots_written, wk.rounds,
	       wk.entries);
	KT_CHECK(wk.rounds > 0);
	/* Every worker's files removed: the volume is back to its first counts. */
	for (int i = 0; i < WORKERS; i++)
		for (int k = 0; k < FILES; k++)
			if (w[i].f[k].exists)
				op_unlink(&w[i], k);
	KT_EQ(fsk_statvfs(fs, &after), 0);
	KT_EQ(after.bfree, before.bfree);
	KT_EQ(after.ffree, before.ffree);
	KT_EQ(fsk_unmount(fs), 0);
	KT_EQ(fstree_check(&r, false, &res), FSK_CHECK_CLEAN);
	KT_EQ(res.found, 0);
	for (int i = 0; i < WORKERS; i++) {
		for (int k = 0; k < FILES; k++)
			free(w[i].f[k].data);
		free(w[i].mine);
	}
	free(buf);
	ramdev_free(&r);
}

static const struct kt_case cases[] = {
	{ "workers_and_a_walker", workers_and_a_walker, (const void *)(uintptr_t)3000 },
};

int main(void)
{
	return kt_run(cases, KT_COUNT(cases));
}
