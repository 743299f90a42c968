/* procfs: /proc, the processes taskman knows (its _PROC_INFO message,
 * <sys/procinfo.h>), as read-only directories and text files:
 *   /proc             "self" and a directory per live process, by pid
 *   /proc/PID/status  "Key:<tab>value" lines: Name (the image's path), State
 *                     (R running, T stopped, Z zombie), Pid, PPid, Pgid, Sid,
 *                     Uid (real, effective), Gid (real, effective), Threads
 *                     (the kernel's count), Started (seconds since boot)
 *   /proc/PID/cmdline its arguments, each ended by a NUL
 *   /proc/PID/threads a header line, then a line per thread (the kernel's
 *                     SysInfo): tid, state (QNX's names: RUNNING, READY,
 *                     SEND, RECEIVE, REPLY, CONDVAR, ...), priority running
 *                     at and its own, policy (FIFO, RR, OTHER), the process it
 *                     is blocked on (SEND, REPLY; else -), CPU milliseconds,
 *                     the harts it may run on (its run mask, hexadecimal:
 *                     bit N is hart N) and the kernel's name for it
 *   /proc/self        the directory of the process that opens it
 * Each open takes a snapshot (stat reports its size); a process that ended
 * meanwhile is ENOENT.  A process's directory and files belong to its
 * effective user and group, readable by all.  Writes are EROFS.
 *
 * procfs also shows taskman's other table, the path space: a directory of
 * the path space (a path no server's name is, with names below it, as
 * /dev) is opened here when no file system has it (the _PROC_PATH_VDIRS
 * name, handle VDIRS), and lists the names one level below it
 * (_PROC_PATH_LIST).  So ls /dev shows the devices the servers attached. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procinfo.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <keel/neutrino.h>
#include <keel/sched.h>
#include <keel/sysinfo.h>
#include <keel/thread.h>

#define TEXT_MAX 4096
#define INO_PID(pid, k) (0x100000ull + (uint64_t)(pid) * 8 + (k))

#define VDIRS 1                         /* the handle of the path space's directories */

enum kind { K_ROOT, K_PIDDIR, K_STATUS, K_CMDLINE, K_THREADS, K_VDIR };

/* A process directory's files, in the order it lists them (kind K_STATUS + i). */
static const char *const pid_files[] = { "status", "cmdline", "threads" };

/* One open: its own attributes (the process's owner) and its snapshot. */
struct pobj {
	iofunc_attr_t attr;
	enum kind kind;
	pid_t pid;
	size_t len;
	char text[TEXT_MAX];            /* K_VDIR: the directory's path */
};

static iofunc_attr_t root_attr;

