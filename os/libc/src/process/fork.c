/* fork (POSIX.1-2017) and pthread_atfork: a _PROC_FORK message to taskman,
 * whose reply is the child's pid in the parent and 0 in the child (the
 * child returns from the same MsgSend in its copy-on-write copy).  The
 * child's connections are copies at the same numbers; each fd is then
 * bound to the parent's open with _IO_DUP, so the two share offsets and
 * flags as POSIX wants; then the child says so (_PROC_FORKED), which is
 * when the parent's fork returns.  A process that has made threads gets
 * ENOSYS. */
#include <errno.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include "libc.h"

#define ATFORK_MAX 16

static struct { void (*prepare)(void), (*parent)(void), (*child)(void); } atfork[ATFORK_MAX];
static unsigned natfork;
static pthread_mutex_t atfork_lock = PTHREAD_MUTEX_INITIALIZER;

int pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
	int r = 0;

	pthread_mutex_lock(&atfork_lock);
	if (natfork == ATFORK_MAX)
		r = ENOMEM;
	else
		atfork[natfork++] = (typeof(atfork[0])){ prepare, parent, child };
	pthread_mutex_unlock(&atfork_lock);
	return r;
}

pid_t fork(void)
{
	struct _proc_hdr m = { .type = _PROC_FORK };
	int tm = __taskman_coid();

	if (tm < 0)
		return -1;
	pid_t parent = getpid();
	for (unsigned i = natfork; i-- > 0;)            /* prepare: reverse order */
		if (atfork[i].prepare)
			atfork[i].prepare();
	/* EINTR comes only from a signal taken before taskman received the
	 * request (taskman never answers a fork with EINTR): nothing was done,
	 * and fork does not fail for a signal (POSIX), so it asks again. */
	long r;
	do
		r = MsgSend_r(tm, &m, sizeof m, NULL, 0);
	while (r == -EINTR);
	if (r == 0) {
		__pid_forget();                 /* the parent's, until now */
		/* Our thread is a new one with a tid of its own: the record
		 * still held the parent's thread's, so raise() signalled no
		 * thread (ESRCH, silently) and a lock the kernel checks the
		 * owner of named a thread of another process. */
		struct _client_info ci;
		if (ConnectClientInfo_r(-1, &ci, 0) == 0)
			__atomic_store_n(&__self()->tid, (uint32_t)ci.tid, __ATOMIC_RELAXED);
		__poll_channel_drop(true);      /* its connection names the parent's channel */
		if (__itimer_forget)            /* linked only with setitimer and alarm */
			__itimer_forget();
		for (int fd = 0; fd < __FD_MAX; fd++) {
			if (!__fds[fd].pid)
				continue;
			struct _io_dup d = { .hdr = { .type = _IO_DUP }, .coid = fd, .pid = parent };
			if (MsgSend_r(fd, &d, sizeof d, NULL, 0) < 0) {
				/* Its server is gone or refuses: the fd is no open of ours. */
				ConnectDetach_r(fd);
				__fds[fd] = (struct __fd){ 0 };
			}
		}
		/* Now the servers know our fds: the parent's fork may return. */
		struct _proc_hdr done = { .type = _PROC_FORKED };
		MsgSend_r(tm, &done, sizeof done, NULL, 0);
	}
	for (unsigned i = 0; i < natfork; i++) {
		void (*fn)(void) = r == 0 ? atfork[i].child : atfork[i].parent;
		if (fn)
			fn();
	}
	return (pid_t)__syscall_ret(r);
}
