/* poll, select and pselect (POSIX.1-2017).  Each descriptor's server
 * answers an _IO_NOTIFY with the conditions that hold now; when none the
 * caller asked for does, the server arms a pulse to this thread's poll
 * channel (made on first use) and poll waits there, with the timeout, then
 * asks every descriptor again.  A pulse that comes after its poll ended
 * (an arm another descriptor's answer made pointless) is drained by the
 * next poll, whose pulses carry a new round number.  A console fd (the
 * kernel's console, before a console server exists) is always ready. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <keel/iomsg.h>
#include "libc.h"

_Static_assert(POLLIN == _NOTIFY_IN && POLLPRI == _NOTIFY_PRI && POLLOUT == _NOTIFY_OUT &&
	       POLLERR == _NOTIFY_ERR && POLLHUP == _NOTIFY_HUP && POLLRDNORM == _NOTIFY_RDNORM &&
	       POLLRDBAND == _NOTIFY_RDBAND && POLLWRNORM == _NOTIFY_WRNORM &&
	       POLLWRBAND == _NOTIFY_WRBAND, "poll.h's bits are the wire's");

#define POLL_PULSE_CODE _PULSE_CODE_MINAVAIL
#define FOREVER         UINT64_MAX

static int poll_channel(struct __pthread *t)
{
	if (t->poll_coid > 0)
		return 0;
	int chid = ChannelCreate_r(0);
	if (chid < 0)
		return chid;
	int coid = ConnectAttach_r(0, 0, chid, _NTO_SIDE_CHANNEL, 0);
	if (coid < 0) {
		ChannelDestroy_r(chid);
		return coid;
	}
	t->poll_chid = chid;
	t->poll_coid = coid;
	return 0;
}

void __poll_channel_drop(bool forget)
{
	struct __pthread *t = __self();

	if (t->poll_coid > 0) {
		ConnectDetach_r(t->poll_coid);
		if (!forget)
			ChannelDestroy_r(t->poll_chid);
	}
	t->poll_chid = t->poll_coid = 0;
}

/* Asks fd's server once: the conditions (revents) for events, arming the
 * round's pulse when arm is set and none holds. */
static short ask(const struct __pthread *t, int fd, short events, bool arm, int64_t round)
{
	if (fd < 0)
		return 0;
	if (__fd_console(fd))
		return events & (POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	struct _io_notify m = { .hdr = { .type = _IO_NOTIFY },
				.action = arm ? _NOTIFY_ACTION_POLLARM : _NOTIFY_ACTION_POLL,
				.events = (uint16_t)events, .coid = t->poll_coid,
				.code = POLL_PULSE_CODE, .value = round };
	long r = __io_msg(fd, &m, sizeof m, NULL, 0);
	if (r == -EBADF)
		return POLLNVAL;
	if (r < 0)
		return POLLERR;
	return (short)(r & (events | POLLERR | POLLHUP));
}

/* Waits for a pulse of this round until deadline: 0, -ETIMEDOUT or -EINTR. */
static int wait_pulse(const struct __pthread *t, int64_t round, uint64_t deadline)
{
	for (;;) {
		struct _pulse p;
		if (deadline != FOREVER) {
			int r = TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE | TIMER_ABSTIME,
					       NULL, &deadline, NULL);
			if (r < 0)
				return r;
		}
		iov_t riov;
		SETIOV(&riov, &p, sizeof p);
		int r = (int)__kcall_cp(KCALL_MsgReceivePulsev, t->poll_chid, (long)&riov, 1,
					0, 0, 0);
		if (r < 0)
			return r;
		if (p.code == POLL_PULSE_CODE && (int64_t)(intptr_t)p.value.sival_ptr == round)
			return 0;
	}
}

/* Pulses of earlier rounds still queued on the channel. */
static void drain(const struct __pthread *t)
{
	struct _pulse p;
	uint64_t zero = 0;

	do
		TimerTimeout_r(CLOCK_MONOTONIC, _NTO_TIMEOUT_RECEIVE, NULL, &zero, NULL);
	while (MsgReceivePulse_r(t->poll_chid, &p, sizeof p, NULL) >= 0);
}

/* poll with a monotonic deadline (FOREVER: none; 0: do not wait). */
static int poll_until(struct pollfd *fds, nfds_t n, uint64_t deadline)
{
	static int64_t rounds;
	struct __pthread *t = __self();

	if (n && !__uptr_ok(fds, n * sizeof *fds)) {
		errno = EFAULT;
		return -1;
	}
	if (n > __FD_MAX) {
		errno = EINVAL;
		return -1;
	}
	bool waits = deadline != 0;
	if (waits) {
		int r = poll_channel(t);
		if (r < 0) {
			errno = -r;
			return -1;
		}
		drain(t);
	}
	for (;;) {
		int64_t round = __atomic_add_fetch(&rounds, 1, __ATOMIC_RELAXED);
		int ready = 0;
		for (nfds_t i = 0; i < n; i++) {
			/* Once one is ready nothing waits: no more arms. */
			fds[i].revents = ask(t, fds[i].fd, fds[i].events, waits && !ready, round);
			ready += fds[i].revents != 0;
		}
		if (ready || !waits)
			return ready;
		int r = wait_pulse(t, round, deadline);
		if (r == -ETIMEDOUT)
			return 0;
		if (r < 0) {
			errno = -r;
			return -1;
		}
	}
}

