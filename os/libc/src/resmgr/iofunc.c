/* The iofunc default handlers: an attribute per resource, an open control
 * block per open.  Every default reads only fields resmgr_handle has
 * checked to be inside the message. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

static int64_t now_ns(void)
{
	return (int64_t)__clock_now(CLOCK_REALTIME);
}

void iofunc_attr_init(iofunc_attr_t *attr, uint32_t mode)
{
	memset(attr, 0, sizeof *attr);
	attr->mode = mode;
	attr->nlink = 1;
	attr->atime_ns = attr->mtime_ns = attr->ctime_ns = now_ns();
}

int64_t iofunc_time_now(void)
{
	return now_ns();
}

/* The client's credentials: the kernel answers a server about the
 * processes connected to it (ConnectClientInfo on the scoid).  A client
 * that is gone, or any other failure, is EACCES. */
int iofunc_client_info(resmgr_context_t *ctp, struct _client_info *ci)
{
	int r = ConnectClientInfo_r(ctp->info.scoid, ci, 0);

	return r < 0 ? EACCES : 0;
}

static bool in_group(const struct _cred_info *c, uint32_t gid)
{
	if (c->egid == gid)
		return true;
	for (uint32_t i = 0; i < c->ngroups && i < _NTO_CLIENT_NGROUPS; i++)
		if (c->grouplist[i] == gid)
			return true;
	return false;
}

int iofunc_check_access(resmgr_context_t *ctp, const iofunc_attr_t *attr, unsigned want)
{
	struct _client_info ci;

	if (iofunc_client_info(ctp, &ci))
		return EACCES;
	if (ci.cred.euid == 0)
		return !(want & 1) || S_ISDIR(attr->mode) || (attr->mode & 0111) ? 0 : EACCES;
	unsigned shift = ci.cred.euid == attr->uid ? 6 : in_group(&ci.cred, attr->gid) ? 3 : 0;
	unsigned have = (attr->mode >> shift) & 7;
	return (have & want) == want ? 0 : EACCES;
}

int iofunc_check_owner(resmgr_context_t *ctp, const iofunc_attr_t *attr)
{
	struct _client_info ci;

	if (iofunc_client_info(ctp, &ci))
		return EPERM;
	return ci.cred.euid == 0 || ci.cred.euid == attr->uid ? 0 : EPERM;
}

/* May the client open attr with ioflag? */
static int access_ok(resmgr_context_t *ctp, const iofunc_attr_t *attr, uint32_t ioflag)
{
	unsigned want = 0;

	if ((ioflag & O_ACCMODE) != O_WRONLY)
		want |= 4;
	if ((ioflag & O_ACCMODE) != O_RDONLY)
		want |= 2;
	return iofunc_check_access(ctp, attr, want);
}

int iofunc_open_default(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	if (*path)
		return ENOENT;                  /* one resource: the attached name itself */
	bool combine = msg->subtype == _IO_CONNECT_COMBINE_CLOSE;
	if ((msg->ioflag & O_ACCMODE) == O_ACCMODE && !combine)
		return EINVAL;
	int r = combine ? 0 : access_ok(ctp, attr, msg->ioflag);
	if (r)
		return r;
	iofunc_ocb_t *o = calloc(1, sizeof *o);
	if (!o)
		return ENOMEM;
	o->attr = attr;
	o->ioflag = combine ? O_RDONLY : msg->ioflag;
	/* O_TRUNC empties a regular file; on anything else (a disk, a
	 * terminal, a FIFO) POSIX leaves it without effect: a disk opened so
	 * (a shell's "> /dev/vblk0p1") said size 0 until its driver started
	 * again, and mounting it failed. */
	if (!combine && (msg->ioflag & O_TRUNC) && (msg->ioflag & O_ACCMODE) != O_RDONLY &&
	    S_ISREG(attr->mode)) {
		attr->nbytes = 0;
		attr->mtime_ns = attr->ctime_ns = now_ns();
	}
	attr->count++;
	*ocb = o;
	return 0;
}

int iofunc_close_ocb_default(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	ocb->attr->count--;
	free(ocb);
	return 0;
}

/* The default resource has no data: every read is at end of file. */
int iofunc_read_default(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	(void)msg;
	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	return resmgr_reply(ctp, 0, NULL, 0);
}

/* ... and every write is taken whole (and dropped). */
int iofunc_write_default(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (msg->nbytes > INT64_MAX)
		return EINVAL;
	ocb->attr->mtime_ns = now_ns();
	return resmgr_reply(ctp, (long)msg->nbytes, NULL, 0);
}

int iofunc_lseek_default(resmgr_context_t *ctp, const struct _io_lseek *msg, iofunc_ocb_t *ocb)
{
	int64_t base;

	switch (msg->whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = ocb->offset; break;
	case SEEK_END: base = ocb->attr->nbytes; break;
	default:       return EINVAL;
	}
	if ((msg->offset > 0 && base > INT64_MAX - msg->offset) || base + msg->offset < 0)
		return msg->offset > 0 ? EOVERFLOW : EINVAL;
	ocb->offset = base + msg->offset;
	struct _io_lseek_reply rep = { ocb->offset };
	return resmgr_reply(ctp, 0, &rep, sizeof rep);
}

