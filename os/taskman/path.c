/* The path space: which server answers for which name.
 *
 * A server attaches a name (a file, or with _PROC_PATH_DIR a directory
 * and everything below it) to one of its channels.  An _IO_CONNECT to
 * taskman is answered with a redirect naming every server whose name
 * covers the path, longest match first; within one name, a union in the
 * order the servers asked for (BEFORE first, then the newest, AFTER last).
 * A symbolic link of the path space (e.g. /etc -> /usr/conf) rewrites the
 * path and the client starts again.  A server's end removes its names.
 * /dev/tty is a link of each caller's own: to its session's controlling
 * terminal, which a terminal's server sets (_PROC_SETCTTY).
 * A path that no name is but names lie below (/dev) is a directory of the
 * path space: the server attached with _PROC_PATH_VDIRS comes last in its
 * redirect and lists it with _PROC_PATH_LIST (<keel/procmsg.h>).
 *
 * Locking: the table is under tm_lock. */
#include <keel/errno.h>
#include "taskman.h"

#define NAMES_MAX  256
#define NAME_MAX_  128

struct pname {
	int32_t id;                     /* 0: free */
	int32_t pid, chid;
	uint32_t handle, file_type, flags;
	uint32_t seq;                   /* attach order, for unions */
	bool link;
	char path[NAME_MAX_];           /* absolute, no trailing '/' unless "/" */
	char target[NAME_MAX_];         /* link */
};

static struct pname names[NAMES_MAX];
static int32_t next_id = 1;
static uint32_t next_seq = 1;

/* A clean absolute name: starts with '/', no empty, "." or ".." parts, no
 * trailing '/' (except "/" itself). */
static bool clean_name(const char *p, size_t len)
{
	if (len < 1 || len >= NAME_MAX_ || p[0] != '/')
		return false;
	if (len == 1)
		return true;
	if (p[len - 1] == '/')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] != '/')
			continue;
		const char *c = p + i + 1;
		size_t n = 0;
		while (i + 1 + n < len && c[n] != '/')
			n++;
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
	}
	return true;
}

/* How many bytes of path the name takes (with the '/' after it), or -1
 * when it does not cover path.  A file name covers only itself. */
static int covers(const struct pname *n, const char *path)
{
	size_t k = strlen(n->path);

	if (k == 1)                             /* "/" */
		return (n->flags & _PROC_PATH_DIR) || n->link ? 1 : (path[1] ? -1 : 1);
	if (strncmp(path, n->path, k) != 0)
		return -1;
	if (path[k] == 0)
		return (int)k;
	if (path[k] != '/' || !((n->flags & _PROC_PATH_DIR) || n->link))
		return -1;
	return (int)k + 1;
}

static struct pname *slot(void)
{
	for (int i = 0; i < NAMES_MAX; i++)
		if (!names[i].id)
			return &names[i];
	return 0;
}

