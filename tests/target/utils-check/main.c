/* utils-check: every command of the toybox port (os/ports/toybox) run as
 * its own process, as the shell would: /bin/<command> through posix_spawn
 * with its standard input, output and error on pipes.  Each case compares
 * the exit status and the output with what the command must print; where
 * the answer depends on the system (a file's bytes, a directory's names,
 * the ids, the clock) the program works it out itself from libc first.
 *
 * Runs as init= on a boot image: it starts the services it needs (bootfs
 * for "/", devnull, pipe; tmpfs for /tmp when the image has one) and
 * prints KTAP, one case per line:  ok N <command>/<what>.  The cases that
 * write files need a writable directory: they run in /tmp when /tmp takes
 * a new directory, and until then are "# SKIP no writable file system yet". */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <conf.h>

#define OUT_MAX 16384

struct run {
	int status;                     /* waitpid's */
	size_t outlen, errlen;
	char out[OUT_MAX], err[OUT_MAX];
};

static char *const child_env[] = { "PATH=/bin", "TZ=UTC", "HOME=/", NULL };
static bool writable;                   /* /tmp takes a new directory */
static int failed_now, ncase, npass, nfail, nskip;

/* One KTAP or diagnostic line, one write(2). */
#define line conf_line

/* A diagnostic line per line of text, so it never breaks the KTAP. */
static void diag_text(const char *what, const char *s, size_t n)
{
	size_t i = 0;

	line("#   %s (%zu bytes):", what, n);
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		char buf[200];
		size_t k = 0;
		for (size_t j = i; j < e && k < sizeof buf - 5; j++) {
			unsigned char c = (unsigned char)s[j];
			k += (c >= 32 && c < 127) ? (size_t)snprintf(buf + k, 2, "%c", c)
						  : (size_t)snprintf(buf + k, 5, "\\x%02x", c);
		}
		buf[k] = 0;
		line("#   | %s", buf);
		i = e + 1;
	}
}

#define FAIL(...) do { failed_now = 1; line("# " __VA_ARGS__); } while (0)

/* Reads fd to its end into buf (at most cap bytes kept). */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char sink[256];

	for (;;) {
		ssize_t r = n < cap ? read(fd, buf + n, cap - n) : read(fd, sink, sizeof sink);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return n;
		if (n < cap)
			n += (size_t)r;
	}
}

/* Runs argv (argv[0] a path) with `in` on its standard input: 0 and *r
 * filled, or -1 (the case has failed). */
static int run_in(char *const argv[], const char *in, struct run *r)
{
	int pi[2], po[2], pe[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;

	memset(r, 0, sizeof *r - 2 * OUT_MAX);
	if (pipe(pi) < 0 || pipe(po) < 0 || pipe(pe) < 0) {
		FAIL("pipe: %s", strerror(errno));
		return -1;
	}
	/* Our ends stay with us: the child inherits only its own three. */
	fcntl(pi[1], F_SETFD, FD_CLOEXEC);
	fcntl(po[0], F_SETFD, FD_CLOEXEC);
	fcntl(pe[0], F_SETFD, FD_CLOEXEC);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pi[0], 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	int fds[] = { pi[0], po[1], pe[1] };
	for (int i = 0; i < 3; i++)
		posix_spawn_file_actions_addclose(&fa, fds[i]);
	int e = posix_spawn(&pid, argv[0], &fa, NULL, argv, child_env);
	posix_spawn_file_actions_destroy(&fa);
	close(pi[0]);
	close(po[1]);
	close(pe[1]);
	if (e) {
		FAIL("posix_spawn %s: %s", argv[0], strerror(e));
		close(pi[1]);
		close(po[0]);
		close(pe[0]);
		return -1;
	}
	if (in)
		write(pi[1], in, strlen(in));   /* small: fits the pipe */
	close(pi[1]);
	r->outlen = drain(po[0], r->out, OUT_MAX);
	r->errlen = drain(pe[0], r->err, OUT_MAX);
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &r->status, 0) < 0)
		if (errno != EINTR) {
			FAIL("waitpid: %s", strerror(errno));
			return -1;
		}
	return 0;
}

/* The command's exit status, or -1 (and a failure) if it did not exit. */
static int exit_code(const struct run *r)
{
	if (WIFEXITED(r->status))
		return WEXITSTATUS(r->status);
	FAIL("ended by signal %d, not exit", WIFSIGNALED(r->status) ? WTERMSIG(r->status) : -1);
	return -1;
}

/* Checks status and the whole output (want NULL: output not checked). */
static void check_run(const struct run *r, int status, const char *want, size_t wantlen)
{
	int code = exit_code(r);

	if (code != status) {
		FAIL("exit status %d, want %d", code, status);
		diag_text("stderr", r->err, r->errlen);
	}
	if (want && (r->outlen != wantlen || memcmp(r->out, want, wantlen))) {
		FAIL("output differs");
		diag_text("got", r->out, r->outlen);
		diag_text("want", want, wantlen);
	}
}

/* Runs and returns the result for a case to judge itself (free it), or
 * NULL (the case has failed).  args: a command name under /bin and its
 * arguments, NULL-terminated. */
#define RUN(in, ...) run_(in, (const char *[]){ __VA_ARGS__, NULL })
static struct run *run_(const char *in, const char *args[])
{
	char path[64], *argv[16];
	struct run *r = malloc(sizeof *r);
	int n = 0;

