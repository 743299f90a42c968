#pragma once
/* The kernel console device: SBI legacy console until the FDT's stdout UART
 * is mapped, then that UART (polled). */
#include <stddef.h>

struct platform;

void console_init(const struct platform *plat);   /* after the kernel map is up */
void console_write(const char *s, size_t n);      /* caller holds the console line lock */
void console_write_raw(const char *s, size_t n);  /* ... and no '\n' -> "\r\n" */
int console_getc(void);                           /* -1 if no input */
const char *console_name(void);
