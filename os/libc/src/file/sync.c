/* sync (POSIX.1-2017): every mounted file system's writes made durable.
 * Each file-system server serves /dev/fsys/<its pid> (<keel/iomsg.h>,
 * _FSYS_INFO_DIR); sync asks each live process's name, and fsyncs it
 * where a server answers.  Returns when they have all answered (POSIX
 * allows sync to return before the writes are done; Keel's does not). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/procinfo.h>
#include <unistd.h>
#include <keel/iomsg.h>

void sync(void)
{
	struct _proc_info p;
	char name[40];

	for (pid_t pid = 0; proc_info(pid, 1, &p) == 0; pid = p.pid) {
		if (p.state == _PROC_STATE_ZOMBIE)
			continue;
		snprintf(name, sizeof name, "%s/%d", _FSYS_INFO_DIR, (int)p.pid);
		int fd = open(name, O_RDONLY);
		if (fd < 0)
			continue;
		fsync(fd);
		close(fd);
	}
}
