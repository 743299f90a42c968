/* conf-devices: the data devices of /sbin/devnull (/dev/null, /dev/zero,
 * /dev/full, /dev/random, /dev/urandom), which this program starts as its
 * child and ends when done.  Cases name the XSH/XBD page they check.
 * make run CMDLINE="init=/bin/conf-devices" */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <conf.h>

static int dev(const char *path, int flags)
{
	return open(path, flags);
}

static void t_null__reads_eof_and_takes_writes(void)
{
	char buf[16];
	int fd = dev("/dev/null", O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	CHECK_EQ(write(fd, "discard", 7), 7);
	CHECK_EQ(read(fd, buf, sizeof buf), 0);
	close(fd);
}

static void t_zero__reads_zeros(void)
{
	char buf[300];
	int fd = dev("/dev/zero", O_RDWR), zero = 1;

	REQUIRE(fd >= 0);
	memset(buf, 0xff, sizeof buf);
	CHECK_EQ(read(fd, buf, sizeof buf), (long)sizeof buf);
	for (size_t i = 0; i < sizeof buf; i++)
		zero &= buf[i] == 0;
	CHECK(zero);
	CHECK_EQ(write(fd, buf, 10), 10);
	close(fd);
}

static void t_full__write_is_ENOSPC(void)
{
	char buf[8] = { 1 };
	int fd = dev("/dev/full", O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_ERR(write(fd, "x", 1), ENOSPC);
	CHECK_EQ(read(fd, buf, sizeof buf), 8);
	CHECK_EQ(buf[0], 0);
	close(fd);
}

static void t_random__reads_differ_and_bits_balance(void)
{
	static unsigned char a[4096], b[4096];
	const char *names[] = { "/dev/random", "/dev/urandom" };

	for (int k = 0; k < 2; k++) {
		int fd = dev(names[k], O_RDONLY);
		REQUIRE(fd >= 0);
		long ones = 0;
		for (int round = 0; round < 16; round++) {
			CHECK_EQ(read(fd, a, sizeof a), (long)sizeof a);
			for (size_t i = 0; i < sizeof a; i++)
				ones += __builtin_popcount(a[i]);
		}
		/* 2^19 bits: mean 262144, sigma 362; 10 sigma either way. */
		CHECK(ones > 262144 - 3620 && ones < 262144 + 3620);
		CHECK_EQ(read(fd, b, sizeof b), (long)sizeof b);
		CHECK(memcmp(a, b, sizeof a) != 0);
		close(fd);
	}
}

static void t_random__write_is_taken(void)
{
	int fd = dev("/dev/urandom", O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_EQ(write(fd, "more entropy", 12), 12);
	close(fd);
}

static void t_ioctl__device_without_devctls_is_ENOTTY(void)
{
	int n, fd = dev("/dev/null", O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_ERR(ioctl(fd, FIONREAD, &n), ENOTTY);
	CHECK_EQ(isatty(fd), 0);
	close(fd);
}

static void t_open__write_only_cannot_read(void)
{
	char c;
	int fd = dev("/dev/zero", O_WRONLY);

	REQUIRE(fd >= 0);
	CHECK_ERR(read(fd, &c, 1), EBADF);
	close(fd);
}

static const struct conf_case cases[] = {
	CONF_CASE(null, reads_eof_and_takes_writes),
	CONF_CASE(zero, reads_zeros),
	CONF_CASE(full, write_is_ENOSPC),
	CONF_CASE(random, reads_differ_and_bits_balance),
	CONF_CASE(random, write_is_taken),
	CONF_CASE(ioctl, device_without_devctls_is_ENOTTY),
	CONF_CASE(open, write_only_cannot_read),
};

int main(void)
{
	char *argv[] = { "/sbin/devnull", NULL };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t pid;
	int fd = -1, status;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL)) {
		conf_line("conf-devices: cannot start /sbin/devnull");
		return 2;
	}
	for (int i = 0; i < 500 && (fd = open("/dev/urandom", O_RDONLY)) < 0; i++)
		nanosleep(&tick, NULL);
	if (fd < 0) {
		conf_line("conf-devices: /sbin/devnull never served /dev/urandom");
		return 2;
	}
	close(fd);
	int r = conf_run("conf-devices", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return r;
}
