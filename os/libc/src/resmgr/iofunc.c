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

/* May the client (ConnectClientInfo on its scoid: the kernel answers a
 * server about the processes connected to it) open attr with ioflag?  A
 * client that is gone, or any other failure, refuses the open. */
static int access_ok(resmgr_context_t *ctp, const iofunc_attr_t *attr, uint32_t ioflag)
{
	struct _client_info ci;
	int r = ConnectClientInfo_r(ctp->info.scoid, &ci, 0);

	if (r < 0)
		return EACCES;
	if (ci.cred.euid == 0)
		return 0;
	unsigned shift = ci.cred.euid == attr->uid ? 6 : ci.cred.egid == attr->gid ? 3 : 0;
	unsigned have = (attr->mode >> shift) & 7, want = 0;
	if ((ioflag & O_ACCMODE) != O_WRONLY)
		want |= 4;
	if ((ioflag & O_ACCMODE) != O_RDONLY)
		want |= 2;
	return (have & want) == want ? 0 : EACCES;
}

int iofunc_open_default(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	if (*path)
		return ENOENT;                  /* one resource: the attached name itself */
	if ((msg->ioflag & O_ACCMODE) == O_ACCMODE)
		return EINVAL;
	int r = access_ok(ctp, attr, msg->ioflag);
	if (r)
		return r;
	iofunc_ocb_t *o = calloc(1, sizeof *o);
	if (!o)
		return ENOMEM;
	o->attr = attr;
	o->ioflag = msg->ioflag;
	if ((msg->ioflag & O_TRUNC) && (msg->ioflag & O_ACCMODE) != O_RDONLY) {
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
