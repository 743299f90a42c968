/* ktest-user: device memory, interrupts, CPU-time clocks, scalar sends. */
#include "ktest_user.h"

/* ---- device memory, interrupts, CPU-time clocks, scalar sends ------------------------- */

#define DEV_VA 0x3000000000ul           /* where these cases map device pages */

__asm__(".pushsection .text\n"
	".option push\n.option norvc\n"
	/* each makes one call with a0 from its start (a0), a1 = 0, a2 = 0, and
	 * exits with the result */
	".globl child_intr_attach, child_intr_attach_end\n"
	"child_intr_attach:\n li a1, 0\n li a2, 0\n li a7, 41\n ecall\n li a7, 2\n ecall\n8: j 8b\n"
	"child_intr_attach_end:\n"
	".globl child_intr_detach, child_intr_detach_end\n"
	"child_intr_detach:\n li a7, 42\n ecall\n li a7, 2\n ecall\n9: j 9b\n"
	"child_intr_detach_end:\n"
	".globl child_intr_unmask, child_intr_unmask_end\n"
	"child_intr_unmask:\n li a1, -1\n li a7, 43\n ecall\n li a7, 2\n ecall\n10: j 10b\n"
	"child_intr_unmask_end:\n"
	/* AsMap(AS_SELF, 0x30000, 4096, PROT_READ, AS_MAP_PHYS, a0) */
	".globl child_as_map_phys, child_as_map_phys_end\n"
	"child_as_map_phys:\n mv a5, a0\n li a0, 0\n li a1, 0x30000\n li a2, 4096\n li a3, 0x100\n"
	" li a4, 1\n li a7, 46\n ecall\n li a7, 2\n ecall\n11: j 11b\n"
	"child_as_map_phys_end:\n"
	/* AsUnmap(AS_SELF, 0x20000, 4096) */
	".globl child_as_unmap, child_as_unmap_end\n"
	"child_as_unmap:\n li a0, 0\n li a1, 0x20000\n li a2, 4096\n li a7, 47\n ecall\n"
	" li a7, 2\n ecall\n12: j 12b\n"
	"child_as_unmap_end:\n"
	/* MemPhys(a0, 0, 0): EPERM without KCALL_PRIV_IO, else EINVAL (len 0) */
	".globl child_mem_phys, child_mem_phys_end\n"
	"child_mem_phys:\n li a1, 0\n li a2, 0\n li a7, 67\n ecall\n li a7, 2\n ecall\n13: j 13b\n"
	"child_mem_phys_end:\n"
	".option pop\n"
	".popsection\n");
extern const char child_intr_attach[], child_intr_attach_end[];
extern const char child_intr_detach[], child_intr_detach_end[];
extern const char child_intr_unmask[], child_intr_unmask_end[];
extern const char child_as_map_phys[], child_as_map_phys_end[];
extern const char child_as_unmap[], child_as_unmap_end[];
extern const char child_mem_phys[], child_mem_phys_end[];

/* Run a child to its end, its space granted [gpa, gpa + glen) (nothing
 * when glen is 0); its exit status (the result of its one call). */
static int granted_child_status(const char *from, const char *to, uint64_t a0, uint32_t privs,
				uint64_t gpa, uint64_t glen)
{
	struct _proc_exit ex;
	int pid = start_child_granted(from, to, a0, 0, privs, gpa, glen);

	if (pid <= 1)
		return -1000;
	if (ProcessWait_r(pid, &ex, 0) != pid || ex.how != _PROC_EXITED)
		return -1001;
	return ex.status;
}

/* Run a child to its end; its exit status (the result of its one call). */
int child_status(const char *from, const char *to, uint64_t a0, uint32_t privs)
{
	struct _proc_exit ex;
	int pid = start_child_priv(from, to, a0, 0, privs);

	if (pid <= 1)
		return -1000;
	if (ProcessWait_r(pid, &ex, 0) != pid || ex.how != _PROC_EXITED)
		return -1001;
	return ex.status;
}

/* A device every machine has, for the mapping cases: the PLIC is the
 * kernel's; the UART is not (its driver will be a process). */
int find_uart(struct _hw_device *d)
{
	int r = HwInfoDevice_r("ns16550a", 0, d);

	return r == -ENOENT ? HwInfoDevice_r("sifive,uart0", 0, d) : r;
}

