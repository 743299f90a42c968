/* fsbench: the storage figures of a mounted file system, in kbench's line
 * format (the farm records every "kbench:" line as a bench:<name> figure):
 *
 *   fsbench DIR [MiB]
 *
 * in DIR (default size 64 MiB):
 *   sequential write   MiB of 64 KiB writes to a new file, then fsync
 *   sequential read    the file back in 64 KiB reads
 *   random 4 KiB read  1024 preads at 4 KiB-aligned offsets (a fixed
 *                      generator: the same offsets every run)
 *   small file         create + write 4 KiB + close + unlink, 256 times
 * Each prints the CPU time per KiB (per file for the last) of the three
 * processes that do the work: fsbench itself, the file-system server of
 * DIR (statvfs's f_fsid names it) and the block driver (devb-*), kernel
 * work on their behalf included: under QEMU -icount shift=0,sleep=off one
 * nanosecond of CPU time is one guest instruction, so the figures are
 * guest instructions (to the timebase's 100 ns) and do not count the time
 * the harts wait, idle, for the device.  They repeat to within some 15 %,
 * not exactly: how often the driver wakes for an interrupt and how the
 * waits fall varies with the host.  Making and checking the data is
 * left out.  Each also prints the elapsed CLOCK_MONOTONIC time: MB/s,
 * meaningful without -icount only.  Every byte read is checked against
 * what was written; a mismatch or an error exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procinfo.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>

#define CHUNK   (64u * 1024)
#define RANDOM  1024u
#define SMALL   256u

/* The CPU-time clocks of the processes that do the work. */
static int clocks[3];
static unsigned nclocks;

static uint64_t cpu_ns(void)
{
	uint64_t sum = 0, t;

	for (unsigned i = 0; i < nclocks; i++)
		if (ClockTime_r(clocks[i], NULL, &t) == 0)
			sum += t;
	return sum;
}

/* fsbench, DIR's server and the block driver. */
static int find_workers(const char *dir)
{
	struct statvfs sv;
	struct _proc_info pi;
	int id;

	if ((id = ClockId_r(0, 0)) < 0)
		return -1;
	clocks[nclocks++] = id;
	if (statvfs(dir, &sv) || (id = ClockId_r((int)sv.f_fsid, 0)) < 0) {
		printf("fsbench: %s: no file-system server found\n", dir);
		return -1;
	}
	clocks[nclocks++] = id;
	for (pid_t pid = 0; proc_info(pid, 1, &pi) == 0; pid = pi.pid) {
		const char *base = strrchr(pi.name, '/');
		base = base ? base + 1 : pi.name;
		if (!strncmp(base, "devb-", 5) && (id = ClockId_r(pi.pid, 0)) > 0) {
			clocks[nclocks++] = id;
			printf("fsbench: counting fsbench, server pid %lu, %s pid %d\n",
			       (unsigned long)sv.f_fsid, base, (int)pi.pid);
			return 0;
		}
	}
	printf("fsbench: no block driver (devb-*) found\n");
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct mark {
	uint64_t instr, ns;
};

static struct mark start(void)
{
	return (struct mark){ cpu_ns(), now_ns() };
}

/* One figure: instructions per unit and units (KiB or files) per second. */
static void report(const char *what, struct mark m, uint64_t units, const char *unit)
{
	uint64_t instr = cpu_ns() - m.instr, ns = now_ns() - m.ns;

	printf("kbench: %-40s %8lu instructions/op  (%lu ops)\n", what,
	       (unsigned long)(instr / units), (unsigned long)units);
	printf("fsbench: %s: %lu %s in %lu.%03lu s\n", what, (unsigned long)units, unit,
	       (unsigned long)(ns / 1000000000u), (unsigned long)(ns / 1000000u % 1000u));
}

/* The byte at offset off of the test file. */
static uint8_t pattern(uint64_t off)
{
	return (uint8_t)((off * 2654435761u) >> 13 ^ off >> 16);
}

static void fill(uint8_t *buf, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = pattern(off + i);
}

static int check(const uint8_t *buf, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (buf[i] != pattern(off + i)) {
			printf("fsbench: byte %llu reads %#x, not %#x\n", (unsigned long long)(off + i),
			       buf[i], pattern(off + i));
			return -1;
		}
	return 0;
}

static int fail(const char *what, const char *path)
{
	printf("fsbench: %s %s: %s\n", what, path, strerror(errno));
	return 1;
}

int main(int argc, char **argv)
{
	static uint8_t buf[CHUNK];
	char path[256], small[256];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: fsbench DIR [MiB]\n");
		return 2;
	}
	uint64_t mib = argc == 3 ? strtoull(argv[2], NULL, 10) : 64;
	uint64_t size = mib << 20;
	if (mib == 0 || mib > 4096) {
		fprintf(stderr, "fsbench: MiB: 1..4096\n");
		return 2;
	}
	snprintf(path, sizeof path, "%s/fsbench.dat", argv[1]);
	if (find_workers(argv[1]))
		return 1;

	/* sequential write (the pattern is made outside the measure) */
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return fail("cannot create", path);
	uint64_t instr_fill = 0;
	struct mark m = start();
	for (uint64_t off = 0; off < size; off += CHUNK) {
		uint64_t f0 = cpu_ns();
		fill(buf, off, CHUNK);
		instr_fill += cpu_ns() - f0;
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK)
			return fail("cannot write", path);
	}
	if (fsync(fd))
		return fail("cannot fsync", path);
	m.instr += instr_fill;                  /* leaves the filling out */
	report("fs sequential write + fsync per KiB", m, size >> 10, "KiB");

	/* sequential read */
	uint64_t instr_check = 0;
	if (lseek(fd, 0, SEEK_SET) != 0)
		return fail("cannot seek", path);
	m = start();
	for (uint64_t off = 0; off < size; off += CHUNK) {
		if (read(fd, buf, CHUNK) != (ssize_t)CHUNK)
			return fail("cannot read", path);
		uint64_t c0 = cpu_ns();
		if (check(buf, off, CHUNK))
			return 1;
		instr_check += cpu_ns() - c0;
	}
	m.instr += instr_check;
	report("fs sequential read per KiB", m, size >> 10, "KiB");

	/* random 4 KiB reads */
	uint32_t x = 12345;
	instr_check = 0;
	m = start();
	for (unsigned i = 0; i < RANDOM; i++) {
		x = x * 1103515245u + 12345u;
		uint64_t off = ((uint64_t)(x >> 8) % (size >> 12)) << 12;
		if (pread(fd, buf, 4096, (off_t)off) != 4096)
			return fail("cannot pread", path);
		uint64_t c0 = cpu_ns();
		if (check(buf, off, 4096))
			return 1;
		instr_check += cpu_ns() - c0;
	}
	m.instr += instr_check;
	report("fs random 4 KiB read per KiB", m, RANDOM * 4, "KiB");
	close(fd);
	if (unlink(path))
		return fail("cannot unlink", path);

	/* small files */
	fill(buf, 0, 4096);
	m = start();
	for (unsigned i = 0; i < SMALL; i++) {
		snprintf(small, sizeof small, "%s/fsbench.%u", argv[1], i);
		int f = open(small, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (f < 0)
			return fail("cannot create", small);
		if (write(f, buf, 4096) != 4096)
			return fail("cannot write", small);
		if (close(f) || unlink(small))
			return fail("cannot close or unlink", small);
	}
	report("fs create+write 4 KiB+close+unlink", m, SMALL, "files");
	printf("kbench: done\n");
	return 0;
}
