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

/* Appends the strings of a NULL-terminated vector; their count, or -E2BIG. */
static long pack(char *buf, size_t *at, const char *const *v, uint32_t *bytes)
{
	long n = 0;

	for (; v && v[n]; n++) {
		size_t k = strlen(v[n]) + 1;
		if (*at + k > SPAWN_BUF)
			return -E2BIG;
		memcpy(buf + *at, v[n], k);
		*at += k;
		*bytes += (uint32_t)k;
	}
	return n;
}

/* A _PROC_SPAWN or _PROC_EXEC message (type). */
static int spawn_msg(uint16_t type, const char *path, const char *const *argv,
		     const char *const *envp, uint32_t flags, int32_t pgroup, const void *data,
		     size_t datalen, const char *devices, size_t devlen)
{
	char buf[SPAWN_BUF] __attribute__((aligned(8)));       /* threads spawn at once */
	struct _proc_spawn *m = (void *)buf;
	size_t at = sizeof *m, plen = strlen(path) + 1;
	const char *const noargs[] = { path, 0 };

	if (at + plen + datalen > SPAWN_BUF)
		return -E2BIG;
	*m = (struct _proc_spawn){ .hdr.type = type, .flags = flags, .pgroup = pgroup,
				   .pathlen = (uint32_t)plen };
	memcpy(buf + at, path, plen);
	at += plen;
	long na = pack(buf, &at, argv ? argv : noargs, &m->argvlen);
	long ne = pack(buf, &at, envp, &m->envlen);
	if (na < 0 || ne < 0 || at + datalen + devlen > SPAWN_BUF)
		return -E2BIG;
	m->argc = (uint32_t)na;
	m->envc = (uint32_t)ne;
	if (datalen)
		memcpy(buf + at, data, datalen);
	m->datalen = (uint32_t)datalen;
	if (devlen)
		memcpy(buf + at + datalen, devices, devlen);
	m->devlen = (uint32_t)devlen;
	return (int)urt_tm_send(buf, at + datalen + devlen, 0, 0);
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
