#pragma once
/* Interrupts: InterruptAttachEvent, InterruptDetach and InterruptUnmask
 * (privilege KCALL_PRIV_IO; without it every one is -EPERM).  The kernel
 * masks a line when it fires and delivers the attached event; the line
 * stays masked until the driver calls InterruptUnmask.  Values follow QNX
 * Neutrino.
 *
 *   InterruptAttachEvent(intr, const struct sigevent *event, flags) -> id > 0
 *       intr is a PLIC source (1..riscv,ndev; a device's line is in
 *       HwInfoDevice's answer); event a SIGEV_PULSE on one of the caller's
 *       connections, sent each time the line fires.  The attachment
 *       belongs to the process (as if _NTO_INTR_FLAGS_PROCESS) and ends
 *       with it.  Errors: EFAULT bad event pointer; EINVAL no such line,
 *       unknown flags, or an event that is not a valid pulse; EBUSY the
 *       line is attached already (lines are not shared); EAGAIN no free
 *       attachment.
 *   InterruptDetach(id) -> 0
 *       masks the line and frees the attachment.  Errors: EINVAL id is not
 *       a live attachment of the caller (stale, another process's, never
 *       issued).
 *   InterruptUnmask(intr, id) -> 0 (the mask count left)
 *       lets the line fire again after its event; id -1 names the caller's
 *       attachment of intr.  Unmasking a line that is not masked changes
 *       nothing.  Errors: EINVAL id is not a live attachment of the caller
 *       on line intr. */

/* InterruptAttachEvent flags (QNX values). */
#define _NTO_INTR_FLAGS_END      0x01u   /* last among handlers sharing the line */
#define _NTO_INTR_FLAGS_PROCESS  0x04u   /* belongs to the process, not the thread */
#define _NTO_INTR_FLAGS_TRK_MSK  0x08u   /* the kernel tracks the mask count */
