/* posix_spawn and posix_spawnp (POSIX.1-2017): one _PROC_SPAWN message to
 * taskman (<keel/procmsg.h>) carrying the path, argv, envp, the attributes
 * and the startup data (<keel/spawndata.h>): every fd without FD_CLOEXEC,
 * which the child's libc re-opens as a connection sharing the parent's
 * open (_IO_DUP), and the file actions.  Returns an errno, 0 on success. */
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

static unsigned inherited_fds(void)
{
	unsigned n = 0;

	for (int fd = 0; fd < __FD_MAX; fd++)
		if (__fds[fd].pid && !(__fds[fd].flags & FD_CLOEXEC))
			n++;
	return n;
}

static unsigned char *put_data(unsigned char *p, unsigned nfds,
			       const struct __posix_spawn_file_actions *fa)
{
	struct _spawn_data d = { .magic = _SPAWN_DATA_MAGIC, .version = 1, .nfds = (uint16_t)nfds,
				 .nacts = fa ? fa->nacts : 0, .parent = getpid() };

	memcpy(p, &d, sizeof d);
	p += sizeof d;
	for (int fd = 0; fd < __FD_MAX && nfds; fd++) {
		if (!__fds[fd].pid || (__fds[fd].flags & FD_CLOEXEC))
			continue;
		struct _spawn_fd f = { fd, __fds[fd].pid, __fds[fd].chid, fd };
		memcpy(p, &f, sizeof f);
		p += sizeof f;
		nfds--;
	}
	if (fa && fa->len) {
		memcpy(p, fa->acts, fa->len);
		p += fa->len;
	}
	return p;
}

int posix_spawn(pid_t *restrict pid, const char *restrict path,
		const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		char *const argv[], char *const envp[])
{
	uint32_t argc, envc;
	size_t plen = path ? strlen(path) + 1 : 0;
	size_t alen = vec_len(argv, &argc), elen = vec_len(envp ? envp : environ, &envc);
	const struct __posix_spawn_file_actions *acts = fa ? *fa : NULL;
	unsigned nfds = inherited_fds();
	size_t dlen = sizeof(struct _spawn_data) + nfds * sizeof(struct _spawn_fd) +
		      (acts ? acts->len : 0);
	size_t total = sizeof(struct _proc_spawn) + plen + alen + elen + dlen;

	if (plen < 2 || argc == 0)
		return plen < 2 ? ENOENT : EINVAL;
	if (total > _PROC_SPAWN_MAX)
		return E2BIG;
	unsigned char *msg = malloc(total), *p;
	if (!msg)
		return ENOMEM;
	struct _proc_spawn m = {
		.hdr = { .type = _PROC_SPAWN }, .pathlen = (uint32_t)plen, .argc = argc,
		.argvlen = (uint32_t)alen, .envc = envc, .envlen = (uint32_t)elen,
		.datalen = (uint32_t)dlen,
	};
	if (attr && *attr) {
		const struct __posix_spawnattr *a = *attr;
		m.flags = (a->flags & POSIX_SPAWN_SETPGROUP ? _PROC_SPAWN_SETPGROUP : 0) |
			  (a->flags & POSIX_SPAWN_SETSIGMASK ? _PROC_SPAWN_SETSIGMASK : 0) |
			  (a->flags & POSIX_SPAWN_SETSIGDEF ? _PROC_SPAWN_SETSIGDEF : 0) |
			  (a->flags & POSIX_SPAWN_RESETIDS ? _PROC_SPAWN_RESETIDS : 0) |
			  (a->flags & POSIX_SPAWN_SETSCHEDPARAM ? _PROC_SPAWN_SETSCHEDPARAM : 0) |
			  (a->flags & POSIX_SPAWN_SETSCHEDULER ? _PROC_SPAWN_SETSCHEDULER : 0);
		m.pgroup = a->pgroup;
		m.policy = a->policy;
		m.priority = a->param.sched_priority;
		m.sigmask = (uint64_t)a->sigmask.__bits[1] << 32 | a->sigmask.__bits[0];
		m.sigdefault = (uint64_t)a->sigdefault.__bits[1] << 32 | a->sigdefault.__bits[0];
	}
	memcpy(msg, &m, sizeof m);
	p = msg + sizeof m;
	memcpy(p, path, plen);
	p = put_vec(p + plen, argv, argc);
	p = put_vec(p, envp ? envp : environ, envc);
	put_data(p, nfds, acts);
	int r = -EAGAIN, tm = __taskman_coid();
	if (tm >= 0)
		r = (int)MsgSend_r(tm, msg, total, NULL, 0);
	free(msg);
	if (r < 0)
		return tm < 0 ? errno : -r;
	if (pid)
		*pid = r;
	return 0;
}

int posix_spawnp(pid_t *restrict pid, const char *restrict file,
		 const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *restrict attr,
		 char *const argv[], char *const envp[])
{
	char buf[_IO_PATH_MAX];
	const char *dirs = getenv("PATH");
	int r = ENOENT;

	if (!file || !*file)
		return ENOENT;
	if (strchr(file, '/'))
		return posix_spawn(pid, file, fa, attr, argv, envp);
	for (dirs = dirs ? dirs : "/bin:/usr/bin"; ; dirs++) {
		const char *end = strchr(dirs, ':');
		size_t dl = end ? (size_t)(end - dirs) : strlen(dirs);
		if (dl + strlen(file) + 2 <= sizeof buf) {
			memcpy(buf, dirs, dl);
			buf[dl] = '/';
			strcpy(buf + dl + 1, file);
			r = posix_spawn(pid, dl ? buf : file, fa, attr, argv, envp);
			if (r != ENOENT && r != EACCES && r != ENOTDIR)
				return r;
		}
		if (!end)
			return r;
		dirs = end;
	}
}
