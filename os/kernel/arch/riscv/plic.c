/* PLIC: every source starts disabled at priority 0; each accepted hart's
 * S-mode context (from the FDT's interrupts-extended, never assumed) gets
 * threshold 0.  A source is enabled (priority 1) on exactly one context
 * when a process attaches it.  A claimed source that an attachment took is
 * completed only when the driver unmasks it: until then the gateway holds
 * further requests back, so a level-triggered device that is still
 * asserting cannot fire again before its driver has serviced it. */
#include "atomic.h"
#include "hart.h"
#include "interrupt.h"
#include "kprintf.h"
#include "platform.h"
#include "plic.h"
#include "spinlock.h"
#include "trace.h"
#include "vm.h"

#define PLIC_PRIORITY(irq)  (4u * (irq))
#define PLIC_ENABLE(ctx)    (0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx)     (0x200004u + 0x1000u * (ctx))

static volatile uint8_t *plic;
static uint32_t ndev;
static struct spinlock enable_lock = SPINLOCK_INIT("plic-enable", LR_PLIC);

static volatile uint32_t *reg(uint32_t off)
{
	return (volatile uint32_t *)(plic + off);
}

int plic_present(void)
{
	return plic != 0;
}

void plic_init(const struct platform *plat)
{
	if (!plat->plic.present)
		return;
	plic = ioremap(plat->plic.base, plat->plic.size);
	if (!plic) {
		kprintf("keel: PLIC at 0x%lx could not be mapped\n", plat->plic.base);
		return;
	}
	ndev = plat->plic.ndev;
	for (uint32_t irq = 1; irq <= ndev; irq++)
		*reg(PLIC_PRIORITY(irq)) = 0;
	for (uint32_t i = 0; i < nharts; i++) {
		int ctx = harts[i].plic_sctx;
		if (ctx < 0)
			continue;
		for (uint32_t w = 0; w <= ndev / 32; w++)
			*reg(PLIC_ENABLE(ctx) + 4 * w) = 0;
	}
}

void plic_init_hart(void)
{
	int ctx = this_hart()->plic_sctx;

	if (plic && ctx >= 0)
		*reg(PLIC_THRESHOLD(ctx)) = 0;
}

uint32_t plic_read_threshold(int ctx)
{
	return *reg(PLIC_THRESHOLD(ctx));
}

uint32_t plic_lines(void)
{
	return plic ? ndev : 0;
}

static void set_enable(int ctx, uint32_t irq, bool on)
{
	volatile uint32_t *w = reg(PLIC_ENABLE(ctx) + 4 * (irq / 32));

	spin_lock(&enable_lock);
	*w = on ? *w | (1u << (irq % 32)) : *w & ~(1u << (irq % 32));
	spin_unlock(&enable_lock);
}

int plic_route_ctx(void)
{
	int ctx = this_hart()->plic_sctx;

	for (uint32_t i = 0; ctx < 0 && i < nharts; i++)
		if (atomic_load32(&harts[i].online))
			ctx = harts[i].plic_sctx;
	return ctx;
}

void plic_attach(uint32_t irq, int ctx)
{
	*reg(PLIC_PRIORITY(irq)) = 1;
	set_enable(ctx, irq, true);
}

void plic_complete(uint32_t irq, int ctx)
{
	__asm__ volatile("fence" ::: "memory");   /* the driver's device writes first */
	*reg(PLIC_CLAIM(ctx)) = irq;
}

/* Priority 0 first, so the source cannot interrupt between the completion
 * (which the PLIC ignores for a source not enabled on the context) and the
 * disable. */
void plic_detach(uint32_t irq, int ctx, bool claimed)
{
	*reg(PLIC_PRIORITY(irq)) = 0;
	if (claimed)
		plic_complete(irq, ctx);
	set_enable(ctx, irq, false);
}

/* A source nobody attached is disabled on this context and completed, so
 * it cannot storm. */
void plic_handle(void)
{
	int ctx = this_hart()->plic_sctx;
	uint32_t irq;

	if (!plic || ctx < 0)
		return;
	while ((irq = *reg(PLIC_CLAIM(ctx))) != 0) {
		trace(TR_IRQ, irq, 0);
		this_hart()->irqs++;
		if (intr_fire(irq))
			continue;               /* completed by InterruptUnmask or detach */
		plic_detach(irq, ctx, true);
	}
}
