/* conf-dir: directory streams over a directory server (resmgr attached
 * with _PROC_PATH_DIR at /dir by a thread of this process): opendir,
 * readdir, readdir_r, rewinddir, telldir/seekdir, fdopendir, closedir, and
 * files below the directory opened by path.  /dir/bad is a directory whose
 * server sends a malformed record.  The path space's own directories: the
 * names /vd/a/x, /vd/a/y and /vd/b (a directory name) make /vd and /vd/a
 * directories of the path space, which taskman lists (_PROC_PATH_LIST) and
 * sends to the server attached with _PROC_PATH_VDIRS: this process's, handle
 * VDIRS (procfs's in a booted system; conf-all's boot has none).
 * realpath and glob walk a /sbin/tmpfs started at /cdt (links, nested
 * directories), glob's read errors come from /dir/bad.  Cases name the
 * XSH page they check.
 *   make run CMDLINE="init=/bin/conf-dir"                             */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/procmsg.h>
#include <sys/procinfo.h>
#include <conf.h>
#include <server.h>

#define NFILES 150
#define CT     "/cdt"                  /* the tmpfs for realpath and glob */
#define VDIRS  7                        /* our handle for the path space's directories */

static iofunc_attr_t dir_attr, bad_attr, file_attr[NFILES];
static char names[NFILES][16];
static resmgr_t *mgr;
static char vdir_path[64];              /* the last path a VDIRS open named */

static int dir_open(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr, iofunc_ocb_t **ocb)
{
	(void)attr;
	if (msg->handle == VDIRS) {
		snprintf(vdir_path, sizeof vdir_path, "%s", path);
		return iofunc_open_default(ctp, msg, "", &dir_attr, ocb);
	}
	if (!*path)
		return iofunc_open_default(ctp, msg, "", &dir_attr, ocb);
	if (!strcmp(path, "bad"))
		return iofunc_open_default(ctp, msg, "", &bad_attr, ocb);
	for (int i = 0; i < NFILES; i++)
		if (!strcmp(path, names[i]))
			return iofunc_open_default(ctp, msg, "", &file_attr[i], ocb);
	return ENOENT;
}

static int dir_read(resmgr_context_t *ctp, const struct _io_read *m, iofunc_ocb_t *ocb)
{
	static unsigned char buf[4096];
	size_t used = 0, max = m->nbytes < sizeof buf ? m->nbytes : sizeof buf;

	if (ocb->attr == &bad_attr) {           /* a record longer than the reply */
		struct _io_dirent r = { .ino = 1, .next = 1, .reclen = 200, .namelen = 3 };
		memcpy(buf, &r, sizeof r);
		memcpy(buf + sizeof r, "bad", 4);
		return resmgr_reply(ctp, 32, buf, 32);
	}
	if (ocb->attr != &dir_attr) {           /* a file: its name is its content */
		const char *name = ocb->attr->data;
		size_t len = strlen(name), off = (size_t)ocb->offset;
		size_t n = off < len ? len - off : 0;
		if (n > m->nbytes)
			n = m->nbytes;
		ocb->offset += (int64_t)n;
		return resmgr_reply(ctp, (long)n, name + off, n);
	}
	int64_t i = ocb->offset;
	for (; i < NFILES; i++)
		if (resmgr_dirent_add(buf, max, &used, (uint64_t)i + 100, (uint64_t)i + 1, DT_REG,
				      names[i]) < 0)
			break;
	if (used == 0 && i < NFILES)
		return EINVAL;                  /* not even one record fits */
	ocb->offset = i;
	return resmgr_reply(ctp, (long)used, buf, used);
}

static void *server(void *arg)
{
	(void)arg;
	resmgr_loop(mgr);
	return NULL;
}

static int seen_count(DIR *d, int *seen)
{
	struct dirent *e;
	int n = 0;

	memset(seen, 0, NFILES * sizeof *seen);
	while ((e = readdir(d))) {
		n++;
		int k = -1;
		if (sscanf(e->d_name, "file%d", &k) == 1 && k >= 0 && k < NFILES)
			seen[k]++;
	}
	return n;
}

static void t_readdir__lists_every_name_once(void)
{
	int seen[NFILES];
	DIR *d = opendir("/dir");

	REQUIRE(d != NULL);
	CHECK_EQ(seen_count(d, seen), NFILES);          /* several reads of whole records */
	for (int i = 0; i < NFILES; i++)
		if (seen[i] != 1)
			CONF_FAIL("file%d seen %d times", i, seen[i]);
	CHECK_EQ(closedir(d), 0);
}

