/* The child's half of posix_spawn and exec: the startup data
 * (<keel/spawndata.h>) found through AT_KEEL_SPAWNDATA.  After a spawn each
 * inherited fd becomes a connection at the same number sharing the
 * parent's open (_IO_DUP naming the parent's connection); after an exec
 * the connections are still there and are only recorded, or closed when
 * they were FD_CLOEXEC.  Then the file actions run in order, and the
 * working directory is set.  A malformed block is ignored (taskman copies
 * it unread, so only a broken parent libc makes one); an action that fails
 * ends the process with status 127. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include <keel/spawndata.h>
#include "libc.h"

/* The parent's FD_CLOEXEC fds, here for the file actions only: closed
 * after them unless an action put another open at that number. */
static uint64_t cloexec[(__FD_MAX + 63) / 64];

static void cloexec_forget(int fd)
{
	if (fd >= 0 && fd < __FD_MAX)
		cloexec[fd / 64] &= ~(1ull << (fd % 64));
}

static int inherit(const struct _spawn_fd *f, int parent)
{
	if (f->fd < 0 || f->fd >= __FD_MAX)
		return -1;
	int fd = __fd_attach(f->pid, f->chid, 0, f->fd);
	if (fd < 0)
		return -1;
	if (f->coid & _SPAWN_FD_CLOEXEC)
		cloexec[fd / 64] |= 1ull << (fd % 64);
	struct _io_dup m = { .hdr = { .type = _IO_DUP }, .coid = f->coid & ~_SPAWN_FD_CLOEXEC,
			     .pid = parent };
	if (MsgSend_r(fd, &m, sizeof m, NULL, 0) < 0) {
		ConnectDetach_r(fd);
		return -1;
	}
	__fd_console_drop(fd);
	__fds[fd] = (struct __fd){ .pid = f->pid, .chid = f->chid };
	return 0;
}

/* An exec's fd: the connection fd already is, kept or closed. */
static int keep(const struct _spawn_fd *f)
{
	if (f->fd < 0 || f->fd >= __FD_MAX)
		return -1;
	if (f->coid == _SPAWN_FD_CLOSE) {
		struct _io_close m = { .hdr = { .type = _IO_CLOSE } };
		MsgSend_r(f->fd, &m, sizeof m, NULL, 0);
		ConnectDetach_r(f->fd);
		return 0;
	}
	if (f->coid != f->fd)
		return -1;
	__fd_console_drop(f->fd);
	__fds[f->fd] = (struct __fd){ .pid = f->pid, .chid = f->chid };
	return 0;
}

static int act(const struct _spawn_act *a, const char *path)
{
	cloexec_forget(a->op == _SPAWN_ACT_DUP2 ? a->newfd : a->fd);
	switch (a->op) {
	case _SPAWN_ACT_CLOSE:
		return close(a->fd) < 0 ? -1 : 0;
	case _SPAWN_ACT_DUP2:
		return dup2(a->fd, a->newfd) < 0 ? -1 : 0;
	case _SPAWN_ACT_OPEN: {
		if (__fd_console(a->fd) || __fds[a->fd].pid)
			close(a->fd);
		int fd = open(path, a->oflag, a->mode);
		if (fd < 0)
			return -1;
		if (fd != a->fd) {
			int r = dup2(fd, a->fd);
			close(fd);
			return r < 0 ? -1 : 0;
		}
		return 0;
	}
	default:
		return -1;
	}
}

void __spawn_apply(const uint64_t *auxv)
{
	const unsigned char *data = NULL;
	size_t len = 0;

	for (; auxv && auxv[0] != AT_NULL; auxv += 2) {
		if (auxv[0] == AT_KEEL_SPAWNDATA)
			data = (const unsigned char *)(uintptr_t)auxv[1];
		else if (auxv[0] == AT_KEEL_SPAWNDATALEN)
			len = (size_t)auxv[1];
	}
	struct _spawn_data d;
	if (!data || len < sizeof d)
		return;
	memcpy(&d, data, sizeof d);
	size_t off = sizeof d;
	if (d.magic != _SPAWN_DATA_MAGIC || d.version != 2 ||
	    (len - off) / sizeof(struct _spawn_fd) < d.nfds)
		return;
	for (int fd = 0; fd < 3; fd++)
		if (!(d.console & (1u << fd)))
			__fd_console_drop(fd);
	for (unsigned i = 0; i < d.nfds; i++, off += sizeof(struct _spawn_fd)) {
		struct _spawn_fd f;
		memcpy(&f, data + off, sizeof f);
		if ((d.flags & _SPAWN_DATA_EXEC ? keep(&f) : inherit(&f, d.parent)) < 0)
			_exit(127);
	}
	/* The actions are checked first and done second: the working
	 * directory after them in the data is set before them (POSIX: they
	 * happen in the child as if after fork, in the parent's directory,
	 * so an addopen of a relative path is relative to it). */
	size_t acts = off;
	for (unsigned pass = 0; pass < 2; pass++) {
		off = acts;
		for (unsigned i = 0; i < d.nacts; i++) {
			struct _spawn_act a;
			if (len - off < sizeof a)
				_exit(127);
			memcpy(&a, data + off, sizeof a);
			off += sizeof a;
			size_t plen = ((size_t)a.pathlen + 7) & ~(size_t)7;
			if (len - off < plen || (a.pathlen && data[off + a.pathlen - 1] != 0) ||
			    (a.op == _SPAWN_ACT_OPEN && !a.pathlen) || a.fd < 0 ||
			    a.fd >= __FD_MAX)
				_exit(127);
			if (pass == 1 && act(&a, (const char *)data + off) < 0)
				_exit(127);
			off += plen;
		}
		if (pass == 0 && d.cwdlen && len - off >= d.cwdlen &&
		    data[off + d.cwdlen - 1] == 0)
			__cwd_set((const char *)data + off);
	}
	for (int fd = 0; fd < __FD_MAX; fd++)
		if (cloexec[fd / 64] & (1ull << (fd % 64)))
			close(fd);
	if (!(d.flags & _SPAWN_DATA_EXEC)) {    /* a parent waiting in posix_spawn may go on */
		struct _proc_hdr done = { .type = _PROC_FORKED };
		int tm = __taskman_coid();
		if (tm >= 0)
			MsgSend_r(tm, &done, sizeof done, NULL, 0);
	}
}
