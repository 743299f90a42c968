/* conf-pty: pseudo-terminals (posix_openpt, grantpt, unlockpt, ptsname over
 * /sbin/devc-pty) and, through them, every rule of the line discipline
 * that the UART suite (tests/test_tty.py) checks by typing: here the
 * master types and reads the echo, the slave is the terminal.  This
 * program starts /sbin/devc-pty as its child when /dev/ptmx is not served
 * yet, and ends it when done.  Cases name the XSH page they check.
 * make run CMDLINE="init=/bin/conf-pty" */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <conf.h>
#include <server.h>

#define WAIT_MS 2000            /* bound on waiting for bytes that must come */
#define QUIET_MS 100            /* how long "nothing more comes" is watched */

struct pair {
	int m, s;
	char name[32];
};

/* A new pair, the slave opened; false (and a failure said) if not. */
static bool open_pair(struct pair *p)
{
	p->s = -1;
	p->m = posix_openpt(O_RDWR | O_NOCTTY);
	if (p->m < 0) {
		CONF_FAIL("posix_openpt: %s", strerror(errno));
		return false;
	}
	if (grantpt(p->m) || unlockpt(p->m) || ptsname_r(p->m, p->name, sizeof p->name)) {
		CONF_FAIL("grantpt/unlockpt/ptsname_r: %s", strerror(errno));
		close(p->m);
		return false;
	}
	p->s = open(p->name, O_RDWR | O_NOCTTY);
	if (p->s < 0) {
		CONF_FAIL("open %s: %s", p->name, strerror(errno));
		close(p->m);
		return false;
	}
	return true;
}

static void close_pair(struct pair *p)
{
	if (p->s >= 0)
		close(p->s);
	if (p->m >= 0)
		close(p->m);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads from fd until want bytes came or ms passed; the bytes read. */
static size_t read_for(int fd, char *buf, size_t want, int ms)
{
	size_t got = 0;
	int64_t end = now_ms() + ms;

	while (got < want) {
		int64_t left = end - now_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		ssize_t n = read(fd, buf + got, want - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

/* The master must read exactly `text` and then nothing more. */
#define EXPECT_OUT(m, text) do { \
	char eo_[256]; \
	size_t eo_n = read_for((m), eo_, strlen(text), WAIT_MS); \
	if (eo_n != strlen(text) || memcmp(eo_, (text), eo_n)) \
		CONF_FAIL("master read %zu bytes '%.*s', want '%s'", eo_n, (int)eo_n, eo_, \
			  (text)); \
	else if (read_for((m), eo_, 1, QUIET_MS)) \
		CONF_FAIL("master read more than '%s': '%c'", (text), eo_[0]); \
} while (0)

/* A read of the slave right now (O_NONBLOCK for it) must give `text`. */
#define EXPECT_IN(s, text) do { \
	char ei_[256]; \
	fcntl((s), F_SETFL, O_NONBLOCK); \
	ssize_t ei_n = read((s), ei_, sizeof ei_); \
	int ei_e = errno; \
	fcntl((s), F_SETFL, 0); \
	if (ei_n < 0 || (size_t)ei_n != strlen(text) || memcmp(ei_, (text), (size_t)ei_n)) \
		CONF_FAIL("slave read %zd '%.*s' (%s), want '%s'", ei_n, \
			  ei_n > 0 ? (int)ei_n : 0, ei_, ei_n < 0 ? strerror(ei_e) : "", (text)); \
} while (0)

static void type(const struct pair *p, const char *text)
{
	CHECK_EQ(write(p->m, text, strlen(text)), (long)strlen(text));
}

static void set_lflag(int fd, tcflag_t on, tcflag_t off)
{
	struct termios t;

	CHECK_EQ(tcgetattr(fd, &t), 0);
	t.c_lflag = (t.c_lflag | on) & ~off;
	CHECK_EQ(tcsetattr(fd, TCSANOW, &t), 0);
}

/* ---- the pair itself ------------------------------------------------------------- */

static void t_posix_openpt__opens_a_master_and_ptsname_names_its_slave(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	CHECK(strncmp(p.name, "/dev/pts/", 9) == 0);
	CHECK(strcmp(ptsname(p.m), p.name) == 0);
	CHECK(isatty(p.m));
	CHECK(isatty(p.s));
	struct stat st;
	CHECK_EQ(fstat(p.s, &st), 0);
	CHECK(S_ISCHR(st.st_mode));
	close_pair(&p);
}

static void t_posix_openpt__each_open_is_a_new_pair(void)
{
	struct pair a, b;

	REQUIRE(open_pair(&a));
	if (!open_pair(&b)) {
		close_pair(&a);
		return;
	}
	CHECK(strcmp(a.name, b.name) != 0);
	type(&a, "A\n");
	type(&b, "B\n");
	EXPECT_IN(a.s, "A\n");
	EXPECT_IN(b.s, "B\n");
	close_pair(&a);
	close_pair(&b);
}

static void t_posix_openpt__flags_other_than_access_and_NOCTTY_are_EINVAL(void)
{
	CHECK_ERR(posix_openpt(O_RDWR | O_APPEND), EINVAL);
}

static void t_unlockpt__slave_opens_only_once_unlocked(void)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	char name[32];

	REQUIRE(m >= 0);
	CHECK_EQ(ptsname_r(m, name, sizeof name), 0);
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), EIO);
	CHECK_EQ(unlockpt(m), 0);
	int s = open(name, O_RDWR | O_NOCTTY);
	CHECK(s >= 0);
	if (s >= 0)
		close(s);
	close(m);
}

static void t_grantpt__slave_is_the_callers_with_mode_0620(void)
{
	struct pair p;
	struct stat st;

	REQUIRE(open_pair(&p));
	CHECK_EQ(stat(p.name, &st), 0);
	CHECK_EQ(st.st_uid, getuid());
	CHECK_EQ(st.st_mode & 07777, 0620);
	close_pair(&p);
}

static void t_grantpt__descriptor_that_is_no_master_is_EINVAL(void)
{
	struct pair p;
	char name[32];

	REQUIRE(open_pair(&p));
	CHECK_ERR(grantpt(p.s), EINVAL);
	CHECK_ERR(unlockpt(p.s), EINVAL);
	CHECK_EQ(ptsname_r(p.s, name, sizeof name), ENOTTY);
	CHECK_EQ(ptsname_r(p.m, name, 5), ERANGE);
	int fd = open("/dev/ptmx", O_RDONLY | O_NOCTTY);
	CHECK(fd >= 0);
	close(fd);
	close_pair(&p);
}