static void t_readdir__end_is_NULL_with_errno_untouched(void)
{
	DIR *d = opendir("/dir");
	int seen[NFILES];

	REQUIRE(d != NULL);
	seen_count(d, seen);
	errno = 0;
	CHECK(readdir(d) == NULL);
	CHECK_EQ(errno, 0);
	closedir(d);
}

static void t_readdir__entry_fields(void)
{
	DIR *d = opendir("/dir");

	REQUIRE(d != NULL);
	struct dirent *e = readdir(d);
	REQUIRE(e != NULL);
	CHECK(strcmp(e->d_name, "file0") == 0);
	CHECK_EQ(e->d_ino, 100);
	CHECK_EQ(e->d_type, DT_REG);
	closedir(d);
}

static void t_rewinddir__starts_again(void)
{
	DIR *d = opendir("/dir");
	int seen[NFILES];

	REQUIRE(d != NULL);
	readdir(d);
	readdir(d);
	rewinddir(d);
	CHECK_EQ(seen_count(d, seen), NFILES);
	closedir(d);
}

static void t_seekdir__resumes_where_telldir_was(void)
{
	DIR *d = opendir("/dir");
	char want[NAME_MAX_DIRENT + 1];

	REQUIRE(d != NULL);
	for (int i = 0; i < 70; i++)
		readdir(d);
	long pos = telldir(d);
	struct dirent *e = readdir(d);
	REQUIRE(e != NULL);
	snprintf(want, sizeof want, "%s", e->d_name);
	for (int i = 0; i < 20; i++)
		readdir(d);
	seekdir(d, pos);
	e = readdir(d);
	REQUIRE(e != NULL);
	CHECK(strcmp(e->d_name, want) == 0);
	closedir(d);
}

static void t_readdir_r__fills_the_callers_entry(void)
{
	DIR *d = opendir("/dir");
	struct dirent ent, *res = NULL;
	int n = 0;

	REQUIRE(d != NULL);
	while (readdir_r(d, &ent, &res) == 0 && res) {
		CHECK(res == &ent);
		n++;
	}
	CHECK_EQ(n, NFILES);
	CHECK(res == NULL);
	closedir(d);
}

static void t_opendir__file_is_ENOTDIR_missing_is_ENOENT(void)
{
	errno = 0;
	CHECK(opendir("/dir/file3") == NULL);
	CHECK_EQ(errno, ENOTDIR);
	errno = 0;
	CHECK(opendir("/dir/nothing") == NULL);
	CHECK_EQ(errno, ENOENT);
	errno = 0;
	CHECK(opendir("/nowhere") == NULL);
	CHECK_EQ(errno, ENOENT);
}

static void t_fdopendir__and_dirfd(void)
{
	int fd = open("/dir", O_RDONLY);

	REQUIRE(fd >= 0);
	DIR *d = fdopendir(fd);
	REQUIRE(d != NULL);
	CHECK_EQ(dirfd(d), fd);
	CHECK(readdir(d) != NULL);
	CHECK_EQ(closedir(d), 0);
	CHECK_ERR(close(fd), EBADF);            /* closedir closed it */
}

static void t_open__file_below_a_directory_name(void)
{
	char buf[16] = "";
	int fd = open("/dir/file42", O_RDONLY);

	REQUIRE(fd >= 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 6);
	CHECK(strcmp(buf, "file42") == 0);
	close(fd);
}

