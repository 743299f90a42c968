/* posix_spawn and posix_spawnp (POSIX.1-2017): one _PROC_SPAWN message to
 * taskman (<keel/procmsg.h>) carrying the path, argv, envp, the attributes
 * and the startup data (<keel/spawndata.h>): every fd without FD_CLOEXEC,
 * which the child's libc re-opens as a connection sharing the parent's
 * open (_IO_DUP), the file actions and the working directory.  Returns an
 * errno, 0 on success.  exec (exec.c) sends the same message as
 * _PROC_EXEC. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <keel/procmsg.h>
#include "libc.h"
#include "spawn_impl.h"

extern char **environ;

/* Bytes of a NULL-terminated string vector, and its count. */
static size_t vec_len(char *const *v, uint32_t *count)
{
	size_t n = 0;
	uint32_t c = 0;

	for (; v && v[c]; c++)
		n += strlen(v[c]) + 1;
	*count = c;
	return n;
}

static unsigned char *put_vec(unsigned char *p, char *const *v, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		size_t l = strlen(v[i]) + 1;
		memcpy(p, v[i], l);
		p += l;
	}
	return p;
}

/* The fds the new image gets: every connection; those with FD_CLOEXEC are
 * closed by the new image (an exec's) or after the file actions (a
 * spawn's, _SPAWN_FD_CLOEXEC: the actions may dup2 them, as after fork). */
static bool passed(int fd)
{
	return __fds[fd].pid != 0;
}

static unsigned passed_fds(void)
{
	unsigned n = 0;

	for (int fd = 0; fd < __FD_MAX; fd++)
		n += passed(fd);
	return n;
}

static unsigned char *put_data(unsigned char *p, unsigned nfds, bool exec,
			       const struct __posix_spawn_file_actions *fa, const char *cwd, size_t cwdlen)
{
	unsigned console = 0;
	for (int fd = 0; fd < 3; fd++)
		console |= __fd_console(fd) ? 1u << fd : 0;
	struct _spawn_data d = { .magic = _SPAWN_DATA_MAGIC, .version = 2, .nfds = (uint16_t)nfds,
				 .nacts = fa ? fa->nacts : 0, .parent = getpid(),
				 .cwdlen = (uint16_t)cwdlen, .flags = exec ? _SPAWN_DATA_EXEC : 0,
				 .console = console };

	memcpy(p, &d, sizeof d);
	p += sizeof d;
	for (int fd = 0; fd < __FD_MAX && nfds; fd++) {
		if (!passed(fd))
			continue;
		bool cloexec = __fds[fd].flags & FD_CLOEXEC;
		int32_t coid = !cloexec ? fd : exec ? _SPAWN_FD_CLOSE : fd | _SPAWN_FD_CLOEXEC;
		struct _spawn_fd f = { fd, __fds[fd].pid, __fds[fd].chid, coid };
		memcpy(p, &f, sizeof f);
		p += sizeof f;
		nfds--;
	}
	if (fa && fa->len) {
		memcpy(p, fa->acts, fa->len);
		p += fa->len;
	}
	memcpy(p, cwd, cwdlen);
	return p + cwdlen;
}

/* One _PROC_SPAWN or _PROC_EXEC message for path (made absolute against
 * the working directory), sent to taskman: the new pid (spawn), no return
 * (a successful exec), or -errno. */
