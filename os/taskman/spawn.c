/* spawn: a new process from a static ELF image.
 *
 * The message loop only checks the request and reads it whole; a loader
 * thread from a small pool then finds the image, builds the address space
 * (segments, stack with argv, envp, auxv and the caller's startup data),
 * starts the process and replies.  So the loop never waits for a file
 * server, and a burst of spawns queues instead of failing.
 *
 * Images come from the boot image today; a path no file system serves is
 * ENOENT.  A file starting with "#!" runs its interpreter (one level). */
#include <keel/errno.h>
#include <keel/hwinfo.h>
#include <keel/kcall.h>
#include <keel/procmgr.h>
#include <keel/sched.h>
#include <keel/start.h>
#include "elf.h"
#include "taskman.h"

#define LOADERS        4
#define LOADER_STACK   (32 * 1024)
#define STACK_SIZE     (128 * 1024ul)
#define STACK_TOP      KEEL_USER_STACK_TOP
#define PAGE           4096ul
#define AUXV_MAX       16
#define INTERP_MAX     128

extern sync_t tm_mutex;
void proc_kid_started(void);
int proc_setsid_locked(struct tproc *p);

/* One spawn in flight.  The request is copied whole into `msg`. */
struct job {
	struct job *next;
	int rcvid;                      /* 0: no client (the first program) */
	int32_t parent;                 /* the caller's pid */
	int32_t tid;                    /* _PROC_EXEC: the caller's thread */
	uint32_t privileges;            /* KCALL_PRIV_* for the child */
	struct tm_grant grants[AS_GRANTS_MAX];  /* the device ranges its space gets */
	uint32_t ngrants;
	char *msg;                      /* tm_alloc'd, msglen bytes */
	size_t msglen;
	/* Pointers into msg, checked by parse(). */
	const struct _proc_spawn *req;
	const char *path, *cwd, *argv, *envp, *data, *devices;
	int32_t result;                 /* the pid, or -errno */
};

static struct job *queue_head, *queue_tail;
static sync_t queue_cv;
static sync_t first_done_cv;

/* ---- the request --------------------------------------------------------------- */

/* Whether [s, s + len) holds exactly n NUL-terminated strings. */
static bool strings_ok(const char *s, uint32_t len, uint32_t n)
{
	uint32_t nuls = 0;

	for (uint32_t i = 0; i < len; i++)
		nuls += s[i] == 0;
	return nuls == n && (len == 0 || s[len - 1] == 0);
}

/* Checks the request's counts against its length and sets the pointers:
 * 0 or an errno. */
static int parse(struct job *j)
{
	const struct _proc_spawn *r = (const void *)j->msg;
	uint64_t need = sizeof *r;

	if (j->msglen < sizeof *r || r->argc < 1)
		return EINVAL;
	need += (uint64_t)r->pathlen + r->cwdlen + r->argvlen + r->envlen + r->datalen + r->devlen;
	if (need != j->msglen || r->pathlen < 2)
		return EINVAL;
	j->req = r;
	j->path = (const char *)(r + 1);
	j->cwd = j->path + r->pathlen;
	j->argv = j->cwd + r->cwdlen;
	j->envp = j->argv + r->argvlen;
	j->data = j->envp + r->envlen;
	j->devices = j->data + r->datalen;
	if (!strings_ok(j->path, r->pathlen, 1) || !strings_ok(j->cwd, r->cwdlen, r->cwdlen ? 1 : 0) ||
	    !strings_ok(j->argv, r->argvlen, r->argc) || !strings_ok(j->envp, r->envlen, r->envc))
		return EINVAL;
	if (j->path[0] != '/' && !r->cwdlen)
		return EINVAL;          /* relative, and nothing to be relative to */
	/* POSIX: a priority the policy has not is EINVAL (before any work:
	 * the kernel would refuse it only after the image is loaded). */
	if ((r->flags & (_PROC_SPAWN_SETSCHEDPARAM | _PROC_SPAWN_SETSCHEDULER)) &&
	    (r->priority < 0 || r->priority > SCHED_PRIO_MAX))
		return EINVAL;
	/* Devices: non-empty strings, for a driver child only. */
	if (r->devlen && (!(r->flags & _PROC_SPAWN_IOPRIV) || r->hdr.type != _PROC_SPAWN ||
			  j->devices[0] == 0 || j->devices[r->devlen - 1] != 0))
		return EINVAL;
	for (uint32_t i = 1; i < r->devlen; i++)
		if (j->devices[i] == 0 && j->devices[i - 1] == 0)
			return EINVAL;
	return 0;
}

