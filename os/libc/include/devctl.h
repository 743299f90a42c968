#pragma once
/* <devctl.h>: a server's own control commands on an open descriptor (the
 * _IO_DEVCTL message of <keel/iomsg.h>; the commands are the servers'). */
#include <stddef.h>
#include <keel/iomsg.h>

/* Sends dcmd with nbytes of data to fd's server; what it replies (at most
 * nbytes) comes back into the same buffer, and its own return value into
 * *info (may be NULL).  Returns 0 or an errno value (errno untouched):
 * EBADF, ENOTTY for a command the server does not know, the server's own. */
int devctl(int fd, int dcmd, void *data, size_t nbytes, int *info);
