/* The boot image: the initrd CPIO, mapped read-only into taskman by the
 * kernel at KEEL_BOOTIMG_BASE (<keel/start.h>).  Programs are loaded from
 * it until file systems serve them. */
#include <keel/errno.h>
#include <keel/start.h>
#include "cpio.h"
#include "taskman.h"

static uint64_t boot_len;

/* The image's entries, read once: a lookup compares names only (reading
 * the archive's hex headers on every lookup cost about 130,000
 * instructions per spawn).  Names without their leading "/" and "./". */
struct entry {
	const char *name;
	size_t namelen;
	struct cpio_entry e;
};

static struct entry *entries;
static size_t nentries;

/* A malformed image (cpio_next's error anywhere) serves nothing, as
 * cpio_find would answer no lookup in it. */
void bootimg_init(uint64_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	size_t n = 0;
	int r;

	cpio_iter_init(&it, (const void *)KEEL_BOOTIMG_BASE, len);
	while ((r = cpio_next(&it, &e)) == 1)
		n++;
	if (r < 0 || !n || !(entries = tm_alloc(n * sizeof *entries)))
		return;
	cpio_iter_init(&it, (const void *)KEEL_BOOTIMG_BASE, len);
	for (size_t i = 0; i < n && cpio_next(&it, &e) == 1; i++) {
		const char *name = cpio_path(e.name);
		entries[i] = (struct entry){ name, strlen(name), e };
	}
	nentries = n;
	boot_len = len;
}

/* The entry of path; of two with one name the later (as cpio_find). */
static int find(const char *path, struct cpio_entry *e)
{
	path = cpio_path(path);
	size_t len = strlen(path);

	for (size_t i = nentries; i-- > 0; )
		if (entries[i].namelen == len && !memcmp(entries[i].name, path, len)) {
			*e = entries[i].e;
			return 0;
		}
	return -ENOENT;
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
		if (find(path, &e) < 0)
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

/* _PROC_BOOTIMG: bytes of the image to root (the boot file system, which
 * checks each file's mode for its clients: the image holds /etc/shadow,
 * which anyone asking here for raw bytes read past that check). */
void bootimg_msg(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	struct _proc_bootimg m;

	if (len < sizeof m)
		return tm_error(rcvid, EINVAL);
	tm_lock();
	struct tproc *caller = proc_find(info->pid);
	bool root = caller && caller->cred.euid == 0;
	tm_unlock();
	if (!root)
		return tm_error(rcvid, EPERM);
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
