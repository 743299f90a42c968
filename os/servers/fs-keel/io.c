/* fs-keel I/O handlers: file data and directory records through the core,
 * stat, truncate, sync, the attribute changes (the framework's defaults on
 * the node's attribute, then written to the inode), and the file system
 * devctls (statvfs, unmount, mount information).  Every handler first
 * reloads its node from the disk (fsd.h: when that answers ESTALE). */
#include <devctl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include "fsd.h"

#define CHUNK  (16u * 1024)             /* bytes one read or write step moves */

/* This thread's transfer buffer (each serving thread has one, made at its
 * first read or write and kept). */
static __thread unsigned char *chunk;

static int chunk_ready(void)
{
	if (!chunk)
		chunk = malloc(CHUNK);
	return chunk ? 0 : ENOMEM;
}

static struct fnode *node_of(const iofunc_ocb_t *ocb)
{
	return ocb->attr->data;
}

static unsigned dtype(unsigned t)
{
	return t == FSK_DT_DIR ? DT_DIR : t == FSK_DT_LNK ? DT_LNK : t == FSK_DT_REG ? DT_REG : 0;
}

/* A directory's records from the open's position (the core's slot
 * number: "." and ".." are slots 0 and 1). */
static int read_dir(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	size_t used = 0, max = m->nbytes < CHUNK ? (size_t)m->nbytes : CHUNK;
	uint64_t pos = (uint64_t)ocb->offset;
	struct fsk_dirinfo d;
	int r = chunk_ready();

	if (r)
		return r;
	for (;;) {
		uint64_t next = pos;
		r = fsk_readdir(fsd_fs, node_ino(node_of(ocb)), &next, &d);
		if (r <= 0)
			break;
		if (resmgr_dirent_add(chunk, max, &used, d.ino, next, dtype(d.type), d.name)) {
			if (used == 0)
				return EINVAL;  /* the reader's buffer holds no record */
			break;
		}
		pos = next;
	}
	if (r < 0 && used == 0)
		return -r;
	if (MsgReply_r(ctp->rcvid, (long)used, chunk, used) == 0)
		ocb->offset = (int64_t)pos;
	return RESMGR_DONE;
}

static int fs_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	struct fnode *n = node_of(ocb);
	int r;

	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	if ((r = node_refresh(n)))
		return r;
	if (S_ISDIR(n->attr.mode))
		return read_dir(ctp, m, ocb);
	if ((r = chunk_ready()))
		return r;
	/* the whole request, CHUNK at a time (a regular file reads short only
	 * at its end) */
	uint64_t done = 0;
	while (done < m->nbytes) {
		size_t want = m->nbytes - done < CHUNK ? (size_t)(m->nbytes - done) : CHUNK;
		int64_t got = fsk_read(fsd_fs, node_ino(n), (uint64_t)ocb->offset + done, chunk, want);
		if (got < 0) {
			if (done == 0)
				return (int)-got;
			break;
		}
		if (got > 0 && MsgWrite_r(ctp->rcvid, chunk, (size_t)got, done) < 0) {
			if (done == 0)
				return EFAULT;
			break;
		}
		done += (uint64_t)got;
		if ((size_t)got < want)
			break;                  /* the end of the file */
	}
	if (MsgReply_r(ctp->rcvid, (long)done, NULL, 0) == 0)
		ocb->offset += (int64_t)done;
	return RESMGR_DONE;
}