static void t_opendir__dev_pts_lists_the_open_pairs(void)
{
	struct pair p;
	struct dirent *e;
	bool seen = false;

	REQUIRE(open_pair(&p));
	DIR *d = opendir("/dev/pts");
	CHECK(d != NULL);
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, p.name + 9) == 0)
			seen = true;
	if (d)
		closedir(d);
	CHECK(seen);
	close_pair(&p);
}

static void t_close__a_pair_ends_when_both_sides_close(void)
{
	struct pair p;
	char name[32];

	REQUIRE(open_pair(&p));
	strcpy(name, p.name);
	close_pair(&p);
	CHECK_ERR(open(name, O_RDWR | O_NOCTTY), ENOENT);
}

/* ---- canonical input and echo ------------------------------------------------------- */

static void t_termios__canonical_line_is_readable_only_when_finished(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	type(&p, "abc");
	char c;
	fcntl(p.s, F_SETFL, O_NONBLOCK);
	CHECK_ERR(read(p.s, &c, 1), EAGAIN);
	fcntl(p.s, F_SETFL, 0);
	type(&p, "\n");
	EXPECT_IN(p.s, "abc\n");
	EXPECT_OUT(p.m, "abc\r\n");     /* ECHO, and ONLCR on the echo */
	close_pair(&p);
}

static void t_termios__VERASE_DEL_and_BS_each_erase_a_character(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	type(&p, "abx\x7f" "c\n");
	EXPECT_IN(p.s, "abc\n");
	EXPECT_OUT(p.m, "abx\b \bc\r\n");     /* ECHOE */
	type(&p, "ab\by\n");
	EXPECT_IN(p.s, "ay\n");
	EXPECT_OUT(p.m, "ab\b \by\r\n");
	close_pair(&p);
}

static void t_termios__VKILL_erases_the_line(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	type(&p, "junk\x15ok\n");
	EXPECT_IN(p.s, "ok\n");
	close_pair(&p);
}

static void t_termios__VWERASE_erases_a_word(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	type(&p, "one two\x17three\n");
	EXPECT_IN(p.s, "one three\n");
	close_pair(&p);
}

static void t_termios__VEOF_ends_a_line_and_alone_reads_0(void)
{
	struct pair p;
	char buf[16];

	REQUIRE(open_pair(&p));
	type(&p, "abc\x04");
	EXPECT_IN(p.s, "abc");
	type(&p, "\x04");
	CHECK_EQ(read(p.s, buf, sizeof buf), 0);
	close_pair(&p);
}

static void t_termios__VEOL_is_a_second_delimiter(void)
{
	struct pair p;
	struct termios t;

	REQUIRE(open_pair(&p));
	CHECK_EQ(tcgetattr(p.s, &t), 0);
	t.c_cc[VEOL] = ';';
	CHECK_EQ(tcsetattr(p.s, TCSANOW, &t), 0);
	type(&p, "ab;");
	EXPECT_IN(p.s, "ab;");
	close_pair(&p);
}

static void t_termios__ICRNL_IGNCR_and_INLCR_map_input(void)
{
	struct pair p;
	struct termios t;

	REQUIRE(open_pair(&p));
	type(&p, "x\r");
	EXPECT_IN(p.s, "x\n");          /* ICRNL, the default */
	CHECK_EQ(tcgetattr(p.s, &t), 0);
	t.c_iflag |= IGNCR;
	CHECK_EQ(tcsetattr(p.s, TCSANOW, &t), 0);
	type(&p, "a\rb\n");
	EXPECT_IN(p.s, "ab\n");
	t.c_iflag = (t.c_iflag & ~(IGNCR | ICRNL)) | INLCR;
	t.c_lflag &= ~(tcflag_t)ICANON;
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	CHECK_EQ(tcsetattr(p.s, TCSANOW, &t), 0);
	type(&p, "a\n");
	EXPECT_IN(p.s, "a\r");
	close_pair(&p);
}

static void t_termios__ECHO_off_hides_input_and_ECHONL_still_echoes_newline(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	set_lflag(p.s, ECHONL, ECHO);
	type(&p, "secret\n");
	EXPECT_IN(p.s, "secret\n");
	EXPECT_OUT(p.m, "\r\n");
	close_pair(&p);
}

static void t_termios__OPOST_ONLCR_maps_output_and_off_passes_it(void)
{
	struct pair p;
	struct termios t;

	REQUIRE(open_pair(&p));
	CHECK_EQ(write(p.s, "a\nb", 3), 3);
	EXPECT_OUT(p.m, "a\r\nb");
	CHECK_EQ(tcgetattr(p.s, &t), 0);
	t.c_oflag &= ~(tcflag_t)OPOST;
	CHECK_EQ(tcsetattr(p.s, TCSANOW, &t), 0);
	CHECK_EQ(write(p.s, "a\nb", 3), 3);
	EXPECT_OUT(p.m, "a\nb");
	close_pair(&p);
}

static void t_tcsetattr__the_masters_settings_are_the_slaves(void)
{
	struct pair p;
	struct termios t;

	REQUIRE(open_pair(&p));
	set_lflag(p.m, 0, ICANON);
	CHECK_EQ(tcgetattr(p.s, &t), 0);
	CHECK(!(t.c_lflag & ICANON));
	close_pair(&p);
}

/* ---- non-canonical reads: VMIN and VTIME ---------------------------------------------- */

static void set_vmin_vtime(int fd, int vmin, int vtime)
{
	struct termios t;

	CHECK_EQ(tcgetattr(fd, &t), 0);
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = (cc_t)vmin;
	t.c_cc[VTIME] = (cc_t)vtime;
	CHECK_EQ(tcsetattr(fd, TCSANOW, &t), 0);
}

static void t_termios__VMIN_0_VTIME_0_returns_at_once(void)
{
	struct pair p;
	char buf[8];

	REQUIRE(open_pair(&p));
	set_vmin_vtime(p.s, 0, 0);
	CHECK_EQ(read(p.s, buf, sizeof buf), 0);
	type(&p, "xy");
	CHECK_EQ(read(p.s, buf, sizeof buf), 2);
	close_pair(&p);
}

