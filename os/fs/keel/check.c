/* fsck-keel's engine (fsk_check).  It works on an unmounted volume with
 * the whole inode table and both bitmaps in memory, in passes:
 *
 *   super    the primary superblock, else a backup found from the device
 *            size; nothing else runs without a good one
 *   fields   each inode's type and size; a bad one is cleared
 *   blocks   each used inode's pointers, in inode order: out of range,
 *            past the end of the file, or claimed before (the first
 *            claimant keeps a block) pointers are cleared; nblocks recounted
 *   tree     a walk from the root over every directory: ".", "..", names,
 *            entries naming free inodes, type bytes, a second name for a
 *            directory; a directory is entered once, so loops end
 *   orphans  a used inode with no name is freed (with the ordering rules of
 *            fskeel.h an unnamed inode is a create or unlink cut short)
 *   links    nlink against the names (files) or 2 + subdirectories
 *   bitmaps  against what is reachable, metadata and padding set
 *
 * Repairs are made in memory as each pass finds them and written at the
 * end of the pass (indirect and directory blocks) or of the check (inode
 * table, bitmaps, superblock), so the next pass sees the repaired volume.
 * Without FSK_CHECK_REPAIR nothing is written; later passes then may see
 * damage an earlier one would have repaired, which is fine for a report.
 * Every value read from the disk is range-checked before it indexes
 * anything here. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fsk_impl.h"

enum ino_state { ST_FREE, ST_USED, ST_REACHED };

struct ck {
	const struct fsk_blkdev *dev;
	struct fsk_geometry g;
	struct fsk_super sb;
	bool repair, unfixable, sb_restored;
	fsk_say_fn *say;
	void *ctx;
	struct fsk_check_result *r;
	uint32_t ppb, epb;            /* pointers / entries per block */

	uint8_t *itab, *itab_dirty;   /* inode table; dirty flag per block */
	uint8_t *imap, *bmap;         /* the bitmaps as on disk */
	uint8_t *seen;                /* the block bitmap as it should be */
	uint8_t *st;                  /* enum ino_state per inode number */
	uint32_t *names, *subdirs;    /* per inode number */
	uint32_t *stack;              /* directories to walk: (dir, parent) pairs */
	uint8_t *lvl[4];              /* one block buffer per tree depth */
	struct fsk_dirent *dir_seen;  /* the entries kept so far in one directory */
	size_t dir_seen_n, dir_seen_cap;
	/* Their names hashed (open addressing: dir_gen << 32 | index + 1, a
	 * slot of another generation is empty): a search per entry, not a scan
	 * of the directory so far (a directory of a million names took an
	 * hour). */
	uint64_t *dir_hash;
	size_t dir_hash_cap;          /* a power of two, or 0 */
	uint32_t dir_gen;
};

/* Reports a finding; fixable ones count as fixed when repairing. */
static void finding(struct ck *ck, bool fixable, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ck->r->found++;
	if (fixable && ck->repair)
		ck->r->fixed++;
	if (!fixable)
		ck->unfixable = true;
	n = strlen(line);
	if (ck->repair && n < sizeof(line) - 9)
		snprintf(line + n, sizeof(line) - n, fixable ? ": fixed" : ": NOT fixed");
	if (ck->say)
		ck->say(ck->ctx, line);
}

static int ck_read(struct ck *ck, uint32_t blk, uint32_t n, void *buf)
{
	if ((uint64_t)blk + n > ck->g.blocks)
		return -EIO;
	return ck->dev->read(ck->dev->ctx, (uint64_t)blk << ck->g.block_log2, buf,
			     (size_t)n << ck->g.block_log2);
}

static int ck_write(struct ck *ck, uint32_t blk, uint32_t n, const void *buf)
{
	if (!ck->repair)
		return 0;
	if ((uint64_t)blk + n > ck->g.blocks)
		return -EIO;
	return ck->dev->write(ck->dev->ctx, (uint64_t)blk << ck->g.block_log2, buf,
			      (size_t)n << ck->g.block_log2);
}