	if (!r) {
		FAIL("out of memory");
		return NULL;
	}
	snprintf(path, sizeof path, "/bin/%s", args[0]);
	argv[n++] = path;
	for (int i = 1; args[i] && n < 15; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	if (run_in(argv, in, r) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

/* Runs a command with input `in` and checks its status and whole output. */
#define EXPECT(in, status, want, ...) expect_(in, status, want, (const char *[]){ __VA_ARGS__, NULL })
static void expect_(const char *in, int status, const char *want, const char *args[])
{
	struct run *r = run_(in, args);

	if (r)
		check_run(r, status, want, strlen(want));
	free(r);
}

/* The whole of a file, NUL-terminated, in a malloc'd buffer (*len bytes). */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	char *buf = malloc(OUT_MAX + 1);

	*len = 0;
	if (fd < 0 || !buf) {
		FAIL("open %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	*len = drain(fd, buf, OUT_MAX);
	buf[*len] = 0;
	close(fd);
	return buf;
}

/* ---- the cases ---------------------------------------------------------- */

static void cat_file_is_the_file(void)
{
	size_t n;
	char *want = slurp("/etc/passwd", &n);
	struct run *r = want ? RUN(NULL, "cat", "/etc/passwd") : NULL;

	if (r)
		check_run(r, 0, want, n);
	free(r);
	free(want);
}

static void cat_stdin_and_missing_file(void)
{
	EXPECT("a\nb\n", 0, "a\nb\n", "cat");
	EXPECT("x\n", 0, "x\n", "cat", "-", "/dev/null");
	struct run *r = RUN(NULL, "cat", "/etc/no-such-file");
	if (r && exit_code(r) != 1)
		FAIL("cat of a missing file: status %d, want 1", exit_code(r));
	if (r && !strstr(r->err, "no-such-file"))
		FAIL("cat of a missing file names no file on stderr");
	free(r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names readdir gives for dir (without . and .. unless dots), sorted,
 * one per line. */
static char *dir_listing(const char *dir, bool dots)
{
	DIR *d = opendir(dir);
	char *names[256], *out = calloc(1, OUT_MAX);
	int n = 0;
	struct dirent *e;

	if (!d || !out) {
		FAIL("opendir %s: %s", dir, strerror(errno));
		if (d)
			closedir(d);
		free(out);
		return NULL;
	}
	while ((e = readdir(d)) && n < 256)
		if (dots || (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], cmp_str);
	for (int i = 0; i < n; i++) {
		strcat(out, names[i]);
		strcat(out, "\n");
		free(names[i]);
	}
	return out;
}

static void ls_lists_a_directory(void)
{
	char *want = dir_listing("/etc", false);

	if (want)
		EXPECT(NULL, 0, want, "ls", "/etc");
	free(want);
	EXPECT(NULL, 0, "/etc\n", "ls", "-d", "/etc");
	EXPECT(NULL, 0, "/etc/motd\n", "ls", "/etc/motd");
	struct run *r = RUN(NULL, "ls", "/no-such-dir");
	if (r && exit_code(r) == 0)
		FAIL("ls of a missing directory succeeded");
	free(r);
}

static void ls_a_shows_dot_entries(void)
{
	char *want = dir_listing("/etc", true);

	if (want)
		EXPECT(NULL, 0, want, "ls", "-a", "/etc");
	free(want);
}

static void ls_l_shows_mode_links_size(void)
{
	struct stat st;
	char want[64];

	if (stat("/etc/motd", &st) < 0) {
		FAIL("stat /etc/motd: %s", strerror(errno));
		return;
	}
	struct run *r = RUN(NULL, "ls", "-ln", "/etc/motd");
	if (!r)
		return;
	check_run(r, 0, NULL, 0);
	r->out[r->outlen < OUT_MAX ? r->outlen : OUT_MAX - 1] = 0;
	char mode[16] = "", name[64] = "";
	long links = -1, uid = -1, gid = -1, size = -1;
	if (sscanf(r->out, "%15s %ld %ld %ld %ld %*s %*s %63s", mode, &links, &uid, &gid,
		   &size, name) != 6)
		FAIL("ls -ln line unparsed: %s", r->out);
	snprintf(want, sizeof want, "-%c%c%c%c%c%c%c%c%c", st.st_mode & 0400 ? 'r' : '-',
		 st.st_mode & 0200 ? 'w' : '-', st.st_mode & 0100 ? 'x' : '-',
		 st.st_mode & 040 ? 'r' : '-', st.st_mode & 020 ? 'w' : '-',
		 st.st_mode & 010 ? 'x' : '-', st.st_mode & 04 ? 'r' : '-',
		 st.st_mode & 02 ? 'w' : '-', st.st_mode & 01 ? 'x' : '-');
	if (strcmp(mode, want))
		FAIL("mode %s, want %s", mode, want);
	if (links != (long)st.st_nlink || uid != (long)st.st_uid || gid != (long)st.st_gid ||
	    size != (long)st.st_size)
		FAIL("links/uid/gid/size %ld %ld %ld %ld, want %ld %ld %ld %ld", links, uid, gid,
		     size, (long)st.st_nlink, (long)st.st_uid, (long)st.st_gid, (long)st.st_size);
	if (strcmp(name, "/etc/motd"))
		FAIL("name %s", name);
	free(r);
}

/* The lines of text that contain word, in order. */
static void lines_with(const char *text, const char *word, char *out)
{
	const char *p = text;

	*out = 0;
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p + 1) : strlen(p);
		char l[512];
		snprintf(l, sizeof l, "%.*s", (int)n, p);
		if (strstr(l, word))
			strcat(out, l);
		p += n;
	}
}

static void grep_finds_matching_lines(void)
{
	size_t n;
	char *text = slurp("/etc/passwd", &n), want[OUT_MAX];

	if (!text)
		return;
	lines_with(text, "keel", want);
	if (!*want)
		FAIL("/etc/passwd has no line with keel");
	EXPECT(NULL, 0, want, "grep", "keel", "/etc/passwd");
	free(text);
	EXPECT("one\ntwo\nthree\n", 0, "two\nthree\n", "grep", "t");
	EXPECT("one\ntwo\n", 1, "", "grep", "zzz");
	EXPECT("a1\nb2\nc3\n", 0, "a1\nc3\n", "grep", "-v", "b");
	EXPECT("Ab\nab\nxy\n", 0, "2\n", "grep", "-ci", "AB");
	EXPECT("foo123\nbar\n", 0, "foo123\n", "grep", "-E", "[0-9]+$");
	EXPECT("a.c\nabc\n", 0, "a.c\n", "grep", "-F", "a.c");
	EXPECT("x\ny\n", 0, "y\n", "egrep", "y|z");
	EXPECT("x\ny|z\n", 0, "y|z\n", "fgrep", "y|z");
}

static void head_and_tail_take_lines(void)
{
	const char *in = "1\n2\n3\n4\n5\n";

	EXPECT(in, 0, "1\n2\n", "head", "-n", "2");
	EXPECT(in, 0, "4\n5\n", "tail", "-n", "2");
	EXPECT(in, 0, "3\n4\n5\n", "tail", "-n", "+3");
	EXPECT("abcdef", 0, "abc", "head", "-c", "3");
	size_t n;
	char *text = slurp("/etc/passwd", &n);
	if (text) {
		char *nl = strchr(text, '\n');
		if (nl)
			nl[1] = 0;
		EXPECT(NULL, 0, text, "head", "-n", "1", "/etc/passwd");
	}
	free(text);
}

static void wc_counts(void)
{
	/* toybox aligns the columns when it reads standard input */
	EXPECT("one two\nthree\n", 0, "      2       3      14\n", "wc");
	EXPECT("a\nb\nc\n", 0, "3\n", "wc", "-l");
	size_t n;
	char *text = slurp("/etc/group", &n), want[128];
	if (!text)
		return;
	long lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	snprintf(want, sizeof want, "%ld /etc/group\n", lines);
	EXPECT(NULL, 0, want, "wc", "-l", "/etc/group");
	snprintf(want, sizeof want, "%zu /etc/group\n", n);
	EXPECT(NULL, 0, want, "wc", "-c", "/etc/group");
	free(text);
}

static void sed_edits(void)
{
	EXPECT("hello world\n", 0, "hello keel\n", "sed", "s/world/keel/");
	EXPECT("a\nb\nc\n", 0, "b\n", "sed", "-n", "2p");
	EXPECT("a\nb\nc\n", 0, "a\nc\n", "sed", "/b/d");
	EXPECT("aaa\n", 0, "bbb\n", "sed", "s/a/b/g");
	EXPECT("x1y22\n", 0, "x<1>y<22>\n", "sed", "-E", "s/([0-9]+)/<\\1>/g");
}

static void sort_and_uniq(void)
{
	EXPECT("b\na\nc\n", 0, "a\nb\nc\n", "sort");
	EXPECT("b\na\nc\n", 0, "c\nb\na\n", "sort", "-r");
	EXPECT("10\n9\n100\n", 0, "9\n10\n100\n", "sort", "-n");
	EXPECT("b 2\na 3\nc 1\n", 0, "c 1\nb 2\na 3\n", "sort", "-k", "2");
	EXPECT("a\na\nb\na\n", 0, "a\nb\na\n", "uniq");
	EXPECT("a\na\nb\n", 0, "      2 a\n      1 b\n", "uniq", "-c");
	EXPECT("a\na\nb\n", 0, "a\n", "uniq", "-d");
	EXPECT("b\na\nb\n", 0, "a\nb\n", "sort", "-u");
}

static void cut_and_tr(void)
{
	EXPECT("root:x:0:0\n", 0, "root:0\n", "cut", "-d", ":", "-f", "1,3");
	EXPECT("abcdef\n", 0, "bcd\n", "cut", "-c", "2-4");
	EXPECT("hello\n", 0, "HELLO\n", "tr", "a-z", "A-Z");
	EXPECT("a-b-c\n", 0, "abc\n", "tr", "-d", "-");
	EXPECT("aabbcc\n", 0, "abc\n", "tr", "-s", "abc");
}

static void find_walks_a_tree(void)
{
	EXPECT(NULL, 0, "/etc/passwd\n", "find", "/etc", "-name", "passwd");
	EXPECT(NULL, 0, "/etc\n", "find", "/etc", "-maxdepth", "0", "-type", "d");
	char *names = dir_listing("/etc", false), want[OUT_MAX] = "";
	if (!names)
		return;
	/* every file below /etc, in the order of a sorted listing */
	for (char *p = names, *e; *p; p = e + 1) {
		e = strchr(p, '\n');
		strcat(want, "/etc/");
		strncat(want, p, (size_t)(e - p + 1));
	}
	struct run *r = RUN(NULL, "find", "/etc", "-type", "f");
	if (r) {
		check_run(r, 0, NULL, 0);
		/* find's order is the directory's: compare as sets through sort */
		r->out[r->outlen < OUT_MAX ? r->outlen : OUT_MAX - 1] = 0;
		struct run *s = RUN(r->out, "sort");
		if (s)
			check_run(s, 0, want, strlen(want));
		free(s);
	}
	free(r);
	free(names);
}

static void xargs_builds_commands(void)
{
	EXPECT("a b\nc\n", 0, "a b c\n", "xargs", "echo");
	EXPECT("1 2 3\n", 0, "x 1 2\nx 3\n", "xargs", "-n", "2", "echo", "x");
	EXPECT("", 0, "\n", "xargs", "echo");
	EXPECT("f\n", 0, "", "xargs", "true");
	struct run *r = RUN("f\n", "xargs", "false");
	if (r && exit_code(r) != 123)
		FAIL("xargs of a failing command: status %d, want 123", exit_code(r));
	free(r);
}

static void date_formats_and_reads_the_clock(void)
{
	EXPECT(NULL, 0, "1970-01-02 00:00:00\n", "date", "-u", "-d", "@86400", "+%Y-%m-%d %H:%M:%S");
	EXPECT(NULL, 0, "Thu\n", "date", "-u", "-d", "@0", "+%a");
	time_t before = time(NULL);
	struct run *r = RUN(NULL, "date", "+%s");
	time_t after = time(NULL);
	if (!r)
		return;
	check_run(r, 0, NULL, 0);
	r->out[r->outlen < OUT_MAX ? r->outlen : OUT_MAX - 1] = 0;
	long t = strtol(r->out, NULL, 10);
	if (t < (long)before || t > (long)after)
		FAIL("date +%%s says %ld, the clock said %ld..%ld", t, (long)before, (long)after);
	free(r);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_waits(void)
{
	double t0 = now_s();

	EXPECT(NULL, 0, "", "sleep", "0.3");
	double dt = now_s() - t0;
	if (dt < 0.3)
		FAIL("sleep 0.3 came back after %.3f s", dt);
	struct run *r = RUN(NULL, "sleep", "nonsense");
	if (r && exit_code(r) == 0)
		FAIL("sleep nonsense succeeded");
	free(r);
}

static void env_sets_the_environment(void)
{
	EXPECT(NULL, 0, "A=1\nB=two\n", "env", "-i", "A=1", "B=two");
	EXPECT(NULL, 0, "X=y\n", "env", "-i", "X=y", "env");
	struct run *r = RUN(NULL, "env");
	if (r) {
		check_run(r, 0, NULL, 0);
		r->out[r->outlen < OUT_MAX ? r->outlen : OUT_MAX - 1] = 0;
		for (int i = 0; child_env[i]; i++)
			if (!strstr(r->out, child_env[i]))
				FAIL("env does not list %s", child_env[i]);
	}
	free(r);
}

static void echo_and_printf(void)
{
	EXPECT(NULL, 0, "hello world\n", "echo", "hello", "world");
	EXPECT(NULL, 0, "no newline", "echo", "-n", "no newline");
	EXPECT(NULL, 0, "a\tb\n", "echo", "-e", "a\\tb");
	EXPECT(NULL, 0, "42 0x1f str  |\n", "printf", "%d %#x %-5s|\\n", "42", "31", "str");
	EXPECT(NULL, 0, "1\n2\n", "printf", "%s\\n", "1", "2");
}

static void test_evaluates(void)
{
	EXPECT(NULL, 0, "", "test", "-f", "/etc/passwd");
	EXPECT(NULL, 1, "", "test", "-d", "/etc/passwd");
	EXPECT(NULL, 0, "", "test", "-d", "/etc");
	EXPECT(NULL, 1, "", "test", "-e", "/etc/none");
	EXPECT(NULL, 0, "", "test", "abc", "=", "abc");
	EXPECT(NULL, 0, "", "test", "3", "-lt", "12");
	EXPECT(NULL, 1, "", "test", "-n", "");
	EXPECT(NULL, 0, "", "[", "1", "-eq", "1", "]");
	EXPECT(NULL, 1, "", "[", "a", "!=", "a", "]");
}

static void expr_computes(void)
{
	EXPECT(NULL, 0, "7\n", "expr", "3", "+", "4");
	EXPECT(NULL, 0, "6\n", "expr", "2", "*", "3");
	EXPECT(NULL, 1, "0\n", "expr", "5", "<", "2");
	EXPECT(NULL, 0, "3\n", "expr", "abc123", ":", "[a-z]*");
	struct run *r = RUN(NULL, "expr", "1", "/", "0");
	if (r && exit_code(r) < 2)
		FAIL("expr 1 / 0: status %d, want 2 or more", exit_code(r));
	free(r);
}

static void basename_and_dirname(void)
{
	EXPECT(NULL, 0, "passwd\n", "basename", "/etc/passwd");
	EXPECT(NULL, 0, "file\n", "basename", "/a/file.txt", ".txt");
	EXPECT(NULL, 0, "/\n", "basename", "/");
	EXPECT(NULL, 0, "/etc\n", "dirname", "/etc/passwd");
	EXPECT(NULL, 0, ".\n", "dirname", "file");
	EXPECT(NULL, 0, "/\n", "dirname", "/etc");
}

static void du_sums_sizes(void)
{
	struct stat st;
	unsigned long long total = 0;
	DIR *d = opendir("/etc");
	struct dirent *e;
	char path[300], want[128];

	if (!d || stat("/etc", &st) < 0) {
		FAIL("/etc: %s", strerror(errno));
		if (d)
			closedir(d);
		return;
	}
	total = (unsigned long long)st.st_size;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "/etc/%s", e->d_name);
		if (lstat(path, &st) == 0)
			total += (unsigned long long)st.st_size;
	}
	closedir(d);
	snprintf(want, sizeof want, "%llu\t/etc\n", total);
	EXPECT(NULL, 0, want, "du", "-sb", "/etc");
	if (stat("/etc/motd", &st) == 0) {
		snprintf(want, sizeof want, "%llu\t/etc/motd\n", (unsigned long long)st.st_size);
		EXPECT(NULL, 0, want, "du", "-b", "/etc/motd");
	}
}

static void od_dumps(void)
{
	EXPECT("AB\n", 0, "0000000 101 102 012\n0000003\n", "od", "-b");
	EXPECT("AB", 0, " 41 42\n", "od", "-An", "-tx1");
	/* two-byte words: each byte's share of the widest field (6 digits and a
	 * space, rounded up to 4 a byte) makes 8 columns a word */
	EXPECT("AB", 0, "0000000  041101\n0000002\n", "od");
}

static void cmp_compares(void)
{
	size_t na, nb;
	char *a = slurp("/etc/passwd", &na), *b = slurp("/etc/group", &nb), want[160];

	EXPECT(NULL, 0, "", "cmp", "/etc/passwd", "/etc/passwd");
	if (a && b) {
		size_t i = 0, ln = 1;
		while (i < na && i < nb && a[i] == b[i])
			ln += a[i++] == '\n';
		snprintf(want, sizeof want, "/etc/passwd /etc/group differ: char %zu, line %zu\n",
			 i + 1, ln);
		EXPECT(NULL, 1, want, "cmp", "/etc/passwd", "/etc/group");
	}
	free(a);
	free(b);
	EXPECT("abc", 1, "", "cmp", "-s", "-", "/etc/motd");
}

static void tee_copies(void)
{
	EXPECT("to both\n", 0, "to both\n", "tee", "/dev/null");
	EXPECT("x\n", 0, "x\n", "tee");
}

static void seq_counts(void)
{
	EXPECT(NULL, 0, "1\n2\n3\n", "seq", "3");
	EXPECT(NULL, 0, "10\n7\n4\n", "seq", "10", "-3", "2");
	EXPECT(NULL, 0, "1,2,3\n", "seq", "-s", ",", "1", "3");
	EXPECT(NULL, 0, "0.5\n1.0\n1.5\n", "seq", "-f", "%.1f", "0.5", "0.5", "1.5");
}

static void kill_signals_a_process(void)
{
	char *argv[] = { "/bin/sleep", "30", NULL }, pid_s[16];
	pid_t pid;
	int st;

	EXPECT(NULL, 0, "TERM\n", "kill", "-l", "15");
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, child_env)) {
		FAIL("spawn sleep: %s", strerror(errno));
		return;
	}
	snprintf(pid_s, sizeof pid_s, "%d", (int)pid);
	EXPECT(NULL, 0, "", "kill", "-s", "TERM", pid_s);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			FAIL("waitpid: %s", strerror(errno));
			return;
		}
	if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
		FAIL("the sleep ended with status %#x, not by SIGTERM", st);
	struct run *r = RUN(NULL, "kill", "-0", pid_s);
	if (r && exit_code(r) == 0)
		FAIL("kill -0 of a reaped process succeeded");
	free(r);
}