/* ---- the devices a driver may map ------------------------------------------------ */

#define PAGE_MASK 4095ull

/* Adds [base, base + size), widened to whole pages, to j's grants: 0 or an
 * errno.  A parent without KCALL_PRIV_PROCMGR hands on only what it holds. */
static int add_grant(struct job *j, const struct tproc *parent, uint64_t base, uint64_t size)
{
	if (!size)
		return 0;
	uint64_t pa = base & ~PAGE_MASK, end = base + size + PAGE_MASK;
	if (end < base)
		return EINVAL;
	uint64_t len = (end & ~PAGE_MASK) - pa;
	bool held = parent->privs & KCALL_PRIV_PROCMGR;

	for (uint32_t i = 0; i < parent->ngrants && !held; i++)
		held = pa >= parent->grants[i].pa && len <= parent->grants[i].len &&
		       pa - parent->grants[i].pa <= parent->grants[i].len - len;
	if (!held)
		return EPERM;
	for (uint32_t i = 0; i < j->ngrants; i++)
		if (j->grants[i].pa == pa && j->grants[i].len == len)
			return 0;
	if (j->ngrants == AS_GRANTS_MAX)
		return ENOSPC;
	j->grants[j->ngrants++] = (struct tm_grant){ pa, len };
	return 0;
}

/* Every register range (all of `reg`) and bus window (`ranges`) of every
 * device matching each of j's strings, into j->grants: 0 or an errno (ENODEV: a string matches
 * nothing). */
static int resolve_devices(struct job *j, const struct tproc *parent)
{
	const char *c = j->devices, *end = j->devices + j->req->devlen;

	for (; c < end; c += strlen(c) + 1) {
		struct _hw_device d;
		struct _hw_entry e;
		unsigned n = 0;
		int r, err = 0;
		for (; !err && (r = HwInfoDevice_r(c, n, &d)) == 0; n++) {
			err = add_grant(j, parent, d.base, d.size);
			for (unsigned k = 1; !err && HwInfoEntry_r(c, n, HWINFO_REG, k, &e) == 0; k++)
				err = add_grant(j, parent, e.parent, e.size);
			for (unsigned k = 0; !err && HwInfoEntry_r(c, n, HWINFO_RANGE, k, &e) == 0; k++)
				err = add_grant(j, parent, e.parent, e.size);
		}
		if (err)
			return err;
		if (r != -ENOENT)
			return EINVAL;          /* a string too long, or a device not described */
		if (!n)
			return ENODEV;
	}
	return 0;
}

/* ---- the image ------------------------------------------------------------------- */

/* The image at path (relative to cwd when not absolute). */
static int find_image(const char *cwd, const char *path, const void **img, size_t *len,
		      struct bootimg_file *f)
{
	char full[_IO_PATH_MAX];

	if (path[0] != '/') {
		size_t n = tm_strlcpy(full, cwd && *cwd ? cwd : "/", sizeof full);
		if (n + 1 + strlen(path) + 1 > sizeof full)
			return -ENAMETOOLONG;
		if (n && full[n - 1] != '/')
			full[n++] = '/';
		tm_strlcpy(full + n, path, sizeof full - n);
		path = full;
	}
	return bootimg_find_file(path, img, len, f);
}

#define SET_UID 04000u
#define SET_GID 02000u

/* A set-user-ID or set-group-ID image (the file's mode; never a script's):
 * the effective and saved ids become the file's owner or group. */
