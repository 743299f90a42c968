#pragma once
/* The platform-level interrupt controller (riscv,plic0 / sifive,plic-1.0.0). */
#include <stdbool.h>
#include <stdint.h>

struct platform;

void plic_init(const struct platform *plat);    /* boot hart, after vm init */
void plic_init_hart(void);                      /* every hart: threshold 0 for its S context */
void plic_handle(void);                         /* S external interrupt on this hart */
uint32_t plic_read_threshold(int ctx);
int plic_present(void);
/* The highest source number (riscv,ndev); 0 without a PLIC. */
uint32_t plic_lines(void);
/* The context a newly attached source is routed to: this hart's S context,
 * or the first online hart's that has one; -1 if none. */
int plic_route_ctx(void);
/* Source irq: priority 1 and enabled on context ctx only. */
void plic_attach(uint32_t irq, int ctx);
/* Signal completion of a claimed source irq on ctx (it may fire again). */
void plic_complete(uint32_t irq, int ctx);
/* Priority 0, completed if claimed, disabled on ctx. */
void plic_detach(uint32_t irq, int ctx, bool claimed);
