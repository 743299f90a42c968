/* The descriptor table's libc side (see libc.h: fds are connections) and
 * the message path every I/O call takes. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include "libc.h"

struct __fd __fds[__FD_MAX];
static unsigned console = 7;            /* bits 0..2: fds still on the console */

bool __fd_console(int fd)
{
	return fd >= 0 && fd < 3 && (__atomic_load_n(&console, __ATOMIC_RELAXED) & (1u << fd));
}

void __fd_console_drop(int fd)
{
	if (fd >= 0 && fd < 3)
		__atomic_fetch_and(&console, ~(1u << fd), __ATOMIC_RELAXED);
}

int __fd_lowest(void)
{
	unsigned c = __atomic_load_n(&console, __ATOMIC_RELAXED);

	/* The console fds are no kernel connections, so the kernel could hand
	 * out their numbers: new fds start above the highest one still held. */
	return c & 4 ? 3 : c & 2 ? 2 : c & 1 ? 1 : 0;
}

long __io_sendv(int fd, const iov_t *s, size_t sn, const iov_t *r, size_t rn)
{
	if (fd < 0 || fd >= _NTO_SIDE_CHANNEL)
		return -EBADF;
	/* One buffer each way (a read, a stat, a seek): the call that reads no
	 * vector. */
	long st = sn == 1 && rn == 1 ? MsgSend_r(fd, s->iov_base, s->iov_len, r->iov_base, r->iov_len)
				     : MsgSendv_r(fd, s, sn, r, rn);
	return st == -ESRCH ? -EBADF : st;     /* the server is gone */
}

long __io_sendv_cp(int fd, const iov_t *s, size_t sn, const iov_t *r, size_t rn)
{
	if (fd < 0 || fd >= _NTO_SIDE_CHANNEL)
		return -EBADF;
	long st = sn == 1 && rn == 1
		? __kcall_cp(KCALL_MsgSend, fd, (long)s->iov_base, (long)s->iov_len,
			     (long)r->iov_base, (long)r->iov_len, 0)
		: __kcall_cp(KCALL_MsgSendv, fd, (long)s, (long)sn, (long)r, (long)rn, 0);
	return st == -ESRCH ? -EBADF : st;
}

/* The kernel hands out the lowest free connection number (it does not take
 * a starting index), so numbers below `lowest`, or other than `exact`
 * (>= 0), are held by placeholder connections to the same server until
 * one lands where wanted, then let go. */
int __fd_attach(int pid, int chid, int lowest, int exact)
{
	/* As many as a process may have (PROC_CONNECTIONS): with fewer, a
	 * dup2 or F_DUPFD more than 64 numbers above the lowest free one
	 * failed (EBADF, EMFILE) with room to spare. */
	int held[256], n = 0, fd;

	for (;;) {
		fd = ConnectAttach_r(ND_LOCAL_NODE, pid, chid, 0, 0);
		if (fd < 0) {
			fd = fd == -EAGAIN ? (exact >= 0 ? -EBADF : -EMFILE) : fd;
			break;
		}
		if (exact >= 0 ? fd == exact : fd >= lowest)
			break;
		if ((exact >= 0 && fd > exact) || n == (int)(sizeof held / sizeof held[0])) {
			ConnectDetach_r(fd);
			fd = exact >= 0 ? -EBADF : -EMFILE;
			break;
		}
		held[n++] = fd;
	}
	while (n)
		ConnectDetach_r(held[--n]);
	if (fd >= __FD_MAX) {
		ConnectDetach_r(fd);
		fd = -EMFILE;
	}
	return fd;
}

static void connect_undo(void *fd)
{
	ConnectDetach_r(*(int *)fd);
}

int __io_connect(int pid, int chid, int lowest, struct _io_connect *c, const char *path,
		 const void *extra, void *reply, size_t reply_len, long *status, bool cp)
{
	int fd = __fd_attach(pid, chid, lowest, -1);

	if (fd < 0)
		return fd;
	iov_t s[3], r;
	SETIOV(&s[0], c, sizeof *c);
	SETIOV(&s[1], path, c->path_len);
	SETIOV(&s[2], extra, c->extra_len);
	SETIOV(&r, reply, reply_len);
	long st;
	if (cp) {
		pthread_cleanup_push(connect_undo, &fd);
		st = __kcall_cp(KCALL_MsgSendv, fd, (long)s, c->extra_len ? 3 : 2, (long)&r, 1, 0);
		pthread_cleanup_pop(0);
	} else {
		st = MsgSendv_r(fd, s, c->extra_len ? 3 : 2, &r, 1);
	}
	if (st < 0) {
		ConnectDetach_r(fd);
		return (int)st;
	}
	*status = st;
	__fd_console_drop(fd);
	__fds[fd] = (struct __fd){ .pid = pid, .chid = chid,
				   .flags = (c->ioflag & O_CLOEXEC) ? FD_CLOEXEC : 0 };
	return fd;
}

void __fd_forget(int fd)
{
	ConnectDetach_r(fd);
	__fds[fd] = (struct __fd){ 0 };
}

int __taskman_coid(void)
{
	static int coid = -1;
	int c = __atomic_load_n(&coid, __ATOMIC_ACQUIRE);

	if (c >= 0)
		return c;
	c = ConnectAttach_r(ND_LOCAL_NODE, 1, 1, _NTO_SIDE_CHANNEL, 0);
	if (c < 0)
		return (int)__syscall_ret(c);
	int none = -1;
	if (!__atomic_compare_exchange_n(&coid, &none, c, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		ConnectDetach_r(c);             /* another thread made it first */
		c = none;
	}
	return c;
}