static struct fsk_inode *ino_at(struct ck *ck, uint32_t ino)
{
	return (struct fsk_inode *)(ck->itab + (size_t)(ino - 1) * FSK_INODE_SIZE);
}

static void ino_dirty(struct ck *ck, uint32_t ino)
{
	ck->itab_dirty[(size_t)(ino - 1) * FSK_INODE_SIZE >> ck->g.block_log2] = 1;
}

/* Frees inode ino in the table (its generation stays for the next user). */
static void clear_inode(struct ck *ck, uint32_t ino)
{
	struct fsk_inode *in = ino_at(ck, ino);
	uint32_t gen = in->generation;

	memset(in, 0, sizeof(*in));
	in->generation = gen;
	ino_dirty(ck, ino);
	ck->st[ino] = ST_FREE;
}

static uint32_t type_of(const struct fsk_inode *in)
{
	return in->mode & FSK_S_IFMT;
}

static bool inline_link(const struct fsk_inode *in)
{
	return type_of(in) == FSK_S_IFLNK && in->size <= FSK_INLINE_MAX;
}

/* ---- superblock ------------------------------------------------------------------ */

static int read_super(struct ck *ck, uint64_t off, struct fsk_super *sb)
{
	uint8_t sec[FSK_SECTOR];
	int err = ck->dev->read(ck->dev->ctx, off, sec, sizeof(sec));

	if (!err)
		memcpy(sb, sec, sizeof(*sb));
	return err;
}

/* A backup at the last block of the device, for each block size. */
static bool find_backup(struct ck *ck)
{
	struct fsk_super sb;
	uint64_t blocks;

	for (uint32_t l = FSK_MIN_LOG2; l <= FSK_MAX_LOG2; l++) {
		blocks = ck->dev->size_bytes >> l;
		if (blocks < FSK_MIN_BLOCKS || blocks > UINT32_MAX)
			continue;
		if (read_super(ck, (blocks - 1) << l, &sb))
			continue;
		if (fsk_super_check(&sb, ck->dev->size_bytes, &ck->g, NULL, 0) == 0 &&
		    sb.block_log2 == l && sb.blocks == blocks) {
			ck->sb = sb;
			return true;
		}
	}
	return false;
}

static int check_super(struct ck *ck)
{
	char why[FSK_REASON_MAX];
	int err;

	if (ck->dev->size_bytes < FSK_SECTOR) {
		finding(ck, false, "device shorter than a superblock");
		return -EINVAL;
	}
	err = read_super(ck, 0, &ck->sb);
	if (err)
		return err;
	if (fsk_super_check(&ck->sb, ck->dev->size_bytes, &ck->g, why, sizeof(why)) == 0)
		return 0;
	if (find_backup(ck)) {
		finding(ck, true, "superblock: %s; using the backup", why);
		ck->sb_restored = true;
		return 0;
	}
	finding(ck, false, "superblock: %s; no usable backup", why);
	return -EINVAL;
}

/* The backup must be valid and hold the primary's fields (state and mount
 * time aside). */
static int check_backup(struct ck *ck)
{
	uint8_t *blk = ck->lvl[0];
	struct fsk_geometry g;
	struct fsk_super a = ck->sb, b;
	bool same;
	int err = ck_read(ck, ck->g.backup, 1, blk);

	if (err)
		return err;
	memcpy(&b, blk, sizeof(b));
	same = fsk_super_check(&b, ck->dev->size_bytes, &g, NULL, 0) == 0;
	a.state = b.state = FSK_STATE_CLEAN;
	a.mount_time_ns = b.mount_time_ns = 0;
	a.crc = b.crc = 0;
	if (same && memcmp(&a, &b, sizeof(a)) == 0)
		return 0;
	finding(ck, true, "backup superblock differs from the primary");
	memset(blk, 0, ck->g.block_size);
	a.crc = fsk_super_crc(&a);
	memcpy(blk, &a, sizeof(a));
	return ck_write(ck, ck->g.backup, 1, blk);
}

