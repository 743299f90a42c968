/* The kernel monitor.  Commands: help, harts, mem, trace [hart], ktest,
 * panic, poweroff.  Input is polled once per timer tick, the hart sleeping in
 * wfi between ticks. */
#include "arch.h"
#include "atomic.h"
#include "console.h"
#include "hart.h"
#include "kmon.h"
#include "kprintf.h"
#include "kstring.h"
#include "ktest.h"
#include "panic.h"
#include "pmm.h"
#include "thread.h"
#include "timer.h"

#define LINE_MAX_KMON 80

static void cmd_harts(void)
{
	for (uint32_t i = 0; i < nharts; i++) {
		struct hart *h = &harts[i];
		kprintf("hart %u: id %u %s, %lu ticks, %lu ipis, plic ctx %d\n", h->index, h->hartid,
			atomic_load32(&h->online) ? "online" : "offline", h->ticks, h->ipis,
			h->plic_sctx);
	}
}

static void cmd_mem(void)
{
	kprintf("pages: %lu free of %lu (%lu MiB free)\n", pmm_free_pages(), pmm_total_pages(),
		pmm_free_pages() >> 8);
}

static void cmd_trace(const char *arg)
{
	uint32_t i = 0;

	while (*arg >= '0' && *arg <= '9')
		i = i * 10 + (uint32_t)(*arg++ - '0');
	if (i >= nharts) {
		kprintf("trace: no hart %u\n", i);
		return;
	}
	trace_dump(&harts[i].ring, 32);
}

static void run(const char *line)
{
	if (!strcmp(line, "help"))
		kprintf("commands: help harts mem trace [hart] ktest panic poweroff\n");
	else if (!strcmp(line, "harts"))
		cmd_harts();
	else if (!strcmp(line, "mem"))
		cmd_mem();
	else if (!strncmp(line, "trace", 5))
		cmd_trace(line[5] == ' ' ? line + 6 : "0");
	else if (!strcmp(line, "ktest"))
		ktest_run_all();
	else if (!strcmp(line, "panic"))
		panic("panic requested from the monitor");
	else if (!strcmp(line, "poweroff"))
		arch_poweroff(false);
	else if (line[0])
		kprintf("%s: unknown command (try help)\n", line);
}

/* Reads one line with echo and backspace/delete editing. */
static void read_line(char *buf, size_t max)
{
	size_t n = 0;

	for (;;) {
		int c = console_getc();
		if (c < 0) {
			thread_sleep_ns(10 * 1000 * 1000);     /* poll at 100 Hz */
			continue;
		}
		if (c == '\r' || c == '\n') {
			kprintf("\n");
			buf[n] = 0;
			return;
		}
		if ((c == 0x7f || c == 0x08) && n > 0) {
			n--;
			kprintf("\b \b");
		} else if (c >= ' ' && c < 0x7f && n + 1 < max) {
			buf[n++] = (char)c;
			kprintf("%c", c);
		}
	}
}

void kmon_run(void)
{
	char line[LINE_MAX_KMON];

	kprintf("keel: no user space yet; kernel monitor (type help)\n");
	for (;;) {
		kprintf("keel> ");
		read_line(line, sizeof line);
		run(line);
	}
}
