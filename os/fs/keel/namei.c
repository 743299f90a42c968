/* Names: create, mkdir, symlink, link, unlink, rmdir, rename and path
 * resolution.  Each change is a sequence of single-sector writes in the
 * order of fskeel.h's rules; the comments at each step say which rule puts
 * it there.  A cut between any two steps leaves only what fsck-keel calls
 * a leak or a high link count. */
#include <errno.h>
#include <string.h>
#include "fsk_impl.h"

#define SYMLINK_DEPTH 8
#define NLINK_MAX 0xfffffffeu

/* Loads the directory dir for a change. */
static int dir_for_change(struct fsk *fs, uint32_t dir, struct fsk_inode *d)
{
	int err;

	if (fs->rdonly)
		return -EROFS;
	err = inode_get(fs, dir, d);
	if (err)
		return err == -ENOENT ? -EIO : err;
	if ((d->mode & FSK_S_IFMT) != FSK_S_IFDIR)
		return -ENOTDIR;
	return d->nlink == 0 ? -ENOENT : 0;     /* being removed */
}

/* Common start of a creation: dir is a directory, name is valid and free. */
static int create_check(struct fsk *fs, uint32_t dir, struct fsk_inode *d, const char *name)
{
	uint32_t other;
	int err = dir_for_change(fs, dir, d);

	if (!err)
		err = name_check(name);
	if (!err) {
		err = dir_find(fs, d, name, &other, NULL);
		if (err == 0)
			return -EEXIST;
		if (err == -ENOENT)
			err = 0;
	}
	return err;
}

/* Writes *in into the newly allocated inode ino (rule 2), keeping the
 * generation count of its last user; frees ino on failure. */
static int inode_fill(struct fsk *fs, uint32_t ino, struct fsk_inode *in)
{
	struct fsk_inode old;
	int err;

	if (inode_get(fs, ino, &old) == -ENOENT)
		in->generation = old.generation + 1;
	err = inode_put(fs, ino, in);
	if (!err)
		err = bc_barrier(fs);
	if (err)
		free_inode(fs, ino);
	return err;
}

/* Allocates an inode (rule 1) that is free on disk too.  The bitmap is the
 * allocator's word, but a corrupt one (mount does not check it against the
 * table) would hand out a live inode, and the create overwrite it and cut
 * its subtree off: an inode in use (or unreadable) keeps its bit, now
 * right, and the next is tried. */
static int alloc_free_inode(struct fsk *fs, uint32_t *ino)
{
	struct fsk_inode old;

	for (uint32_t tries = 0; tries < fs->g.inodes; tries++) {
		int err = alloc_inode(fs, ino);
		if (err)
			return err;
		if (inode_get(fs, *ino, &old) == -ENOENT)
			return 0;
	}
	return -ENOSPC;
}

/* Allocates an inode (rule 1) and writes *in into it. */
static int inode_new(struct fsk *fs, struct fsk_inode *in, uint32_t *ino)
{
	int err = alloc_free_inode(fs, ino);

	return err ? err : inode_fill(fs, *ino, in);
}

/* Names a new inode in dir; on failure frees it again. */
static int name_new(struct fsk *fs, uint32_t dir, struct fsk_inode *d, const char *name,
		    uint32_t ino, struct fsk_inode *in, uint32_t *out)
{
	int err = dir_add(fs, dir, d, name, ino, mode_dtype(in->mode));

	if (err) {
		in->nlink = 0;
		inode_release(fs, ino, in);
		return err;
	}
	if (out)
		*out = ino;
	return bc_barrier(fs);
}

int core_create(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
		uint32_t gid, uint32_t *out)
{
	struct fsk_inode d, in = { 0 };
	uint32_t ino;
	int err = create_check(fs, dir, &d, name);

	if (err)
		return err;
	inode_init(fs, &in, FSK_S_IFREG | (mode & FSK_S_PERM), uid, gid);
	err = inode_new(fs, &in, &ino);
	return err ? err : name_new(fs, dir, &d, name, ino, &in, out);
}

