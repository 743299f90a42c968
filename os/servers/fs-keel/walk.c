/* fs-keel paths: the walk from the mount's root to the name a path gives,
 * through the core's directory lookups.  A symbolic link met on the way
 * (or at the end, when followed) is not resolved here: the walk replies the
 * path rewritten through it (resmgr_link_reply), and the client starts
 * again at the path manager, so a link may point anywhere in the name
 * space, as in tmpfs. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include "fsd.h"
#include "fsrules.h"

/* Replies the link ino met at byte `at` of path, followed by rest. */
static int reply_link(resmgr_context_t *ctp, const char *path, size_t at, uint32_t ino,
		      const char *rest)
{
	char target[FSK_PATH_MAX + 1];
	int r = fsk_readlink(fsd_fs, ino, target, sizeof target);

	if (r < 0)
		return -r;
	return resmgr_link_reply(ctp, fsd_mount, path, at, target, rest);
}

/* Looks name (n bytes at p) up in directory cur, whose search permission
 * the client must have: 0 with *ino set (0 when there is no such name), or
 * an errno. */
static int step(resmgr_context_t *ctp, uint32_t cur, const char *p, size_t n, uint32_t *ino)
{
	iofunc_attr_t a = { 0 };
	char name[FSK_NAME_MAX + 1];
	int r = attr_load(cur, &a);

	if (r)
		return r;
	if (!S_ISDIR(a.mode))
		return ENOTDIR;
	if ((r = iofunc_check_access(ctp, &a, 1)))
		return r;
	memcpy(name, p, n);
	name[n] = 0;
	r = fsk_lookup(fsd_fs, cur, name, ino);
	if (r == -ENOENT)
		*ino = 0;
	return r == -ENOENT ? 0 : -r;
}

static int step_op(resmgr_context_t *ctp, uintptr_t cur, const char *p, size_t n,
		   uintptr_t *next)
{
	uint32_t ino;
	int r = step(ctp, (uint32_t)cur, p, n, &ino);

	*next = ino;
	return r;
}

static int is_link(uintptr_t ino)
{
	iofunc_attr_t a = { 0 };
	int r = attr_load((uint32_t)ino, &a);

	return r ? -r : S_ISLNK(a.mode);
}

static int link_op(resmgr_context_t *ctp, const char *path, size_t at, uintptr_t ino,
		   const char *rest)
{
	return reply_link(ctp, path, at, (uint32_t)ino, rest);
}

static const struct fswalk_ops ops = {
	.name_max = FSK_NAME_MAX, .step = step_op, .is_link = is_link, .link_reply = link_op,
};

int walk(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w)
{
	uintptr_t dir, ino;

	*w = (struct walk){ .dir = 0, .ino = FSK_ROOT_INO };
	if (!fsd_fs)
		return ENXIO;
	int r = fswalk(ctp, &ops, FSK_ROOT_INO, path, flags, &dir, &ino, w->name);
	w->dir = (uint32_t)dir;
	w->ino = (uint32_t)ino;
	return r;
}
