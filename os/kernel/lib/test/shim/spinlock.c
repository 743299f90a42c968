/* Host spinlocks for unit tests: a held flag and loud failure on misuse. */
#include <stdio.h>
#include <stdlib.h>
#include "spinlock.h"

unsigned long shim_lock_count;

static void die(const struct spinlock *l, const char *what)
{
	fprintf(stderr, "# spinlock %s: %s\n", l->name ? l->name : "?", what);
	abort();
}

void spin_init(struct spinlock *l, const char *name, enum lock_rank rank)
{
	*l = (struct spinlock)SPINLOCK_INIT(name, rank);
}

void spin_lock(struct spinlock *l)
{
	if (l->locked)
		die(l, "taken while held");
	l->locked = 1;
	l->owner = 0;
	shim_lock_count++;
}

bool spin_trylock(struct spinlock *l)
{
	if (l->locked)
		return false;
	spin_lock(l);
	return true;
}

void spin_unlock(struct spinlock *l)
{
	if (!l->locked)
		die(l, "released while free");
	l->locked = 0;
	l->owner = ~0u;
}

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	spin_lock(l);
	return 0x2;   /* a plausible sstatus.SIE */
}

void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	if (flags != 0x2)
		die(l, "flags not from spin_lock_irqsave");
	spin_unlock(l);
}
