/* blkstorm: block I/O for the storm (tests/target/storm): reads the
 * board's disk through its driver while the message storms run on every
 * hart, so the driver's interrupts and DMA go on under them.
 *
 *   blkstorm READS
 *
 * Started as a driver (IOPRIV) that may map the disk controllers the
 * board has (virtio-mmio, the PCIe host); it starts their drivers in turn
 * (pci-server before devb-nvme; each handed its grant on) until one
 * publishes a disk, and ends them at the end.  It checks that block 0 holds the protective MBR's signature and
 * LBA 1 the GPT header's ("EFI PART"), reads the first AREA bytes once in
 * order as the reference (a hash per 4 KiB block), then READS single
 * blocks at pseudo-random places of it, each compared with its reference,
 * and every 64th read a 64 KiB run (several DMA pages, one request).
 * Prints one line:
 *   blkstorm: <n> reads (<b> bytes) of DISK, <m> mismatched
 * Exit status 0 when every read came back whole and as the reference,
 * 1 when something failed (said on stderr), 2 for bad arguments, 3 when
 * the board has no disk (every driver ended without one). */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>

#define BLOCK   4096u
#define AREA    (2u << 20)              /* the first 2 MiB: GPT, then the volume's start */
#define BLOCKS  (AREA / BLOCK)
#define RUN     (64u << 10)

static uint64_t ref[BLOCKS];
static unsigned char buf[RUN];

static uint64_t hash(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;     /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

static int fail(const char *dev, const char *what)
{
	fprintf(stderr, "blkstorm: %s: %s: %s\n", dev, what, strerror(errno));
	return 1;
}

/* The board's disk controllers, as init knows them (os/sbin/init): the
 * bus's server first where there is one (pci-server, /dev/pci). */
static const struct { const char *device, *server, *driver, *disk; } disks[] = {
	{ "virtio,mmio", NULL, "/sbin/devb-virtio", "/dev/vblk0" },
	{ "pci-host-ecam-generic", "/sbin/pci-server", "/sbin/devb-nvme", "/dev/nvme0n1" },
};

/* Starts path as a driver that may map `device` and opens `name` once it
 * is published: the fd, with *pid the program's; -1 with errno ENODEV
 * when the program ended without publishing it (nothing to drive), or
 * another errno. */
static int start_and_open(const char *path, const char *device, const char *name, pid_t *pid)
{
	posix_spawnattr_t sa;
	char *argv[] = { (char *)path, NULL };
	int st;

	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_KEEL_IOPRIV);
	posix_spawnattr_keel_device(&sa, device);
	errno = posix_spawn(pid, path, NULL, &sa, argv, NULL);
	posix_spawnattr_destroy(&sa);
	if (errno)
		return -1;
	for (int t = 0; t < 400; t++) {         /* 20 s */
		int fd = open(name, O_RDONLY);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		if (waitpid(*pid, &st, WNOHANG) == *pid) {
			*pid = 0;
			errno = ENODEV;
			return -1;
		}
		struct timespec ts = { 0, 50000000 };
		nanosleep(&ts, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

/* The disk of disks[i], its driver (and the bus's server) started. */
static int start_disk(unsigned i, pid_t *driver, pid_t *server)
{
	if (disks[i].server) {
		int s = start_and_open(disks[i].server, disks[i].device, "/dev/pci", server);
		if (s < 0)
			return -1;
		close(s);
	}
	return start_and_open(disks[i].driver, disks[i].device, disks[i].disk, driver);
}

static void stop_driver(pid_t driver)
{
	int st;

	if (driver > 0 && kill(driver, SIGKILL) == 0)
		waitpid(driver, &st, 0);
}

static bool read_whole(int fd, void *p, size_t n, off_t at)
{
	return pread(fd, p, n, at) == (ssize_t)n;
}

/* The reference read, then `reads` checked reads: 0 or 1 (said). */
static int storm(int fd, const char *dev, long reads)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull, bytes = 0;
	long done = 0, bad = 0;

	if (!read_whole(fd, buf, 2 * 512, 0))
		return fail(dev, "read of the first two sectors");
	if (buf[510] != 0x55 || buf[511] != 0xaa || memcmp(buf + 512, "EFI PART", 8)) {
		fprintf(stderr, "blkstorm: %s: no protective MBR and GPT header at its start\n", dev);
		return 1;
	}
	for (unsigned b = 0; b < BLOCKS; b++) {
		if (!read_whole(fd, buf, BLOCK, (off_t)b * BLOCK))
			return fail(dev, "reference read");
		ref[b] = hash(buf, BLOCK);
	}
	for (; done < reads; done++) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		bool run = done % 64 == 63;
		unsigned n = run ? RUN / BLOCK : 1;
		unsigned b = (unsigned)(rng % (BLOCKS - n + 1));
		if (!read_whole(fd, buf, (size_t)n * BLOCK, (off_t)b * BLOCK))
			return fail(dev, run ? "64 KiB read" : "4 KiB read");
		for (unsigned k = 0; k < n; k++)
			if (hash(buf + (size_t)k * BLOCK, BLOCK) != ref[b + k]) {
				if (!bad)
					fprintf(stderr, "blkstorm: %s: block %u read back different\n",
						dev, b + k);
				bad++;
			}
		bytes += (uint64_t)n * BLOCK;
	}
	printf("blkstorm: %ld reads (%llu bytes) of %s, %ld mismatched\n", done,
	       (unsigned long long)bytes, dev, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	long reads = strtol(argv[1], NULL, 0);
	const char *dev = NULL;
	pid_t driver = 0, server = 0;
	int fd = -1;

	if (reads < 1)
		return 2;
	for (unsigned i = 0; i < sizeof disks / sizeof disks[0] && fd < 0; i++) {
		struct _hw_device d;
		if (HwInfoDevice_r(disks[i].device, 0, &d) != 0)
			continue;
		fd = start_disk(i, &driver, &server);
		if (fd >= 0)
			dev = disks[i].disk;
		else if (errno != ENODEV)
			return fail(disks[i].driver, "no disk from it");
		else
			stop_driver(server);
	}
	if (fd < 0) {
		printf("blkstorm: no disk on this board\n");
		return 3;
	}
	int r = storm(fd, dev, reads);
	close(fd);
	stop_driver(driver);
	stop_driver(server);
	return r;
}