/* ---- inode fields ---------------------------------------------------------------- */

static const char *fields_bad(const struct ck *ck, const struct fsk_inode *in)
{
	uint64_t bs = ck->g.block_size;

	switch (type_of(in)) {
	case FSK_S_IFREG:
		if (in->size / bs + (in->size % bs != 0) > fsk_max_file_blocks(ck->g.block_log2))
			return "size past the largest file";
		return NULL;
	case FSK_S_IFDIR:               /* empty only once removed (kept open: an orphan) */
		if ((in->size == 0 && in->nlink) || in->size % bs ||
		    in->size / bs > ck->g.backup - ck->g.data_start)
			return "bad directory size";
		return NULL;
	case FSK_S_IFLNK:
		if (in->size == 0 || in->size > FSK_PATH_MAX || in->size >= bs)
			return "bad symbolic link size";
		return NULL;
	default:
		return "bad type";
	}
}

static void pass_fields(struct ck *ck)
{
	const char *why;

	for (uint32_t i = 1; i <= ck->g.inodes; i++) {
		struct fsk_inode *in = ino_at(ck, i);
		if (in->mode == 0) {
			ck->st[i] = ST_FREE;
			continue;
		}
		why = fields_bad(ck, in);
		if (!why) {
			ck->st[i] = ST_USED;
			continue;
		}
		finding(ck, true, "inode %u: %s (mode 0%o, size %llu)", (unsigned)i, why,
			(unsigned)in->mode, (unsigned long long)in->size);
		clear_inode(ck, i);
	}
}

/* ---- block pointers ---------------------------------------------------------------- */

struct claim {
	uint32_t ino;
	uint64_t limit;               /* file blocks the size allows */
	uint32_t count;               /* blocks kept */
};

static uint64_t span_of(const struct ck *ck, int depth)
{
	uint64_t s = 1;

	while (depth-- > 0)
		s *= ck->ppb;
	return s;
}

/* Checks the pointer *p to a tree of `depth` levels mapping file blocks
 * from `first` on; clears it (returning true) if it must go. */
static bool claim(struct ck *ck, struct claim *c, uint32_t *p, uint64_t first, int depth)
{
	uint32_t b = *p, *ptrs;
	bool changed = false;

	if (b == 0)
		return false;
	if (first >= c->limit) {
		finding(ck, true, "inode %u: block %u mapped past the end of the file", (unsigned)c->ino,
			(unsigned)b);
	} else if (b < ck->g.data_start || b >= ck->g.backup) {
		finding(ck, true, "inode %u: block %u out of range", (unsigned)c->ino, (unsigned)b);
	} else if (bit_get(ck->seen, b)) {
		finding(ck, true, "inode %u: block %u already in use", (unsigned)c->ino, (unsigned)b);
	} else {
		bit_set(ck->seen, b, true);
		c->count++;
		if (depth == 0)
			return false;
		ptrs = (uint32_t *)ck->lvl[depth];
		if (ck_read(ck, b, 1, ptrs)) {
			finding(ck, false, "inode %u: cannot read block %u", (unsigned)c->ino, (unsigned)b);
			return false;
		}
		for (uint32_t i = 0; i < ck->ppb; i++)
			changed |= claim(ck, c, &ptrs[i], first + i * span_of(ck, depth - 1), depth - 1);
		if (changed && ck_write(ck, b, 1, ptrs))
			finding(ck, false, "inode %u: cannot write block %u", (unsigned)c->ino, (unsigned)b);
		return false;
	}
	*p = 0;
	return true;
}

