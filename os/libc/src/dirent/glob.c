/* glob and globfree (POSIX.1-2017): the paths a pattern matches.  The
 * pattern is taken one part (between '/') at a time: a part without
 * special characters is a name, appended as it is (unescaped); any other
 * is matched by fnmatch against each entry of the directory so far,
 * FNM_PERIOD so that a leading '.' matches only a '.' in the pattern.
 * Only the last part's name needs looking up (lstat): a name in the middle
 * is checked by the opendir of what follows it.
 *
 * A directory that cannot be opened or read goes to errfunc; ENOENT and
 * ENOTDIR do not (the path is then no directory, which is a non-match, not
 * a read error).  The new paths are sorted with strcmp (the C locale's
 * collation, Keel's only one) unless GLOB_NOSORT. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One call's state: the paths found so far, the caller's choices. */
struct gl {
	char **v;
	size_t n, cap;
	int flags;
	int (*errfunc)(const char *, int);
};

/* Adds a copy of path (with a '/' after it when dir): 0 or GLOB_NOSPACE. */
static int add(struct gl *g, const char *path, bool dir)
{
	size_t len = strlen(path);

	if (g->n == g->cap) {
		size_t cap = g->cap ? 2 * g->cap : 16;
		char **v = realloc(g->v, cap * sizeof *v);
		if (!v)
			return GLOB_NOSPACE;
		g->v = v;
		g->cap = cap;
	}
	char *p = malloc(len + 2);
	if (!p)
		return GLOB_NOSPACE;
	memcpy(p, path, len);
	if (dir && (len == 0 || path[len - 1] != '/'))
		p[len++] = '/';
	p[len] = 0;
	g->v[g->n++] = p;
	return 0;
}

/* Whether part (n bytes) holds a character fnmatch treats specially. */
static bool magic(const char *part, size_t n, bool noescape)
{
	for (size_t i = 0; i < n; i++) {
		if (part[i] == '*' || part[i] == '?' || part[i] == '[')
			return true;
		if (part[i] == '\\' && !noescape && i + 1 < n)
			i++;
	}
	return false;
}

/* Whether path names a directory (links followed). */
static bool is_dir(const char *path)
{
	struct stat st;

	return stat(*path ? path : ".", &st) == 0 && S_ISDIR(st.st_mode);
}

/* A directory at path could not be opened or read (error e): 0 to go on,
 * GLOB_ABORTED to stop. */
static int read_error(const struct gl *g, const char *path, int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return 0;
	if ((g->errfunc && g->errfunc(*path ? path : ".", e)) || (g->flags & GLOB_ERR))
		return GLOB_ABORTED;
	return 0;
}

static int walk(struct gl *g, char *buf, size_t len, char *pat);

/* The path buf[0..len) is complete up to the pattern's end, or to the
 * slashes `pat` is at: added if it names a file (a directory, when the
 * pattern ends in '/').  0 or an error. */
static int found(struct gl *g, char *buf, size_t len, char *pat)
{
	size_t slashes = strspn(pat, "/");
	struct stat st;

	if (pat[slashes])
		return walk(g, buf, len, pat);
	if (len + slashes >= PATH_MAX)
		return 0;
	memcpy(buf + len, pat, slashes + 1);
	if (lstat(buf, &st) < 0)
		return 0;
	bool dir = S_ISDIR(st.st_mode) || (S_ISLNK(st.st_mode) && is_dir(buf));
	if (slashes && !dir)
		return 0;
	return add(g, buf, dir && (g->flags & GLOB_MARK));
}

/* Appends the name of part (n bytes of the pattern, '\\' escapes taken
 * out unless GLOB_NOESCAPE) to buf at len: the new length, or 0 if it
 * does not fit. */
static size_t put_name(const struct gl *g, char *buf, size_t len, const char *part, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (part[i] == '\\' && !(g->flags & GLOB_NOESCAPE) && i + 1 < n)
			i++;
		if (len + 1 >= PATH_MAX)
			return 0;
		buf[len++] = part[i];
	}
	buf[len] = 0;
	return len;
}

/* Matches pattern part `part` (n bytes, in glob's copy of the pattern)
 * against the entries of directory buf[0..len) ("" for the working
 * directory), going on with rest for each match.  0 or an error. */
