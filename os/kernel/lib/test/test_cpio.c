/* Host tests of the newc cpio reader.  Archives come from the host's
 * `cpio -o -H newc`, run at test time over trees of seeded random files, and
 * from a small writer here for the malformed cases.  Every archive sits in a
 * heap buffer of exactly its length (also each truncation of it), so ASan
 * reports any read past the end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "blob.h"
#include "cpio.h"
#include "ktap.h"

/* ---- trees of files, archived by the host's cpio ------------------------- */

#define MAX_FILES 32

struct tfile {
	char path[80];            /* relative to the tree, no leading "./" */
	uint8_t *data;
	size_t size;
	char kind;                /* 'f' file, 'd' directory, 'l' symlink (data: target) */
};

struct tree {
	char dir[64];
	struct tfile f[MAX_FILES];
	int n;
};

static void tree_add(struct tree *t, char kind, const char *path, size_t size)
{
	struct tfile *f = &t->f[t->n++];
	char full[160];
	FILE *fp;

	snprintf(f->path, sizeof(f->path), "%s", path);
	snprintf(full, sizeof(full), "%s/%s", t->dir, path);
	f->kind = kind;
	f->size = size;
	f->data = malloc(size + 1);
	for (size_t i = 0; i < size; i++)
		f->data[i] = kind == 'l' ? (uint8_t)('a' + kt_rand() % 26) : (uint8_t)kt_rand();
	f->data[size] = 0;
	if (kind == 'd') {
		KT_CHECK(mkdir(full, 0755) == 0);
	} else if (kind == 'l') {
		KT_CHECK(symlink((const char *)f->data, full) == 0);
	} else {
		fp = fopen(full, "wb");
		KT_REQUIRE(fp);
		KT_CHECK(fwrite(f->data, 1, size, fp) == size);
		fclose(fp);
	}
}

/* Every name length 1..8 (so every padding residue of the name), files of
 * sizes around the 4-byte padding and the 512-byte block, nested
 * directories and a symlink. */
static void tree_big(struct tree *t)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 511, 512, 513, 4095, 4096, 4097 };
	static const char *const names[] = { "a", "bb", "ccc", "dddd", "eeeee", "ffffff", "ggggggg",
					     "hhhhhhhh" };
	char path[80];

	tree_add(t, 'd', "bin", 0);
	tree_add(t, 'd', "bin/sub", 0);
	for (size_t i = 0; i < KT_COUNT(sizes); i++) {
		snprintf(path, sizeof(path), "%s%s", i % 3 ? "bin/" : i % 2 ? "bin/sub/" : "",
			 names[i % KT_COUNT(names)]);
		if (i >= KT_COUNT(names))
			snprintf(path + strlen(path), sizeof(path) - strlen(path), "%zu", i);
		tree_add(t, 'f', path, sizes[i]);
	}
	tree_add(t, 'l', "bin/link", 13);
}

/* A few small files: an archive of about 1 KiB for the exhaustive cuts. */
static void tree_small(struct tree *t)
{
	tree_add(t, 'd', "bin", 0);
	tree_add(t, 'f', "bin/x", 5);
	tree_add(t, 'f', "bin/yy", 0);
	tree_add(t, 'f', "etc", 34);
	tree_add(t, 'l', "bin/l", 3);
}

static bool tree_make(struct tree *t, uint64_t seed, void (*fill)(struct tree *))
{
	snprintf(t->dir, sizeof(t->dir), "%s", "/tmp/keel-cpio-XXXXXX");
	t->n = 0;
	kt_srand(seed);
	if (!mkdtemp(t->dir)) {
		kt_fail(__FILE__, __LINE__, "mkdtemp failed");
		return false;
	}
	fill(t);
	return true;
}

static void tree_free(struct tree *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		kt_fail(__FILE__, __LINE__, "cannot remove %s", t->dir);
	for (int i = 0; i < t->n; i++)
		free(t->f[i].data);
}

static uint8_t *load_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf, *exact;
	size_t cap = 1 << 20;

	if (!fp)
		return NULL;
	buf = malloc(cap);
	*len = fread(buf, 1, cap, fp);
	fclose(fp);
	exact = blob_dup(buf, *len);
	free(buf);
	return exact;
}