static void claim_inode(struct ck *ck, uint32_t i)
{
	struct fsk_inode *in = ino_at(ck, i);
	struct claim c = { .ino = i };
	uint64_t first = FSK_NDIRECT;
	bool changed = false;

	if (inline_link(in)) {
		c.limit = 0;
	} else {
		c.limit = (in->size >> ck->g.block_log2) +
			  ((in->size & (ck->g.block_size - 1)) != 0);      /* (no wrap) */
		for (uint32_t k = 0; k < FSK_NDIRECT; k++)
			changed |= claim(ck, &c, &in->block[k], k, 0);
		for (int d = 1; d <= 3; d++) {
			changed |= claim(ck, &c, &in->block[FSK_NDIRECT + d - 1], first, d);
			first += span_of(ck, d);
		}
	}
	if (type_of(in) == FSK_S_IFLNK && !inline_link(in) && in->block[0] == 0) {
		finding(ck, true, "inode %u: symbolic link without its block", (unsigned)i);
		clear_inode(ck, i);
		return;
	}
	if (in->nblocks != c.count) {
		finding(ck, true, "inode %u: nblocks %u, counted %u", (unsigned)i,
			(unsigned)in->nblocks, (unsigned)c.count);
		in->nblocks = c.count;
		changed = true;
	}
	if (changed)
		ino_dirty(ck, i);
}

static void pass_blocks(struct ck *ck)
{
	for (uint32_t i = 1; i <= ck->g.inodes; i++)
		if (ck->st[i] == ST_USED)
			claim_inode(ck, i);
}

/* Gives back the blocks of a tree that claim() kept (an orphan's). */
static void unclaim(struct ck *ck, uint32_t b, int depth)
{
	uint32_t *ptrs;

	if (b < ck->g.data_start || b >= ck->g.backup || !bit_get(ck->seen, b))
		return;
	bit_set(ck->seen, b, false);
	if (depth == 0)
		return;
	ptrs = (uint32_t *)ck->lvl[depth];
	if (ck_read(ck, b, 1, ptrs))
		return;
	for (uint32_t i = 0; i < ck->ppb; i++)
		unclaim(ck, ptrs[i], depth - 1);
}

/* ---- directory tree ---------------------------------------------------------------- */

/* The disk block of directory block lblk: 0 for a hole or a pointer that
 * is not in range (possible only when not repairing). */
static uint32_t dir_map(struct ck *ck, const struct fsk_inode *d, uint64_t lblk)
{
	uint64_t span = 1;
	uint32_t b, idx;
	uint8_t buf[FSK_SECTOR];

	if (lblk < FSK_NDIRECT)
		return d->block[lblk];
	lblk -= FSK_NDIRECT;
	for (int depth = 1; depth <= 3; depth++) {
		span *= ck->ppb;
		if (lblk >= span) {
			lblk -= span;
			continue;
		}
		b = d->block[FSK_NDIRECT + depth - 1];
		for (int k = depth - 1; k >= 0 && b; k--) {
			uint64_t sub = span_of(ck, k);
			if (b < ck->g.data_start || b >= ck->g.backup)
				return 0;
			idx = (uint32_t)(lblk / sub % ck->ppb);
			if (ck->dev->read(ck->dev->ctx, ((uint64_t)b << ck->g.block_log2) +
					  (uint64_t)idx * 4 / FSK_SECTOR * FSK_SECTOR, buf, FSK_SECTOR))
				return 0;
			memcpy(&b, buf + idx * 4 % FSK_SECTOR, 4);
		}
		return b >= ck->g.data_start && b < ck->g.backup ? b : 0;
	}
	return 0;
}

static const char *name_bad(const struct fsk_dirent *e)
{
	if (e->name_len == 0 || e->name_len > FSK_NAME_MAX)
		return "bad name length";
	if (memchr(e->name, '/', e->name_len) || memchr(e->name, 0, e->name_len))
		return "bad character in name";
	if ((e->name_len == 1 && e->name[0] == '.') ||
	    (e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.'))
		return "misplaced dot entry";
	return NULL;
}

static uint32_t name_hash(const struct fsk_dirent *e)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < e->name_len; i++)
		h = (h ^ (uint8_t)e->name[i]) * 16777619u;
	return h;
}

