#pragma once
/* Interrupt attachments (InterruptAttachEvent): a PLIC line belongs to at
 * most one process, which gets a pulse each time the line fires.  The line
 * stays masked from the firing until the process calls InterruptUnmask. */
#include <stdbool.h>
#include <stdint.h>

struct process;

/* Line irq fired and was claimed on the interrupt controller (interrupt
 * context).  Returns true if an attachment took it: the line is masked and
 * the event is on its way; false if nobody attached it (the caller masks
 * and completes it). */
bool intr_fire(uint32_t irq);
/* p is ending: detach (and mask) every line it attached. */
void intr_process_gone(struct process *p);
