/* The group database (POSIX.1-2017 getgrnam, getgrgid and their _r forms,
 * getgrent): lines of /etc/group, name:passwd:gid:member,member...  The
 * member array lives in the caller's buffer too. */
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dbfile.h"

#define GROUP "/etc/group"

struct query {
	const char *name;               /* match by name, or by gid when NULL */
	gid_t gid;
	bool any;                       /* getgrent: every valid line */
	struct group *gr;
	char *buf;
	size_t len;
};

/* The members into gr->gr_mem (the pointer array first in buf). */
static int members(struct group *gr, char *list, char *buf, size_t len)
{
	size_t n = *list ? 1 : 0;

	for (const char *c = list; *c; c++)
		n += *c == ',';
	uintptr_t a = ((uintptr_t)buf + 7) & ~(uintptr_t)7;
	size_t skip = a - (uintptr_t)buf, need = (n + 1) * sizeof(char *);
	if (skip + need > len)
		return ERANGE;
	gr->gr_mem = (char **)a;
	buf += skip + need;
	len -= skip + need;
	if (!(gr->gr_name = __db_copy(gr->gr_name, &buf, &len)) ||
	    !(gr->gr_passwd = __db_copy(gr->gr_passwd, &buf, &len)))
		return ERANGE;
	for (size_t i = 0; i < n; i++) {
		char *c = strchr(list, ',');
		if (c)
			*c = 0;
		if (!(gr->gr_mem[i] = __db_copy(list, &buf, &len)))
			return ERANGE;
		list = c ? c + 1 : list;
	}
	gr->gr_mem[n] = NULL;
	return 0;
}

/* The match is made on the line, before anything is copied. */
static int fill(char *line, void *ctx)
{
	struct query *q = ctx;
	char *f[4];
	unsigned gid;

	if (__db_split(line, f, 4) != 4 || !*f[0] || __db_id(f[2], &gid))
		return -1;
	if (!q->any && (q->name ? strcmp(f[0], q->name) != 0 : (gid_t)gid != q->gid))
		return -1;
	q->gr->gr_gid = (gid_t)gid;
	q->gr->gr_name = f[0];          /* copied into buf by members() */
	q->gr->gr_passwd = f[1];
	return members(q->gr, f[3], q->buf, q->len);
}

static int find(struct query *q, struct group **res)
{
	int found, r = __db_find(GROUP, fill, q, &found);

	*res = found && r == 0 ? q->gr : NULL;
	return r;
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len, struct group **res)
{
	struct query q = { .name = name, .gr = gr, .buf = buf, .len = len };

	return find(&q, res);
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len, struct group **res)
{
	struct query q = { .gid = gid, .gr = gr, .buf = buf, .len = len };

	return find(&q, res);
}

static struct group sgr;
static char sbuf[2 * __DB_LINE_MAX];

static struct group *result(int e, struct group *r)
{
	if (e)
		errno = e;
	return r;
}

struct group *getgrnam(const char *name)
{
	struct group *r;

	return result(getgrnam_r(name, &sgr, sbuf, sizeof sbuf, &r), r);
}

struct group *getgrgid(gid_t gid)
{
	struct group *r;

	return result(getgrgid_r(gid, &sgr, sbuf, sizeof sbuf, &r), r);
}

static FILE *ent;

void setgrent(void)
{
	__db_rewind(&ent);
}

void endgrent(void)
{
	__db_end(&ent);
}

struct group *getgrent(void)
{
	struct query q = { .any = true, .gr = &sgr, .buf = sbuf, .len = sizeof sbuf };

	return __db_next(&ent, GROUP, fill, &q) ? &sgr : NULL;
}

struct group *__getgrent_own(FILE **f, struct group *gr, char *buf, size_t len)
{
	struct query q = { .any = true, .gr = gr, .buf = buf, .len = len };

	return __db_next(f, GROUP, fill, &q) ? gr : NULL;
}
