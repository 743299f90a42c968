/* shmem: POSIX shared memory objects (shm_open), the names under
 * /dev/shmem.  shmem [-m MODE] [-s BYTES] serves them until it is killed;
 * the objects hold BYTES at most together (64 MiB by default), and a user
 * other than root a quarter of that in 16 objects at most (ENOSPC).
 *
 * An object is an attribute (mode, owner, size) and a window of this
 * process's addresses, SHM_WINDOW bytes at SHM_BASE + slot * SHM_WINDOW,
 * where its pages are mapped as shared-object pages (MAP_SHARED|MAP_ANON:
 * never copied on write).  ftruncate maps pages into the window or unmaps
 * them; mmap of an open (_IO_MMAP) checks the open's access and the range
 * and grants the client the window's pages with taskman (_PROC_SHM_GRANT),
 * which the client's libc then maps: the client's space and this one hold
 * the same pages, and a page lives while any space maps it, so an object
 * unlinked, closed or shrunk here stays whole in the clients that map it.
 *
 * The names are flat (no directories below /dev/shmem); the directory is
 * sticky and writable by all (MODE, 01777 by default), as /tmp.  A name
 * lives until unlinked, its object until the last open is closed too.
 * read and write are not served (mmap is how an object is used).
 *
 * One thread: handlers are short; the one that waits (mmap's grant) waits
 * for taskman, which never sends to us. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>

#define SHM_BASE    0x0000003000000000ul        /* 192 GiB, above mmap's usual range */
#define SHM_WINDOW  (256ul << 20)               /* the largest object */
#define SHM_OBJECTS 128u
#define PAGE        4096ul
/* What all objects may hold at once (-s changes it), and what one user's
 * (not root's) may: /dev/shmem is every user's to create in, and its pages
 * are taken as an object grows, so without a limit one user's objects
 * took every page of the machine, and kept them after the logout. */
#define SHM_BUDGET_DEFAULT  (64ul << 20)
#define SHM_USER_SHARE      4u          /* a user: a quarter of the budget */
#define SHM_USER_OBJECTS    16u         /* and this many objects */

struct object {
	iofunc_attr_t attr;             /* attr.data -> this; count: opens */
	bool used, linked;
	char name[NAME_MAX + 1];
	uint64_t mapped;                /* bytes of the window mapped */
};

static struct object objects[SHM_OBJECTS];
static uint64_t budget = SHM_BUDGET_DEFAULT, in_use;

/* Bytes mapped for uid's objects. */
static uint64_t held_by(uint32_t uid)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < SHM_OBJECTS; i++)
		if (objects[i].used && objects[i].attr.uid == uid)
			n += objects[i].mapped;
	return n;
}
static iofunc_attr_t root;
static uint64_t next_ino = 2;
static int taskman = -1;

static uint64_t window(const struct object *o)
{
	return SHM_BASE + (uint64_t)(o - objects) * SHM_WINDOW;
}

static uint64_t pages_for(uint64_t bytes)
{
	return (bytes + PAGE - 1) & ~(PAGE - 1);
}

/* Maps or unmaps window pages so that exactly the first `bytes` (rounded
 * up to pages) are mapped; the bytes past the new end of a shrunk last
 * page read as zeros when the object grows again.  0 or an errno. */
static int resize(struct object *o, uint64_t bytes)
{
	uint64_t want = pages_for(bytes), w = window(o);

	if (want > o->mapped) {
		uint64_t more = want - o->mapped;
		if (more > budget - in_use ||
		    (o->attr.uid != 0 && held_by(o->attr.uid) + more > budget / SHM_USER_SHARE))
			return ENOSPC;
		void *p = mmap((void *)(uintptr_t)(w + o->mapped), want - o->mapped,
			       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANON | MAP_FIXED_NOREPLACE, -1,
			       0);
		if (p == MAP_FAILED)
			return errno == EEXIST ? EIO : ENOSPC;
	} else if (want < o->mapped && munmap((void *)(uintptr_t)(w + want), o->mapped - want)) {
		return EIO;
	}
	in_use = in_use - o->mapped + want;
	o->mapped = want;
	if (bytes < (uint64_t)o->attr.nbytes && bytes < want)
		memset((void *)(uintptr_t)(w + bytes), 0, want - bytes);
	o->attr.nbytes = (int64_t)bytes;
	o->attr.mtime_ns = o->attr.ctime_ns = iofunc_time_now();
	return 0;
}

static void release(struct object *o)
{
	if (o->linked || o->attr.count)
		return;
	resize(o, 0);
	o->used = false;
}

