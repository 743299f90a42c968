/* Keel's mount table: each live process is asked, through the name
 * /dev/fsys/<pid> that a mounting server attaches, what it serves
 * (mounted.h, <keel/iomsg.h> _DCMD_FSYS_MOUNTINFO).  A process without
 * that name costs one failed lookup at the path manager. */
#include <devctl.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/procinfo.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "mounted.h"

/* Asks pid's server: 1 with *m filled, or 0. */
static int ask(int pid, struct fsys_mount *m)
{
	struct _io_mountinfo_reply r;
	char name[64];

	snprintf(name, sizeof name, "%s/%d", _FSYS_INFO_DIR, pid);
	int fd = open(name, O_RDONLY);
	if (fd < 0)
		return 0;
	memset(&r, 0, sizeof r);
	int err = devctl(fd, _DCMD_FSYS_MOUNTINFO, &r, sizeof r, NULL);
	close(fd);
	if (err)
		return 0;
	m->pid = pid;
	m->dev = r.dev_dev;
	m->ino = r.dev_ino;
	m->rdonly = r.flag & ST_RDONLY;
	memcpy(m->type, r.type, sizeof m->type);
	memcpy(m->device, r.device, sizeof m->device);
	memcpy(m->mountpoint, r.mountpoint, sizeof m->mountpoint);
	m->type[sizeof m->type - 1] = m->device[sizeof m->device - 1] =
		m->mountpoint[sizeof m->mountpoint - 1] = 0;
	return 1;
}

int fsys_mount_next(int *cursor, struct fsys_mount *m)
{
	struct _proc_info p;

	while (proc_info(*cursor, 1, &p) == 0) {
		*cursor = p.pid;
		if (p.state != _PROC_STATE_ZOMBIE && p.pid != getpid() && ask(p.pid, m))
			return 1;
	}
	return 0;
}

int fsys_mounted_by(const char *path, struct fsys_mount *m)
{
	struct stat st;
	int cursor = 0;

	if (stat(path, &st))
		return 0;
	while (fsys_mount_next(&cursor, m))
		if (m->dev == (uint64_t)st.st_dev && m->ino == (uint64_t)st.st_ino)
			return m->pid;
	return 0;
}
