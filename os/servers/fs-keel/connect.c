/* fs-keel connect handlers: open (and create), the combine's open, unlink
 * and rmdir, mkdir, link and symlink, rename, readlink.  Each walks the
 * path first (which may answer with a link reply), then checks the
 * client's permission on what it changes (write and search on the
 * directory; with the sticky bit, also owning the file or the directory),
 * as tmpfs does, and only then asks the core, which checks the rest of the
 * rules (empty directories, rename into itself, space) before it writes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fsd.h"
#include "fsrules.h"

/* A core result (0 or -errno) as a handler's (0 or errno). */
static int core(int r)
{
	return r < 0 ? -r : 0;
}

/* fsrules_may_change on inodes: directory dir, and victim (0: none). */
static int may_change(resmgr_context_t *ctp, uint32_t dir, uint32_t victim)
{
	iofunc_attr_t d = { 0 }, v = { 0 };
	int r = attr_load(dir, &d);

	if (!r && victim && (d.mode & S_ISVTX))
		r = attr_load(victim, &v);
	return r ? r : fsrules_may_change(ctp, &d, victim ? &v : NULL, fsd_rdonly);
}

/* fsrules_new_owner for directory dir. */
static int new_owner(resmgr_context_t *ctp, uint32_t dir, uint32_t *uid, uint32_t *gid,
		     uint32_t *setgid)
{
	iofunc_attr_t d = { 0 };
	int r = attr_load(dir, &d);

	return r ? r : fsrules_new_owner(ctp, &d, uid, gid, setgid);
}

/* A new regular file or directory (mode's type) named w->name in w->dir:
 * 0 with *ino set, or an errno. */
static int create(resmgr_context_t *ctp, const struct walk *w, uint32_t mode, uint32_t umask,
		  uint32_t *ino)
{
	uint32_t uid, gid, setgid;
	int r;

	if (fsrules_is_dot(w->name))
		return EEXIST;
	if ((r = may_change(ctp, w->dir, 0)) || (r = new_owner(ctp, w->dir, &uid, &gid, &setgid)))
		return r;
	uint32_t perm = fsrules_new_perm(mode, umask);
	if (S_ISDIR(mode))
		return core(fsk_mkdir(fsd_fs, w->dir, w->name, perm | setgid, uid, gid, ino));
	return core(fsk_create(fsd_fs, w->dir, w->name, perm, uid, gid, ino));
}

/* walk, for a name that must exist. */
static int walk_existing(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w)
{
	int r = walk(ctp, path, flags, w);

	return r ? r : w->ino ? 0 : ENOENT;
}

/* The open control block for inode ino. */
static int make_ocb(uint32_t ino, uint32_t ioflag, iofunc_ocb_t **ocb)
{
	iofunc_ocb_t *o = calloc(1, sizeof *o);
	struct fnode *n;

	if (!o)
		return ENOMEM;
	int r = node_open(ino, &n);
	if (r) {
		free(o);
		return r;
	}
	o->attr = &n->attr;
	o->ioflag = ioflag;
	*ocb = o;
	return 0;
}

/* An open of an existing inode: the rules, then O_TRUNC. */
static int open_existing(resmgr_context_t *ctp, const struct _io_connect *msg, uint32_t ino)
{
	iofunc_attr_t a = { 0 };
	int r = attr_load(ino, &a);

	if (!r)
		r = fsrules_open_existing(ctp, msg, &a, fsd_rdonly);
	if (r)
		return r;
	if ((msg->ioflag & O_TRUNC) && (msg->ioflag & O_ACCMODE) != O_RDONLY &&
	    S_ISREG(a.mode) && a.nbytes)
		return core(fsk_truncate(fsd_fs, ino, 0));
	return 0;
}