static void set_ids_of(const struct bootimg_file *f, struct _cred_info *c)
{
	if (f->mode & SET_UID)
		c->euid = c->suid = f->uid;
	if (f->mode & SET_GID)
		c->egid = c->sgid = f->gid;
}

/* "#!interp [arg]" on the first line: interp and its one optional
 * argument, NUL-terminated in buf.  Returns the argument count (1 or 2),
 * or -ENOEXEC. */
static int parse_shebang(const char *img, size_t len, char *buf, const char **interp,
			 const char **arg)
{
	size_t i = 2, n = 0;

	while (i < len && (img[i] == ' ' || img[i] == '\t'))
		i++;
	while (i < len && img[i] != '\n' && n < INTERP_MAX - 1)
		buf[n++] = img[i++];
	if (i < len && img[i] != '\n')
		return -ENOEXEC;                /* a first line too long */
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
		n--;
	buf[n] = 0;
	if (!n || buf[0] != '/')
		return -ENOEXEC;
	*interp = buf;
	*arg = 0;
	for (size_t k = 0; k < n; k++)
		if (buf[k] == ' ' || buf[k] == '\t') {
			buf[k] = 0;
			for (k++; buf[k] == ' ' || buf[k] == '\t'; k++)
				;
			*arg = buf + k;
			return 2;
		}
	return 1;
}

static unsigned seg_prot(uint32_t p)
{
	return ((p & ELF_PROT_R) ? PROT_READ : 0) | ((p & ELF_PROT_W) ? PROT_WRITE : 0) |
	       ((p & ELF_PROT_X) ? PROT_EXEC : 0);
}

/* Maps and fills every segment of e into as. */
static int load_segments(int as, const uint8_t *img, const struct elf_image *e)
{
	for (uint32_t i = 0; i < e->nsegs; i++) {
		const struct elf_segment *s = &e->seg[i];
		uint64_t start = s->vaddr & ~(PAGE - 1);
		uint64_t end = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
		int r = AsMap_r(as, start, end - start, seg_prot(s->prot), AS_MAP_ANON, 0);
		if (r < 0)
			return r == -EINVAL ? -ENOEXEC : r;
		if (s->filesz && (r = AsWrite_r(as, s->vaddr, img + s->offset, s->filesz)) < 0)
			return r;
	}
	return 0;
}

/* ---- the stack ------------------------------------------------------------------------ */

/* The new stack's contents, built in taskman's memory for one AsWrite:
 * strings and data at the top, then auxv, envp[] and argv[] below, sp
 * under them.  Addresses are the child's. */
struct stack_image {
	char *buf;                      /* mirrors [base, STACK_TOP): the stack's top part */
	size_t size;
	uint64_t base;                  /* child address of buf[0] */
	uint64_t top;                   /* next free byte (going down) */
	bool full;                      /* a push did not fit: E2BIG */
};

static uint64_t push(struct stack_image *s, const void *src, size_t n, size_t align)
{
	uint64_t top = (s->top - n) & ~(uint64_t)(align - 1);

	if (n > s->top - s->base || top < s->base) {
		s->full = true;
		return s->top;
	}
	s->top = top;
	memcpy(s->buf + (s->top - s->base), src, n);
	return s->top;
}

struct args {
	int argc;                       /* strings in argv (after the interpreter's) */
	const char *pre[3];             /* interpreter, its argument, the script */
	int npre;
	const char *argv;               /* argc packed strings; argv[0] dropped if npre */
	int envc;
	const char *envp;
};

/* Pushes n packed strings, storing their child addresses in out[]. */
static void push_strings(struct stack_image *s, const char *p, int n, uint64_t *out)
{
	for (int i = 0; i < n; i++) {
		size_t len = strlen(p) + 1;
		out[i] = push(s, p, len, 1);
		p += len;
	}
}

