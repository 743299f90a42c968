/* The link reply of a file system server (<keel/iomsg.h>): a path met a
 * symbolic link inside the server, which answers the path rewritten
 * through the link's text; the client starts again at the path manager.
 * tmpfs and fs-keel both resolve links this way. */
#include <devctl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/resmgr.h>
#include <keel/iomsg.h>
#include <keel/pipemsg.h>

int resmgr_link_reply(resmgr_context_t *ctp, const char *mount, const char *path, size_t at,
		      const char *target, const char *rest)
{
	/* on the stack, not static: nothing in it outlives the reply, and a
	 * server's threads may answer links at once */
	char buf[sizeof(struct _io_connect_link_reply) + _IO_PATH_MAX];
	char *out = buf + sizeof(struct _io_connect_link_reply);
	size_t len = 0;
	const char *parts[5];
	size_t lens[5];
	int np = 0;

	if (target[0] != '/') {
		parts[np] = mount, lens[np++] = strlen(mount);
		parts[np] = "/", lens[np++] = 1;
		parts[np] = path, lens[np++] = at;
	}
	parts[np] = target, lens[np++] = strlen(target);
	if (*rest)
		parts[np] = "/", lens[np++] = 1;
	for (int i = 0; i < np; i++) {
		if (len + lens[i] >= _IO_PATH_MAX)
			return ENAMETOOLONG;
		memcpy(out + len, parts[i], lens[i]);
		len += lens[i];
	}
	size_t rl = strlen(rest);
	if (len + rl >= _IO_PATH_MAX)
		return ENAMETOOLONG;
	memcpy(out + len, rest, rl + 1);
	len += rl + 1;
	struct _io_connect_link_reply r = { .file_type = _FTYPE_ANY, .nentries = 0,
					    .path_len = (uint16_t)len };
	memcpy(buf, &r, sizeof r);
	return resmgr_reply(ctp, _IO_CONNECT_RET_LINK, buf, sizeof r + len);
}

/* The file system's descriptor of the pipe server, for its grants: the
 * read end of a pipe of its own, kept open (made by the first FIFO open;
 * two threads that race each make one and one is kept). */
static int grant_fd = -1;

static int grant_channel(void)
{
	int fd = __atomic_load_n(&grant_fd, __ATOMIC_ACQUIRE), none = -1;

	if (fd >= 0)
		return fd;
	if ((fd = open(PIPE_SERVER_PATH, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (!__atomic_compare_exchange_n(&grant_fd, &none, fd, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = none;
	}
	return fd;
}

int resmgr_fifo_reply(resmgr_context_t *ctp, uint64_t dev, uint64_t ino)
{
	const struct _io_connect *msg = (const struct _io_connect *)(const void *)ctp->msg.raw;
	struct pipe_fifo_grant g = { .pid = ctp->info.pid, .mode = msg->ioflag & O_ACCMODE,
				     .dev = dev, .ino = ino };
	char target[64];
	int fd = grant_channel(), r;

	if (fd < 0)
		return errno;
	if ((r = devctl(fd, _DCMD_PIPE_FIFO_GRANT, &g, sizeof g, NULL)) == EBADF) {
		/* The pipe server went (and may be back): once more, anew. */
		if (__atomic_compare_exchange_n(&grant_fd, &fd, -1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			close(fd);
		if ((fd = grant_channel()) < 0)
			return errno;
		r = devctl(fd, _DCMD_PIPE_FIFO_GRANT, &g, sizeof g, NULL);
	}
	if (r)
		return r;
	snprintf(target, sizeof target, PIPE_FIFO_PREFIX "%llu.%llu", (unsigned long long)dev,
		 (unsigned long long)ino);
	return resmgr_link_reply(ctp, "", "", 0, target, "");
}
