/* posix_spawn_file_actions_* (POSIX.1-2017): recorded straight into the
 * startup data's encoding (<keel/spawndata.h>), applied by the child's
 * libc in order. */
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include "libc.h"
#include "spawn_impl.h"

int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa)
{
	return (*fa = calloc(1, sizeof **fa)) ? 0 : ENOMEM;
}

int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa)
{
	if (*fa)
		free((*fa)->acts);
	free(*fa);
	*fa = NULL;
	return 0;
}

static int add(posix_spawn_file_actions_t *fa, const struct _spawn_act *a, const char *path)
{
	struct __posix_spawn_file_actions *f = *fa;
	size_t plen = path ? strlen(path) + 1 : 0, need = sizeof *a + ((plen + 7) & ~(size_t)7);

	if (plen > _IO_PATH_MAX)
		return ENAMETOOLONG;
	if (f->len + need > f->cap) {
		size_t cap = (f->cap ? f->cap * 2 : 256) + need;
		unsigned char *n = realloc(f->acts, cap);
		if (!n)
			return ENOMEM;
		f->acts = n;
		f->cap = cap;
	}
	struct _spawn_act rec = *a;
	rec.pathlen = (uint16_t)plen;
	memcpy(f->acts + f->len, &rec, sizeof rec);
	memset(f->acts + f->len + sizeof rec, 0, need - sizeof rec);
	if (plen)
		memcpy(f->acts + f->len + sizeof rec, path, plen);
	f->len += need;
	f->nacts++;
	return 0;
}

int posix_spawn_file_actions_addopen(posix_spawn_file_actions_t *restrict fa, int fd,
				     const char *restrict path, int oflag, mode_t mode)
{
	if (fd < 0 || fd >= __FD_MAX)
		return EBADF;
	struct _spawn_act a = { .op = _SPAWN_ACT_OPEN, .fd = fd, .oflag = oflag, .mode = mode };
	return add(fa, &a, path);
}

int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa, int fd)
{
	if (fd < 0 || fd >= __FD_MAX)
		return EBADF;
	struct _spawn_act a = { .op = _SPAWN_ACT_CLOSE, .fd = fd };
	return add(fa, &a, NULL);
}

int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa, int fd, int newfd)
{
	if (fd < 0 || fd >= __FD_MAX || newfd < 0 || newfd >= __FD_MAX)
		return EBADF;
	struct _spawn_act a = { .op = _SPAWN_ACT_DUP2, .fd = fd, .newfd = newfd };
	return add(fa, &a, NULL);
}
