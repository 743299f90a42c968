/* conf-fskeel DIR: the file calls that a shell cannot make, over an fs-keel
 * volume mounted on DIR (tests/test_fs.py mounts one and runs this from the
 * shell): fsync and fdatasync, ftruncate with holes, the open flags, lseek
 * past the end, fstat's fields against statvfs, the errors of the name
 * calls that the core decides, files open while their names go, and
 * clients at once.  KTAP, one case per line; the cases work in DIR/conf
 * and remove what they made. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>
#include <conf.h>

static char base[512];

/* base/name into a static buffer (one at a time per call site). */
static const char *at(const char *name, char *buf)
{
	snprintf(buf, 600, "%s/%s", base, name);
	return buf;
}

static void t_fsync__data_and_metadata_return_0(void)
{
	char p[600];
	int fd = open(at("synced", p), O_RDWR | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "durable\n", 8), 8);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(fdatasync(fd), 0);
	CHECK_EQ(close(fd), 0);
	CHECK_ERR(fsync(fd), EBADF);
}

static void t_ftruncate__shrinks_then_grows_with_zeros(void)
{
	char p[600], buf[8192];
	struct stat st;
	int fd = open(at("trunc", p), O_RDWR | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "0123456789", 10), 10);
	CHECK_EQ(ftruncate(fd, 4), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 4);
	CHECK_EQ(ftruncate(fd, 3 * 4096), 0);
	CHECK_EQ(pread(fd, buf, sizeof buf, 0), (long)sizeof buf);
	CHECK(!memcmp(buf, "0123", 4));
	bool zero = true;
	for (size_t i = 4; i < sizeof buf; i++)
		zero &= buf[i] == 0;
	CHECK(zero);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 3 * 4096);
	CHECK(st.st_blocks <= 8);               /* the grown part is a hole */
	CHECK_ERR(ftruncate(fd, -1), EINVAL);
	close(fd);
	fd = open(p, O_RDONLY);
	CHECK_ERR(ftruncate(fd, 0), EBADF);
	close(fd);
}