static int build_stack(struct stack_image *s, const struct args *a, const struct job *j,
		       uint64_t entry, uint64_t *sp, uint64_t *uargv, uint64_t *uenvp,
		       uint64_t *uauxv)
{
	int argc = a->npre + a->argc - (a->npre ? 1 : 0);
	size_t ptrs = (size_t)argc + 1 + (size_t)a->envc + 1 + 2 * AUXV_MAX;
	uint64_t *vec = tm_alloc(ptrs * 8);
	uint64_t rnd[2] = { tm_now_ns() * 0x9e3779b97f4a7c15ul, (uint64_t)j * 0xbf58476d1ce4e5b9ul };

	if (!vec)
		return -ENOMEM;
	uint64_t *uv = vec, *ue = vec + argc + 1, *ax = ue + a->envc + 1;
	for (int i = 0; i < a->npre; i++)
		uv[i] = push(s, a->pre[i], strlen(a->pre[i]) + 1, 1);
	const char *rest = a->argv;
	if (a->npre)
		rest += strlen(rest) + 1;       /* the script's argv[0] gives way */
	push_strings(s, rest, argc - a->npre, uv + a->npre);
	uv[argc] = 0;
	uint64_t execfn = push(s, j->path, strlen(j->path) + 1, 1);
	push_strings(s, a->envp, a->envc, ue);
	ue[a->envc] = 0;
	uint64_t data = j->req && j->req->datalen ? push(s, j->data, j->req->datalen, 16) : 0;
	uint64_t random = push(s, rnd, sizeof rnd, 16);
	int n = 0;
	uint64_t aux[][2] = {
		{ AT_PAGESZ, PAGE }, { AT_ENTRY, entry }, { AT_RANDOM, random },
		{ AT_EXECFN, execfn },
		{ AT_KEEL_SPAWNDATA, data }, { AT_KEEL_SPAWNDATALEN, data ? j->req->datalen : 0 },
		{ AT_KEEL_STACKBASE, STACK_TOP - STACK_SIZE }, { AT_KEEL_STACKSIZE, STACK_SIZE },
		{ AT_NULL, 0 },
	};
	for (size_t i = 0; i < sizeof aux / sizeof aux[0]; i++, n += 2) {
		ax[n] = aux[i][0];
		ax[n + 1] = aux[i][1];
	}
	size_t vbytes = ((size_t)argc + 1 + (size_t)a->envc + 1 + (size_t)n) * 8;
	if (s->top - s->base < vbytes + 64) {
		tm_free(vec, ptrs * 8);
		return -E2BIG;
	}
	*uauxv = push(s, ax, (size_t)n * 8, 16);
	*uenvp = push(s, ue, ((size_t)a->envc + 1) * 8, 8);
	*uargv = push(s, uv, ((size_t)argc + 1) * 8, 16);
	*sp = (*uargv - 16) & ~15ul;
	tm_free(vec, ptrs * 8);
	return s->full ? -E2BIG : 0;
}

/* Bytes of n packed strings at p. */
static size_t packed_len(const char *p, int n)
{
	size_t len = 0;

	for (int i = 0; i < n; i++) {
		size_t k = strlen(p + len) + 1;
		len += k;
	}
	return len;
}

/* What build_stack pushes, at most, rounded up to pages and at most the
 * stack: the mirror taskman fills (zeroing the whole 128 KiB, for the few
 * hundred bytes a spawn usually passes, cost about 40,000 instructions). */
static size_t stack_image_size(const struct args *a, const struct job *j)
{
	size_t n = packed_len(a->argv, a->argc) + packed_len(a->envp, a->envc) +
		   strlen(j->path) + 1 + (j->req ? j->req->datalen : 0) + 16 * 8 +
		   ((size_t)a->argc + (size_t)a->envc + 3 + 2 * AUXV_MAX) * 8 + 256;

	for (int i = 0; i < a->npre; i++)
		n += strlen(a->pre[i]) + 1;
	n = (n + PAGE - 1) & ~(PAGE - 1);
	return n < STACK_SIZE ? n : STACK_SIZE;
}

/* ---- the loader ------------------------------------------------------------------------ */

static void child_name(char *dst, const char *path)
{
	const char *b = path;

	for (const char *p = path; *p; p++)
		if (*p == '/')
			b = p + 1;
	tm_strlcpy(dst, b, 32);
}