int core_mkdir(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
	       uint32_t gid, uint32_t *out)
{
	uint8_t blk[FSK_MAX_BLOCK];
	struct fsk_inode d, in = { 0 };
	uint32_t ino, b;
	int err = create_check(fs, dir, &d, name);

	if (err)
		return err;
	if (d.nlink >= NLINK_MAX)
		return -EMLINK;
	err = alloc_free_inode(fs, &ino);
	if (err)
		return err;
	err = alloc_block(fs, &b);
	if (err) {
		free_inode(fs, ino);
		return err;
	}
	dir_block_init(blk, fs->g.block_size, ino, dir);
	inode_init(fs, &in, FSK_S_IFDIR | (mode & FSK_S_PERM), uid, gid);
	in.nlink = 2;
	in.size = fs->g.block_size;
	in.block[0] = b;
	in.nblocks = 1;
	err = bc_write(fs, b, blk);               /* rule 2: block before inode */
	if (!err)
		err = inode_fill(fs, ino, &in);
	else
		free_inode(fs, ino);
	if (err) {
		free_block(fs, b);
		return err;
	}
	d.nlink++;                                /* rule 3: the new ".." */
	err = inode_put(fs, dir, &d);
	if (!err)
		err = bc_barrier(fs);
	if (!err)
		err = name_new(fs, dir, &d, name, ino, &in, out);
	if (err) {
		d.nlink--;
		inode_put(fs, dir, &d);
	}
	return err;
}

int core_symlink(struct fsk *fs, uint32_t dir, const char *name, const char *target, uint32_t uid,
		 uint32_t gid, uint32_t *out)
{
	uint8_t blk[FSK_MAX_BLOCK];
	struct fsk_inode d, in = { 0 };
	size_t n = strnlen(target, FSK_PATH_MAX + 1);
	uint32_t ino, b = 0;
	int err;

	if (n == 0)
		return -ENOENT;
	if (n > FSK_PATH_MAX || n >= fs->g.block_size)
		return -ENAMETOOLONG;
	err = create_check(fs, dir, &d, name);
	if (err)
		return err;
	inode_init(fs, &in, FSK_S_IFLNK | 0777, uid, gid);
	in.size = n;
	if (n <= FSK_INLINE_MAX) {
		memcpy(in.block, target, n);
	} else {
		err = alloc_block(fs, &b);
		if (err)
			return err;
		memset(blk, 0, fs->g.block_size);
		memcpy(blk, target, n);
		err = bc_write(fs, b, blk);       /* rule 2 */
		if (err) {
			free_block(fs, b);
			return err;
		}
		in.block[0] = b;
		in.nblocks = 1;
	}
	err = inode_new(fs, &in, &ino);
	if (err) {
		if (b)
			free_block(fs, b);
		return err;
	}
	return name_new(fs, dir, &d, name, ino, &in, out);
}

int core_link(struct fsk *fs, uint32_t ino, uint32_t dir, const char *name)
{
	struct fsk_inode d, in;
	int err = create_check(fs, dir, &d, name);

	if (err)
		return err;
	err = inode_get(fs, ino, &in);
	if (err)
		return err == -ENOENT ? -EIO : err;
	if ((in.mode & FSK_S_IFMT) == FSK_S_IFDIR)
		return -EPERM;
	if (in.nlink == 0)
		return -ENOENT;                   /* its names all went: it is going */
	if (in.nlink >= NLINK_MAX)
		return -EMLINK;
	in.nlink++;                               /* rule 3: count before name */
	in.ctime_ns = fsk_now(fs);
	err = inode_put(fs, ino, &in);
	if (!err)
		err = bc_barrier(fs);
	if (!err)
		err = dir_add(fs, dir, &d, name, ino, mode_dtype(in.mode));
	if (err) {
		in.nlink--;
		inode_put(fs, ino, &in);
	}
	return err;
}

/* The inodes kept for their last close (fsk_impl.h, kept). */
static void keep(struct fsk *fs, uint32_t ino)
{
	__atomic_fetch_or(&fs->kept[ino / 32], 1u << (ino % 32), __ATOMIC_RELAXED);
}

/* Was ino kept for its last close (and is it no more)? */
static bool unkeep(struct fsk *fs, uint32_t ino)
{
	uint32_t bit = 1u << (ino % 32);

	return ino <= fs->g.inodes &&
	       (__atomic_fetch_and(&fs->kept[ino / 32], ~bit, __ATOMIC_RELAXED) & bit);
}