static void t_stat__directory_and_file_types(void)
{
	struct stat st;

	CHECK_EQ(stat("/dir", &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(stat("/dir/file7", &st), 0);
	CHECK(S_ISREG(st.st_mode));
}

/* A directory fd from openat keeps its name through dup and dup2 (the *at
 * calls and fchdir work on the copy; ls walks a dup of its directory fd);
 * so does one open() made (its path is checked when first used). */
static void t_fstatat__on_a_dup_of_an_openat_directory(void)
{
	struct stat st;
	int fd = openat(AT_FDCWD, "/dir", O_RDONLY);

	REQUIRE(fd >= 0);
	int d2 = dup(fd), d3 = dup2(fd, 40), plain = open("/dir", O_RDONLY);
	REQUIRE(d2 >= 0 && d3 == 40 && plain >= 0);
	CHECK_EQ(fstatat(fd, "file7", &st, 0), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(fstatat(d2, "file7", &st, 0), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(fstatat(d3, "file8", &st, AT_SYMLINK_NOFOLLOW), 0);
	CHECK_ERR(fstatat(d2, "nosuch", &st, 0), ENOENT);
	CHECK_EQ(fstatat(plain, "file7", &st, 0), 0);
	CHECK(S_ISREG(st.st_mode));
	/* (this program is the first process: its "/" is served by nobody and
	 * cannot be chdir'd back to; every case uses absolute paths) */
	CHECK_EQ(fchdir(d2), 0);
	char now[64];
	CHECK(getcwd(now, sizeof now) && !strcmp(now, "/dir"));
	CHECK_EQ(fchdir(plain), 0);
	CHECK(getcwd(now, sizeof now) && !strcmp(now, "/dir"));
	close(fd);
	close(d2);
	close(d3);
	close(plain);
}

static void t_readdir__malformed_record_is_EIO(void)
{
	DIR *d = opendir("/dir/bad");

	REQUIRE(d != NULL);
	errno = 0;
	CHECK(readdir(d) == NULL);
	CHECK_EQ(errno, EIO);
	closedir(d);
}

/* The names one level below a directory of the path space, each once,
 * with its type (a name's own last part: DT_DIR for a directory name,
 * DT_UNKNOWN for a file's; a part with names below it: DT_DIR), resumed
 * from an entry's position; a name itself, a path with nothing below and
 * an unclean path are not such directories. */
static void t_readdir__path_space_directory_lists_names_below(void)
{
	struct _proc_path_entry e[_PROC_PATH_LIST_MAX];

	REQUIRE(proc_path_list("/vd", 0, e, _PROC_PATH_LIST_MAX) == 2);
	CHECK(!strcmp(e[0].name, "a") && e[0].type == DT_DIR);
	CHECK(!strcmp(e[1].name, "b") && e[1].type == DT_DIR);
	REQUIRE(proc_path_list("/vd/a", 0, e, _PROC_PATH_LIST_MAX) == 2);
	CHECK(!strcmp(e[0].name, "x") && e[0].type == DT_UNKNOWN);
	CHECK(!strcmp(e[1].name, "y") && e[1].type == DT_UNKNOWN);
	uint32_t next = e[0].next;
	REQUIRE(proc_path_list("/vd/a", next, e, _PROC_PATH_LIST_MAX) == 1);
	CHECK(!strcmp(e[0].name, "y"));
	CHECK_EQ(proc_path_list("/vd/a", e[0].next, e, _PROC_PATH_LIST_MAX), 0);
	CHECK_ERR(proc_path_list("/vd/b", 0, e, _PROC_PATH_LIST_MAX), ENOENT);
	CHECK_ERR(proc_path_list("/vd/a/x", 0, e, _PROC_PATH_LIST_MAX), ENOENT);
	CHECK_ERR(proc_path_list("/vd/zz", 0, e, _PROC_PATH_LIST_MAX), ENOENT);
	CHECK_ERR(proc_path_list("/vd/", 0, e, _PROC_PATH_LIST_MAX), EINVAL);
	CHECK_ERR(proc_path_list("vd", 0, e, _PROC_PATH_LIST_MAX), EINVAL);
}

/* An open of a directory of the path space reaches the VDIRS server last,
 * with the whole path less its '/'; a name itself does not; a second
 * VDIRS server is EEXIST. */
static void t_opendir__path_space_directory_reaches_its_server(void)
{
	vdir_path[0] = 0;
	DIR *d = opendir("/vd/a");
	REQUIRE(d != NULL);
	CHECK(!strcmp(vdir_path, "vd/a"));
	closedir(d);
	vdir_path[0] = 0;
	int fd = open("/vd/a/x", O_RDONLY);     /* the name's own server (handle 0) */
	CHECK(fd >= 0);
	CHECK(vdir_path[0] == 0);
	if (fd >= 0)
		close(fd);
	CHECK(opendir("/vd/zz") == NULL && errno == ENOENT);
	CHECK(vdir_path[0] == 0);
	CHECK_ERR(resmgr_attach_handle(mgr, "/", _FTYPE_ANY, _PROC_PATH_VDIRS, VDIRS + 1),
		  EEXIST);
	CHECK_ERR(resmgr_attach_handle(mgr, "/vd", _FTYPE_ANY, _PROC_PATH_VDIRS, VDIRS + 1),
		  EINVAL);
}

/* What is mounted in a directory is in its listing: the path space's names
 * one level below it follow the file system's own entries, each name
 * once (/dir/file3, attached here, is also one of /dir's own files), with
 * positions telldir and seekdir take, and the same from fdopendir of an
 * open() descriptor; / lists /dir and /vd once each.
 * proc_path_below lists below any path, a name's too, and is 0 (not
 * ENOENT) where nothing lies below. */
static void t_readdir__names_mounted_in_a_directory_follow_its_entries(void)
{
	struct _proc_path_entry pe[_PROC_PATH_LIST_MAX];
	int seen[NFILES];
	struct dirent *e;

	REQUIRE(resmgr_attach(mgr, "/dir/mnt", _FTYPE_ANY, 0) > 0);
	REQUIRE(resmgr_attach(mgr, "/dir/file3", _FTYPE_ANY, 0) > 0);
	CHECK_EQ(proc_path_below("/dir", 0, pe, _PROC_PATH_LIST_MAX), 2);
	CHECK_EQ(proc_path_below("/dir/mnt", 0, pe, _PROC_PATH_LIST_MAX), 0);
	CHECK_ERR(proc_path_list("/dir", 0, pe, _PROC_PATH_LIST_MAX), ENOENT);

	DIR *d = opendir("/dir");
	REQUIRE(d != NULL);
	CHECK_EQ(seen_count(d, seen), NFILES + 1);
	CHECK_EQ(seen[3], 1);
	rewinddir(d);
	long pos = 0;
	int mnt = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, "mnt")) {
			mnt++;
			CHECK_EQ(e->d_type, DT_UNKNOWN);
			CHECK_EQ(e->d_ino, (ino_t)proc_path_ino("/dir", "mnt"));
			CHECK(readdir(d) == NULL);      /* the last entry */
			break;
		}
		pos = telldir(d);
	}
	CHECK_EQ(mnt, 1);
	seekdir(d, pos);
	e = readdir(d);
	CHECK(e != NULL && !strcmp(e->d_name, "mnt"));
	closedir(d);

	int fd = open("/dir", O_RDONLY);
	REQUIRE(fd >= 0);
	d = fdopendir(fd);
	REQUIRE(d != NULL);
	CHECK_EQ(seen_count(d, seen), NFILES + 1);
	closedir(d);

	int dir = 0, vd = 0;
	d = opendir("/");
	REQUIRE(d != NULL);
	while ((e = readdir(d))) {
		dir += !strcmp(e->d_name, "dir") && e->d_type == DT_DIR;
		vd += !strcmp(e->d_name, "vd") && e->d_type == DT_DIR;
	}
	closedir(d);
	CHECK_EQ(dir, 1);
	CHECK_EQ(vd, 1);
}

/* ---- realpath (on the tmpfs at CT) ------------------------------------------------ */

static int mkfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	return fd < 0 ? -1 : close(fd);
}

