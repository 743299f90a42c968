/* The console device behind kprintf: the UART named by the FDT's
 * stdout-path (ns16550a on QEMU virt, sifive,uart0 on sifive_u and the
 * Unmatched), driven by polling; the SBI legacy console until then, and as
 * the fallback when the FDT names no UART we know. */
#include <stdint.h>
#include "console.h"
#include "platform.h"
#include "vm.h"

/* Implemented in arch code: the firmware console. */
void arch_fw_putc(int c);
int arch_fw_getc(void);

enum con_kind { CON_FIRMWARE, CON_NS16550, CON_SIFIVE };

static enum con_kind kind = CON_FIRMWARE;
static volatile uint8_t *regs;
static unsigned shift, iowidth;

#define NS_THR 0
#define NS_RBR 0
#define NS_LSR 5
#define NS_LSR_DR   0x01
#define NS_LSR_THRE 0x20

#define SF_TXDATA 0x00
#define SF_RXDATA 0x04
#define SF_FULL   0x80000000u
#define SF_EMPTY  0x80000000u

static uint32_t ns_read(unsigned reg)
{
	volatile uint8_t *p = regs + (reg << shift);
	return iowidth == 4 ? *(volatile uint32_t *)p : *p;
}

static void ns_write(unsigned reg, uint32_t v)
{
	volatile uint8_t *p = regs + (reg << shift);
	if (iowidth == 4)
		*(volatile uint32_t *)p = v;
	else
		*p = (uint8_t)v;
}

static void putc_raw(char c)
{
	switch (kind) {
	case CON_NS16550:
		while (!(ns_read(NS_LSR) & NS_LSR_THRE))
			;
		ns_write(NS_THR, (uint8_t)c);
		break;
	case CON_SIFIVE:
		while (*(volatile uint32_t *)(regs + SF_TXDATA) & SF_FULL)
			;
		*(volatile uint32_t *)(regs + SF_TXDATA) = (uint8_t)c;
		break;
	default:
		arch_fw_putc(c);
	}
}

void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			putc_raw('\r');
		putc_raw(s[i]);
	}
}

void console_write_raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		putc_raw(s[i]);
}

int console_getc(void)
{
	switch (kind) {
	case CON_NS16550:
		return (ns_read(NS_LSR) & NS_LSR_DR) ? (int)(ns_read(NS_RBR) & 0xff) : -1;
	case CON_SIFIVE: {
		uint32_t v = *(volatile uint32_t *)(regs + SF_RXDATA);
		return (v & SF_EMPTY) ? -1 : (int)(v & 0xff);
	}
	default:
		return arch_fw_getc();
	}
}

const char *console_name(void)
{
	static const char *const names[] = { "sbi", "ns16550a", "sifive,uart0" };
	return names[kind];
}

void console_init(const struct platform *plat)
{
	if (plat->stdout_uart < 0)
		return;
	const struct plat_uart *u = &plat->uart[plat->stdout_uart];
	volatile uint8_t *r = ioremap(u->base, u->size ? u->size : 0x1000);
	if (!r)
		return;
	shift = u->reg_shift;
	iowidth = u->reg_io_width;
	regs = r;
	kind = u->kind == PLAT_UART_SIFIVE ? CON_SIFIVE : CON_NS16550;
}