void path_msg_attach(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_path_attach *m = msg;
	const char *path = (const char *)(m + 1);
	const uint32_t known = _PROC_PATH_DIR | _PROC_PATH_BEFORE | _PROC_PATH_AFTER |
			       _PROC_PATH_FTYPEONLY | _PROC_PATH_VDIRS;

	if (len < sizeof *m || m->pathlen < 2 || len - sizeof *m < (size_t)m->pathlen +
	    (m->hdr.type == _PROC_PATH_LINK ? m->targetlen : 0) || (m->flags & ~known) ||
	    path[m->pathlen - 1] || strlen(path) + 1 != m->pathlen ||
	    !clean_name(path, m->pathlen - 1))
		return tm_error(rcvid, EINVAL);
	const char *target = path + m->pathlen;
	bool link = m->hdr.type == _PROC_PATH_LINK;
	if ((m->flags & _PROC_PATH_VDIRS) && (link || strcmp(path, "/")))
		return tm_error(rcvid, EINVAL);
	if (link && (m->targetlen < 2 || m->targetlen > NAME_MAX_ || target[m->targetlen - 1] ||
		     strlen(target) + 1 != m->targetlen))
		return tm_error(rcvid, EINVAL);
	tm_lock();
	/* The path space is root's (QNX: the PATHSPACE ability): a name
	 * attached over /etc/shadow, or over / and never answered, would be
	 * every other user's opens. */
	struct tproc *caller = proc_find(info->pid);
	if (!caller || caller->cred.euid != 0) {
		tm_unlock();
		return tm_error(rcvid, EPERM);
	}
	for (int i = 0; i < NAMES_MAX; i++)
		if (names[i].id && !link && ((names[i].pid == info->pid &&
		    names[i].chid == m->chid && !strcmp(names[i].path, path)) ||
		    (names[i].flags & m->flags & _PROC_PATH_VDIRS))) {
			tm_unlock();
			return tm_error(rcvid, EEXIST);
		}
	struct pname *n = slot();
	if (!n) {
		tm_unlock();
		return tm_error(rcvid, ENOMEM);
	}
	*n = (struct pname){ .id = next_id++, .pid = info->pid, .chid = m->chid,
			     .handle = m->handle, .file_type = m->file_type, .flags = m->flags,
			     .seq = next_seq++, .link = link };
	tm_strlcpy(n->path, path, sizeof n->path);
	if (link)
		tm_strlcpy(n->target, target, sizeof n->target);
	int32_t id = n->id;
	tm_unlock();
	MsgReply_r(rcvid, id, 0, 0);
}

void path_msg_detach(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_path_detach *m = msg;

	if (len < sizeof *m)
		return tm_error(rcvid, EINVAL);
	tm_lock();
	for (int i = 0; i < NAMES_MAX; i++)
		if (names[i].id == m->id && m->id > 0) {
			bool mine = names[i].pid == info->pid;
			if (mine)
				names[i].id = 0;
			tm_unlock();
			return mine ? (void)MsgReply_r(rcvid, 0, 0, 0) : tm_error(rcvid, EPERM);
		}
	tm_unlock();
	tm_error(rcvid, ENOENT);
}

void path_ctty_ended(struct tproc *l)
{
	if (l->sid != l->pid || !l->ctty[0])
		return;
	const struct pname *server = 0;
	int taken = -1;
	for (int i = 0; i < NAMES_MAX; i++) {
		int k;
		if (names[i].id && !names[i].link && (k = covers(&names[i], l->ctty)) > taken) {
			server = &names[i];
			taken = k;
		}
	}
	/* A pulse: taskman never waits for a server (servers wait for it). */
	int coid = server ? ConnectAttach_r(ND_LOCAL_NODE, server->pid, server->chid,
					    _NTO_SIDE_CHANNEL, 0) : -1;
	if (coid >= 0) {
		MsgSendPulse_r(coid, -1, _PROC_PULSE_CTTY_GONE, l->sid);
		ConnectDetach_r(coid);
	}
	l->ctty[0] = 0;
}

void path_process_gone(int32_t pid)
{
	for (int i = 0; i < NAMES_MAX; i++)
		if (names[i].id && names[i].pid == pid)
			names[i].id = 0;
}

/* Order of a redirect: longer match first; in a union BEFORE, then newer,
 * then AFTER. */
static bool goes_before(const struct pname *a, int alen, const struct pname *b, int blen)
{
	if (alen != blen)
		return alen > blen;
	int ra = (a->flags & _PROC_PATH_BEFORE) ? 0 : (a->flags & _PROC_PATH_AFTER) ? 2 : 1;
	int rb = (b->flags & _PROC_PATH_BEFORE) ? 0 : (b->flags & _PROC_PATH_AFTER) ? 2 : 1;
	return ra != rb ? ra < rb : a->seq > b->seq;
}

/* The longest symbolic link covering path, or NULL. */
static const struct pname *find_link(const char *path, int *taken)
{
	const struct pname *best = 0;

	for (int i = 0; i < NAMES_MAX; i++) {
		int k;
		if (names[i].id && names[i].link && (k = covers(&names[i], path)) >= 0 &&
		    (!best || k > *taken)) {
			best = &names[i];
			*taken = k;
		}
	}
	return best;
}

