/* bootfs: the boot image as a read-only file system at "/".
 *
 * The boot image is the initrd, a CPIO archive (newc) that taskman holds
 * mapped and hands out in pieces (_PROC_BOOTIMG, <keel/procmsg.h>).  At
 * start bootfs walks the archive's headers once and keeps an index (name,
 * mode, size, where the data starts); file data stays in taskman and is
 * read through it on each _IO_READ.  Parents missing from the archive are
 * made up as directories, so every name has one.
 *
 * "/" is attached with _PROC_PATH_DIR | _PROC_PATH_AFTER: any other server
 * of a name (a device, a file system mounted later) comes first, and
 * bootfs answers what nobody else has.  Everything is read-only: an open
 * for writing or creating is EROFS.  Every header field is checked before
 * use; an archive that does not parse ends bootfs with one line saying
 * where. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>

#define NODES_MAX   1024
#define NAME_MAX_   256
#define CHUNK       8192            /* bytes read from taskman at a time */

struct node {
	char *name;                     /* relative to "/", no leading '/'; "" is the root */
	int parent;                     /* index; -1 for the root */
	uint64_t data;                  /* offset of the file's bytes in the image */
	iofunc_attr_t attr;             /* mode, owner, size; attr.data -> this node */
	char *target;                   /* a symbolic link's text */
};

static struct node nodes[NODES_MAX];
static int nnodes;
static int tm;                          /* taskman */
static uint64_t image_len;

/* len bytes of the image from off into buf: the count, or -errno. */
static long image_read(uint64_t off, void *buf, size_t len)
{
	struct _proc_bootimg m = { .hdr = { .type = _PROC_BOOTIMG }, .offset = off, .len = len };

	return MsgSend_r(tm, &m, sizeof m, buf, len);
}

static int find(const char *name)
{
	for (int i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].name, name))
			return i;
	return -1;
}

/* Whether the directory a new name would go in exists here: a name that
 * is not here is EROFS to create only where its parent is (else ENOENT,
 * as anywhere a path's directory is missing). */
static bool parent_here(const char *name)
{
	const char *slash = strrchr(name, '/');

	if (!slash)
		return true;                    /* in the root */
	size_t n = (size_t)(slash - name);
	char up[NAME_MAX_];
	if (n >= sizeof up)
		return false;
	memcpy(up, name, n);
	up[n] = 0;
	int i = find(up);
	return i >= 0 && S_ISDIR(nodes[i].attr.mode);
}

/* The node for name, made (as a directory, with its parents) if new. */
static int add(const char *name, uint32_t mode)
{
	int i = find(name);

	if (i >= 0)
		return i;
	if (nnodes == NODES_MAX)
		return -ENOSPC;
	int parent = -1;
	if (*name) {
		char up[NAME_MAX_];
		const char *slash = strrchr(name, '/');
		size_t n = slash ? (size_t)(slash - name) : 0;
		memcpy(up, name, n);
		up[n] = 0;
		if ((parent = add(up, S_IFDIR | 0755)) < 0)
			return parent;
	}
	struct node *d = &nodes[nnodes];
	if (!(d->name = strdup(name)))
		return -ENOMEM;
	d->parent = parent;
	iofunc_attr_init(&d->attr, mode);
	d->attr.ino = (uint64_t)nnodes + 1;
	d->attr.data = d;
	if (S_ISDIR(mode))
		d->attr.nlink = 2;
	return nnodes++;
}

