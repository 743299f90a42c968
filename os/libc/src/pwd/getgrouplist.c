/* getgrouplist (no POSIX page; the common extension): the groups of the
 * group database (/etc/group) whose member list names user, with group
 * first and no group twice.  Up to *ngroups of them go to groups; *ngroups
 * becomes the number found.  Returns that number, or -1 when there were
 * more than fitted (the first *ngroups on entry are stored).  It walks the
 * database on a stream and buffer of its own: what getgrgid, getgrnam and
 * getgrent returned before stays as it was (a program may hold it). */
#include <grp.h>
#include <string.h>
#include "dbfile.h"

static int seen(const gid_t *groups, int stored, gid_t g)
{
	for (int i = 0; i < stored; i++)
		if (groups[i] == g)
			return 1;
	return 0;
}

int getgrouplist(const char *user, gid_t group, gid_t *groups, int *ngroups)
{
	static char buf[2 * __DB_LINE_MAX];    /* not reentrant, as getgrent is not */
	int cap = *ngroups, n = 0, stored = 0;
	struct group one, *gr;
	FILE *f = NULL;

	if (cap > 0)
		groups[stored++] = group;
	n = 1;
	while ((gr = __getgrent_own(&f, &one, buf, sizeof buf))) {
		if (gr->gr_gid == group || seen(groups, stored, gr->gr_gid))
			continue;
		for (char **m = gr->gr_mem; m && *m; m++)
			if (!strcmp(*m, user)) {
				if (stored < cap)
					groups[stored++] = gr->gr_gid;
				n++;
				break;
			}
	}
	__db_end(&f);
	*ngroups = n;
	return n > cap ? -1 : n;
}
