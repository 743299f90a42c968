/* Packing directory records (<keel/iomsg.h> struct _io_dirent) for a
 * directory server's _IO_READ reply. */
#include <string.h>
#include <sys/resmgr.h>

int resmgr_dirent_add(void *buf, size_t size, size_t *used, uint64_t ino, uint64_t next,
		      unsigned type, const char *name)
{
	size_t nl = strlen(name);
	size_t reclen = (sizeof(struct _io_dirent) + nl + 1 + 7) & ~(size_t)7;

	if (nl > 255 || *used > size || size - *used < reclen)
		return -1;
	struct _io_dirent r = { .ino = ino, .next = next, .reclen = (uint16_t)reclen,
				.namelen = (uint16_t)nl, .type = (uint8_t)type };
	unsigned char *p = (unsigned char *)buf + *used;
	memcpy(p, &r, sizeof r);
	memcpy(p + sizeof r, name, nl + 1);
	memset(p + sizeof r + nl + 1, 0, reclen - sizeof r - nl - 1);
	*used += reclen;
	return 0;
}