static uint64_t deadline_in(uint64_t ns)
{
	uint64_t now = __clock_now(CLOCK_MONOTONIC);

	return ns >= FOREVER - now ? FOREVER - 1 : now + ns;
}

int poll(struct pollfd *fds, nfds_t n, int timeout)
{
	uint64_t deadline = timeout < 0 ? FOREVER :
			    timeout == 0 ? 0 : deadline_in((uint64_t)timeout * 1000000u);

	return poll_until(fds, n, deadline);
}

/* select and pselect on poll: a read set bit asks POLLIN, a write set bit
 * POLLOUT, an except set bit POLLPRI; POLLHUP and POLLERR count as
 * readable (and writable when asked), as a read or write would not block. */
static int select_until(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, uint64_t deadline)
{
	struct pollfd p[FD_SETSIZE];
	nfds_t n = 0;

	if (nfds < 0 || nfds > FD_SETSIZE) {
		errno = EINVAL;
		return -1;
	}
	for (int fd = 0; fd < nfds; fd++) {
		short ev = (rd && FD_ISSET(fd, rd) ? POLLIN : 0) |
			   (wr && FD_ISSET(fd, wr) ? POLLOUT : 0) |
			   (ex && FD_ISSET(fd, ex) ? POLLPRI : 0);
		if (ev)
			p[n++] = (struct pollfd){ .fd = fd, .events = ev };
	}
	int r = poll_until(p, n, deadline);
	if (r < 0)
		return -1;
	for (nfds_t i = 0; i < n; i++)
		if (p[i].revents & POLLNVAL) {
			errno = EBADF;
			return -1;
		}
	int count = 0;
	for (int fd = 0; fd < nfds; fd++) {
		short got = 0;
		for (nfds_t i = 0; i < n; i++)
			if (p[i].fd == fd)
				got = p[i].revents;
		bool in = rd && FD_ISSET(fd, rd) && (got & (POLLIN | POLLHUP | POLLERR));
		bool out = wr && FD_ISSET(fd, wr) && (got & (POLLOUT | POLLERR));
		bool pri = ex && FD_ISSET(fd, ex) && (got & POLLPRI);
		if (rd && !in)
			FD_CLR(fd, rd);
		if (wr && !out)
			FD_CLR(fd, wr);
		if (ex && !pri)
			FD_CLR(fd, ex);
		count += in + out + pri;
	}
	return count;
}

/* The deadline of a select or pselect timeout of sec seconds and frac
 * units of unit_ns nanoseconds (frac below per_sec): 0 for a zero timeout
 * (poll once), FOREVER - 1 for one too long to count; EINVAL for a
 * negative or unnormalized one. */
static int timeout_deadline(int64_t sec, int64_t frac, int64_t per_sec, uint64_t unit_ns,
			    uint64_t *deadline)
{
	if (sec < 0 || frac < 0 || frac >= per_sec) {
		errno = EINVAL;
		return -1;
	}
	if ((uint64_t)sec >= FOREVER / 1000000000u) {
		*deadline = FOREVER - 1;
		return 0;
	}
	uint64_t ns = (uint64_t)sec * 1000000000u + (uint64_t)frac * unit_ns;
	*deadline = ns ? deadline_in(ns) : 0;
	return 0;
}

int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *tv)
{
	uint64_t deadline = FOREVER;

	if (tv) {
		if (!__uptr_ok(tv, sizeof *tv)) {
			errno = EFAULT;
			return -1;
		}
		if (timeout_deadline(tv->tv_sec, tv->tv_usec, 1000000, 1000u, &deadline))
			return -1;
	}
	return select_until(nfds, rd, wr, ex, deadline);
}

int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, const struct timespec *ts,
	    const sigset_t *mask)
{
	uint64_t deadline = FOREVER;
	sigset_t old;

	if (ts) {
		if (!__uptr_ok(ts, sizeof *ts)) {
			errno = EFAULT;
			return -1;
		}
		if (timeout_deadline(ts->tv_sec, ts->tv_nsec, 1000000000, 1u, &deadline))
			return -1;
	}
	/* The mask is set around the wait, not atomically with it: a signal
	 * it unblocks that comes just before the wait is taken then, and the
	 * wait runs its full time. */
	if (mask && pthread_sigmask(SIG_SETMASK, mask, &old))
		return -1;
	int r = select_until(nfds, rd, wr, ex, deadline);
	int e = errno;
	if (mask)
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return r;
}