void t_hwinfo_device(void)
{
	struct _hw_device d;
	char longname[HWINFO_NAME_MAX + 8];

	memset(&d, 0, sizeof d);
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 0, &d), 0);
	KTAP_CHECK(d.base != 0 && d.size >= 0x200000);                  /* claim registers */
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 1, &d), -ENOENT);         /* only one */
	KTAP_EQ(HwInfoDevice_r("keel,no-such-device", 0, &d), -ENOENT);
	KTAP_EQ(find_uart(&d), 0);
	KTAP_CHECK(d.irq != 0);
	KTAP_EQ(HwInfoDevice_r(KERNEL_ADDR, 0, &d), -EFAULT);
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(HwInfoDevice_r("riscv,plic0", 0, UNMAPPED), -EFAULT);
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	KTAP_EQ(HwInfoDevice_r(longname, 0, &d), -EINVAL);
	KTAP_EQ(HwInfoDevice(0, 0, &d), -1);
	KTAP_EQ(errno, EFAULT);
}

/* HwInfoEntry: a PCIe host's windows, INTx wiring and register ranges.  On QEMU virt (a
 * PCIe host at 0x30000000) the values QEMU writes; on a machine without
 * one, -ENOENT. */
void t_hwinfo_entry(void)
{
	static const char pci[] = "pci-host-ecam-generic";
	struct _hw_device d;
	struct _hw_entry e;
	unsigned n, mem32 = 0;

	memset(&e, 0, sizeof e);
	if (HwInfoDevice_r(pci, 0, &d) == -ENOENT) {
		KTAP_EQ(HwInfoEntry_r(pci, 0, HWINFO_RANGE, 0, &e), -ENOENT);
		return;
	}
	KTAP_EQ(d.base, 0x30000000);
	for (n = 0; HwInfoEntry_r(pci, 0, HWINFO_RANGE, n, &e) == 0; n++)
		if ((e.space >> 24 & 3) == 2) {
			mem32++;
			KTAP_EQ(e.parent, 0x40000000);
			KTAP_EQ(e.size, 0x40000000);
		}
	KTAP_EQ(n, 3);                                          /* I/O, 32-bit, 64-bit */
	KTAP_EQ(mem32, 1);
	for (n = 0; HwInfoEntry_r(pci, 0, HWINFO_IRQMAP, n, &e) == 0; n++) {
		unsigned slot = e.space >> 11 & 31;
		KTAP_EQ(e.mask_space, 0x1800);
		KTAP_EQ(e.mask_child, 7);
		KTAP_EQ(e.parent, 32 + (slot + (unsigned)e.child - 1) % 4);
	}
	KTAP_EQ(n, 16);
	KTAP_EQ(HwInfoEntry_r(pci, 1, HWINFO_RANGE, 0, &e), -ENOENT);
	KTAP_EQ(HwInfoEntry_r(pci, 0, 3, 0, &e), -EINVAL);
	KTAP_EQ(HwInfoEntry_r(pci, 0, HWINFO_REG, 0, &e), 0);          /* HwInfoDevice's */
	KTAP_EQ(e.parent, d.base);
	KTAP_EQ(e.size, d.size);
	KTAP_EQ(HwInfoEntry_r(pci, 0, HWINFO_REG, 1, &e), -ENOENT);
	KTAP_EQ(HwInfoEntry_r("riscv,plic0", 0, HWINFO_RANGE, 0, &e), -ENOENT);
	KTAP_EQ(HwInfoEntry_r("riscv,plic0", 0, HWINFO_REG, 0, &e), 0);
	KTAP_EQ(HwInfoEntry_r(pci, 0, HWINFO_RANGE, 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(HwInfoEntry_r(KERNEL_ADDR, 0, HWINFO_RANGE, 0, &e), -EFAULT);
}

void t_as_map_phys_checks(void)
{
	struct _hw_device uart, plic;

	KTAP_REQUIRE(find_uart(&uart) == 0 && HwInfoDevice_r("riscv,plic0", 0, &plic) == 0);
	uint64_t pa = uart.base & ~0xffful;
	/* RAM: every machine Keel runs on has RAM at 0x80000000. */
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, 0x80000000ul), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, plic.base), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 8192, PROT_READ, AS_MAP_PHYS, plic.base - 4096),
		-EINVAL);                                               /* overlaps it */
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_EXEC, AS_MAP_PHYS, pa), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, pa + 4), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 0, PROT_READ, AS_MAP_PHYS, pa), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, 1ul << 56), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, -4096l), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, 0x80, pa), -EINVAL);   /* flags */
	KTAP_EQ(AsMap_r(AS_SELF, 0xffffffff80000000ul, 4096, PROT_READ, AS_MAP_PHYS, pa), -EINVAL);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_PHYS, pa), 0);
	/* The kernel never copies into device memory (its direct map has
	 * none of it): AsWrite there is EFAULT, not a kernel fault. */
	KTAP_EQ(AsWrite_r(AS_SELF, DEV_VA + 0x800, "x", 1), -EFAULT);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_PHYS, pa), -EEXIST);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ, AS_MAP_ANON, 0), -EEXIST);
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);
	KTAP_EQ(AsMap(AS_SELF, DEV_VA + 4096, 4096, PROT_READ, AS_MAP_PHYS, 0x80000000ul), -1);
	KTAP_EQ(errno, EINVAL);
}