static void uname_and_hostname(void)
{
	struct utsname u;
	char want[300], host[256];

	if (uname(&u) < 0 || gethostname(host, sizeof host) < 0) {
		FAIL("uname/gethostname: %s", strerror(errno));
		return;
	}
	snprintf(want, sizeof want, "%s\n", u.sysname);
	EXPECT(NULL, 0, want, "uname");
	snprintf(want, sizeof want, "%s %s\n", u.sysname, u.machine);
	EXPECT(NULL, 0, want, "uname", "-sm");
	snprintf(want, sizeof want, "%s\n", u.nodename);
	EXPECT(NULL, 0, want, "uname", "-n");
	snprintf(want, sizeof want, "%s\n", host);
	EXPECT(NULL, 0, want, "hostname");
	char *dot = strchr(host, '.');
	if (dot)
		*dot = 0;
	snprintf(want, sizeof want, "%s\n", host);
	EXPECT(NULL, 0, want, "hostname", "-s");
}

static void id_and_whoami(void)
{
	struct passwd *pw = getpwuid(getuid());
	struct group *gr = getgrgid(getgid());
	char want[300];

	if (!pw || !gr) {
		FAIL("no passwd/group entry for uid %d gid %d", (int)getuid(), (int)getgid());
		return;
	}
	snprintf(want, sizeof want, "%d\n", (int)getuid());
	EXPECT(NULL, 0, want, "id", "-u");
	snprintf(want, sizeof want, "%d\n", (int)getgid());
	EXPECT(NULL, 0, want, "id", "-g");
	snprintf(want, sizeof want, "%s\n", pw->pw_name);
	EXPECT(NULL, 0, want, "id", "-un");
	EXPECT(NULL, 0, want, "whoami");
	snprintf(want, sizeof want, "%s\n", gr->gr_name);
	EXPECT(NULL, 0, want, "id", "-gn");
	/* keel's groups by name, as the group database lists them */
	struct passwd *k = getpwnam("keel");
	if (!k) {
		FAIL("no user keel in /etc/passwd");
		return;
	}
	gid_t gs[32];
	int n = 32;
	if (getgrouplist("keel", k->pw_gid, gs, &n) < 0) {
		FAIL("getgrouplist: more than 32 groups");
		return;
	}
	char *ids = calloc(1, 1024);
	for (int i = 0; i < n && ids; i++)
		snprintf(ids + strlen(ids), 1024 - strlen(ids), "%s%d", i ? " " : "", (int)gs[i]);
	if (ids) {
		strcat(ids, "\n");
		EXPECT(NULL, 0, ids, "id", "-G", "keel");
	}
	free(ids);
	snprintf(want, sizeof want, "%d\n", (int)k->pw_uid);
	EXPECT(NULL, 0, want, "id", "-u", "keel");
	struct run *r = RUN(NULL, "id", "nobody-here");
	if (r && exit_code(r) == 0)
		FAIL("id of an unknown user succeeded");
	free(r);
}

