/* Decoders of the interrupt calls (KCALL_PRIV_IO): InterruptAttachEvent,
 * InterruptDetach, InterruptUnmask.  The attachments are in interrupt.c. */
#include <keel/errno.h>
#include <keel/intr.h>
#include <keel/sigevent.h>
#include "interrupt.h"
#include "kcall.h"
#include "plic.h"
#include "process.h"
#include "thread.h"
#include "uaccess.h"

#define INTR_FLAGS (_NTO_INTR_FLAGS_END | _NTO_INTR_FLAGS_PROCESS | _NTO_INTR_FLAGS_TRK_MSK)

static struct process *self(void)
{
	return thread_current()->proc;
}

static int check_event(const struct sigevent *ev)
{
	if (ev->sigev_notify != SIGEV_PULSE)
		return -EINVAL;         /* SIGEV_INTR arrives with InterruptWait */
	if (ev->sigev_priority < SIGEV_PULSE_PRIO_INHERIT || ev->sigev_priority > PRIO_MAX ||
	    ev->sigev_code < -128 || ev->sigev_code > 127)
		return -EINVAL;
	return 0;
}

/* InterruptAttachEvent(intr, const struct sigevent *, flags) -> id > 0. */
long sys_InterruptAttachEvent(long irq, long uev, long flags)
{
	struct sigevent ev;

	if (!uev || copy_from_user(&ev, (uintptr_t)uev, sizeof ev))
		return -EFAULT;
	if (flags & ~(long)INTR_FLAGS || irq < 1 || irq > plic_lines() || check_event(&ev))
		return -EINVAL;
	return intr_attach(self(), (uint32_t)irq, &ev);
}

/* InterruptDetach(id): -EINVAL unless id is a live attachment of the caller. */
long sys_InterruptDetach(long id)
{
	return intr_detach(self(), id);
}

/* InterruptUnmask(intr, id): id names the caller's attachment of line intr
 * (-1: whichever it has on that line).  Returns the mask count left, 0;
 * unmasking a line that is not masked changes nothing. */
long sys_InterruptUnmask(long irq, long id)
{
	return intr_unmask(self(), irq, id);
}
