/* InterruptAttachEvent / InterruptDetach / InterruptUnmask (KCALL_PRIV_IO):
 * a process attaches a PLIC line and gets its event (a pulse) each time the
 * line fires.  The line is masked when it fires and stays masked until the
 * process calls InterruptUnmask (QNX semantics); on the PLIC, masked means
 * claimed and not yet completed.  Detach, or the process's end, masks the
 * line again and frees the attachment.
 *
 * Ids are generation << 8 | slot, so a stale id fails instead of naming the
 * slot's next occupant.  The table lock is held while an event is
 * delivered, so an attachment's owner cannot end in between. */
#include <keel/errno.h>
#include <keel/intr.h>
#include <keel/sigevent.h>
#include "interrupt.h"
#include "ipc.h"
#include "plic.h"
#include "process.h"
#include "sched.h"
#include "spinlock.h"
#include "thread.h"
#include "uaccess.h"

#define INTR_MAX   64

struct intr {                           /* guarded by intr_lock */
	struct process *owner;          /* NULL: free */
	uint32_t irq;
	uint32_t gen;                   /* bumped on detach: old ids go stale */
	int ctx;                        /* the PLIC context the line is routed to */
	bool masked;                    /* fired, not unmasked yet (completion owed) */
	struct sigevent ev;
};

_Static_assert(INTR_MAX <= 256, "an id keeps the slot in 8 bits");

static struct intr intrs[INTR_MAX];
static struct spinlock intr_lock = SPINLOCK_INIT("interrupts", LR_INTR);


static long id_of(const struct intr *a)
{
	return (long)(a->gen << 8 | (uint32_t)(a - intrs));
}

/* p's attachment named by id (intr_lock held), or NULL. */
static struct intr *mine(struct process *p, long id)
{
	if (id <= 0 || (id & 0xff) >= INTR_MAX)
		return 0;
	struct intr *a = &intrs[id & 0xff];
	return a->owner == p && id_of(a) == id ? a : 0;
}

static struct intr *attached(uint32_t irq)
{
	for (int i = 0; i < INTR_MAX; i++)
		if (intrs[i].owner && intrs[i].irq == irq)
			return &intrs[i];
	return 0;
}

bool intr_fire(uint32_t irq)
{
	spin_lock(&intr_lock);
	struct intr *a = attached(irq);
	if (a) {
		a->masked = true;
		/* The owner stays itself while intr_lock is held: its end
		 * detaches it (intr_process_gone) before its slot can go. */
		ipc_pulse_to(a->owner, a->owner->pid, a->ev.sigev_coid, a->ev.sigev_priority,
			     a->ev.sigev_code, (long)a->ev.sigev_value.sival_ptr, true);
	}
	spin_unlock(&intr_lock);
	return a != 0;
}

/* Mask the line and free the slot (intr_lock held). */
static void detach(struct intr *a)
{
	plic_detach(a->irq, a->ctx, a->masked);
	a->owner = 0;
	a->masked = false;
	a->gen = (a->gen + 1) & 0x7fffff;
	if (!a->gen)
		a->gen = 1;
}

long intr_attach(struct process *p, uint32_t irq, const struct sigevent *ev)
{
	int ctx = plic_route_ctx();
	if (ctx < 0)
		return -EINVAL;
	long r = -EAGAIN;
	spin_lock(&intr_lock);
	if (attached(irq)) {
		r = -EBUSY;
	} else {
		for (int i = 0; i < INTR_MAX && r == -EAGAIN; i++) {
			struct intr *a = &intrs[i];
			if (a->owner)
				continue;
			*a = (struct intr){ .owner = p, .irq = irq,
					    .gen = a->gen ? a->gen : 1, .ctx = ctx, .ev = *ev };
			plic_attach(a->irq, ctx);
			r = id_of(a);
		}
	}
	spin_unlock(&intr_lock);
	return r;
}

int intr_detach(struct process *p, long id)
{
	spin_lock(&intr_lock);
	struct intr *a = mine(p, id);
	if (a)
		detach(a);
	spin_unlock(&intr_lock);
	return a ? 0 : -EINVAL;
}

int intr_unmask(struct process *p, long irq, long id)
{
	spin_lock(&intr_lock);
	struct intr *a = id == -1 ? attached((uint32_t)irq) : mine(p, id);
	if (a && (a->owner != p || a->irq != (uint64_t)irq))
		a = 0;
	if (a && a->masked) {
		a->masked = false;
		plic_complete(a->irq, a->ctx);
	}
	spin_unlock(&intr_lock);
	return a ? 0 : -EINVAL;
}

void intr_process_gone(struct process *p)
{
	spin_lock(&intr_lock);
	for (int i = 0; i < INTR_MAX; i++)
		if (intrs[i].owner == p)
			detach(&intrs[i]);
	spin_unlock(&intr_lock);
}