static void more_passes_a_file_through_off_a_terminal(void)
{
	size_t n;
	char *motd = slurp("/etc/motd", &n);

	/* off a terminal, toybox's more prints each file under a header */
	char *want = motd ? malloc(n + 64) : NULL;
	if (want) {
		snprintf(want, n + 64, "::::::::::::::\n/etc/motd\n::::::::::::::\n%s", motd);
		EXPECT(NULL, 0, want, "more", "/etc/motd");
	}
	free(want);
	free(motd);
	EXPECT("piped\n", 0, "::::::::::::::\n-\n::::::::::::::\npiped\n", "more");
}

static void true_false_yes_clear(void)
{
	EXPECT(NULL, 0, "", "true");
	EXPECT(NULL, 1, "", "false");
	EXPECT(NULL, 0, "\033[2J\033[H", "clear");
	/* yes never ends by itself: sh runs it into head, which closes the pipe */
	struct run *r = malloc(sizeof *r);
	char *argv[] = { "/bin/sh", "-c", "yes keel | head -n 3", NULL };
	if (r && run_in(argv, NULL, r) == 0)
		check_run(r, 0, "keel\nkeel\nkeel\n", 15);
	char *argv2[] = { "/bin/sh", "-c", "yes | head -n 2", NULL };
	if (r && run_in(argv2, NULL, r) == 0)
		check_run(r, 0, "y\ny\n", 4);
	free(r);
}

