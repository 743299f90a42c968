/* PLIC: every source starts disabled at priority 0; each accepted hart's
 * S-mode context (from the FDT's interrupts-extended, never assumed) gets
 * threshold 0.  Drivers enable their sources when they attach. */
#include "hart.h"
#include "kprintf.h"
#include "platform.h"
#include "plic.h"
#include "trace.h"
#include "vm.h"

#define PLIC_PRIORITY(irq)  (4u * (irq))
#define PLIC_ENABLE(ctx)    (0x2000u + 0x80u * (ctx))
#define PLIC_THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define PLIC_CLAIM(ctx)     (0x200004u + 0x1000u * (ctx))

static volatile uint8_t *plic;
static uint32_t ndev;

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

/* No driver attaches interrupts yet: a source that fires is disabled on this
 * context and completed, so it cannot storm. */
void plic_handle(void)
{
	int ctx = this_hart()->plic_sctx;
	uint32_t irq;

	if (!plic || ctx < 0)
		return;
	while ((irq = *reg(PLIC_CLAIM(ctx))) != 0) {
		trace(TR_IRQ, irq, 0);
		*reg(PLIC_ENABLE(ctx) + 4 * (irq / 32)) &= ~(1u << (irq % 32));
		*reg(PLIC_CLAIM(ctx)) = irq;
	}
}