/* The request's argv into t (for _PROC_INFO), cut at TM_ARGS bytes. */
static void keep_args(struct tproc *t, const struct job *j)
{
	uint32_t n = j->req ? j->req->argvlen : 0;

	if (n > TM_ARGS)
		n = TM_ARGS;
	memcpy(t->args, j->argv, n);
	if (n == TM_ARGS)
		t->args[n - 1] = 0;             /* a cut string still ends */
	t->argslen = n;
}

/* Records the new process and applies the attributes that need the table:
 * called under tm_lock right after ProcessStart. */
static void record(struct tproc *t, int32_t pid, const struct job *j, const char *path)
{
	const struct _proc_spawn *r = j->req;

	t->pid = pid;
	t->state = TP_ALIVE;
	t->start_ns = tm_now_ns();
	child_name(t->name, path);
	keep_args(t, j);
	if (r && (r->flags & _PROC_SPAWN_ACK))
		t->fork_rcvid = j->rcvid;       /* answered by fork_release */
	if (!j->rcvid)
		tm_init_pid = pid;      /* before its end can reach the reaper */
	if (r && (r->flags & _PROC_SPAWN_NOZOMBIE))
		t->nozombie = true;     /* reaped at its end, never waited for */
	if (r && (r->flags & _PROC_SPAWN_SETSID))
		proc_setsid_locked(t);
	else if (r && (r->flags & _PROC_SPAWN_SETPGROUP))
		t->pgid = r->pgroup ? r->pgroup : pid;
	proc_sync_group(t);
	proc_kid_started();
}

/* RLIMIT_NPROC: parent's real uid has as many processes as it may (root
 * is not held to it).  Spawn and fork alike. */
static bool at_nproc_limit(const struct tproc *parent)
{
	uint64_t nproc = parent->rlim_cur[_PROC_RLIMIT_NPROC];

	return parent->cred.ruid != 0 && nproc != _PROC_RLIM_INFINITY &&
	       (uint64_t)proc_count_uid(parent->cred.ruid) >= nproc;
}

/* Every check that needs the table before anything is built: 0 or errno. */
static int admit(struct job *j, struct tproc **out)
{
	const struct _proc_spawn *r = j->req;
	struct tproc *parent = proc_find(j->parent);

	if (!parent || parent->state != TP_ALIVE)
		return ESRCH;
	if (at_nproc_limit(parent))
		return EAGAIN;
	if (r && (r->flags & _PROC_SPAWN_SETPGROUP) && r->pgroup < 0)
		return EINVAL;
	/* setpgid's rule (POSIX posix_spawn: as if the child called it): a
	 * group to join is one of the parent's session.  (Unchecked, a spawner
	 * could make a group of a pid to come, and the process that gets it,
	 * a getty, could never lead a session.) */
	if (r && (r->flags & _PROC_SPAWN_SETPGROUP) && !(r->flags & _PROC_SPAWN_SETSID) &&
	    r->pgroup > 0 && !group_in_session(r->pgroup, parent->sid))
		return EPERM;
	if (r && (r->flags & _PROC_SPAWN_IOPRIV)) {
		if (!(parent->privs & KCALL_PRIV_IO))
			return EPERM;
		j->privileges |= KCALL_PRIV_IO;
	}
	j->ngrants = 0;
	int err = r && r->devlen ? resolve_devices(j, parent) : 0;
	if (err)
		return err;
	struct tproc *t = proc_new(parent);
	if (!t)
		return EAGAIN;
	memcpy(t->grants, j->grants, sizeof t->grants);
	t->ngrants = j->ngrants;
	if (r && (r->flags & _PROC_SPAWN_RESETIDS)) {
		t->cred.euid = t->cred.ruid;
		t->cred.egid = t->cred.rgid;
	}
	t->privs = j->privileges;
	*out = t;
	return 0;
}

static bool is_exec(const struct job *j)
{
	return j->req->hdr.type == _PROC_EXEC;
}