/* Slot of e's name in dir_hash: its entry's, or the empty one to take. */
static size_t hash_slot(const struct ck *ck, const struct fsk_dirent *e, bool *found)
{
	size_t mask = ck->dir_hash_cap - 1, i = name_hash(e) & mask;

	for (;; i = (i + 1) & mask) {
		uint64_t v = ck->dir_hash[i];
		if ((uint32_t)(v >> 32) != ck->dir_gen || (uint32_t)v == 0) {
			*found = false;
			return i;
		}
		const struct fsk_dirent *s = &ck->dir_seen[(uint32_t)v - 1];
		if (s->name_len == e->name_len && memcmp(s->name, e->name, e->name_len) == 0) {
			*found = true;
			return i;
		}
	}
}

/* Room for the directory's entries so far and one more at half load,
 * rehashed; false if there is no memory (the linear scan serves). */
static bool hash_room(struct ck *ck)
{
	if ((ck->dir_seen_n + 1) * 2 <= ck->dir_hash_cap)
		return true;
	size_t cap = ck->dir_hash_cap ? 2 * ck->dir_hash_cap : 256;
	uint64_t *h = calloc(cap, sizeof *h);
	if (!h)
		return false;
	free(ck->dir_hash);
	ck->dir_hash = h;
	ck->dir_hash_cap = cap;
	for (size_t k = 0; k < ck->dir_seen_n; k++) {
		bool found;
		size_t i = hash_slot(ck, &ck->dir_seen[k], &found);
		ck->dir_hash[i] = (uint64_t)ck->dir_gen << 32 | (uint32_t)(k + 1);
	}
	return true;
}

static bool name_taken(struct ck *ck, const struct fsk_dirent *e)
{
	bool hashed = hash_room(ck), found = false;
	size_t slot = 0;

	if (hashed) {
		slot = hash_slot(ck, e, &found);
		if (found)
			return true;
	} else {
		for (size_t i = 0; i < ck->dir_seen_n; i++)
			if (ck->dir_seen[i].name_len == e->name_len &&
			    memcmp(ck->dir_seen[i].name, e->name, e->name_len) == 0)
				return true;
	}
	if (ck->dir_seen_n == ck->dir_seen_cap) {
		size_t cap = ck->dir_seen_cap ? 2 * ck->dir_seen_cap : 64;
		struct fsk_dirent *n = realloc(ck->dir_seen, cap * sizeof(*n));
		if (!n)
			return false;
		ck->dir_seen = n;
		ck->dir_seen_cap = cap;
	}
	ck->dir_seen[ck->dir_seen_n++] = *e;
	if (hashed)
		ck->dir_hash[slot] = (uint64_t)ck->dir_gen << 32 | (uint32_t)ck->dir_seen_n;
	return false;
}

static void dot_entry(struct fsk_dirent *e, const char *name, uint32_t ino)
{
	memset(e, 0, sizeof(*e));
	e->ino = ino;
	e->type = FSK_DT_DIR;
	e->name_len = (uint8_t)strlen(name);
	memcpy(e->name, name, e->name_len);
}

/* Checks "." or ".." at slot 0 or 1; true if rewritten. */
static bool check_dot(struct ck *ck, uint32_t dir, struct fsk_dirent *e, const char *name,
		      uint32_t want)
{
	struct fsk_dirent good;

	dot_entry(&good, name, want);
	if (memcmp(e, &good, sizeof(good)) == 0)
		return false;
	finding(ck, true, "directory %u: \"%s\" entry names %u, expected %u", (unsigned)dir, name,
		(unsigned)e->ino, (unsigned)want);
	*e = good;
	return true;
}

static void push(struct ck *ck, uint32_t *sp, uint32_t dir, uint32_t parent)
{
	ck->stack[(*sp)++] = dir;
	ck->stack[(*sp)++] = parent;
}