/* A newc header field: 8 hex digits.  -1 if it is not. */
static int64_t hex8(const char *p)
{
	int64_t v = 0;

	for (int i = 0; i < 8; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

#define ALIGN4(x) (((x) + 3) & ~(uint64_t)3)

/* Reads the archive's index: 0, or a one-line reason. */
static const char *index_image(void)
{
	char h[110 + NAME_MAX_];
	uint64_t off = 0;

	if (add("", S_IFDIR | 0755) < 0)
		return "no memory";
	while (off < image_len) {
		long n = image_read(off, h, sizeof h);
		if (n < 110)
			return "truncated header";
		if (memcmp(h, "070701", 6) && memcmp(h, "070702", 6))
			return "bad magic";
		int64_t mode = hex8(h + 14), uid = hex8(h + 22), gid = hex8(h + 30),
			mtime = hex8(h + 46), size = hex8(h + 54), namesize = hex8(h + 94);
		if (mode < 0 || uid < 0 || gid < 0 || mtime < 0 || size < 0 || namesize < 1 ||
		    namesize > NAME_MAX_ || 110 + namesize > n || h[110 + namesize - 1])
			return "bad header field";
		const char *name = h + 110;
		uint64_t data = ALIGN4(off + 110 + (uint64_t)namesize);
		if (data + (uint64_t)size > image_len)
			return "file runs past the end";
		off = ALIGN4(data + (uint64_t)size);
		if (!strcmp(name, "TRAILER!!!"))
			return NULL;
		while (name[0] == '.' && name[1] == '/')
			name += 2;
		if (!strcmp(name, "."))
			continue;
		uint32_t type = (uint32_t)mode & S_IFMT;
		if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK)
			continue;               /* devices and the like: not served */
		int i = add(name, (uint32_t)mode);
		if (i < 0)
			return "too many files";
		struct node *d = &nodes[i];
		d->attr.mode = (uint32_t)mode;
		d->attr.uid = (uint32_t)uid;
		d->attr.gid = (uint32_t)gid;
		d->attr.mtime_ns = d->attr.ctime_ns = d->attr.atime_ns = mtime * 1000000000;
		d->data = data;
		if (type != S_IFDIR)
			d->attr.nbytes = size;
		if (type == S_IFLNK) {
			if (size >= NAME_MAX_ || !(d->target = calloc(1, (size_t)size + 1)) ||
			    image_read(data, d->target, (size_t)size) != size)
				return "bad symbolic link";
		}
	}
	return "no trailer";
}

/* A symbolic link met as the last name: the path again with the link's
 * text in place of its name (a relative text is relative to the link's
 * directory), for libc to look up from the start (the link reply). */
static int follow_link(resmgr_context_t *ctp, const char *path, const struct node *l)
{
	static char buf[sizeof(struct _io_connect_link_reply) + _IO_PATH_MAX];
	char *out = buf + sizeof(struct _io_connect_link_reply);
	const char *slash = strrchr(path, '/');
	size_t dir = l->target[0] == '/' ? 0 : slash ? (size_t)(slash - path) + 1 : 0;
	size_t tl = strlen(l->target);

	if (1 + dir + tl + 1 > _IO_PATH_MAX)
		return ENAMETOOLONG;
	size_t len = 0;
	if (l->target[0] != '/')
		out[len++] = '/';
	memcpy(out + len, path, dir);
	len += dir;
	memcpy(out + len, l->target, tl + 1);
	len += tl + 1;
	struct _io_connect_link_reply r = { .file_type = _FTYPE_ANY, .nentries = 0,
					    .path_len = (uint16_t)len };
	memcpy(buf, &r, sizeof r);
	return resmgr_reply(ctp, _IO_CONNECT_RET_LINK, buf, sizeof r + len);
}

static int fs_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		   iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	int i = find(path);

	if (i >= 0 && nodes[i].target && !(msg->ioflag & O_NOFOLLOW))
		return follow_link(ctp, path, &nodes[i]);
	if (msg->subtype == _IO_CONNECT_COMBINE_CLOSE)     /* stat, chmod, ... by path */
		return i < 0 ? ENOENT : iofunc_open_default(ctp, msg, "", &nodes[i].attr, ocb);
	if (i < 0)
		return msg->ioflag & O_CREAT && parent_here(path) ? EROFS : ENOENT;
	struct node *d = &nodes[i];
	if ((msg->ioflag & O_ACCMODE) != O_RDONLY || (msg->ioflag & O_TRUNC))
		return S_ISDIR(d->attr.mode) ? EISDIR : EROFS;
	if ((msg->ioflag & O_CREAT) && (msg->ioflag & O_EXCL))
		return EEXIST;
	if ((msg->ioflag & O_DIRECTORY) && !S_ISDIR(d->attr.mode))
		return ENOTDIR;
	return iofunc_open_default(ctp, msg, "", &d->attr, ocb);
}

/* unlink, mkdir, rename, link: nothing changes here.  A name that does
 * not exist is ENOENT only where the path manager may find it at a server
 * after this one (bootfs comes last, so: never). */
static int fs_unlink(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_attr_t *attr)
{
	(void)ctp;
	(void)msg;
	(void)attr;
	return find(path) < 0 ? ENOENT : EROFS;
}

static int fs_mknod(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr)
{
	(void)ctp;
	(void)msg;
	(void)attr;
	return find(path) >= 0 ? EEXIST : parent_here(path) ? EROFS : ENOENT;
}

static int fs_rename(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     const char *from, iofunc_attr_t *attr)
{
	(void)ctp;
	(void)msg;
	(void)path;
	(void)attr;
	return find(from) < 0 ? ENOENT : EROFS;
}