static int fs_open_body(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	bool combine = msg->subtype == _IO_CONNECT_COMBINE_CLOSE;
	bool excl = (msg->ioflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	bool follow = !(msg->ioflag & O_NOFOLLOW) && !excl;
	struct walk w;
	uint32_t ino = 0;
	int r = walk(ctp, path, follow ? WALK_FOLLOW : 0, &w);

	if (r)
		return r;
	if (combine)
		return w.ino ? make_ocb(w.ino, O_RDONLY, ocb) : ENOENT;
	bool make;
	if ((r = fsrules_open(msg, w.ino != 0, &make)))
		return r;
	if (!make) {
		ino = w.ino;
		r = open_existing(ctp, msg, ino);
	} else {
		r = create(ctp, &w, S_IFREG | (msg->mode & 07777), msg->umask, &ino);
	}
	return r ? r : make_ocb(ino, msg->ioflag, ocb);
}

static int fs_unlink_body(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			  iofunc_attr_t *attr)
{
	(void)attr;
	iofunc_attr_t a = { 0 };
	struct walk w;
	int r = walk_existing(ctp, path, 0, &w);

	if (r)
		return r;
	if (w.dir && !fsrules_is_dot(w.name) && (r = attr_load(w.ino, &a)))
		return r;
	if ((r = fsrules_remove(msg, !w.dir, w.name, &a)) || (r = may_change(ctp, w.dir, w.ino)))
		return r;
	return core(S_ISDIR(a.mode) ? fsk_rmdir(fsd_fs, w.dir, w.name) :
				      fsk_unlink(fsd_fs, w.dir, w.name));
}

static int fs_mknod_body(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			 iofunc_attr_t *attr)
{
	(void)attr;
	struct walk w;
	uint32_t ino;
	int r = walk(ctp, path, 0, &w);

	if (r || (r = fsrules_mknod(msg, w.ino != 0, false)))
		return r;
	return create(ctp, &w, msg->mode, msg->umask, &ino);
}

static int make_symlink(resmgr_context_t *ctp, const char *path, const char *text)
{
	uint32_t uid, gid, setgid;
	struct walk w;
	int r = walk(ctp, path, 0, &w);

	if (r)
		return r;
	if (w.ino || fsrules_is_dot(w.name))
		return EEXIST;
	if ((r = may_change(ctp, w.dir, 0)) || (r = new_owner(ctp, w.dir, &uid, &gid, &setgid)))
		return r;
	return core(fsk_symlink(fsd_fs, w.dir, w.name, text, uid, gid, NULL));
}

static int fs_link_body(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			const char *extra, iofunc_attr_t *attr)
{
	(void)attr;
	iofunc_attr_t a = { 0 };
	struct walk w, from;
	int r;

	if (msg->extra_type == _IO_CONNECT_EXTRA_SYMLINK)
		return make_symlink(ctp, path, extra);
	if ((r = walk_existing(ctp, extra, WALK_NOLINK, &from)) || (r = attr_load(from.ino, &a)))
		return r;
	if (S_ISDIR(a.mode))
		return EPERM;
	if ((r = walk(ctp, path, 0, &w)))
		return r;
	if (w.ino || fsrules_is_dot(w.name))
		return EEXIST;
	if ((r = may_change(ctp, w.dir, 0)))
		return r;
	return core(fsk_link(fsd_fs, from.ino, w.dir, w.name));
}

/* rename's rules (POSIX.1-2017) that need the client: the mount itself,
 * dot names, a trailing '/' on a file, and the permissions; the core
 * checks the rest. */
static int rename_check(resmgr_context_t *ctp, const struct _io_connect *msg,
			const struct walk *from, const struct walk *to)
{
	iofunc_attr_t s = { 0 };
	int r;

	if ((r = fsrules_rename_names(!from->dir, from->name, !to->dir, to->name)) ||
	    (r = attr_load(from->ino, &s)) || (r = fsrules_rename_source(msg, &s)) ||
	    (r = may_change(ctp, from->dir, from->ino)))
		return r;
	return may_change(ctp, to->dir, to->ino);
}

static int fs_rename_body(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			  const char *extra, iofunc_attr_t *attr)
{
	(void)attr;
	struct walk from, to;
	int r;

	if ((r = walk_existing(ctp, extra, WALK_NOLINK, &from)))
		return r;
	if ((r = walk(ctp, path, 0, &to)))
		return r;
	if (to.ino == from.ino)
		return from.dir && to.dir ? 0 : EBUSY;  /* the same file: nothing to do */
	if ((r = rename_check(ctp, msg, &from, &to)))
		return r;
	return core(fsk_rename(fsd_fs, from.dir, from.name, to.dir, to.name));
}

static int fs_readlink_body(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			    iofunc_attr_t *attr)
{
	(void)msg;
	(void)attr;
	char text[FSK_PATH_MAX + 1];
	struct walk w;
	int r = walk_existing(ctp, path, 0, &w);

	if (r)
		return r;
	r = fsk_readlink(fsd_fs, w.ino, text, sizeof text);
	if (r < 0)
		return -r;
	size_t n = strlen(text);
	return resmgr_reply(ctp, (long)n, text, n);
}

/* ---- the handlers, under fsd_live and fsd_names (fsd.h) ------------------------ */

static pthread_rwlock_t fsd_names = PTHREAD_RWLOCK_INITIALIZER;

/* 0, or ENXIO once the volume is unmounted (a thread may still be at a
 * message it took before the loops were told to end). */
static int names_enter(bool change)
{
	fsd_enter();
	if (change)
		pthread_rwlock_wrlock(&fsd_names);
	else
		pthread_rwlock_rdlock(&fsd_names);
	return fsd_fs ? 0 : ENXIO;
}

static int names_leave(int r)
{
	pthread_rwlock_unlock(&fsd_names);
	fsd_leave();
	return r;
}

/* An open that may make its name changes the name space; one that cannot
 * (no O_CREAT, or a combine's) only reads it. */
static int fs_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		   iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	int r = names_enter(msg->subtype != _IO_CONNECT_COMBINE_CLOSE && (msg->ioflag & O_CREAT));

	return names_leave(r ? r : fs_open_body(ctp, msg, path, attr, ocb));
}

static int fs_unlink(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_attr_t *attr)
{
	int r = names_enter(true);

	return names_leave(r ? r : fs_unlink_body(ctp, msg, path, attr));
}

static int fs_mknod(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr)
{
	int r = names_enter(true);

	return names_leave(r ? r : fs_mknod_body(ctp, msg, path, attr));
}

static int fs_link(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		   const char *extra, iofunc_attr_t *attr)
{
	int r = names_enter(true);

	return names_leave(r ? r : fs_link_body(ctp, msg, path, extra, attr));
}

static int fs_rename(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     const char *extra, iofunc_attr_t *attr)
{
	int r = names_enter(true);

	return names_leave(r ? r : fs_rename_body(ctp, msg, path, extra, attr));
}

static int fs_readlink(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		       iofunc_attr_t *attr)
{
	int r = names_enter(false);

	return names_leave(r ? r : fs_readlink_body(ctp, msg, path, attr));
}

const resmgr_connect_funcs_t fsd_connect = {
	.open = fs_open, .unlink = fs_unlink, .mknod = fs_mknod, .link = fs_link,
	.rename = fs_rename, .readlink = fs_readlink,
};