/* The tree archived by `cpio -o -H newc`; names "./x" (dot) or "x". */
static uint8_t *tree_archive(const struct tree *t, bool dot, size_t *len)
{
	char cmd[512], out[96];
	uint8_t *a;

	snprintf(out, sizeof(out), "%s.cpio", t->dir);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && find . %s | LC_ALL=C sort | cpio -o -H newc --quiet > '%s'",
		 t->dir, dot ? "" : "-mindepth 1 -printf '%P\\n'", out);
	if (system(cmd) != 0) {
		kt_fail(__FILE__, __LINE__, "cpio failed: %s", cmd);
		return NULL;
	}
	a = load_file(out, len);
	unlink(out);
	if (!a)
		kt_fail(__FILE__, __LINE__, "cannot read %s", out);
	return a;
}

static uint32_t kind_mode(char kind)
{
	return kind == 'd' ? CPIO_S_IFDIR : kind == 'l' ? CPIO_S_IFLNK : CPIO_S_IFREG;
}

/* Finds every tree member under each spelling of its path and checks it. */
static void check_members(const struct tree *t, const uint8_t *a, size_t len)
{
	static const char *const prefixes[] = { "", "/", "./", "//./" };
	struct cpio_entry e;
	char path[96];

	for (int i = 0; i < t->n; i++) {
		const struct tfile *f = &t->f[i];

		for (size_t p = 0; p < KT_COUNT(prefixes); p++) {
			snprintf(path, sizeof(path), "%s%s", prefixes[p], f->path);
			KT_EQ(cpio_find(a, len, path, &e), 0);
			KT_EQ(e.mode & CPIO_S_IFMT, kind_mode(f->kind));
			if (f->kind == 'd')
				continue;
			KT_EQ(e.size, f->size);
			KT_CHECK(e.size != f->size || memcmp(e.data, f->data, f->size) == 0);
			KT_EQ(e.data - a, (e.data - a + 3) / 4 * 4);     /* 4-aligned */
		}
	}
}

/* Entries up to the trailer: *count of them, and the offset where the
 * trailer's name ends (the shortest length that still parses). */
static int walk(const uint8_t *a, size_t len, int *count, size_t *trailer_end)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r;

	*count = 0;
	cpio_iter_init(&it, a, len);
	while ((r = cpio_next(&it, &e)) == 1)
		(*count)++;
	if (trailer_end)
		*trailer_end = ((it.off + 3) & ~(size_t)3) + CPIO_HEADER_SIZE + sizeof("TRAILER!!!");
	if (r == 0)
		KT_EQ(cpio_next(&it, &e), CPIO_E_END);
	return r;
}

static void t_gnu_archive(const void *arg)
{
	bool dot = arg != NULL;
	struct tree t;
	struct cpio_entry e;
	size_t len;
	uint8_t *a;
	int count;

	if (!tree_make(&t, dot ? 0x63706901 : 0x63706902, tree_big))
		return;
	a = tree_archive(&t, dot, &len);
	if (a) {
		KT_EQ(walk(a, len, &count, NULL), 0);
		KT_EQ(count, t.n + (dot ? 1 : 0));      /* `find .` also lists "." */
		check_members(&t, a, len);
		KT_EQ(cpio_find(a, len, "/", &e), dot ? 0 : CPIO_E_NOTFOUND);
		KT_EQ(cpio_find(a, len, "bin/nothing", &e), CPIO_E_NOTFOUND);
		KT_EQ(cpio_find(a, len, "bin/", &e), CPIO_E_NOTFOUND);
		KT_EQ(cpio_find(a, len, "bi", &e), CPIO_E_NOTFOUND);
		KT_EQ(cpio_find(a, len, "../bin", &e), CPIO_E_NOTFOUND);
	}
	free(a);
	tree_free(&t);
}

/* Every cut of a real archive before the trailer's name ends is
 * CPIO_E_TRUNCATED, for both the walk and a find; every cut after it (GNU
 * cpio pads to 512 bytes) reads the whole archive. */
static void t_truncate(const void *arg)
{
	struct tree t;
	size_t len, need, cut;
	uint8_t *a, *c;
	struct cpio_entry e;
	int full, count, r;

	(void)arg;
	if (!tree_make(&t, 0x63706903, tree_small))
		return;
	a = tree_archive(&t, true, &len);
	if (a) {
		KT_EQ(walk(a, len, &full, &need), 0);
		KT_CHECK(need <= len);
		for (cut = 0; cut <= len; cut++) {
			c = blob_dup(a, cut);
			r = walk(c, cut, &count, NULL);
			if (cut < need) {
				KT_EQ(r, CPIO_E_TRUNCATED);
				KT_EQ(cpio_find(c, cut, "bin/x", &e), CPIO_E_TRUNCATED);
			} else {
				KT_EQ(r, 0);
				KT_EQ(count, full);
				KT_EQ(cpio_find(c, cut, "etc", &e), 0);
			}
			free(c);
		}
	}
	free(a);
	tree_free(&t);
}

