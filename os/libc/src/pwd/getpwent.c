/* The user database (POSIX.1-2017 getpwnam, getpwuid and their _r forms,
 * getpwent): lines of /etc/passwd, name:passwd:uid:gid:gecos:dir:shell.
 * A missing database finds nobody (result NULL, return 0); a malformed
 * line is skipped; a buffer too small is ERANGE. */
#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "dbfile.h"

#define PASSWD "/etc/passwd"

struct query {
	const char *name;               /* match by name, or by uid when NULL */
	uid_t uid;
	bool any;                       /* getpwent: every valid line */
	struct passwd *pw;
	char *buf;
	size_t len;
};

/* The match is made on the line, before anything is copied. */
static int fill(char *line, void *ctx)
{
	struct query *q = ctx;
	struct passwd *pw = q->pw;
	char *f[7], *buf = q->buf;
	size_t len = q->len;
	unsigned uid, gid;

	if (__db_split(line, f, 7) != 7 || !*f[0] || __db_id(f[2], &uid) || __db_id(f[3], &gid))
		return -1;
	if (!q->any && (q->name ? strcmp(f[0], q->name) != 0 : (uid_t)uid != q->uid))
		return -1;
	pw->pw_uid = (uid_t)uid;
	pw->pw_gid = (gid_t)gid;
	if (!(pw->pw_name = __db_copy(f[0], &buf, &len)) ||
	    !(pw->pw_passwd = __db_copy(f[1], &buf, &len)) ||
	    !(pw->pw_gecos = __db_copy(f[4], &buf, &len)) ||
	    !(pw->pw_dir = __db_copy(f[5], &buf, &len)) ||
	    !(pw->pw_shell = __db_copy(f[6], &buf, &len)))
		return ERANGE;
	pw->pw_comment = pw->pw_gecos;
	return 0;
}

static int find(struct query *q, struct passwd **res)
{
	int found, r = __db_find(PASSWD, fill, q, &found);

	*res = found && r == 0 ? q->pw : NULL;
	return r;
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	struct query q = { .name = name, .pw = pw, .buf = buf, .len = len };

	return find(&q, res);
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	struct query q = { .uid = uid, .pw = pw, .buf = buf, .len = len };

	return find(&q, res);
}

static struct passwd spw;
static char sbuf[__DB_LINE_MAX];

static struct passwd *result(int e, struct passwd *r)
{
	if (e)
		errno = e;
	return r;
}

struct passwd *getpwnam(const char *name)
{
	struct passwd *r;

	return result(getpwnam_r(name, &spw, sbuf, sizeof sbuf, &r), r);
}

struct passwd *getpwuid(uid_t uid)
{
	struct passwd *r;

	return result(getpwuid_r(uid, &spw, sbuf, sizeof sbuf, &r), r);
}

static FILE *ent;

void setpwent(void)
{
	__db_rewind(&ent);
}

void endpwent(void)
{
	__db_end(&ent);
}

struct passwd *getpwent(void)
{
	struct query q = { .any = true, .pw = &spw, .buf = sbuf, .len = sizeof sbuf };

	return __db_next(&ent, PASSWD, fill, &q) ? &spw : NULL;
}
