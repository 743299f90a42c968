/* conf-files: the file calls over a file system server, /sbin/tmpfs,
 * started here twice: at /tmp (where tmpfile and mkstemp's templates
 * live) and at /t2 with a 64 KiB limit (a second server: EXDEV, links
 * across servers, ENOSPC).  Every call is checked through the whole path
 * (libc, the path manager, the resmgr framework, tmpfs), success and
 * error, and a few malformed messages straight at the server.
 * Cases name the XSH page they check.  make run CMDLINE="init=/bin/conf-files"
 *
 * Permission refusals (EACCES) are not checked: tmpfs judges a client by
 * the server's own credentials until the kernel reports a client's. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include <keel/iomsg.h>
#include <keel/neutrino.h>
#include <conf.h>
#include <server.h>

#define T  "/tmp"
#define T2 "/t2"
/* Below every mapping; through a variable, so the compiler sees no
 * constant to reason about. */
static void *volatile bad_ptr = (void *)8;
#define BAD_PTR bad_ptr

/* Makes path holding text (O_TRUNC): 0 or -1. */
static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	size_t n = strlen(text);
	int r = write(fd, text, n) == (ssize_t)n ? 0 : -1;
	return close(fd) == 0 ? r : -1;
}

/* The contents of path (up to size-1 bytes, NUL-ended) into buf: the
 * length or -1. */