static bool inside(const void *p, size_t n, const uint8_t *a, size_t len)
{
	const uint8_t *q = p;

	return q >= a && q <= a + len && n <= (size_t)(a + len - q);
}

/* Seeded random damage: 1..4 bytes set to random values or hex digits.  A
 * walk must end (each entry moves at least a header forward), and every
 * entry it yields must lie inside the buffer with a terminated name. */
static void t_flips(const void *arg)
{
	static const char hex[] = "0123456789abcdefABCDEF";
	struct tree t;
	struct cpio_iter it;
	struct cpio_entry e;
	size_t len, steps;
	uint8_t *a, *c;
	int r, ok = 0;

	(void)arg;
	if (!tree_make(&t, 0x63706904, tree_small))
		return;
	a = tree_archive(&t, true, &len);
	for (int round = 0; a && round < 6000; round++) {
		c = blob_dup(a, len);
		for (int k = 1 + (int)(kt_rand() % 4); k > 0; k--) {
			size_t at = kt_rand() % len;
			c[at] = kt_rand() % 2 ? (uint8_t)kt_rand() : (uint8_t)hex[kt_rand() % 22];
		}
		cpio_iter_init(&it, c, len);
		for (steps = 0; (r = cpio_next(&it, &e)) == 1; steps++) {
			KT_CHECK(steps <= len / CPIO_HEADER_SIZE);
			KT_CHECK(inside(e.name, e.namelen + 1, c, len) && e.name[e.namelen] == 0 &&
				 strlen(e.name) == e.namelen);
			KT_CHECK(inside(e.data, e.size, c, len));
		}
		ok += r == 0;
		r = cpio_find(c, len, t.f[kt_rand() % (uint64_t)t.n].path, &e);
		KT_CHECK(r == 0 || r == CPIO_E_NOTFOUND || r == CPIO_E_TRUNCATED ||
			 r == CPIO_E_MAGIC || r == CPIO_E_HEADER || r == CPIO_E_NAME);
		if (r == 0)
			KT_CHECK(inside(e.data, e.size, c, len));
		free(c);
	}
	printf("# %d of 6000 damaged archives still parsed\n", ok);
	free(a);
	tree_free(&t);
}

/* ---- hand-made archives ---------------------------------------------------- */

struct arc {
	uint8_t b[2048];
	size_t n;
};

/* Field k of the header at off (0 = c_ino ... 11 = c_namesize, 12 = c_check). */
static uint8_t *field_at(struct arc *a, size_t off, int k)
{
	return a->b + off + 6 + 8 * k;
}

/* Writes v as the 8 hex digits of field k (no NUL). */
static void set_field(struct arc *a, size_t off, int k, uint32_t v)
{
	char d[9];

	snprintf(d, sizeof(d), "%08X", v);
	memcpy(field_at(a, off, k), d, 8);
}

/* Offset of the data of the entry whose header is at off. */
static size_t data_off(const struct arc *a, size_t off)
{
	size_t nlen = strnlen((const char *)a->b + off + CPIO_HEADER_SIZE, 64) + 1;

	return (off + CPIO_HEADER_SIZE + nlen + 3) & ~(size_t)3;
}

static void arc_pad(struct arc *a)
{
	while (a->n % 4)
		a->b[a->n++] = 0;
}

/* Appends an entry; returns the offset of its header. */
static size_t arc_entry(struct arc *a, const char *name, const void *data, uint32_t size)
{
	size_t off = a->n, nlen = strlen(name) + 1;
	const uint32_t f[13] = { 7, CPIO_S_IFREG | 0644, 0, 0, 1, 0, size, 0, 0, 0, 0,
				 (uint32_t)nlen, 0 };

	memcpy(a->b + off, "070701", 6);
	for (int k = 0; k < 13; k++)
		set_field(a, off, k, f[k]);
	a->n += CPIO_HEADER_SIZE;
	memcpy(a->b + a->n, name, nlen);
	a->n += nlen;
	arc_pad(a);
	memcpy(a->b + a->n, data, size);
	a->n += size;
	arc_pad(a);
	return off;
}

static size_t arc_trailer(struct arc *a)
{
	size_t off = arc_entry(a, "TRAILER!!!", "", 0);

	a->n = off + CPIO_HEADER_SIZE + sizeof("TRAILER!!!");   /* no padding after it */
	return off;
}