/* tty: the name of the terminal on its input (ttyname), found under /dev
 * by the file's identity; off a terminal "not a tty" and status 1.  The
 * terminals: a named pseudo-terminal's slave (no master needed) and a new
 * pair's slave from /dev/ptmx. */
static void tty_names_the_terminal(void)
{
	EXPECT(NULL, 1, "not a tty\n", "tty");
	EXPECT(NULL, 1, "", "tty", "-s");
	struct run *r = malloc(sizeof *r);
	char *argv[] = { "/bin/sh", "-c", "tty < /dev/ttyp1", NULL };
	if (r && run_in(argv, NULL, r) == 0)
		check_run(r, 0, "/dev/ttyp1\n", 11);
	char *argv2[] = { "/bin/sh", "-c", "tty -s < /dev/ttyp1", NULL };
	if (r && run_in(argv2, NULL, r) == 0)
		check_run(r, 0, "", 0);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	char want[48], cmd[64];
	const char *slave = m >= 0 && !grantpt(m) && !unlockpt(m) ? ptsname(m) : NULL;
	if (!slave) {
		FAIL("no pseudo-terminal from /dev/ptmx: %s", strerror(errno));
	} else {
		snprintf(want, sizeof want, "%s\n", slave);
		snprintf(cmd, sizeof cmd, "tty < %s", slave);
		char *argv3[] = { "/bin/sh", "-c", cmd, NULL };
		if (r && run_in(argv3, NULL, r) == 0)
			check_run(r, 0, want, strlen(want));
	}
	if (m >= 0)
		close(m);
	free(r);
}

