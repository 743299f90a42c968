/* tmpfs I/O handlers: read and write of file pages, directory reads,
 * stat, truncate, statvfs; the rest (lseek, chmod, chown, utime, sync,
 * fdinfo) are the framework's defaults on the node's attribute. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include "tmpfs.h"

#define READ_MAX  (16 * TMPFS_PAGE)     /* bytes one read replies at most */

static const unsigned char zero_page[TMPFS_PAGE];

static struct tnode *node_of(const iofunc_ocb_t *ocb)
{
	return ocb->attr->data;
}

static unsigned dtype(uint32_t mode)
{
	return S_ISDIR(mode) ? DT_DIR : S_ISLNK(mode) ? DT_LNK : S_ISREG(mode) ? DT_REG : 0;
}

/* A directory's records from the open's position: "." (0), ".." (1),
 * then each entry at its cookie. */
static int read_dir(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	static unsigned char buf[4096];
	size_t used = 0, max = m->nbytes < sizeof buf ? (size_t)m->nbytes : sizeof buf;
	struct tnode *d = node_of(ocb);
	uint64_t pos = (uint64_t)ocb->offset;
	bool more = false;

	if (d->attr.nlink == 0)                 /* removed while open: no entries, */
		goto out;                       /* "." and ".." neither (POSIX rmdir) */
	if (pos == 0) {
		if (resmgr_dirent_add(buf, max, &used, d->attr.ino, 1, DT_DIR, "."))
			return EINVAL;
		pos = 1;
	}
	if (pos == 1) {
		if (resmgr_dirent_add(buf, max, &used, d->parent->attr.ino, 2, DT_DIR, "..")) {
			more = true;
			goto out;
		}
		pos = 2;
	}
	for (struct tdirent *e = d->ents; e; e = e->next) {
		if (e->pos < pos)
			continue;
		if (resmgr_dirent_add(buf, max, &used, e->node->attr.ino, e->pos + 1,
				      dtype(e->node->attr.mode), e->name)) {
			more = true;
			break;
		}
		pos = e->pos + 1;
	}
out:
	if (used == 0 && more)
		return EINVAL;                  /* the reader's buffer holds no record */
	if (MsgReply_r(ctp->rcvid, (long)used, buf, used) == 0) {
		ocb->offset = (int64_t)pos;
		d->attr.atime_ns = iofunc_time_now();
	}
	return RESMGR_DONE;
}

static int fs_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	struct tnode *n = node_of(ocb);
	iov_t iov[READ_MAX / TMPFS_PAGE + 1];
	int parts = 0;

	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	if (S_ISDIR(n->attr.mode))
		return read_dir(ctp, m, ocb);
	int64_t left = n->attr.nbytes - ocb->offset;
	uint64_t want = left > 0 ? (uint64_t)left : 0, done = 0;
	if (want > m->nbytes)
		want = m->nbytes;
	if (want > READ_MAX)
		want = READ_MAX;
	while (done < want) {
		uint64_t off = (uint64_t)ocb->offset + done, in = off % TMPFS_PAGE;
		uint64_t take = TMPFS_PAGE - in < want - done ? TMPFS_PAGE - in : want - done;
		const unsigned char *pg = node_page_peek(n, off);
		SETIOV(&iov[parts], (pg ? pg : zero_page) + in, take);
		parts++;
		done += take;
	}
	if (MsgReplyv_r(ctp->rcvid, (long)done, iov, (size_t)parts) == 0) {
		ocb->offset += (int64_t)done;
		n->attr.atime_ns = iofunc_time_now();
	}
	return RESMGR_DONE;
}