/* exec: the caller's image becomes the one built in as (ProcessExec takes
 * the space; on failure it stays ours to destroy).  0 or -errno. */
static int exec_image(struct job *j, int as, struct _proc_start *st,
		      const struct bootimg_file *file)
{
	tm_lock();
	struct tproc *t = proc_find(j->parent);
	int r = t && t->state == TP_ALIVE ? ProcessExec_r(j->parent, j->tid, as, st) : -ESRCH;
	if (r == 0 && (file->mode & (SET_UID | SET_GID))) {
		struct _cred_info c = t->cred;
		set_ids_of(file, &c);
		if (ProcessSetCred_r(t->pid, &c) == 0)
			t->cred = c;
	}
	if (r == 0) {
		tm_strlcpy(t->name, st->name, sizeof t->name);
		keep_args(t, j);
		t->execed = true;
		t->inheriting = false;  /* an exec keeps its own fds, takes none */
		t->mmap_next = 0;       /* a new space: mmap starts over */
		mem_process_gone(t->pid);
		fork_release(t);        /* a forked child that execs at once */
	}
	tm_unlock();
	if (r < 0)
		AsDestroy_r(as);
	return r;
}

static int load_and_start(struct job *j, struct tproc *t)
{
	const void *img;
	size_t len;
	char shebang[INTERP_MAX];
	struct args a = { .argc = (int)j->req->argc, .argv = j->argv, .envc = (int)j->req->envc,
			  .envp = j->envp };
	const char *path = j->path;
	struct bootimg_file file;
	int r = find_image(j->cwd, path, &img, &len, &file);

	if (r < 0)
		return r;
	if (len >= 2 && ((const char *)img)[0] == '#' && ((const char *)img)[1] == '!') {
		file.mode &= ~(SET_UID | SET_GID);      /* a script runs with the caller's ids */
		const char *interp, *arg;
		int n = parse_shebang(img, len, shebang, &interp, &arg);
		if (n < 0)
			return n;
		a.pre[a.npre++] = interp;
		if (arg)
			a.pre[a.npre++] = arg;
		a.pre[a.npre++] = path;
		path = interp;
		if ((r = bootimg_find(interp, &img, &len)) < 0)
			return r;
	}
	struct elf_image e;
	if (elf_parse(img, len, &e) < 0)
		return -ENOEXEC;
	int as = AsCreate_r();
	if (as < 0)
		return as == -EAGAIN ? -EAGAIN : -ENOMEM;
	size_t mirror = stack_image_size(&a, j);
	struct stack_image s = { .size = mirror, .base = STACK_TOP - mirror, .top = STACK_TOP };
	struct _proc_start st = { .entry = e.entry, .privileges = j->privileges };
	for (uint32_t i = 0; i < j->ngrants && r >= 0; i++)
		r = AsMap_r(as, 0, j->grants[i].len, 0, AS_MAP_GRANT, j->grants[i].pa);
	if (r < 0 || (r = load_segments(as, img, &e)) < 0 ||
	    (r = AsMap_r(as, STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE,
			     AS_MAP_ANON, 0)) < 0)
		goto fail;
	if (!(s.buf = tm_alloc(mirror))) {
		r = -ENOMEM;
		goto fail;
	}
	r = build_stack(&s, &a, j, e.entry, &st.sp, &st.argv, &st.envp, &st.auxv);
	if (!r)
		r = AsWrite_r(as, s.top, s.buf + (s.top - s.base), STACK_TOP - s.top);
	tm_free(s.buf, mirror);
	if (r < 0)
		goto fail;
	st.argc = (uint64_t)(a.npre + a.argc - (a.npre ? 1 : 0));
	child_name(st.name, path == j->path ? j->path : a.pre[a.npre - 1]);
	if (j->req->flags & (_PROC_SPAWN_SETSCHEDPARAM | _PROC_SPAWN_SETSCHEDULER))
		st.priority = j->req->priority;
	/* POSIX spawn: the mask asked for (libc sends the caller's when its
	 * program set none), what the parent ignores stays ignored but for
	 * sigdefault's; init, taskman's own child, starts clean. */
	if (j->req->flags & _PROC_SPAWN_SETSIGMASK)
		st.sigmask = j->req->sigmask;
	if (j->rcvid) {
		st.sig_from = j->parent;
		if (j->req->flags & _PROC_SPAWN_SETSIGDEF)
			st.sigdefault = j->req->sigdefault;
	}
	if (is_exec(j))
		return exec_image(j, as, &st, &file);
	tm_lock();
	set_ids_of(&file, &t->cred);
	st.cred = t->cred;
	int pid = ProcessStart_r(as, &st);      /* takes the space over, even on failure */
	if (pid > 0)
		record(t, pid, j, st.name);
	tm_unlock();
	return pid;
fail:
	AsDestroy_r(as);
	return r;
}

