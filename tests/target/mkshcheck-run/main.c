/* mkshcheck-run: the on-target half of the farm's runner for mksh's own
 * regression suite (farm/keelfarm/mkshcheck.py).  The host types each
 * test's files into the shell; this program does what the suite's harness
 * does around the shell under test, which mksh's builtins cannot (Keel has
 * no mkdir, rm, chmod, ln or env commands yet):
 *   fresh DIR                 remove DIR's tree if it exists, then mkdir DIR and
 *                             DIR/rtd (the test's working directory), 0700
 *   mkdir MODE PATH           mkdir with an octal mode
 *   chmod MODE PATH           chmod with an octal mode
 *   symlink UMASK TARGET PATH symlink under that octal umask
 *   run TAG DIR LIMIT IN OUT ERR [NAME=VALUE...] -- PROG ARG...
 *       runs PROG in DIR with exactly the NAME=VALUE environment, stdin from
 *       IN, stdout to OUT and stderr to ERR (paths relative to the caller's
 *       directory), SIGKILLed after LIMIT seconds (0: no limit); then prints
 *       the result framed so that the host can check it survived the
 *       console whole:
 *         =MC:BEGIN:TAG=
 *         =MC:STATUS:W:TIMEDOUT=    W in the traditional encoding
 *                                   (exit code << 8, or the signal number)
 *         =MC:O:hex= ...            stdout, 48 bytes per line
 *         =MC:E:hex= ...            stderr
 *         =MC:END:TAG:OUTLEN:ERRLEN=
 * Exit status: 0 when the run or operation happened (whatever the test's own
 * status), 2 for bad arguments, 1 when an operation failed (with a message). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEX_PER_LINE 48

static volatile sig_atomic_t timed_out;
static volatile pid_t child;

static int fail(const char *what, const char *path)
{
	fprintf(stderr, "mkshcheck-run: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

static mode_t octal(const char *s)
{
	return (mode_t)strtoul(s, NULL, 8);
}

/* Removes path and everything below it (without following symlinks);
 * returns 0 or -1 with errno set. */
static int remove_tree(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t n = strlen(path) + strlen(e->d_name) + 2;
		char *sub = malloc(n);
		if (!sub) {
			errno = ENOMEM;
			r = -1;
			break;
		}
		snprintf(sub, n, "%s/%s", path, e->d_name);
		r = remove_tree(sub);
		free(sub);
	}
	closedir(d);
	return r < 0 ? r : rmdir(path);
}

static int cmd_fresh(const char *dir)
{
	if (remove_tree(dir) < 0 && errno != ENOENT)
		return fail("cannot remove", dir);
	if (mkdir(dir, 0700) < 0)
		return fail("cannot mkdir", dir);
	char work[256];
	snprintf(work, sizeof work, "%s/rtd", dir);
	if (mkdir(work, 0700) < 0)
		return fail("cannot mkdir", work);
	return 0;
}

/* Prints the file at path in hex lines tagged with kind; returns its
 * length, or -1 if it cannot be read. */
static long dump(const char *path, char kind)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	unsigned char buf[HEX_PER_LINE];
	long total = 0;
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		char line[2 * HEX_PER_LINE + 16];
		int at = snprintf(line, sizeof line, "=MC:%c:", kind);
		for (ssize_t i = 0; i < n; i++)
			at += snprintf(line + at, sizeof line - at, "%02x", buf[i]);
		snprintf(line + at, sizeof line - at, "=\n");
		fputs(line, stdout);
		total += n;
	}
	close(fd);
	return n < 0 ? -1 : total;
}

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
	if (child > 0)
		kill(child, SIGKILL);
}

/* The traditional wait status (what the suite's expected-exit expressions
 * decode) from this system's. */
static int traditional(int status)
{
	if (WIFEXITED(status))
		return (WEXITSTATUS(status) & 0xff) << 8;
	if (WIFSIGNALED(status))
		return (WTERMSIG(status) & 0x7f) | (WCOREDUMP(status) ? 0x80 : 0);
	return 0x7f;
}

/* The child: its directory, descriptors and environment, then the shell. */
static void start(const char *dir, const char *in, const char *out, const char *err,
		  char **env, char **argv)
{
	int i = open(in, O_RDONLY), o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (i < 0 || o < 0 || e < 0 || dup2(i, 0) < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
		_exit(125);
	if (i > 2)
		close(i);
	if (o > 2)
		close(o);
	if (e > 2)
		close(e);
	if (chdir(dir) < 0)
		_exit(126);
	signal(SIGALRM, SIG_DFL);
	execve(argv[0], argv, env);
	_exit(127);
}

static int cmd_run(int argc, char **argv)
{
	/* argv: TAG DIR LIMIT IN OUT ERR [NAME=VALUE...] -- PROG ARG... */
	int sep = 6;
	while (sep < argc && strcmp(argv[sep], "--"))
		sep++;
	if (argc < 6 || sep >= argc - 1)
		return 2;
	const char *tag = argv[0], *dir = argv[1];
	unsigned limit = (unsigned)strtoul(argv[2], NULL, 10);
	char **env = calloc((size_t)(sep - 6 + 1), sizeof *env);
	if (!env)
		return 1;
	for (int k = 6; k < sep; k++)
		env[k - 6] = argv[k];

	struct sigaction sa = { .sa_handler = on_alarm };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return fail("cannot fork for", tag);
	if (pid == 0)
		start(dir, argv[3], argv[4], argv[5], env, argv + sep + 1);
	child = pid;
	if (limit)
		alarm(limit);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return fail("cannot wait for", tag);
	}
	alarm(0);
	child = 0;
	printf("=MC:BEGIN:%s=\n=MC:STATUS:%d:%d=\n", tag, traditional(status), (int)timed_out);
	long olen = dump(argv[4], 'O'), elen = dump(argv[5], 'E');
	printf("=MC:END:%s:%ld:%ld=\n", tag, olen, elen);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "fresh"))
		return cmd_fresh(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "mkdir"))
		return mkdir(argv[3], octal(argv[2])) < 0 ? fail("cannot mkdir", argv[3]) : 0;
	if (argc == 4 && !strcmp(argv[1], "chmod"))
		return chmod(argv[3], octal(argv[2])) < 0 ? fail("cannot chmod", argv[3]) : 0;
	if (argc == 5 && !strcmp(argv[1], "symlink")) {
		mode_t old = umask(octal(argv[2]));
		int r = symlink(argv[3], argv[4]);
		umask(old);
		return r < 0 ? fail("cannot symlink", argv[4]) : 0;
	}
	if (argc > 2 && !strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	fputs("usage: mkshcheck-run fresh|mkdir|chmod|symlink|run ...\n", stderr);
	return 2;
}
