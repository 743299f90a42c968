#pragma once
/* <spawn.h>: the package's, plus POSIX.1-2024's POSIX_SPAWN_SETSID (the
 * package predates it) and Keel's one extension flag. */
#include_next <spawn.h>

/* posix_spawnattr_setflags: the child starts a session of its own, as by
 * setsid() (POSIX.1-2024; the value other systems use). */
#define POSIX_SPAWN_SETSID       0x0080

/* posix_spawnattr_setflags: the child may use the driver kernel calls
 * (interrupts, its own device memory); only a caller that may use them
 * itself (EPERM).  init gives it to the drivers it starts. */
#define POSIX_SPAWN_KEEL_IOPRIV  0x0100