static void t_open__flags_follow_posix(void)
{
	char p[600], l[600], d[600];
	int fd = open(at("flags", p), O_WRONLY | O_CREAT | O_EXCL, 0600);
	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "ab", 2), 2);
	close(fd);
	CHECK_ERR(open(p, O_WRONLY | O_CREAT | O_EXCL, 0600), EEXIST);
	CHECK_ERR(open(p, O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_EQ(symlink("flags", at("flags.lnk", l)), 0);
	CHECK_ERR(open(l, O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_EQ(mkdir(at("flags.dir", d), 0755), 0);
	CHECK_ERR(open(d, O_WRONLY), EISDIR);
	fd = open(l, O_WRONLY | O_APPEND);          /* through the link */
	REQUIRE(fd >= 0);
	CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
	CHECK_EQ(write(fd, "cd", 2), 2);            /* O_APPEND: at the end all the same */
	close(fd);
	char buf[8] = { 0 };
	fd = open(p, O_RDONLY);
	CHECK_EQ(read(fd, buf, sizeof buf), 4);
	CHECK(!strcmp(buf, "abcd"));
	CHECK_ERR(write(fd, "x", 1), EBADF);
	close(fd);
	CHECK_EQ(unlink(l), 0);
	CHECK_EQ(rmdir(d), 0);
}

static void t_lseek__past_the_end_leaves_a_hole(void)
{
	char p[600], buf[4] = { 1, 1, 1, 1 };
	int fd = open(at("hole", p), O_RDWR | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0);
	CHECK_EQ(lseek(fd, 100000, SEEK_SET), 100000);
	CHECK_EQ(write(fd, "z", 1), 1);
	CHECK_EQ(lseek(fd, 0, SEEK_END), 100001);
	CHECK_EQ(pread(fd, buf, 4, 50000), 4);
	CHECK(!buf[0] && !buf[1] && !buf[2] && !buf[3]);
	CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
	close(fd);
}

static void t_fstat__fields_match_stat_and_statvfs(void)
{
	char p[600], h[600];
	struct stat a, b;
	struct statvfs sv;
	int fd = open(at("synced", p), O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK_EQ(fstat(fd, &a), 0);
	CHECK_EQ(stat(p, &b), 0);
	CHECK_EQ(a.st_ino, b.st_ino);
	CHECK_EQ(a.st_dev, b.st_dev);
	CHECK_EQ(a.st_mode, S_IFREG | 0644);
	CHECK_EQ(a.st_nlink, 1);
	CHECK_EQ(a.st_size, 8);
	CHECK_EQ(a.st_uid, geteuid());
	CHECK(a.st_blocks >= 1);
	CHECK_EQ(fstatvfs(fd, &sv), 0);
	CHECK_EQ(sv.f_fsid, (unsigned long)a.st_dev);
	CHECK_EQ(sv.f_namemax, 58);
	CHECK_EQ(link(p, at("synced.2", h)), 0);
	CHECK_EQ(fstat(fd, &a), 0);
	CHECK_EQ(a.st_nlink, 2);
	CHECK_EQ(unlink(h), 0);
	close(fd);
}

static void t_names__the_core_rules_reach_the_caller(void)
{
	char d[600], f[600], x[600], in[600], longname[80];
	CHECK_EQ(mkdir(at("full", d), 0755), 0);
	CHECK_EQ(close(open(at("full/f", f), O_WRONLY | O_CREAT, 0644)), 0);
	CHECK_EQ(mkdir(at("empty", x), 0755), 0);
	CHECK_ERR(rmdir(d), ENOTEMPTY);
	CHECK_ERR(rename(x, d), ENOTEMPTY);
	CHECK_ERR(unlink(d), EPERM);
	CHECK_ERR(rename(d, at("full/in", in)), EINVAL);
	memset(longname, 'n', 59);
	longname[59] = 0;
	CHECK_ERR(mkdir(at(longname, x), 0755), ENAMETOOLONG);
	CHECK_EQ(unlink(f), 0);
	CHECK_EQ(rmdir(d), 0);
	CHECK_EQ(rmdir(at("empty", x)), 0);
}

/* A file open while its last name goes stays readable and writable, with
 * nlink 0, until its last close frees its inode and block (the volume's
 * free counts say so); a second open of it keeps it past the first close. */
static void t_unlink__open_file_stays_readable_until_closed(void)
{
	char p[600], buf[16] = { 0 };
	struct stat st;
	struct statvfs v0, v1, v2;
	int fd = open(at("keep", p), O_RDWR | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "still here", 10), 10);
	int fd2 = open(p, O_RDONLY);
	REQUIRE(fd2 >= 0);
	CHECK_EQ(unlink(p), 0);
	CHECK_ERR(stat(p, &st), ENOENT);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_nlink, 0);
	CHECK_EQ(pread(fd, buf, sizeof buf - 1, 0), 10);
	CHECK(!strcmp(buf, "still here"));
	CHECK_EQ(pwrite(fd, "STILL", 5, 0), 5);
	REQUIRE(statvfs(base, &v0) == 0);
	CHECK_EQ(close(fd), 0);
	REQUIRE(statvfs(base, &v1) == 0);
	CHECK_EQ(v1.f_ffree, v0.f_ffree);       /* fd2 still has it */
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(fd2, buf, sizeof buf - 1), 10);
	CHECK(!strcmp(buf, "STILL here"));
	CHECK_EQ(close(fd2), 0);
	REQUIRE(statvfs(base, &v2) == 0);
	CHECK_EQ(v2.f_ffree, v0.f_ffree + 1);   /* the inode went with the last close */
	CHECK_EQ(v2.f_bfree, v0.f_bfree + 1);   /* and its one block */
}

/* A rename over an open file: the replaced file stays readable through
 * its open until it closes. */
static void t_rename__replaced_open_file_stays_readable(void)
{
	char p[600], q[600], buf[16] = { 0 };
	int fd = open(at("old", p), O_RDWR | O_CREAT | O_TRUNC, 0644);
	int nf = open(at("new", q), O_WRONLY | O_CREAT | O_TRUNC, 0644);

	REQUIRE(fd >= 0 && nf >= 0);
	CHECK_EQ(write(fd, "old", 3), 3);
	CHECK_EQ(write(nf, "new", 3), 3);
	CHECK_EQ(close(nf), 0);
	CHECK_EQ(rename(q, p), 0);
	CHECK_EQ(pread(fd, buf, sizeof buf - 1, 0), 3);
	CHECK(!strcmp(buf, "old"));
	CHECK_EQ(close(fd), 0);
	fd = open(p, O_RDONLY);
	REQUIRE(fd >= 0);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(read(fd, buf, sizeof buf - 1), 3);
	CHECK(!strcmp(buf, "new"));
	CHECK_EQ(close(fd), 0);
	CHECK_EQ(unlink(p), 0);
}

/* rmdir (POSIX.1-2017 rmdir): a directory open when its last link goes
 * loses its entries ("." and ".." too), takes no new ones and lives until
 * its last close.  Its stream reads to the end at once (no error), fstat
 * shows no links, a name made through it is ENOENT (openat on its
 * descriptor, or a path through where it was), its block goes with the
 * name and its inode with the close. */
static void t_rmdir__open_directory_reads_empty_until_closed(void)
{
	char p[600], q[600];
	struct stat st;
	struct statvfs v0, v1, v2;

	REQUIRE(mkdir(at("gone", p), 0755) == 0);
	DIR *d = opendir(p);
	REQUIRE(d != NULL);
	int dfd = dirfd(d);
	REQUIRE(statvfs(base, &v0) == 0);
	CHECK_EQ(rmdir(p), 0);
	CHECK_ERR(stat(p, &st), ENOENT);
	CHECK_EQ(fstat(dfd, &st), 0);
	CHECK(S_ISDIR(st.st_mode));
	CHECK_EQ(st.st_nlink, 0);
	errno = 0;
	CHECK(readdir(d) == NULL);
	CHECK_EQ(errno, 0);                     /* the end, not an error */
	CHECK_ERR(openat(dfd, "new", O_WRONLY | O_CREAT, 0644), ENOENT);
	CHECK_ERR(mkdir(at("gone/sub", q), 0755), ENOENT);
	REQUIRE(statvfs(base, &v1) == 0);
	CHECK_EQ(v1.f_bfree, v0.f_bfree + 1);   /* its entries' block went with the name */
	CHECK_EQ(v1.f_ffree, v0.f_ffree);       /* the inode stays while open */
	CHECK_EQ(closedir(d), 0);
	REQUIRE(statvfs(base, &v2) == 0);
	CHECK_EQ(v2.f_ffree, v0.f_ffree + 1);   /* and goes with the close */
	CHECK_EQ(v2.f_bfree, v1.f_bfree);
}

/* Clients at once (the server serves FSD_THREADS at a time, under its
 * per-inode locks): each child has a file of its own it rewrites and reads
 * back, its slots of one file they all write (same inode and blocks, no
 * byte in common), and names it makes and removes in one directory they
 * share, while another child lists that directory.  Each child checks
 * every byte it reads; the parent checks the common file whole after. */
#define PAR_KIDS   4
#define PAR_ROUNDS 60
#define PAR_SLOT   700
#define PAR_STRIDE 5000

static uint8_t par_byte(int kid, int round, size_t i)
{
	return (uint8_t)(kid * 73 + round * 31 + i * 7 + (i >> 8));
}

static int par_kid(int kid)
{
	char p[600], q[600], name[32];
	uint8_t buf[PAR_SLOT * 4], want[PAR_SLOT * 4];
	int own, common;

	snprintf(name, sizeof name, "par/own%d", kid);
	own = open(at(name, p), O_RDWR | O_CREAT | O_TRUNC, 0644);
	common = open(at("par/common", q), O_RDWR);
	if (own < 0 || common < 0)
		return 10;
	for (int r = 0; r < PAR_ROUNDS; r++) {
		size_t len = sizeof want - (size_t)(r % 7) * 100;
		for (size_t i = 0; i < len; i++)
			want[i] = par_byte(kid, r, i);
		if (pwrite(own, want, len, 0) != (ssize_t)len || ftruncate(own, (off_t)len))
			return 11;
		if (pread(own, buf, sizeof buf, 0) != (ssize_t)len || memcmp(buf, want, len))
			return 12;
		off_t slot = (off_t)(r * PAR_KIDS + kid) * PAR_STRIDE;
		if (pwrite(common, want, PAR_SLOT, slot) != PAR_SLOT)
			return 13;
		if (pread(common, buf, PAR_SLOT, slot) != PAR_SLOT || memcmp(buf, want, PAR_SLOT))
			return 14;
		snprintf(name, sizeof name, "par/names/k%d.%d", kid, r);
		int fd = open(at(name, p), O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0 || close(fd) || unlink(p))
			return 15;
	}
	return close(own) || close(common) ? 16 : 0;
}

static int par_lister(void)
{
	char p[600];
	int seen = 0;

	for (int r = 0; r < 4 * PAR_ROUNDS; r++) {
		DIR *d = opendir(at("par/names", p));
		if (!d)
			return 20;
		struct dirent *e;
		while ((e = readdir(d)))
			seen++;
		closedir(d);
	}
	return seen >= 2 * 4 * PAR_ROUNDS ? 0 : 21;     /* "." and ".." each time */
}

static void t_parallel__clients_each_read_back_their_bytes(void)
{
	char p[600];
	pid_t kids[PAR_KIDS + 1];

	REQUIRE(mkdir(at("par", p), 0755) == 0);
	REQUIRE(mkdir(at("par/names", p), 0755) == 0);
	int fd = open(at("par/common", p), O_RDWR | O_CREAT | O_TRUNC, 0644);
	REQUIRE(fd >= 0);
	for (int k = 0; k <= PAR_KIDS; k++) {
		kids[k] = fork();
		if (kids[k] == 0)
			_exit(k < PAR_KIDS ? par_kid(k) : par_lister());
		REQUIRE(kids[k] > 0);
	}
	for (int k = 0; k <= PAR_KIDS; k++) {
		int st = -1;
		CHECK_EQ(waitpid(kids[k], &st, 0), kids[k]);
		CHECK_EQ(st, 0);                /* the child's own check (its code) */
	}
	uint8_t buf[PAR_SLOT];
	for (int r = 0; r < PAR_ROUNDS; r++)
		for (int k = 0; k < PAR_KIDS; k++) {
			off_t slot = (off_t)(r * PAR_KIDS + k) * PAR_STRIDE;
			CHECK_EQ(pread(fd, buf, PAR_SLOT, slot), PAR_SLOT);
			for (size_t i = 0; i < PAR_SLOT; i++)
				if (buf[i] != par_byte(k, r, i)) {
					printf("# round %d, child %d's slot at %lld: byte %zu\n", r, k,
					       (long long)slot, i);
					CHECK_EQ(buf[i], par_byte(k, r, i));
					break;
				}
		}
	CHECK_EQ(close(fd), 0);
	for (int k = 0; k < PAR_KIDS; k++) {
		char name[32];
		snprintf(name, sizeof name, "par/own%d", k);
		CHECK_EQ(unlink(at(name, p)), 0);
	}
	CHECK_EQ(unlink(at("par/common", p)), 0);
	CHECK_EQ(rmdir(at("par/names", p)), 0);
	CHECK_EQ(rmdir(at("par", p)), 0);
}

static void t_cleanup__removes_what_the_cases_made(void)
{
	static const char *const names[] = { "synced", "trunc", "flags", "hole" };
	char p[600];
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		CHECK_EQ(unlink(at(names[i], p)), 0);
	CHECK_EQ(rmdir(base), 0);
}

static const struct conf_case cases[] = {
	CONF_CASE(fsync, data_and_metadata_return_0),
	CONF_CASE(ftruncate, shrinks_then_grows_with_zeros),
	CONF_CASE(open, flags_follow_posix),
	CONF_CASE(lseek, past_the_end_leaves_a_hole),
	CONF_CASE(fstat, fields_match_stat_and_statvfs),
	CONF_CASE(names, the_core_rules_reach_the_caller),
	CONF_CASE(unlink, open_file_stays_readable_until_closed),
	CONF_CASE(rename, replaced_open_file_stays_readable),
	CONF_CASE(rmdir, open_directory_reads_empty_until_closed),
	CONF_CASE(parallel, clients_each_read_back_their_bytes),
	CONF_CASE(cleanup, removes_what_the_cases_made),
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: conf-fskeel DIR (an fs-keel mount)\n");
		return 2;
	}
	snprintf(base, sizeof base, "%s/conf", argv[1]);
	if (mkdir(base, 0755)) {
		fprintf(stderr, "conf-fskeel: %s: %s\n", base, strerror(errno));
		return 2;
	}
	return conf_run("conf-fskeel", cases, sizeof cases / sizeof *cases) ? 1 : 0;
}