/* AsUnmap takes pages away: the kernel's copies fault on them afterwards,
 * also in another space; holes are fine, bad ranges are not. */
/* No access at all cannot be a page's protection (a valid PTE without R,
 * W and X is a pointer to a page table: the page's bytes would become
 * PTEs), and device memory never becomes executable through AsProtect. */
void t_as_prot_none(void)
{
	const uint64_t va = 0x10000000;
	struct _hw_device uart;
	char c = 1;
	int as = AsCreate_r();

	KTAP_REQUIRE(as > 0 && find_uart(&uart) == 0);
	KTAP_EQ(AsMap_r(as, va, 4096, PROT_NONE, AS_MAP_ANON, 0), -EINVAL);
	KTAP_EQ(AsMap_r(as, va, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsProtect_r(as, va, 4096, PROT_NONE), -EINVAL);
	KTAP_EQ(AsWrite_r(as, va, &c, 1), 0);                           /* unchanged */
	KTAP_EQ(AsMap_r(as, 0, 4096, 0, AS_MAP_GRANT, uart.base & ~0xffful), 0);
	KTAP_EQ(AsMap_r(as, va + 4096, 4096, PROT_READ, AS_MAP_PHYS, uart.base & ~0xffful), 0);
	KTAP_EQ(AsProtect_r(as, va + 4096, 4096, PROT_READ | PROT_EXEC), -EINVAL);
	KTAP_EQ(AsProtect_r(as, va + 4096, 4096, PROT_NONE), -EINVAL);
	KTAP_EQ(AsDestroy_r(as), 0);
}

/* Mapping more than the free memory fails with ENOMEM (not EEXIST) and
 * leaves none of the range mapped; destroying the space gives every page
 * back.  A range with one page already mapped is EEXIST, and changes
 * nothing either. */
void t_as_map_oom(void)
{
	struct _kernel_objects before, full, after;
	const uint64_t base = 0x10000000;
	char c = 1;

	KTAP_EQ(KernelObjects_r(&before), 0);
	int as = AsCreate_r();
	KTAP_REQUIRE(as > 0);
	uint64_t len = (before.free_pages + 4096) * 4096;
	KTAP_EQ(AsMap_r(as, base, len, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), -ENOMEM);
	KTAP_EQ(AsWrite_r(as, base, &c, 1), -EFAULT);                   /* nothing left mapped */
	KTAP_EQ(AsWrite_r(as, base + len / 2, &c, 1), -EFAULT);
	KTAP_EQ(KernelObjects_r(&full), 0);
	KTAP_CHECK(full.free_pages + 1024 > before.free_pages);          /* page tables at most */
	KTAP_EQ(AsMap_r(as, base + 8192, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsMap_r(as, base, 4 * 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), -EEXIST);
	KTAP_EQ(AsWrite_r(as, base, &c, 1), -EFAULT);                   /* EEXIST: nothing new */
	KTAP_EQ(AsWrite_r(as, base + 8192, &c, 1), 0);
	KTAP_EQ(AsDestroy_r(as), 0);
	KTAP_EQ(KernelObjects_r(&after), 0);
	KTAP_EQ(after.free_pages, before.free_pages);
}

void t_as_unmap(void)
{
	int as = AsCreate_r();
	volatile char *p = (volatile char *)DEV_VA;

	KTAP_REQUIRE(as > 0);
	KTAP_EQ(AsMap_r(as, 0x10000, 3 * 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsWrite_r(as, 0x11000, "abc", 3), 0);
	KTAP_EQ(AsUnmap_r(as, 0x11000, 4096), 0);
	KTAP_EQ(AsWrite_r(as, 0x11000, "abc", 3), -EFAULT);
	KTAP_EQ(AsWrite_r(as, 0x10000, "abc", 3), 0);                   /* neighbours stay */
	KTAP_EQ(AsWrite_r(as, 0x12000, "abc", 3), 0);
	KTAP_EQ(AsUnmap_r(as, 0x10000, 3 * 4096), 0);                   /* with a hole */
	KTAP_EQ(AsWrite_r(as, 0x12000, "abc", 3), -EFAULT);
	KTAP_EQ(AsUnmap_r(as, 0x10001, 4096), -EINVAL);
	KTAP_EQ(AsUnmap_r(as, 0x10000, 100), -EINVAL);
	KTAP_EQ(AsUnmap_r(as, 0x10000, 0), -EINVAL);
	KTAP_EQ(AsUnmap_r(as, 0xffffffff80000000ul, 4096), -EINVAL);
	KTAP_EQ(AsUnmap_r(77, 0x10000, 4096), -EINVAL);
	/* The whole user half at once: what is mapped goes, and the holes
	 * cost their missing tables, not their pages (it walked 64 million
	 * pages, a TLB shootdown every 64: seconds of taskman's time for one
	 * munmap of any process). */
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	KTAP_EQ(AsMap_r(as, (1ul << 38) - 4096, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	uint64_t t0 = now_ns();
	KTAP_EQ(AsUnmap_r(as, 0, 1ul << 38), 0);
	uint64_t took = now_ns() - t0;
	KTAP_CHECK(took < 2000000000ull);
	if (took >= 2000000000ull)
		ktap_diag("unmapping 256 GiB took %lu ms", (unsigned long)(took / 1000000));
	KTAP_EQ(AsWrite_r(as, 0x10000, "abc", 3), -EFAULT);
	KTAP_EQ(AsWrite_r(as, (1ul << 38) - 4096, "abc", 3), -EFAULT);
	KTAP_EQ(AsDestroy_r(as), 0);
	/* In our own space, after we used the page (so its translation is
	 * cached): the kernel's copy from it faults. */
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_ANON, 0), 0);
	p[0] = '\n';
	KTAP_EQ(DebugPutString_r((const char *)p, 1), 1);
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);
	KTAP_EQ(DebugPutString_r((const char *)p, 1), -EFAULT);
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);                   /* a hole now */
}

void t_as_phys_unprivileged_eperm(void)
{
	struct _hw_device uart;

	KTAP_REQUIRE(find_uart(&uart) == 0);
	uint64_t pa = uart.base & ~0xffful;
	KTAP_EQ(granted_child_status(child_as_map_phys, child_as_map_phys_end, pa, 0, pa, 4096),
		-EPERM);
	/* A driver (KCALL_PRIV_IO) maps the device memory granted to it;
	 * nothing else of AsMap's. */
	KTAP_EQ(granted_child_status(child_as_map_phys, child_as_map_phys_end, pa, KCALL_PRIV_IO,
				     pa, 4096), 0);
	KTAP_EQ(child_status(child_as_unmap, child_as_unmap_end, 0, 0), -EPERM);
	KTAP_EQ(child_status(child_as_unmap, child_as_unmap_end, 0, KCALL_PRIV_IO), -EPERM);
}

/* Only granted device memory: a driver without a grant, or with one for
 * another range, is refused (EPERM), however the range is otherwise fine;
 * the power-off device is refused to a UART's driver.  Grants are checked
 * as mappings are and a space holds AS_GRANTS_MAX of them. */
void t_as_phys_granted_only(void)
{
	struct _hw_device uart, plic, off;

	KTAP_REQUIRE(find_uart(&uart) == 0 && HwInfoDevice_r("riscv,plic0", 0, &plic) == 0);
	uint64_t pa = uart.base & ~0xffful;
	const char *from = child_as_map_phys, *to = child_as_map_phys_end;
	KTAP_EQ(granted_child_status(from, to, pa, KCALL_PRIV_IO, 0, 0), -EPERM);
	KTAP_EQ(granted_child_status(from, to, pa, KCALL_PRIV_IO, pa + 4096, 4096), -EPERM);
	KTAP_EQ(granted_child_status(from, to, pa + 4096, KCALL_PRIV_IO, pa, 4096), -EPERM);
	KTAP_EQ(granted_child_status(from, to, pa + 4096, KCALL_PRIV_IO, pa, 8192), 0);
	if (HwInfoDevice_r("sifive,test0", 0, &off) == 0)
		KTAP_EQ(granted_child_status(from, to, off.base & ~0xffful, KCALL_PRIV_IO, pa, 4096),
			-EPERM);
	else
		ktap_diag("no sifive,test0 here: the power-off device's check is not made");
	/* The granting side (the process manager's). */
	int as = AsCreate_r();
	KTAP_REQUIRE(as > 0);
	KTAP_EQ(AsMap_r(as, 0, 4096, 0, AS_MAP_GRANT, 0x80000000ul), -EINVAL);     /* RAM */
	KTAP_EQ(AsMap_r(as, 0, 4096, 0, AS_MAP_GRANT, plic.base), -EINVAL);        /* the kernel's */
	KTAP_EQ(AsMap_r(as, 0, 4096, 0, AS_MAP_GRANT, pa + 4), -EINVAL);
	KTAP_EQ(AsMap_r(as, 0, 0, 0, AS_MAP_GRANT, pa), -EINVAL);
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, 0, AS_MAP_GRANT, pa), -EINVAL);         /* a vaddr */
	KTAP_EQ(AsMap_r(as, 0, 4096, PROT_READ, AS_MAP_GRANT, pa), -EINVAL);       /* a prot */
	for (int i = 0; i < AS_GRANTS_MAX; i++)
		KTAP_EQ(AsMap_r(as, 0, 4096, 0, AS_MAP_GRANT, pa + 2 * 4096ul * (unsigned)i), 0);
	KTAP_EQ(AsMap_r(as, 0, 4096, 0, AS_MAP_GRANT, pa + 4096), -ENOSPC);
	KTAP_EQ(AsMap_r(as, 0, 4096, 0, AS_MAP_GRANT, pa), 0);                     /* held */
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, PROT_READ, AS_MAP_PHYS, pa + 4096), -EPERM);
	KTAP_EQ(AsMap_r(as, 0x10000, 4096, PROT_READ, AS_MAP_PHYS, pa + 2 * 4096), 0);
	KTAP_EQ(AsDestroy_r(as), 0);
}

