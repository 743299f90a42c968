/* fsck-keel: checks an fs-keel volume and, with -y, repairs it.
 *
 *   fsck-keel [-y | -n] [-o OFFSET] [-s SIZE] IMAGE
 *
 * Prints one line per finding and a summary.  Exit status: 0 clean, 1
 * errors found and all repaired, 4 errors left (found without -y, or
 * beyond repair), 8 the check could not run (usage, I/O, or the volume is
 * mounted: a server writing it while fsck reads or repairs would make both
 * wrong, so a volume a server has mounted (mounted.h) is refused). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "blkfile.h"
#include "mounted.h"

static void say_line(void *ctx, const char *line)
{
	printf("%s: %s\n", (const char *)ctx, line);
}

static int usage(void)
{
	fprintf(stderr, "usage: fsck-keel [-y | -n] [-o OFFSET] [-s SIZE] IMAGE\n");
	return FSK_CHECK_FAILED;
}

int main(int argc, char **argv)
{
	static const char *const verdict[] = { "clean", "repaired", "", "", "errors left", "",
					       "", "", "check failed" };
	uint64_t offset = 0, size = 0;
	struct fsk_check_result r;
	struct blkfile bf;
	bool repair = false;
	int c, err, st;

	while ((c = getopt(argc, argv, "yno:s:")) != -1) {
		switch (c) {
		case 'y': repair = true; break;
		case 'n': repair = false; break;
		case 'o': if (!parse_size(optarg, &offset)) return usage(); break;
		case 's': if (!parse_size(optarg, &size)) return usage(); break;
		default: return usage();
		}
	}
	if (argc - optind != 1)
		return usage();
	struct fsys_mount m;
	if (fsys_mounted_by(argv[optind], &m)) {
		fprintf(stderr, "fsck-keel: %s: mounted on %s (server pid %d); unmount it first\n",
			argv[optind], m.mountpoint, m.pid);
		return FSK_CHECK_FAILED;
	}
	err = blkfile_open(&bf, argv[optind], offset, size,
			   (repair ? 0 : BLKFILE_RDONLY) | BLKFILE_DURABLE);
	if (err) {
		fprintf(stderr, "fsck-keel: %s: %s\n", argv[optind], strerror(-err));
		return FSK_CHECK_FAILED;
	}
	st = fsk_check(&bf.dev, repair ? FSK_CHECK_REPAIR : 0, say_line, argv[optind], &r);
	blkfile_close(&bf);
	printf("fsck-keel: %s: %s: %u findings, %u fixed; %u files, %u directories, %u links, "
	       "%u blocks in use\n", argv[optind], verdict[st], r.found, r.fixed, r.files, r.dirs,
	       r.symlinks, r.used_blocks);
	return st;
}
