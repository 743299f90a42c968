/* df: free space of file systems, in the POSIX `df -P` format.
 *
 *   df [-k] [-P] [FILE...]
 *
 * One line per file system: its name, size, used and available space in
 * 512-byte units (1024 with -k), the used share of what a user may have,
 * and where it is mounted.  -P is accepted (this is always that format).
 *
 * Which file systems: with FILE operands, the one holding each FILE
 * (statvfs; its f_fsid is the serving process).  Without operands, every
 * mounted volume Keel can find: the servers that answer the mount-table
 * devctl (fs-keel's, mounted.h); the name is the mounted device.  There is
 * no table of other servers' names (tmpfs on /tmp answers statvfs but
 * keeps no mount record), so they are listed when named: `df /tmp`; their
 * name is then the serving program's. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/procinfo.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include "mounted.h"

static unsigned long unit = 512;

/* v units of frsize bytes in df's units, rounded up. */
static unsigned long long units(unsigned long long v, unsigned long frsize)
{
	return (v * frsize + unit - 1) / unit;
}

static void row(const char *name, const struct statvfs *sv, const char *on)
{
	unsigned long long total = units(sv->f_blocks, sv->f_frsize);
	unsigned long long used = units(sv->f_blocks - sv->f_bfree, sv->f_frsize);
	unsigned long long avail = units(sv->f_bavail, sv->f_frsize);
	unsigned long long base = used + avail;
	unsigned pct = base ? (unsigned)((used * 100 + base - 1) / base) : 0;

	printf("%s %llu %llu %llu %u%% %s\n", name, total, used, avail, pct, on);
}

/* The name of the file system the server pid serves: its mounted device,
 * else the server program's name. */
static void fs_name(int pid, char *out, size_t len)
{
	struct fsys_mount m;
	struct _proc_info p;
	int cursor = pid - 1;

	if (fsys_mount_next(&cursor, &m) && m.pid == pid) {
		snprintf(out, len, "%s", m.device);
		return;
	}
	if (proc_info(pid, 0, &p) == 0) {
		const char *base = strrchr(p.name, '/');
		snprintf(out, len, "%s", base ? base + 1 : p.name);
		return;
	}
	snprintf(out, len, "-");
}

static int one(const char *file)
{
	struct statvfs sv;
	char name[256];

	if (statvfs(file, &sv)) {
		fprintf(stderr, "df: %s: %s\n", file,
			errno == ENOSYS ? "no file system server answers for it" : strerror(errno));
		return 1;
	}
	fs_name((int)sv.f_fsid, name, sizeof name);
	row(name, &sv, file);
	return 0;
}

static int all(void)
{
	struct fsys_mount m;
	struct statvfs sv;
	int cursor = 0, r = 0;

	while (fsys_mount_next(&cursor, &m)) {
		if (statvfs(m.mountpoint, &sv) || sv.f_fsid != (unsigned long)m.pid) {
			fprintf(stderr, "df: %s: %s\n", m.mountpoint, strerror(errno ? errno : ESRCH));
			r = 1;
			continue;
		}
		row(m.device, &sv, m.mountpoint);
	}
	return r;
}

int main(int argc, char **argv)
{
	int opt, r = 0;

	while ((opt = getopt(argc, argv, "kP")) != -1) {
		if (opt == 'k')
			unit = 1024;
		else if (opt != 'P') {
			fprintf(stderr, "usage: df [-k] [-P] [FILE...]\n");
			return 1;
		}
	}
	printf("Filesystem %lu-blocks Used Available Capacity Mounted on\n", unit);
	if (optind == argc)
		return all();
	for (int i = optind; i < argc; i++)
		r |= one(argv[i]);
	return r;
}
