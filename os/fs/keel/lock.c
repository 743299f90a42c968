/* The core's calls for a mounted volume, each under the locks fsk_impl.h
 * orders: the namespace lock shared or exclusive, then, for a call on one
 * inode's contents or record, that inode's stripe.  The bodies (core_*)
 * take the allocation and block-cache locks themselves where they reach
 * the shared bitmaps and cache. */
#include <errno.h>
#include "fsk_impl.h"

int fsk_locks_init(struct fsk *fs)
{
	if (pthread_rwlock_init(&fs->ns, NULL))
		return -ENOMEM;
	for (uint32_t i = 0; i < ILOCK_STRIPES; i++)
		pthread_mutex_init(&fs->ilock[i], NULL);
	pthread_mutex_init(&fs->alloc, NULL);
	for (uint32_t i = 0; i < BCACHE_SLOTS; i++)
		pthread_mutex_init(&fs->bc[i], NULL);
	fs->locks_ready = true;
	return 0;
}

void fsk_locks_destroy(struct fsk *fs)
{
	if (!fs->locks_ready)
		return;
	pthread_rwlock_destroy(&fs->ns);
	for (uint32_t i = 0; i < ILOCK_STRIPES; i++)
		pthread_mutex_destroy(&fs->ilock[i]);
	pthread_mutex_destroy(&fs->alloc);
	for (uint32_t i = 0; i < BCACHE_SLOTS; i++)
		pthread_mutex_destroy(&fs->bc[i]);
	fs->locks_ready = false;
}

static void shared(struct fsk *fs)
{
	pthread_rwlock_rdlock(&fs->ns);
}

static void exclusive(struct fsk *fs)
{
	pthread_rwlock_wrlock(&fs->ns);
}

static void ns_done(struct fsk *fs)
{
	pthread_rwlock_unlock(&fs->ns);
}

/* Shared namespace, then inode ino's stripe. */
static pthread_mutex_t *inode_lock(struct fsk *fs, uint32_t ino)
{
	pthread_mutex_t *m = &fs->ilock[ino % ILOCK_STRIPES];

	shared(fs);
	pthread_mutex_lock(m);
	return m;
}

static void inode_done(struct fsk *fs, pthread_mutex_t *m)
{
	pthread_mutex_unlock(m);
	ns_done(fs);
}

/* Return call's value, run under the namespace lock (taken by `take`:
 * shared or exclusive), or under inode ino's. */
#define WITH_NS(take, call) do { \
	take(fs); \
	__typeof__(call) r_ = (call); \
	ns_done(fs); \
	return r_; \
} while (0)

#define WITH_INODE(ino, call) do { \
	pthread_mutex_t *m_ = inode_lock(fs, ino); \
	__typeof__(call) r_ = (call); \
	inode_done(fs, m_); \
	return r_; \
} while (0)

/* ---- names: read under the shared lock, changed under the exclusive one ---- */

int fsk_lookup(struct fsk *fs, uint32_t dir, const char *name, uint32_t *ino)
{
	WITH_NS(shared, core_lookup(fs, dir, name, ino));
}

int fsk_resolve(struct fsk *fs, const char *path, bool follow, uint32_t *ino)
{
	WITH_NS(shared, core_resolve(fs, path, follow, ino));
}

int fsk_readdir(struct fsk *fs, uint32_t dir, uint64_t *pos, struct fsk_dirinfo *d)
{
	WITH_NS(shared, core_readdir(fs, dir, pos, d));
}

/* A link's target never changes after fsk_symlink: the shared lock will do. */
int fsk_readlink(struct fsk *fs, uint32_t ino, char *buf, size_t len)
{
	WITH_NS(shared, core_readlink(fs, ino, buf, len));
}

int fsk_create(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
	       uint32_t gid, uint32_t *ino)
{
	WITH_NS(exclusive, core_create(fs, dir, name, mode, uid, gid, ino));
}

int fsk_mkdir(struct fsk *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
	      uint32_t gid, uint32_t *ino)
{
	WITH_NS(exclusive, core_mkdir(fs, dir, name, mode, uid, gid, ino));
}

int fsk_symlink(struct fsk *fs, uint32_t dir, const char *name, const char *target, uint32_t uid,
		uint32_t gid, uint32_t *ino)
{
	WITH_NS(exclusive, core_symlink(fs, dir, name, target, uid, gid, ino));
}

int fsk_link(struct fsk *fs, uint32_t ino, uint32_t dir, const char *name)
{
	WITH_NS(exclusive, core_link(fs, ino, dir, name));
}

int fsk_unlink(struct fsk *fs, uint32_t dir, const char *name)
{
	WITH_NS(exclusive, core_unlink(fs, dir, name));
}

int fsk_rmdir(struct fsk *fs, uint32_t dir, const char *name)
{
	WITH_NS(exclusive, core_rmdir(fs, dir, name));
}

int fsk_rename(struct fsk *fs, uint32_t sdir, const char *sname, uint32_t ddir, const char *dname)
{
	WITH_NS(exclusive, core_rename(fs, sdir, sname, ddir, dname));
}

/* Freeing an inode is a change of the namespace's: nobody may be half-way
 * through a walk that reached it. */
int fsk_forget(struct fsk *fs, uint32_t ino)
{
	WITH_NS(exclusive, core_forget(fs, ino));
}

/* ---- one inode's contents and record ----------------------------------------- */

int64_t fsk_read(struct fsk *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
	WITH_INODE(ino, core_read(fs, ino, off, buf, len));
}

int64_t fsk_write(struct fsk *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
	WITH_INODE(ino, core_write(fs, ino, off, buf, len));
}

int fsk_truncate(struct fsk *fs, uint32_t ino, uint64_t size)
{
	WITH_INODE(ino, core_truncate(fs, ino, size));
}

int fsk_stat(struct fsk *fs, uint32_t ino, struct fsk_stat *st)
{
	WITH_INODE(ino, core_stat(fs, ino, st));
}

int fsk_setattr(struct fsk *fs, uint32_t ino, const struct fsk_attr *a, unsigned mask)
{
	WITH_INODE(ino, core_setattr(fs, ino, a, mask));
}

int fsk_bmap(struct fsk *fs, uint32_t ino, uint64_t lblk, uint32_t *pblk)
{
	WITH_INODE(ino, core_bmap(fs, ino, lblk, pblk));
}

/* After the file's own writes that returned (its stripe waits for one
 * under way), the device's barrier. */
int fsk_fsync(struct fsk *fs, uint32_t ino)
{
	WITH_INODE(ino, core_fsync(fs, ino));
}

/* ---- the volume ------------------------------------------------------------------- */

int fsk_sync(struct fsk *fs)
{
	WITH_NS(shared, core_sync(fs));
}

int fsk_statvfs(struct fsk *fs, struct fsk_statvfs *sv)
{
	pthread_mutex_lock(&fs->alloc);
	int r = core_statvfs(fs, sv);
	pthread_mutex_unlock(&fs->alloc);
	return r;
}