/* CT/a/b/f, CT/l -> a/b (relative), CT/abs -> CT/a (absolute), CT/up ->
 * ../cdt/a, CT/loop -> loop, CT/dang -> none. */
static bool rp_tree(void)
{
	mkdir(CT "/a", 0755);
	mkdir(CT "/a/b", 0755);
	unlink(CT "/l"), unlink(CT "/abs"), unlink(CT "/up"), unlink(CT "/loop"), unlink(CT "/dang");
	return mkfile(CT "/a/b/f") == 0 && symlink("a/b", CT "/l") == 0 &&
	       symlink(CT "/a", CT "/abs") == 0 && symlink("../cdt/a", CT "/up") == 0 &&
	       symlink("loop", CT "/loop") == 0 && symlink("none", CT "/dang") == 0;
}

#define CHECK_RP(path, want) do { \
	char rp_[PATH_MAX]; \
	memset(rp_, 0, sizeof rp_); \
	char *r_ = realpath((path), rp_); \
	if (r_ != rp_ || strcmp(rp_, (want))) \
		CONF_FAIL("realpath(%s) = %s '%.64s', want '%s' (%s)", (path), r_ ? "buf" : "NULL", \
			  rp_, (want), strerror(errno)); \
} while (0)

/* realpath fails: NULL with errno e. */
#define CHECK_RP_ERR(path, e) do { \
	char rpe_[PATH_MAX]; \
	errno = 0; \
	char *r_ = realpath((path), rpe_); \
	int e_ = errno; \
	if (r_ || e_ != (e)) \
		CONF_FAIL("realpath: %.64s errno %d (%s), want NULL errno %d (%s)", \
			  r_ ? rpe_ : "NULL", e_, strerror(e_), (e), strerror(e)); \
} while (0)