__attribute__((format(printf, 2, 3)))
static void add(struct pobj *o, const char *fmt, ...)
{
	va_list ap;

	if (o->len >= sizeof o->text)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(o->text + o->len, sizeof o->text - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < sizeof o->text - o->len ? (size_t)n : sizeof o->text - o->len - 1;
}

/* The kernel's threads of process pid (SysInfo's walk). */
static unsigned count_threads(pid_t pid)
{
	struct _thread_stats t;
	unsigned n = 0;

	for (unsigned i = 0; SysInfo_r(_SYSINFO_THREAD, i, &t, sizeof t) == (long)sizeof t;
	     i = t.slot + 1)
		n += t.pid == pid;
	return n;
}

static const char *state_name(unsigned s)
{
	return s == _PROC_STATE_RUNNING ? "R (running)" :
	       s == _PROC_STATE_STOPPED ? "T (stopped)" :
	       s == _PROC_STATE_ZOMBIE ? "Z (zombie)" : "?";
}

static void threads(struct pobj *o, pid_t pid)
{
	struct _thread_stats t;

	add(o, "tid state prio base policy blocked cpu_ms harts name\n");
	for (unsigned i = 0; SysInfo_r(_SYSINFO_THREAD, i, &t, sizeof t) == (long)sizeof t;
	     i = t.slot + 1) {
		if (t.pid != pid)
			continue;
		char blocked[16] = "-";
		if (t.blocked_pid > 0)
			snprintf(blocked, sizeof blocked, "%d", (int)t.blocked_pid);
		add(o, "%d %s %u %u %s %s %llu %#llx %s\n", (int)t.tid,
		    thread_state_name(t.state),
		    t.prio, t.base_prio, t.policy == SCHED_FIFO ? "FIFO" : t.policy == SCHED_RR ?
		    "RR" : "OTHER", blocked, (unsigned long long)(t.cpu_ns / 1000000),
		    (unsigned long long)t.runmask, t.name);
	}
}

/* The snapshot of o's file from p and its arguments (n bytes of args). */
static void make(struct pobj *o, const struct _proc_info *p, const char *args, size_t n)
{
	o->len = 0;
	if (o->kind == K_CMDLINE) {
		memcpy(o->text, args, n);
		o->len = n;
		return;
	}
	if (o->kind == K_THREADS) {
		threads(o, p->pid);
		return;
	}
	if (o->kind != K_STATUS)
		return;
	add(o, "Name:\t%s\n", p->name);
	add(o, "State:\t%s\n", state_name(p->state));
	add(o, "Pid:\t%d\nPPid:\t%d\nPgid:\t%d\nSid:\t%d\n", (int)p->pid, (int)p->ppid,
	    (int)p->pgid, (int)p->sid);
	add(o, "Uid:\t%u\t%u\nGid:\t%u\t%u\n", (unsigned)p->ruid, (unsigned)p->euid,
	    (unsigned)p->rgid, (unsigned)p->egid);
	add(o, "Threads:\t%u\n", count_threads(p->pid));
	add(o, "Memory:\t%llu\nShared:\t%llu\nCopyOnWrite:\t%llu\n",
	    (unsigned long long)p->mem_bytes, (unsigned long long)p->shared_bytes,
	    (unsigned long long)p->cow_bytes);
	add(o, "Started:\t%llu.%03llu\n", (unsigned long long)(p->start_ns / 1000000000ull),
	    (unsigned long long)(p->start_ns / 1000000ull % 1000));
}

/* "self" or a decimal pid (no sign, no leading zero) up to the next '/'
 * into *pid; the rest of the path after it (NULL if none). */
static const char *pid_part(resmgr_context_t *ctp, const char *path, pid_t *pid)
{
	const char *slash = strchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : strlen(path);

	if (n == 4 && !strncmp(path, "self", 4)) {
		*pid = ctp->info.pid;
	} else {
		long v = 0;
		if (n == 0 || n > 9 || path[0] == '0')
			return path;                    /* *pid stays 0: no such name */
		for (size_t i = 0; i < n; i++) {
			if (path[i] < '0' || path[i] > '9')
				return path;
			v = v * 10 + (path[i] - '0');
		}
		*pid = (pid_t)v;
	}
	return slash ? slash + 1 : NULL;
}

/* The open of o (its attributes made): the open control block keeps it;
 * o is freed if the open fails. */
static int open_obj(resmgr_context_t *ctp, const struct _io_connect *msg, struct pobj *o,
		    iofunc_ocb_t **ocb)
{
	int r = iofunc_open_default(ctp, msg, "", &o->attr, ocb);

	if (r) {
		free(o);
		return r;
	}
	(*ocb)->data = o;
	return 0;
}


/* An open of a directory of the path space: path is it, less its '/'. */
static int vdir_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_ocb_t **ocb)
{
	struct _proc_path_entry e;
	struct pobj *o;

	if (strlen(path) + 2 > sizeof o->text)
		return ENAMETOOLONG;
	o = malloc(sizeof *o);
	if (!o)
		return ENOMEM;
	snprintf(o->text, sizeof o->text, "/%s", path);
	if (proc_path_list(o->text, 0, &e, 1) < 0) {     /* no longer one: ENOENT */
		int r = errno;
		free(o);
		return r;
	}
	o->kind = K_VDIR;
	o->pid = 0;
	o->len = 0;
	iofunc_attr_init(&o->attr, S_IFDIR | 0555);
	o->attr.ino = proc_path_ino(o->text, "");
	return open_obj(ctp, msg, o, ocb);
}

static int proc_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	if ((msg->ioflag & O_ACCMODE) != O_RDONLY || (msg->ioflag & (O_TRUNC | O_CREAT)))
		return EROFS;
	if (msg->handle == VDIRS)
		return vdir_open(ctp, msg, path, ocb);
	if (!*path)
		return iofunc_open_default(ctp, msg, "", &root_attr, ocb);
	pid_t pid = 0;
	const char *rest = pid_part(ctp, path, &pid);
	if (pid <= 0)
		return ENOENT;
	enum kind kind = K_PIDDIR;
	if (rest && *rest) {
		unsigned i = 0;
		while (i < sizeof pid_files / sizeof pid_files[0] && strcmp(rest, pid_files[i]))
			i++;
		if (i == sizeof pid_files / sizeof pid_files[0])
			return ENOENT;
		kind = (enum kind)(K_STATUS + i);
	}
	struct pobj *o = malloc(sizeof *o);
	static char args[TEXT_MAX];
	struct _proc_info p;
	if (!o)
		return ENOMEM;
	long n = proc_args(pid, &p, args, sizeof args);
	if (n < 0) {
		free(o);
		return errno == ESRCH ? ENOENT : errno;
	}
	o->kind = kind;
	o->pid = p.pid;
	make(o, &p, args, (size_t)n);
	iofunc_attr_init(&o->attr, kind == K_PIDDIR ? S_IFDIR | 0555 : S_IFREG | 0444);
	o->attr.uid = p.euid;
	o->attr.gid = p.egid;
	o->attr.ino = INO_PID(p.pid, kind == K_PIDDIR ? 0 : kind - K_PIDDIR);
	o->attr.nbytes = (int64_t)o->len;
	return open_obj(ctp, msg, o, ocb);
}

