/* devc-ser8250: the console terminal on an 8250-family UART (QEMU virt's
 * ns16550a): only the receive side is this file's, the terminal is
 * devc_common.c's.  Registers are bytes at stride 1 (reg-shift 0), as on
 * QEMU virt. */
#include <stdint.h>
#include "devc.h"

#define RBR 0                   /* receive buffer */
#define IER 1                   /* interrupt enable */
#define MCR 4                   /* modem control */
#define LSR 5                   /* line status */
#define IER_RDA  0x01           /* received data available */
#define MCR_DTR_RTS_OUT2 0x0b   /* OUT2 routes the interrupt on PC-style boards */
#define LSR_DR   0x01           /* data ready */

static void rx_enable(volatile uint8_t *regs)
{
	regs[MCR] = MCR_DTR_RTS_OUT2;
	regs[IER] = IER_RDA;
}

static int rx_byte(volatile uint8_t *regs)
{
	return (regs[LSR] & LSR_DR) ? regs[RBR] : -1;
}

int main(int argc, char **argv)
{
	static const struct devc_hw hw = { "ns16550a", rx_enable, rx_byte };

	return devc_main(argc, argv, &hw);
}
