/* conf-dir: directory streams over a directory server (resmgr attached
 * with _PROC_PATH_DIR at /dir by a thread of this process): opendir,
 * readdir, readdir_r, rewinddir, telldir/seekdir, fdopendir, closedir, and
 * files below the directory opened by path.  /dir/bad is a directory whose
 * server sends a malformed record.  The path space's own directories: the
 * names /vd/a/x, /vd/a/y and /vd/b (a directory name) make /vd and /vd/a
 * directories of the path space, which taskman lists (_PROC_PATH_LIST) and
 * sends to the server attached with _PROC_PATH_VDIRS: this process's, handle
 * VDIRS (procfs's in a booted system; conf-all's boot has none).  Cases
 * name the XSH page they check.
 *   make run CMDLINE="init=/bin/conf-dir"                             */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

#define NFILES 150
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
	return conf_run("conf-dir", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
}
