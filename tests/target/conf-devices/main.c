/* conf-devices: the data devices of /sbin/devnull (/dev/null, /dev/zero,
 * /dev/full, /dev/random, /dev/urandom), which this program starts as its
 * child and ends when done, and /sbin/pci-server's /dev/pci
 * (<keel/pcimsg.h>), started the same way as a driver that may map the
 * PCIe host (on a board without one it must say so and end 0).  Cases
 * name the XSH/XBD page they check (pci: the server's own protocol).
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
#include <devctl.h>
#include <stdio.h>
#include <keel/hwinfo.h>
#include <keel/neutrino.h>
#include <keel/pcimsg.h>
#include <conf.h>
#include "pci_client.h"

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

/* ---- pci-server ---------------------------------------------------------------- */

static bool have_pci;                   /* the board has a PCIe host pci-server knows */
static pid_t pci_pid;

/* The client side under test is the one drivers link (os/lib/pci_client.c). */
static int find(int fd, uint32_t how, uint32_t match, uint32_t index, struct _pci_info *out)
{
	return pci_client_find(fd, how, match, index, out);
}

static int cfg(int fd, unsigned dcmd, uint32_t bdf, uint32_t off, uint32_t *v)
{
	return dcmd == _DCMD_PCI_CFG_READ ? pci_client_cfg_read(fd, bdf, off, v)
					  : pci_client_cfg_write(fd, bdf, off, *v);
}

static int attach(int fd, uint32_t bdf)
{
	return pci_client_attach(fd, bdf);
}

/* The listing's first function, as FIND gives it (fd: a new open, so
 * the read starts at the listing's start; a character device has no
 * pread). */
static bool first_function(int fd, struct _pci_info *info)
{
	char buf[2048];
	unsigned bus, dev, fn, ven, did, cls;
	ssize_t n = read(fd, buf, sizeof buf - 1);

	if (n <= 0)
		return false;
	buf[n] = 0;
	if (sscanf(buf, "%x:%x.%x %x:%x %x", &bus, &dev, &fn, &ven, &did, &cls) != 6) {
		conf_line("# the listing begins: %.60s", buf);
		return false;
	}
	int r = find(fd, _PCI_FIND_ID, ven << 16 | did, 0, info);
	if (r || info->bdf != (bus << 8 | dev << 3 | fn) || info->class_code != cls) {
		conf_line("# %02x:%02x.%x %04x:%04x %06x in the listing; FIND: %s, %#x class %06x",
			  bus, dev, fn, ven, did, cls, strerror(r), info->bdf, info->class_code);
		return false;
	}
	return true;
}

/* Without a PCIe host the server says so and ends 0: no /dev/pci. */
static void t_pci__listing_agrees_with_find(void)
{
	struct _pci_info info, again;
	int status;

	if (!have_pci) {
		CHECK_EQ(waitpid(pci_pid, &status, 0), pci_pid);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK_ERR(open(PCI_SERVER_PATH, O_RDONLY), ENOENT);
		return;
	}
	int fd = open(PCI_SERVER_PATH, O_RDONLY);
	REQUIRE(fd >= 0);
	CHECK(first_function(fd, &info));
	CHECK_EQ(find(fd, _PCI_FIND_CLASS, info.class_code, 0, &again), 0);
	CHECK_EQ(again.bdf, info.bdf);
	CHECK_EQ(find(fd, _PCI_FIND_CLASS, 0xfffffe, 0, &again), ENOENT);
	CHECK_EQ(find(fd, _PCI_FIND_ID, (uint32_t)info.vendor << 16 | info.device, 64, &again),
		 ENOENT);
	CHECK_EQ(find(fd, 7, info.class_code, 0, &again), EINVAL);      /* no such `how` */
	uint32_t shortq = _PCI_FIND_CLASS;
	CHECK_EQ(devctl(fd, (int)_DCMD_PCI_FIND, &shortq, sizeof shortq, NULL), EINVAL);
	CHECK_EQ(devctl(fd, 0x71ff, &shortq, sizeof shortq, NULL), ENOTTY);
	close(fd);
}

/* A function is one driver's at a time, until its open closes; its
 * configuration registers only through that open, never its BARs, always
 * aligned; driving is root's, looking anyone's. */