static int fs_write(resmgr_context_t *ctp, const struct _io_write *m, iofunc_ocb_t *ocb)
{
	struct fnode *n = node_of(ocb);
	uint64_t done = 0;
	int r, err = 0;

	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if ((r = node_refresh(n)))
		return r;
	if (!S_ISREG(n->attr.mode))
		return EINVAL;
	if ((r = chunk_ready()))
		return r;
	uint64_t start = (uint64_t)(ocb->ioflag & O_APPEND ? n->attr.nbytes : ocb->offset);
	while (done < m->nbytes) {
		size_t take = m->nbytes - done < CHUNK ? (size_t)(m->nbytes - done) : CHUNK;
		if (resmgr_msgread(ctp, chunk, take, sizeof *m + done) != (long)take) {
			err = EFAULT;           /* the client's data went away */
			break;
		}
		int64_t put = fsk_write(fsd_fs, node_ino(n), start + done, chunk, take);
		if (put < 0)
			err = (int)-put;
		if (put > 0)
			done += (uint64_t)put;
		if (put < (int64_t)take)
			break;
	}
	if (done == 0 && err)
		return err;
	ocb->offset = (int64_t)(start + done);
	return resmgr_reply(ctp, (long)done, NULL, 0);
}

static int fs_stat(resmgr_context_t *ctp, const struct _io_stat *m, iofunc_ocb_t *ocb)
{
	(void)m;
	struct fsk_stat st;
	int r = node_refresh(node_of(ocb));

	if (r || (r = -fsk_stat(fsd_fs, node_ino(node_of(ocb)), &st)))
		return r;
	struct _io_stat_reply rep = {
		.ino = st.ino, .size = st.size, .dev = (uint64_t)getpid(), .mode = st.mode,
		.nlink = st.nlink, .uid = st.uid, .gid = st.gid, .atime_ns = st.atime_ns,
		.mtime_ns = st.mtime_ns, .ctime_ns = st.ctime_ns, .blksize = st.blksize,
		.blocks = st.blocks,
	};
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

static int fs_lseek(resmgr_context_t *ctp, const struct _io_lseek *m, iofunc_ocb_t *ocb)
{
	int r = node_refresh(node_of(ocb));

	return r ? r : iofunc_lseek_default(ctp, m, ocb);
}

/* Writes the attribute fields of mask from n's attribute to its inode. */
static int attr_store(struct fnode *n, unsigned mask)
{
	struct fsk_attr a = { .mode = n->attr.mode, .uid = n->attr.uid, .gid = n->attr.gid,
			      .atime_ns = n->attr.atime_ns, .mtime_ns = n->attr.mtime_ns };
	int r = fsk_setattr(fsd_fs, node_ino(n), &a, mask);

	node_refresh(n);
	return r < 0 ? -r : 0;
}

/* The framework's rule for an attribute change, on a fresh copy of the
 * inode's attribute, then the change written: 0 or an errno. */
#define ATTR_CHANGE(dflt, mask) do { \
	struct fnode *n = node_of(ocb); \
	int r = node_refresh(n); \
	if (r || (r = dflt(ctp, m, ocb))) \
		return r; \
	return fsd_rdonly ? EROFS : attr_store(n, mask); \
} while (0)

static int fs_chmod(resmgr_context_t *ctp, const struct _io_chmod *m, iofunc_ocb_t *ocb)
{
	ATTR_CHANGE(iofunc_chmod_default, FSK_ATTR_MODE);
}

static int fs_chown(resmgr_context_t *ctp, const struct _io_chown *m, iofunc_ocb_t *ocb)
{
	ATTR_CHANGE(iofunc_chown_default, FSK_ATTR_MODE | FSK_ATTR_UID | FSK_ATTR_GID);
}

static int fs_utime(resmgr_context_t *ctp, const struct _io_utime *m, iofunc_ocb_t *ocb)
{
	ATTR_CHANGE(iofunc_utime_default, FSK_ATTR_ATIME | FSK_ATTR_MTIME);
}

static int fs_space(resmgr_context_t *ctp, const struct _io_space *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	struct fnode *n = node_of(ocb);
	int r;

	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if ((r = node_refresh(n)))
		return r;
	if (m->subtype != _IO_SPACE_SETSIZE || m->len < 0 || !S_ISREG(n->attr.mode))
		return EINVAL;
	return -fsk_truncate(fsd_fs, node_ino(n), (uint64_t)m->len);
}

static int fs_sync(resmgr_context_t *ctp, const struct _io_sync *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)m;
	int r = node_refresh(node_of(ocb));

	return r ? r : -fsk_fsync(fsd_fs, node_ino(node_of(ocb)));
}

