/* tmpfs connect handlers: open (and create), the combine's open, unlink
 * and rmdir, mkdir, link and symlink, rename, readlink.  Each walks the
 * path first (which may answer with a link reply), then checks the
 * client's permission on what it changes (write and search on the
 * directory; with the sticky bit, also owning the file or the directory)
 * and changes nothing until every check has passed. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fsrules.h"
#include "tmpfs.h"

static void touch_dir(struct tnode *dir)
{
	dir->attr.mtime_ns = dir->attr.ctime_ns = iofunc_time_now();
}

/* May the client add or remove names in dir (and remove victim, when not
 * NULL, under the sticky bit)?  0, EACCES or EPERM. */
static int may_change(resmgr_context_t *ctp, struct tnode *dir, const struct tnode *victim)
{
	return fsrules_may_change(ctp, &dir->attr, victim ? &victim->attr : NULL, false);
}

/* A new node named w->name in w->dir: 0 or an errno. */
static int create(resmgr_context_t *ctp, const struct walk *w, uint32_t mode, uint32_t umask,
		  struct tnode **out)
{
	uint32_t uid, gid, setgid;

	if (fsrules_is_dot(w->name))
		return EEXIST;
	int r = may_change(ctp, w->dir, NULL);
	if (r || (r = fsrules_new_owner(ctp, &w->dir->attr, &uid, &gid, &setgid)))
		return r;
	struct tnode *n = node_new((mode & S_IFMT) | fsrules_new_perm(mode, umask), uid, gid);
	if (!n)
		return ENOSPC;
	if (S_ISDIR(mode))
		n->attr.mode |= setgid;
	if (dir_add(w->dir, w->name, n)) {
		node_release(n);
		return ENOSPC;
	}
	touch_dir(w->dir);
	*out = n;
	return 0;
}

/* walk, for a name that must exist. */
static int walk_existing(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w)
{
	int r = walk(ctp, path, flags, w);

	return r ? r : w->node ? 0 : ENOENT;
}

/* The open control block for n. */
static int make_ocb(struct tnode *n, uint32_t ioflag, iofunc_ocb_t **ocb)
{
	iofunc_ocb_t *o = calloc(1, sizeof *o);

	if (!o)
		return ENOMEM;
	o->attr = &n->attr;
	o->ioflag = ioflag;
	n->attr.count++;
	*ocb = o;
	return 0;
}

/* An open of an existing node: the rules, then O_TRUNC. */
static int open_node(resmgr_context_t *ctp, const struct _io_connect *msg, struct tnode *n)
{
	int r = fsrules_open_existing(ctp, msg, &n->attr, false);

	if (r)
		return r;
	if ((msg->ioflag & O_TRUNC) && (msg->ioflag & O_ACCMODE) != O_RDONLY &&
	    S_ISREG(n->attr.mode) && n->attr.nbytes) {
		node_set_size(n, 0);
		n->attr.mtime_ns = n->attr.ctime_ns = iofunc_time_now();
	}
	return 0;
}

static int fs_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		   iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	bool combine = msg->subtype == _IO_CONNECT_COMBINE_CLOSE;
	bool excl = (msg->ioflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	bool follow = !(msg->ioflag & O_NOFOLLOW) && !excl;
	struct walk w;
	int r = walk(ctp, path, follow ? WALK_FOLLOW : 0, &w);

	if (r)
		return r;
	struct tnode *n = w.node;
	if (combine)
		return n ? make_ocb(n, O_RDONLY, ocb) : ENOENT;
	bool make;
	if ((r = fsrules_open(msg, n != NULL, &make)))
		return r;
	if (!make) {
		r = open_node(ctp, msg, n);
		if (!r && S_ISFIFO(n->attr.mode))
			return resmgr_fifo_reply(ctp, (uint64_t)getpid(), n->attr.ino);
	} else {
		r = create(ctp, &w, S_IFREG | (msg->mode & 07777), msg->umask, &n);
	}
	return r ? r : make_ocb(n, msg->ioflag, ocb);
}

static int fs_unlink(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_attr_t *attr)
{
	(void)attr;
	struct walk w;
	int r = walk_existing(ctp, path, 0, &w);

	if (r || (r = fsrules_remove(msg, !w.dir, w.name, &w.node->attr)))
		return r;
	bool dir = S_ISDIR(w.node->attr.mode);
	if (dir && !dir_empty(w.node))
		return ENOTEMPTY;
	if ((r = may_change(ctp, w.dir, w.node)))
		return r;
	w.node->attr.ctime_ns = iofunc_time_now();
	dir_remove(w.dir, dir_find(w.dir, w.name, strlen(w.name)));
	touch_dir(w.dir);
	return 0;
}

