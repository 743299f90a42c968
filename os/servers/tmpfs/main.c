/* tmpfs: a file system in memory.  tmpfs [-s SIZE[k|m]] [-m MODE] [PATH]
 * serves PATH (default /tmp; attached with _PROC_PATH_DIR, so every name
 * below it comes here) until it is killed, and everything in it goes with
 * it.
 *
 * What it keeps: a tree of nodes (regular files, directories, symbolic
 * links), each with an iofunc attribute (mode, owner, nlink, size, times,
 * opens).  Directories hold entries in the order they were made, each with
 * a cookie that readdir's position resumes at and that is never reused, so
 * a directory read while names come and go sees every name that stays
 * exactly once.  A file's data is pages (store.c) with holes that read as
 * zeros; -s caps the bytes all files hold (ENOSPC past it).  A node lives
 * while it has a name or an open: an unlinked file stays readable through
 * its opens until the last closes.
 *
 * Symbolic links are reported, not resolved: a path through one gets the
 * link reply (dir.c) and the client resolves the new path from the top,
 * so a link may point anywhere in the name space.
 *
 * Permissions are checked against the client's credentials as the
 * framework learns them (iofunc_client_info).
 *
 * One thread: every handler is short and never waits (the framework would
 * run them one at a time under its handler lock anyway). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>
#include "tmpfs.h"

struct tnode *tmpfs_root;
const char *tmpfs_mount = "/tmp";

/* SIZE with an optional k or m: bytes, or 0 if it does not parse. */
static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (end == s)
		return 0;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	return *end ? 0 : (uint64_t)v;
}

static int usage(void)
{
	fprintf(stderr, "usage: tmpfs [-s SIZE[k|m]] [-m MODE] [PATH]\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned long mode = 01777;
	int opt;

	while ((opt = getopt(argc, argv, "s:m:")) != -1) {
		char *end;
		switch (opt) {
		case 's': {
			uint64_t size = parse_size(optarg);
			if (!size)
				return usage();
			store_set_limit(size);
			break;
		}
		case 'm':
			mode = strtoul(optarg, &end, 8);
			if (*end || end == optarg || mode > 07777)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (optind < argc - 1)
		return usage();
	if (optind < argc)
		tmpfs_mount = argv[optind];
	if (tmpfs_mount[0] != '/' || strlen(tmpfs_mount) >= _IO_PATH_MAX / 2)
		return usage();
	tmpfs_root = node_new(S_IFDIR | (uint32_t)mode, getuid(), getgid());
	if (!tmpfs_root)
		return 1;
	tmpfs_root->attr.nlink = 2;
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *mgr = chid >= 0 ? resmgr_create(chid, &tmpfs_connect, &tmpfs_io,
						  &tmpfs_root->attr) : NULL;
	if (!mgr || resmgr_attach(mgr, tmpfs_mount, _FTYPE_ANY, _PROC_PATH_DIR) < 0) {
		fprintf(stderr, "tmpfs: cannot serve %s: %s\n", tmpfs_mount, strerror(errno));
		return 1;
	}
	return resmgr_loop(mgr) < 0 ? 1 : 0;
}
