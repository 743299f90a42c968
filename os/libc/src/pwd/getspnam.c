/* The shadow password database (<shadow.h>): getspnam and getspnam_r over
 * /etc/shadow, read as the user and group databases are (dbfile.h).  A
 * missing entry is NULL with return 0; a malformed line is skipped; a
 * buffer too small is ERANGE; a database the caller may not read gives
 * that error (EACCES). */
#include <errno.h>
#include <shadow.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "dbfile.h"

#define SHADOW "/etc/shadow"

struct query {
	const char *name;
	struct spwd *sp;
	char *buf;
	size_t len;
};

/* A day count, or -1 for an empty field; false if it is not a number. */
static bool days(const char *s, long *out)
{
	char *end;

	if (!*s) {
		*out = -1;
		return true;
	}
	errno = 0;
	*out = strtol(s, &end, 10);
	return !*end && !errno && *out >= 0;
}

static int fill(char *line, void *ctx)
{
	struct query *q = ctx;
	struct spwd *sp = q->sp;
	char *f[9], *buf = q->buf;
	size_t len = q->len;
	long d[6];

	if (__db_split(line, f, 9) != 9 || strcmp(f[0], q->name))
		return -1;
	for (int i = 0; i < 6; i++)
		if (!days(f[2 + i], &d[i]))
			return -1;
	sp->sp_lstchg = d[0];
	sp->sp_min = d[1];
	sp->sp_max = d[2];
	sp->sp_warn = d[3];
	sp->sp_inact = d[4];
	sp->sp_expire = d[5];
	sp->sp_flag = 0;
	if (!(sp->sp_namp = __db_copy(f[0], &buf, &len)) ||
	    !(sp->sp_pwdp = __db_copy(f[1], &buf, &len)))
		return ERANGE;
	return 0;
}

int getspnam_r(const char *name, struct spwd *sp, char *buf, size_t len, struct spwd **res)
{
	struct query q = { .name = name, .sp = sp, .buf = buf, .len = len };
	int found, r = __db_find(SHADOW, fill, &q, &found);

	*res = found && r == 0 ? sp : NULL;
	return r;
}

struct spwd *getspnam(const char *name)
{
	static struct spwd sp;
	static char buf[__DB_LINE_MAX];
	struct spwd *r;
	int e = getspnam_r(name, &sp, buf, sizeof buf, &r);

	if (e)
		errno = e;
	return r;
}