/* /proc: "self" at offset 0, then each live process; the offset after an
 * entry is its pid + 1 (a walk that survives processes coming and going). */
static int root_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	static char buf[2048];
	size_t max = msg->nbytes < sizeof buf ? (size_t)msg->nbytes : sizeof buf, used = 0;
	int64_t pos = ocb->offset;
	struct _proc_info p;
	char name[16];

	if (pos == 0) {
		if (resmgr_dirent_add(buf, max, &used, 2, 1, DT_DIR, "self"))
			return EINVAL;
		pos = 1;
	}
	while (proc_info((pid_t)(pos - 1), 1, &p) == 0) {
		snprintf(name, sizeof name, "%d", (int)p.pid);
		if (resmgr_dirent_add(buf, max, &used, INO_PID(p.pid, 0), (uint64_t)p.pid + 1,
				      DT_DIR, name)) {
			if (!used)
				return EINVAL;
			break;
		}
		pos = (int64_t)p.pid + 1;
	}
	ocb->offset = pos;
	return resmgr_reply(ctp, (long)used, buf, used);
}

static int pid_dir_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	static char buf[512];
	const struct pobj *o = ocb->data;
	size_t max = msg->nbytes < sizeof buf ? (size_t)msg->nbytes : sizeof buf, used = 0;
	int64_t pos = ocb->offset;
	int64_t n = (int64_t)(sizeof pid_files / sizeof pid_files[0]);

	for (; pos < n; pos++)
		if (resmgr_dirent_add(buf, max, &used, INO_PID(o->pid, pos + 1), (uint64_t)pos + 1,
				      DT_REG, pid_files[pos])) {
			if (!used)
				return EINVAL;
			break;
		}
	ocb->offset = pos;
	return resmgr_reply(ctp, (long)used, buf, used);
}

/* A directory of the path space: its names as taskman lists them now; the
 * offset is taskman's position. */
static int vdir_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	static char buf[2048];
	static struct _proc_path_entry e[_PROC_PATH_LIST_MAX];
	const struct pobj *o = ocb->data;
	size_t max = msg->nbytes < sizeof buf ? (size_t)msg->nbytes : sizeof buf, used = 0;
	long n = proc_path_list(o->text, (uint32_t)ocb->offset, e, _PROC_PATH_LIST_MAX);

	if (n < 0)
		n = 0;                  /* gone meanwhile: an empty directory from here */
	for (long i = 0; i < n; i++) {
		if (resmgr_dirent_add(buf, max, &used, proc_path_ino(o->text, e[i].name), e[i].next,
				      e[i].type, e[i].name)) {
			if (!used)
				return EINVAL;
			break;
		}
		ocb->offset = e[i].next;
	}
	return resmgr_reply(ctp, (long)used, buf, used);
}

static int proc_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	const struct pobj *o = ocb->data;

	if (ocb->attr == &root_attr)
		return root_read(ctp, msg, ocb);
	if (!o)
		return EBADF;
	if (o->kind == K_PIDDIR)
		return pid_dir_read(ctp, msg, ocb);
	if (o->kind == K_VDIR)
		return vdir_read(ctp, msg, ocb);
	size_t off = ocb->offset < 0 ? 0 : (size_t)ocb->offset;
	size_t n = off < o->len ? o->len - off : 0;
	if (n > msg->nbytes)
		n = (size_t)msg->nbytes;
	ocb->offset = (int64_t)(off + n);
	return resmgr_reply(ctp, (long)n, o->text + off, n);
}

static int proc_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	(void)ctp;
	(void)msg;
	(void)ocb;
	return EROFS;
}

static int proc_close(resmgr_context_t *ctp, iofunc_ocb_t *ocb)
{
	void *o = ocb->data;
	int r = iofunc_close_ocb_default(ctp, ocb);

	free(o);
	return r;
}

int main(void)
{
	static const resmgr_connect_funcs_t conn = { .open = proc_open };
	static const resmgr_io_funcs_t io = { .read = proc_read, .write = proc_write,
					      .close_ocb = proc_close };
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);

	iofunc_attr_init(&root_attr, S_IFDIR | 0555);
	root_attr.ino = 1;
	resmgr_t *mgr = chid >= 0 ? resmgr_create(chid, &conn, &io, &root_attr) : NULL;
	if (!mgr || resmgr_attach(mgr, "/proc", _FTYPE_ANY, _PROC_PATH_DIR) < 0) {
		fprintf(stderr, "procfs: cannot serve /proc: %s\n", strerror(errno));
		return 1;
	}
	if (resmgr_attach_handle(mgr, "/", _FTYPE_ANY, _PROC_PATH_VDIRS, VDIRS) < 0)
		fprintf(stderr, "procfs: cannot serve the path space's directories: %s\n",
			strerror(errno));
	return resmgr_loop(mgr) < 0 ? 1 : 0;
}