static void run_job(struct job *j)
{
	struct tproc *t = 0;

	tm_lock();
	int err = 0;
	if (!is_exec(j)) {
		err = admit(j, &t);
	} else {                /* an exec keeps the process's privileges */
		struct tproc *self = proc_find(j->parent);
		j->privileges = self ? self->privs : 0;
		j->ngrants = self ? self->ngrants : 0;          /* and its devices */
		if (self)
			memcpy(j->grants, self->grants, sizeof j->grants);
	}
	tm_unlock();
	int r = err ? -err : load_and_start(j, t);
	if (r == 0 && is_exec(j)) {
		/* The caller's thread starts its new image when its MsgSend
		 * returns: the reply only releases it. */
		int rcvid = j->rcvid;
		tm_free(j->msg, j->msglen);
		tm_free(j, sizeof *j);
		MsgReply_r(rcvid, 0, 0, 0);
		return;
	}
	if (r < 0 && t) {
		tm_lock();
		proc_free(t);
		tm_unlock();
	}
	j->result = r;
	int rcvid = j->rcvid;
	if (!rcvid)
		return;
	bool later = r > 0 && (j->req->flags & _PROC_SPAWN_ACK);
	tm_free(j->msg, j->msglen);     /* first: the reply says taskman is done */
	tm_free(j, sizeof *j);
	if (later)
		return;                 /* fork_release answers (the child may have already) */
	if (r < 0)
		tm_error(rcvid, -r);
	else
		MsgReply_r(rcvid, r, 0, 0);
}

static void *loader(void *arg)
{
	(void)arg;
	for (;;) {
		tm_lock();
		while (!queue_head)
			SyncCondvarWait_r(&queue_cv, &tm_mutex);
		struct job *j = queue_head;
		queue_head = j->next;
		if (!queue_head)
			queue_tail = 0;
		tm_unlock();
		bool first = !j->rcvid;
		run_job(j);
		if (first) {
			tm_lock();
			SyncCondvarSignal_r(&first_done_cv, 1);
			tm_unlock();
		}
	}
	return 0;
}

static void enqueue(struct job *j)
{
	tm_lock();
	if (queue_tail)
		queue_tail->next = j;
	else
		queue_head = j;
	queue_tail = j;
	SyncCondvarSignal_r(&queue_cv, 0);
	tm_unlock();
}

static void start_loaders(void)
{
	for (int i = 0; i < LOADERS; i++) {
		void *stack = tm_alloc(LOADER_STACK);
		int tid = stack ? urt_thread_create(loader, 0, stack, LOADER_STACK, 0) : -ENOMEM;
		if (tid < 0)
			printf("taskman: loader thread %d: error %d\n", i, tid);
	}
}

