/* TimerCreate / TimerSettime / TimerDestroy: per-process timers whose
 * expiries arrive as pulses on a connection of the process (SIGEV_PULSE).
 * A timer is a ktimer on the queue of the hart that armed it; its handler
 * runs there in interrupt context and queues the pulse. */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/sigevent.h>
#include "arch.h"
#include "ktimer.h"
#include "process.h"
#include "spinlock.h"
#include "thread.h"
#include "timer.h"
#include "uaccess.h"

#define UTIMERS 64

struct utimer {
	struct ktimer k;
	struct process *owner;          /* NULL: free; guarded by timers_lock */
	struct sigevent ev;
	uint32_t gen;                   /* bumped on destroy: late expiries are dropped */
};

static struct utimer timers[UTIMERS];
static struct spinlock timers_lock = SPINLOCK_INIT("utimers", LR_UTIMERS);

int ipc_pulse_to(struct process *p, int coid, int prio, int code, long value);

static void expired(struct ktimer *k, uint64_t now, uint64_t cookie)
{
	struct utimer *t = container_of(k, struct utimer, k);

	(void)now;
	spin_lock(&timers_lock);
	struct process *p = t->gen == (uint32_t)cookie ? t->owner : 0;
	struct sigevent ev = t->ev;
	spin_unlock(&timers_lock);
	if (p)
		ipc_pulse_to(p, ev.sigev_coid, ev.sigev_priority, ev.sigev_code,
			     (long)ev.sigev_value.sival_ptr);
}

static struct utimer *mine(long id)
{
	if (id < 0 || id >= UTIMERS)
		return 0;
	struct utimer *t = &timers[id];
	return t->owner == thread_current()->proc ? t : 0;
}

long sys_TimerCreate(long clockid, long uev, long a2, long a3, long a4, long a5)
{
	struct sigevent ev;

	(void)a2; (void)a3; (void)a4; (void)a5;
	if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME)
		return -EINVAL;
	if (!uev || copy_from_user(&ev, (uintptr_t)uev, sizeof ev))
		return -EFAULT;
	if (ev.sigev_notify != SIGEV_PULSE)
		return -EINVAL;         /* signals come with signals */
	spin_lock(&timers_lock);
	for (int i = 0; i < UTIMERS; i++)
		if (!timers[i].owner) {
			timers[i].owner = thread_current()->proc;
			timers[i].ev = ev;
			ktimer_init(&timers[i].k, expired);
			spin_unlock(&timers_lock);
			return i;
		}
	spin_unlock(&timers_lock);
	return -EAGAIN;
}

/* TimerSettime(id, flags, const struct _itimer *, struct _itimer *old):
 * nsec 0 disarms. */
long sys_TimerSettime(long id, long flags, long unew, long uold, long a4, long a5)
{
	struct utimer *t = mine(id);
	struct _itimer it, old = { 0, 0 };

	(void)a4; (void)a5;
	if (!t)
		return -EINVAL;
	if (copy_from_user(&it, (uintptr_t)unew, sizeof it))
		return -EFAULT;
	uint64_t now = arch_time();
	if (t->k.hart != ~0u && t->k.deadline > now)
		old.nsec = (t->k.deadline - now) * 1000000000ull / timebase_hz;
	if (uold && copy_to_user((uintptr_t)uold, &old, sizeof old))
		return -EFAULT;
	ktimer_cancel(&t->k);
	if (!it.nsec)
		return 0;
	uint64_t d = (flags & TIMER_ABSTIME) ? ns_to_ticks(it.nsec) : now + ns_to_ticks(it.nsec);
	ktimer_arm_cookie(&t->k, d, ns_to_ticks(it.interval_nsec), t->gen);
	return 0;
}

long sys_TimerDestroy(long id, long a1, long a2, long a3, long a4, long a5)
{
	struct utimer *t = mine(id);

	(void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	if (!t)
		return -EINVAL;
	ktimer_cancel(&t->k);
	spin_lock(&timers_lock);
	t->gen++;
	t->owner = 0;
	spin_unlock(&timers_lock);
	return 0;
}

void timers_process_gone(struct process *p)
{
	for (int i = 0; i < UTIMERS; i++)
		if (timers[i].owner == p) {
			ktimer_cancel(&timers[i].k);
			spin_lock(&timers_lock);
			timers[i].gen++;
			timers[i].owner = 0;
			spin_unlock(&timers_lock);
		}
}