/* The base archive: "hello" (5 bytes) and "ab" (2 bytes), then the trailer. */
static void arc_base(struct arc *a, size_t *e0, size_t *e1)
{
	a->n = 0;
	*e0 = arc_entry(a, "hello", "world", 5);
	*e1 = arc_entry(a, "ab", "xy", 2);
	arc_trailer(a);
}

/* The first cpio_next result on a[0..n), on an exact-size copy. */
static int first_result(const struct arc *a, size_t n)
{
	uint8_t *c = blob_dup(a->b, n);
	struct cpio_iter it;
	struct cpio_entry e;
	int r;

	cpio_iter_init(&it, c, n);
	r = cpio_next(&it, &e);
	free(c);
	return r;
}

/* The final result of walking a[0..n) on an exact-size copy. */
static int walk_result(const struct arc *a, size_t n, int *count)
{
	uint8_t *c = blob_dup(a->b, n);
	int r = walk(c, n, count, NULL);

	free(c);
	return r;
}

static void t_handmade_ok(const void *arg)
{
	struct arc a;
	struct cpio_entry e;
	size_t e0, e1;
	int count;

	(void)arg;
	arc_base(&a, &e0, &e1);
	KT_EQ(walk_result(&a, a.n, &count), 0);
	KT_EQ(count, 2);
	KT_EQ(cpio_find(a.b, a.n, "/ab", &e), 0);
	KT_EQ(e.size, 2);
	KT_CHECK(memcmp(e.data, "xy", 2) == 0);
	KT_EQ(e.ino, 7);
	KT_EQ(e.nlink, 1);
	KT_EQ(e.mode, CPIO_S_IFREG | 0644);
	/* Lower-case hex reads the same. */
	memcpy(field_at(&a, e0, 1), "000081a4", 8);
	KT_EQ(cpio_find(a.b, a.n, "hello", &e), 0);
	KT_EQ(e.mode, 0100644);
	/* Anything after the trailer is not read. */
	memset(a.b + a.n, 0xa5, 100);
	KT_EQ(walk_result(&a, a.n + 100, &count), 0);
	KT_EQ(count, 2);
	/* Only the exact name ends the archive. */
	a.n = 0;
	arc_entry(&a, "TRAILER!!!x", "1", 1);
	arc_entry(&a, "TRAILER!!", "2", 1);
	arc_entry(&a, "TRAILER", "3", 1);
	arc_trailer(&a);
	KT_EQ(walk_result(&a, a.n, &count), 0);
	KT_EQ(count, 3);
	/* A trailer alone is an empty archive. */
	a.n = 0;
	arc_trailer(&a);
	KT_EQ(walk_result(&a, a.n, &count), 0);
	KT_EQ(count, 0);
	KT_EQ(cpio_find(a.b, a.n, "x", &e), CPIO_E_NOTFOUND);
}

static void t_handmade_later_wins(const void *arg)
{
	struct arc a = { .n = 0 };
	struct cpio_entry e;

	(void)arg;
	arc_entry(&a, "./bin/x", "old", 3);
	arc_entry(&a, "bin/y", "other", 5);
	arc_entry(&a, "bin/x", "newer", 5);
	arc_trailer(&a);
	KT_EQ(cpio_find(a.b, a.n, "/bin/x", &e), 0);
	KT_EQ(e.size, 5);
	KT_CHECK(memcmp(e.data, "newer", 5) == 0);
}

static void t_handmade_magic(const void *arg)
{
	static const char *const bad[] = { "070702", "070707", "070700", "170701", "07070 ",
					   "\0\0\0\0\0\0" };
	struct arc a;
	size_t e0, e1;
	int count;

	(void)arg;
	for (size_t i = 0; i < KT_COUNT(bad); i++) {
		arc_base(&a, &e0, &e1);
		memcpy(a.b + e0, bad[i], 6);
		KT_EQ(first_result(&a, a.n), CPIO_E_MAGIC);
		arc_base(&a, &e0, &e1);
		memcpy(a.b + e1, bad[i], 6);
		KT_EQ(walk_result(&a, a.n, &count), CPIO_E_MAGIC);
		KT_EQ(count, 1);
	}
	KT_EQ(first_result(&a, 0), CPIO_E_TRUNCATED);
}

/* A non-hex character in any of the 104 field positions. */
static void t_handmade_fields(const void *arg)
{
	static const char junk[] = { 'g', 'G', ' ', 'x', '-', '\0', '\xff', ':' };
	struct arc a;
	size_t e0, e1;

	(void)arg;
	for (int k = 0; k < 13; k++) {
		for (int p = 0; p < 8; p++) {
			arc_base(&a, &e0, &e1);
			field_at(&a, e0, k)[p] = junk[(k + p) % KT_COUNT(junk)];
			KT_EQ(first_result(&a, a.n), CPIO_E_HEADER);
		}
	}
}

