/* tty-uart: the line discipline over the real UART, driven from the host
 * (tests/test_tty.py).  Run on the console driver:
 *   init=/sbin/devc-ser8250 /bin/tty-uart
 * For each step it sets the terminal up, prints "tty-uart: ready STEP",
 * reads what the host types and prints "tty-uart: got STEP <hex>" (the
 * bytes read, hex, "-" for none; "EINTR" when a signal cut the read).  The
 * host checks both what came back and what the terminal echoed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
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
	output_step();
	say("tty-uart: %s%s\n", "done", "");
	return 0;
}
