/* mount: mounts a volume on a directory by starting its file system server.
 *
 *   mount [-r] [-t keel] DEVICE DIR
 *   mount                    lists what is mounted (as "DEVICE on DIR type T (rw|ro)")
 *
 * DEVICE is a block device or a file holding a volume.  mount spawns
 * /sbin/fs-keel DEVICE DIR in a process group of its own (a server outlives
 * the mount command and its session; when mount exits, init becomes its
 * parent) with its stderr on a pipe, then waits until DIR is served by it
 * (statvfs on DIR names the server: f_fsid is the serving process) or it
 * exits: then mount prints what the server said (its one-line reason, e.g.
 * why a corrupt volume was refused) and fails.  Exit status 0, or 1. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "mounted.h"

#define SERVER      "/sbin/fs-keel"
#define WAIT_MS     20000               /* how long a server may take to serve */
#define POLL_MS     20

extern char **environ;

static int usage(void)
{
	fprintf(stderr, "usage: mount [-r] [-t keel] DEVICE DIR\n       mount\n");
	return 1;
}

/* path made absolute against the working directory (lexically: the server
 * and the mount table name it so). */
static char *absolute(const char *path)
{
	char cwd[1024];

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof cwd))
		return NULL;
	size_t n = strlen(cwd) + strlen(path) + 2;
	char *out = malloc(n);
	if (out)
		snprintf(out, n, "%s%s%s", cwd, strcmp(cwd, "/") ? "/" : "", path);
	return out;
}

static int list(void)
{
	struct fsys_mount m;
	int cursor = 0;

	while (fsys_mount_next(&cursor, &m))
		printf("%s on %s type %s (%s)\n", m.device, m.mountpoint, m.type,
		       m.rdonly ? "ro" : "rw");
	return 0;
}

/* Copies what the server wrote to stderr (its reason) to ours. */
static void pass_on(int fd)
{
	char buf[256];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		fwrite(buf, 1, (size_t)n, stderr);
}

static pid_t start_server(char *const argv[], int errfd[2])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	pid_t pid;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, errfd[1], 2);
	posix_spawn_file_actions_addclose(&fa, errfd[0]);
	posix_spawn_file_actions_addclose(&fa, errfd[1]);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&sa, 0);
	int r = posix_spawn(&pid, argv[0], &fa, &sa, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	if (r) {
		fprintf(stderr, "mount: cannot start %s: %s\n", argv[0], strerror(r));
		return -1;
	}
	return pid;
}

/* Waits until pid serves dir (0) or ends (1, its reason passed on). */
static int wait_served(pid_t pid, const char *dir, int errfd)
{
	struct timespec gap = { 0, POLL_MS * 1000000L };
	struct statvfs sv;
	int status;

	for (int waited = 0; waited < WAIT_MS; waited += POLL_MS) {
		if (statvfs(dir, &sv) == 0 && sv.f_fsid == (unsigned long)pid)
			return 0;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			pass_on(errfd);
			if (WIFEXITED(status))
				fprintf(stderr, "mount: %s exited with status %d\n", SERVER,
					WEXITSTATUS(status));
			else
				fprintf(stderr, "mount: %s ended by signal %d\n", SERVER,
					WIFSIGNALED(status) ? WTERMSIG(status) : 0);
			return 1;
		}
		nanosleep(&gap, NULL);
	}
	fprintf(stderr, "mount: %s (pid %d) did not serve %s within %d s\n", SERVER, (int)pid,
		dir, WAIT_MS / 1000);
	return 1;
}

int main(int argc, char **argv)
{
	bool rdonly = false;
	struct stat st;
	int opt, errfd[2];

	while ((opt = getopt(argc, argv, "rt:")) != -1) {
		if (opt == 'r')
			rdonly = true;
		else if (opt == 't' && strcmp(optarg, "keel")) {
			fprintf(stderr, "mount: unknown file system type '%s' (keel only)\n", optarg);
			return 1;
		} else if (opt != 't')
			return usage();
	}
	if (argc == optind)
		return list();
	if (argc - optind != 2)
		return usage();
	char *dev = absolute(argv[optind]), *dir = absolute(argv[optind + 1]);
	if (!dev || !dir) {
		fprintf(stderr, "mount: %s\n", strerror(errno));
		return 1;
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "mount: %s: %s\n", dir, strerror(stat(dir, &st) ? errno : ENOTDIR));
		return 1;
	}
	if (pipe(errfd)) {
		fprintf(stderr, "mount: pipe: %s\n", strerror(errno));
		return 1;
	}
	char *args[] = { SERVER, rdonly ? "-r" : dev, rdonly ? dev : dir, rdonly ? dir : NULL,
			 NULL };
	pid_t pid = start_server(args, errfd);
	close(errfd[1]);
	int r = pid < 0 ? 1 : wait_served(pid, dir, errfd[0]);
	close(errfd[0]);
	return r;
}
