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

/* Replies the link ino met at byte `at` of path, followed by rest. */
static int reply_link(resmgr_context_t *ctp, const char *path, size_t at, uint32_t ino,
		      const char *rest)
{
	static char target[FSK_PATH_MAX + 1];
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

int walk(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w)
{
	uint32_t cur = FSK_ROOT_INO;
	const char *p = path;

	*w = (struct walk){ .dir = 0, .ino = FSK_ROOT_INO };
	if (!fsd_fs)
		return ENXIO;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n > FSK_NAME_MAX)
			return ENAMETOOLONG;
		uint32_t next;
		int r = step(ctp, cur, p, n, &next);
		if (r)
			return r;
		const char *rest = e;
		while (*rest == '/')
			rest++;
		bool last = !*rest;
		if (last) {
			w->dir = cur;
			memcpy(w->name, p, n);
			w->name[n] = 0;
			w->ino = next;
		}
		if (!next)
			return last ? 0 : ENOENT;
		iofunc_attr_t a = { 0 };
		if ((r = attr_load(next, &a)))
			return r;
		if (S_ISLNK(a.mode) && (!last || (flags & WALK_FOLLOW)))
			return flags & WALK_NOLINK ? EXDEV :
			       reply_link(ctp, path, (size_t)(p - path), next, rest);
		if (last)
			return 0;
		cur = next;
		p = e;
	}
}
