/* conf-tty: the terminal interface over _IO_DEVCTL (tcgetattr, tcsetattr,
 * cfmakeraw, speeds, tcflush, tcdrain, tcgetpgrp/tcsetpgrp, ioctl window
 * size and FIONREAD, isatty) against a terminal server of this process at
 * /dev/conf-tty, and a memory file at /dev/conf-file that is no terminal.
 * Cases name the XSH page they check.  make run CMDLINE="init=/bin/conf-tty" */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <conf.h>

static struct termios state = { .c_iflag = ICRNL, .c_oflag = OPOST | ONLCR,
				.c_cflag = CS8 | CREAD, .c_lflag = ICANON | ECHO | ISIG,
				.c_ispeed = 115200, .c_ospeed = 115200 };
static struct winsize size = { 24, 80, 0, 0 };
static int32_t pgrp = 7, flushed = -1;
static iofunc_attr_t tty_attr, file_attr;

static int tty_devctl(resmgr_context_t *ctp, const struct _io_devctl *m, iofunc_ocb_t *ocb)
{
	const void *in = m + 1;                 /* data in the receive buffer */
	struct {
		struct _io_devctl_reply r;
		union { struct termios t; struct winsize w; int32_t i; } u;
	} rep = { { 0, 0 }, { .i = 0 } };
	size_t have = ctp->msglen - sizeof *m;

	(void)ocb;
	switch (m->dcmd) {
	case _DCMD_TERM_GETATTR:
		rep.u.t = state;
		rep.r.nbytes = sizeof state;
		break;
	case _DCMD_TERM_SETATTR: case _DCMD_TERM_SETATTRW: case _DCMD_TERM_SETATTRF:
		if (m->nbytes != sizeof state || have < sizeof state)
			return EINVAL;
		memcpy(&state, in, sizeof state);
		break;
	case _DCMD_TERM_GETWINSZ:
		rep.u.w = size;
		rep.r.nbytes = sizeof size;
		break;
	case _DCMD_TERM_SETWINSZ:
		if (have < sizeof size)
			return EINVAL;
		memcpy(&size, in, sizeof size);
		break;
	case _DCMD_TERM_FLUSH:
		if (have < 4)
			return EINVAL;
		memcpy(&flushed, in, 4);
		break;
	case _DCMD_TERM_DRAIN:
		break;
	case _DCMD_TERM_GETPGRP:
		rep.u.i = pgrp;
		rep.r.nbytes = 4;
		break;
	case _DCMD_TERM_SETPGRP:
		if (have < 4)
			return EINVAL;
		memcpy(&pgrp, in, 4);
		break;
	case _DCMD_FIONREAD:
		rep.u.i = 5;
		rep.r.nbytes = 4;
		break;
	default:
		return ENOTTY;
	}
	return resmgr_reply(ctp, 0, &rep, sizeof rep.r + rep.r.nbytes);
}

static void *serve(void *arg)
{
	resmgr_loop(arg);
	return NULL;
}

static int start(const char *path, iofunc_attr_t *attr, const resmgr_io_funcs_t *io)
{
	pthread_t t;
	int chid = ChannelCreate(_NTO_CHF_DISCONNECT);
	resmgr_t *m = chid >= 0 ? resmgr_create(chid, NULL, io, attr) : NULL;

	if (!m || pthread_create(&t, NULL, serve, m))
		return -1;
	return resmgr_attach(m, path, _FTYPE_ANY, 0);
}

static int tty(void)
{
	return open("/dev/conf-tty", O_RDWR);
}

static void t_tcgetattr__reads_the_servers_state(void)
{
	struct termios t;
	int fd = tty();

	REQUIRE(fd >= 0);
	CHECK_EQ(tcgetattr(fd, &t), 0);
	CHECK(t.c_lflag & ICANON);
	CHECK_EQ(cfgetospeed(&t), 115200);
	CHECK_ERR(tcgetattr(fd, NULL), EFAULT);
	close(fd);
}

static void t_tcsetattr__raw_mode_round_trip(void)
{
	struct termios t, back;
	int fd = tty();

	REQUIRE(fd >= 0);
	REQUIRE(tcgetattr(fd, &t) == 0);
	cfmakeraw(&t);
	CHECK(!(t.c_lflag & (ICANON | ECHO | ISIG)));
	CHECK_EQ(t.c_cc[VMIN], 1);
	CHECK_EQ(tcsetattr(fd, TCSAFLUSH, &t), 0);
	CHECK_EQ(tcgetattr(fd, &back), 0);
	CHECK(memcmp(&t, &back, sizeof t) == 0);
	CHECK_ERR(tcsetattr(fd, 42, &t), EINVAL);
	close(fd);
}

