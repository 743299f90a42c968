/* The boot image: the initrd CPIO, mapped read-only into taskman by the
 * kernel at KEEL_BOOTIMG_BASE (<keel/start.h>).  Programs are loaded from
 * it until file systems serve them. */
#include <keel/errno.h>
#include <keel/start.h>
#include "cpio.h"
#include "taskman.h"

static uint64_t boot_len;

void bootimg_init(uint64_t len)
{
	boot_len = len;
}

int bootimg_find(const char *path, const void **data, size_t *size)
{
	struct cpio_entry e;

	if (!boot_len || cpio_find((const void *)KEEL_BOOTIMG_BASE, boot_len, path, &e) < 0)
		return -ENOENT;
	if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
		return -EACCES;                 /* a directory: not executable */
	*data = e.data;
	*size = e.size;
	return 0;
}

/* _PROC_BOOTIMG: bytes of the image to anyone (the boot file system). */
void bootimg_msg(int rcvid, const void *msg, size_t len)
{
	struct _proc_bootimg m;

	if (len < sizeof m)
		return tm_error(rcvid, EINVAL);
	memcpy(&m, msg, sizeof m);
	if (!boot_len)
		return tm_error(rcvid, ENOENT);
	if (m.len == 0) {
		MsgReply_r(rcvid, (long)boot_len, 0, 0);
		return;
	}
	uint64_t n = m.offset < boot_len ? boot_len - m.offset : 0;
	if (n > m.len)
		n = m.len;
	MsgReply_r(rcvid, (long)n, (const char *)KEEL_BOOTIMG_BASE + (n ? m.offset : 0), n);
}