static int do_statvfs(resmgr_context_t *ctp)
{
	struct fsk_statvfs sv;
	int r = fsk_statvfs(fsd_fs, &sv);

	if (r < 0)
		return -r;
	struct {
		struct _io_devctl_reply r;
		struct _io_statvfs_reply v;
	} rep = {
		.r = { .ret_val = 0, .nbytes = sizeof rep.v },
		.v = {
			.bsize = sv.bsize, .frsize = sv.bsize, .blocks = sv.blocks,
			.bfree = sv.bfree, .bavail = sv.bfree, .files = sv.files,
			.ffree = sv.ffree, .favail = sv.ffree, .fsid = (uint64_t)getpid(),
			.flag = sv.rdonly ? ST_RDONLY : 0, .namemax = sv.namemax,
		},
	};
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

/* _DCMD_FSYS_UNMOUNT (<keel/iomsg.h>): the privileged or the user that
 * mounted; busy while opens other than the sender's are alive. */

static int do_unmount(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	struct _client_info ci;
	uint32_t flags = 0;

	if (m->nbytes >= sizeof flags && ctp->msglen >= sizeof *m + sizeof flags)
		memcpy(&flags, (const char *)m + sizeof *m, sizeof flags);
	if (iofunc_client_info(ctp, &ci))
		return EPERM;
	if (ci.cred.euid != 0 && ci.cred.euid != getuid())
		return EPERM;
	if (resmgr_open_count(fsd_mgr) > 1 && !(flags & _FSYS_UNMOUNT_FORCE))
		return EBUSY;
	/* The unmount waits for every handler to leave the volume: this one
	 * lets go of its holds (fs_lock_ocb's) meanwhile.  The node stays: the
	 * framework keeps the open alive while its message is handled. */
	struct fnode *n = node_of(ocb);
	pthread_mutex_unlock(&n->lock);
	fsd_leave();
	int r = fsd_unmount();
	fsd_enter();
	pthread_mutex_lock(&n->lock);
	struct _io_devctl_reply rep = { .ret_val = 0, .nbytes = 0 };
	return r ? r : resmgr_reply(ctp, 0, &rep, sizeof rep);
}

static int fs_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	if (!fsd_fs)
		return ENXIO;
	switch (m->dcmd) {
	case _DCMD_FSYS_STATVFS:
		return do_statvfs(ctp);
	case _DCMD_FSYS_UNMOUNT:
		return do_unmount(ctp, m, ocb);
	case _DCMD_FSYS_MOUNTINFO: {
		struct {
			struct _io_devctl_reply r;
			struct _io_mountinfo_reply i;
		} rep = { .r = { .ret_val = 0, .nbytes = sizeof rep.i }, .i = fsd_info };
		return resmgr_reply(ctp, 0, &rep, sizeof rep);
	}
	default:
		return ENOTTY;
	}
}

/* The open's end: the node goes with its last open. */
static int fs_close_ocb(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	struct fnode *n = node_of(ocb);

	fsd_enter();
	free(ocb);
	node_close(n);
	fsd_leave();
	return 0;
}

/* ---- every I/O message under fsd_live and its node's lock (fsd.h) ---------------- */

static void fs_lock_ocb(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	fsd_enter();
	pthread_mutex_lock(&node_of(ocb)->lock);
}

static void fs_unlock_ocb(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	pthread_mutex_unlock(&node_of(ocb)->lock);
	fsd_leave();
}

const resmgr_io_funcs_t fsd_io = {
	.read = fs_read, .write = fs_write, .lseek = fs_lseek, .stat = fs_stat,
	.chmod = fs_chmod, .chown = fs_chown, .utime = fs_utime, .space = fs_space,
	.sync = fs_sync, .devctl = fs_devctl, .close_ocb = fs_close_ocb,
	.lock_ocb = fs_lock_ocb, .unlock_ocb = fs_unlock_ocb,
};