struct redirect {
	struct _io_connect_link_reply hdr;
	struct _io_connect_entry e[_IO_CONNECT_ENTRIES_MAX];
	char path[_IO_PATH_MAX];
};

/* A rewritten path: the link's target, then what followed the link. */
static int reply_link(int rcvid, const char *target, const char *path, int taken)
{
	static struct redirect r;               /* the message loop's own */
	size_t t = tm_strlcpy(r.path, target, sizeof r.path);
	const char *rest = path + taken;

	if (*rest && t + 1 + strlen(rest) + 1 > sizeof r.path)
		return ENAMETOOLONG;
	if (*rest) {
		if (t == 0 || r.path[t - 1] != '/')
			r.path[t++] = '/';
		tm_strlcpy(r.path + t, rest, sizeof r.path - t);
	}
	r.hdr = (struct _io_connect_link_reply){ .file_type = _FTYPE_LINK, .nentries = 0,
						 .path_len = (uint16_t)(strlen(r.path) + 1) };
	iov_t iov[2];
	SETIOV(&iov[0], &r.hdr, sizeof r.hdr);
	SETIOV(&iov[1], r.path, r.hdr.path_len);
	MsgReplyv_r(rcvid, _IO_CONNECT_RET_LINK, iov, 2);
	return 0;
}

/* Collects the servers covering path into r (sorted); returns how many. */
static int collect(const char *path, uint32_t ftype, int max, struct redirect *r)
{
	const struct pname *pick[_IO_CONNECT_ENTRIES_MAX];
	int len[_IO_CONNECT_ENTRIES_MAX], n = 0;

	for (int i = 0; i < NAMES_MAX; i++) {
		const struct pname *c = &names[i];
		int k;
		if (!c->id || c->link || (c->flags & _PROC_PATH_VDIRS) || (k = covers(c, path)) < 0)
			continue;
		if ((c->flags & _PROC_PATH_FTYPEONLY) && ftype != c->file_type)
			continue;
		int at = n;
		while (at > 0 && goes_before(c, k, pick[at - 1], len[at - 1]))
			at--;
		if (at >= max)
			continue;
		if (n == max)
			n--;                    /* the last one falls off */
		for (int s = n; s > at; s--) {
			pick[s] = pick[s - 1];
			len[s] = len[s - 1];
		}
		pick[at] = c;
		len[at] = k;
		n++;
	}
	for (int i = 0; i < n; i++)
		r->e[i] = (struct _io_connect_entry){ .pid = pick[i]->pid, .chid = pick[i]->chid,
						      .handle = pick[i]->handle,
						      .file_type = pick[i]->file_type,
						      .prefix_len = (uint16_t)len[i],
						      .flags = (uint16_t)pick[i]->flags };
	return n;
}

/* The leader of the caller's session while it lives, or NULL. */
static struct tproc *session_leader(int32_t pid)
{
	struct tproc *p = proc_find(pid);
	struct tproc *l = p ? proc_find(p->sid) : 0;

	return l && l->state == TP_ALIVE && l->sid == l->pid ? l : 0;
}

/* /dev/tty: a link to the caller's controlling terminal. */
static void connect_ctty(int rcvid, const struct _msg_info *info)
{
	char target[TM_CTTY];

	tm_lock();
	struct tproc *l = session_leader(info->pid);
	tm_strlcpy(target, l ? l->ctty : "", sizeof target);
	tm_unlock();
	if (!target[0])
		return tm_error(rcvid, ENXIO);
	int err = reply_link(rcvid, target, "/dev/tty", (int)strlen("/dev/tty"));
	if (err)
		tm_error(rcvid, err);
}

/* Does a name of process pid cover path? */
static bool serves(int32_t pid, const char *path)
{
	for (int i = 0; i < NAMES_MAX; i++)
		if (names[i].id && !names[i].link && !(names[i].flags & _PROC_PATH_VDIRS) &&
		    names[i].pid == pid && covers(&names[i], path) >= 0)
			return true;
	return false;
}

