#pragma once
/* The platform-level interrupt controller (riscv,plic0 / sifive,plic-1.0.0). */
#include <stdint.h>

struct platform;

void plic_init(const struct platform *plat);    /* boot hart, after vm init */
void plic_init_hart(void);                      /* every hart: threshold 0 for its S context */
void plic_handle(void);                         /* S external interrupt on this hart */
uint32_t plic_read_threshold(int ctx);
int plic_present(void);