static void t_realpath__resolves_dot_dotdot_and_links(void)
{
	REQUIRE(rp_tree());
	CHECK_RP(CT "/a/b/f", CT "/a/b/f");
	CHECK_RP(CT "//a/./b/../b//f", CT "/a/b/f");
	CHECK_RP(CT "/l/f", CT "/a/b/f");
	CHECK_RP(CT "/l", CT "/a/b");
	CHECK_RP(CT "/abs/b/", CT "/a/b");
	CHECK_RP(CT "/up/b/f", CT "/a/b/f");
	CHECK_RP("/", "/");
	CHECK_RP(CT "/..", "/");
	REQUIRE(chdir(CT "/abs") == 0);         /* relative: from the working directory */
	CHECK_RP("b/f", CT "/a/b/f");
	CHECK_RP(".", CT "/a");
	chdir("/");
}

static void t_realpath__NULL_buffer_is_malloced(void)
{
	REQUIRE(rp_tree());
	char *p = realpath(CT "/l/f", NULL);
	CHECK(p && !strcmp(p, CT "/a/b/f"));
	free(p);
}

static void t_realpath__errors(void)
{
	char longp[PATH_MAX + 8];

	REQUIRE(rp_tree());
	CHECK_RP_ERR(NULL, EINVAL);
	CHECK_RP_ERR("", ENOENT);
	CHECK_RP_ERR(CT "/none", ENOENT);
	CHECK_RP_ERR(CT "/none/x", ENOENT);
	CHECK_RP_ERR(CT "/dang", ENOENT);
	CHECK_RP_ERR(CT "/a/b/f/x", ENOTDIR);
	CHECK_RP_ERR(CT "/a/b/f/", ENOTDIR);
	CHECK_RP_ERR(CT "/loop", ELOOP);
	CHECK_RP_ERR(CT "/loop/x", ELOOP);
	memset(longp, 'a', sizeof longp - 1);
	longp[0] = '/';
	longp[sizeof longp - 1] = 0;
	CHECK_RP_ERR(longp, ENAMETOOLONG);
}

/* ---- glob (on the tmpfs at CT/g) ----------------------------------------------------- */

/* CT/g: a1 a2 b1 .hid, d/ (with x), and a file named "*". */
static bool glob_tree(void)
{
	mkdir(CT "/g", 0755);
	mkdir(CT "/g/d", 0755);
	return mkfile(CT "/g/a1") == 0 && mkfile(CT "/g/a2") == 0 && mkfile(CT "/g/b1") == 0 &&
	       mkfile(CT "/g/.hid") == 0 && mkfile(CT "/g/d/x") == 0 && mkfile(CT "/g/*") == 0;
}

/* The paths of g are exactly the n strings of want, in order. */
static void check_paths(const glob_t *g, size_t offs, const char *const *want, size_t n)
{
	CHECK_EQ(g->gl_pathc, n);
	if (g->gl_pathc != n || !g->gl_pathv)
		return;
	for (size_t i = 0; i < n; i++)
		if (!g->gl_pathv[offs + i] || strcmp(g->gl_pathv[offs + i], want[i]))
			CONF_FAIL("path %zu: '%s', want '%s'", i,
				  g->gl_pathv[offs + i] ? g->gl_pathv[offs + i] : "(null)", want[i]);
	CHECK(g->gl_pathv[offs + n] == NULL);
}

static void t_glob__star_matches_sorted_names_but_not_a_leading_dot(void)
{
	static const char *const want[] = { CT "/g/*", CT "/g/a1", CT "/g/a2", CT "/g/b1",
					    CT "/g/d" };
	glob_t g;

	REQUIRE(glob_tree());
	CHECK_EQ(glob(CT "/g/*", 0, NULL, &g), 0);
	check_paths(&g, 0, want, 5);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/.h*", 0, NULL, &g), 0);
	check_paths(&g, 0, (const char *const[]){ CT "/g/.hid" }, 1);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/[ab]?", 0, NULL, &g), 0);
	check_paths(&g, 0, want + 1, 3);
	globfree(&g);
}

