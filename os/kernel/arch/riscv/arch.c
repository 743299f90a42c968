/* The arch_* interface (arch.h) for RISC-V S-mode. */
#include "arch.h"
#include "atomic.h"
#include "csr.h"
#include "hart.h"
#include "kprintf.h"
#include "platform.h"
#include "sbi.h"
#include "trapframe.h"
#include "vm.h"

void arch_irq_enable(void)
{
	csr_set(sstatus, SSTATUS_SIE);
}

/* idle=poll: an idle hart spins instead of wfi.  For QEMU -icount only:
 * its round-robin hart loop can stop for good when a hart woken from wfi by
 * another hart's IPI finds no timer deadline armed anywhere (seen on QEMU
 * 7.2 with two harts: both frozen, the woken one at the M-mode trap entry). */
static bool idle_poll;

void arch_idle_poll(bool on)
{
	idle_poll = on;
}

void arch_wait_for_interrupt(void)
{
	if (!idle_poll)
		__asm__ volatile("wfi" ::: "memory");
}

uint64_t arch_instret(void)
{
	return rdinstret();
}

void arch_timer_arm(uint64_t when)
{
	sbi_set_timer(when);
}

void arch_send_ipi(const struct hart *h)
{
	sbi_send_ipi(1, h->hartid);
}

/* A halted hart answers no TLB flush: it says it is stopped, so that a
 * shootdown on a hart still running (wait_flushed) does not wait for it. */
void arch_halt(void)
{
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	atomic_store32(&this_hart()->stopped, 1);
	for (;;)
		__asm__ volatile("wfi");
}

/* Some firmware has no shutdown device (OpenSBI on QEMU sifive_u only
 * offers a GPIO reset).  Power-off then becomes a reboot request with this
 * marker left in memory that a warm reset keeps; the next boot sees it and
 * halts instead of running again.  Under QEMU -no-reboot the reboot exits. */
#define POWEROFF_MAGIC 0x4b45454c4f46460aul
static volatile uint64_t poweroff_marker __attribute__((section(".noinit")));

/* QEMU's test finisher (sifive,test1 on virt, sifive,test0 on sifive_u):
 * OpenSBI 1.1's shutdown has no failure reason, so QEMU would exit 0
 * whatever happened; FAIL with a code in the upper half makes it exit with
 * that code. */
#define FINISHER_FAIL 0x3333u
static volatile uint32_t *finisher;

void arch_finisher_init(const struct platform *p)
{
	static const char *const names[] = { "sifive,test1", "sifive,test0" };
	struct plat_device d;

	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (platform_find_device(p, names[i], 0, &d) == 0) {
			finisher = ioremap(d.base, d.size ? d.size : 0x1000);
			return;
		}
}

static void finisher_fail(int status)
{
	uint32_t code = (uint32_t)status & 0xff ? (uint32_t)status & 0xff : 1;

	if (!finisher)
		return;
	__asm__ volatile("fence rw, rw" ::: "memory");
	*finisher = code << 16 | FINISHER_FAIL;
}

void arch_poweroff(int status)
{
	kprintf("keel: powering off\n");
	csr_clear(sstatus, SSTATUS_SIE);
	if (status)
		finisher_fail(status);
	sbi_system_reset(SBI_SRST_SHUTDOWN, status ? SBI_SRST_REASON_FAIL : SBI_SRST_REASON_NONE);
	kprintf("keel: firmware cannot power off; requesting a reboot that halts\n");
	poweroff_marker = POWEROFF_MAGIC;
	__asm__ volatile("fence rw, rw" ::: "memory");
	sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
	arch_halt();
}

void arch_reboot(void)
{
	kprintf("keel: rebooting\n");
	csr_clear(sstatus, SSTATUS_SIE);
	poweroff_marker = 0;                    /* a reboot, not a power-off in disguise */
	__asm__ volatile("fence rw, rw" ::: "memory");
	sbi_system_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
	kprintf("keel: the firmware cannot reboot; halting\n");
	arch_halt();
}

bool arch_poweroff_pending(void)
{
	if (poweroff_marker != POWEROFF_MAGIC)
		return false;
	poweroff_marker = 0;
	return true;
}

void arch_fw_putc(int c)
{
	sbi_legacy_putchar(c);
}

int arch_fw_getc(void)
{
	return sbi_legacy_getchar();
}

/* One capture area per hart: used by panic, when nothing else may run. */
static struct trap_frame capture[MAX_HARTS];
void arch_capture_frame(struct trap_frame *f);

void *arch_frame_capture(void)
{
	struct trap_frame *f = &capture[this_hart()->index];

	arch_capture_frame(f);
	return f;
}

uint64_t arch_frame_pc(const void *frame)
{
	return ((const struct trap_frame *)frame)->sepc;
}

static const char *const reg_names[31] = {
	"ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0", "a1",
	"a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5", "s6",
	"s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
};

void arch_frame_print(const void *frame)
{
	const struct trap_frame *f = frame;

	kprintf("  pc  0x%016lx sstatus 0x%016lx scause 0x%016lx stval 0x%016lx\n",
		f->sepc, f->sstatus, f->scause, f->stval);
	for (int i = 0; i < 31; i += 4) {
		char line[160];
		int n = 0;
		for (int j = i; j < i + 4 && j < 31; j++)
			n += snprintf(line + n, sizeof line - n, "  %-3s 0x%016lx", reg_names[j], f->x[j]);
		kprintf("%s\n", line);
	}
}

int arch_console_getc(void)
{
	return sbi_legacy_getchar();
}
