/* tty-uart: the line discipline over the real UART, driven from the host
 * (tests/test_tty.py).  Run on the console driver:
 *   init=/sbin/devc-ser8250 /bin/tty-uart
 * For each step it sets the terminal up, prints "tty-uart: ready STEP",
 * reads what the host types and prints "tty-uart: got STEP <hex>" (the
 * bytes read, hex, "-" for none; "EINTR" when a signal cut the read).  The
 * host checks both what came back and what the terminal echoed.
 * The poll and select steps print "tty-uart: poll STEP <rc> <revents hex>
 * [<ms>]" and "tty-uart: select STEP <rc> <bit> <ms>" as well; where the
 * program must look at the terminal after the host typed (not wait for
 * it), the host ends what it types with ^C and the program waits for the
 * SIGINT ("tty-uart: intr STEP SIGINT"). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static struct termios saved;
static volatile sig_atomic_t got_sig;

static void on_signal(int signo)
{
	got_sig = signo;
}

static void say(const char *fmt, const char *step, const char *rest)
{
	char line[600];
	int n = snprintf(line, sizeof line, fmt, step, rest);

	write(1, line, (size_t)n);
}

static void report(const char *step, const char *buf, long n)
{
	char hex[520] = "-";

	if (n < 0) {
		snprintf(hex, sizeof hex, "%s", errno == EINTR ? "EINTR" : strerror(errno));
	} else {
		for (long i = 0; i < n && i < 256; i++)
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char)buf[i]);
		if (n == 0)
			strcpy(hex, "-");
	}
	say("tty-uart: got %s %s\n", step, hex);
}

/* Sets lflag (all of it) and iflag on top of the saved state. */
static void mode(tcflag_t lflag, tcflag_t iflag)
{
	struct termios t = saved;

	t.c_lflag = lflag;
	t.c_iflag = iflag;
	tcsetattr(0, TCSANOW, &t);
}

static void read_step(const char *step, size_t len)
{
	char buf[256];

	say("tty-uart: ready %s%s\n", step, "");
	long n = read(0, buf, len);
	report(step, buf, n);
}

/* Raw: reads until want bytes came (VMIN 1 returns what is there). */
static void raw_step(const char *step, size_t want)
{
	struct termios t = saved;
	char buf[64];
	size_t have = 0;

	cfmakeraw(&t);
	tcsetattr(0, TCSANOW, &t);
	say("tty-uart: ready %s%s\n", step, "");
	while (have < want) {
		long n = read(0, buf + have, want - have);
		if (n <= 0)
			break;
		have += (size_t)n;
	}
	tcsetattr(0, TCSANOW, &saved);
	report(step, buf, (long)have);
}

static void signal_step(void)
{
	struct sigaction a = { .sa_handler = on_signal };
	char buf[64];

	sigaction(SIGINT, &a, NULL);
	sigaction(SIGQUIT, &a, NULL);
	mode(saved.c_lflag, saved.c_iflag);
	tcsetpgrp(0, getpgrp());
	say("tty-uart: ready %s%s\n", "isig", "");
	long n = read(0, buf, sizeof buf);
	report("isig", buf, n);
	say("tty-uart: signal %s %s\n", got_sig == SIGINT ? "SIGINT" : "other", "");
}

/* FIONREAD: waits (up to 10 s) for a whole line, then reports the count. */
static void fionread_step(void)
{
	int n = 0;
	char num[16];
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	say("tty-uart: ready %s%s\n", "fionread", "");
	for (int i = 0; i < 500 && n < 6; i++) {
		ioctl(0, FIONREAD, &n);
		if (n < 6)
			nanosleep(&ts, NULL);
	}
	snprintf(num, sizeof num, "%d", n);
	say("tty-uart: count %s %s\n", "fionread", num);
	tcflush(0, TCIFLUSH);
}

/* ---- poll and select -------------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits (up to 20 s, less than the host waits for the answer) for the
 * host's ^C and says whether it came.  With NOFLSH the line typed before
 * it stays, and the driver took every byte before the ^C: the host's way
 * of saying "what I typed is in now". */