static void t_glob__parts_in_the_middle_and_GLOB_MARK(void)
{
	glob_t g;

	REQUIRE(glob_tree());
	CHECK_EQ(glob(CT "/?/*/x", 0, NULL, &g), 0);
	check_paths(&g, 0, (const char *const[]){ CT "/g/d/x" }, 1);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/[bd]*", GLOB_MARK, NULL, &g), 0);
	check_paths(&g, 0, (const char *const[]){ CT "/g/b1", CT "/g/d/" }, 2);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/*/", 0, NULL, &g), 0);     /* a trailing '/': directories only */
	check_paths(&g, 0, (const char *const[]){ CT "/g/d/" }, 1);
	globfree(&g);
	REQUIRE(chdir(CT "/g") == 0);                  /* relative patterns stay relative */
	CHECK_EQ(glob("d/*", 0, NULL, &g), 0);
	check_paths(&g, 0, (const char *const[]){ "d/x" }, 1);
	globfree(&g);
	chdir("/");
}

static void t_glob__no_match_is_GLOB_NOMATCH_and_GLOB_NOCHECK_gives_the_pattern(void)
{
	glob_t g;

	REQUIRE(glob_tree());
	CHECK_EQ(glob(CT "/g/z*", 0, NULL, &g), GLOB_NOMATCH);
	CHECK_EQ(g.gl_pathc, 0);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/none", 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/z*", GLOB_NOCHECK, NULL, &g), 0);
	check_paths(&g, 0, (const char *const[]){ CT "/g/z*" }, 1);
	globfree(&g);
}