static int scan(struct gl *g, char *buf, size_t len, char *part, size_t n, char *rest)
{
	int fl = FNM_PERIOD | (g->flags & GLOB_NOESCAPE ? FNM_NOESCAPE : 0), r = 0;
	char end = part[n];
	DIR *d = opendir(len ? buf : ".");

	if (!d)
		return read_error(g, buf, errno);
	struct dirent *e;
	errno = 0;
	while (!r && (e = readdir(d)) != NULL) {
		size_t nl = strlen(e->d_name);
		part[n] = 0;                    /* fnmatch takes the part alone */
		int no = fnmatch(part, e->d_name, fl);
		part[n] = end;
		if (no || len + nl >= PATH_MAX)
			continue;
		memcpy(buf + len, e->d_name, nl + 1);
		r = found(g, buf, len + nl, rest);
		buf[len] = 0;
		errno = 0;
	}
	if (!r && errno)
		r = read_error(g, buf, errno);
	closedir(d);
	return r;
}

/* Goes on from buf[0..len) (the matched directories so far, pat at its
 * slashes or at its next part) with the pattern left: 0 or an error. */
static int walk(struct gl *g, char *buf, size_t len, char *pat)
{
	while (*pat == '/') {
		if (len + 1 >= PATH_MAX)
			return 0;
		buf[len++] = *pat++;
	}
	buf[len] = 0;
	size_t n = strcspn(pat, "/");
	char *rest = pat + n;
	if (magic(pat, n, g->flags & GLOB_NOESCAPE))
		return scan(g, buf, len, pat, n, rest);
	size_t nl = put_name(g, buf, len, pat, n);
	if (!nl)
		return 0;
	return found(g, buf, nl, rest);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Puts g's paths after pglob's (which has none unless GLOB_APPEND):
 * 0 or GLOB_NOSPACE (pglob as it was). */
static int merge(glob_t *pglob, struct gl *g)
{
	size_t offs = g->flags & GLOB_DOOFFS ? pglob->gl_offs : 0;
	size_t old = g->flags & GLOB_APPEND ? pglob->gl_pathc : 0;
	char **v = g->flags & GLOB_APPEND ? pglob->gl_pathv : NULL;

	if (g->n > (SIZE_MAX / sizeof *v) - offs - old - 1)
		return GLOB_NOSPACE;
	v = realloc(v, (offs + old + g->n + 1) * sizeof *v);
	if (!v)
		return GLOB_NOSPACE;
	for (size_t i = 0; i < offs; i++)
		v[i] = NULL;
	memcpy(v + offs + old, g->v, g->n * sizeof *v);
	v[offs + old + g->n] = NULL;
	pglob->gl_pathv = v;
	pglob->gl_pathc = old + g->n;
	g->n = 0;                               /* the strings are pglob's now */
	return 0;
}

int glob(const char *restrict pattern, int flags, int (*errfunc)(const char *, int),
	 glob_t *restrict pglob)
{
	struct gl g = { .flags = flags, .errfunc = errfunc };
	char buf[PATH_MAX], pat[PATH_MAX];
	size_t plen = strnlen(pattern, PATH_MAX);

	if (!(flags & GLOB_DOOFFS))
		pglob->gl_offs = 0;             /* globfree reads it */
	if (!(flags & GLOB_APPEND)) {
		pglob->gl_pathc = 0;
		pglob->gl_pathv = NULL;
	}
	int r = 0;
	if (plen < PATH_MAX) {                  /* a longer one names no path */
		memcpy(pat, pattern, plen + 1);
		r = walk(&g, buf, 0, pat);
	}
	if (!r && g.n == 0) {
		if (flags & GLOB_NOCHECK)
			r = add(&g, pattern, false);
		else
			r = GLOB_NOMATCH;
	}
	if (!(flags & GLOB_NOSORT) && g.n > 1)
		qsort(g.v, g.n, sizeof *g.v, by_name);
	/* An abort keeps what was found before it (POSIX); a match-less
	 * call still gives a gl_pathv the caller may walk and free. */
	if (r != GLOB_NOSPACE) {
		int m = merge(pglob, &g);
		if (m)
			r = m;
	}
	while (g.n)
		free(g.v[--g.n]);
	free(g.v);
	return r;
}

void globfree(glob_t *pglob)
{
	if (!pglob->gl_pathv)
		return;
	for (size_t i = 0; i < pglob->gl_pathc; i++)
		free(pglob->gl_pathv[pglob->gl_offs + i]);
	free(pglob->gl_pathv);
	pglob->gl_pathv = NULL;
	pglob->gl_pathc = 0;
}