static void wait_for_intr(const char *step)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 2000 && !got_sig; i++)
		nanosleep(&ts, NULL);
	say("tty-uart: intr %s %s\n", step, got_sig == SIGINT ? "SIGINT" : "none");
	got_sig = 0;
}

/* One poll of fd 0 for events; prints rc, revents and, when t0 (now_ms()
 * before the ready line) is not negative, the milliseconds since t0. */
static void poll_report(const char *step, short events, int timeout, long t0)
{
	struct pollfd p = { .fd = 0, .events = events };
	char rest[64];
	int rc = poll(&p, 1, timeout);
	long ms = now_ms() - t0;

	if (rc < 0)
		snprintf(rest, sizeof rest, "-1 %s", strerror(errno));
	else if (t0 >= 0)
		snprintf(rest, sizeof rest, "%d %x %ld", rc, (unsigned)p.revents, ms);
	else
		snprintf(rest, sizeof rest, "%d %x", rc, (unsigned)p.revents);
	say("tty-uart: poll %s %s\n", step, rest);
}

static void read_report(const char *step)
{
	char buf[64];
	long n = read(0, buf, sizeof buf);

	report(step, buf, n);
}

/* Says ready, then blocks in poll for POLLIN up to 10 s, then reads. */
static void poll_wait_step(const char *step)
{
	long t0 = now_ms();

	say("tty-uart: ready %s%s\n", step, "");
	poll_report(step, POLLIN, 10000, t0);
	read_report(step);
}

/* Canonical: a partial line is no input yet, its newline makes it so; the
 * terminal takes output at once.  Then the line's coming ends a poll that
 * waits (the arm's pulse). */
static void poll_canon_steps(tcflag_t l, tcflag_t i)
{
	mode(l | NOFLSH, i);
	got_sig = 0;
	say("tty-uart: ready %s%s\n", "poll-partial", "");
	wait_for_intr("poll-partial");
	poll_report("poll-partial", POLLIN, 0, -1);
	poll_report("poll-out", POLLOUT, 0, -1);
	say("tty-uart: ready %s%s\n", "poll-line", "");
	wait_for_intr("poll-line");
	poll_report("poll-line", POLLIN, 0, -1);
	read_report("poll-line");
	mode(l, i);
	poll_wait_step("poll-wait");
}

/* Non-canonical, VMIN 1, VTIME 0: one byte is input. */
static void poll_raw_step(tcflag_t l, tcflag_t i)
{
	struct termios t = saved;

	t.c_lflag = l & ~(tcflag_t)(ICANON | ECHO);
	t.c_iflag = i;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
	poll_wait_step("poll-raw");
	tcsetattr(0, TCSANOW, &saved);
}

/* The helper of poll_mode_step: takes the host's ^C (the only thread
 * that does not block SIGINT), then makes the terminal non-canonical. */
static void *switch_to_raw(void *arg)
{
	struct termios t = saved;
	sigset_t intr;

	(void)arg;
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	pthread_sigmask(SIG_UNBLOCK, &intr, NULL);
	wait_for_intr("poll-mode");
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	tcsetattr(0, TCSANOW, &t);
	return NULL;
}

/* Blocked in poll on a partial line when another thread makes the terminal
 * non-canonical: the bytes are input now, and the poll must hear of it
 * from the settings change (no byte comes after it). */
