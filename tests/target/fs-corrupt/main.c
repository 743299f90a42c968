/* fs-corrupt: the fs-keel server against corrupted volumes.
 *
 *   fs-corrupt SEED COUNT [DIR]
 *
 * In DIR (default /tmp) it makes a small volume with mkfs-keel, mounts it
 * and fills it (directories, files past the direct and into the indirect
 * blocks, hard and symbolic links), unmounts it, and then COUNT times:
 * copies it, corrupts the copy (1 to 8 random bytes or words in the
 * metadata: superblock, bitmaps, inode table, the first data blocks where
 * the directories and indirect blocks are; in half of the images the
 * superblock checksum is made right again, so the damage gets past the
 * first check), and starts /sbin/fs-keel -r on it.  The server must either
 * refuse it (exit status 1 with a one-line reason on stderr) or serve it;
 * a served volume is walked whole (every name stat'ed, every file read to
 * its end, every link read; errors are fine) and the server must still
 * answer afterwards and end cleanly on SIGTERM.  A server that dies by a
 * signal, exits otherwise, hangs (10 s) or stops answering is a failure,
 * said with the image's number and the seed.
 *
 * The last line: "fs-corrupt: COUNT images: R refused, M mounted and
 * walked (E errors seen), F failures"; exit status 0 only with no failure. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "crc.h"
#include "fskeel.h"

#define IMG_SIZE   (512u * 1024)
#define META_SPAN  (64u * 1024)         /* where the metadata lies in a small volume */
#define WAIT_MS    10000
#define POLL_MS    5

static char base[256], img[256], mnt[256];
static uint64_t rng;
static unsigned errors_seen;

static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Runs argv to its end: its wait status, or -1. */
static int run(char *const argv[])
{
	pid_t pid;
	int st;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL))
		return -1;
	while (waitpid(pid, &st, 0) != pid)
		if (errno != EINTR)
			return -1;
	return st;
}

/* Starts fs-keel -r on path at mnt, its stderr into errfd's pipe. */
static pid_t start_server(const char *path, bool rdonly, int errfd)
{
	char *argv[] = { "/sbin/fs-keel", rdonly ? "-r" : (char *)path, rdonly ? (char *)path : mnt,
			 rdonly ? mnt : NULL, NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	int r = posix_spawn(&pid, argv[0], &fa, NULL, argv, NULL);
	posix_spawn_file_actions_destroy(&fa);
	return r ? -1 : pid;
}

/* Waits until pid serves mnt (1), or ends (0, *st set), or the time is up (-1). */
static int wait_served(pid_t pid, int *st)
{
	struct statvfs sv;

	for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		if (statvfs(mnt, &sv) == 0 && sv.f_fsid == (unsigned long)pid)
			return 1;
		if (waitpid(pid, st, WNOHANG) == pid)
			return 0;
		sleep_ms(POLL_MS);
	}
	return -1;
}

/* Waits for pid's end after SIGTERM: its status, or -1 after 10 s. */
static int stop_server(pid_t pid)
{
	int st;

	kill(pid, SIGTERM);
	for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		sleep_ms(POLL_MS);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return -1;
}

/* Reads what the server said on stderr (one line expected). */
static void drain(int fd, char *buf, size_t len)
{
	ssize_t n = read(fd, buf, len - 1);

	buf[n > 0 ? n : 0] = 0;
	char *nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
}

/* Visits everything under dir: stat, read, readlink; errors only counted. */
static void walk(const char *dir, int depth)
{
	static char buf[4096];
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d) {
		errors_seen++;
		return;
	}
	while ((e = readdir(d))) {
		char path[512];
		struct stat st;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (lstat(path, &st)) {
			errors_seen++;
			continue;
		}
		if (S_ISDIR(st.st_mode) && depth < 8) {
			walk(path, depth + 1);
		} else if (S_ISLNK(st.st_mode)) {
			if (readlink(path, buf, sizeof buf) < 0)
				errors_seen++;
		} else if (S_ISREG(st.st_mode)) {
			int fd = open(path, O_RDONLY);
			ssize_t n = 0;
			if (fd < 0) {
				errors_seen++;
				continue;
			}
			for (int k = 0; k < 64 && (n = read(fd, buf, sizeof buf)) > 0; k++)
				;
			if (n < 0)
				errors_seen++;
			close(fd);
		}
	}
	closedir(d);
}

