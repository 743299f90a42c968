#pragma once
/* Interrupts: InterruptAttachEvent, InterruptDetach and InterruptUnmask.
 * The kernel masks a line when it fires and delivers the attached event;
 * the line stays masked until the driver calls InterruptUnmask.  Values
 * follow QNX Neutrino. */

/* InterruptAttachEvent flags (QNX values). */
#define _NTO_INTR_FLAGS_END      0x01u   /* last among handlers sharing the line */
#define _NTO_INTR_FLAGS_PROCESS  0x04u   /* belongs to the process, not the thread */
#define _NTO_INTR_FLAGS_TRK_MSK  0x08u   /* the kernel tracks the mask count */
