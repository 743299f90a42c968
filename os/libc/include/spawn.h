#pragma once
/* <spawn.h>: the package's, plus Keel's one extension flag. */
#include_next <spawn.h>

/* posix_spawnattr_setflags: the child may use the driver kernel calls
 * (interrupts, its own device memory); only a caller that may use them
 * itself (EPERM).  init gives it to the drivers it starts. */
#define POSIX_SPAWN_KEEL_IOPRIV  0x0100