static int put(const char *path, unsigned lines)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	for (unsigned i = 0; i < lines; i++)
		fprintf(f, "%u\n", i);
	return fclose(f);
}

/* The volume every image starts from. */
static int make_base(void)
{
	char *mkfs[] = { "/bin/mkfs-keel", "-b", "1024", base, "512K", NULL };
	char p[512];
	int pipefd[2], st;

	if (run(mkfs) != 0 || pipe(pipefd)) {
		printf("fs-corrupt: cannot make %s\n", base);
		return -1;
	}
	pid_t pid = start_server(base, false, pipefd[1]);
	if (pid < 0 || wait_served(pid, &st) != 1) {
		printf("fs-corrupt: cannot mount %s\n", base);
		return -1;
	}
	/* The first step that fails is named with its errno: a base that cannot
	 * be made is a failure of the system under test, not of the images. */
	const char *step = NULL;
	int err = 0;
#define FILL(what, call) do { \
		if (!step && (call)) { step = (what); err = errno; } \
	} while (0)
	snprintf(p, sizeof p, "%s/d", mnt);
	FILL("mkdir d", mkdir(p, 0755));
	snprintf(p, sizeof p, "%s/d/e", mnt);
	FILL("mkdir d/e", mkdir(p, 0700));
	snprintf(p, sizeof p, "%s/d/small", mnt);
	FILL("write d/small", put(p, 10));
	snprintf(p, sizeof p, "%s/d/e/big", mnt);
	FILL("write d/e/big", put(p, 6000));    /* 29 KiB: indirect blocks at 1 KiB */
	char t[512];
	snprintf(t, sizeof t, "%s/hard", mnt);
	FILL("link hard", link(p, t));
	snprintf(t, sizeof t, "%s/short", mnt);
	FILL("symlink short", symlink("d/small", t));
	snprintf(t, sizeof t, "%s/long", mnt);
	FILL("symlink long",
	     symlink("d/e/../e/../e/../e/../e/../e/../e/../e/../e/../e/../e/../e/../e/big", t));
	for (unsigned i = 0; i < 40 && !step; i++) {    /* a directory past one block */
		snprintf(p, sizeof p, "%s/d/n%02u", mnt, i);
		FILL("write d/nNN", put(p, i));
	}
#undef FILL
	st = stop_server(pid);
	if (step || st != 0) {
		char why[256] = "";
		close(pipefd[1]);
		if (st != -1)
			drain(pipefd[0], why, sizeof why);
		printf("fs-corrupt: cannot fill %s: %s%s%s; the server %s (status %#x)%s%s\n",
		       base, step ? step : "every step done",
		       step ? ": " : "", step ? strerror(err) : "",
		       st == -1 ? "did not end within 10 s of SIGTERM" :
		       st == 0 ? "ended cleanly" : "ended", (unsigned)st,
		       why[0] ? ", said: " : "", why);
		return -1;
	}
	close(pipefd[0]);
	close(pipefd[1]);
	return 0;
}

static int copy(const char *from, const char *to)
{
	static char buf[8192];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n = 0;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out))
		n = -1;
	return in < 0 || out < 0 || n < 0 ? -1 : 0;
}

/* 1..8 random changes in the metadata; in half the images the superblock's
 * checksum is made right again. */