static int fs_link(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		   const char *extra, iofunc_attr_t *attr)
{
	(void)ctp;
	(void)msg;
	(void)extra;
	(void)attr;
	return find(path) < 0 ? EROFS : EEXIST;
}

static int fs_readlink(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		       iofunc_attr_t *attr)
{
	(void)msg;
	(void)attr;
	int i = find(path);

	if (i < 0)
		return ENOENT;
	if (!nodes[i].target)
		return EINVAL;
	size_t n = strlen(nodes[i].target);
	return resmgr_reply(ctp, (long)n, nodes[i].target, n);
}

/* chmod, chown, utime, truncate: EROFS. */
static int fs_chmod(resmgr_context_t *ctp, const struct _io_chmod *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)m;
	(void)ocb;
	return EROFS;
}

static int fs_chown(resmgr_context_t *ctp, const struct _io_chown *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)m;
	(void)ocb;
	return EROFS;
}

static int fs_utime(resmgr_context_t *ctp, const struct _io_utime *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)m;
	(void)ocb;
	return EROFS;
}

static int read_dir(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	static unsigned char buf[4096];
	size_t used = 0, max = m->nbytes < sizeof buf ? (size_t)m->nbytes : sizeof buf;
	struct node *dir = ocb->attr->data;
	int self = (int)(dir - nodes);
	int64_t pos = ocb->offset;              /* index of the next node to look at */

	for (; pos < nnodes; pos++) {
		struct node *d = &nodes[pos];
		if (d->parent != self)
			continue;
		const char *base = strrchr(d->name, '/');
		base = base ? base + 1 : d->name;
		unsigned type = S_ISDIR(d->attr.mode) ? DT_DIR : S_ISLNK(d->attr.mode) ? DT_LNK : DT_REG;
		if (resmgr_dirent_add(buf, max, &used, d->attr.ino, (uint64_t)pos + 1, type, base) < 0)
			break;
	}
	if (used == 0 && pos < nnodes)
		return EINVAL;                  /* the reader's buffer holds no record */
	ocb->offset = pos;
	return resmgr_reply(ctp, (long)used, buf, used);
}

static int fs_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	static char buf[CHUNK];
	struct node *d = ocb->attr->data;

	if (S_ISDIR(d->attr.mode))
		return read_dir(ctp, m, ocb);
	int64_t left = d->attr.nbytes - ocb->offset;
	size_t n = left > 0 ? (size_t)left : 0;
	if (n > m->nbytes)
		n = (size_t)m->nbytes;
	if (n > sizeof buf)
		n = sizeof buf;
	long got = n ? image_read(d->data + (uint64_t)ocb->offset, buf, n) : 0;
	if (got < 0)
		return (int)-got;
	if (MsgReply_r(ctp->rcvid, got, buf, (size_t)got) == 0)
		ocb->offset += got;
	return RESMGR_DONE;
}

static int fs_write(resmgr_context_t *ctp, const struct _io_write *m, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)m;
	(void)ocb;
	return EBADF;                           /* opened read-only: nothing writes */
}

int main(void)
{
	static const resmgr_connect_funcs_t cf = {
		.open = fs_open, .unlink = fs_unlink, .mknod = fs_mknod, .rename = fs_rename,
		.link = fs_link, .readlink = fs_readlink,
	};
	static const resmgr_io_funcs_t io = {
		.read = fs_read, .write = fs_write, .chmod = fs_chmod, .chown = fs_chown,
		.utime = fs_utime,
	};

	tm = ConnectAttach(ND_LOCAL_NODE, TASKMAN_PID, TASKMAN_CHID, _NTO_SIDE_CHANNEL, 0);
	long len = tm < 0 ? -1 : image_read(0, NULL, 0);
	if (len <= 0) {
		fprintf(stderr, "bootfs: no boot image (%s)\n", strerror(len < 0 ? (int)-len : ENOENT));
		return 1;
	}
	image_len = (uint64_t)len;
	const char *why = index_image();
	if (why) {
		fprintf(stderr, "bootfs: the boot image does not parse: %s\n", why);
		return 1;
	}
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *mgr = chid >= 0 ? resmgr_create(chid, &cf, &io, &nodes[0].attr) : NULL;
	if (!mgr || resmgr_attach(mgr, "/", _FTYPE_ANY, _PROC_PATH_DIR | _PROC_PATH_AFTER) < 0) {
		fprintf(stderr, "bootfs: cannot serve /: %s\n", strerror(errno));
		return 1;
	}
	return resmgr_loop(mgr) < 0 ? 1 : 0;
}
