/* chown, lchown and fchown (POSIX.1-2017): _IO_CHOWN, by path as a
 * combine (lchown's does not follow a last symbolic link).  (uid_t)-1 and
 * (gid_t)-1 leave that id as it is. */
#include <unistd.h>
#include "libc.h"

static struct _io_chown chown_msg(uid_t uid, gid_t gid)
{
	return (struct _io_chown){ .hdr = { .type = _IO_CHOWN },
		.uid = uid == (uid_t)-1 ? _IO_CHOWN_KEEP : (uint32_t)uid,
		.gid = gid == (gid_t)-1 ? _IO_CHOWN_KEEP : (uint32_t)gid };
}

static int chown_path(const char *path, bool follow, uid_t uid, gid_t gid)
{
	struct _io_chown m = chown_msg(uid, gid);
	long r = __path_combine(path, follow, &m, sizeof m, NULL, 0);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int chown(const char *path, uid_t uid, gid_t gid)
{
	return chown_path(path, true, uid, gid);
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
	return chown_path(path, false, uid, gid);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	struct _io_chown m = chown_msg(uid, gid);
	long r = __io_msg(fd, &m, sizeof m, NULL, 0);

	return r < 0 ? (int)__syscall_ret(r) : 0;
}
