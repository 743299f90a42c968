/* nvme-reset-check: init=/bin/nvme-reset-check on a machine with an NVMe
 * disk (the farm boots qemu-virt's nvme target so: tests/test_nvme.py).
 * Starts /sbin/pci-server, then /sbin/devb-nvme -L 90 (each a driver that
 * may map the PCIe host): the driver's 90th I/O command is lost on
 * its way to the controller.  Reading the GPT takes about 70 one-block
 * commands, so the 90th is in the middle of a 1 MiB read, which the
 * driver has in flight as 32 commands at once: it must give up on the
 * lost one after its timeout, reset the controller and submit again every
 * command the controller had not answered.  Then the disk must read as it is (the GPT
 * header, the same first MiB twice, one large read equal to 256 small
 * ones), take a block written back, and take a large write (pieces in
 * flight together) that small reads see whole.  KTAP, one case per check;
 * the driver's lines about the reset and the commands in flight go to the
 * console, where the farm looks for them. */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <conf.h>

#define DISK    "/dev/nvme0n1"
#define PART    "/dev/nvme0n1p1"
#define SPAN    (1u << 20)
#define SMALL   4096u
#define SCRATCH (8u << 20)              /* where the large write goes, and is undone */

static pid_t driver;
static unsigned char a[SPAN], b[SPAN], c[SPAN];

/* Waits up to secs seconds for path to be there. */
static bool appears(const char *path, int secs)
{
	for (int i = 0; i < secs * 10; i++) {
		if (access(path, F_OK) == 0)
			return true;
		struct timespec t = { 0, 100 * 1000000L };
		nanosleep(&t, NULL);
	}
	return false;
}

/* Starts argv[0] as a driver that may map the PCIe host. */
static int start_driver(pid_t *pid, char **argv)
{
	posix_spawnattr_t sa;

	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_KEEL_IOPRIV);
	posix_spawnattr_keel_device(&sa, "pci-host-ecam-generic");
	int r = posix_spawn(pid, argv[0], NULL, &sa, argv, NULL);
	posix_spawnattr_destroy(&sa);
	return r;
}

static void t_driver__publishes_the_disk_after_a_lost_command(void)
{
	char *server[] = { "/sbin/pci-server", NULL };
	char *argv[] = { "/sbin/devb-nvme", "-L", "90", NULL };
	pid_t pci;

	REQUIRE(start_driver(&pci, server) == 0);
	REQUIRE(appears("/dev/pci", 20));
	REQUIRE(start_driver(&driver, argv) == 0);
	/* the GPT is read in the first commands: the lost one costs its timeout */
	CHECK(appears(DISK, 60));
	CHECK(appears(PART, 60));
}

static void t_read__the_disk_reads_the_same_twice(void)
{
	int fd = open(DISK, O_RDONLY);

	REQUIRE(fd >= 0);
	CHECK_EQ(pread(fd, a, SPAN, 0), (long)SPAN);
	CHECK(!memcmp(a + 512, "EFI PART", 8));         /* the GPT header, LBA 1 */
	CHECK_EQ(pread(fd, b, SPAN, 0), (long)SPAN);
	CHECK(!memcmp(a, b, SPAN));
	CHECK_EQ(close(fd), 0);
}

/* SPAN bytes of fd from off on into `to`, SMALL bytes a pread: true when
 * every pread was whole. */
static bool read_small(int fd, unsigned char *to, off_t off)
{
	for (unsigned i = 0; i < SPAN; i += SMALL)
		if (pread(fd, to + i, SMALL, off + i) != (long)SMALL)
			return false;
	return true;
}

static void t_read__one_large_read_equals_small_reads(void)
{
	int fd = open(DISK, O_RDONLY);

	REQUIRE(fd >= 0);
	CHECK_EQ(pread(fd, a, SPAN, SCRATCH), (long)SPAN);
	CHECK(read_small(fd, b, SCRATCH));
	CHECK(!memcmp(a, b, SPAN));
	CHECK_EQ(close(fd), 0);
}

static void t_write__a_large_write_reads_back_in_small_pieces(void)
{
	int fd = open(DISK, O_RDWR);

	REQUIRE(fd >= 0);
	REQUIRE(pread(fd, a, SPAN, SCRATCH) == (long)SPAN);             /* to put back */
	for (unsigned i = 0; i < SPAN; i++)
		c[i] = (unsigned char)(i * 7 + i / 4096);               /* each block its own */
	/* not on a block boundary: the first and last pieces read before they write */
	CHECK_EQ(pwrite(fd, c + 100, SPAN - 200, SCRATCH + 100), (long)(SPAN - 200));
	CHECK_EQ(fsync(fd), 0);
	CHECK(read_small(fd, b, SCRATCH));
	CHECK(!memcmp(b + 100, c + 100, SPAN - 200));
	CHECK(!memcmp(b, a, 100));                                      /* around it: untouched */
	CHECK(!memcmp(b + SPAN - 100, a + SPAN - 100, 100));
	CHECK_EQ(pwrite(fd, a, SPAN, SCRATCH), (long)SPAN);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(pread(fd, b, SPAN, SCRATCH), (long)SPAN);
	CHECK(!memcmp(a, b, SPAN));
	CHECK_EQ(close(fd), 0);
}

static void t_write__a_block_written_back_reads_back(void)
{
	unsigned char blk[4096], again[4096];
	int fd = open(DISK, O_RDWR);

	REQUIRE(fd >= 0);
	CHECK_EQ(pread(fd, blk, sizeof blk, SPAN - sizeof blk), (long)sizeof blk);
	CHECK_EQ(pwrite(fd, blk, sizeof blk, SPAN - sizeof blk), (long)sizeof blk);
	CHECK_EQ(fsync(fd), 0);
	CHECK_EQ(pread(fd, again, sizeof again, SPAN - sizeof again), (long)sizeof again);
	CHECK(!memcmp(blk, again, sizeof blk));
	CHECK_EQ(close(fd), 0);
}

/* O_TRUNC on a disk's name changes nothing (POSIX: it applies to regular
 * files): the size stat reports stays.  (It said 0 until the driver
 * started again, and file systems would not mount.) */
static void t_open__O_TRUNC_leaves_a_disk_its_size(void)
{
	struct stat a, b;

	REQUIRE(stat(PART, &a) == 0);
	CHECK(a.st_size > 0);
	int fd = open(PART, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0);
	close(fd);
	CHECK_EQ(stat(PART, &b), 0);
	CHECK_EQ((long long)b.st_size, (long long)a.st_size);
}

static void t_driver__still_serves(void)
{
	CHECK_EQ(kill(driver, 0), 0);
	CHECK_EQ(kill(driver, SIGTERM), 0);
}

static const struct conf_case cases[] = {
	CONF_CASE(driver, publishes_the_disk_after_a_lost_command),
	CONF_CASE(read, the_disk_reads_the_same_twice),
	CONF_CASE(read, one_large_read_equals_small_reads),
	CONF_CASE(write, a_block_written_back_reads_back),
	CONF_CASE(write, a_large_write_reads_back_in_small_pieces),
	CONF_CASE(open, O_TRUNC_leaves_a_disk_its_size),
	CONF_CASE(driver, still_serves),
};

int main(void)
{
	return conf_run("nvme-reset-check", cases, sizeof cases / sizeof *cases) ? 1 : 0;
}
