/* Credentials: setuid and friends, setgroups (POSIX.1-2017 setuid(),
 * seteuid(), setreuid(), setgid(), ...).  taskman decides; the kernel keeps
 * the result (ProcessSetCred) for permission checks on signals and for
 * ConnectClientInfo, which servers use for theirs. */
#include <keel/errno.h>
#include "taskman.h"

#define UNCHANGED 0xffffffffu

/* One of the ids an unprivileged process may take: its real, effective or
 * saved one. */
static bool one_of(uint32_t id, uint32_t r, uint32_t e, uint32_t s)
{
	return id == r || id == e || id == s;
}

/* The uid (or gid) triple after the call, or an errno.  root: euid 0. */
static int set_ids(int sub, const int32_t *ids, bool root, uint32_t *r, uint32_t *e, uint32_t *s)
{
	uint32_t a = (uint32_t)ids[0], b = (uint32_t)ids[1], c = (uint32_t)ids[2];

	switch (sub) {
	case _PROC_SETUID:
	case _PROC_SETGID:
		if (root)
			*r = *e = *s = a;
		else if (a == *r || a == *s)
			*e = a;
		else
			return EPERM;
		return 0;
	case _PROC_SETEUID:
	case _PROC_SETEGID:
		if (!root && !one_of(a, *r, *e, *s))
			return EPERM;
		*e = a;
		return 0;
	case _PROC_SETREUID:
	case _PROC_SETREGID:
		if (!root && ((a != UNCHANGED && a != *r && a != *e) ||
			      (b != UNCHANGED && !one_of(b, *r, *e, *s))))
			return EPERM;
		if (a != UNCHANGED || (b != UNCHANGED && b != *r))
			*s = b != UNCHANGED ? b : *e;
		if (a != UNCHANGED)
			*r = a;
		if (b != UNCHANGED)
			*e = b;
		return 0;
	default:                /* the res forms */
		for (int i = 0; i < 3; i++)
			if (!root && (uint32_t)ids[i] != UNCHANGED &&
			    !one_of((uint32_t)ids[i], *r, *e, *s))
				return EPERM;
		if (a != UNCHANGED)
			*r = a;
		if (b != UNCHANGED)
			*e = b;
		if (c != UNCHANGED)
			*s = c;
		return 0;
	}
}

static int apply(struct tproc *p, const struct _proc_setcred *m)
{
	struct _cred_info c = p->cred;
	bool root = c.euid == 0;
	int sub = m->hdr.subtype;

	if (sub < _PROC_SETUID || sub > _PROC_SETGROUPS)
		return EINVAL;
	if (sub == _PROC_SETGROUPS) {
		if (!root)
			return EPERM;
		if (m->ngroups > _PROC_NGROUPS_MAX)
			return EINVAL;
		c.ngroups = m->ngroups;
		for (uint32_t i = 0; i < _NTO_CLIENT_NGROUPS; i++)
			c.grouplist[i] = i < m->ngroups ? m->groups[i] : 0;
	} else {
		for (int i = 0; i < 3; i++)
			if (m->ids[i] < -1)
				return EINVAL;
		int err = sub <= _PROC_SETRESUID ?
			  set_ids(sub, m->ids, root, &c.ruid, &c.euid, &c.suid) :
			  set_ids(sub - 4, m->ids, root, &c.rgid, &c.egid, &c.sgid);
		if (err)
			return err;
	}
	int r = ProcessSetCred_r(p->pid, &c);
	if (r < 0)
		return -r;
	p->cred = c;
	return 0;
}

void cred_msg_set(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	if (len < sizeof(struct _proc_setcred))
		return tm_error(rcvid, EINVAL);
	tm_lock();
	struct tproc *p = proc_find(info->pid);
	int err = p ? apply(p, msg) : ESRCH;
	tm_unlock();
	if (err)
		return tm_error(rcvid, err);
	MsgReply_r(rcvid, 0, 0, 0);
}