static void t_pci__attach_is_exclusive_and_guards_config(void)
{
	struct _pci_info info;
	uint32_t v = 0;
	int status;

	if (!have_pci)
		return;                 /* the case above checked that there is no server */
	int a = open(PCI_SERVER_PATH, O_RDONLY), b = open(PCI_SERVER_PATH, O_RDONLY);
	REQUIRE(a >= 0 && b >= 0 && first_function(a, &info));
	CHECK_EQ(cfg(a, _DCMD_PCI_CFG_READ, info.bdf, 0, &v), EPERM);   /* not attached */
	CHECK_EQ(attach(a, info.bdf), 0);
	CHECK_EQ(attach(b, info.bdf), EBUSY);
	CHECK_EQ(attach(a, 0xffff), ENOENT);
	CHECK_EQ(cfg(a, _DCMD_PCI_CFG_READ, info.bdf, 0, &v), 0);
	CHECK_EQ(v, (uint32_t)info.device << 16 | info.vendor);
	CHECK_EQ(cfg(b, _DCMD_PCI_CFG_READ, info.bdf, 0, &v), EPERM);
	CHECK_EQ(cfg(a, _DCMD_PCI_CFG_READ, info.bdf, 2, &v), EINVAL);
	CHECK_EQ(cfg(a, _DCMD_PCI_CFG_READ, info.bdf, 4096, &v), EINVAL);
	v = 0;
	CHECK_EQ(cfg(a, _DCMD_PCI_CFG_WRITE, info.bdf, 0x10, &v), EACCES);      /* BAR0 */
	close(a);
	CHECK_EQ(attach(b, info.bdf), 0);                               /* free again */
	close(b);
	pid_t pid = fork();
	if (pid == 0) {
		struct _pci_info seen;
		int fd = open(PCI_SERVER_PATH, O_RDONLY);
		_exit(setuid(100) || fd < 0 ? 10 : find(fd, _PCI_FIND_CLASS, info.class_code, 0,
							 &seen) ? 11 :
		      attach(fd, info.bdf) != EPERM ? 12 :
		      cfg(fd, _DCMD_PCI_CFG_READ, info.bdf, 0, &v) != EPERM ? 13 : 0);
	}
	REQUIRE(pid > 0);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
}

/* MSI: only for a function this open attached (EPERM), a well-formed
 * event (EINVAL), and on QEMU virt's generic host, which has no MSI
 * controller, ENOTSUP: the driver takes INTx.  (A host with one, the
 * FU740's, is checked against its register model: os/lib/test.) */
static void t_pci__msi_needs_the_function_and_a_controller(void)
{
	struct _pci_info info;
	struct sigevent ev;
	int vector = 77;

	if (!have_pci)
		return;
	int a = open(PCI_SERVER_PATH, O_RDONLY);
	REQUIRE(a >= 0 && first_function(a, &info));
	SIGEV_PULSE_INIT(&ev, 1, SIGEV_PULSE_PRIO_INHERIT, 1, 0);
	CHECK_EQ(pci_client_msi_attach(a, info.bdf, &ev, &vector), EPERM);     /* not attached */
	CHECK_EQ(attach(a, info.bdf), 0);
	ev.sigev_reserved = 1;
	CHECK_EQ(pci_client_msi_attach(a, info.bdf, &ev, &vector), EINVAL);
	ev.sigev_reserved = 0;
	CHECK_EQ(pci_client_msi_attach(a, 0xffff, &ev, &vector), ENOENT);
	bool dw = HwInfoDevice_r("sifive,fu740-pcie", 0, &(struct _hw_device){ 0 }) == 0;
	if (!dw) {
		CHECK_EQ(pci_client_msi_attach(a, info.bdf, &ev, &vector), ENOTSUP);
		CHECK_EQ(vector, 77);                                   /* untouched */
	}
	/* a short request is malformed, and the server carries on */
	uint32_t bdf = info.bdf;
	CHECK_EQ(devctl(a, (int)_DCMD_PCI_MSI_ATTACH, &bdf, sizeof bdf, NULL), EINVAL);
	CHECK_EQ(attach(a, info.bdf), 0);
	close(a);
}

static const struct conf_case cases[] = {
	CONF_CASE(null, reads_eof_and_takes_writes),
	CONF_CASE(zero, reads_zeros),
	CONF_CASE(full, write_is_ENOSPC),
	CONF_CASE(random, reads_differ_and_bits_balance),
	CONF_CASE(random, write_is_taken),
	CONF_CASE(ioctl, device_without_devctls_is_ENOTTY),
	CONF_CASE(open, write_only_cannot_read),
	CONF_CASE(pci, listing_agrees_with_find),
	CONF_CASE(pci, attach_is_exclusive_and_guards_config),
	CONF_CASE(pci, msi_needs_the_function_and_a_controller),
};

/* pci-server as a driver that may map the PCIe host (none: no device). */
static int start_pci(void)
{
	struct _hw_device d;
	posix_spawnattr_t sa;
	char *argv[] = { "/sbin/pci-server", NULL };
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	have_pci = HwInfoDevice_r("pci-host-ecam-generic", 0, &d) == 0;
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_KEEL_IOPRIV);
	if (have_pci)
		posix_spawnattr_keel_device(&sa, "pci-host-ecam-generic");
	int r = posix_spawn(&pci_pid, argv[0], NULL, &sa, argv, NULL);
	posix_spawnattr_destroy(&sa);
	if (r) {
		conf_line("conf-devices: cannot start /sbin/pci-server");
		return -1;
	}
	for (int i = 0; have_pci && i < 500 && access(PCI_SERVER_PATH, F_OK) != 0; i++)
		nanosleep(&tick, NULL);
	if (have_pci && access(PCI_SERVER_PATH, F_OK) != 0) {
		conf_line("conf-devices: /sbin/pci-server never served " PCI_SERVER_PATH);
		return -1;
	}
	return 0;
}

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
	if (start_pci() < 0)
		return 2;
	int r = conf_run("conf-devices", cases, sizeof cases / sizeof cases[0]) ? 1 : 0;
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	if (have_pci) {
		kill(pci_pid, SIGTERM);
		waitpid(pci_pid, &status, 0);
	}
	return r;
}
