#pragma once
/* Interrupt attachments (InterruptAttachEvent): a PLIC line belongs to at
 * most one process, which gets a pulse each time the line fires.  The line
 * stays masked from the firing until the process calls InterruptUnmask. */
#include <stdbool.h>
#include <stdint.h>

struct process;
struct sigevent;

/* Line irq fired and was claimed on the interrupt controller (interrupt
 * context).  Returns true if an attachment took it: the line is masked and
 * the event is on its way; false if nobody attached it (the caller masks
 * and completes it). */
bool intr_fire(uint32_t irq);
/* p is ending: detach (and mask) every line it attached. */
void intr_process_gone(struct process *p);
/* Attach line irq (checked against the PLIC) for p, delivering ev (a
 * checked SIGEV_PULSE); returns the id (> 0), -EBUSY if the line is
 * attached already, -EAGAIN when out of slots, -EINVAL without a route. */
long intr_attach(struct process *p, uint32_t irq, const struct sigevent *ev);
/* Detach p's attachment id; -EINVAL unless it is a live one of p's. */
int intr_detach(struct process *p, long id);
/* Unmask line irq of p's attachment id (-1: whichever p has on that line);
 * 0, or -EINVAL. */
int intr_unmask(struct process *p, long irq, long id);