/* MemPhys: where a driver's own RAM is, for DMA; honest about contiguity;
 * nothing but writable RAM of the caller's; drivers only. */
void t_mem_phys(void)
{
	static uint8_t buf[3 * 4096] __attribute__((aligned(4096)));
	struct _hw_device uart;
	uint64_t pa = 0, pa2 = 0, q = 0;
	uintptr_t va = (uintptr_t)buf;

	for (unsigned i = 0; i < sizeof buf; i += 4096)
		((volatile uint8_t *)buf)[i] = 0x5a;            /* ours, written */
	KTAP_EQ(MemPhys_r(buf + 100, 10, &pa), 10);
	KTAP_EQ(pa % 4096, 100);
	KTAP_CHECK(pa >= 0x80000000ul);                 /* RAM on both machines */
	long n = MemPhys_r(buf + 100, sizeof buf - 100, &pa2);
	KTAP_CHECK(n >= 4096 - 100 && n <= (long)sizeof buf - 100);
	KTAP_EQ(pa2, pa);
	/* every page the count covers is where it says, and the next is not */
	for (long k = 0; (k + 1) * 4096 - 100 <= n; k++) {
		KTAP_EQ(MemPhys_r(buf + k * 4096, 1, &q), 1);
		KTAP_EQ(q, pa - 100 + (uint64_t)k * 4096);
	}
	if (n < (long)sizeof buf - 100) {
		KTAP_EQ(MemPhys_r(buf + 100 + n, 1, &q), 1);
		KTAP_CHECK(q != pa + (uint64_t)n);
	}
	/* errors */
	KTAP_EQ(MemPhys_r(buf, 0, &pa), -EINVAL);
	KTAP_EQ(MemPhys_r(buf, -1l, &pa), -EINVAL);
	KTAP_EQ(MemPhys_r(KERNEL_ADDR, 8, &pa), -EINVAL);
	KTAP_EQ(MemPhys_r(UNMAPPED, 8, &pa), -EFAULT);
	KTAP_EQ(MemPhys_r(buf, 8, (uint64_t *)KERNEL_ADDR), -EFAULT);
	KTAP_EQ(MemPhys_r(buf, 8, (uint64_t *)UNMAPPED), -EFAULT);
	KTAP_EQ(MemPhys_r((const void *)t_mem_phys, 8, &pa), -EFAULT); /* text: not writable */
	KTAP_REQUIRE(find_uart(&uart) == 0);
	KTAP_EQ(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_PHYS,
			uart.base & ~0xffful), 0);
	KTAP_EQ(MemPhys_r((const void *)DEV_VA, 8, &pa), -EFAULT);     /* device memory */
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);
	/* drivers only */
	KTAP_EQ(child_status(child_mem_phys, child_mem_phys_end, va, 0), -EPERM);
	KTAP_EQ(child_status(child_mem_phys, child_mem_phys_end, va, KCALL_PRIV_IO), -EINVAL);
}

