/* The rules file-system servers share (fsrules.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include "fsrules.h"

bool fsrules_is_dot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

int fsrules_open(const struct _io_connect *msg, bool exists, bool *create)
{
	*create = false;
	if ((msg->ioflag & O_ACCMODE) == O_ACCMODE)
		return EINVAL;
	if (exists)
		return (msg->ioflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL) ? EEXIST : 0;
	if (!(msg->ioflag & O_CREAT))
		return ENOENT;
	if (msg->eflag & _IO_CONNECT_EFLAG_DIR)
		return EISDIR;
	*create = true;
	return 0;
}

int fsrules_open_existing(resmgr_context_t *ctp, const struct _io_connect *msg,
			  const iofunc_attr_t *a, bool rdonly)
{
	uint32_t acc = msg->ioflag & O_ACCMODE;
	bool dir = S_ISDIR(a->mode);

	if (S_ISLNK(a->mode))
		return ELOOP;                   /* O_NOFOLLOW met a link */
	if (!dir && ((msg->ioflag & O_DIRECTORY) || (msg->eflag & _IO_CONNECT_EFLAG_DIR)))
		return ENOTDIR;
	if (dir && acc != O_RDONLY)
		return EISDIR;
	int r = iofunc_check_access(ctp, a, (acc != O_WRONLY ? 4 : 0) | (acc != O_RDONLY ? 2 : 0));
	if (r)
		return r;
	return rdonly && (acc != O_RDONLY || (msg->ioflag & O_TRUNC)) ? EROFS : 0;
}

int fsrules_may_change(resmgr_context_t *ctp, const iofunc_attr_t *d,
		       const iofunc_attr_t *victim, bool rdonly)
{
	int r = iofunc_check_access(ctp, d, 3);

	if (r)
		return r;
	if (rdonly)
		return EROFS;
	if (!victim || !(d->mode & S_ISVTX))
		return 0;
	return iofunc_check_owner(ctp, victim) && iofunc_check_owner(ctp, d) ? EPERM : 0;
}

int fsrules_remove(const struct _io_connect *msg, bool at_mount, const char *name,
		   const iofunc_attr_t *a)
{
	bool rmdir = S_ISDIR(msg->mode), dir = S_ISDIR(a->mode);

	if (at_mount)
		return EBUSY;
	if (fsrules_is_dot(name))
		return rmdir ? EINVAL : EPERM;
	if (rmdir && !dir)
		return ENOTDIR;
	if (!rmdir && dir)
		return EPERM;
	if (!dir && (msg->eflag & _IO_CONNECT_EFLAG_DIR))
		return ENOTDIR;
	return 0;
}

int fsrules_mknod(const struct _io_connect *msg, bool exists, bool fifos)
{
	if (exists)
		return EEXIST;
	if (!S_ISDIR(msg->mode) && !S_ISREG(msg->mode) && !(fifos && S_ISFIFO(msg->mode)))
		return EPERM;                   /* no devices here (or FIFOs) */
	if (!S_ISDIR(msg->mode) && (msg->eflag & _IO_CONNECT_EFLAG_DIR))
		return ENOTDIR;
	return 0;
}

int fsrules_new_owner(resmgr_context_t *ctp, const iofunc_attr_t *d, uint32_t *uid,
		      uint32_t *gid, uint32_t *setgid)
{
	struct _client_info ci;

	if (iofunc_client_info(ctp, &ci))
		return EACCES;
	*uid = ci.cred.euid;
	*gid = d->mode & S_ISGID ? d->gid : ci.cred.egid;
	*setgid = d->mode & S_ISGID;
	return 0;
}

uint32_t fsrules_new_perm(uint32_t mode, uint32_t umask)
{
	return S_ISLNK(mode) ? 0777 : mode & 07777 & ~umask;
}

int fsrules_rename_names(bool from_mount, const char *from, bool to_mount, const char *to)
{
	if (from_mount || to_mount)
		return EBUSY;                   /* the mount itself */
	return fsrules_is_dot(from) || fsrules_is_dot(to) ? EINVAL : 0;
}

int fsrules_rename_source(const struct _io_connect *msg, const iofunc_attr_t *s)
{
	return !S_ISDIR(s->mode) && (msg->eflag & _IO_CONNECT_EFLAG_DIR) ? ENOTDIR : 0;
}

int fswalk(resmgr_context_t *ctp, const struct fswalk_ops *ops, uintptr_t root,
	   const char *path, unsigned flags, uintptr_t *dir, uintptr_t *obj, char *name)
{
	uintptr_t cur = root;
	const char *p = path;

	*dir = 0;
	*obj = root;
	name[0] = 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		const char *e = p;
		while (*e && *e != '/')
			e++;
		size_t n = (size_t)(e - p);
		if (n > ops->name_max)
			return ENAMETOOLONG;
		uintptr_t next;
		int r = ops->step(ctp, cur, p, n, &next);
		if (r)
			return r;
		const char *rest = e;
		while (*rest == '/')
			rest++;
		bool last = !*rest;
		if (last) {
			*dir = cur;
			memcpy(name, p, n);
			name[n] = 0;
			*obj = next;
		}
		if (!next)
			return last ? 0 : ENOENT;
		if ((r = ops->is_link(next)) < 0)
			return -r;
		if (r && (!last || (flags & FSWALK_FOLLOW)))
			return flags & FSWALK_NOLINK ? EXDEV :
			       ops->link_reply(ctp, path, (size_t)(p - path), next, rest);
		if (last)
			return 0;
		cur = next;
		p = e;
	}
}
