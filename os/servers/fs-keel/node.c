/* fs-keel nodes: the inodes that are open, each with the iofunc attribute
 * its opens share (fsd.h says when one turns stale), and the nameless
 * inodes they keep. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include "fsd.h"

static struct fnode *nodes;             /* every node with opens */
static pthread_mutex_t nodes_lock = PTHREAD_MUTEX_INITIALIZER;

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

int node_open(uint32_t ino, struct fnode **out)
{
	struct fsk_stat st;
	int r = stat_ino(ino, &st);

	if (r)
		return r;
	struct fnode *fresh = calloc(1, sizeof *fresh), *n;
	if (!fresh)
		return ENOMEM;
	attr_fill(&fresh->attr, &st);
	fresh->attr.data = fresh;
	fresh->attr.count = 1;
	fresh->gen = st.generation;
	pthread_mutex_init(&fresh->lock, NULL);
	pthread_mutex_lock(&nodes_lock);
	for (n = nodes; n; n = n->next)
		if (n->attr.ino == ino && n->gen == st.generation)
			break;
	if (n) {
		n->attr.count++;
	} else {
		fresh->next = nodes;
		nodes = n = fresh;
	}
	pthread_mutex_unlock(&nodes_lock);
	if (n != fresh) {
		pthread_mutex_destroy(&fresh->lock);
		free(fresh);
	}
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
	bool used = false;

	(void)ctx;
	pthread_mutex_lock(&nodes_lock);
	for (struct fnode *n = nodes; n && !used; n = n->next)
		used = n->attr.ino == ino && n->attr.count;
	pthread_mutex_unlock(&nodes_lock);
	return used;
}

/* Frees n's inode if it has no name left (the core checks). */
static void forget(struct fnode *n)
{
	int r = fsd_fs && !fsd_rdonly ? fsk_forget(fsd_fs, node_ino(n)) : 0;

	if (r)
		syslog(LOG_ERR, "fs-keel: cannot free inode %u, unlinked while open: %s",
		       (unsigned)node_ino(n), strerror(-r));
}

/* No handler runs (fsd_live exclusive): the list holds still. */
void node_forget_all(void)
{
	for (struct fnode *n = nodes; n; n = n->next)
		forget(n);
}

void node_close(struct fnode *n)
{
	pthread_mutex_lock(&nodes_lock);
	bool last = --n->attr.count == 0;
	if (last)
		for (struct fnode **pp = &nodes; *pp; pp = &(*pp)->next)
			if (*pp == n) {
				*pp = n->next;
				break;
			}
	pthread_mutex_unlock(&nodes_lock);
	if (!last)
		return;
	forget(n);              /* out of the list: an unlink now no longer keeps it */
	pthread_mutex_destroy(&n->lock);
	free(n);
}