static int corrupt(const char *path)
{
	static uint8_t m[META_SPAN];
	int fd = open(path, O_RDWR);

	if (fd < 0 || pread(fd, m, sizeof m, 0) != (ssize_t)sizeof m)
		return -1;
	unsigned n = 1 + rnd() % 8;
	for (unsigned i = 0; i < n; i++) {
		uint32_t at = rnd() % (rnd() % 4 == 0 ? FSK_SUPER_SIZE : META_SPAN);
		switch (rnd() % 4) {
		case 0: m[at] ^= (uint8_t)(1u << (rnd() % 8)); break;           /* a bit */
		case 1: m[at] = (uint8_t)rnd(); break;                          /* a byte */
		case 2: if (at + 4 <= sizeof m) memset(m + at, 0xff, 4); break; /* a word of ones */
		default: if (at + 4 <= sizeof m) memset(m + at, 0, 4); break;   /* a word of zeros */
		}
	}
	if (rnd() % 2) {
		struct fsk_super *sb = (struct fsk_super *)m;
		sb->crc = crc32c(0, sb, offsetof(struct fsk_super, crc));
	}
	int r = pwrite(fd, m, sizeof m, 0) == (ssize_t)sizeof m ? 0 : -1;
	return close(fd) || r ? -1 : 0;
}

int main(int argc, char **argv)
{
	unsigned refused = 0, mounted = 0, failures = 0;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: fs-corrupt SEED COUNT [DIR]\n");
		return 2;
	}
	unsigned long seed = strtoul(argv[1], NULL, 10);
	unsigned count = (unsigned)strtoul(argv[2], NULL, 10);
	const char *dir = argc == 4 ? argv[3] : "/tmp";
	rng = seed * 2654435761u + 1;
	snprintf(base, sizeof base, "%s/corrupt-base.img", dir);
	snprintf(img, sizeof img, "%s/corrupt.img", dir);
	snprintf(mnt, sizeof mnt, "%s/corrupt-mnt", dir);
	if (mkdir(mnt, 0755) && errno != EEXIST) {
		printf("fs-corrupt: cannot make %s: %s\n", mnt, strerror(errno));
		return 1;
	}
	if (make_base())
		return 1;
	for (unsigned i = 0; i < count; i++) {
		char why[256];
		int pipefd[2], st = 0;
		if (copy(base, img) || corrupt(img) || pipe(pipefd)) {
			printf("fs-corrupt: image %u: cannot make it: %s\n", i, strerror(errno));
			return 1;
		}
		pid_t pid = start_server(img, true, pipefd[1]);
		close(pipefd[1]);
		int served = pid < 0 ? -2 : wait_served(pid, &st);
		if (served == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 1) {
			drain(pipefd[0], why, sizeof why);
			if (!why[0]) {
				printf("fs-corrupt: image %u (seed %lu): refused without a reason\n", i, seed);
				failures++;
			}
			refused++;
		} else if (served == 1) {
			walk(mnt, 0);
			struct statvfs sv;
			if (kill(pid, 0) || statvfs(mnt, &sv) || sv.f_fsid != (unsigned long)pid) {
				printf("fs-corrupt: image %u (seed %lu): the server stopped answering "
				       "after the walk\n", i, seed);
				failures++;
			}
			st = stop_server(pid);
			if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				printf("fs-corrupt: image %u (seed %lu): the server did not end cleanly "
				       "(status %#x)\n", i, seed, st);
				failures++;
			}
			mounted++;
		} else {
			if (served == -1)
				stop_server(pid);
			printf("fs-corrupt: image %u (seed %lu): the server %s (status %#x)\n", i, seed,
			       served == -1 ? "neither served nor ended in 10 s" :
			       served == -2 ? "could not start" : "ended badly", st);
			failures++;
		}
		close(pipefd[0]);
	}
	unlink(img);
	unlink(base);
	printf("fs-corrupt: %u images: %u refused, %u mounted and walked (%u errors seen), "
	       "%u failures\n", count, refused, mounted, errors_seen, failures);
	return failures ? 1 : 0;
}
