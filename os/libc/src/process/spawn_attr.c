/* posix_spawnattr_* (POSIX.1-2017): the attributes a spawn request carries
 * (struct _proc_spawn's flags and fields, <keel/procmsg.h>). */
#include <errno.h>
#include <keel/hwinfo.h>
#include <sched.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include "spawn_impl.h"

#define KNOWN_FLAGS (POSIX_SPAWN_RESETIDS | POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSCHEDPARAM | \
		     POSIX_SPAWN_SETSCHEDULER | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | \
		     POSIX_SPAWN_SETSID | POSIX_SPAWN_KEEL_IOPRIV)

int posix_spawnattr_init(posix_spawnattr_t *a)
{
	if (!(*a = calloc(1, sizeof **a)))
		return ENOMEM;
	(*a)->policy = SCHED_OTHER;
	return 0;
}

int posix_spawnattr_destroy(posix_spawnattr_t *a)
{
	free(*a);
	*a = NULL;
	return 0;
}

int posix_spawnattr_getflags(const posix_spawnattr_t *restrict a, short *restrict f)
{
	*f = (*a)->flags;
	return 0;
}

int posix_spawnattr_setflags(posix_spawnattr_t *a, short f)
{
	if (f & ~KNOWN_FLAGS)
		return EINVAL;
	(*a)->flags = f;
	return 0;
}

int posix_spawnattr_getpgroup(const posix_spawnattr_t *restrict a, pid_t *restrict pg)
{
	*pg = (*a)->pgroup;
	return 0;
}

int posix_spawnattr_setpgroup(posix_spawnattr_t *a, pid_t pg)
{
	(*a)->pgroup = pg;
	return 0;
}

int posix_spawnattr_getschedparam(const posix_spawnattr_t *restrict a,
				  struct sched_param *restrict p)
{
	*p = (*a)->param;
	return 0;
}

int posix_spawnattr_setschedparam(posix_spawnattr_t *restrict a,
				  const struct sched_param *restrict p)
{
	(*a)->param = *p;
	return 0;
}

int posix_spawnattr_getschedpolicy(const posix_spawnattr_t *restrict a, int *restrict p)
{
	*p = (*a)->policy;
	return 0;
}

int posix_spawnattr_setschedpolicy(posix_spawnattr_t *a, int p)
{
	if (p != SCHED_FIFO && p != SCHED_RR && p != SCHED_OTHER)
		return EINVAL;
	(*a)->policy = p;
	return 0;
}

int posix_spawnattr_getsigdefault(const posix_spawnattr_t *restrict a, sigset_t *restrict s)
{
	*s = (*a)->sigdefault;
	return 0;
}

int posix_spawnattr_setsigdefault(posix_spawnattr_t *restrict a, const sigset_t *restrict s)
{
	(*a)->sigdefault = *s;
	return 0;
}

int posix_spawnattr_getsigmask(const posix_spawnattr_t *restrict a, sigset_t *restrict s)
{
	*s = (*a)->sigmask;
	return 0;
}

int posix_spawnattr_setsigmask(posix_spawnattr_t *restrict a, const sigset_t *restrict s)
{
	(*a)->sigmask = *s;
	return 0;
}

int posix_spawnattr_keel_device(posix_spawnattr_t *a, const char *compatible)
{
	size_t n = strnlen(compatible, HWINFO_NAME_MAX);

	if (n == 0 || n == HWINFO_NAME_MAX)
		return EINVAL;
	if ((*a)->devlen + n + 1 > sizeof (*a)->devices)
		return ENOMEM;
	memcpy((*a)->devices + (*a)->devlen, compatible, n + 1);
	(*a)->devlen += (unsigned)n + 1;
	return 0;
}