static ssize_t get(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

static bool has_text(const char *path, const char *want)
{
	char buf[256];

	return get(path, buf, sizeof buf) == (ssize_t)strlen(want) && !strcmp(buf, want);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Whether a time in seconds is the realtime clock's now (within 2 s). */
static bool near_now(time_t t)
{
	time_t now = time(NULL);

	return t <= now && t >= now - 2;
}

/* ---- open ---------------------------------------------------------------- */

static void t_open__O_CREAT_makes_an_empty_file_with_mode_less_umask(void)
{
	struct stat st;
	mode_t old = umask(022);

	int fd = open(T "/new", O_RDWR | O_CREAT, 0666);
	umask(old);
	REQUIRE(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_EQ(st.st_mode & 07777, 0644);
	CHECK_EQ(st.st_size, 0);
	CHECK_EQ(st.st_nlink, 1);
	CHECK_EQ(st.st_uid, geteuid());
	close(fd);
	CHECK_EQ(unlink(T "/new"), 0);
}

static void t_open__O_EXCL_on_an_existing_name_is_EEXIST(void)
{
	REQUIRE(put(T "/ex", "x") == 0);
	CHECK_ERR(open(T "/ex", O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	CHECK(has_text(T "/ex", "x"));
	unlink(T "/ex");
}

static void t_open__missing_name_without_O_CREAT_is_ENOENT(void)
{
	CHECK_ERR(open(T "/none", O_RDONLY), ENOENT);
	CHECK_ERR(open(T "/nodir/x", O_RDWR | O_CREAT, 0600), ENOENT);
}

static void t_open__O_TRUNC_empties_the_file(void)
{
	struct stat st;

	REQUIRE(put(T "/tr", "hello") == 0);
	int fd = open(T "/tr", O_WRONLY | O_TRUNC);
	REQUIRE(fd >= 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 0);
	close(fd);
	unlink(T "/tr");
}

static void t_open__file_as_a_directory_is_ENOTDIR(void)
{
	REQUIRE(put(T "/f", "x") == 0);
	CHECK_ERR(open(T "/f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR(open(T "/f/x", O_RDONLY), ENOTDIR);
	CHECK_ERR(open(T "/f/", O_RDONLY), ENOTDIR);
	unlink(T "/f");
}

static void t_open__directory_for_writing_is_EISDIR(void)
{
	CHECK_ERR(open(T, O_WRONLY), EISDIR);
	CHECK_ERR(open(T, O_RDWR), EISDIR);
}

static void t_open__bad_path_pointer_is_EFAULT(void)
{
	CHECK_ERR(open(BAD_PTR, O_RDONLY), EFAULT);
	CHECK_ERR(mkdir(BAD_PTR, 0700), EFAULT);
	CHECK_ERR(unlink(BAD_PTR), EFAULT);
	CHECK_ERR(rename(BAD_PTR, T "/x"), EFAULT);
	CHECK_ERR(symlink(BAD_PTR, T "/x"), EFAULT);
}

/* ---- read, write, lseek ---------------------------------------------------------- */

static void t_write__data_reads_back_across_pages(void)
{
	static unsigned char out[3 * 4096 + 123], in[sizeof out];

	for (size_t i = 0; i < sizeof out; i++)
		out[i] = (unsigned char)(i * 7 + 3);
	int fd = open(T "/big", O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, out, 100), 100);
	CHECK_EQ(write(fd, out + 100, sizeof out - 100), (long)(sizeof out - 100));
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	size_t got = 0;
	ssize_t n;
	while (got < sizeof in && (n = read(fd, in + got, sizeof in - got)) > 0)
		got += (size_t)n;
	CHECK_EQ(got, sizeof out);
	CHECK(!memcmp(in, out, sizeof out));
	CHECK_EQ(read(fd, in, 1), 0);
	CHECK_EQ(pread(fd, in, 10, 4090), 10);
	CHECK(!memcmp(in, out + 4090, 10));
	close(fd);
	unlink(T "/big");
}

static void t_write__O_APPEND_writes_at_the_end(void)
{
	REQUIRE(put(T "/ap", "abc") == 0);
	int fd = open(T "/ap", O_WRONLY | O_APPEND);
	REQUIRE(fd >= 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "de", 2), 2);
	close(fd);
	CHECK(has_text(T "/ap", "abcde"));
	unlink(T "/ap");
}

/* pread and pwrite move nothing: the open's offset stays where read and
 * write left it, and pwrite writes at its offset even with O_APPEND
 * (XSH pwrite: "regardless of whether O_APPEND is set"). */
static void t_pwrite__at_its_offset_leaving_the_file_offset(void)
{
	char buf[8] = { 0 };

	REQUIRE(put(T "/pw", "0123456789") == 0);
	int fd = open(T "/pw", O_RDWR | O_APPEND);
	REQUIRE(fd >= 0);
	CHECK_EQ(lseek(fd, 3, SEEK_SET), 3);
	CHECK_EQ(pwrite(fd, "ab", 2, 5), 2);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3);
	CHECK_EQ(pread(fd, buf, 4, 4), 4);
	CHECK(!memcmp(buf, "4ab7", 4));
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3);
	CHECK_EQ(read(fd, buf, 2), 2);                  /* from 3, as before */
	CHECK(!memcmp(buf, "34", 2));
	CHECK_EQ(pwrite(fd, "XY", 2, 12), 2);           /* past the end: a gap */
	CHECK_EQ(pread(fd, buf, 8, 8), 6);
	CHECK(!memcmp(buf, "89\0\0XY", 6));
	CHECK_EQ(pread(fd, buf, 8, 14), 0);             /* at the end */
	CHECK_ERR(pread(fd, buf, 1, -1), EINVAL);
	CHECK_ERR(pwrite(fd, buf, 1, -1), EINVAL);
	CHECK_EQ(write(fd, "!", 1), 1);                 /* O_APPEND still holds for write */
	CHECK_EQ(pread(fd, buf, 1, 14), 1);
	CHECK_EQ(buf[0], '!');
	close(fd);
	fd = open(T "/pw", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_ERR(pwrite(fd, "z", 1, 0), EBADF);
	close(fd);
	unlink(T "/pw");
}

static void t_lseek__gap_past_the_end_reads_as_zeros(void)
{
	char buf[8];
	struct stat st;

	int fd = open(T "/gap", O_RDWR | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(lseek(fd, 100000, SEEK_SET), 100000);
	CHECK_EQ(write(fd, "z", 1), 1);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 100001);
	CHECK(st.st_blocks < 100000 / 512);     /* the gap holds no pages */
	CHECK_EQ(pread(fd, buf, 8, 50000), 8);
	CHECK(!memcmp(buf, "\0\0\0\0\0\0\0\0", 8));
	close(fd);
	unlink(T "/gap");
}

/* A byte written far into a file costs the table that finds its page:
 * counted against the limit as pages are, so on a file system of 64 KiB a
 * write near 4 GiB (a table of 8 MiB) is ENOSPC, and nothing is left
 * taken.  (It succeeded, and each such file held 8 MiB of the server's
 * memory that no limit saw.) */
static void t_pwrite__far_into_a_file_counts_its_table(void)
{
	static char block[4096];
	int fd = open(T2 "/far", O_RDWR | O_CREAT | O_TRUNC, 0600);

	REQUIRE(fd >= 0);
	errno = 0;
	CHECK_EQ(pwrite(fd, "x", 1, 0xfffff000), -1);
	CHECK_EQ(errno, ENOSPC);
	CHECK_EQ(pwrite(fd, "x", 1, 8192), 1);           /* near the start: room */
	close(fd);
	CHECK_EQ(unlink(T2 "/far"), 0);
	fd = open(T2 "/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	long total = 0;
	ssize_t n;
	while ((n = write(fd, block, sizeof block)) > 0 && total < (1 << 20))
		total += n;
	CHECK_EQ(total, 64 * 1024);                     /* all of it came back */
	close(fd);
	unlink(T2 "/fill");
}

static void t_write__full_file_system_is_ENOSPC(void)
{
	static char block[4096];
	long total = 0;
	ssize_t n;

	int fd = open(T2 "/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	REQUIRE(fd >= 0);
	memset(block, 'f', sizeof block);
	while ((n = write(fd, block, sizeof block)) > 0 && total < (1 << 20))
		total += n;
	CHECK_EQ(n, -1);
	CHECK_EQ(errno, ENOSPC);
	CHECK_EQ(total, 64 * 1024);
	close(fd);
	CHECK_EQ(unlink(T2 "/fill"), 0);
	fd = open(T2 "/fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK_EQ(write(fd, block, sizeof block), (long)sizeof block);  /* the space came back */
	close(fd);
	unlink(T2 "/fill");
}

/* ---- directories --------------------------------------------------------------- */

static void t_mkdir__makes_a_directory_counted_in_its_parent(void)
{
	struct stat st, parent0, parent1;
	mode_t old = umask(027);

	REQUIRE(stat(T, &parent0) == 0);
	CHECK_EQ(mkdir(T "/d", 0777), 0);
	umask(old);
	REQUIRE(stat(T "/d", &st) == 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0750);
	CHECK_EQ(st.st_nlink, 2);
	REQUIRE(stat(T, &parent1) == 0);
	CHECK_EQ(parent1.st_nlink, parent0.st_nlink + 1);
	CHECK_EQ(rmdir(T "/d"), 0);
	REQUIRE(stat(T, &parent1) == 0);
	CHECK_EQ(parent1.st_nlink, parent0.st_nlink);
	CHECK(!exists(T "/d"));
}

static void t_mkdir__existing_name_is_EEXIST(void)
{
	REQUIRE(put(T "/e", "") == 0);
	CHECK_ERR(mkdir(T "/e", 0700), EEXIST);
	CHECK_ERR(mkdir(T, 0700), EEXIST);
	unlink(T "/e");
}

static void t_mkdir__missing_parent_is_ENOENT(void)
{
	CHECK_ERR(mkdir(T "/no/such", 0700), ENOENT);
}

static void t_rmdir__non_empty_is_ENOTEMPTY(void)
{
	REQUIRE(mkdir(T "/ne", 0700) == 0);
	REQUIRE(put(T "/ne/f", "") == 0);
	CHECK_ERR(rmdir(T "/ne"), ENOTEMPTY);
	CHECK(exists(T "/ne/f"));
	unlink(T "/ne/f");
	CHECK_EQ(rmdir(T "/ne"), 0);
}

static void t_rmdir__file_is_ENOTDIR_and_missing_is_ENOENT(void)
{
	REQUIRE(put(T "/rf", "") == 0);
	CHECK_ERR(rmdir(T "/rf"), ENOTDIR);
	CHECK_ERR(rmdir(T "/nothing"), ENOENT);
	unlink(T "/rf");
}

/* POSIX.1-2017 rmdir: a directory open when its last link goes loses
 * "." and ".." with its name, takes no new entries and lives until its
 * last close: its stream reads to the end at once, fstat shows no links,
 * a name made through its descriptor or its old path is ENOENT. */
static void t_rmdir__open_directory_reads_empty_until_closed(void)
{
	struct stat st;

	REQUIRE(mkdir(T "/od", 0700) == 0);
	DIR *d = opendir(T "/od");
	REQUIRE(d != NULL);
	CHECK_EQ(rmdir(T "/od"), 0);
	CHECK(!exists(T "/od"));
	CHECK_EQ(fstat(dirfd(d), &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 0);
	errno = 0;
	CHECK(readdir(d) == NULL);
	CHECK_EQ(errno, 0);
	CHECK_ERR(openat(dirfd(d), "f", O_WRONLY | O_CREAT, 0600), ENOENT);
	CHECK_ERR(mkdir(T "/od/sub", 0700), ENOENT);
	CHECK_EQ(closedir(d), 0);
	CHECK(!exists(T "/od"));
}

static void t_rmdir__mount_point_is_EBUSY(void)
{
	CHECK_ERR(rmdir(T2), EBUSY);
}

static void t_readdir__lists_dot_dotdot_and_each_name_once(void)
{
	const char *want[] = { "a", "bb", "ccc" };
	int seen[3] = { 0 }, dots = 0, other = 0;

	REQUIRE(mkdir(T "/ls", 0700) == 0);
	for (int i = 0; i < 3; i++) {
		char p[64];
		snprintf(p, sizeof p, T "/ls/%s", want[i]);
		REQUIRE(i == 2 ? mkdir(p, 0700) == 0 : put(p, "") == 0);
	}
	DIR *d = opendir(T "/ls");
	REQUIRE(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			dots++;
		else if (!strcmp(e->d_name, "a"))
			seen[0]++;
		else if (!strcmp(e->d_name, "bb"))
			seen[1]++;
		else if (!strcmp(e->d_name, "ccc")) {
			seen[2]++;
			CHECK_EQ(e->d_type, DT_DIR);
		}
		else
			other++;
	}
	closedir(d);
	CHECK_EQ(dots, 2);
	CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 1);
	CHECK_EQ(other, 0);
	unlink(T "/ls/a");
	unlink(T "/ls/bb");
	rmdir(T "/ls/ccc");
	rmdir(T "/ls");
}

static void t_readdir__names_removed_while_reading_do_not_repeat_others(void)
{
	char p[300];
	int count = 0;

	REQUIRE(mkdir(T "/rd", 0700) == 0);
	for (int i = 0; i < 40; i++) {
		snprintf(p, sizeof p, T "/rd/n%02d", i);
		REQUIRE(put(p, "") == 0);
	}
	DIR *d = opendir(T "/rd");
	REQUIRE(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] != 'n')
			continue;
		count++;
		snprintf(p, sizeof p, T "/rd/%s", e->d_name);
		CHECK_EQ(unlink(p), 0);         /* each name is seen (and removed) once */
	}
	closedir(d);
	CHECK_EQ(count, 40);
	CHECK_EQ(rmdir(T "/rd"), 0);
}

/* ---- unlink -------------------------------------------------------------------- */

static void t_unlink__directory_is_EPERM_and_missing_is_ENOENT(void)
{
	REQUIRE(mkdir(T "/ud", 0700) == 0);
	CHECK_ERR(unlink(T "/ud"), EPERM);
	CHECK_ERR(unlink(T "/missing"), ENOENT);
	rmdir(T "/ud");
}

static void t_unlink__open_file_stays_readable_until_closed(void)
{
	char buf[16] = { 0 };
	struct stat st;
	struct statvfs v0, v1;

	REQUIRE(put(T "/keep", "still here") == 0);
	int fd = open(T "/keep", O_RDWR);
	REQUIRE(fd >= 0);
	CHECK_EQ(unlink(T "/keep"), 0);
	CHECK(!exists(T "/keep"));
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(read(fd, buf, sizeof buf - 1), 10);
	CHECK(!strcmp(buf, "still here"));
	CHECK_EQ(write(fd, "!", 1), 1);
	REQUIRE(statvfs(T, &v0) == 0);
	close(fd);
	REQUIRE(statvfs(T, &v1) == 0);
	CHECK_EQ(v1.f_ffree, v0.f_ffree + 1);  /* the node went with the last close */
	CHECK_EQ(v1.f_bfree, v0.f_bfree + 1);
}

/* ---- link, symlink, readlink, lstat --------------------------------------------------- */

static void t_link__adds_a_name_and_counts_nlink(void)
{
	struct stat a, b;

	REQUIRE(put(T "/l1", "same") == 0);
	CHECK_EQ(link(T "/l1", T "/l2"), 0);
	REQUIRE(stat(T "/l1", &a) == 0 && stat(T "/l2", &b) == 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_nlink, 2);
	CHECK_EQ(unlink(T "/l1"), 0);
	CHECK(has_text(T "/l2", "same"));
	REQUIRE(stat(T "/l2", &b) == 0);
	CHECK_EQ(b.st_nlink, 1);
	unlink(T "/l2");
}

static void t_link__errors(void)
{
	REQUIRE(put(T "/le", "") == 0);
	REQUIRE(mkdir(T "/ld", 0700) == 0);
	CHECK_ERR(link(T "/le", T "/le"), EEXIST);
	CHECK_ERR(link(T "/ld", T "/ld2"), EPERM);
	CHECK_ERR(link(T "/none", T "/x"), ENOENT);
	CHECK_ERR(link(T "/le", T2 "/le"), EXDEV);
	CHECK(!exists(T "/x") && !exists(T2 "/le"));
	unlink(T "/le");
	rmdir(T "/ld");
}

static void t_symlink__open_follows_absolute_and_relative_links(void)
{
	REQUIRE(mkdir(T "/sd", 0700) == 0);
	REQUIRE(put(T "/sd/target", "tgt") == 0);
	CHECK_EQ(symlink(T "/sd/target", T "/abs"), 0);
	CHECK_EQ(symlink("target", T "/sd/rel"), 0);
	CHECK_EQ(symlink("sd", T "/dirlink"), 0);
	CHECK(has_text(T "/abs", "tgt"));
	CHECK(has_text(T "/sd/rel", "tgt"));
	CHECK(has_text(T "/dirlink/target", "tgt"));   /* a link in the middle */
	CHECK(has_text(T "/dirlink/rel", "tgt"));
	unlink(T "/abs");
	unlink(T "/sd/rel");
	unlink(T "/dirlink");
	unlink(T "/sd/target");
	rmdir(T "/sd");
}

static void t_symlink__link_to_another_server_is_followed(void)
{
	REQUIRE(put(T2 "/there", "other") == 0);
	CHECK_EQ(symlink(T2 "/there", T "/cross"), 0);
	CHECK(has_text(T "/cross", "other"));
	int fd = open(T "/cross", O_WRONLY | O_APPEND);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, "!", 1), 1);
	close(fd);
	CHECK(has_text(T2 "/there", "other!"));
	unlink(T "/cross");
	unlink(T2 "/there");
}

static void t_symlink__dangling_link_is_ENOENT_until_O_CREAT_makes_its_target(void)
{
	CHECK_EQ(symlink("made", T "/dang"), 0);
	CHECK_ERR(open(T "/dang", O_RDONLY), ENOENT);
	int fd = open(T "/dang", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0);
	close(fd);
	CHECK(exists(T "/made"));
	CHECK_ERR(open(T "/dang", O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	unlink(T "/dang");
	unlink(T "/made");
}

static void t_symlink__existing_name_is_EEXIST_and_loop_is_ELOOP(void)
{
	REQUIRE(put(T "/se", "") == 0);
	CHECK_ERR(symlink("x", T "/se"), EEXIST);
	CHECK_EQ(symlink("loop2", T "/loop1"), 0);
	CHECK_EQ(symlink("loop1", T "/loop2"), 0);
	CHECK_ERR(open(T "/loop1", O_RDONLY), ELOOP);
	CHECK_ERR(symlink("", T "/empty"), ENOENT);
	unlink(T "/loop1");
	unlink(T "/loop2");
	unlink(T "/se");
}

static void t_readlink__returns_the_text_without_a_NUL(void)
{
	char buf[64];

	memset(buf, 'x', sizeof buf);
	REQUIRE(symlink("some/where", T "/rl") == 0);
	CHECK_EQ(readlink(T "/rl", buf, sizeof buf), 10);
	CHECK(!memcmp(buf, "some/where", 10) && buf[10] == 'x');
	CHECK_EQ(readlink(T "/rl", buf, 4), 4);         /* truncated */
	CHECK(!memcmp(buf, "some", 4));
	CHECK_ERR(readlink(T "/rl", BAD_PTR, 8), EFAULT);
	unlink(T "/rl");
}

static void t_readlink__no_link_is_EINVAL_and_missing_is_ENOENT(void)
{
	char buf[8];

	REQUIRE(put(T "/nl", "") == 0);
	CHECK_ERR(readlink(T "/nl", buf, sizeof buf), EINVAL);
	CHECK_ERR(readlink(T "/none", buf, sizeof buf), ENOENT);
	unlink(T "/nl");
}

static void t_lstat__reports_the_link_and_stat_its_target(void)
{
	struct stat l, s;

	REQUIRE(put(T "/lt", "12345") == 0);
	REQUIRE(symlink("lt", T "/ll") == 0);
	CHECK_EQ(lstat(T "/ll", &l), 0);
	CHECK(S_ISLNK(l.st_mode));
	CHECK_EQ(l.st_size, 2);
	CHECK_EQ(stat(T "/ll", &s), 0);
	CHECK(S_ISREG(s.st_mode));
	CHECK_EQ(s.st_size, 5);
	CHECK_ERR(open(T "/ll", O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_ERR(lstat(T "/ll", BAD_PTR), EFAULT);
	unlink(T "/ll");
	unlink(T "/lt");
}

/* ---- rename -------------------------------------------------------------------- */

/* A directory fd from open() works for fchdir and the *at calls while its
 * path still names it; once the directory is renamed and another made at
 * that path, the old fd's relative names are ENOTSUP, never the new
 * directory's. */
static void t_fchdir__open_directory_until_its_name_moves(void)
{
	struct stat st;
	char now[64];

	REQUIRE(mkdir(T "/fa", 0700) == 0 && put(T "/fa/in", "x") == 0);
	int fd = open(T "/fa", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_EQ(fstatat(fd, "in", &st, 0), 0);
	CHECK_EQ(fchdir(fd), 0);
	CHECK(getcwd(now, sizeof now) && !strcmp(now, T "/fa"));
	CHECK_EQ(stat("in", &st), 0);                           /* relative to the new cwd */
	CHECK_EQ(rename(T "/fa", T "/fb"), 0);
	CHECK_EQ(mkdir(T "/fa", 0700), 0);                      /* another one at the old name */
	CHECK_ERR(fstatat(fd, "in", &st, 0), ENOTSUP);
	CHECK_ERR(fchdir(fd), ENOTSUP);
	int f = open(T "/fb/in", O_RDONLY);
	CHECK_ERR(fchdir(f), ENOTDIR);
	close(f);
	close(fd);
	CHECK_EQ(chdir(T), 0);
	unlink(T "/fb/in");
	rmdir(T "/fb");
	rmdir(T "/fa");
}

static void t_rename__moves_a_file_between_directories(void)
{
	REQUIRE(mkdir(T "/ra", 0700) == 0);
	REQUIRE(put(T "/ra/f", "moved") == 0);
	CHECK_EQ(rename(T "/ra/f", T "/rf2"), 0);
	CHECK(!exists(T "/ra/f"));
	CHECK(has_text(T "/rf2", "moved"));
	unlink(T "/rf2");
	rmdir(T "/ra");
}

static void t_rename__over_an_existing_file_replaces_it(void)
{
	REQUIRE(put(T "/old", "new text") == 0 && put(T "/dst", "old text") == 0);
	int fd = open(T "/dst", O_RDONLY);              /* the replaced file stays open */
	CHECK_EQ(rename(T "/old", T "/dst"), 0);
	CHECK(!exists(T "/old"));
	CHECK(has_text(T "/dst", "new text"));
	char buf[16] = { 0 };
	CHECK_EQ(read(fd, buf, sizeof buf - 1), 8);
	CHECK(!strcmp(buf, "old text"));
	close(fd);
	unlink(T "/dst");
}

static void t_rename__directory_rules(void)
{
	struct stat st;

	REQUIRE(mkdir(T "/rd1", 0700) == 0 && mkdir(T "/rd1/sub", 0700) == 0);
	REQUIRE(mkdir(T "/rd2", 0700) == 0 && put(T "/rd2/x", "") == 0);
	REQUIRE(put(T "/rfile", "") == 0 && mkdir(T "/rempty", 0700) == 0);
	CHECK_ERR(rename(T "/rd1", T "/rd1/sub/in"), EINVAL);
	CHECK_ERR(rename(T "/rd1", T "/rd1/sub"), EINVAL);
	CHECK_ERR(rename(T "/rd1", T "/rfile"), ENOTDIR);
	CHECK_ERR(rename(T "/rfile", T "/rd1"), EISDIR);
	CHECK_ERR(rename(T "/rd1", T "/rd2"), ENOTEMPTY);
	CHECK_ERR(rename(T "/nope", T "/rd3"), ENOENT);
	CHECK_ERR(rename(T "/rfile", T2 "/rfile"), EXDEV);
	CHECK_EQ(rename(T "/rd1", T "/rempty"), 0);    /* over an empty directory */
	CHECK(!exists(T "/rd1"));
	CHECK_EQ(stat(T "/rempty/sub", &st), 0);
	CHECK_EQ(rename(T "/rempty/sub", T "/rd2/sub"), 0);
	REQUIRE(stat(T "/rempty", &st) == 0);
	CHECK_EQ(st.st_nlink, 2);
	REQUIRE(stat(T "/rd2", &st) == 0);
	CHECK_EQ(st.st_nlink, 3);
	CHECK_EQ(rename(T "/rfile", T "/rfile"), 0);   /* the same file: nothing */
	CHECK(exists(T "/rfile"));
	rmdir(T "/rd2/sub");
	unlink(T "/rd2/x");
	rmdir(T "/rd2");
	rmdir(T "/rempty");
	unlink(T "/rfile");
}

static void t_rename__moves_a_symbolic_link_itself(void)
{
	char buf[16];

	REQUIRE(put(T "/rt", "t") == 0 && symlink("rt", T "/rs") == 0);
	CHECK_EQ(rename(T "/rs", T "/rs2"), 0);
	CHECK_EQ(readlink(T "/rs2", buf, sizeof buf), 2);
	CHECK(exists(T "/rt"));
	unlink(T "/rs2");
	unlink(T "/rt");
}

/* ---- attributes ------------------------------------------------------------------ */

static void t_chmod__changes_the_permission_bits_only(void)
{
	struct stat st;

	REQUIRE(put(T "/cm", "") == 0);
	CHECK_EQ(chmod(T "/cm", 0751), 0);
	REQUIRE(stat(T "/cm", &st) == 0);
	CHECK_EQ(st.st_mode, S_IFREG | 0751);
	CHECK_EQ(chmod(T "/cm", 0), 0);
	CHECK_EQ(stat(T "/cm", &st), 0);                /* stat needs no read permission */
	CHECK_EQ(st.st_mode, S_IFREG);
	int fd = open(T "/cm", O_RDONLY);
	REQUIRE(fd >= 0);                               /* root reads anyway */
	CHECK_EQ(fchmod(fd, 04700), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_mode, S_IFREG | 04700);
	close(fd);
	CHECK_ERR(chmod(T "/none", 0600), ENOENT);
	CHECK_ERR(fchmod(-1, 0600), EBADF);
	unlink(T "/cm");
}

static void t_chown__changes_owner_and_group_and_minus_one_keeps(void)
{
	struct stat st;

	REQUIRE(put(T "/co", "") == 0);
	CHECK_EQ(chown(T "/co", 1000, 100), 0);
	REQUIRE(stat(T "/co", &st) == 0);
	CHECK(st.st_uid == 1000 && st.st_gid == 100);
	CHECK_EQ(chown(T "/co", (uid_t)-1, 200), 0);
	REQUIRE(stat(T "/co", &st) == 0);
	CHECK(st.st_uid == 1000 && st.st_gid == 200);
	int fd = open(T "/co", O_RDONLY);
	CHECK_EQ(fchown(fd, 7, (gid_t)-1), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(st.st_uid == 7 && st.st_gid == 200);
	close(fd);
	CHECK_ERR(chown(T "/none", 0, 0), ENOENT);
	unlink(T "/co");
}

static void t_lchown__changes_the_link_not_its_target(void)
{
	struct stat l, t;

	REQUIRE(put(T "/lct", "") == 0 && symlink("lct", T "/lcl") == 0);
	CHECK_EQ(lchown(T "/lcl", 55, 66), 0);
	REQUIRE(lstat(T "/lcl", &l) == 0 && stat(T "/lct", &t) == 0);
	CHECK(l.st_uid == 55 && l.st_gid == 66);
	CHECK(t.st_uid == geteuid());
	CHECK_EQ(chown(T "/lcl", 77, 88), 0);           /* chown follows */
	REQUIRE(stat(T "/lct", &t) == 0);
	CHECK(t.st_uid == 77 && t.st_gid == 88);
	unlink(T "/lcl");
	unlink(T "/lct");
}

static void t_utimensat__sets_omits_and_nows(void)
{
	struct stat st;
	struct timespec ts[2] = { { 1000, 5 }, { 2000, 6 } };

	REQUIRE(put(T "/ut", "") == 0);
	CHECK_EQ(utimensat(AT_FDCWD, T "/ut", ts, 0), 0);
	REQUIRE(stat(T "/ut", &st) == 0);
	CHECK(st.st_atim.tv_sec == 1000 && st.st_atim.tv_nsec == 5);
	CHECK(st.st_mtim.tv_sec == 2000 && st.st_mtim.tv_nsec == 6);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 3000, 0 };
	CHECK_EQ(utimensat(AT_FDCWD, T "/ut", ts, 0), 0);
	REQUIRE(stat(T "/ut", &st) == 0);
	CHECK(st.st_atim.tv_sec == 1000 && st.st_mtim.tv_sec == 3000);
	ts[1].tv_nsec = UTIME_NOW;
	CHECK_EQ(utimensat(AT_FDCWD, T "/ut", ts, 0), 0);
	REQUIRE(stat(T "/ut", &st) == 0);
	CHECK_EQ(st.st_atim.tv_sec, 1000);
	CHECK(near_now(st.st_mtim.tv_sec));
	ts[0].tv_nsec = 1000000000;
	CHECK_ERR(utimensat(AT_FDCWD, T "/ut", ts, 0), EINVAL);
	CHECK_ERR(utimensat(AT_FDCWD, T "/none", NULL, 0), ENOENT);
	CHECK_ERR(utimensat(AT_FDCWD, T "/ut", BAD_PTR, 0), EFAULT);
	unlink(T "/ut");
}

static void t_futimens__and_utime_and_utimes_set_the_times(void)
{
	struct stat st;
	struct timespec ts[2] = { { 11, 0 }, { 12, 0 } };
	struct utimbuf ub = { .actime = 21, .modtime = 22 };
	struct timeval tv[2] = { { 31, 5 }, { 32, 7 } };

	int fd = open(T "/ft", O_RDWR | O_CREAT, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(futimens(fd, ts), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(st.st_atim.tv_sec == 11 && st.st_mtim.tv_sec == 12);
	CHECK_EQ(utime(T "/ft", &ub), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(st.st_atim.tv_sec == 21 && st.st_mtim.tv_sec == 22);
	CHECK_EQ(utimes(T "/ft", tv), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK(st.st_atim.tv_sec == 31 && st.st_mtim.tv_nsec == 7000);
	tv[0].tv_usec = 1000000;
	CHECK_ERR(utimes(T "/ft", tv), EINVAL);
	close(fd);
	unlink(T "/ft");
}

static void t_stat__write_moves_mtime_and_ctime(void)
{
	struct stat a, b;
	struct timespec ts[2] = { { time(NULL) + 1000, 0 }, { time(NULL) + 1000, 0 } };

	REQUIRE(put(T "/mt", "") == 0);
	REQUIRE(utimensat(AT_FDCWD, T "/mt", ts, 0) == 0);
	REQUIRE(stat(T "/mt", &a) == 0);
	REQUIRE(put(T "/mt", "more") == 0);
	REQUIRE(stat(T "/mt", &b) == 0);
	CHECK(near_now(b.st_mtim.tv_sec));      /* from the future back to now */
	CHECK(near_now(b.st_ctim.tv_sec));
	CHECK(a.st_mtim.tv_sec > b.st_mtim.tv_sec + 900);
	CHECK_EQ(b.st_size, 4);
	CHECK(a.st_dev == b.st_dev);
	unlink(T "/mt");
}

/* ---- size and sync ----------------------------------------------------------------- */

static void t_truncate__shrinks_and_grows_with_zeros(void)
{
	char buf[16];
	struct stat st;

	REQUIRE(put(T "/tc", "0123456789") == 0);
	CHECK_EQ(truncate(T "/tc", 4), 0);
	CHECK(has_text(T "/tc", "0123"));
	CHECK_EQ(truncate(T "/tc", 8), 0);
	REQUIRE(stat(T "/tc", &st) == 0);
	CHECK_EQ(st.st_size, 8);
	CHECK_EQ(get(T "/tc", buf, sizeof buf), 8);
	CHECK(!memcmp(buf, "0123\0\0\0\0", 8));
	CHECK_ERR(truncate(T "/tc", -1), EINVAL);
	CHECK_ERR(truncate(T "/none", 0), ENOENT);
	CHECK_ERR(truncate(T, 0), EISDIR);
	unlink(T "/tc");
}

static void t_ftruncate__needs_an_open_for_writing(void)
{
	REQUIRE(put(T "/ftr", "abc") == 0);
	int fd = open(T "/ftr", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_ERR(ftruncate(fd, 0), EBADF);
	close(fd);
	fd = open(T "/ftr", O_RDWR);
	CHECK_EQ(ftruncate(fd, 1), 0);
	CHECK_ERR(ftruncate(fd, -5), EINVAL);
	close(fd);
	CHECK(has_text(T "/ftr", "a"));
	CHECK_ERR(ftruncate(-1, 0), EBADF);
	unlink(T "/ftr");
}

static void t_fsync__and_fdatasync_on_a_file(void)
{
	int fd = open(T "/fs", O_RDWR | O_CREAT, 0600);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "x", 1), 1);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(fdatasync(fd), 0);
	close(fd);
	CHECK_ERR(fsync(fd), EBADF);
	unlink(T "/fs");
}

static void t_statvfs__reports_the_limit_and_what_is_used(void)
{
	struct statvfs v, w;

	CHECK_EQ(statvfs(T2, &v), 0);
	CHECK_EQ(v.f_blocks * v.f_frsize, 64 * 1024);
	CHECK_EQ(v.f_bfree, v.f_blocks);
	CHECK_EQ(v.f_namemax, 255);
	REQUIRE(put(T2 "/sv", "x") == 0);
	int fd = open(T2 "/sv", O_RDONLY);
	CHECK_EQ(fstatvfs(fd, &w), 0);
	close(fd);
	CHECK_EQ(w.f_bfree, v.f_bfree - 1);
	CHECK_EQ(w.f_ffree, v.f_ffree - 1);
	CHECK(w.f_fsid == v.f_fsid);
	CHECK_ERR(statvfs(T2 "/none", &v), ENOENT);
	CHECK_ERR(statvfs(T2, BAD_PTR), EFAULT);
	unlink(T2 "/sv");
}

/* ---- readv, writev ------------------------------------------------------------------- */

static void t_writev__the_vectors_are_written_in_order_as_one_write(void)
{
	char a[] = "ab", c[] = "cdef";
	struct iovec v[3] = { { a, 2 }, { NULL, 0 }, { c, 4 } };
	int fd = open(T "/wv", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(writev(fd, v, 3), 6);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), 6);
	close(fd);
	CHECK(has_text(T "/wv", "abcdef"));
	unlink(T "/wv");
}

static void t_readv__fills_each_buffer_in_turn_then_reads_0_at_the_end(void)
{
	char a[3], b[8], c[4];
	struct iovec v[3] = { { a, sizeof a }, { b, 0 }, { c, sizeof c } };

	REQUIRE(put(T "/rv", "abcdefgh") == 0);
	int fd = open(T "/rv", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_EQ(readv(fd, v, 3), 7);
	CHECK(!memcmp(a, "abc", 3) && !memcmp(c, "defg", 4));
	v[0].iov_len = 1;
	CHECK_EQ(readv(fd, v, 3), 1);           /* a short read: what is left */
	CHECK_EQ(a[0], 'h');
	CHECK_EQ(readv(fd, v, 3), 0);
	close(fd);
	unlink(T "/rv");
}

/* IOV_MAX is honest: that many vectors go through, one more is EINVAL
 * (the kernel's parts are the bound; the header takes one). */
static void t_writev__IOV_MAX_vectors_go_through_and_readv_takes_as_many(void)
{
	char in[IOV_MAX], out[IOV_MAX + 1];
	struct iovec v[IOV_MAX];

	CHECK_EQ(sysconf(_SC_IOV_MAX), IOV_MAX);
	CHECK(IOV_MAX >= 15);
	for (int i = 0; i < IOV_MAX; i++) {
		out[i] = (char)('A' + i);
		v[i] = (struct iovec){ &out[i], 1 };
	}
	int fd = open(T "/iv", O_RDWR | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0);
	CHECK_EQ(writev(fd, v, IOV_MAX), IOV_MAX);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	for (int i = 0; i < IOV_MAX; i++)
		v[IOV_MAX - 1 - i] = (struct iovec){ &in[i], 1 };    /* backwards */
	CHECK_EQ(readv(fd, v, IOV_MAX), IOV_MAX);
	for (int i = 0; i < IOV_MAX; i++)
		CHECK_EQ(in[IOV_MAX - 1 - i], 'A' + i);
	close(fd);
	unlink(T "/iv");
}

static void t_readv__bad_count_or_total_is_EINVAL_and_bad_fd_EBADF(void)
{
	char b[4];
	struct iovec v[IOV_MAX + 1], big[2] = { { b, SSIZE_MAX }, { b, 1 } };
	int fd = open(T "/ev", O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	for (int i = 0; i <= IOV_MAX; i++)
		v[i] = (struct iovec){ b, 1 };
	CHECK_ERR(readv(fd, v, 0), EINVAL);
	CHECK_ERR(writev(fd, v, 0), EINVAL);
	CHECK_ERR(readv(fd, v, -1), EINVAL);
	CHECK_ERR(readv(fd, v, IOV_MAX + 1), EINVAL);
	CHECK_ERR(writev(fd, v, IOV_MAX + 1), EINVAL);
	CHECK_ERR(readv(fd, big, 2), EINVAL);   /* more than ssize_t holds */
	CHECK_ERR(writev(fd, big, 2), EINVAL);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 0);    /* nothing was written */
	close(fd);
	CHECK_ERR(readv(fd, v, 1), EBADF);
	CHECK_ERR(writev(fd, v, 1), EBADF);
	unlink(T "/ev");
}

static void t_readv__buffer_outside_the_process_is_EFAULT(void)
{
	char b[2];
	struct iovec v[2] = { { b, 1 }, { BAD_PTR, 16 } };

	REQUIRE(put(T "/fv", "xyz") == 0);
	int fd = open(T "/fv", O_RDWR);
	REQUIRE(fd >= 0);
	CHECK_ERR(readv(fd, v, 2), EFAULT);
	CHECK_ERR(writev(fd, v, 2), EFAULT);
	close(fd);
	CHECK(has_text(T "/fv", "xyz"));
	unlink(T "/fv");
}

/* ---- pathconf, fpathconf ---------------------------------------------------------------- */

/* NAME_MAX is the file system's: a name that long is made, one longer is
 * ENAMETOOLONG. */
static void t_pathconf__NAME_MAX_is_the_longest_name_the_file_system_takes(void)
{
	char path[sizeof T + 300];
	long max = pathconf(T, _PC_NAME_MAX);

	CHECK_EQ(max, 255);
	REQUIRE(max > 0 && max < 300);
	int n = snprintf(path, sizeof path, T "/");
	memset(path + n, 'n', (size_t)max);
	path[n + max] = 0;
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	CHECK(fd >= 0);
	CHECK_EQ(fpathconf(fd, _PC_NAME_MAX), max);
	close(fd);
	CHECK_EQ(unlink(path), 0);
	path[n + max] = 'n';
	path[n + max + 1] = 0;
	CHECK_ERR(open(path, O_RDWR | O_CREAT, 0644), ENAMETOOLONG);
}

static void t_pathconf__path_limits_and_PIPE_BUF(void)
{
	char text[PATH_MAX];

	CHECK_EQ(pathconf(T2, _PC_PATH_MAX), PATH_MAX);
	CHECK_EQ(pathconf(T2, _PC_PIPE_BUF), PIPE_BUF);
	CHECK_EQ(pathconf(T2, _PC_NO_TRUNC), 1);
	long sm = pathconf(T2, _PC_SYMLINK_MAX);
	REQUIRE(sm > 0 && sm < (long)sizeof text);
	memset(text, 's', (size_t)sm);          /* a link text that long is taken */
	text[sm] = 0;
	CHECK_EQ(symlink(text, T "/longlink"), 0);
	CHECK_EQ(readlink(T "/longlink", text, sizeof text), sm);
	unlink(T "/longlink");
}

static void t_pathconf__bad_path_fd_or_name_fail_as_stat_does(void)
{
	REQUIRE(put(T "/pc", "x") == 0);
	CHECK_ERR(pathconf(T "/none", _PC_NAME_MAX), ENOENT);
	CHECK_ERR(pathconf(T "/none", _PC_PATH_MAX), ENOENT);
	CHECK_ERR(pathconf(T "/pc/x", _PC_PATH_MAX), ENOTDIR);
	CHECK_ERR(pathconf("", _PC_PATH_MAX), ENOENT);
	CHECK_ERR(pathconf(T, 9999), EINVAL);
	CHECK_ERR(pathconf(T, -1), EINVAL);
	int fd = open(T "/pc", O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_ERR(fpathconf(fd, 9999), EINVAL);
	close(fd);
	CHECK_ERR(fpathconf(fd, _PC_PATH_MAX), EBADF);
	CHECK_ERR(fpathconf(-1, _PC_NAME_MAX), EBADF);
	unlink(T "/pc");
}

/* An option Keel lacks: -1 and errno as it was. */
static void t_pathconf__no_figure_is_minus_1_with_errno_unchanged(void)
{
	errno = EDOM;
	CHECK_EQ(pathconf(T, _PC_ASYNC_IO), -1);
	CHECK_EQ(errno, EDOM);
	errno = EDOM;
	CHECK_EQ(pathconf(T, _PC_REC_XFER_ALIGN), -1);
	CHECK_EQ(errno, EDOM);
}

/* ---- temporary files ------------------------------------------------------------------ */

static void t_mkstemp__makes_a_new_file(void)
{
	char a[] = T "/mkXXXXXX", b[] = T "/mkXXXXXX";
	struct stat st;

	int fa = mkstemp(a), fb = mkstemp(b);
	CHECK(fa >= 0 && fb >= 0);
	CHECK(strcmp(a, b) != 0);
	CHECK(strcmp(a + sizeof a - 7, "XXXXXX") != 0);
	REQUIRE(stat(a, &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	close(fa);
	close(fb);
	unlink(a);
	unlink(b);
}

static void t_mkdtemp__makes_a_new_private_directory(void)
{
	char a[] = T "/dtXXXXXX", bad[] = T "/dtXXXX";
	struct stat st;

	CHECK(mkdtemp(a) == a);
	REQUIRE(stat(a, &st) == 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_mode & 0777, 0700);
	errno = 0;
	CHECK(mkdtemp(bad) == NULL && errno == EINVAL);
	rmdir(a);
}

static void t_tmpfile__is_a_file_without_a_name(void)
{
	char buf[8] = { 0 };
	struct stat st;

	FILE *f = tmpfile();
	REQUIRE(f);
	CHECK(fputs("temp", f) >= 0);
	CHECK_EQ(fflush(f), 0);
	rewind(f);
	CHECK(fgets(buf, sizeof buf, f) && !strcmp(buf, "temp"));
	CHECK_EQ(fstat(fileno(f), &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	fclose(f);
}

/* ---- fcntl ----------------------------------------------------------------------- */

static void t_fcntl__F_GETFL_and_F_SETFL_go_to_the_open(void)
{
	REQUIRE(put(T "/fl", "ab") == 0);
	int fd = open(T "/fl", O_WRONLY);
	REQUIRE(fd >= 0);
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_WRONLY);
	int dup_fd = dup(fd);
	CHECK_EQ(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK), 0);
	CHECK_EQ(fcntl(dup_fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK),
		 O_WRONLY | O_APPEND | O_NONBLOCK);      /* shared by dup */
	CHECK_EQ(write(fd, "c", 1), 1);                 /* at the end now */
	CHECK_EQ(fcntl(fd, F_SETFL, O_RDWR), 0);        /* the access mode stays */
	CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND), O_WRONLY);
	close(fd);
	close(dup_fd);
	CHECK(has_text(T "/fl", "abc"));
	CHECK_ERR(fcntl(-1, F_GETFL), EBADF);
	unlink(T "/fl");
}

/* ---- malformed messages ------------------------------------------------------------- */

static void t_resmgr__malformed_file_messages_get_errors(void)
{
	struct {
		struct _io_connect c;
		char rest[16];
	} m = { .c = { .type = _IO_CONNECT, .subtype = _IO_CONNECT_RENAME, .path_len = 2,
		       .extra_type = _IO_CONNECT_EXTRA_RENAME, .extra_len = 3 } };
	struct _io_chmod ch = { .hdr = { .type = _IO_CHMOD } };

	int fd = open(T, O_RDONLY);
	REQUIRE(fd >= 0);
	memcpy(m.rest, "a\0xyz", 5);                    /* extra without its NUL */
	CHECK_EQ(MsgSend_r(fd, &m, sizeof m.c + 5, NULL, 0), -EINVAL);
	m.c.extra_len = 200;                            /* past the message */
	CHECK_EQ(MsgSend_r(fd, &m, sizeof m.c + 5, NULL, 0), -EINVAL);
	m.c.subtype = _IO_CONNECT_COMBINE_CLOSE;        /* a combine with no I/O message */
	m.c.extra_type = _IO_CONNECT_EXTRA_COMBINE;
	m.c.extra_len = 3;
	CHECK_EQ(MsgSend_r(fd, &m, sizeof m.c + 5, NULL, 0), -EINVAL);
	CHECK_EQ(MsgSend_r(fd, &ch, sizeof ch - 4, NULL, 0), -EINVAL);   /* short */
	m.c.subtype = 99;
	CHECK_EQ(MsgSend_r(fd, &m, sizeof m.c + 5, NULL, 0), -ENOSYS);
	close(fd);
	CHECK_EQ(put(T "/alive", "yes"), 0);            /* the server still serves */
	CHECK(has_text(T "/alive", "yes"));
	unlink(T "/alive");
}

/* A script on a file system (taskman loads from the boot image only): its
 * "#!" line runs the interpreter with the line's argument, the script's
 * path and the rest of argv; no execute permission is EACCES, no "#!" is
 * ENOEXEC (a shell runs such a file itself), and a script that names
 * itself as its interpreter ends with ELOOP. */
static int exec_status(const char *path)
{
	char *a[] = { (char *)path, "x", "y", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execv(path, a);
		_exit(100 + errno % 100);
	}
	int st = -1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void put_script(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	CHECK_EQ(chmod(path, mode), 0);
}

static void t_execve__a_script_on_a_file_system_runs_its_interpreter(void)
{
	char *a[] = { T "/shebang-script", NULL };

	put_script(T "/shebang-script", "#!/bin/conf-child  shebang \nignored\n", 0755);
	CHECK_EQ(exec_status(T "/shebang-script"), 0);
	CHECK_EQ(chmod(T "/shebang-script", 0644), 0);
	CHECK_ERR(execv(T "/shebang-script", a), EACCES);
	put_script(T "/plain", "echo no magic\n", 0755);
	CHECK_ERR(execv(T "/plain", a), ENOEXEC);
	put_script(T "/relative", "#!conf-child shebang\n", 0755);
	CHECK_ERR(execv(T "/relative", a), ENOEXEC);
	put_script(T "/loop", "#!" T "/loop\n", 0755);
	CHECK_EQ(exec_status(T "/loop"), 100 + ELOOP % 100);
	CHECK_ERR(execv(T "/no-such-script", a), ENOENT);
	unlink(T "/shebang-script");
	unlink(T "/plain");
	unlink(T "/relative");
	unlink(T "/loop");
}

/* posix_spawn runs such a script as exec does (POSIX posix_spawn: "as if
 * the file were executed by execve"); it was ENOENT for a script outside
 * the boot image.  A missing file stays ENOENT, no "#!" ENOEXEC. */
static void t_posix_spawn__a_script_on_a_file_system_runs_its_interpreter(void)
{
	char *a[] = { T "/shebang-script", "x", "y", NULL };
	pid_t pid = -1;
	int st = -1;

	put_script(T "/shebang-script", "#!/bin/conf-child shebang\n", 0755);
	CHECK_EQ(posix_spawn(&pid, T "/shebang-script", NULL, NULL, a, NULL), 0);
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(posix_spawn(&pid, T "/no-such-script", NULL, NULL, a, NULL), ENOENT);
	put_script(T "/plain", "echo no magic\n", 0755);
	CHECK_EQ(posix_spawn(&pid, T "/plain", NULL, NULL, a, NULL), ENOEXEC);
	unlink(T "/shebang-script");
	unlink(T "/plain");
}

static const struct conf_case cases[] = {
	CONF_CASE(open, O_CREAT_makes_an_empty_file_with_mode_less_umask),
	CONF_CASE(open, O_EXCL_on_an_existing_name_is_EEXIST),
	CONF_CASE(open, missing_name_without_O_CREAT_is_ENOENT),
	CONF_CASE(open, O_TRUNC_empties_the_file),
	CONF_CASE(open, file_as_a_directory_is_ENOTDIR),
	CONF_CASE(open, directory_for_writing_is_EISDIR),
	CONF_CASE(open, bad_path_pointer_is_EFAULT),
	CONF_CASE(write, data_reads_back_across_pages),
	CONF_CASE(write, O_APPEND_writes_at_the_end),
	CONF_CASE(pwrite, at_its_offset_leaving_the_file_offset),
	CONF_CASE(lseek, gap_past_the_end_reads_as_zeros),
	CONF_CASE(write, full_file_system_is_ENOSPC),
	CONF_CASE(pwrite, far_into_a_file_counts_its_table),
	CONF_CASE(mkdir, makes_a_directory_counted_in_its_parent),
	CONF_CASE(mkdir, existing_name_is_EEXIST),
	CONF_CASE(mkdir, missing_parent_is_ENOENT),
	CONF_CASE(rmdir, non_empty_is_ENOTEMPTY),
	CONF_CASE(rmdir, file_is_ENOTDIR_and_missing_is_ENOENT),
	CONF_CASE(rmdir, open_directory_reads_empty_until_closed),
	CONF_CASE(rmdir, mount_point_is_EBUSY),
	CONF_CASE(readdir, lists_dot_dotdot_and_each_name_once),
	CONF_CASE(readdir, names_removed_while_reading_do_not_repeat_others),
	CONF_CASE(unlink, directory_is_EPERM_and_missing_is_ENOENT),
	CONF_CASE(unlink, open_file_stays_readable_until_closed),
	CONF_CASE(link, adds_a_name_and_counts_nlink),
	CONF_CASE(link, errors),
	CONF_CASE(symlink, open_follows_absolute_and_relative_links),
	CONF_CASE(symlink, link_to_another_server_is_followed),
	CONF_CASE(symlink, dangling_link_is_ENOENT_until_O_CREAT_makes_its_target),
	CONF_CASE(symlink, existing_name_is_EEXIST_and_loop_is_ELOOP),
	CONF_CASE(readlink, returns_the_text_without_a_NUL),
	CONF_CASE(readlink, no_link_is_EINVAL_and_missing_is_ENOENT),
	CONF_CASE(lstat, reports_the_link_and_stat_its_target),
	CONF_CASE(fchdir, open_directory_until_its_name_moves),
	CONF_CASE(rename, moves_a_file_between_directories),
	CONF_CASE(rename, over_an_existing_file_replaces_it),
	CONF_CASE(rename, directory_rules),
	CONF_CASE(rename, moves_a_symbolic_link_itself),
	CONF_CASE(chmod, changes_the_permission_bits_only),
	CONF_CASE(chown, changes_owner_and_group_and_minus_one_keeps),
	CONF_CASE(lchown, changes_the_link_not_its_target),
	CONF_CASE(utimensat, sets_omits_and_nows),
	CONF_CASE(futimens, and_utime_and_utimes_set_the_times),
	CONF_CASE(stat, write_moves_mtime_and_ctime),
	CONF_CASE(truncate, shrinks_and_grows_with_zeros),
	CONF_CASE(ftruncate, needs_an_open_for_writing),
	CONF_CASE(fsync, and_fdatasync_on_a_file),
	CONF_CASE(statvfs, reports_the_limit_and_what_is_used),
	CONF_CASE(writev, the_vectors_are_written_in_order_as_one_write),
	CONF_CASE(readv, fills_each_buffer_in_turn_then_reads_0_at_the_end),
	CONF_CASE(writev, IOV_MAX_vectors_go_through_and_readv_takes_as_many),
	CONF_CASE(readv, bad_count_or_total_is_EINVAL_and_bad_fd_EBADF),
	CONF_CASE(readv, buffer_outside_the_process_is_EFAULT),
	CONF_CASE(pathconf, NAME_MAX_is_the_longest_name_the_file_system_takes),
	CONF_CASE(pathconf, path_limits_and_PIPE_BUF),
	CONF_CASE(pathconf, bad_path_fd_or_name_fail_as_stat_does),
	CONF_CASE(pathconf, no_figure_is_minus_1_with_errno_unchanged),
	CONF_CASE(mkstemp, makes_a_new_file),
	CONF_CASE(mkdtemp, makes_a_new_private_directory),
	CONF_CASE(tmpfile, is_a_file_without_a_name),
	CONF_CASE(fcntl, F_GETFL_and_F_SETFL_go_to_the_open),
	CONF_CASE(resmgr, malformed_file_messages_get_errors),
	CONF_CASE(execve, a_script_on_a_file_system_runs_its_interpreter),
	CONF_CASE(posix_spawn, a_script_on_a_file_system_runs_its_interpreter),
};

int main(void)
{
	char *a[] = { "/sbin/tmpfs", T, NULL }, *b[] = { "/sbin/tmpfs", "-s", "64k", T2, NULL };
	pid_t s1 = conf_start_server(a, T), s2 = conf_start_server(b, T2);

	if (s1 < 0 || s2 < 0) {
		conf_line("conf-files: cannot start /sbin/tmpfs");
		return 2;
	}
	int r = conf_run("conf-files", cases, sizeof cases / sizeof cases[0]);
	kill(s1, SIGKILL);
	kill(s2, SIGKILL);
	waitpid(s1, NULL, 0);
	waitpid(s2, NULL, 0);
	return r ? 1 : 0;
}