static void poll_mode_step(tcflag_t l, tcflag_t i)
{
	sigset_t intr, old;
	pthread_t helper;

	mode(l | NOFLSH, i);
	got_sig = 0;
	sigemptyset(&intr);
	sigaddset(&intr, SIGINT);
	pthread_sigmask(SIG_BLOCK, &intr, &old);
	if (pthread_create(&helper, NULL, switch_to_raw, NULL)) {
		say("tty-uart: poll %s %s\n", "poll-mode", "-1 no-thread");
	} else {
		poll_wait_step("poll-mode");
		pthread_join(helper, NULL);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	tcsetattr(0, TCSANOW, &saved);
}

/* Selects fd 0 for reading with a timeout of ms; prints rc, whether fd 0
 * stayed in the set, and the milliseconds since t0. */
static void select_report(const char *step, long ms, long t0)
{
	fd_set rd;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	char rest[64];

	FD_ZERO(&rd);
	FD_SET(0, &rd);
	int rc = select(1, &rd, NULL, NULL, &tv);
	long took = now_ms() - t0;

	if (rc < 0)
		snprintf(rest, sizeof rest, "-1 %s", strerror(errno));
	else
		snprintf(rest, sizeof rest, "%d %d %ld", rc, FD_ISSET(0, &rd) ? 1 : 0, took);
	say("tty-uart: select %s %s\n", step, rest);
}

/* Nothing typed: timed from the call.  Woken by a line the host types
 * after the ready line: timed from before it, so the wait counts whole. */
static void select_steps(void)
{
	say("tty-uart: ready %s%s\n", "select-idle", "");
	select_report("select-idle", 200, now_ms());
	long t0 = now_ms();
	say("tty-uart: ready %s%s\n", "select-wake", "");
	select_report("select-wake", 10000, t0);
	read_report("select-wake");
}

/* ---- VMIN and VTIME ---------------------------------------------------------- */

/* One non-canonical read of up to len bytes under vmin and vtime (tenths
 * of a second), timed from just before the ready line; prints its bytes
 * (got) and its milliseconds (vtime).  The driver's VTIME timer ends it. */
static void vtime_step(const char *step, cc_t vmin, cc_t vtime, size_t len)
{
	struct termios t = saved;
	char buf[64], rest[32];

	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = vmin;
	t.c_cc[VTIME] = vtime;
	tcsetattr(0, TCSANOW, &t);
	long t0 = now_ms();
	say("tty-uart: ready %s%s\n", step, "");
	long n = read(0, buf, len);
	long ms = now_ms() - t0;
	tcsetattr(0, TCSANOW, &saved);
	report(step, buf, n);
	snprintf(rest, sizeof rest, "%ld", ms);
	say("tty-uart: vtime %s %s\n", step, rest);
}

static void output_step(void)
{
	struct termios t = saved;

	write(1, "tty-uart: onlcr a\nb\n", 20);
	tcdrain(1);
	t.c_oflag &= ~OPOST;
	tcsetattr(1, TCSADRAIN, &t);
	write(1, "tty-uart: opost-off c\nd\n", 24);
	tcsetattr(1, TCSADRAIN, &saved);
}

int main(void)
{
	if (tcgetattr(0, &saved) < 0 || !isatty(0)) {
		printf("tty-uart: fd 0 is no terminal: %s\n", strerror(errno));
		return 2;
	}
	tcflag_t l = saved.c_lflag, i = saved.c_iflag;

	read_step("erase", 100);
	read_step("kill", 100);
	read_step("werase", 100);
	read_step("eof-line", 100);
	read_step("eof-empty", 100);
	read_step("eol-short", 3);
	read_step("eol-rest", 100);
	mode(l & ~(tcflag_t)ECHO, i);
	read_step("noecho", 100);
	mode(l & ~(tcflag_t)ECHO, i);
	mode((l & ~(tcflag_t)ECHO) | ECHONL, i);
	read_step("echonl", 100);
	mode(l & ~(tcflag_t)ECHOE, i);
	read_step("no-echoe", 100);
	mode(l, IGNCR);
	read_step("igncr", 100);
	mode(l, INLCR);
	read_step("inlcr", 100);
	mode(l, 0);
	read_step("no-icrnl", 100);
	mode(l, i);
	raw_step("raw", 4);
	signal_step();
	mode(l, i);
	fionread_step();
	poll_canon_steps(l, i);
	poll_raw_step(l, i);
	poll_mode_step(l, i);
	select_steps();
	vtime_step("vtime-idle", 0, 3, 10);     /* nothing typed: 0 after 0.3 s */
	vtime_step("vtime-gap", 4, 3, 10);      /* "ab" typed: 2 bytes 0.3 s after the b */
	output_step();
	say("tty-uart: %s%s\n", "done", "");
	return 0;
}