static struct object *find(const char *name)
{
	for (unsigned i = 0; i < SHM_OBJECTS; i++)
		if (objects[i].used && objects[i].linked && !strcmp(objects[i].name, name))
			return &objects[i];
	return NULL;
}

/* A name this server can hold: 0, ENAMETOOLONG or ENOENT (a '/' in it:
 * there are no directories here). */
static int name_ok(const char *name)
{
	if (strchr(name, '/'))
		return ENOENT;
	return strlen(name) > NAME_MAX ? ENAMETOOLONG : 0;
}

static int make_ocb(iofunc_attr_t *attr, uint32_t ioflag, iofunc_ocb_t **ocb)
{
	iofunc_ocb_t *o = calloc(1, sizeof *o);

	if (!o)
		return ENOMEM;
	o->attr = attr;
	o->ioflag = ioflag;
	attr->count++;
	*ocb = o;
	return 0;
}

static int create(resmgr_context_t *ctp, const struct _io_connect *msg, const char *name,
		  struct object **out)
{
	struct _client_info ci;
	int r = iofunc_check_access(ctp, &root, 3);

	if (r)
		return r;
	if (iofunc_client_info(ctp, &ci))
		return EACCES;
	unsigned mine = 0;
	for (unsigned i = 0; i < SHM_OBJECTS; i++)
		mine += objects[i].used && objects[i].attr.uid == ci.cred.euid;
	if (ci.cred.euid != 0 && mine >= SHM_USER_OBJECTS)
		return ENOSPC;                  /* the slots are everyone's */
	for (unsigned i = 0; i < SHM_OBJECTS; i++) {
		struct object *o = &objects[i];
		if (o->used)
			continue;
		*o = (struct object){ .used = true, .linked = true };
		iofunc_attr_init(&o->attr, S_IFREG | (msg->mode & 0777 & ~msg->umask));
		o->attr.uid = ci.cred.euid;
		o->attr.gid = ci.cred.egid;
		o->attr.nlink = 1;
		o->attr.ino = next_ino++;
		o->attr.data = o;
		strcpy(o->name, name);
		*out = o;
		return 0;
	}
	return ENOSPC;
}

