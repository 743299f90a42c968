/* umount: unmounts the volume mounted on a directory.
 *
 *   umount [-f] DIR
 *
 * Asks the server that serves DIR to unmount (<keel/iomsg.h>
 * _DCMD_FSYS_UNMOUNT): it marks the volume clean, replies, and exits,
 * which takes its names out of the path space; umount waits until DIR is
 * no longer served by it.  DIR must be the mount point itself (compared by
 * its stat ids with the mount point the server reports).  -f unmounts even
 * while files are open (their opens then fail).  Exit status 0, or 1. */
#include <devctl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS  20000
#define POLL_MS  20

static int fail(const char *dir, const char *what)
{
	fprintf(stderr, "umount: %s: %s\n", dir, what);
	return 1;
}

/* Whether fd's server mounts something whose mount point is dir. */
static int check_mount_point(int fd, const char *dir, struct _io_mountinfo_reply *mi)
{
	struct stat a, b;
	int err = devctl(fd, _DCMD_FSYS_MOUNTINFO, mi, sizeof *mi, NULL);

	if (err)
		return fail(dir, err == ENOTTY ? "not mounted (no file system server of its own)" :
			    strerror(err));
	mi->mountpoint[sizeof mi->mountpoint - 1] = 0;
	if (fstat(fd, &a) || stat(mi->mountpoint, &b) || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		fprintf(stderr, "umount: %s: not a mount point (it lies in the volume mounted on "
			"%s)\n", dir, mi->mountpoint);
		return 1;
	}
	return 0;
}

/* Waits until the server fsid no longer serves dir. */
static int wait_gone(const char *dir, unsigned long fsid)
{
	struct timespec gap = { 0, POLL_MS * 1000000L };
	struct statvfs sv;

	for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		if (statvfs(dir, &sv) || sv.f_fsid != fsid)
			return 0;
		nanosleep(&gap, NULL);
	}
	fprintf(stderr, "umount: %s: the server (pid %lu) still serves it after %d s\n", dir,
		fsid, WAIT_MS / 1000);
	return 1;
}

int main(int argc, char **argv)
{
	struct _io_mountinfo_reply mi;
	uint32_t flags = 0;
	struct statvfs sv;
	int opt;

	while ((opt = getopt(argc, argv, "f")) != -1) {
		if (opt != 'f') {
			fprintf(stderr, "usage: umount [-f] DIR\n");
			return 1;
		}
		flags |= _FSYS_UNMOUNT_FORCE;
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: umount [-f] DIR\n");
		return 1;
	}
	const char *dir = argv[optind];
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail(dir, strerror(errno));
	if (fstatvfs(fd, &sv)) {
		int e = errno;
		close(fd);
		return fail(dir, e == ENOSYS ? "not mounted (no file system server)" : strerror(e));
	}
	if (check_mount_point(fd, dir, &mi)) {
		close(fd);
		return 1;
	}
	int err = devctl(fd, _DCMD_FSYS_UNMOUNT, &flags, sizeof flags, NULL);
	close(fd);
	if (err)
		return fail(dir, err == EBUSY ? "busy: files are open in it (-f unmounts anyway)" :
			    strerror(err));
	return wait_gone(dir, sv.f_fsid);
}