static void t_termios__VMIN_0_VTIME_gives_up_after_the_time(void)
{
	struct pair p;
	char buf[8];

	REQUIRE(open_pair(&p));
	set_vmin_vtime(p.s, 0, 3);
	int64_t t0 = now_ms();
	CHECK_EQ(read(p.s, buf, sizeof buf), 0);
	int64_t took = now_ms() - t0;
	if (took < 250 || took > WAIT_MS)
		CONF_FAIL("VTIME 3 read returned after %lld ms", (long long)took);
	close_pair(&p);
}

static void t_termios__VMIN_and_VTIME_inter_byte_timer_ends_a_short_read(void)
{
	struct pair p;
	char buf[8];

	REQUIRE(open_pair(&p));
	set_vmin_vtime(p.s, 5, 2);
	type(&p, "ab");
	int64_t t0 = now_ms();
	CHECK_EQ(read(p.s, buf, sizeof buf), 2);
	int64_t took = now_ms() - t0;
	if (took > WAIT_MS)
		CONF_FAIL("VTIME 2 read returned after %lld ms", (long long)took);
	type(&p, "12345");
	CHECK_EQ(read(p.s, buf, sizeof buf), 5);        /* VMIN met: no wait */
	close_pair(&p);
}

/* ---- signals to the foreground process group ---------------------------------------- */

/* A session whose controlling terminal is p's slave (tcsetpgrp is for the
 * caller's own controlling terminal, and for a group of its session), in
 * front a child in a process group of its own that waits (signals
 * blocked, sigtimedwait) for the signals of `want`.  The session's leader
 * writes "R" to the terminal once the child is the foreground group, then
 * waits for it and exits with a bit per signal that came (bit i: want[i]),
 * or 100 and up when it could not set this up.  It keeps no master open:
 * the caller's is the last.  The leader's pid once the child is in front,
 * or 0. */
static pid_t fg_start(const struct pair *p, const int *want, int n)
{
	pid_t leader = fork();

	if (leader == 0) {
		close(p->s);
		close(p->m);
		sigset_t set;
		sigemptyset(&set);
		for (int i = 0; i < n; i++)
			sigaddset(&set, want[i]);
		sigprocmask(SIG_BLOCK, &set, NULL);     /* the child's from its start on */
		if (setsid() < 0)
			_exit(100);
		int s = open(p->name, O_RDWR);          /* becomes the controlling terminal */
		if (s < 0)
			_exit(101);
		pid_t pid = fork();
		if (pid == 0) {
			setpgid(0, 0);
			close(s);
			unsigned mask = 0;
			struct timespec ts = { 5, 0 };
			for (int i = 0; i < n; i++) {
				int sig = sigtimedwait(&set, NULL, &ts);
				for (int j = 0; j < n; j++)
					if (sig == want[j])
						mask |= 1u << j;
			}
			_exit((int)mask);
		}
		if (pid < 0)
			_exit(102);
		setpgid(pid, pid);
		if (tcsetpgrp(s, pid) < 0 || tcgetpgrp(s) != pid)
			_exit(103);
		if (write(s, "R", 1) != 1)
			_exit(104);
		int status = 0;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
			_exit(105);
		_exit(WEXITSTATUS(status));
	}
	struct pollfd pfd = { p->m, POLLIN, 0 };
	char c = 0;
	if (leader > 0 && poll(&pfd, 1, 10000) == 1 && read(p->m, &c, 1) == 1 && c == 'R')
		return leader;
	int status = 0;
	if (leader > 0)
		waitpid(leader, &status, 0);
	CONF_FAIL("fg_start: no child in front (leader %d, status 0x%x)", (int)leader, status);
	return 0;
}

/* The mask fg_session's leader ended with. */
static unsigned fg_child_mask(pid_t pid)
{
	int status = 0;

	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	return (unsigned)WEXITSTATUS(status);
}

static void t_termios__ISIG_VINTR_VQUIT_VSUSP_signal_the_foreground_group(void)
{
	static const int want[] = { SIGINT, SIGQUIT, SIGTSTP };
	struct pair p;

	REQUIRE(open_pair(&p));
	pid_t pid = fg_start(&p, want, 3);
	REQUIRE(pid > 0);
	struct timespec gap = { 0, 50 * 1000 * 1000 };
	type(&p, "\x03");
	nanosleep(&gap, NULL);
	type(&p, "\x1c");
	nanosleep(&gap, NULL);
	type(&p, "\x1a");
	unsigned mask = fg_child_mask(pid);
	CHECK_EQ(mask, 7);              /* all three */
	close_pair(&p);
}

static void t_termios__ISIG_off_makes_VINTR_data(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	set_lflag(p.s, 0, ISIG);
	type(&p, "\x03\n");
	EXPECT_IN(p.s, "\x03\n");
	close_pair(&p);
}

static void t_ioctl__TIOCSWINSZ_on_the_master_is_the_slaves_and_sends_SIGWINCH(void)
{
	static const int want[] = { SIGWINCH };
	struct pair p;
	struct winsize w = { 50, 132, 0, 0 }, got;

	REQUIRE(open_pair(&p));
	pid_t pid = fg_start(&p, want, 1);
	REQUIRE(pid > 0);
	CHECK_EQ(ioctl(p.m, TIOCSWINSZ, &w), 0);
	CHECK_EQ(ioctl(p.s, TIOCGWINSZ, &got), 0);
	CHECK_EQ(got.ws_row, 50);
	CHECK_EQ(got.ws_col, 132);
	CHECK_EQ(fg_child_mask(pid), 1);
	close_pair(&p);
}

/* ---- hang-up ---------------------------------------------------------------------- */