static int shm_open_(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	uint32_t acc = msg->ioflag & O_ACCMODE;
	bool combine = msg->subtype == _IO_CONNECT_COMBINE_CLOSE;

	if (!*path) {                           /* the directory itself */
		if (!combine && acc != O_RDONLY)
			return EISDIR;
		return make_ocb(&root, combine ? O_RDONLY : msg->ioflag, ocb);
	}
	int r = name_ok(path);
	if (r)
		return r;
	struct object *o = find(path);
	if (combine)
		return o ? make_ocb(&o->attr, O_RDONLY, ocb) : ENOENT;
	if (acc == O_ACCMODE)
		return EINVAL;
	if (o && (msg->ioflag & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return EEXIST;
	if (!o) {
		if (!(msg->ioflag & O_CREAT))
			return ENOENT;
		if ((r = create(ctp, msg, path, &o)))
			return r;
	} else {
		if ((msg->ioflag & O_DIRECTORY) || (msg->eflag & _IO_CONNECT_EFLAG_DIR))
			return ENOTDIR;
		r = iofunc_check_access(ctp, &o->attr, (acc != O_WRONLY ? 4 : 0) |
					(acc != O_RDONLY ? 2 : 0));
		if (r)
			return r;
		if ((msg->ioflag & O_TRUNC) && acc != O_RDONLY && (r = resize(o, 0)))
			return r;
	}
	return make_ocb(&o->attr, msg->ioflag, ocb);
}

static int shm_unlink_(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		       iofunc_attr_t *attr)
{
	(void)attr;
	if (!*path)
		return EBUSY;
	int r = name_ok(path);
	if (r)
		return r;
	struct object *o = find(path);
	if (!o)
		return ENOENT;
	if (S_ISDIR(msg->mode))
		return ENOTDIR;                 /* rmdir */
	if ((r = iofunc_check_access(ctp, &root, 3)))
		return r;
	if (iofunc_check_owner(ctp, &o->attr) && iofunc_check_owner(ctp, &root))
		return EPERM;                   /* the sticky directory */
	o->linked = false;
	o->attr.nlink = 0;
	o->attr.ctime_ns = iofunc_time_now();
	release(o);
	return 0;
}

static struct object *object_of(const iofunc_ocb_t *ocb)
{
	return ocb->attr == &root ? NULL : ocb->attr->data;
}

/* The directory's entries from the open's position: ".", "..", then the
 * objects by slot (the position is the next slot + 2). */
static int shm_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	static unsigned char buf[2048];
	size_t used = 0, max = m->nbytes < sizeof buf ? (size_t)m->nbytes : sizeof buf;
	uint64_t pos = (uint64_t)ocb->offset;

	if (object_of(ocb))
		return ENOSYS;                  /* objects are mapped, not read */
	for (; pos < SHM_OBJECTS + 2; pos++) {
		const struct object *o = pos >= 2 ? &objects[pos - 2] : NULL;
		if (o && (!o->used || !o->linked))
			continue;
		if (resmgr_dirent_add(buf, max, &used, o ? o->attr.ino : 1, pos + 1,
				      o ? DT_REG : DT_DIR, o ? o->name : pos ? ".." : "."))
			break;
	}
	if (!used && pos < SHM_OBJECTS + 2)
		return EINVAL;                  /* the buffer holds no record */
	ocb->offset = (int64_t)pos;
	return resmgr_reply(ctp, (long)used, buf, used);
}

static int shm_space(resmgr_context_t *ctp, const struct _io_space *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	struct object *o = object_of(ocb);

	if (!o)
		return EISDIR;
	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	if (msg->subtype != _IO_SPACE_SETSIZE || msg->len < 0)
		return EINVAL;
	if ((uint64_t)msg->len > SHM_WINDOW)
		return EFBIG;
	return resize(o, (uint64_t)msg->len);
}

static int shm_mmap(resmgr_context_t *ctp, const struct _io_mmap *msg, iofunc_ocb_t *ocb)
{
	struct object *o = object_of(ocb);
	uint32_t acc = ocb->ioflag & O_ACCMODE;
	bool write = (msg->flags & MAP_SHARED) && (msg->prot & PROT_WRITE);

	if (!o)
		return ENODEV;
	if (acc == O_WRONLY || (write && acc != O_RDWR) || (msg->prot & PROT_EXEC))
		return EACCES;
	if (!msg->len || (msg->offset & (PAGE - 1)) || msg->offset > o->mapped ||
	    pages_for(msg->len) > o->mapped - msg->offset)
		return ENXIO;
	struct _proc_shm_grant g = { .hdr.type = _PROC_SHM_GRANT, .pid = ctp->info.pid,
				     .prot = PROT_READ | (write ? PROT_WRITE : 0),
				     .va = window(o) + msg->offset, .len = pages_for(msg->len) };
	struct _io_mmap_reply r = { 0 };
	long n = MsgSend_r(taskman, &g, sizeof g, &r, sizeof r);
	if (n < 0)
		return (int)-n;
	return resmgr_reply(ctp, 0, &r, sizeof r);
}

static int shm_close_ocb(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	(void)ctp;
	struct object *o = object_of(ocb);

	ocb->attr->count--;
	if (o)
		release(o);
	free(ocb);
	return 0;
}

static const resmgr_connect_funcs_t connect_funcs = { .open = shm_open_,
						      .unlink = shm_unlink_ };
static const resmgr_io_funcs_t io_funcs = { .read = shm_read, .space = shm_space,
					    .mmap = shm_mmap, .close_ocb = shm_close_ocb };

int main(int argc, char **argv)
{
	unsigned long mode = 01777;
	char *end;
	int i = 1;

	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-m")) {
			mode = strtoul(argv[i + 1], &end, 8);
			if (*end || end == argv[i + 1] || mode > 07777)
				break;
		} else if (!strcmp(argv[i], "-s")) {
			budget = strtoull(argv[i + 1], &end, 0);
			if (*end || end == argv[i + 1] || budget < PAGE)
				break;
		} else {
			break;
		}
	}
	if (i != argc) {
		fprintf(stderr, "usage: shmem [-m MODE] [-s BYTES]\n");
		return 2;
	}
	iofunc_attr_init(&root, S_IFDIR | (uint32_t)mode);
	root.nlink = 2;
	root.ino = 1;
	taskman = ConnectAttach(ND_LOCAL_NODE, TASKMAN_PID, TASKMAN_CHID, _NTO_SIDE_CHANNEL, 0);
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *mgr = chid >= 0 && taskman >= 0 ?
			resmgr_create(chid, &connect_funcs, &io_funcs, &root) : NULL;
	if (!mgr || resmgr_attach(mgr, "/dev/shmem", _FTYPE_ANY, _PROC_PATH_DIR) < 0) {
		fprintf(stderr, "shmem: cannot serve /dev/shmem: %s\n", strerror(errno));
		return 1;
	}
	return resmgr_loop(mgr) < 0 ? 1 : 0;
}