/* The commands that write, where nothing may be written: each fails with a
 * message, and the file system is left as it was. */
static void writers_fail_on_the_read_only_image(void)
{
	struct stat st;
	const char *cmds[][5] = {
		{ "mkdir", "/etc/newdir" }, { "touch", "/etc/newfile" },
		{ "rm", "/etc/motd" }, { "rmdir", "/etc" },
		{ "cp", "/etc/motd", "/etc/motd2" }, { "mv", "/etc/motd", "/etc/motd3" },
		{ "ln", "-s", "/etc/motd", "/etc/motd4" }, { "chmod", "777", "/etc/motd" },
		{ "chown", "1000", "/etc/motd" },
	};
	struct stat before;

	if (stat("/etc/motd", &before) < 0) {
		FAIL("stat /etc/motd: %s", strerror(errno));
		return;
	}
	for (unsigned i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		struct run *r = run_(NULL, cmds[i]);
		if (!r)
			continue;
		int code = exit_code(r);
		if (code == 0)
			FAIL("%s succeeded on the read-only image", cmds[i][0]);
		if (r->errlen == 0)
			FAIL("%s failed without a message", cmds[i][0]);
		free(r);
	}
	const char *never[] = { "/etc/newdir", "/etc/newfile", "/etc/motd2", "/etc/motd3",
				"/etc/motd4" };
	for (unsigned i = 0; i < sizeof never / sizeof never[0]; i++)
		if (lstat(never[i], &st) == 0)
			FAIL("%s appeared", never[i]);
	if (stat("/etc/motd", &st) < 0 || st.st_mode != before.st_mode || st.st_uid != before.st_uid)
		FAIL("/etc/motd changed");
}

