#pragma once
/* poll (POSIX.1-2017): readiness of descriptors.  Each descriptor's server
 * answers an _IO_NOTIFY message (<keel/iomsg.h>, whose _NOTIFY_* bits
 * these values are) and, when nothing asked for is ready, arms a pulse
 * that wakes the caller once something is. */
#include <sys/cdefs.h>

#define POLLIN      0x001
#define POLLPRI     0x002
#define POLLOUT     0x004
#define POLLERR     0x008
#define POLLHUP     0x010
#define POLLNVAL    0x020
#define POLLRDNORM  0x040
#define POLLRDBAND  0x080
#define POLLWRNORM  0x100
#define POLLWRBAND  0x200

typedef unsigned long nfds_t;

struct pollfd {
	int fd;
	short events;
	short revents;
};

__BEGIN_DECLS
int poll(struct pollfd *fds, nfds_t nfds, int timeout);
__END_DECLS
