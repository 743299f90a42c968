/* devctl (<devctl.h>): the public face of _IO_DEVCTL, with the server's
 * return value; ioctl's requests use the internal __devctl. */
#include <devctl.h>
#include <errno.h>
#include "libc.h"

int devctl(int fd, int dcmd, void *data, size_t nbytes, int *info)
{
	if (nbytes > UINT32_MAX)
		return EINVAL;
	if (nbytes && !__uptr_ok(data, nbytes))
		return EFAULT;
	return -__devctl_info(fd, (unsigned)dcmd, data, nbytes, nbytes, info);
}