void pulse_event(struct sigevent *ev, int coid, int code)
{
	memset(ev, 0, sizeof *ev);
	SIGEV_PULSE_INIT(ev, coid, SIGEV_PULSE_PRIO_INHERIT, code, 0x5ca1ab1e);
}

/* A line nobody uses on either machine (virt: a PCIe INTx; sifive_u: a
 * GPIO), below every PLIC's riscv,ndev. */
#define QUIET_LINE 35

void t_interrupt_arguments(void)
{
	struct sigevent ev;
	int chid = ChannelCreate_r(0), coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	pulse_event(&ev, coid, 5);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, 0, 0), -EFAULT);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, KERNEL_ADDR, 0), -EFAULT);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, UNMAPPED, 0), -EFAULT);
	KTAP_EQ(InterruptAttachEvent_r(0, &ev, 0), -EINVAL);            /* no source 0 */
	KTAP_EQ(InterruptAttachEvent_r(-1, &ev, 0), -EINVAL);
	KTAP_EQ(InterruptAttachEvent_r(100000, &ev, 0), -EINVAL);       /* past riscv,ndev */
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0x100), -EINVAL); /* unknown flag */
	ev.sigev_notify = SIGEV_SIGNAL;
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0), -EINVAL);
	pulse_event(&ev, coid, 5);
	ev.sigev_priority = 1000;
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0), -EINVAL);
	pulse_event(&ev, coid, 5);
	int id = InterruptAttachEvent_r(QUIET_LINE, &ev, _NTO_INTR_FLAGS_TRK_MSK);
	KTAP_REQUIRE(id > 0);
	KTAP_EQ(InterruptAttachEvent_r(QUIET_LINE, &ev, 0), -EBUSY);    /* one owner per line */
	int id2 = InterruptAttachEvent_r(QUIET_LINE + 1, &ev, 0);
	KTAP_CHECK(id2 > 0 && id2 != id);
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, id), 0);                  /* not masked: no-op */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, -1), 0);
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE + 1, id), -EINVAL);        /* another line's id */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE + 2, -1), -EINVAL);        /* not attached */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, id + 1), -EINVAL);
	KTAP_EQ(InterruptDetach_r(id), 0);
	KTAP_EQ(InterruptDetach_r(id), -EINVAL);                        /* stale */
	KTAP_EQ(InterruptUnmask_r(QUIET_LINE, id), -EINVAL);
	KTAP_EQ(InterruptDetach_r(0), -EINVAL);
	KTAP_EQ(InterruptDetach_r(-5), -EINVAL);
	int id3 = InterruptAttachEvent_r(QUIET_LINE, &ev, 0);           /* the line is free again */
	KTAP_CHECK(id3 > 0 && id3 != id);                               /* and the old id stays stale */
	KTAP_EQ(InterruptDetach_r(id), -EINVAL);
	KTAP_EQ(InterruptDetach(id), -1);
	KTAP_EQ(errno, EINVAL);
	KTAP_EQ(InterruptDetach_r(id3), 0);
	KTAP_EQ(InterruptDetach_r(id2), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

/* Unprivileged processes get EPERM; a driver (KCALL_PRIV_IO) gets past the
 * privilege check; nobody else's id is usable. */
void t_interrupt_privileges(void)
{
	struct sigevent ev;
	int chid = ChannelCreate_r(0), coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);

	KTAP_EQ(child_status(child_intr_attach, child_intr_attach_end, QUIET_LINE, 0), -EPERM);
	KTAP_EQ(child_status(child_intr_unmask, child_intr_unmask_end, QUIET_LINE, 0), -EPERM);
	KTAP_EQ(child_status(child_intr_detach, child_intr_detach_end, 1, 0), -EPERM);
	KTAP_EQ(child_status(child_intr_attach, child_intr_attach_end, QUIET_LINE, KCALL_PRIV_IO),
		-EFAULT);                                               /* its NULL event */
	pulse_event(&ev, coid, 5);
	int id = InterruptAttachEvent_r(QUIET_LINE, &ev, 0);
	KTAP_REQUIRE(id > 0);
	KTAP_EQ(child_status(child_intr_detach, child_intr_detach_end, (uint64_t)id, KCALL_PRIV_IO),
		-EINVAL);                                               /* not its id */
	KTAP_EQ(child_status(child_intr_unmask, child_intr_unmask_end, QUIET_LINE, KCALL_PRIV_IO),
		-EINVAL);                                               /* not its line */
	KTAP_EQ(InterruptDetach_r(id), 0);                              /* still ours */
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

/* goldfish-rtc registers (QEMU hw/rtc/goldfish_rtc.c layout). */
#define RTC_TIME_LOW        0x00    /* reading it latches TIME_HIGH */
#define RTC_TIME_HIGH       0x04
#define RTC_ALARM_LOW       0x08    /* writing it arms the alarm */
#define RTC_ALARM_HIGH      0x0c
#define RTC_IRQ_ENABLED     0x10
#define RTC_CLEAR_INTERRUPT 0x1c

static volatile uint32_t *rtc;

uint64_t rtc_now(void)
{
	uint64_t lo = rtc[RTC_TIME_LOW / 4];

	return (uint64_t)rtc[RTC_TIME_HIGH / 4] << 32 | lo;
}

void rtc_alarm_in(uint64_t ns)
{
	uint64_t at = rtc_now() + ns;

	rtc[RTC_ALARM_HIGH / 4] = (uint32_t)(at >> 32);
	rtc[RTC_ALARM_LOW / 4] = (uint32_t)at;
}

/* Wait up to ms for a pulse on chid: its code, or the error. */
int pulse_within(int chid, uint64_t ms, struct _pulse *p)
{
	memset(p, 0, sizeof *p);
	timeout_ms(_NTO_TIMEOUT_RECEIVE, ms);
	int r = MsgReceivePulse_r(chid, p, sizeof *p, 0);
	return r < 0 ? r : p->code;
}

/* End to end on a real device: the RTC's alarm fires its line, the pulse
 * arrives, the line stays masked (a second alarm stays silent) until
 * InterruptUnmask lets it through. */
void t_interrupt_rtc_alarm_pulse(void)
{
	struct _hw_device d;
	struct sigevent ev;
	struct _pulse p;
	int r = HwInfoDevice_r("google,goldfish-rtc", 0, &d);

	if (r == -ENOENT) {
		ktap_skip("no google,goldfish-rtc in this machine's device tree");
		return;
	}
	KTAP_REQUIRE(r == 0 && d.irq != 0);
	KTAP_REQUIRE(AsMap_r(AS_SELF, DEV_VA, 4096, PROT_READ | PROT_WRITE, AS_MAP_PHYS,
			     d.base & ~0xffful) == 0);
	rtc = (volatile uint32_t *)(DEV_VA + (d.base & 0xfff));
	uint64_t t0 = rtc_now();
	KTAP_CHECK(t0 > 0 && rtc_now() >= t0);                          /* it is a clock */
	int chid = ChannelCreate_r(0), coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	pulse_event(&ev, coid, 9);
	int id = InterruptAttachEvent_r((int)d.irq, &ev, 0);
	KTAP_REQUIRE(id > 0);
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	rtc[RTC_IRQ_ENABLED / 4] = 1;
	KTAP_EQ(pulse_within(chid, 30, &p), -ETIMEDOUT);                /* no alarm yet */
	rtc_alarm_in(10 * 1000000ul);
	KTAP_EQ(pulse_within(chid, 2000, &p), 9);
	KTAP_EQ(p.value.sival_int, 0x5ca1ab1e);
	/* Serviced, re-armed, but masked: the next alarm must wait. */
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	rtc_alarm_in(5 * 1000000ul);
	KTAP_EQ(pulse_within(chid, 100, &p), -ETIMEDOUT);
	KTAP_EQ(InterruptUnmask_r((int)d.irq, id), 0);
	KTAP_EQ(pulse_within(chid, 2000, &p), 9);                       /* it was held back */
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	KTAP_EQ(InterruptUnmask_r((int)d.irq, -1), 0);
	/* Detached: an alarm no longer reaches us. */
	KTAP_EQ(InterruptDetach_r(id), 0);
	rtc_alarm_in(5 * 1000000ul);
	KTAP_EQ(pulse_within(chid, 100, &p), -ETIMEDOUT);
	rtc[RTC_IRQ_ENABLED / 4] = 0;
	rtc[RTC_CLEAR_INTERRUPT / 4] = 1;
	KTAP_EQ(AsUnmap_r(AS_SELF, DEV_VA, 4096), 0);
	ConnectDetach_r(coid);
	ChannelDestroy_r(chid);
}

uint64_t clock_of(int id)
{
	uint64_t t = 0;

	return ClockTime_r(id, 0, &t) == 0 ? t : ~0ul;
}

void burn_ms(uint64_t ms)
{
	uint64_t end = now_ns() + ms * 1000000;

	while (now_ns() < end)
		;
}

static volatile int sleeper_go;

void *sleep_until_told(void *arg)
{
	(void)arg;
	while (!sleeper_go)
		pause_ms(10);
	return 0;
}

void t_clock_id_cpu_time(void)
{
	int proc = ClockId_r(0, 0), me = ClockId_r(0, (int)my_tid());
	struct _client_info ci;

	KTAP_REQUIRE(proc > 0 && me > 0 && proc != me);
	KTAP_EQ(ConnectClientInfo_r(-1, &ci, 0), 0);
	KTAP_EQ(ClockId_r(ci.pid, 0), proc);                            /* by pid, the same */
	uint64_t p0 = clock_of(proc), t0 = clock_of(me), s0 = clock_of(CLOCK_THREAD_CPUTIME_ID);
	KTAP_CHECK(t0 != ~0ul && p0 != ~0ul && s0 != ~0ul);
	KTAP_CHECK(t0 <= p0);
	burn_ms(30);
	/* The thread's clocks before the process's, as p0 came before t0: then the
	 * process's span holds the thread's however long each read takes (a busy
	 * host stretches the guest's time between two reads past a millisecond). */
	uint64_t t1 = clock_of(me), s1 = clock_of(CLOCK_THREAD_CPUTIME_ID), p1 = clock_of(proc);
	KTAP_CHECK(t1 - t0 >= 10000000 && t1 - t0 < 1000000000);       /* it ran ~30 ms */
	KTAP_CHECK(s1 - s0 >= 10000000);
	KTAP_CHECK(p1 - p0 >= t1 - t0 - 1000000);
	KTAP_CHECK(clock_of(CLOCK_PROCESS_CPUTIME_ID) >= p1);
	/* A thread that sleeps uses next to nothing. */
	sleeper_go = 0;
	int tid = urt_thread_create(sleep_until_told, 0, stacks[0], sizeof stacks[0], 0);
	KTAP_REQUIRE(tid > 0);
	int other = ClockId_r(0, tid);
	KTAP_REQUIRE(other > 0);
	pause_ms(20);
	uint64_t o0 = clock_of(other);
	pause_ms(60);
	uint64_t o1 = clock_of(other);
	KTAP_CHECK(o0 != ~0ul && o1 >= o0 && o1 - o0 < 20000000);
	sleeper_go = 1;
	KTAP_EQ(ThreadJoin_r(tid, 0), 0);
	KTAP_EQ(ClockTime_r(other, 0, &o1), -EINVAL);                   /* went stale with it */
	KTAP_EQ(ClockId_r(0, tid), -ESRCH);
	/* Errors. */
	uint64_t set = 5;
	KTAP_EQ(ClockTime_r(proc, &set, 0), -EINVAL);                   /* read only */
	KTAP_EQ(ClockTime_r(CLOCK_THREAD_CPUTIME_ID, &set, 0), -EINVAL);
	KTAP_EQ(ClockTime_r(proc, 0, KERNEL_ADDR), -EFAULT);
	KTAP_EQ(ClockId_r(999999, 0), -ESRCH);
	KTAP_EQ(ClockId_r(-3, 0), -ESRCH);
	KTAP_EQ(ClockId_r(0, 0x7fff00f0), -ESRCH);
	KTAP_EQ(ClockTime_r(0x7fffffff, 0, &set), -EINVAL);
	KTAP_EQ(ClockId(999999, 0), -1);
	KTAP_EQ(errno, ESRCH);
}

/* MsgSendsv: the message from one buffer, the reply into a vector;
 * MsgSendvs the other way round.  Truncation works as with vectors. */
void t_msg_send_scalar_forms(void)
{
	static struct server s;
	char a[4] = { 0 }, b[16] = { 0 }, one[16] = { 0 };
	iov_t riov[2], siov[2];

	int tid = start_server(&s, SRV_ECHO_UPPER, 0), coid = connect_to(&s);
	KTAP_REQUIRE(tid > 0 && coid >= 0);
	SETIOV(&riov[0], a, sizeof a);
	SETIOV(&riov[1], b, 6);
	KTAP_EQ(MsgSendsv_r(coid, "abcdefghij", 10, riov, 2), 7);
	KTAP_CHECK(!memcmp(a, "ABCD", 4) && !memcmp(b, "EFGHIJ", 6));
	finish(&s, tid, coid);
	KTAP_EQ(s.info.srcmsglen, 10);
	KTAP_EQ(s.info.dstmsglen, 10);

	tid = start_server(&s, SRV_ECHO_UPPER, 0);
	coid = connect_to(&s);
	KTAP_REQUIRE(tid > 0 && coid >= 0);
	SETIOV(&siov[0], "keel ", 5);
	SETIOV(&siov[1], "calls", 6);
	KTAP_EQ(MsgSendvs_r(coid, siov, 2, one, sizeof one), 7);
	KTAP_CHECK(!strcmp(one, "KEEL CALLS"));
	finish(&s, tid, coid);
	KTAP_EQ(s.info.srcmsglen, 11);
	KTAP_EQ(s.info.dstmsglen, 16);

	int chid = ChannelCreate_r(0);
	coid = ConnectAttach_r(ND_LOCAL_NODE, 0, chid, 0, 0);
	KTAP_EQ(MsgSendsv_r(coid, KERNEL_ADDR, 8, riov, 2), -EFAULT);
	KTAP_EQ(MsgSendsv_r(coid, "x", -1l, riov, 2), -EINVAL);
	KTAP_EQ(MsgSendsv_r(coid, "x", 1, riov, 100), -EINVAL);
	KTAP_EQ(MsgSendsv_r(coid, "x", 1, KERNEL_ADDR, 1), -EFAULT);
	KTAP_EQ(MsgSendvs_r(coid, siov, 2, KERNEL_ADDR, 16), -EFAULT);
	KTAP_EQ(MsgSendvs_r(coid, siov, 100, one, 16), -EINVAL);
	KTAP_EQ(MsgSendvs_r(coid, KERNEL_ADDR, 1, one, 16), -EFAULT);
	ConnectDetach_r(coid);
	KTAP_EQ(MsgSendsv_r(coid, "x", 1, riov, 2), -EBADF);
	KTAP_EQ(MsgSendvs(coid, siov, 2, one, 16), -1);
	KTAP_EQ(errno, EBADF);
	ChannelDestroy_r(chid);
}
