#pragma once
/* Which volumes are mounted now, for the tools that must know (fsck-keel
 * refuses a mounted volume, the fs-keel server a second mount of one, df
 * lists them).  On Keel a server that mounts a volume answers the
 * _DCMD_FSYS_MOUNTINFO devctl on its name /dev/fsys/<pid> (<keel/iomsg.h>),
 * so the mounts are found by walking the processes (mounted_keel.c).  The
 * host build (mounted_host.c) knows of none: the host runs no fs-keel
 * server, and an image file in use by a host program is its user's care. */
#include <stdbool.h>
#include <stdint.h>

struct fsys_mount {
	int pid;                      /* the server */
	uint64_t dev, ino;            /* stat ids of the device file it opened */
	bool rdonly;
	char type[16];
	char device[256];
	char mountpoint[256];
};

/* The first mount served by a process with a pid above *cursor: 1 with *m
 * filled and *cursor moved to its pid, or 0 when there is none (start a
 * walk with *cursor 0). */
int fsys_mount_next(int *cursor, struct fsys_mount *m);

/* The mount whose device is the file at path (compared by its stat ids):
 * the server's pid with *m filled, or 0 when none is (or path has no stat). */
int fsys_mounted_by(const char *path, struct fsys_mount *m);
