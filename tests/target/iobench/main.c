/* iobench: the console, pipe and server figures of a running system, in
 * guest instructions read from the instret counter, in kbench's line
 * format (the farm records each figure):
 *   kbench: <operation>   N instructions/op  (R ops)
 * Run from a logged-in shell on a one-hart machine under -icount (QEMU
 * shift=0,sleep=off), where instret counts the one hart's instructions,
 * whoever runs them (this program, the servers, the kernel, the idle
 * loop); on more harts it would count theirs too.  Its output must be the
 * console driver's terminal (a login on the console):
 *   console write        a 64-byte line written to standard output through
 *                        the console driver, drained (tcdrain) at the end,
 *                        per byte: the figure is the line's cost / 64;
 *   pipe 64 KiB write    1 MiB through a pipe in 64 KiB writes to a forked
 *                        child reading 64 KiB at a time, per write (the
 *                        reads, the child's exit and the wait spread over
 *                        them), and the throughput that makes in bytes per
 *                        10^9 instructions;
 *   pipe 1-byte ping-pong  a byte to a child over one pipe and back over
 *                        another, per round trip.
 * Exit status 0, or 1 when something failed (said). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <bench.h>

#define CONSOLE_LINES  256
#define PIPE_TOTAL     (1u << 20)
#define PIPE_CHUNK     (64u << 10)
#define PINGS          1000

static int fail(const char *what)
{
	fprintf(stderr, "iobench: %s: %s\n", what, strerror(errno));
	return 1;
}

static int console(void)
{
	char line[64];

	if (!isatty(1)) {
		errno = ENOTTY;
		return fail("standard output is no terminal");
	}
	memset(line, '=', sizeof line);
	memcpy(line, "iobench console line ", 21);
	line[sizeof line - 1] = '\n';
	tcdrain(1);
	uint64_t t0 = instret();
	for (int i = 0; i < CONSOLE_LINES; i++)
		if (write(1, line, sizeof line) != (ssize_t)sizeof line)
			return fail("console write");
	tcdrain(1);
	uint64_t t = instret() - t0;
	report("console write (per byte, drained)", t, (long)CONSOLE_LINES * (long)sizeof line);
	return 0;
}

static int pipe_throughput(void)
{
	static char buf[PIPE_CHUNK];
	int p[2];

	if (pipe(p) < 0)
		return fail("pipe");
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(p[1]);
		size_t got = 0;
		ssize_t n;
		while ((n = read(p[0], buf, sizeof buf)) > 0)
			got += (size_t)n;
		_exit(got == PIPE_TOTAL ? 0 : 1);
	}
	close(p[0]);
	memset(buf, 'p', sizeof buf);
	uint64_t t0 = instret();
	for (unsigned done = 0; done < PIPE_TOTAL; done += PIPE_CHUNK)
		if (write(p[1], buf, PIPE_CHUNK) != (ssize_t)PIPE_CHUNK)
			return fail("pipe write");
	close(p[1]);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		errno = EIO;
		return fail("the reader did not get every byte");
	}
	uint64_t t = instret() - t0;
	report("pipe 64 KiB write (to a reading child)", t, PIPE_TOTAL / PIPE_CHUNK);
	printf("iobench: pipe throughput %llu bytes per 10^9 instructions\n",
	       (unsigned long long)((uint64_t)PIPE_TOTAL * 1000000000ull / t));
	return 0;
}

static int ping_pong(void)
{
	int to[2], back[2];
	char c = 'x';

	if (pipe(to) < 0 || pipe(back) < 0)
		return fail("pipe");
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		close(to[1]);
		close(back[0]);
		while (read(to[0], &c, 1) == 1)
			if (write(back[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(to[0]);
	close(back[1]);
	/* one round first: the child is running and waiting */
	if (write(to[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
		return fail("ping-pong");
	uint64_t t0 = instret();
	for (int i = 0; i < PINGS; i++)
		if (write(to[1], &c, 1) != 1 || read(back[0], &c, 1) != 1)
			return fail("ping-pong");
	uint64_t t = instret() - t0;
	close(to[1]);
	close(back[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
		errno = EIO;
		return fail("the echoing child failed");
	}
	report("pipe 1-byte ping-pong (round trip)", t, PINGS);
	return 0;
}

int main(void)
{
	int r = console() | pipe_throughput() | ping_pong();

	printf("iobench: %s\n", r ? "failed" : "done");
	return r;
}
