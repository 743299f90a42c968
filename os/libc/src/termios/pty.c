/* Pseudo-terminals: posix_openpt opens /dev/ptmx (devc-pty makes a new
 * pair for each open and the open is its master); the rest are the
 * master's devctls (<keel/iomsg.h> _DCMD_PTY_*).  A descriptor that is no
 * master gets EINVAL from grantpt and unlockpt, ENOTTY from ptsname_r, as
 * POSIX names them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <devctl.h>

int posix_openpt(int oflag)
{
	if (oflag & ~(O_ACCMODE | O_NOCTTY | O_CLOEXEC)) {
		errno = EINVAL;
		return -1;
	}
	return open("/dev/ptmx", oflag);
}

/* A master devctl; errno as the functions above say, -1 or 0. */
static int master_call(int fd, int dcmd, void *data, size_t nbytes, int not_master)
{
	int r = devctl(fd, dcmd, data, nbytes, NULL);

	if (r == 0)
		return 0;
	errno = r == ENOTTY ? not_master : r;
	return -1;
}

int grantpt(int fd)
{
	return master_call(fd, _DCMD_PTY_GRANT, NULL, 0, EINVAL);
}

int unlockpt(int fd)
{
	int32_t lock = 0;

	return master_call(fd, _DCMD_PTY_UNLOCK, &lock, sizeof lock, EINVAL);
}

int ptsname_r(int fd, char *buf, size_t len)
{
	int32_t n;

	if (master_call(fd, _DCMD_PTY_NUMBER, &n, sizeof n, ENOTTY) < 0)
		return errno;
	if (!buf || snprintf(buf, len, "/dev/pts/%d", (int)n) >= (int)len)
		return ERANGE;
	return 0;
}

char *ptsname(int fd)
{
	static char name[24];
	int r = ptsname_r(fd, name, sizeof name);

	if (r) {
		errno = r;
		return NULL;
	}
	return name;
}