static void t_handmade_names(const void *arg)
{
	struct arc a;
	size_t e0, e1;
	int count;

	(void)arg;
	arc_base(&a, &e0, &e1);                  /* namesize 0 */
	set_field(&a, e0, 11, 0);
	KT_EQ(first_result(&a, a.n), CPIO_E_NAME);
	arc_base(&a, &e0, &e1);                  /* no NUL at the end of the name */
	a.b[e0 + CPIO_HEADER_SIZE + 5] = 'x';
	KT_EQ(first_result(&a, a.n), CPIO_E_NAME);
	arc_base(&a, &e0, &e1);                  /* a NUL inside it */
	a.b[e0 + CPIO_HEADER_SIZE + 2] = 0;
	KT_EQ(first_result(&a, a.n), CPIO_E_NAME);
	arc_base(&a, &e0, &e1);                  /* name runs past the buffer */
	set_field(&a, e0, 11, 0x800);
	KT_EQ(first_result(&a, a.n), CPIO_E_TRUNCATED);
	arc_base(&a, &e0, &e1);
	set_field(&a, e0, 11, 0xffffffffu);
	KT_EQ(first_result(&a, a.n), CPIO_E_TRUNCATED);
	arc_base(&a, &e0, &e1);                  /* trailer name unterminated */
	a.b[a.n - 1] = '!';
	KT_EQ(first_result(&a, a.n), 1);
	KT_EQ(walk_result(&a, a.n, &count), CPIO_E_NAME);
	KT_EQ(count, 2);
}

static void t_handmade_sizes(const void *arg)
{
	struct arc a;
	size_t e0, e1;
	int count;

	(void)arg;
	arc_base(&a, &e0, &e1);
	set_field(&a, e0, 6, 0xffffffffu);
	KT_EQ(first_result(&a, a.n), CPIO_E_TRUNCATED);
	arc_base(&a, &e0, &e1);                  /* data ends exactly at the buffer's end */
	set_field(&a, e1, 6, (uint32_t)(a.n - data_off(&a, e1)));
	KT_EQ(walk_result(&a, a.n, &count), CPIO_E_TRUNCATED);  /* no trailer after it */
	KT_EQ(count, 2);
	arc_base(&a, &e0, &e1);                  /* one byte more than there is */
	set_field(&a, e1, 6, (uint32_t)(a.n - data_off(&a, e1) + 1));
	KT_EQ(walk_result(&a, a.n, &count), CPIO_E_TRUNCATED);
	KT_EQ(count, 1);
	arc_base(&a, &e0, &e1);                  /* no trailer at all */
	KT_EQ(walk_result(&a, e1, &count), CPIO_E_TRUNCATED);
	KT_EQ(count, 1);
	KT_EQ(walk_result(&a, e1 + 3, &count), CPIO_E_TRUNCATED);
}

static void t_strerror(const void *arg)
{
	(void)arg;
	for (int e = CPIO_E_END; e <= 0; e++) {
		KT_CHECK(strcmp(cpio_strerror(e), "unknown error") != 0);
		for (int f = e + 1; f <= 0; f++)
			KT_CHECK(strcmp(cpio_strerror(e), cpio_strerror(f)) != 0);
	}
	KT_STREQ(cpio_strerror(CPIO_E_END - 1), "unknown error");
	KT_STREQ(cpio_strerror(1), "unknown error");
}

static const struct kt_case cases[] = {
	{ "gnu_cpio_dot_names", t_gnu_archive, "dot" },
	{ "gnu_cpio_plain_names", t_gnu_archive, NULL },
	{ "truncate_every_length", t_truncate, NULL },
	{ "random_byte_damage", t_flips, NULL },
	{ "handmade_valid", t_handmade_ok, NULL },
	{ "handmade_later_entry_wins", t_handmade_later_wins, NULL },
	{ "handmade_bad_magic", t_handmade_magic, NULL },
	{ "handmade_non_hex_fields", t_handmade_fields, NULL },
	{ "handmade_bad_names", t_handmade_names, NULL },
	{ "handmade_bad_sizes", t_handmade_sizes, NULL },
	{ "strerror", t_strerror, NULL },
};

int main(int argc, char **argv)
{
	if (argc > 1)
		blob_dir = argv[1];
	return kt_run(cases, KT_COUNT(cases));
}
