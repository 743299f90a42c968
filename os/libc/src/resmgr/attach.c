/* resmgr_attach: a name in the path space, by a _PROC_PATH_ATTACH message
 * to taskman's path manager (<keel/procmsg.h>). */
#include <errno.h>
#include <string.h>
#include <sys/resmgr.h>
#include <keel/procmsg.h>
#include "libc.h"

/* struct resmgr's first field is the channel (resmgr.c). */
struct resmgr_head {
	int chid;
};

int resmgr_attach(resmgr_t *mgr, const char *path, unsigned file_type, unsigned flags)
{
	return resmgr_attach_handle(mgr, path, file_type, flags, 0);
}

int resmgr_attach_handle(resmgr_t *mgr, const char *path, unsigned file_type, unsigned flags,
			 uint32_t handle)
{
	if (!mgr || !path || path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	size_t len = strlen(path) + 1;
	if (len > _IO_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	struct _proc_path_attach a = {
		.hdr = { .type = _PROC_PATH_ATTACH },
		.flags = flags,
		.chid = ((struct resmgr_head *)mgr)->chid,
		.handle = handle,
		.file_type = file_type,
		.pathlen = (uint32_t)len,
	};
	iov_t siov[2];
	SETIOV(&siov[0], &a, sizeof a);
	SETIOV(&siov[1], path, len);
	int coid = __taskman_coid();
	if (coid < 0)
		return -1;
	return (int)__syscall_ret(MsgSendvs_r(coid, siov, 2, NULL, 0));
}

/* _PROC_SETCTTY (subtype: 0, or _PROC_SETCTTY_HOLDER) for path. */
static int setctty_msg(unsigned subtype, int pid, const char *path)
{
	size_t len = path ? strlen(path) + 1 : 0;

	if (len < 2 || len > _IO_PATH_MAX) {
		errno = EINVAL;
		return -1;
	}
	struct _proc_setctty m = { .hdr = { .type = _PROC_SETCTTY, .subtype = (uint16_t)subtype },
				   .pid = pid, .pathlen = (uint32_t)len };
	iov_t siov[2];
	SETIOV(&siov[0], &m, sizeof m);
	SETIOV(&siov[1], path, len);
	int coid = __taskman_coid();
	if (coid < 0)
		return -1;
	return (int)__syscall_ret(MsgSendvs_r(coid, siov, 2, NULL, 0));
}

int resmgr_set_ctty(int pid, const char *path)
{
	return setctty_msg(0, pid, path);
}

int resmgr_ctty_session(const char *path)
{
	return setctty_msg(_PROC_SETCTTY_HOLDER, 0, path);
}

int resmgr_group_in_session(int pgid, int sid)
{
	struct _proc_group_req m = { .hdr = { .type = _PROC_GETIDS, .subtype = _PROC_GETIDS_GROUP },
				     .pgid = pgid, .sid = sid };
	int coid = __taskman_coid();

	if (coid < 0)
		return -1;
	return (int)__syscall_ret(MsgSend_r(coid, &m, sizeof m, NULL, 0));
}

int pathmgr_symlink(const char *path, const char *symlink)
{
	size_t len = symlink ? strlen(symlink) + 1 : 0, tlen = path ? strlen(path) + 1 : 0;

	if (len < 2 || tlen < 2 || symlink[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	if (len > _IO_PATH_MAX || tlen > _IO_PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	struct _proc_path_attach a = {
		.hdr = { .type = _PROC_PATH_LINK },
		.pathlen = (uint32_t)len,
		.targetlen = (uint32_t)tlen,
	};
	iov_t siov[3];
	SETIOV(&siov[0], &a, sizeof a);
	SETIOV(&siov[1], symlink, len);
	SETIOV(&siov[2], path, tlen);
	int coid = __taskman_coid();
	if (coid < 0)
		return -1;
	return __syscall_ret(MsgSendvs_r(coid, siov, 3, NULL, 0)) < 0 ? -1 : 0;
}