void spawn_msg(int rcvid, const struct _msg_info *info, const void *msg, size_t got)
{
	(void)msg;
	(void)got;
	if (info->srcmsglen > _PROC_SPAWN_MAX)
		return tm_error(rcvid, E2BIG);
	if ((size_t)info->srcmsglen < sizeof(struct _proc_spawn))
		return tm_error(rcvid, EINVAL);
	struct job *j = tm_alloc(sizeof *j);
	char *buf = j ? tm_alloc((size_t)info->srcmsglen) : 0;
	if (!buf) {
		tm_free(j, sizeof *j);
		return tm_error(rcvid, ENOMEM);
	}
	*j = (struct job){ .rcvid = rcvid, .parent = info->pid, .msg = buf,
			   .msglen = (size_t)info->srcmsglen };
	long n = MsgRead_r(rcvid, buf, j->msglen, 0);
	int err = n != (long)j->msglen ? (n < 0 ? (int)-n : EINVAL) : parse(j);
	j->tid = info->tid;
	if (err) {
		tm_free(buf, j->msglen);
		tm_free(j, sizeof *j);
		return tm_error(rcvid, err);
	}
	enqueue(j);
}

/* The first program: a request made from taskman's own arguments, run by
 * a loader like any other, with taskman waiting for its result. */
int spawn_first(int argc, char **argv)
{
	static struct _proc_spawn req;
	static struct job j;
	static char packed[1024];
	size_t n = 0;

	start_loaders();
	for (int i = 0; i < argc; i++) {
		size_t k = strlen(argv[i]) + 1;
		if (n + k > sizeof packed)
			return -E2BIG;
		memcpy(packed + n, argv[i], k);
		n += k;
	}
	req = (struct _proc_spawn){ .hdr.type = _PROC_SPAWN, .pathlen = (uint32_t)strlen(argv[0]) + 1,
				    .argc = (uint32_t)argc, .argvlen = (uint32_t)n };
	j = (struct job){ .parent = 1, .privileges = KCALL_PRIV_IO | KCALL_PRIV_PROCMGR, .req = &req,
			  .path = argv[0], .cwd = "", .argv = packed, .envp = "", .data = "",
			  .result = 1 };
	enqueue(&j);
	tm_lock();
	while (j.result == 1)
		SyncCondvarWait_r(&first_done_cv, &tm_mutex);
	tm_unlock();
	return j.result;
}

/* fork: a copy-on-write copy of the caller, whose child returns 0 from the
 * same MsgSend.  A process that has made threads gets ENOSYS (the kernel
 * says EBUSY), as in QNX. */
void fork_msg(int rcvid, const struct _msg_info *info)
{
	int as = AsClone_r(info->pid);

	if (as < 0)             /* EBUSY: it has another thread */
		return tm_error(rcvid, as == -EBUSY ? ENOSYS : as == -ESRCH ? ESRCH : ENOMEM);
	tm_lock();
	struct tproc *parent = proc_find(info->pid);
	struct tproc *t = parent && parent->state == TP_ALIVE && !at_nproc_limit(parent) &&
			  mem_fork_room(info->pid) ? proc_new(parent) : 0;
	int pid = t ? ProcessFork_r(info->pid, info->tid, as) : -EAGAIN;
	if (pid > 0) {
		t->pid = pid;
		t->state = TP_ALIVE;
		t->fork_rcvid = rcvid;          /* answered by fork_release */
		t->start_ns = tm_now_ns();
		tm_strlcpy(t->name, parent->name, sizeof t->name);
		memcpy(t->args, parent->args, sizeof t->args);
		t->argslen = parent->argslen;
		mem_fork(info->pid, pid);       /* its read-only shares stay read-only */
		proc_kid_started();
	} else if (t) {
		proc_free(t);
	}
	tm_unlock();
	if (pid < 0) {
		AsDestroy_r(as);
		return tm_error(rcvid, pid == -EBUSY ? ENOSYS : -pid);
	}
}

void fork_release(struct tproc *child)
{
	int rcvid = child->fork_rcvid;

	if (rcvid) {
		child->fork_rcvid = 0;
		MsgReply_r(rcvid, child->pid, 0, 0);
	}
}

void forked_msg(int rcvid, const struct _msg_info *info)
{
	tm_lock();
	struct tproc *t = proc_find(info->pid);
	if (t) {
		fork_release(t);
		t->inheriting = false;  /* its parent's opens are its own no more */
	}
	tm_unlock();
	MsgReply_r(rcvid, 0, 0, 0);
}