static void t_close__master_close_hangs_up_the_slave(void)
{
	static const int want[] = { SIGHUP };
	struct pair p;
	char buf[8];

	REQUIRE(open_pair(&p));
	pid_t pid = fg_start(&p, want, 1);
	REQUIRE(pid > 0);
	close(p.m);
	p.m = -1;
	CHECK_EQ(fg_child_mask(pid), 1);
	CHECK_EQ(read(p.s, buf, sizeof buf), 0);
	CHECK_ERR(write(p.s, "x", 1), EIO);
	struct pollfd pfd = { p.s, POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK(pfd.revents & POLLHUP);
	close_pair(&p);
}

/* POSIX _exit: when a controlling process ends, SIGHUP goes to each
 * process in its terminal's foreground process group, and the terminal is
 * its session's no more.  The leader puts a child in front in a group of
 * its own and ends; the child (SIGHUP blocked, sigtimedwait) writes to the
 * terminal whether SIGHUP came within 5 s.  (Nothing came: it waited the
 * 5 s.) */
static void t_exit__a_controlling_process_ending_hangs_up_its_foreground_group(void)
{
	struct pair p;
	char c[2] = { 0, 0 };

	REQUIRE(open_pair(&p));
	pid_t leader = fork();
	if (leader == 0) {
		close(p.s);
		close(p.m);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigprocmask(SIG_BLOCK, &set, NULL);     /* the child's from its start on */
		if (setsid() < 0)
			_exit(100);
		int s = open(p.name, O_RDWR);           /* becomes the controlling terminal */
		if (s < 0)
			_exit(101);
		pid_t pid = fork();
		if (pid == 0) {
			setpgid(0, 0);
			struct timespec ts = { 5, 0 };
			char got = sigtimedwait(&set, NULL, &ts) == SIGHUP ? 'H' : '-';
			_exit(write(s, &got, 1) == 1 ? 0 : 1);
		}
		if (pid < 0)
			_exit(102);
		setpgid(pid, pid);
		if (tcsetpgrp(s, pid) < 0 || tcgetpgrp(s) != pid)
			_exit(103);
		_exit(write(s, "R", 1) == 1 ? 0 : 104);  /* and the controlling process ends */
	}
	REQUIRE(leader > 0);
	int status = -1;
	CHECK_EQ(waitpid(leader, &status, 0), leader);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(read_for(p.m, c, 2, 10000), 2);
	CHECK_EQ(c[0], 'R');
	CHECK_EQ(c[1], 'H');
	close_pair(&p);
}

static void t_read__master_reads_what_is_left_then_EIO_with_no_slave_open(void)
{
	struct pair p;
	char buf[8];

	REQUIRE(open_pair(&p));
	CHECK_EQ(write(p.s, "bye", 3), 3);
	close(p.s);
	p.s = -1;
	CHECK_EQ(read(p.m, buf, sizeof buf), 3);
	CHECK_ERR(read(p.m, buf, sizeof buf), EIO);
	close_pair(&p);
}

/* ---- readiness, FIONREAD, flow control ---------------------------------------------- */

static void t_poll__each_side_is_readable_when_the_other_wrote(void)
{
	struct pair p;
	struct pollfd pfd;

	REQUIRE(open_pair(&p));
	pfd = (struct pollfd){ p.m, POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	pfd = (struct pollfd){ p.s, POLLIN | POLLOUT, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK_EQ(pfd.revents, POLLOUT);
	CHECK_EQ(write(p.s, "out", 3), 3);
	pfd = (struct pollfd){ p.m, POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECK(pfd.revents & POLLIN);
	type(&p, "half");
	pfd = (struct pollfd){ p.s, POLLIN, 0 };
	CHECK_EQ(poll(&pfd, 1, 0), 0);  /* an unfinished line is not input yet */
	type(&p, "\n");
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	close_pair(&p);
}

struct typer {
	int fd;
	int delay_ms;
};

static void *type_later(void *arg)
{
	const struct typer *t = arg;
	struct timespec ts = { 0, t->delay_ms * 1000000L };

	nanosleep(&ts, NULL);
	write(t->fd, "late\n", 5);
	return NULL;
}

static void t_poll__a_waiting_poll_wakes_when_the_master_types(void)
{
	struct pair p;
	pthread_t th;

	REQUIRE(open_pair(&p));
	struct typer t = { p.m, 200 };
	REQUIRE(pthread_create(&th, NULL, type_later, &t) == 0);
	struct pollfd pfd = { p.s, POLLIN, 0 };
	int64_t t0 = now_ms();
	CHECK_EQ(poll(&pfd, 1, 5000), 1);
	CHECK(now_ms() - t0 < 4000);
	pthread_join(th, NULL);
	EXPECT_IN(p.s, "late\n");
	close_pair(&p);
}

static void t_ioctl__FIONREAD_counts_each_sides_input(void)
{
	struct pair p;
	int n = -1;

	REQUIRE(open_pair(&p));
	set_lflag(p.s, 0, ECHO);
	type(&p, "four\n");
	CHECK_EQ(ioctl(p.s, FIONREAD, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_EQ(write(p.s, "xyz", 3), 3);
	CHECK_EQ(ioctl(p.m, FIONREAD, &n), 0);
	CHECK_EQ(n, 3);
	close_pair(&p);
}

static void t_write__full_queues_stop_writers_nonblocking_ones_get_EAGAIN(void)
{
	static char buf[20000];
	struct pair p;

	REQUIRE(open_pair(&p));
	set_vmin_vtime(p.s, 1, 0);
	for (size_t i = 0; i < sizeof buf; i++)
		buf[i] = (char)('a' + i % 26);
	/* master to slave: the input queue takes what it holds, then EAGAIN */
	fcntl(p.m, F_SETFL, O_NONBLOCK);
	ssize_t in = write(p.m, buf, sizeof buf);
	CHECK(in > 1000 && in < (ssize_t)sizeof buf);
	CHECK_ERR(write(p.m, buf, 1), EAGAIN);
	static char got[20000];
	size_t n = read_for(p.s, got, (size_t)in, WAIT_MS);
	CHECK_EQ(n, in);
	CHECK(memcmp(got, buf, n) == 0);
	/* slave to master, output processing off: the ring, then EAGAIN */
	struct termios t;
	CHECK_EQ(tcgetattr(p.s, &t), 0);
	t.c_oflag &= ~(tcflag_t)OPOST;
	CHECK_EQ(tcsetattr(p.s, TCSANOW, &t), 0);
	fcntl(p.s, F_SETFL, O_NONBLOCK);
	ssize_t out = write(p.s, buf, sizeof buf);
	CHECK(out > 1000 && out < (ssize_t)sizeof buf);
	CHECK_ERR(write(p.s, buf, 1), EAGAIN);
	fcntl(p.s, F_SETFL, 0);
	n = read_for(p.m, got, (size_t)out, WAIT_MS);
	CHECK_EQ(n, out);
	CHECK(memcmp(got, buf, n) == 0);
	close_pair(&p);
}

static void *drain_master(void *arg)
{
	static char sink[4096];
	const struct pair *p = arg;
	size_t total = 0;

	while (total < 20000) {
		ssize_t n = read(p->m, sink, sizeof sink);
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	return (void *)total;
}

static void t_write__a_blocking_slave_write_finishes_as_the_master_reads(void)
{
	static char buf[20000];
	struct pair p;
	pthread_t th;
	void *total;

	REQUIRE(open_pair(&p));
	struct termios t;
	CHECK_EQ(tcgetattr(p.s, &t), 0);
	t.c_oflag &= ~(tcflag_t)OPOST;
	CHECK_EQ(tcsetattr(p.s, TCSANOW, &t), 0);
	memset(buf, 'z', sizeof buf);
	REQUIRE(pthread_create(&th, NULL, drain_master, &p) == 0);
	CHECK_EQ(write(p.s, buf, sizeof buf), (long)sizeof buf);
	pthread_join(th, &total);
	CHECK_EQ((long)(uintptr_t)total, (long)sizeof buf);
	close_pair(&p);
}

/* ---- the controlling terminal (/dev/tty) ------------------------------------------- */

/* Runs fn in a child that has made a session of its own; its exit status
 * (fn's return value), or -1. */
static int in_new_session(int (*fn)(const struct pair *), const struct pair *p)
{
	pid_t pid = fork();
	int status = 0;

	if (pid == 0) {
		close(p->s);
		if (setsid() < 0)
			_exit(90);
		_exit(fn(p));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* tcsetpgrp is for the caller's controlling terminal only (ENOTTY), and
 * only to a group of the caller's session (EPERM): the terminal's server
 * signals the foreground group as root, so a user who could name any
 * group there could ^C, ^Z or hang up anyone's processes. */
static int foreign_group(const struct pair *p)
{
	int s = open(p->name, O_RDWR);          /* this session's terminal now */

	if (s < 0)
		return 1;
	if (tcsetpgrp(s, getpgid(getppid())) == 0 || errno != EPERM)
		return 2;                       /* the caller's group: another session */
	if (tcsetpgrp(s, getpid()) != 0)
		return 3;
	return 0;
}

static void t_tcsetpgrp__only_the_callers_terminal_and_session(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	CHECK_ERR(tcsetpgrp(p.s, getpgrp()), ENOTTY);   /* not our controlling terminal */
	CHECK_EQ(in_new_session(foreign_group, &p), 0);
	pid_t pid = fork();
	if (pid == 0) {                         /* a user, outside any session of p's */
		if (setuid(100) < 0)
			_exit(10);
		_exit(tcsetpgrp(p.s, getppid()) == 0 ? 11 : errno == ENOTTY ? 0 : 12);
	}
	int status = -1;
	REQUIRE(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close_pair(&p);
}

static int dev_tty_without_ctty(const struct pair *p)
{
	(void)p;
	errno = 0;
	int fd = open("/dev/tty", O_RDWR);
	return fd < 0 && errno == ENXIO ? 0 : 1;
}

static int slave_becomes_ctty(const struct pair *p)
{
	struct stat a, b;
	int s = open(p->name, O_RDWR);
	if (s < 0)
		return 1;
	int t = open("/dev/tty", O_RDWR);
	if (t < 0)
		return 2;
	if (fstat(s, &a) || fstat(t, &b) || a.st_ino != b.st_ino)
		return 3;
	close(s);                               /* the session keeps it all the same */
	if (write(t, "ctty", 4) != 4)
		return 4;
	close(t);
	t = open("/dev/tty", O_RDWR);
	if (t < 0)
		return 5;
	close(t);
	return 0;
}

/* Opens the slave (without O_NOCTTY) and finds no /dev/tty: the terminal
 * is another session's. */
static int slave_then_no_ctty(const struct pair *p)
{
	int s = open(p->name, O_RDWR);
	if (s < 0)
		return 1;
	return dev_tty_without_ctty(p) ? 2 : 0;
}

static int noctty_open_leaves_none(const struct pair *p)
{
	int s = open(p->name, O_RDWR | O_NOCTTY);
	if (s < 0)
		return 1;
	return dev_tty_without_ctty(p) ? 2 : 0;
}

/* The leader takes the slave; a second session's leader opening it does
 * not get it too. */
static int second_session_does_not_take_it(const struct pair *p)
{
	int s = open(p->name, O_RDWR);
	if (s < 0)
		return 1;
	struct pair q = *p;
	q.s = s;
	int r = in_new_session(slave_then_no_ctty, &q);
	close(s);
	return r == 0 ? 0 : 10 + r;
}

/* What a background process does to its controlling terminal. */
enum bg_op {
	BG_READ,                /* read: stops with SIGTTIN, then reads "ab\n" */
	BG_READ_IGNORING,       /* read ignoring SIGTTIN: EIO */
	BG_TCSETATTR,           /* tcsetattr: stops with SIGTTOU, then succeeds */
	BG_WRITE,               /* write, TOSTOP clear: goes through at once */
	BG_WRITE_TOSTOP,        /* write, TOSTOP set: stops with SIGTTOU, then writes */
	BG_WRITE_TOSTOP_IGNORING, /* the same ignoring SIGTTOU: goes through */
	BG_WRITE_TOSTOP_BLOCKING, /* the same blocking SIGTTOU: goes through */
	BG_TCSETATTR_BLOCKING,  /* tcsetattr blocking SIGTTOU: succeeds at once */
};

static void block_signal(int signo)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, signo);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* The background child's part: its exit status (0 or a byte count). */
static int bg_child(int s, enum bg_op op)
{
	struct termios t;
	char buf[16];

	errno = 0;
	switch (op) {
	case BG_READ:
		return (int)read(s, buf, sizeof buf);
	case BG_READ_IGNORING:
		signal(SIGTTIN, SIG_IGN);
		return read(s, buf, sizeof buf) == -1 && errno == EIO ? 0 : 1;
	case BG_TCSETATTR:
		return tcgetattr(s, &t) == 0 && tcsetattr(s, TCSANOW, &t) == 0 ? 0 : 1;
	case BG_WRITE_TOSTOP_IGNORING:
		signal(SIGTTOU, SIG_IGN);
		return write(s, "bg\n", 3) == 3 ? 0 : 1;
	case BG_WRITE_TOSTOP_BLOCKING:
		block_signal(SIGTTOU);
		return write(s, "bg\n", 3) == 3 ? 0 : 1;
	case BG_TCSETATTR_BLOCKING:
		block_signal(SIGTTOU);
		return tcgetattr(s, &t) == 0 && tcsetattr(s, TCSANOW, &t) == 0 ? 0 : 1;
	default:
		return write(s, "bg\n", 3) == 3 ? 0 : 1;
	}
}

/* In a session whose controlling terminal is the slave, with the leader's
 * group in the foreground: a child in a group of its own (the background)
 * does op.  Checks that it stops with the signal op says (then makes it the
 * foreground and continues it) or finishes at once, and its exit status. */
static int background_op(const struct pair *p, enum bg_op op)
{
	static const int stop[] = { [BG_READ] = SIGTTIN, [BG_TCSETATTR] = SIGTTOU,
				    [BG_WRITE_TOSTOP] = SIGTTOU };
	static const int want[] = { [BG_READ] = 3 };
	struct termios t;
	int s = open(p->name, O_RDWR);

	if (s < 0 || tcsetpgrp(s, getpid()) < 0 || tcgetattr(s, &t) < 0)
		return 1;
	if (op == BG_WRITE_TOSTOP || op == BG_WRITE_TOSTOP_IGNORING ||
	    op == BG_WRITE_TOSTOP_BLOCKING) {
		t.c_lflag |= TOSTOP;
		if (tcsetattr(s, TCSANOW, &t) < 0)
			return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(bg_child(s, op));
	}
	int status = 0;
	setpgid(pid, pid);
	if (waitpid(pid, &status, WUNTRACED) != pid)
		return 2;
	if (op < sizeof stop / sizeof stop[0] && stop[op]) {
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != stop[op])
			return 4;
		if (tcsetpgrp(s, pid) < 0 || kill(pid, SIGCONT) < 0)
			return 5;
		if (waitpid(pid, &status, 0) != pid)
			return 6;
	}
	if (!WIFEXITED(status))
		return 7;
	int w = op < sizeof want / sizeof want[0] ? want[op] : 0;
	return WEXITSTATUS(status) == w ? 0 : 8;
}

static int bg_read(const struct pair *p) { return background_op(p, BG_READ); }
static int bg_read_ignoring(const struct pair *p) { return background_op(p, BG_READ_IGNORING); }
static int bg_tcsetattr(const struct pair *p) { return background_op(p, BG_TCSETATTR); }
static int bg_write(const struct pair *p) { return background_op(p, BG_WRITE); }
static int bg_write_tostop(const struct pair *p) { return background_op(p, BG_WRITE_TOSTOP); }
static int bg_write_tostop_ignoring(const struct pair *p)
{
	return background_op(p, BG_WRITE_TOSTOP_IGNORING);
}
static int bg_write_tostop_blocking(const struct pair *p)
{
	return background_op(p, BG_WRITE_TOSTOP_BLOCKING);
}
static int bg_tcsetattr_blocking(const struct pair *p)
{
	return background_op(p, BG_TCSETATTR_BLOCKING);
}

/* An orphaned process group (POSIX.1 11.1.4): the child's own child, in a
 * group of its own, outlives it, so its parent is then outside the
 * session.  Its read of the terminal (or its write with TOSTOP set) from
 * the background is EIO, without a stop; it tells the session leader with
 * a signal: SIGUSR1 for EIO, SIGUSR2 for anything else. */
static int orphan_op(const struct pair *p, bool writes)
{
	struct termios t;
	sigset_t both;
	struct timespec wait = { 10, 0 };
	int s = open(p->name, O_RDWR);
	pid_t leader = getpid();

	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	if (s < 0 || tcsetpgrp(s, leader) < 0 || tcgetattr(s, &t) < 0 ||
	    sigprocmask(SIG_BLOCK, &both, NULL) < 0)
		return 1;
	if (writes) {
		t.c_lflag |= TOSTOP;
		if (tcsetattr(s, TCSANOW, &t) < 0)
			return 1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		pid_t parent = getpid();
		if (fork() == 0) {
			char buf[16];
			setpgid(0, 0);
			for (int i = 0; i < 500 && getppid() == parent; i++)
				usleep(10000);                  /* until its parent is gone */
			errno = 0;
			long r = writes ? write(s, "bg\n", 3) : read(s, buf, sizeof buf);
			kill(leader, r == -1 && errno == EIO ? SIGUSR1 : SIGUSR2);
			_exit(0);
		}
		_exit(0);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid)
		return 2;
	int sig = sigtimedwait(&both, NULL, &wait);
	if (sig < 0)
		return 3;                               /* stopped, or gone without a word */
	return sig == SIGUSR1 ? 0 : 4;
}

static int orphan_read(const struct pair *p) { return orphan_op(p, false); }
static int orphan_write_tostop(const struct pair *p) { return orphan_op(p, true); }

/* Runs fn (a background_op) in a new session on a new pair with "ab\n"
 * typed; the master must then read want (what the child wrote). */
static void background_case(int (*fn)(const struct pair *), const char *want)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	set_lflag(p.s, 0, ECHO);
	type(&p, "ab\n");
	CHECK_EQ(in_new_session(fn, &p), 0);
	EXPECT_OUT(p.m, want);
	close_pair(&p);
}

static void t_read__a_background_read_stops_with_SIGTTIN_and_reads_once_in_front(void)
{
	background_case(bg_read, "");
}

static void t_read__a_background_read_that_ignores_SIGTTIN_is_EIO(void)
{
	background_case(bg_read_ignoring, "");
}

static void t_tcsetattr__from_the_background_stops_with_SIGTTOU(void)
{
	background_case(bg_tcsetattr, "");
}

static void t_write__from_the_background_goes_through_without_TOSTOP(void)
{
	background_case(bg_write, "bg\r\n");
}

static void t_write__from_the_background_with_TOSTOP_stops_with_SIGTTOU(void)
{
	background_case(bg_write_tostop, "bg\r\n");
}

static void t_write__with_TOSTOP_a_writer_ignoring_SIGTTOU_goes_through(void)
{
	background_case(bg_write_tostop_ignoring, "bg\r\n");
}

static void t_write__with_TOSTOP_a_writer_blocking_SIGTTOU_goes_through(void)
{
	background_case(bg_write_tostop_blocking, "bg\r\n");
}

static void t_tcsetattr__from_the_background_blocking_SIGTTOU_goes_through(void)
{
	background_case(bg_tcsetattr_blocking, "");
}

static void t_read__from_an_orphaned_background_group_is_EIO(void)
{
	background_case(orphan_read, "");
}

static void t_write__with_TOSTOP_from_an_orphaned_background_group_is_EIO(void)
{
	background_case(orphan_write_tostop, "");
}

static void t_open__dev_tty_is_ENXIO_without_a_controlling_terminal(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	CHECK_EQ(in_new_session(dev_tty_without_ctty, &p), 0);
	close_pair(&p);
}

static void t_open__a_session_leaders_open_makes_the_slave_its_dev_tty(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	CHECK_EQ(in_new_session(slave_becomes_ctty, &p), 0);
	EXPECT_OUT(p.m, "ctty");
	close_pair(&p);
}

static void t_open__O_NOCTTY_leaves_the_session_without_one(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	CHECK_EQ(in_new_session(noctty_open_leaves_none, &p), 0);
	close_pair(&p);
}

static void t_open__another_sessions_controlling_terminal_is_not_taken(void)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	CHECK_EQ(in_new_session(second_session_does_not_take_it, &p), 0);
	close_pair(&p);
}

/* ---- a shell on a pseudo-terminal --------------------------------------------------- */

static void t_posix_spawn__a_shell_runs_on_the_slave(void)
{
	struct pair p;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	char *argv[] = { "/bin/sh", NULL };
	pid_t pid;

	REQUIRE(open_pair(&p));
	set_lflag(p.s, 0, ECHO);
	posix_spawn_file_actions_init(&fa);
	for (int fd = 0; fd < 3; fd++)
		posix_spawn_file_actions_adddup2(&fa, p.s, fd);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&sa, 0);
	CHECK_EQ(posix_spawn(&pid, argv[0], &fa, &sa, argv, NULL), 0);
	type(&p, "echo pty-$((6 * 7)); exit 3\n");
	char out[512];
	size_t n = 0;
	int64_t end = now_ms() + 5 * WAIT_MS;
	while (n < sizeof out - 1 && now_ms() < end) {
		size_t got = read_for(p.m, out + n, sizeof out - 1 - n, 100);
		n += got;
		out[n] = 0;
		if (strstr(out, "pty-42\r\n"))
			break;
	}
	out[n] = 0;
	if (!strstr(out, "pty-42\r\n")) {
		for (size_t i = 0; i < n; i++)          /* one KTAP line */
			if (out[i] < ' ' || out[i] > '~')
				out[i] = '.';
		CONF_FAIL("the shell's output: '%.200s'", out);
	}
	int status = 0;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	close_pair(&p);
}

/* ---- named pairs (/dev/ptypX, /dev/ttypX) ------------------------------------------ */

/* The last of devc-pty's four named pairs: init keeps a getty on the first
 * (/etc/ttys), none on this one. */
#define NAMED_MASTER "/dev/ptyp3"
#define NAMED_SLAVE  "/dev/ttyp3"

/* The slave opens for root only (root's, group tty, 0620): false for
 * another user, after checking that it is refused. */
static bool named_slave_is_ours(void)
{
	if (geteuid() == 0)
		return true;
	CHECK_ERR(open(NAMED_SLAVE, O_RDWR | O_NOCTTY), EACCES);
	conf_line("# not root: only the refusal of " NAMED_SLAVE " is checked");
	return false;
}

static void t_open__a_named_slave_opens_without_a_master_and_its_output_waits(void)
{
	struct pair p = { -1, -1, "" };
	struct stat st;

	if (!named_slave_is_ours())
		return;
	CHECK_EQ(stat(NAMED_SLAVE, &st), 0);
	CHECK_EQ(st.st_mode, (mode_t)(S_IFCHR | 0620));
	CHECK_EQ(st.st_uid, 0u);
	CHECK_EQ(st.st_gid, 5u);                /* tty */
	p.s = open(NAMED_SLAVE, O_RDWR | O_NOCTTY);
	REQUIRE(p.s >= 0);
	CHECK_EQ(write(p.s, "hi\n", 3), 3);    /* no master yet: it waits */
	p.m = open(NAMED_MASTER, O_RDWR | O_NOCTTY);
	REQUIRE(p.m >= 0);
	EXPECT_OUT(p.m, "hi\r\n");
	set_lflag(p.s, 0, ECHO);
	type(&p, "x\n");
	EXPECT_IN(p.s, "x\n");
	char name[32];
	CHECK(ptsname_r(p.m, name, sizeof name) != 0);  /* not a /dev/ptmx master */
	CHECK_EQ(stat(NAMED_MASTER, &st), 0);          /* a stat hangs nothing up */
	CHECK_EQ(st.st_mode, (mode_t)(S_IFCHR | 0666));
	CHECK_EQ(write(p.s, "on\n", 3), 3);
	EXPECT_OUT(p.m, "on\r\n");
	close_pair(&p);
}

static void t_open__a_named_master_is_one_at_a_time_and_busy_until_its_session_ends(void)
{
	struct pair p = { -1, -1, "" };
	struct termios t;
	char buf[8];

	if (!named_slave_is_ours())
		return;
	p.m = open(NAMED_MASTER, O_RDWR | O_NOCTTY);
	REQUIRE(p.m >= 0);
	CHECK_ERR(open(NAMED_MASTER, O_RDWR | O_NOCTTY), EBUSY);
	p.s = open(NAMED_SLAVE, O_RDWR | O_NOCTTY);
	REQUIRE(p.s >= 0);
	set_lflag(p.s, 0, ECHO | ICANON);
	close(p.m);                             /* hang-up */
	p.m = -1;
	CHECK_EQ(read(p.s, buf, sizeof buf), 0);
	CHECK_ERR(open(NAMED_MASTER, O_RDWR | O_NOCTTY), EBUSY);
	CHECK_ERR(open(NAMED_SLAVE, O_RDWR | O_NOCTTY), EIO);
	close(p.s);                             /* the session ends: the pair is new */
	p.s = open(NAMED_SLAVE, O_RDWR | O_NOCTTY);
	REQUIRE(p.s >= 0);
	CHECK_EQ(tcgetattr(p.s, &t), 0);
	CHECK((t.c_lflag & (ECHO | ICANON)) == (ECHO | ICANON));
	p.m = open(NAMED_MASTER, O_RDWR | O_NOCTTY);
	CHECK(p.m >= 0);
	close_pair(&p);
}

/* ---- getpass ----------------------------------------------------------------------- */

/* A child in a session of its own calls getpass on the slave: as its
 * controlling terminal (/dev/tty) when ctty, else (no controlling
 * terminal, /dev/tty is ENXIO) as its fds 0 and 2.  It exits 0 if the
 * password came back and the terminal's echo is on again.  The master
 * waits for the prompt, types the line, and must see no echo of it, only
 * the newline getpass writes. */
static void getpass_on_slave(bool ctty)
{
	struct pair p;

	REQUIRE(open_pair(&p));
	pid_t pid = fork();
	if (pid == 0) {
		close(p.m);
		if (setsid() < 0)
			_exit(90);
		if (ctty) {
			close(p.s);
			p.s = open(p.name, O_RDWR);     /* the session's terminal now */
		} else if (dup2(p.s, 0) != 0 || dup2(p.s, 2) != 2) {
			_exit(91);
		}
		if (p.s < 0)
			_exit(92);
		char *pw = getpass("Password: ");
		struct termios t;
		if (!pw || strcmp(pw, "hunter2"))
			_exit(1);
		if (tcgetattr(p.s, &t) || !(t.c_lflag & ECHO))
			_exit(2);
		_exit(0);
	}
	REQUIRE(pid > 0);
	char buf[32];
	size_t n = read_for(p.m, buf, strlen("Password: "), WAIT_MS);
	if (n != strlen("Password: ") || memcmp(buf, "Password: ", n))
		CONF_FAIL("prompt: %zu bytes '%.*s'", n, (int)n, buf);
	type(&p, "hunter2\n");
	EXPECT_OUT(p.m, "\r\n");                /* getpass's newline; no echo */
	int status = -1;
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
	close_pair(&p);
}

static void t_getpass__reads_a_line_from_dev_tty_with_echo_off(void)
{
	getpass_on_slave(true);
}

static void t_getpass__without_a_controlling_terminal_uses_fds_0_and_2(void)
{
	getpass_on_slave(false);
}

static const struct conf_case cases[] = {
	CONF_CASE(posix_openpt, opens_a_master_and_ptsname_names_its_slave),
	CONF_CASE(posix_openpt, each_open_is_a_new_pair),
	CONF_CASE(posix_openpt, flags_other_than_access_and_NOCTTY_are_EINVAL),
	CONF_CASE(unlockpt, slave_opens_only_once_unlocked),
	CONF_CASE(grantpt, slave_is_the_callers_with_mode_0620),
	CONF_CASE(grantpt, descriptor_that_is_no_master_is_EINVAL),
	CONF_CASE(opendir, dev_pts_lists_the_open_pairs),
	CONF_CASE(close, a_pair_ends_when_both_sides_close),
	CONF_CASE(termios, canonical_line_is_readable_only_when_finished),
	CONF_CASE(termios, VERASE_DEL_and_BS_each_erase_a_character),
	CONF_CASE(termios, VKILL_erases_the_line),
	CONF_CASE(termios, VWERASE_erases_a_word),
	CONF_CASE(termios, VEOF_ends_a_line_and_alone_reads_0),
	CONF_CASE(termios, VEOL_is_a_second_delimiter),
	CONF_CASE(termios, ICRNL_IGNCR_and_INLCR_map_input),
	CONF_CASE(termios, ECHO_off_hides_input_and_ECHONL_still_echoes_newline),
	CONF_CASE(termios, OPOST_ONLCR_maps_output_and_off_passes_it),
	CONF_CASE(tcsetattr, the_masters_settings_are_the_slaves),
	CONF_CASE(termios, VMIN_0_VTIME_0_returns_at_once),
	CONF_CASE(termios, VMIN_0_VTIME_gives_up_after_the_time),
	CONF_CASE(termios, VMIN_and_VTIME_inter_byte_timer_ends_a_short_read),
	CONF_CASE(termios, ISIG_VINTR_VQUIT_VSUSP_signal_the_foreground_group),
	CONF_CASE(tcsetpgrp, only_the_callers_terminal_and_session),
	CONF_CASE(termios, ISIG_off_makes_VINTR_data),
	CONF_CASE(ioctl, TIOCSWINSZ_on_the_master_is_the_slaves_and_sends_SIGWINCH),
	CONF_CASE(close, master_close_hangs_up_the_slave),
	CONF_CASE(exit, a_controlling_process_ending_hangs_up_its_foreground_group),
	CONF_CASE(read, master_reads_what_is_left_then_EIO_with_no_slave_open),
	CONF_CASE(poll, each_side_is_readable_when_the_other_wrote),
	CONF_CASE(poll, a_waiting_poll_wakes_when_the_master_types),
	CONF_CASE(ioctl, FIONREAD_counts_each_sides_input),
	CONF_CASE(write, full_queues_stop_writers_nonblocking_ones_get_EAGAIN),
	CONF_CASE(write, a_blocking_slave_write_finishes_as_the_master_reads),
	CONF_CASE(open, dev_tty_is_ENXIO_without_a_controlling_terminal),
	CONF_CASE(open, a_session_leaders_open_makes_the_slave_its_dev_tty),
	CONF_CASE(open, O_NOCTTY_leaves_the_session_without_one),
	CONF_CASE(open, another_sessions_controlling_terminal_is_not_taken),
	CONF_CASE(getpass, reads_a_line_from_dev_tty_with_echo_off),
	CONF_CASE(getpass, without_a_controlling_terminal_uses_fds_0_and_2),
	CONF_CASE(read, a_background_read_stops_with_SIGTTIN_and_reads_once_in_front),
	CONF_CASE(read, a_background_read_that_ignores_SIGTTIN_is_EIO),
	CONF_CASE(tcsetattr, from_the_background_stops_with_SIGTTOU),
	CONF_CASE(write, from_the_background_goes_through_without_TOSTOP),
	CONF_CASE(write, from_the_background_with_TOSTOP_stops_with_SIGTTOU),
	CONF_CASE(write, with_TOSTOP_a_writer_ignoring_SIGTTOU_goes_through),
	CONF_CASE(write, with_TOSTOP_a_writer_blocking_SIGTTOU_goes_through),
	CONF_CASE(tcsetattr, from_the_background_blocking_SIGTTOU_goes_through),
	CONF_CASE(read, from_an_orphaned_background_group_is_EIO),
	CONF_CASE(write, with_TOSTOP_from_an_orphaned_background_group_is_EIO),
	CONF_CASE(posix_spawn, a_shell_runs_on_the_slave),
	CONF_CASE(open, a_named_slave_opens_without_a_master_and_its_output_waits),
	CONF_CASE(open, a_named_master_is_one_at_a_time_and_busy_until_its_session_ends),
};

int main(void)
{
	char *argv[] = { "/sbin/devc-pty", NULL };
	pid_t pid = -1;
	int fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);

	if (fd >= 0) {
		close(fd);              /* init's devc-pty serves */
	} else {
		pid = conf_start_server(argv, "/dev/ptmx");
		if (pid < 0) {
			conf_line("conf-pty: cannot start /sbin/devc-pty");
			return 2;
		}
	}
	int r = conf_run("conf-pty", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	return r;
}