static void t_glob__backslash_quotes_unless_GLOB_NOESCAPE(void)
{
	glob_t g;

	REQUIRE(glob_tree());
	CHECK_EQ(glob(CT "/g/\\*", 0, NULL, &g), 0);    /* the file named "*" only */
	check_paths(&g, 0, (const char *const[]){ CT "/g/*" }, 1);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/a\\1", 0, NULL, &g), 0);
	check_paths(&g, 0, (const char *const[]){ CT "/g/a1" }, 1);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/a\\?", 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
	CHECK_EQ(glob(CT "/g/a\\1", GLOB_NOESCAPE, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
}

static void t_glob__GLOB_DOOFFS_and_GLOB_APPEND(void)
{
	glob_t g;

	REQUIRE(glob_tree());
	g.gl_offs = 2;
	CHECK_EQ(glob(CT "/g/a*", GLOB_DOOFFS, NULL, &g), 0);
	REQUIRE(g.gl_pathv);
	CHECK(g.gl_pathv[0] == NULL && g.gl_pathv[1] == NULL);
	check_paths(&g, 2, (const char *const[]){ CT "/g/a1", CT "/g/a2" }, 2);
	CHECK_EQ(glob(CT "/g/b*", GLOB_DOOFFS | GLOB_APPEND, NULL, &g), 0);
	CHECK(g.gl_pathv[0] == NULL && g.gl_pathv[1] == NULL);
	check_paths(&g, 2, (const char *const[]){ CT "/g/a1", CT "/g/a2", CT "/g/b1" }, 3);
	CHECK_EQ(glob(CT "/g/z*", GLOB_DOOFFS | GLOB_APPEND, NULL, &g), GLOB_NOMATCH);
	CHECK_EQ(g.gl_pathc, 3);                /* the earlier paths stay */
	globfree(&g);
	CHECK(g.gl_pathv == NULL);
}

static int errs;
static char err_path[64];
static int err_no;

static int on_error(const char *path, int e)
{
	errs++;
	snprintf(err_path, sizeof err_path, "%s", path);
	err_no = e;
	return errs > 1;                        /* go on the first time, then stop */
}

/* /dir/bad cannot be read (EIO): errfunc hears of it; its nonzero answer
 * or GLOB_ERR is GLOB_ABORTED, else the scan goes on. */
static void t_glob__unreadable_directory_goes_to_errfunc_and_GLOB_ERR(void)
{
	glob_t g;

	errs = 0;
	CHECK_EQ(glob("/dir/bad/*", 0, on_error, &g), GLOB_NOMATCH);
	CHECK_EQ(errs, 1);
	CHECK(!strcmp(err_path, "/dir/bad/"));
	CHECK_EQ(err_no, EIO);
	globfree(&g);
	CHECK_EQ(glob("/dir/bad/*", 0, on_error, &g), GLOB_ABORTED);
	CHECK_EQ(errs, 2);
	globfree(&g);
	CHECK_EQ(glob("/dir/bad/*", GLOB_ERR, NULL, &g), GLOB_ABORTED);
	globfree(&g);
	CHECK_EQ(glob("/dir/bad/*", 0, NULL, &g), GLOB_NOMATCH);
	globfree(&g);
}

static const struct conf_case cases[] = {
	CONF_CASE(readdir, lists_every_name_once),
	CONF_CASE(readdir, end_is_NULL_with_errno_untouched),
	CONF_CASE(readdir, entry_fields),
	CONF_CASE(rewinddir, starts_again),
	CONF_CASE(seekdir, resumes_where_telldir_was),
	CONF_CASE(readdir_r, fills_the_callers_entry),
	CONF_CASE(opendir, file_is_ENOTDIR_missing_is_ENOENT),
	CONF_CASE(fdopendir, and_dirfd),
	CONF_CASE(open, file_below_a_directory_name),
	CONF_CASE(stat, directory_and_file_types),
	CONF_CASE(readdir, malformed_record_is_EIO),
	CONF_CASE(fstatat, on_a_dup_of_an_openat_directory),
	CONF_CASE(readdir, path_space_directory_lists_names_below),
	CONF_CASE(opendir, path_space_directory_reaches_its_server),
	CONF_CASE(realpath, resolves_dot_dotdot_and_links),
	CONF_CASE(realpath, NULL_buffer_is_malloced),
	CONF_CASE(realpath, errors),
	CONF_CASE(glob, star_matches_sorted_names_but_not_a_leading_dot),
	CONF_CASE(glob, parts_in_the_middle_and_GLOB_MARK),
	CONF_CASE(glob, no_match_is_GLOB_NOMATCH_and_GLOB_NOCHECK_gives_the_pattern),
	CONF_CASE(glob, backslash_quotes_unless_GLOB_NOESCAPE),
	CONF_CASE(glob, GLOB_DOOFFS_and_GLOB_APPEND),
	CONF_CASE(glob, unreadable_directory_goes_to_errfunc_and_GLOB_ERR),
	CONF_CASE(readdir, names_mounted_in_a_directory_follow_its_entries),    /* last: it attaches */
};

int main(void)
{
	static const resmgr_connect_funcs_t cf = { .open = dir_open };
	static const resmgr_io_funcs_t io = { .read = dir_read };
	pthread_t t;
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);

	iofunc_attr_init(&dir_attr, S_IFDIR | 0755);
	iofunc_attr_init(&bad_attr, S_IFDIR | 0755);
	for (int i = 0; i < NFILES; i++) {
		snprintf(names[i], sizeof names[i], "file%d", i);
		iofunc_attr_init(&file_attr[i], S_IFREG | 0644);
		file_attr[i].data = names[i];
		file_attr[i].nbytes = (int64_t)strlen(names[i]);
	}
	mgr = chid >= 0 ? resmgr_create(chid, &cf, &io, &dir_attr) : NULL;
	if (!mgr || pthread_create(&t, NULL, server, NULL) ||
	    resmgr_attach(mgr, "/dir", _FTYPE_ANY, _PROC_PATH_DIR) < 0 ||
	    resmgr_attach(mgr, "/vd/a/x", _FTYPE_ANY, 0) < 0 ||
	    resmgr_attach(mgr, "/vd/a/y", _FTYPE_ANY, 0) < 0 ||
	    resmgr_attach(mgr, "/vd/b", _FTYPE_ANY, _PROC_PATH_DIR) < 0 ||
	    resmgr_attach_handle(mgr, "/", _FTYPE_ANY, _PROC_PATH_VDIRS, VDIRS) < 0) {
		conf_line("conf-dir: cannot start the server: %s", strerror(errno));
		return 2;
	}
	char *fs[] = { "/sbin/tmpfs", CT, NULL };
	pid_t fs_pid = conf_start_server(fs, CT);
	if (fs_pid < 0) {
		conf_line("conf-dir: cannot start /sbin/tmpfs at %s", CT);
		return 2;
	}
	int r = conf_run("conf-dir", cases, sizeof cases / sizeof cases[0]);
	kill(fs_pid, SIGKILL);
	waitpid(fs_pid, NULL, 0);
	return r ? 1 : 0;
}