/* Drops one link of ino (its name is already gone: rule 3) and frees it
 * with the last, unless it is open: then fsk_forget frees it. */
static int drop_link(struct fsk *fs, uint32_t ino, struct fsk_inode *in)
{
	in->nlink = in->nlink ? in->nlink - 1 : 0;
	in->ctime_ns = fsk_now(fs);
	if (in->nlink > 0)
		return inode_put(fs, ino, in);
	if (fs->in_use && fs->in_use(fs->in_use_ctx, ino)) {
		keep(fs, ino);
		return inode_put(fs, ino, in);
	}
	return inode_release(fs, ino, in);
}

void fsk_set_in_use(struct fsk *fs, bool (*in_use)(void *ctx, uint32_t ino), void *ctx)
{
	fs->in_use = in_use;
	fs->in_use_ctx = ctx;
}

int core_forget(struct fsk *fs, uint32_t ino)
{
	struct fsk_inode in;
	int err;

	if (fs->rdonly || !unkeep(fs, ino))
		return 0;                         /* nothing was kept: no unlink here */
	err = inode_get(fs, ino, &in);
	if (err == -ENOENT)
		return 0;                         /* freed already */
	if (err || in.nlink > 0)
		return err;                       /* a directory has 2 or more until rmdir */
	return inode_release(fs, ino, &in);
}

/* Finds name in dir for removal: the entry's slot and its inode. */
static int find_victim(struct fsk *fs, uint32_t dir, struct fsk_inode *d, const char *name,
		       uint32_t *ino, uint64_t *slot, struct fsk_inode *in)
{
	int err = dir_for_change(fs, dir, d);

	if (!err)
		err = name_check(name);
	if (!err)
		err = dir_find(fs, d, name, ino, slot);
	if (!err && *slot < 2)
		err = -EIO;                       /* "." and ".." are slots 0, 1 only */
	if (!err) {
		err = inode_get(fs, *ino, in);
		if (err == -ENOENT)
			err = -EIO;
	}
	return err;
}

int core_unlink(struct fsk *fs, uint32_t dir, const char *name)
{
	struct fsk_inode d, in;
	uint32_t ino;
	uint64_t slot;
	int err = find_victim(fs, dir, &d, name, &ino, &slot, &in);

	if (err)
		return err;
	if ((in.mode & FSK_S_IFMT) == FSK_S_IFDIR)
		return -EISDIR;
	err = dir_clear(fs, dir, &d, slot);       /* rule 3: name first */
	if (!err)
		err = bc_barrier(fs);
	return err ? err : drop_link(fs, ino, &in);
}

/* Frees an empty directory whose name is gone and lowers its parent's
 * count for its "..".  One the server has open (POSIX rmdir) loses its
 * entries (its blocks: "." and ".." with them) and stays, with no links
 * and no size, reading as empty and taking no new names (dir_for_change),
 * until fsk_forget frees it at its last close; a cut meanwhile leaves an
 * inode with no name, which fsck frees. */
static int dir_release(struct fsk *fs, uint32_t ino, struct fsk_inode *in, uint32_t parent,
		       struct fsk_inode *p)
{
	int err;

	in->nlink = 0;
	if (fs->in_use && fs->in_use(fs->in_use_ctx, ino)) {
		keep(fs, ino);
		err = inode_shrink(fs, ino, in, 0);
		if (!err) {
			in->size = 0;
			in->ctime_ns = fsk_now(fs);
			err = inode_put(fs, ino, in);
		}
	} else {
		err = inode_release(fs, ino, in);
	}
	if (err)
		return err;
	p->nlink = p->nlink > 2 ? p->nlink - 1 : 2;
	p->ctime_ns = fsk_now(fs);
	return inode_put(fs, parent, p);
}

int core_rmdir(struct fsk *fs, uint32_t dir, const char *name)
{
	struct fsk_inode d, in;
	uint32_t ino;
	uint64_t slot;
	int err;

	if (name_check(name) == -EINVAL && strchr(name, '/') == NULL && name[0])
		return -EINVAL;                   /* "." or ".." */
	err = find_victim(fs, dir, &d, name, &ino, &slot, &in);
	if (err)
		return err;
	if ((in.mode & FSK_S_IFMT) != FSK_S_IFDIR)
		return -ENOTDIR;
	if (ino == FSK_ROOT_INO)
		return -EBUSY;
	err = dir_is_empty(fs, &in);
	if (err <= 0)
		return err ? err : -ENOTEMPTY;
	err = dir_clear(fs, dir, &d, slot);       /* rule 3: name first */
	if (!err)
		err = bc_barrier(fs);
	return err ? err : dir_release(fs, ino, &in, dir, &d);
}

