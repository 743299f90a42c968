#pragma once
/* The serial console drivers' common part (os/lib/devc_common.c): a
 * terminal server on the resmgr framework with the line discipline of
 * termdisc.h, publishing /dev/ser1 and /dev/console (a session leader's open
 * without O_NOCTTY makes it the session's controlling terminal, which
 * taskman's /dev/tty then names).  A driver
 * supplies only its UART's registers (struct devc_hw) and calls
 * devc_main.
 *
 * Input: the UART's receive interrupt (InterruptAttachEvent) arrives as a
 * pulse on the server's channel; the pulse handler drains the receive FIFO
 * into the line discipline, answers the reads it completes and unmasks.
 *
 * Output and the kernel console (the handover): the kernel keeps writing
 * its own lines to the same UART by polling, so the driver does not touch
 * the transmitter itself.  Its output (processed writes and echo) goes to
 * a TX ring, and a TX thread empties the ring with ConsoleWrite: at most
 * one line (up to and including '\n', at most 256 bytes) a call, written by
 * the kernel under its console line lock.  So a kernel line, a program's
 * DebugPutString line and a terminal line never interleave within a line,
 * and a panic (which takes the UART whatever the lock) still gets out.  The
 * kernel reads the UART only in its monitor, which runs only when there is
 * no user space, so once a driver attached the receive interrupt it is the
 * only reader. */
#include <stdint.h>

struct devc_hw {
	const char *compatible;         /* for HwInfoDevice */
	/* Turns the receive interrupt on (regs: the device's first register). */
	void (*rx_enable)(volatile uint8_t *regs);
	/* The next received byte, or -1 when the receive FIFO is empty. */
	int (*rx_byte)(volatile uint8_t *regs);
};

/* Runs the driver: finds the device, maps it, attaches its interrupt and
 * the names, then serves.  With arguments (argv[1] ...), it spawns that
 * program with fds 0-2 on /dev/ser1 once serving and exits with its exit
 * status (how a test or a shell runs on the terminal until init starts
 * drivers itself).  Returns the process exit status. */
int devc_main(int argc, char **argv, const struct devc_hw *hw);