int iofunc_stat_default(resmgr_context_t *ctp, const struct _io_stat *msg, iofunc_ocb_t *ocb)
{
	const iofunc_attr_t *a = ocb->attr;
	struct _io_stat_reply st = {
		.ino = a->ino, .size = (uint64_t)a->nbytes, .mode = a->mode, .nlink = a->nlink,
		.uid = a->uid, .gid = a->gid, .atime_ns = a->atime_ns, .mtime_ns = a->mtime_ns,
		.ctime_ns = a->ctime_ns, .blksize = 4096,
		.blocks = ((uint64_t)a->nbytes + 511) / 512,
	};

	(void)msg;
	return resmgr_reply(ctp, 0, &st, sizeof st);
}

int iofunc_devctl_default(resmgr_context_t *ctp, const struct _io_devctl *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)msg;
	(void)ocb;
	return ENOTTY;
}

int iofunc_chmod_default(resmgr_context_t *ctp, const struct _io_chmod *msg, iofunc_ocb_t *ocb)
{
	iofunc_attr_t *a = ocb->attr;
	int r = iofunc_check_owner(ctp, a);

	if (r)
		return r;
	a->mode = (a->mode & S_IFMT) | (msg->mode & 07777);
	a->ctime_ns = now_ns();
	return 0;
}

int iofunc_chown_default(resmgr_context_t *ctp, const struct _io_chown *msg, iofunc_ocb_t *ocb)
{
	iofunc_attr_t *a = ocb->attr;
	struct _client_info ci;
	uint32_t uid = msg->uid == _IO_CHOWN_KEEP ? a->uid : msg->uid;
	uint32_t gid = msg->gid == _IO_CHOWN_KEEP ? a->gid : msg->gid;

	if (iofunc_client_info(ctp, &ci))
		return EPERM;
	if (ci.cred.euid != 0) {
		if (ci.cred.euid != a->uid || uid != a->uid ||
		    (gid != a->gid && !in_group(&ci.cred, gid)))
			return EPERM;
		if (!S_ISDIR(a->mode))
			a->mode &= ~(uint32_t)(S_ISUID | S_ISGID);
	}
	a->uid = uid;
	a->gid = gid;
	a->ctime_ns = now_ns();
	return 0;
}

/* One of _io_utime's times: the new value, or old when omitted. */
static int64_t utime_pick(int64_t want, int64_t old, int64_t now)
{
	return want == _IO_UTIME_NOW ? now : want == _IO_UTIME_OMIT ? old : want;
}

int iofunc_utime_default(resmgr_context_t *ctp, const struct _io_utime *msg, iofunc_ocb_t *ocb)
{
	iofunc_attr_t *a = ocb->attr;
	bool set_a = msg->atime_ns != _IO_UTIME_OMIT, set_m = msg->mtime_ns != _IO_UTIME_OMIT;
	bool explicit = (set_a && msg->atime_ns != _IO_UTIME_NOW) ||
			(set_m && msg->mtime_ns != _IO_UTIME_NOW);

	if (!set_a && !set_m)
		return 0;
	if (iofunc_check_owner(ctp, a)) {
		if (explicit)
			return EPERM;
		if (iofunc_check_access(ctp, a, 2))
			return EACCES;
	}
	int64_t now = now_ns();
	a->atime_ns = utime_pick(msg->atime_ns, a->atime_ns, now);
	a->mtime_ns = utime_pick(msg->mtime_ns, a->mtime_ns, now);
	a->ctime_ns = now;
	return 0;
}

int iofunc_space_default(resmgr_context_t *ctp, const struct _io_space *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (msg->subtype != _IO_SPACE_SETSIZE || msg->len < 0 || !S_ISREG(ocb->attr->mode))
		return EINVAL;
	ocb->attr->nbytes = msg->len;
	ocb->attr->mtime_ns = ocb->attr->ctime_ns = now_ns();
	return 0;
}

int iofunc_sync_default(resmgr_context_t *ctp, const struct _io_sync *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)msg;
	(void)ocb;
	return 0;
}

int iofunc_mmap_default(resmgr_context_t *ctp, const struct _io_mmap *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)msg;
	(void)ocb;
	return ENODEV;
}

/* The flags F_GETFL reports, and those F_SETFL may change. */
#define FDINFO_SHOWN   (O_ACCMODE | O_APPEND | O_NONBLOCK | O_SYNC)
#define FDINFO_CHANGE  (O_APPEND | O_NONBLOCK)

int iofunc_fdinfo_default(resmgr_context_t *ctp, const struct _io_fdinfo *msg, iofunc_ocb_t *ocb)
{
	switch (msg->subtype) {
	case _IO_FDINFO_GETFL:
		return resmgr_reply(ctp, (long)(ocb->ioflag & FDINFO_SHOWN), NULL, 0);
	case _IO_FDINFO_SETFL:
		ocb->ioflag = (ocb->ioflag & ~(uint32_t)FDINFO_CHANGE) | (msg->flags & FDINFO_CHANGE);
		return 0;
	default:
		return EINVAL;
	}
}

int resmgr_devctl_in(const resmgr_context_t *ctp, const struct _io_devctl *msg, void *to,
		     size_t size)
{
	if (msg->nbytes < size || ctp->msglen < sizeof *msg + size)
		return EINVAL;
	memcpy(to, msg + 1, size);
	return 0;
}
