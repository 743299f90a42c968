/* fs-keel nodes: the inodes that are open, each with the iofunc attribute
 * its opens share (fsd.h says when one turns stale), and the nameless
 * inodes they keep. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "fsd.h"

static struct fnode *nodes;             /* every node with opens (or being opened) */

/* fsk_stat of ino into *st: 0 or an errno. */
static int stat_ino(uint32_t ino, struct fsk_stat *st)
{
	if (!fsd_fs)
		return ENXIO;
	int r = fsk_stat(fsd_fs, ino, st);
	return r < 0 ? -r : 0;
}

static void attr_fill(iofunc_attr_t *a, const struct fsk_stat *st)
{
	a->mode = st->mode;
	a->uid = st->uid;
	a->gid = st->gid;
	a->nlink = st->nlink;
	a->ino = st->ino;
	a->nbytes = (int64_t)st->size;
	a->atime_ns = st->atime_ns;
	a->mtime_ns = st->mtime_ns;
	a->ctime_ns = st->ctime_ns;
}

int attr_load(uint32_t ino, iofunc_attr_t *attr)
{
	struct fsk_stat st;
	int r = stat_ino(ino, &st);

	if (!r)
		attr_fill(attr, &st);
	return r;
}

int node_get(uint32_t ino, struct fnode **out)
{
	struct fsk_stat st;
	int r = stat_ino(ino, &st);

	if (r)
		return r;
	for (struct fnode *n = nodes; n; n = n->next)
		if (n->attr.ino == ino && n->gen == st.generation) {
			attr_fill(&n->attr, &st);
			*out = n;
			return 0;
		}
	struct fnode *n = calloc(1, sizeof *n);
	if (!n)
		return ENOMEM;
	attr_fill(&n->attr, &st);
	n->attr.data = n;
	n->gen = st.generation;
	n->next = nodes;
	nodes = n;
	*out = n;
	return 0;
}

int node_refresh(struct fnode *n)
{
	struct fsk_stat st;
	int r = stat_ino(node_ino(n), &st);

	if (r == ENOENT || (!r && st.generation != n->gen))
		return ESTALE;
	if (!r)
		attr_fill(&n->attr, &st);
	return r;
}

bool node_in_use(void *ctx, uint32_t ino)
{
	(void)ctx;
	for (struct fnode *n = nodes; n; n = n->next)
		if (n->attr.ino == ino && n->attr.count)
			return true;
	return false;
}

/* Frees n's inode if it has no name left (the core checks). */
static void forget(struct fnode *n)
{
	int r = fsd_fs && !fsd_rdonly ? fsk_forget(fsd_fs, node_ino(n)) : 0;

	if (r)
		syslog(LOG_ERR, "fs-keel: cannot free inode %u, unlinked while open: %s",
		       (unsigned)node_ino(n), strerror(-r));
}

void node_forget_all(void)
{
	for (struct fnode *n = nodes; n; n = n->next)
		forget(n);
}

void node_put(struct fnode *n)
{
	if (n->attr.count)
		return;
	forget(n);
	for (struct fnode **pp = &nodes; *pp; pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	free(n);
}