/* ---- rename -------------------------------------------------------------------- */

/* Whether directory anc is dir or one of its ancestors (walking ".."). */
static int is_ancestor(struct fsk *fs, uint32_t anc, uint32_t dir)
{
	struct fsk_inode d;
	uint32_t up;
	int err;

	for (uint32_t steps = 0; steps <= fs->g.inodes; steps++) {
		if (dir == anc)
			return 1;
		if (dir == FSK_ROOT_INO)
			return 0;
		err = inode_get(fs, dir, &d);
		if (!err && (d.mode & FSK_S_IFMT) != FSK_S_IFDIR)
			err = -EIO;
		if (!err)       /* slot 1: a scan by name of a huge (sparse) directory
				 * at each step made a crafted tree take minutes */
			err = dir_dots(fs, dir, &d, &up);
		if (err)
			return err;
		dir = up;
	}
	return -EIO;                              /* a loop of ".." */
}

struct rename_op {
	uint32_t sdir, ddir, sino, dino;
	uint64_t sslot, dslot;
	struct fsk_inode sd, dd, s, t;            /* source dir, dest dir, source, target */
	bool is_dir, replace;
};

/* Checks everything before the first write. */
static int rename_check(struct fsk *fs, struct rename_op *op, const char *sname,
			const char *dname)
{
	int err = find_victim(fs, op->sdir, &op->sd, sname, &op->sino, &op->sslot, &op->s);

	if (!err)
		err = dir_for_change(fs, op->ddir, &op->dd);
	if (!err)
		err = name_check(dname);
	if (err)
		return err;
	op->is_dir = (op->s.mode & FSK_S_IFMT) == FSK_S_IFDIR;
	err = dir_find(fs, &op->dd, dname, &op->dino, &op->dslot);
	op->replace = err == 0;
	if (err && err != -ENOENT)
		return err;
	if (op->replace) {
		err = inode_get(fs, op->dino, &op->t);
		if (err)
			return err == -ENOENT ? -EIO : err;
		if (op->dslot < 2)
			return -EIO;
		if (op->is_dir && (op->t.mode & FSK_S_IFMT) != FSK_S_IFDIR)
			return -ENOTDIR;
		if (!op->is_dir && (op->t.mode & FSK_S_IFMT) == FSK_S_IFDIR)
			return -EISDIR;
		if (op->is_dir && op->dino != op->sino) {
			err = dir_is_empty(fs, &op->t);
			if (err <= 0)
				return err ? err : -ENOTEMPTY;
		}
	}
	if (op->is_dir && op->sdir != op->ddir) {
		err = dir_dots(fs, op->sino, &op->s, NULL);     /* its ".." is rewritten */
		if (err)
			return err;
	}
	if (op->is_dir) {
		err = is_ancestor(fs, op->sino, op->ddir);
		if (err)
			return err > 0 ? -EINVAL : err;
		if (op->dd.nlink >= NLINK_MAX || op->s.nlink >= NLINK_MAX)
			return -EMLINK;
	}
	return 0;
}

/* Steps 1-2: counts up (rule 3), then the new name. */
static int rename_link(struct fsk *fs, struct rename_op *op, const char *dname)
{
	bool moves = op->is_dir && op->sdir != op->ddir;
	int err;

	op->s.nlink++;
	op->s.ctime_ns = fsk_now(fs);
	err = inode_put(fs, op->sino, &op->s);
	if (!err && moves) {
		op->dd.nlink++;
		err = inode_put(fs, op->ddir, &op->dd);
	}
	if (!err)
		err = bc_barrier(fs);
	if (err)
		return err;
	if (op->replace)
		err = dir_set_ino(fs, op->ddir, &op->dd, op->dslot, op->sino, mode_dtype(op->s.mode));
	else
		err = dir_add(fs, op->ddir, &op->dd, dname, op->sino, mode_dtype(op->s.mode));
	return err ? err : bc_barrier(fs);
}