static int fs_mknod(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr)
{
	(void)attr;
	struct walk w;
	struct tnode *n;
	int r = walk(ctp, path, 0, &w);

	if (r || (r = fsrules_mknod(msg, w.node != NULL, true)))
		return r;
	return create(ctp, &w, msg->mode, msg->umask, &n);
}

static int fs_link(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		   const char *extra, iofunc_attr_t *attr)
{
	(void)attr;
	struct walk w, from;
	struct tnode *n;
	int r;

	if (msg->extra_type == _IO_CONNECT_EXTRA_SYMLINK) {
		if ((r = walk(ctp, path, 0, &w)))
			return r;
		if (w.node)
			return EEXIST;
		char *text = strdup(extra);
		if (!text)
			return ENOSPC;
		if ((r = create(ctp, &w, S_IFLNK | 0777, 0, &n))) {
			free(text);
			return r;
		}
		n->target = text;
		n->attr.nbytes = (int64_t)strlen(text);
		return 0;
	}
	if ((r = walk_existing(ctp, extra, WALK_NOLINK, &from)))
		return r;
	if (S_ISDIR(from.node->attr.mode))
		return EPERM;
	if ((r = walk(ctp, path, 0, &w)))
		return r;
	if (w.node || fsrules_is_dot(w.name))
		return EEXIST;
	if ((r = may_change(ctp, w.dir, NULL)))
		return r;
	if (dir_add(w.dir, w.name, from.node))
		return ENOSPC;
	from.node->attr.ctime_ns = iofunc_time_now();
	touch_dir(w.dir);
	return 0;
}

/* Whether dir is d or lies below it. */
static bool inside(const struct tnode *dir, const struct tnode *d)
{
	for (;;) {
		if (dir == d)
			return true;
		if (dir == tmpfs_root)
			return false;
		dir = dir->parent;
	}
}

/* rename's rules (POSIX.1-2017) for moving from.node to to: 0 or errno. */
static int rename_check(resmgr_context_t *ctp, const struct _io_connect *msg,
			const struct walk *from, const struct walk *to)
{
	struct tnode *s = from->node, *t = to->node;
	bool sdir = S_ISDIR(s->attr.mode);

	int r = fsrules_rename_names(!from->dir, from->name, !to->dir, to->name);

	if (r)
		return r;
	if (sdir && inside(to->dir, s))
		return EINVAL;                  /* into itself */
	if (t && sdir && !S_ISDIR(t->attr.mode))
		return ENOTDIR;
	if (t && !sdir && S_ISDIR(t->attr.mode))
		return EISDIR;
	if ((r = fsrules_rename_source(msg, &s->attr)))
		return r;
	if (t && S_ISDIR(t->attr.mode) && !dir_empty(t))
		return ENOTEMPTY;
	r = may_change(ctp, from->dir, s);
	return r ? r : may_change(ctp, to->dir, t);
}

static int fs_rename(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     const char *extra, iofunc_attr_t *attr)
{
	(void)attr;
	struct walk from, to;
	int r;

	if ((r = walk_existing(ctp, extra, WALK_NOLINK, &from)))
		return r;
	if ((r = walk(ctp, path, 0, &to)))
		return r;
	if (to.node == from.node)
		return from.dir && to.dir ? 0 : EBUSY;  /* the same file: nothing to do */
	if ((r = rename_check(ctp, msg, &from, &to)))
		return r;
	/* The new name's entry first: out of memory then changes nothing
	 * (it failed after both names were gone: the file, and the one it
	 * replaced, lost). */
	struct tdirent *e = dir_entry_new(to.name);
	if (!e)
		return ENOSPC;
	struct tnode *s = from.node;
	s->attr.count++;                        /* held while it has no name */
	if (to.node)
		dir_remove(to.dir, dir_find(to.dir, to.name, strlen(to.name)));
	dir_remove(from.dir, dir_find(from.dir, from.name, strlen(from.name)));
	dir_link(to.dir, e, s);
	s->attr.count--;
	s->attr.ctime_ns = iofunc_time_now();
	touch_dir(from.dir);
	touch_dir(to.dir);
	return 0;
}

static int fs_readlink(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		       iofunc_attr_t *attr)
{
	(void)msg;
	(void)attr;
	struct walk w;
	int r = walk_existing(ctp, path, 0, &w);

	if (r)
		return r;
	if (!S_ISLNK(w.node->attr.mode))
		return EINVAL;
	size_t n = strlen(w.node->target);
	return resmgr_reply(ctp, (long)n, w.node->target, n);
}

const resmgr_connect_funcs_t tmpfs_connect = {
	.open = fs_open, .unlink = fs_unlink, .mknod = fs_mknod, .link = fs_link,
	.rename = fs_rename, .readlink = fs_readlink,
};
