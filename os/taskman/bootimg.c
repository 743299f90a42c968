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

#define LINKS_MAX 8                     /* symbolic links followed (ELOOP past) */
#define BOOT_PATH 256

/* The file at path, following symbolic links: an absolute target, or one
 * relative to the link's directory (/bin/ls -> toybox is /bin/toybox). */
int bootimg_find(const char *path, const void **data, size_t *size)
{
	struct bootimg_file f;

	return bootimg_find_file(path, data, size, &f);
}

int bootimg_find_file(const char *path, const void **data, size_t *size, struct bootimg_file *f)
{
	struct cpio_entry e;
	char buf[2][BOOT_PATH];
	int cur = 0;

	for (int links = 0; ; links++) {
		if (!boot_len || cpio_find((const void *)KEEL_BOOTIMG_BASE, boot_len, path, &e) < 0)
			return -ENOENT;
		if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFLNK)
			break;
		if (links == LINKS_MAX)
			return -ELOOP;
		size_t dir = 0;                 /* up to and with the last '/' */
		for (size_t i = 0; path[i]; i++)
			if (path[i] == '/')
				dir = i + 1;
		if (e.size && ((const char *)e.data)[0] == '/')
			dir = 0;                /* an absolute target */
		if (dir + e.size + 1 > BOOT_PATH)
			return -ENAMETOOLONG;
		char *next = buf[cur ^= 1];
		memmove(next, path, dir);       /* path may be the other buffer */
		memcpy(next + dir, e.data, e.size);
		next[dir + e.size] = 0;
		path = next;
	}
	if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
		return -EACCES;                 /* a directory: not executable */
	*data = e.data;
	*size = e.size;
	*f = (struct bootimg_file){ e.mode, e.uid, e.gid };
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