/* ---- the cases that write (in /tmp) -------------------------------------- */

#define W "/tmp/utils-check"

static void mkdir_and_rmdir(void)
{
	struct stat st;

	EXPECT(NULL, 0, "", "mkdir", "-p", W "/a/b/c");
	if (stat(W "/a/b/c", &st) < 0 || !S_ISDIR(st.st_mode))
		FAIL("mkdir -p made no " W "/a/b/c");
	EXPECT(NULL, 0, "", "rmdir", W "/a/b/c");
	if (stat(W "/a/b/c", &st) == 0)
		FAIL("rmdir left " W "/a/b/c");
	struct run *r = RUN(NULL, "rmdir", W "/a");
	if (r && exit_code(r) == 0)
		FAIL("rmdir of a non-empty directory succeeded");
	free(r);
	/* -p removes the named parents, relative to W: not W itself, nor /tmp */
	if (chdir(W) == 0) {
		EXPECT(NULL, 0, "", "rmdir", "-p", "a/b");
		chdir("/");
	} else {
		FAIL("cannot change to " W);
	}
	if (stat(W "/a", &st) == 0)
		FAIL("rmdir -p left " W "/a");
}

static void touch_creates_and_sets_times(void)
{
	struct stat st;

	EXPECT(NULL, 0, "", "touch", W "/t");
	if (stat(W "/t", &st) < 0 || !S_ISREG(st.st_mode) || st.st_size != 0)
		FAIL("touch made no empty file");
	EXPECT(NULL, 0, "", "touch", "-d", "2001-02-03T04:05:06Z", W "/t");
	if (stat(W "/t", &st) < 0 || st.st_mtime != 981173106)
		FAIL("touch -d: mtime %ld, want 981173106", (long)st.st_mtime);
}

static void cp_mv_ln_rm(void)
{
	struct stat st;
	size_t n, m;
	char *motd = slurp("/etc/motd", &n);

	EXPECT(NULL, 0, "", "cp", "/etc/motd", W "/copy");
	char *copy = slurp(W "/copy", &m);
	if (motd && copy && (n != m || memcmp(motd, copy, n)))
		FAIL("cp's copy differs");
	free(copy);
	EXPECT(NULL, 0, "", "mv", W "/copy", W "/moved");
	if (stat(W "/copy", &st) == 0 || stat(W "/moved", &st) < 0 || (size_t)st.st_size != n)
		FAIL("mv did not move");
	EXPECT(NULL, 0, "", "ln", W "/moved", W "/hard");
	if (stat(W "/hard", &st) < 0 || st.st_nlink != 2)
		FAIL("ln: no second link");
	EXPECT(NULL, 0, "", "ln", "-s", "moved", W "/soft");
	if (motd)
		EXPECT(NULL, 0, motd, "cat", W "/soft");
	EXPECT(NULL, 0, "", "mkdir", W "/tree");
	EXPECT(NULL, 0, "", "cp", "-r", "/etc", W "/tree/etc");
	char *want = dir_listing("/etc", false);
	if (want)
		EXPECT(NULL, 0, want, "ls", W "/tree/etc");
	free(want);
	EXPECT(NULL, 0, "", "rm", "-r", W "/tree", W "/moved", W "/hard", W "/soft");
	if (lstat(W "/tree", &st) == 0 || lstat(W "/soft", &st) == 0)
		FAIL("rm -r left files");
	free(motd);
}

static void chmod_and_chown(void)
{
	struct stat st;

	EXPECT(NULL, 0, "", "touch", W "/m");
	EXPECT(NULL, 0, "", "chmod", "640", W "/m");
	if (stat(W "/m", &st) < 0 || (st.st_mode & 07777) != 0640)
		FAIL("chmod 640: mode %o", (unsigned)(st.st_mode & 07777));
	EXPECT(NULL, 0, "", "chmod", "u+x,o+r", W "/m");
	if (stat(W "/m", &st) < 0 || (st.st_mode & 07777) != 0744)
		FAIL("chmod u+x,o+r: mode %o", (unsigned)(st.st_mode & 07777));
	EXPECT(NULL, 0, "", "chown", "1000:10", W "/m");
	if (stat(W "/m", &st) < 0 || st.st_uid != 1000 || st.st_gid != 10)
		FAIL("chown 1000:10: %d:%d", (int)st.st_uid, (int)st.st_gid);
	EXPECT(NULL, 0, "", "rm", W "/m");
}

