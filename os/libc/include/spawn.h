#pragma once
/* <spawn.h>: the package's, plus POSIX.1-2024's POSIX_SPAWN_SETSID (the
 * package predates it) and Keel's extensions for starting drivers. */
#include_next <spawn.h>

/* posix_spawnattr_setflags: the child starts a session of its own, as by
 * setsid() (POSIX.1-2024; the value other systems use). */
#define POSIX_SPAWN_SETSID       0x0080

/* posix_spawnattr_setflags: the child may use the driver kernel calls
 * (interrupts, its own device memory); only a caller that may use them
 * itself (EPERM).  init gives it to the drivers it starts. */
#define POSIX_SPAWN_KEEL_IOPRIV  0x0100

/* A device a POSIX_SPAWN_KEEL_IOPRIV child may map, by the device tree's
 * `compatible` string: every register range and bus window of every
 * device matching it (taskman's grants, <keel/procmsg.h>).  A driver maps
 * device memory nowhere else.  0, or EINVAL (an empty string or one of 64
 * bytes or more), ENOMEM (more than 256 bytes of strings in one attr). */
int posix_spawnattr_keel_device(posix_spawnattr_t *attr, const char *compatible);
