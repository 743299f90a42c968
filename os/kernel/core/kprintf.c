/* kprintf: format into a local buffer, then emit it under the console line
 * lock, so lines from different harts never interleave byte by byte. */
#include <stdarg.h>
#include "arch.h"
#include "atomic.h"
#include "console.h"
#include "kprintf.h"
#include "spinlock.h"

#define KPRINTF_MAX 320

extern volatile uint32_t panic_in_progress;
static struct spinlock con_lock = SPINLOCK_INIT("console", LR_CONSOLE);

/* During a panic the lock may be held by a hart that is now stopped: wait a
 * bounded time, then print anyway (the other harts are halted). */
static bool console_lock_panic(void)
{
	for (int i = 0; i < 1000000; i++)
		if (spin_trylock(&con_lock))
			return true;
	return false;
}

/* Writes s with the console line lock held and interrupts off. */
static void console_locked(void (*write)(const char *, size_t), const char *s, size_t len)
{
	unsigned long f = arch_irq_save();
	bool locked = true;
	if (atomic_load32(&panic_in_progress))
		locked = console_lock_panic();
	else
		spin_lock(&con_lock);
	write(s, len);
	if (locked)
		spin_unlock(&con_lock);
	arch_irq_restore(f);
}

int vkprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_MAX];
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	size_t len = n < (int)sizeof buf ? (size_t)n : sizeof buf - 1;

	if (n >= (int)sizeof buf)
		buf[len - 1] = '\n';    /* truncated: still end the line */
	console_locked(console_write, buf, len);
	return n;
}

void kputs_raw(const char *s, size_t len)
{
	console_locked(console_write_raw, s, len);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}
