/* kmain: the boot hart's road from the device tree to every hart online. */
#include "arch.h"
#include "atomic.h"
#include "boot.h"
#include "console.h"
#include "hart.h"
#include "kcall.h"
#include "kbench.h"
#include "kmon.h"
#include "ipc.h"
#include "kprintf.h"
#include "kstring.h"
#include "ktest.h"
#include "memmap.h"
#include "panic.h"
#include "platform.h"
#include "plic.h"
#include "pmm.h"
#include "process.h"
#include "sched.h"
#include "smp.h"
#include "sync.h"
#include "waitq.h"
#include "thread.h"
#include "ktimer.h"
#include "timer.h"
#include "trace.h"
#include "vm.h"

const char keel_version[] = "Keel " KEEL_VERSION " (" KEEL_GITDESC ")";

#define FDT_MAX_SIZE (4u << 20)

extern char _start_image[], _end[];
void smp_hart_enable_irqs(void);

static struct platform plat;
const struct platform *boot_platform = &plat;

static void __attribute__((noreturn)) boot_fail(const char *what, int err)
{
	kprintf("keel: boot failed: %s: %s\n", what, platform_strerror(err));
	arch_poweroff(true);
}

/* Index 0 is the boot hart; the other accepted harts follow in FDT order. */
static void harts_setup(uint64_t boot_hartid)
{
	int bi = platform_hart_index(&plat, boot_hartid);

	if (bi < 0 || !plat.hart[bi].accepted)
		panic("boot hart %lu is not an accepted hart of the device tree", boot_hartid);
	harts[0].plic_sctx = plat.hart[bi].plic_sctx;
	nharts = 1;
	for (int i = 0; i < plat.nharts; i++) {
		const struct plat_hart *ph = &plat.hart[i];
		if (!ph->accepted) {
			kprintf("keel: hart %lu skipped: %s\n", ph->hartid, ph->reason);
			continue;
		}
		if (i == bi)
			continue;
		if (nharts == MAX_HARTS) {
			kprintf("keel: hart %lu skipped: more than %d harts\n", ph->hartid, MAX_HARTS);
			continue;
		}
		harts[nharts] = (struct hart){ .index = nharts, .hartid = (uint32_t)ph->hartid,
					       .plic_sctx = ph->plic_sctx,
					       .kcall_rows = kcall_rows };      /* as hart.c's */
		nharts++;
	}
}

static void memory_setup(uint64_t fdt_pa)
{
	struct memrange hole[PLAT_MAX_RSV + 3], freer[PLAT_MAX_MEM + PLAT_MAX_RSV + 3];
	int nh = 0;

	for (int i = 0; i < plat.nrsv; i++)
		hole[nh++] = plat.rsv[i];
	hole[nh++] = (struct memrange){ kernel_load_pa, (uint64_t)(_end - _start_image) };
	hole[nh++] = (struct memrange){ fdt_pa, plat.fdt_size };
	if (plat.has_initrd)
		hole[nh++] = (struct memrange){ plat.initrd_start, plat.initrd_end - plat.initrd_start };
	int n = memmap_free_ranges(freer, (int)(sizeof freer / sizeof freer[0]),
				   plat.mem, plat.nmem, hole, nh);
	if (n <= 0)
		panic("no usable memory (%d ranges)", n);
	if (pmm_init(freer, n, DIRECT_MAP_BASE) != 0)
		panic("page allocator could not initialise");
}

static uint64_t total_mib(void)
{
	uint64_t sum = 0;

	for (int i = 0; i < plat.nmem; i++)
		sum += plat.mem[i].size;
	return sum >> 20;
}

/* Hart ids in device-tree order (the boot hart is not always the first). */
static void print_banner(void)
{
	char ids[MAX_HARTS * 11 + 1];
	int n = 0;

	ids[0] = 0;
	for (int i = 0; i < plat.nharts; i++)
		if (hart_by_id((uint32_t)plat.hart[i].hartid))
			n += snprintf(ids + n, sizeof ids - n, "%s%lu", n ? "," : "", plat.hart[i].hartid);
	kprintf("%s on %s: %u harts [%s], %lu MiB, timebase %lu Hz\n",
		keel_version, plat.compatible ? plat.compatible : "unknown",
		nharts, ids, total_mib(), timebase_hz);
}

/* True if `word` appears as a whole word in the kernel command line. */
bool cmdline_has(const char *word)
{
	const char *s = plat.bootargs;
	size_t wl = strlen(word);

	while (s && *s) {
		while (*s == ' ')
			s++;
		size_t l = 0;
		while (s[l] && s[l] != ' ')
			l++;
		if (l == wl && strncmp(s, word, wl) == 0)
			return true;
		s += l;
	}
	return false;
}

/* The first thread: self-tests or the monitor. */
static void main_thread(void *arg)
{
	(void)arg;
	if (cmdline_has("kbench")) {
		kbench_run();
		arch_poweroff(false);
	}
	sync_sem_init(0, (uintptr_t)&init_exited, 0);
	int r = process_spawn_init(&plat);
	if (r < 0)
		arch_poweroff(true);
	if (r > 0 && !cmdline_has("ktest"))
		return;                 /* init runs; its exit powers off */
	if (cmdline_has("ktest")) {
		if (r > 0)              /* init first, then the self-tests in the same boot */
			sync_sem_wait(0, (uintptr_t)&init_exited, WAIT_FOREVER);
		int failed = ktest_run_all();
		arch_poweroff(failed);
	}
	kmon_run();
}

void kmain(uint64_t hartid, uint64_t fdt_pa, uint64_t load_pa)
{
	boot_entry_instret = arch_instret();
	harts[0].index = 0;
	harts[0].hartid = (uint32_t)hartid;
	__asm__ volatile("mv tp, %0" :: "r"(&harts[0]));
	kernel_load_pa = load_pa;
	trace(TR_BOOT, hartid, 0);
	if (arch_poweroff_pending()) {
		kprintf("keel: powered off (halted after the firmware's reboot)\n");
		arch_halt();
	}

	int err = platform_parse(phys_to_virt(fdt_pa), FDT_MAX_SIZE, &plat);
	if (err)
		boot_fail("device tree", err);
	if (plat.timebase_hz)
		timebase_hz = plat.timebase_hz;
	harts_setup(hartid);
	memory_setup(fdt_pa);
	vm_kernel_init(&plat);
	console_init(&plat);
	plic_init(&plat);
	arch_finisher_init(&plat);
	print_banner();
	arch_idle_poll(cmdline_has("idle=poll"));
	ipc_fast_off = cmdline_has("ipc=slow");      /* the general message path only */
	sched_init();
	ktimer_queues_init();
	sync_init();
	process_init();
	sched_init_hart();
	atomic_store32(&harts[0].online, 1);
	atomic_store32(&harts_online, 1);
	smp_hart_enable_irqs();
	smp_start_secondaries(&plat, 0);

	if (cmdline_has("panic"))
		panic("test panic requested on the command line");
	if (!kthread_create("main", main_thread, 0, PRIO_DEFAULT, SCHED_RR, 0))
		panic("cannot create the main thread");
	sched_idle_loop();
}