/* Checks entry e (slot >= 2) of directory dir; true if it changed. */
static bool check_entry(struct ck *ck, uint32_t dir, struct fsk_dirent *e, uint32_t *sp)
{
	const char *why = name_bad(e);
	struct fsk_inode *in;
	uint8_t type;

	if (!why && (e->ino > ck->g.inodes || ck->st[e->ino] == ST_FREE))
		why = "names a free or invalid inode";
	if (!why && name_taken(ck, e))
		why = "duplicate name";
	in = why ? NULL : ino_at(ck, e->ino);
	if (in && type_of(in) == FSK_S_IFDIR && ck->st[e->ino] == ST_REACHED)
		why = "second name for a directory";
	if (in && type_of(in) == FSK_S_IFDIR && in->block[0] == 0)
		why = "directory without its first block";
	if (why) {
		finding(ck, true, "directory %u: entry \"%.*s\" (inode %u): %s", (unsigned)dir,
			e->name_len <= FSK_NAME_MAX ? e->name_len : 0, e->name, (unsigned)e->ino, why);
		memset(e, 0, sizeof(*e));
		return true;
	}
	ck->names[e->ino]++;
	if (type_of(in) == FSK_S_IFDIR) {
		ck->subdirs[dir]++;
		push(ck, sp, e->ino, dir);
	}
	ck->st[e->ino] = ST_REACHED;
	type = (uint8_t)mode_dtype(in->mode);
	if (e->type == type)
		return false;
	finding(ck, true, "directory %u: entry \"%.*s\": type %u, inode is %u", (unsigned)dir,
		e->name_len, e->name, e->type, type);
	e->type = type;
	return true;
}

static void walk_dir(struct ck *ck, uint32_t dir, uint32_t parent, uint32_t *sp)
{
	const struct fsk_inode *d = ino_at(ck, dir);
	struct fsk_dirent *ents = (struct fsk_dirent *)ck->lvl[0];
	uint64_t nblk = d->size >> ck->g.block_log2;
	bool changed;
	uint32_t b;

	ck->dir_seen_n = 0;
	ck->dir_gen++;                  /* every hashed name of the last directory goes */
	for (uint64_t l = 0; l < nblk; l++) {
		b = dir_map(ck, d, l);
		if (b == 0)
			continue;
		if (ck_read(ck, b, 1, ents)) {
			finding(ck, false, "directory %u: cannot read block %u", (unsigned)dir, (unsigned)b);
			continue;
		}
		changed = false;
		for (uint32_t k = 0; k < ck->epb; k++) {
			uint64_t slot = l * ck->epb + k;
			if (slot == 0)
				changed |= check_dot(ck, dir, &ents[k], ".", dir);
			else if (slot == 1)
				changed |= check_dot(ck, dir, &ents[k], "..", parent);
			else if (ents[k].ino)
				changed |= check_entry(ck, dir, &ents[k], sp);
		}
		if (changed && ck_write(ck, b, 1, ents))
			finding(ck, false, "directory %u: cannot write block %u", (unsigned)dir, (unsigned)b);
	}
}

static int pass_tree(struct ck *ck)
{
	struct fsk_inode *root = ino_at(ck, FSK_ROOT_INO);
	uint32_t sp = 0, dir, parent;

	if (ck->st[FSK_ROOT_INO] != ST_USED || type_of(root) != FSK_S_IFDIR || root->block[0] == 0) {
		finding(ck, false, "root inode is not a directory with a first block");
		return -EINVAL;
	}
	ck->st[FSK_ROOT_INO] = ST_REACHED;
	push(ck, &sp, FSK_ROOT_INO, FSK_ROOT_INO);
	while (sp) {
		parent = ck->stack[--sp];
		dir = ck->stack[--sp];
		walk_dir(ck, dir, parent, &sp);
	}
	return 0;
}

/* ---- orphans, links, bitmaps ---------------------------------------------------------- */