static void tee_writes_a_file(void)
{
	EXPECT("tee'd\n", 0, "tee'd\n", "tee", W "/tee");
	EXPECT(NULL, 0, "tee'd\n", "cat", W "/tee");
	EXPECT("more\n", 0, "more\n", "tee", "-a", W "/tee");
	EXPECT(NULL, 0, "tee'd\nmore\n", "cat", W "/tee");
	EXPECT(NULL, 0, "", "rm", W "/tee");
}

/* ---- the runner --------------------------------------------------------- */

struct tcase {
	const char *name;
	void (*fn)(void);
	bool writes;
};

static const struct tcase cases[] = {
	{ "cat/file_is_the_file", cat_file_is_the_file, false },
	{ "cat/stdin_and_missing_file", cat_stdin_and_missing_file, false },
	{ "ls/lists_a_directory", ls_lists_a_directory, false },
	{ "ls/a_shows_dot_entries", ls_a_shows_dot_entries, false },
	{ "ls/l_shows_mode_links_owner_size", ls_l_shows_mode_links_size, false },
	{ "grep/finds_matching_lines", grep_finds_matching_lines, false },
	{ "head_tail/take_lines", head_and_tail_take_lines, false },
	{ "wc/counts", wc_counts, false },
	{ "sed/edits", sed_edits, false },
	{ "sort_uniq/order_and_fold", sort_and_uniq, false },
	{ "cut_tr/fields_and_characters", cut_and_tr, false },
	{ "find/walks_a_tree", find_walks_a_tree, false },
	{ "xargs/builds_commands", xargs_builds_commands, false },
	{ "date/formats_and_reads_the_clock", date_formats_and_reads_the_clock, false },
	{ "sleep/waits", sleep_waits, false },
	{ "env/sets_the_environment", env_sets_the_environment, false },
	{ "echo_printf/format", echo_and_printf, false },
	{ "test/evaluates", test_evaluates, false },
	{ "expr/computes", expr_computes, false },
	{ "basename_dirname/split_paths", basename_and_dirname, false },
	{ "du/sums_sizes", du_sums_sizes, false },
	{ "od/dumps", od_dumps, false },
	{ "cmp/compares", cmp_compares, false },
	{ "tee/copies", tee_copies, false },
	{ "seq/counts", seq_counts, false },
	{ "kill/signals_a_process", kill_signals_a_process, false },
	{ "uname_hostname/name_the_system", uname_and_hostname, false },
	{ "id_whoami/name_the_user", id_and_whoami, false },
	{ "more/passes_through_off_a_terminal", more_passes_a_file_through_off_a_terminal, false },
	{ "true_false_yes_clear/work", true_false_yes_clear, false },
	{ "tty/names_the_terminal", tty_names_the_terminal, false },
	{ "writers/fail_on_the_read_only_image", writers_fail_on_the_read_only_image, false },
	{ "mkdir_rmdir/make_and_remove", mkdir_and_rmdir, true },
	{ "touch/creates_and_sets_times", touch_creates_and_sets_times, true },
	{ "cp_mv_ln_rm/copy_move_link_remove", cp_mv_ln_rm, true },
	{ "chmod_chown/change_mode_and_owner", chmod_and_chown, true },
	{ "tee/writes_a_file", tee_writes_a_file, true },
};

/* Starts a service and waits until `ready` exists: 0, or -1. */
static int start(const char *path, const char *ready)
{
	char *argv[] = { (char *)path, NULL };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct stat st;
	pid_t pid;

	if (posix_spawn(&pid, path, NULL, NULL, argv, NULL)) {
		line("utils-check: cannot start %s", path);
		return -1;
	}
	for (int i = 0; i < 500; i++) {
		if (stat(ready, &st) == 0)
			return 0;
		nanosleep(&tick, NULL);
	}
	line("utils-check: %s never served %s", path, ready);
	return -1;
}

int main(void)
{
	/* a command that ends before reading its input must not end us */
	signal(SIGPIPE, SIG_IGN);
	if (start("/sbin/bootfs", "/etc") || start("/sbin/devnull", "/dev/null") ||
	    start("/sbin/pipe", "/dev/pipe") || start("/sbin/devc-pty", "/dev/ptmx") ||
	    start("/sbin/procfs", "/proc"))     /* lists /dev, where tty finds names */
		return 2;
	if (access("/sbin/tmpfs", X_OK) == 0)
		start("/sbin/tmpfs", "/tmp");
	writable = mkdir(W, 0755) == 0;
	line("# /tmp %s", writable ? "is writable: the writing cases run" :
	     "takes no directory: the writing cases are skipped");
	line("KTAP version 1");
	line("1..%zu", sizeof cases / sizeof cases[0]);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		ncase++;
		if (cases[i].writes && !writable) {
			line("ok %zu %s # SKIP no writable file system yet", i + 1, cases[i].name);
			nskip++;
			continue;
		}
		failed_now = 0;
		cases[i].fn();
		line("%s %zu %s", failed_now ? "not ok" : "ok", i + 1, cases[i].name);
		failed_now ? nfail++ : npass++;
	}
	if (writable)
		rmdir(W);
	/* the farm's convention: passed counts every result that is not a failure */
	line("utils-check: done: %d passed, %d failed (%d of them skipped)", npass + nskip, nfail,
	     nskip);
	return nfail ? 1 : 0;
}