static int set_ctty_locked(int32_t server, int32_t pid, const char *path)
{
	struct tproc *h;

	if (!serves(server, path))
		return EPERM;
	if (!pid) {
		while ((h = proc_ctty_holder(path, 0)))
			h->ctty[0] = 0;
		return 0;
	}
	struct tproc *l = proc_find(pid);
	if (!l || l->state != TP_ALIVE || l->sid != l->pid)
		return EPERM;
	if (l->ctty[0])
		return strcmp(l->ctty, path) ? EEXIST : 0;
	if (proc_ctty_holder(path, pid))
		return EBUSY;
	tm_strlcpy(l->ctty, path, sizeof l->ctty);
	return 0;
}

void path_msg_setctty(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_setctty *m = msg;
	const char *path = (const char *)(m + 1);

	if (len < sizeof *m || m->pathlen < 2 || m->pathlen > TM_CTTY ||
	    len - sizeof *m < m->pathlen || path[m->pathlen - 1] ||
	    strlen(path) + 1 != m->pathlen || !clean_name(path, m->pathlen - 1))
		return tm_error(rcvid, EINVAL);
	if (m->hdr.subtype == _PROC_SETCTTY_HOLDER) {
		tm_lock();
		bool ok = serves(info->pid, path);
		struct tproc *h = ok ? proc_ctty_holder(path, 0) : 0;
		int32_t sid = h ? h->sid : 0;
		tm_unlock();
		if (!ok)
			return tm_error(rcvid, EPERM);
		MsgReply_r(rcvid, sid, 0, 0);
		return;
	}
	tm_lock();
	int err = set_ctty_locked(info->pid, m->pid, path);
	tm_unlock();
	if (err)
		return tm_error(rcvid, err);
	MsgReply_r(rcvid, 0, 0, 0);
}

/* ---- the path space's own directories ---- */

#define DT_UNKNOWN_ 0                   /* <dirent.h>'s values */
#define DT_DIR_     4
#define DT_LNK_     10

/* The server of the path space's directories, or NULL. */
static const struct pname *vdirs_server(void)
{
	for (int i = 0; i < NAMES_MAX; i++)
		if (names[i].id && (names[i].flags & _PROC_PATH_VDIRS))
			return &names[i];
	return 0;
}

/* The name one level below dir that n lies under: its first byte and
 * length (*len), its DT_* type in *type; NULL if n is not below dir. */
static const char *below(const struct pname *n, const char *dir, size_t *len, uint8_t *type)
{
	size_t k = strlen(dir);
	const char *c;

	if (!n->id || (n->flags & _PROC_PATH_VDIRS))
		return 0;
	if (k == 1) {
		if (n->path[1] == 0)
			return 0;
		c = n->path + 1;
	} else {
		if (strncmp(n->path, dir, k) || n->path[k] != '/')
			return 0;
		c = n->path + k + 1;
	}
	const char *end = strchr(c, '/');
	*len = end ? (size_t)(end - c) : strlen(c);
	*type = end || (n->flags & _PROC_PATH_DIR) ? DT_DIR_ : n->link ? DT_LNK_ : DT_UNKNOWN_;
	return c;
}

/* Is path a directory of the path space: no name is path, and one lies
 * below it? */
static bool path_space_dir(const char *path)
{
	bool under = false;
	size_t len;
	uint8_t type;

	for (int i = 0; i < NAMES_MAX; i++) {
		if (!names[i].id || (names[i].flags & _PROC_PATH_VDIRS))
			continue;
		if (!strcmp(names[i].path, path))
			return false;
		under = under || below(&names[i], path, &len, &type);
	}
	return under;
}

/* The entries of directory path from position `from` into e (at most
 * max); how many.  A position is a name's slot + 1; /dev's own "tty" (the
 * caller's terminal, a link of connect_ctty's) comes last. */