/* Steps 3-5: the old name goes, then counts down (rule 3), then the moved
 * directory's "..", then the replaced inode. */
static int rename_unlink(struct fsk *fs, struct rename_op *op)
{
	bool moves = op->is_dir && op->sdir != op->ddir;
	int err;

	if (op->sdir == op->ddir)
		op->sd = op->dd;
	err = dir_clear(fs, op->sdir, &op->sd, op->sslot);
	if (op->sdir == op->ddir)
		op->dd = op->sd;
	if (!err)
		err = bc_barrier(fs);
	if (err)
		return err;
	op->s.nlink--;
	err = inode_put(fs, op->sino, &op->s);
	if (!err && moves)
		err = dir_set_ino(fs, op->sino, &op->s, 1, op->ddir, FSK_DT_DIR);
	if (!err && moves) {
		op->sd.nlink = op->sd.nlink > 2 ? op->sd.nlink - 1 : 2;
		err = inode_put(fs, op->sdir, &op->sd);
	}
	if (!err)
		err = bc_barrier(fs);
	if (err || !op->replace)
		return err;
	if (op->is_dir) {
		if (op->sdir == op->ddir)
			op->dd = op->sd;
		return dir_release(fs, op->dino, &op->t, op->ddir, &op->dd);
	}
	return drop_link(fs, op->dino, &op->t);
}

int core_rename(struct fsk *fs, uint32_t sdir, const char *sname, uint32_t ddir, const char *dname)
{
	struct rename_op op = { .sdir = sdir, .ddir = ddir };
	int err;

	if (name_check(sname) == -EINVAL || name_check(dname) == -EINVAL)
		return fs->rdonly ? -EROFS : -EINVAL;
	err = rename_check(fs, &op, sname, dname);
	if (err)
		return err;
	if (op.replace && op.dino == op.sino)
		return 0;                         /* two names of one inode */
	err = rename_link(fs, &op, dname);
	return err ? err : rename_unlink(fs, &op);
}

/* ---- paths --------------------------------------------------------------------- */

int core_readlink(struct fsk *fs, uint32_t ino, char *buf, size_t len)
{
	struct fsk_inode in;
	size_t n;
	int err = inode_get(fs, ino, &in);

	if (err)
		return err == -ENOENT ? -EIO : err;
	if ((in.mode & FSK_S_IFMT) != FSK_S_IFLNK)
		return -EINVAL;
	if (len == 0)
		return (int)in.size;
	n = in.size < len - 1 ? (size_t)in.size : len - 1;
	if (in.size <= FSK_INLINE_MAX)
		memcpy(buf, in.block, n);
	else if ((err = bc_peek(fs, in.block[0], 0, buf, (uint32_t)n)))
		return err;
	buf[n] = 0;
	return (int)in.size;
}

/* Walks path from directory `at` (an absolute path restarts at the root);
 * *links counts the symbolic links followed so far. */
static int walk(struct fsk *fs, uint32_t at, const char *path, bool follow, int *links,
		uint32_t *out)
{
	char name[FSK_NAME_MAX + 1], target[FSK_PATH_MAX + 1];
	struct fsk_inode in;
	uint32_t cur = at, next;
	size_t n;
	int err;

	while (*path) {
		if (*path == '/') {
			path++;
			continue;
		}
		n = strcspn(path, "/");
		if (n > FSK_NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(name, path, n);
		name[n] = 0;
		path += n;
		err = core_lookup(fs, cur, name, &next);
		if (err)
			return err;
		err = inode_get(fs, next, &in);
		if (err)
			return err == -ENOENT ? -EIO : err;
		if ((in.mode & FSK_S_IFMT) == FSK_S_IFLNK && (*path || follow)) {
			if (++*links > SYMLINK_DEPTH)
				return -ELOOP;
			err = core_readlink(fs, next, target, sizeof(target));
			if (err < 0)
				return err;
			err = walk(fs, target[0] == '/' ? FSK_ROOT_INO : cur, target, true, links,
				   &next);
			if (err)
				return err;
		}
		cur = next;
	}
	*out = cur;
	return 0;
}

int core_resolve(struct fsk *fs, const char *path, bool follow, uint32_t *ino)
{
	int links = 0;

	return walk(fs, FSK_ROOT_INO, path, follow, &links, ino);
}
