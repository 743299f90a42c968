/* The taskman client of the freestanding runtime (urt_tm.h). */
#include <keel/errno.h>
#include "urt.h"
#include "urt_tm.h"

#define SPAWN_BUF (16 * 1024)

static int coid = -1;

/* Threads may race to attach: one connection wins, the others let theirs go. */
int urt_tm_coid(void)
{
	int c = __atomic_load_n(&coid, __ATOMIC_ACQUIRE), mine, none = -1;

	if (c >= 0)
		return c;
	mine = ConnectAttach_r(ND_LOCAL_NODE, TASKMAN_PID, TASKMAN_CHID, _NTO_SIDE_CHANNEL, 0);
	if (mine < 0)
		return mine;
	if (__atomic_compare_exchange_n(&coid, &none, mine, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return mine;
	ConnectDetach_r(mine);
	return none;                    /* the winner's */
}

long urt_tm_send(const void *msg, size_t bytes, void *r, size_t rbytes)
{
	int c = urt_tm_coid();

	return c < 0 ? c : MsgSend_r(c, msg, bytes, r, rbytes);
}

/* The bytes and the count of a NULL-terminated vector's strings. */
static size_t vec_size(const char *const *v, uint32_t *count)
{
	size_t bytes = 0;
	uint32_t n = 0;

	for (; v && v[n]; n++)
		bytes += strlen(v[n]) + 1;
	*count = n;
	return bytes;
}

/* Appends the strings of a NULL-terminated vector at p; the end. */
static char *put_vec(char *p, const char *const *v)
{
	for (; v && *v; v++) {
		size_t k = strlen(*v) + 1;
		memcpy(p, *v, k);
		p += k;
	}
	return p;
}

/* A _PROC_SPAWN or _PROC_EXEC message (type), built on the stack in a
 * buffer of its own size: a thread with a small stack (16 KiB in the
 * storms) spawns a short command line safely. */
static int spawn_msg(uint16_t type, const char *path, const char *const *argv,
		     const char *const *envp, uint32_t flags, int32_t pgroup, const void *data,
		     size_t datalen, const char *devices, size_t devlen)
{
	const char *const noargs[] = { path, 0 };
	uint32_t argc, envc;
	size_t plen = strlen(path) + 1, alen = vec_size(argv ? argv : noargs, &argc);
	size_t elen = vec_size(envp, &envc);
	size_t total = sizeof(struct _proc_spawn) + plen + alen + elen + datalen + devlen;

	if (total > SPAWN_BUF)
		return -E2BIG;
	uint64_t words[(total + 7) / 8];        /* aligned for the header */
	char *buf = (char *)words, *p = buf + sizeof(struct _proc_spawn);
	*(struct _proc_spawn *)(void *)buf = (struct _proc_spawn){
		.hdr.type = type, .flags = flags, .pgroup = pgroup, .pathlen = (uint32_t)plen,
		.argc = argc, .argvlen = (uint32_t)alen, .envc = envc, .envlen = (uint32_t)elen,
		.datalen = (uint32_t)datalen, .devlen = (uint32_t)devlen };
	memcpy(p, path, plen);
	p = put_vec(p + plen, argv ? argv : noargs);
	p = put_vec(p, envp);
	if (datalen)
		memcpy(p, data, datalen);
	if (devlen)
		memcpy(p + datalen, devices, devlen);
	return (int)urt_tm_send(buf, total, 0, 0);
}

int urt_tm_spawn(const char *path, const char *const *argv, const char *const *envp,
		 uint32_t flags, int32_t pgroup, const void *data, size_t datalen)
{
	return spawn_msg(_PROC_SPAWN, path, argv, envp, flags, pgroup, data, datalen, 0, 0);
}

int urt_tm_spawn_devices(const char *path, const char *const *argv, uint32_t flags,
			 const char *devices, size_t devlen)
{
	return spawn_msg(_PROC_SPAWN, path, argv, 0, flags, 0, 0, 0, devices, devlen);
}

int urt_tm_exec(const char *path, const char *const *argv, const char *const *envp)
{
	return spawn_msg(_PROC_EXEC, path, argv, envp, 0, 0, 0, 0, 0, 0);
}

/* The runtime keeps no fds: the child has nothing to tell servers and
 * lets its parent's fork return at once (_PROC_FORKED). */
int urt_tm_fork(void)
{
	struct _proc_hdr m = { .type = _PROC_FORK }, done = { .type = _PROC_FORKED };
	int r = (int)urt_tm_send(&m, sizeof m, 0, 0);

	if (r == 0)
		urt_tm_send(&done, sizeof done, 0, 0);
	return r;
}

int urt_tm_wait(int idtype, int id, uint32_t options, struct _proc_wait_reply *r)
{
	struct _proc_wait m = { .hdr.type = _PROC_WAIT, .idtype = idtype, .id = id,
				.options = options };
	long s = urt_tm_send(&m, sizeof m, r, sizeof *r);

	return s < 0 ? (int)s : r->pid;
}

int urt_tm_ids(int pid, struct _proc_ids *ids)
{
	struct _proc_ids_req m = { .hdr.type = _PROC_GETIDS, .pid = pid };
	long s = urt_tm_send(&m, sizeof m, ids, sizeof *ids);

	return s < 0 ? (int)s : 0;
}