static int list_dir(const char *path, uint32_t from, struct _proc_path_entry *e, int max)
{
	int n = 0;

	for (uint32_t i = from; i < NAMES_MAX && n < max; i++) {
		size_t len, olen;
		uint8_t type, otype;
		const char *c = below(&names[i], path, &len, &type);
		if (!c || len > _PROC_PATH_NAME_MAX)
			continue;
		bool seen = false;
		for (uint32_t j = 0; j < i && !seen; j++) {
			const char *o = below(&names[j], path, &olen, &otype);
			seen = o && olen == len && !strncmp(o, c, len);
		}
		if (seen)
			continue;
		e[n] = (struct _proc_path_entry){ .next = i + 1, .type = type };
		memcpy(e[n].name, c, len);
		e[n].name[len] = 0;
		n++;
	}
	if (from <= NAMES_MAX && n < max && !strcmp(path, "/dev")) {
		e[n] = (struct _proc_path_entry){ .next = NAMES_MAX + 1, .type = DT_LNK_ };
		tm_strlcpy(e[n].name, "tty", sizeof e[n].name);
		n++;
	}
	return n;
}

void path_msg_list(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	static struct _proc_path_entry e[_PROC_PATH_LIST_MAX];   /* the message loop's own */
	static char path[NAME_MAX_];
	const struct _proc_path_list *m = msg;

	(void)info;
	if (len < sizeof *m || m->pathlen < 2 || m->pathlen > NAME_MAX_)
		return tm_error(rcvid, EINVAL);
	if (MsgRead_r(rcvid, path, m->pathlen, sizeof *m) != m->pathlen ||
	    path[m->pathlen - 1] || strlen(path) + 1 != m->pathlen ||
	    !clean_name(path, m->pathlen - 1))
		return tm_error(rcvid, EINVAL);
	tm_lock();
	bool any = m->hdr.subtype == _PROC_PATH_LIST_BELOW;
	int n = any || path_space_dir(path) ? list_dir(path, m->from, e, _PROC_PATH_LIST_MAX) : -1;
	tm_unlock();
	if (n < 0)
		return tm_error(rcvid, ENOENT);
	MsgReply_r(rcvid, n, e, (size_t)n * sizeof e[0]);
}

void path_msg_connect(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	static struct redirect r;               /* the message loop's own */
	static char path[_IO_PATH_MAX];
	const struct _io_connect *m = msg;

	if (len < sizeof *m || m->path_len < 2 || m->path_len > _IO_PATH_MAX)
		return tm_error(rcvid, EINVAL);
	if (MsgRead_r(rcvid, path, m->path_len, sizeof *m) != m->path_len ||
	    path[m->path_len - 1] || strlen(path) + 1 != m->path_len)
		return tm_error(rcvid, EINVAL);
	if (path[0] != '/')
		return tm_error(rcvid, EINVAL);         /* libc sends absolute paths */
	if (!strcmp(path, "/dev/tty"))
		return connect_ctty(rcvid, info);
	int max = m->entry_max && m->entry_max < _IO_CONNECT_ENTRIES_MAX ? m->entry_max :
		  _IO_CONNECT_ENTRIES_MAX;
	tm_lock();
	int taken = 0;
	const struct pname *l = find_link(path, &taken);
	int n = collect(path, m->file_type, max, &r);
	/* A server name longer than the link wins (a mount inside the link). */
	if (l && (!n || r.e[0].prefix_len <= taken)) {
		int err = reply_link(rcvid, l->target, path, taken);
		tm_unlock();
		if (err)
			tm_error(rcvid, err);
		return;
	}
	/* Last, the path space's own directory (when no file system has one). */
	const struct pname *v = n < max ? vdirs_server() : 0;
	if (v && path_space_dir(path))
		r.e[n++] = (struct _io_connect_entry){ .pid = v->pid, .chid = v->chid,
						       .handle = v->handle,
						       .file_type = _FTYPE_ANY, .prefix_len = 0,
						       .flags = (uint16_t)v->flags };
	tm_unlock();
	if (!n)
		return tm_error(rcvid, ENOENT);
	r.hdr = (struct _io_connect_link_reply){ .file_type = r.e[0].file_type,
						 .nentries = (uint16_t)n };
	iov_t iov[2];
	SETIOV(&iov[0], &r.hdr, sizeof r.hdr);
	SETIOV(&iov[1], r.e, (size_t)n * sizeof r.e[0]);
	MsgReplyv_r(rcvid, _IO_CONNECT_RET_LINK | n, iov, 2);
}
