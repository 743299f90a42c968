#pragma once
/* A memory file for the resmgr test programs (header only): the read and
 * write handlers of a resource manager whose data is memfile[], with the
 * open's access mode, O_APPEND and the end of the buffer respected. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/resmgr.h>
#include <keel/neutrino.h>

#ifndef MEMFILE_CAP
#define MEMFILE_CAP (64 << 10)
#endif

static char memfile[MEMFILE_CAP];

/* From the open's offset, at most to the end. */
static int mem_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	int64_t left = ocb->attr->nbytes - ocb->offset;
	uint64_t n = left > 0 ? (uint64_t)left : 0;
	if (m->nbytes < n)
		n = m->nbytes;
	/* and within the buffer: a size set past it (an ftruncate: the
	 * framework's default space handler) reads no further */
	uint64_t in_buffer = ocb->offset < MEMFILE_CAP ? (uint64_t)(MEMFILE_CAP - ocb->offset) : 0;
	if (n > in_buffer)
		n = in_buffer;
	if (MsgReply_r(ctp->rcvid, (long)n, memfile + ocb->offset, n) == 0)
		ocb->offset += (int64_t)n;
	return RESMGR_DONE;
}

/* The data follows the message: MsgRead takes it from the client. */
static int mem_write(resmgr_context_t *ctp, const struct _io_write *m, iofunc_ocb_t *ocb)
{
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (ocb->ioflag & O_APPEND)
		ocb->offset = ocb->attr->nbytes;
	if (ocb->offset >= MEMFILE_CAP)
		return ENOSPC;
	uint64_t room = (uint64_t)(MEMFILE_CAP - ocb->offset);
	uint64_t n = m->nbytes < room ? m->nbytes : room;
	long got = MsgRead_r(ctp->rcvid, memfile + ocb->offset, n, sizeof *m);
	if (got < 0)
		return EFAULT;
	ocb->offset += got;
	if (ocb->offset > ocb->attr->nbytes)
		ocb->attr->nbytes = ocb->offset;
	return resmgr_reply(ctp, got, NULL, 0);
}