static int fs_write(resmgr_context_t *ctp, const struct _io_write *m, iofunc_ocb_t *ocb)
{
	struct tnode *n = node_of(ocb);

	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (!S_ISREG(n->attr.mode))
		return EINVAL;
	int64_t start = ocb->ioflag & O_APPEND ? n->attr.nbytes : ocb->offset;
	uint64_t want = m->nbytes, done = 0;
	if (want == 0)
		return resmgr_reply(ctp, 0, NULL, 0);
	if (start >= TMPFS_FILE_MAX)
		return EFBIG;
	if (want > (uint64_t)(TMPFS_FILE_MAX - start))
		want = (uint64_t)(TMPFS_FILE_MAX - start);
	while (done < want) {
		uint64_t off = (uint64_t)start + done, in = off % TMPFS_PAGE;
		uint64_t take = TMPFS_PAGE - in < want - done ? TMPFS_PAGE - in : want - done;
		unsigned char *pg = node_page(n, off);
		if (!pg)
			break;                  /* out of space: a short write */
		if (resmgr_msgread(ctp, pg + in, (size_t)take, sizeof *m + done) != (long)take)
			break;                  /* the client's data went away */
		done += take;
	}
	if (done == 0)
		return ENOSPC;
	if ((int64_t)(start + (int64_t)done) > n->attr.nbytes)
		n->attr.nbytes = start + (int64_t)done;
	n->attr.mtime_ns = n->attr.ctime_ns = iofunc_time_now();
	ocb->offset = start + (int64_t)done;
	return resmgr_reply(ctp, (long)done, NULL, 0);
}

static int fs_stat(resmgr_context_t *ctp, const struct _io_stat *m, iofunc_ocb_t *ocb)
{
	(void)m;
	const struct tnode *n = node_of(ocb);
	const iofunc_attr_t *a = &n->attr;
	struct _io_stat_reply st = {
		.ino = a->ino, .size = (uint64_t)a->nbytes, .dev = (uint64_t)getpid(),
		.mode = a->mode, .nlink = a->nlink, .uid = a->uid, .gid = a->gid,
		.atime_ns = a->atime_ns, .mtime_ns = a->mtime_ns, .ctime_ns = a->ctime_ns,
		.blksize = TMPFS_PAGE, .blocks = node_pages(n) * (TMPFS_PAGE / 512),
	};

	if (S_ISDIR(a->mode))
		st.size = TMPFS_PAGE;           /* as a directory of one block reports */
	return resmgr_reply(ctp, 0, &st, sizeof st);
}

static int fs_space(resmgr_context_t *ctp, const struct _io_space *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	struct tnode *n = node_of(ocb);

	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (m->subtype != _IO_SPACE_SETSIZE || m->len < 0 || !S_ISREG(n->attr.mode))
		return EINVAL;
	int r = node_set_size(n, m->len);
	if (r)
		return r;
	n->attr.mtime_ns = n->attr.ctime_ns = iofunc_time_now();
	return 0;
}

static int fs_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	(void)ocb;
	if (m->dcmd != _DCMD_FSYS_STATVFS)
		return ENOTTY;
	struct {
		struct _io_devctl_reply r;
		struct _io_statvfs_reply v;
	} rep = {
		.r = { .ret_val = 0, .nbytes = sizeof rep.v },
		.v = {
			.bsize = TMPFS_PAGE, .frsize = TMPFS_PAGE,
			.blocks = tmpfs_pages_limit, .bfree = tmpfs_pages_limit - tmpfs_pages_used,
			.bavail = tmpfs_pages_limit - tmpfs_pages_used,
			.files = tmpfs_nodes_max, .ffree = tmpfs_nodes_max - tmpfs_nodes,
			.favail = tmpfs_nodes_max - tmpfs_nodes,
			.fsid = (uint64_t)getpid(), .flag = 0, .namemax = TMPFS_NAME_MAX,
		},
	};
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

/* The open's end: a node without names goes with its last open. */
static int fs_close_ocb(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	struct tnode *n = node_of(ocb);

	n->attr.count--;
	free(ocb);
	node_release(n);
	return 0;
}

const resmgr_io_funcs_t tmpfs_io = {
	.read = fs_read, .write = fs_write, .stat = fs_stat, .space = fs_space,
	.devctl = fs_devctl, .close_ocb = fs_close_ocb,
};