static void t_cfsetospeed__and_cfgetispeed(void)
{
	struct termios t = { 0 };

	CHECK_EQ(cfsetospeed(&t, B9600), 0);
	CHECK_EQ(cfsetispeed(&t, B38400), 0);
	CHECK_EQ(cfgetospeed(&t), B9600);
	CHECK_EQ(cfgetispeed(&t), B38400);
}

static void t_tcflush__passes_the_queue_and_checks_it(void)
{
	int fd = tty();

	REQUIRE(fd >= 0);
	CHECK_EQ(tcflush(fd, TCIOFLUSH), 0);
	CHECK_EQ(flushed, TCIOFLUSH);
	CHECK_ERR(tcflush(fd, 9), EINVAL);
	CHECK_EQ(tcdrain(fd), 0);
	close(fd);
}

static void t_tcsetpgrp__foreground_group_round_trip(void)
{
	int fd = tty();

	REQUIRE(fd >= 0);
	CHECK_EQ(tcgetpgrp(fd), 7);
	CHECK_EQ(tcsetpgrp(fd, 12), 0);
	CHECK_EQ(tcgetpgrp(fd), 12);
	CHECK_ERR(tcsetpgrp(fd, -3), EINVAL);
	close(fd);
}

static void t_ioctl__window_size_and_FIONREAD(void)
{
	struct winsize w = { 0 }, set = { 50, 132, 0, 0 };
	int n = -1, fd = tty();

	REQUIRE(fd >= 0);
	CHECK_EQ(ioctl(fd, TIOCGWINSZ, &w), 0);
	CHECK(w.ws_row == 24 && w.ws_col == 80);
	CHECK_EQ(ioctl(fd, TIOCSWINSZ, &set), 0);
	CHECK_EQ(ioctl(fd, TIOCGWINSZ, &w), 0);
	CHECK(w.ws_row == 50 && w.ws_col == 132);
	CHECK_EQ(ioctl(fd, FIONREAD, &n), 0);
	CHECK_EQ(n, 5);
	CHECK_ERR(ioctl(fd, 0x7777, &n), ENOTTY);
	close(fd);
}

static void t_isatty__terminal_file_and_bad_fd(void)
{
	int t = tty(), f = open("/dev/conf-file", O_RDWR);

	REQUIRE(t >= 0 && f >= 0);
	CHECK_EQ(isatty(t), 1);
	errno = 0;
	CHECK_EQ(isatty(f), 0);
	CHECK_EQ(errno, ENOTTY);
	close(t);
	close(f);
}

static void t_tcgetattr__not_a_terminal_is_ENOTTY(void)
{
	struct termios t;
	int f = open("/dev/conf-file", O_RDWR);

	REQUIRE(f >= 0);
	CHECK_ERR(tcgetattr(f, &t), ENOTTY);
	CHECK_ERR(tcgetattr(77, &t), EBADF);
	close(f);
}

static const struct conf_case cases[] = {
	CONF_CASE(tcgetattr, reads_the_servers_state),
	CONF_CASE(tcsetattr, raw_mode_round_trip),
	CONF_CASE(cfsetospeed, and_cfgetispeed),
	CONF_CASE(tcflush, passes_the_queue_and_checks_it),
	CONF_CASE(tcsetpgrp, foreground_group_round_trip),
	CONF_CASE(ioctl, window_size_and_FIONREAD),
	CONF_CASE(isatty, terminal_file_and_bad_fd),
	CONF_CASE(tcgetattr, not_a_terminal_is_ENOTTY),
};

int main(void)
{
	static const resmgr_io_funcs_t tio = { .devctl = tty_devctl };

	iofunc_attr_init(&tty_attr, S_IFCHR | 0666);
	iofunc_attr_init(&file_attr, S_IFREG | 0666);
	if (start("/dev/conf-tty", &tty_attr, &tio) < 0 || start("/dev/conf-file", &file_attr, NULL) < 0) {
		conf_line("conf-tty: cannot start the servers: %s", strerror(errno));
		return 2;
	}
	return conf_run("conf-tty", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
}