static void pass_orphans(struct ck *ck)
{
	for (uint32_t i = 1; i <= ck->g.inodes; i++) {
		struct fsk_inode *in = ino_at(ck, i);
		if (ck->st[i] != ST_USED)
			continue;
		finding(ck, true, "inode %u (mode 0%o, %u links) has no name", (unsigned)i,
			(unsigned)in->mode, (unsigned)in->nlink);
		if (!inline_link(in)) {
			for (uint32_t k = 0; k < FSK_NDIRECT; k++)
				unclaim(ck, in->block[k], 0);
			for (int d = 1; d <= 3; d++)
				unclaim(ck, in->block[FSK_NDIRECT + d - 1], d);
		}
		clear_inode(ck, i);
	}
}

static void pass_links(struct ck *ck)
{
	for (uint32_t i = 1; i <= ck->g.inodes; i++) {
		struct fsk_inode *in = ino_at(ck, i);
		uint32_t want;
		if (ck->st[i] != ST_REACHED)
			continue;
		switch (type_of(in)) {
		case FSK_S_IFDIR: want = 2 + ck->subdirs[i]; ck->r->dirs++; break;
		case FSK_S_IFLNK: want = ck->names[i]; ck->r->symlinks++; break;
		default: want = ck->names[i]; ck->r->files++; break;
		}
		if (in->nlink == want)
			continue;
		finding(ck, true, "inode %u: link count %u, counted %u", (unsigned)i,
			(unsigned)in->nlink, (unsigned)want);
		in->nlink = want;
		ino_dirty(ck, i);
	}
}

/* Compares a bitmap area with what it should be; one finding per area. */
static int fix_map(struct ck *ck, const char *what, uint8_t *map, const uint8_t *want,
		   uint32_t start, uint32_t blocks)
{
	size_t len = (size_t)blocks << ck->g.block_log2;
	uint32_t wrong = 0, first = 0;

	for (size_t i = 0; i < len * 8; i++)
		if (bit_get(map, (uint32_t)i) != bit_get(want, (uint32_t)i) && !wrong++)
			first = (uint32_t)i;
	if (!wrong)
		return 0;
	finding(ck, true, "%s bitmap: %u bits wrong (first: %u)", what, (unsigned)wrong,
		(unsigned)first);
	memcpy(map, want, len);
	return ck_write(ck, start, blocks, map);
}

static int pass_bitmaps(struct ck *ck)
{
	size_t ilen = (size_t)ck->g.ibitmap_blocks << ck->g.block_log2;
	uint8_t *iwant = calloc(1, ilen);
	int err;

	if (!iwant)
		return -ENOMEM;
	for (size_t i = 0; i < ilen * 8; i++)
		if (i == 0 || i > ck->g.inodes || ck->st[i] == ST_REACHED)
			bit_set(iwant, (uint32_t)i, true);
	err = fix_map(ck, "inode", ck->imap, iwant, ck->g.ibitmap_start, ck->g.ibitmap_blocks);
	free(iwant);
	if (!err)
		err = fix_map(ck, "block", ck->bmap, ck->seen, ck->g.bbitmap_start,
			      ck->g.bbitmap_blocks);
	for (uint32_t b = ck->g.data_start; b < ck->g.backup; b++)
		ck->r->used_blocks += bit_get(ck->seen, b);
	return err;
}

/* ---- driver ------------------------------------------------------------------------ */

