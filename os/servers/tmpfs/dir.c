/* tmpfs names: directory entries, and the walk from the mount's root to
 * the name a path gives.  A symbolic link met on the way (or at the end,
 * when followed) is not resolved here: the walk replies the path rewritten
 * through it, and the client starts again at the path manager, which may
 * send it to another server (QNX's link reply; <keel/iomsg.h>). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fsrules.h"
#include "tmpfs.h"

struct tdirent *dir_find(const struct tnode *dir, const char *name, size_t len)
{
	for (struct tdirent *e = dir->ents; e; e = e->next)
		if (!strncmp(e->name, name, len) && e->name[len] == 0)
			return e;
	return NULL;
}

struct tdirent *dir_entry_new(const char *name)
{
	size_t len = strlen(name);
	struct tdirent *e = malloc(sizeof *e + len + 1);

	if (e)
		memcpy(e->name, name, len + 1);
	return e;
}

int dir_add(struct tnode *dir, const char *name, struct tnode *n)
{
	struct tdirent *e = dir_entry_new(name);

	if (!e)
		return ENOMEM;
	dir_link(dir, e, n);
	return 0;
}

void dir_link(struct tnode *dir, struct tdirent *e, struct tnode *n)
{
	e->node = n;
	e->pos = dir->next_pos++;
	e->next = NULL;
	if (dir->last)
		dir->last->next = e;
	else
		dir->ents = e;
	dir->last = e;
	n->attr.nlink++;
	if (S_ISDIR(n->attr.mode)) {
		n->attr.nlink++;                /* its own "." */
		n->parent = dir;
		dir->attr.nlink++;              /* its ".." */
	}
}

void dir_remove(struct tnode *dir, struct tdirent *e)
{
	struct tdirent **pp = &dir->ents, *prev = NULL;

	while (*pp != e) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	*pp = e->next;
	if (dir->last == e)
		dir->last = prev;
	struct tnode *n = e->node;
	free(e);
	if (S_ISDIR(n->attr.mode)) {
		n->attr.nlink -= 2;             /* its one name and its "." (dir_add's) */
		dir->attr.nlink--;
	} else {
		n->attr.nlink--;
	}
	node_release(n);
}

bool dir_empty(const struct tnode *n)
{
	return n->ents == NULL;
}

/* fswalk's step: a directory's entry, "." and ".." included. */
static int step(resmgr_context_t *ctp, uintptr_t h, const char *p, size_t n, uintptr_t *next)
{
	struct tnode *cur = (struct tnode *)h;

	if (!S_ISDIR(cur->attr.mode))
		return ENOTDIR;
	int r = iofunc_check_access(ctp, &cur->attr, 1);
	if (r)
		return r;
	if (n == 1 && p[0] == '.') {
		*next = h;
	} else if (n == 2 && p[0] == '.' && p[1] == '.') {
		*next = (uintptr_t)cur->parent;
	} else {
		struct tdirent *d = dir_find(cur, p, n);
		*next = d ? (uintptr_t)d->node : 0;
	}
	return 0;
}

static int is_link(uintptr_t h)
{
	return S_ISLNK(((struct tnode *)h)->attr.mode);
}

static int link_reply(resmgr_context_t *ctp, const char *path, size_t at, uintptr_t h,
		      const char *rest)
{
	return resmgr_link_reply(ctp, tmpfs_mount, path, at, ((struct tnode *)h)->target, rest);
}

static const struct fswalk_ops ops = {
	.name_max = TMPFS_NAME_MAX, .step = step, .is_link = is_link, .link_reply = link_reply,
};

int walk(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w)
{
	uintptr_t dir, node;
	int r = fswalk(ctp, &ops, (uintptr_t)tmpfs_root, path, flags, &dir, &node, w->name);

	w->dir = (struct tnode *)dir;
	w->node = (struct tnode *)node;
	return r;
}