int __proc_image(unsigned type, const char *path, const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	char abs[_IO_PATH_MAX];
	bool exec = type == _PROC_EXEC;
	const char *cwd = __cwd();
	uint32_t argc, envc;

	if (!path || !*path)
		return -ENOENT;
	int r = __path_abs(path, abs);
	if (r < 0)
		return r;
	size_t plen = strlen(abs) + 1, cwdlen = strlen(cwd) + 1;
	size_t alen = vec_len(argv, &argc), elen = vec_len(envp, &envc);
	const struct __posix_spawn_file_actions *acts = fa ? *fa : NULL;
	unsigned nfds = passed_fds();
	size_t dlen = sizeof(struct _spawn_data) + nfds * sizeof(struct _spawn_fd) +
		      (acts ? acts->len : 0) + cwdlen;
	const struct __posix_spawnattr *at = attr ? *attr : NULL;
	size_t devlen = at && !exec ? at->devlen : 0;
	size_t total = sizeof(struct _proc_spawn) + plen + alen + elen + dlen + devlen;

	if (argc == 0)
		return -EINVAL;
	if (total > _PROC_SPAWN_MAX)
		return -E2BIG;
	/* An exec's message comes from mmap, not malloc: execve is
	 * async-signal-safe, and a handler may have broken into malloc. */
	unsigned char *msg = exec ? __exec_alloc(total) : malloc(total), *p;
	if (!msg)
		return -ENOMEM;
	struct _proc_spawn m = {
		.hdr = { .type = (uint16_t)type }, .pathlen = (uint32_t)plen, .argc = argc,
		.argvlen = (uint32_t)alen, .envc = envc, .envlen = (uint32_t)elen,
		.datalen = (uint32_t)dlen, .devlen = (uint32_t)devlen,
	};
	if (attr && *attr) {
		const struct __posix_spawnattr *a = *attr;
		m.flags = (a->flags & POSIX_SPAWN_SETPGROUP ? _PROC_SPAWN_SETPGROUP : 0) |
			  (a->flags & POSIX_SPAWN_SETSID ? _PROC_SPAWN_SETSID : 0) |
			  (a->flags & POSIX_SPAWN_SETSIGMASK ? _PROC_SPAWN_SETSIGMASK : 0) |
			  (a->flags & POSIX_SPAWN_SETSIGDEF ? _PROC_SPAWN_SETSIGDEF : 0) |
			  (a->flags & POSIX_SPAWN_RESETIDS ? _PROC_SPAWN_RESETIDS : 0) |
			  (a->flags & POSIX_SPAWN_SETSCHEDPARAM ? _PROC_SPAWN_SETSCHEDPARAM : 0) |
			  (a->flags & POSIX_SPAWN_SETSCHEDULER ? _PROC_SPAWN_SETSCHEDULER : 0) |
			  (a->flags & POSIX_SPAWN_KEEL_IOPRIV ? _PROC_SPAWN_IOPRIV : 0);
		m.pgroup = a->pgroup;
		m.policy = a->policy;
		m.priority = a->param.sched_priority;
		m.sigmask = (uint64_t)a->sigmask.__bits[1] << 32 | a->sigmask.__bits[0];
		m.sigdefault = (uint64_t)a->sigdefault.__bits[1] << 32 | a->sigdefault.__bits[0];
	}
	/* POSIX: without POSIX_SPAWN_SETSIGMASK the child starts with the
	 * calling thread's mask (an exec keeps it anyway). */
	if (!exec && !(m.flags & _PROC_SPAWN_SETSIGMASK)) {
		sigset_t cur;
		if (SignalProcmask_r(0, 0, SIG_BLOCK, 0, &cur) == 0) {
			m.sigmask = (uint64_t)cur.__bits[1] << 32 | cur.__bits[0];
			m.flags |= _PROC_SPAWN_SETSIGMASK;
		}
	}
	/* SIGCANCEL is never blocked by a user's mask (thread/cancel.c). */
	m.sigmask &= ~(1ull << (__SIGCANCEL - 1));
	/* A child with fds to take over: the parent goes on once it has (it
	 * may close its own ends at once). */
	if (!exec && (nfds || (acts && acts->nacts)))
		m.flags |= _PROC_SPAWN_ACK;
	memcpy(msg, &m, sizeof m);
	p = msg + sizeof m;
	memcpy(p, abs, plen);
	p = put_vec(p + plen, argv, argc);
	p = put_vec(p, envp, envc);
	p = put_data(p, nfds, exec, acts, cwd, cwdlen);
	if (devlen)
		memcpy(p, at->devices, devlen);
	int tm = __taskman_coid();
	/* EINTR only before taskman received the request (it answers a spawn
	 * with its result, whatever signals come): nothing was done, ask again. */
	if (tm < 0)
		r = -errno;
	else
		do
			r = (int)MsgSend_r(tm, msg, total, NULL, 0);
		while (r == -EINTR);
	if (exec)
		__exec_free(msg, total);
	else
		free(msg);
	return r;
}

int posix_spawn(pid_t *restrict pid, const char *restrict path,
		const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		char *const argv[], char *const envp[])
{
	int r = __proc_image_or_script(_PROC_SPAWN, path, fa, attr, argv, envp ? envp : environ);

	if (r < 0)
		return -r;
	if (pid)
		*pid = r;
	return 0;
}

struct spawnp {
	pid_t *pid;
	const posix_spawn_file_actions_t *fa;
	const posix_spawnattr_t *attr;
	char *const *argv, *const *envp;
};

static int try_spawn(const char *path, void *ctx)
{
	struct spawnp *c = ctx;
	return posix_spawn(c->pid, path, c->fa, c->attr, c->argv, c->envp);
}

int posix_spawnp(pid_t *restrict pid, const char *restrict file,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		 char *const argv[], char *const envp[])
{
	struct spawnp c = { pid, fa, attr, argv, envp };

	if (!file || !*file)
		return ENOENT;
	if (strchr(file, '/'))
		return posix_spawn(pid, file, fa, attr, argv, envp);
	return __path_search(file, try_spawn, &c);
}

/* Tries each PATH directory in turn; ENOENT, ENOTDIR and EACCES move on
 * (EACCES is reported if nothing else is found), anything else ends the
 * search with that errno. */
int __path_search(const char *file, int (*try)(const char *path, void *ctx), void *ctx)
{
	char buf[_IO_PATH_MAX];
	const char *dirs = getenv("PATH");
	int err = ENOENT;

	for (dirs = dirs ? dirs : "/bin:/usr/bin"; ; dirs++) {
		const char *end = strchr(dirs, ':');
		size_t dl = end ? (size_t)(end - dirs) : strlen(dirs);
		if (dl + strlen(file) + 2 <= sizeof buf) {
			memcpy(buf, dirs, dl);
			buf[dl] = '/';
			strcpy(buf + dl + 1, file);
			int r = try(dl ? buf : file, ctx);
			if (r == EACCES)
				err = EACCES;
			else if (r != ENOENT && r != ENOTDIR)
				return r;
		}
		if (!end)
			return err;
		dirs = end;
	}
}