static int ck_alloc(struct ck *ck)
{
	const struct fsk_geometry *g = &ck->g;
	size_t bmlen = (size_t)g->bbitmap_blocks << g->block_log2;

	ck->ppb = g->block_size / 4;
	ck->epb = g->block_size / FSK_DIRENT_SIZE;
	ck->itab = malloc((size_t)g->itable_blocks << g->block_log2);
	ck->itab_dirty = calloc(g->itable_blocks, 1);
	ck->imap = malloc((size_t)g->ibitmap_blocks << g->block_log2);
	ck->bmap = malloc(bmlen);
	ck->seen = calloc(1, bmlen);
	ck->st = calloc((size_t)g->inodes + 1, 1);
	ck->names = calloc((size_t)g->inodes + 1, sizeof(uint32_t));
	ck->subdirs = calloc((size_t)g->inodes + 1, sizeof(uint32_t));
	ck->stack = malloc(2 * ((size_t)g->inodes + 1) * sizeof(uint32_t));
	for (int i = 0; i < 4; i++)
		ck->lvl[i] = malloc(g->block_size);
	if (!ck->itab || !ck->itab_dirty || !ck->imap || !ck->bmap || !ck->seen || !ck->st ||
	    !ck->names || !ck->subdirs || !ck->stack || !ck->lvl[0] || !ck->lvl[1] ||
	    !ck->lvl[2] || !ck->lvl[3])
		return -ENOMEM;
	for (uint64_t b = 0; b < bmlen * 8; b++)
		if (b < g->data_start || b >= g->backup)
			bit_set(ck->seen, (uint32_t)b, true);
	return 0;
}

static void ck_free(struct ck *ck)
{
	free(ck->itab);
	free(ck->itab_dirty);
	free(ck->imap);
	free(ck->bmap);
	free(ck->seen);
	free(ck->st);
	free(ck->names);
	free(ck->subdirs);
	free(ck->stack);
	free(ck->dir_seen);
	free(ck->dir_hash);
	for (int i = 0; i < 4; i++)
		free(ck->lvl[i]);
}

static int write_back(struct ck *ck)
{
	uint8_t *blk = ck->lvl[0];
	int err = 0;

	for (uint32_t b = 0; !err && b < ck->g.itable_blocks; b++)
		if (ck->itab_dirty[b])
			err = ck_write(ck, ck->g.itable_start + b, 1,
				       ck->itab + ((size_t)b << ck->g.block_log2));
	if (err || !ck->repair)
		return err;
	if (ck->dev->flush)
		err = ck->dev->flush(ck->dev->ctx);
	if (err || (ck->sb.state == FSK_STATE_CLEAN && !ck->sb_restored))
		return err;
	ck->sb.state = FSK_STATE_CLEAN;
	ck->sb.crc = fsk_super_crc(&ck->sb);
	memset(blk, 0, ck->g.block_size);
	memcpy(blk, &ck->sb, sizeof(ck->sb));
	err = ck_write(ck, 0, 1, blk);
	if (!err && ck->dev->flush)
		err = ck->dev->flush(ck->dev->ctx);
	return err;
}

static int check_all(struct ck *ck)
{
	int err = check_super(ck);

	if (err)
		return err;
	err = ck_alloc(ck);
	if (!err)
		err = ck_read(ck, ck->g.itable_start, ck->g.itable_blocks, ck->itab);
	if (!err)
		err = ck_read(ck, ck->g.ibitmap_start, ck->g.ibitmap_blocks, ck->imap);
	if (!err)
		err = ck_read(ck, ck->g.bbitmap_start, ck->g.bbitmap_blocks, ck->bmap);
	if (!err)
		err = check_backup(ck);
	if (err)
		return err;
	pass_fields(ck);
	pass_blocks(ck);
	err = pass_tree(ck);
	if (err)
		return err;
	pass_orphans(ck);
	pass_links(ck);
	err = pass_bitmaps(ck);
	return err ? err : write_back(ck);
}

int fsk_check(const struct fsk_blkdev *dev, unsigned flags, fsk_say_fn *say, void *ctx,
	      struct fsk_check_result *r)
{
	struct ck ck = { .dev = dev, .repair = flags & FSK_CHECK_REPAIR, .say = say, .ctx = ctx,
			 .r = r };
	int err;

	memset(r, 0, sizeof(*r));
	err = check_all(&ck);
	ck_free(&ck);
	if (err == -ENOMEM || (err && !ck.unfixable)) {
		finding(&ck, false, "check stopped: error %d", err);
		return FSK_CHECK_FAILED;
	}
	if (r->found == 0)
		return FSK_CHECK_CLEAN;
	return ck.repair && !ck.unfixable ? FSK_CHECK_FIXED : FSK_CHECK_UNFIXED;
}
