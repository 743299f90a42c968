/* tmpfs names: directory entries, and the walk from the mount's root to
 * the name a path gives.  A symbolic link met on the way (or at the end,
 * when followed) is not resolved here: the walk replies the path rewritten
 * through it, and the client starts again at the path manager, which may
 * send it to another server (QNX's link reply; <keel/iomsg.h>). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "tmpfs.h"

struct tdirent *dir_find(const struct tnode *dir, const char *name, size_t len)
{
	for (struct tdirent *e = dir->ents; e; e = e->next)
		if (!strncmp(e->name, name, len) && e->name[len] == 0)
			return e;
	return NULL;
}

int dir_add(struct tnode *dir, const char *name, struct tnode *n)
{
	size_t len = strlen(name);
	struct tdirent *e = malloc(sizeof *e + len + 1);

	if (!e)
		return ENOMEM;
	memcpy(e->name, name, len + 1);
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
	return 0;
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

int walk(resmgr_context_t *ctp, const char *path, unsigned flags, struct walk *w)
{
	struct tnode *cur = tmpfs_root;
	const char *p = path;

	*w = (struct walk){ .dir = NULL, .node = tmpfs_root };
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n > TMPFS_NAME_MAX)
			return ENAMETOOLONG;
		if (!S_ISDIR(cur->attr.mode))
			return ENOTDIR;
		int r = iofunc_check_access(ctp, &cur->attr, 1);
		if (r)
			return r;
		struct tnode *next;
		if (n == 1 && p[0] == '.')
			next = cur;
		else if (n == 2 && p[0] == '.' && p[1] == '.')
			next = cur->parent;
		else {
			struct tdirent *d = dir_find(cur, p, n);
			next = d ? d->node : NULL;
		}
		const char *rest = e;
		while (*rest == '/')
			rest++;
		bool last = !*rest;
		if (last) {
			w->dir = cur;
			memcpy(w->name, p, n);
			w->name[n] = 0;
			w->node = next;
		}
		if (!next)
			return last ? 0 : ENOENT;
		if (S_ISLNK(next->attr.mode) && (!last || (flags & WALK_FOLLOW)))
			return flags & WALK_NOLINK ? EXDEV :
			       resmgr_link_reply(ctp, tmpfs_mount, path, (size_t)(p - path),
						 next->target, rest);
		if (last)
			return 0;
		cur = next;
		p = e;
	}
}
