/* devc-sersifive: the console terminal on the SiFive UART (QEMU sifive_u,
 * the HiFive Unmatched): only the receive side is this file's, the
 * terminal is devc_common.c's. */
#include <stdint.h>
#include "devc.h"

#define RXDATA 0x04
#define RXCTRL 0x0c
#define IE     0x10
#define RXDATA_EMPTY 0x80000000u
#define RXCTRL_EN    0x1u        /* watermark 0: interrupt with one byte waiting */
#define IE_RXWM      0x2u

static volatile uint32_t *reg(volatile uint8_t *regs, unsigned off)
{
	return (volatile uint32_t *)(regs + off);
}

static void rx_enable(volatile uint8_t *regs)
{
	*reg(regs, RXCTRL) = RXCTRL_EN;
	*reg(regs, IE) = IE_RXWM;
}

static int rx_byte(volatile uint8_t *regs)
{
	uint32_t v = *reg(regs, RXDATA);

	return (v & RXDATA_EMPTY) ? -1 : (int)(v & 0xff);
}

int main(int argc, char **argv)
{
	static const struct devc_hw hw = { "sifive,uart0", rx_enable, rx_byte };

	return devc_main(argc, argv, &hw);
}
