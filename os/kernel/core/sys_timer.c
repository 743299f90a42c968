/* The clock and timer calls: ClockTime, ClockId, TimerTimeout, and
 * TimerCreate / TimerSettime / TimerDestroy: per-process timers whose
 * expiries arrive as pulses on a connection of the process (SIGEV_PULSE) or
 * as signals (SIGEV_SIGNAL, _SIGNAL_CODE, _SIGNAL_THREAD: the creator).
 * A timer is a ktimer on the queue of the hart that armed it; its handler
 * runs there in interrupt context and queues the pulse. */
#include <keel/clock.h>
#include <keel/errno.h>
#include <keel/sigevent.h>
#include "arch.h"
#include "ktimer.h"
#include "process.h"
#include "sig.h"
#include "spinlock.h"
#include "thread.h"
#include "ipc.h"
#include "kcall.h"
#include "timer.h"
#include "uaccess.h"

#define UTIMERS 64
/* One process's share of them (the rest stay for the others). */
#define UTIMERS_PER_PROCESS 32
/* The shortest period: each expiry is an interrupt and a pulse or a
 * signal, far longer than a tick, so a period of a few ticks re-armed a
 * deadline already past and the hart did nothing else.  Shorter periods
 * are raised to it (TimerSettime's old value says what was used). */
#define UTIMER_PERIOD_MIN_NS 100000ull

struct utimer {
	struct ktimer k;
	struct process *owner;          /* NULL: free; guarded by timers_lock */
	uint32_t owner_pid;             /* owner's pid: the expiry checks it where it delivers */
	struct sigevent ev;
	uint32_t gen;                   /* bumped on destroy: late expiries are dropped */
	uint32_t tid;                   /* its creator: SIGEV_SIGNAL_THREAD's thread */
	int clock;                      /* CLOCK_MONOTONIC or CLOCK_REALTIME: TIMER_ABSTIME's */
	volatile uint64_t handled;      /* expiries (k.fired) whose delivery is over */
};

static struct utimer timers[UTIMERS];
static struct spinlock timers_lock = SPINLOCK_INIT("utimers", LR_UTIMERS);


static void expired(struct ktimer *k, uint64_t now, uint64_t cookie)
{
	struct utimer *t = container_of(k, struct utimer, k);

	spin_lock(&timers_lock);
	struct process *p = t->gen == (uint32_t)cookie ? t->owner : 0;
	uint32_t pid = t->owner_pid;
	struct sigevent ev = t->ev;
	uint32_t tid = t->tid;
	spin_unlock(&timers_lock);
	/* Delivered without timers_lock (it ranks after the channel's): the
	 * owner may end meanwhile and its slot go to another process, which
	 * the deliveries refuse by pid. */
	if (p && ev.sigev_notify == SIGEV_PULSE)
		ipc_pulse_to(p, pid, ev.sigev_coid, ev.sigev_priority, ev.sigev_code,
			     (long)ev.sigev_value.sival_ptr, false);
	else if (p)
		sig_event(p, pid, thread_lookup(tid), &ev, SI_TIMER);
	atomic_add64(&t->handled, 1);
}

/* After t was disarmed (timers_lock no longer held: expired takes it): the
 * expiries another hart had already taken off its queue are delivered
 * before the caller goes on.  Otherwise a signal could come after
 * TimerSettime or TimerDestroy returned, and after its action was changed:
 * a program that stops its timer, then puts SIGALRM's default action back,
 * was ended by an expiry its own hart never saw coming. */
static void delivered_sync(struct utimer *t, uint64_t taken)
{
	while (atomic_load64(&t->handled) < taken)
		cpu_relax();
}

/* Timer id of the caller's process, or NULL; timers_lock held, and kept
 * across whatever is done to the timer: two TimerSettime calls at once
 * would each cancel and then arm it on their own hart's queue (one node on
 * two lists), and one racing TimerDestroy would leave a free slot armed for
 * the next TimerCreate to re-initialise while it is queued. */
static struct utimer *mine_locked(long id)
{
	if (id < 0 || id >= UTIMERS)
		return 0;
	struct utimer *t = &timers[id];
	return t->owner == thread_current()->proc ? t : 0;
}

long sys_TimerCreate(long clockid, long uev)
{
	struct sigevent ev;

	if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME)
		return -EINVAL;
	if (!uev || copy_from_user(&ev, (uintptr_t)uev, sizeof ev))
		return -EFAULT;
	if (ev.sigev_notify != SIGEV_PULSE && !sig_event_ok(&ev))
		return -EINVAL;
	struct process *me = thread_current()->proc;
	int mine = 0;
	spin_lock(&timers_lock);
	for (int i = 0; i < UTIMERS; i++)
		mine += timers[i].owner == me;
	for (int i = 0; i < UTIMERS && mine < UTIMERS_PER_PROCESS; i++)
		if (!timers[i].owner) {
			timers[i].owner = thread_current()->proc;
			timers[i].owner_pid = thread_current()->proc->pid;
			timers[i].ev = ev;
			timers[i].tid = thread_current()->tid;
			timers[i].clock = (int)clockid;
			/* The counts go on from the slot's last timer: a
			 * TimerDestroy may still wait on them (delivered_sync). */
			uint64_t fired = timers[i].k.fired;
			ktimer_init(&timers[i].k, expired);
			timers[i].k.fired = fired;
			spin_unlock(&timers_lock);
			return i;
		}
	spin_unlock(&timers_lock);
	return -EAGAIN;
}

/* TimerSettime(id, flags, const struct _itimer *, struct _itimer *old):
 * nsec 0 disarms. */
long sys_TimerSettime(long id, long flags, long unew, long uold)
{
	struct _itimer it, old = { 0, 0 };

	spin_lock(&timers_lock);
	bool ours = mine_locked(id) != 0;       /* EINVAL before EFAULT; again below */
	spin_unlock(&timers_lock);
	if (!ours)
		return -EINVAL;
	if (copy_from_user(&it, (uintptr_t)unew, sizeof it))
		return -EFAULT;
	/* The old value's buffer is tried first (no user access under the
	 * lock): a bad one fails the call before anything changes. */
	if (uold && copy_to_user((uintptr_t)uold, &old, sizeof old))
		return -EFAULT;
	spin_lock(&timers_lock);
	struct utimer *t = mine_locked(id);
	if (!t) {
		spin_unlock(&timers_lock);
		return -EINVAL;
	}
	uint64_t now = arch_time();
	if (t->k.hart != ~0u) {
		old.nsec = t->k.deadline > now ? ticks_to_ns(t->k.deadline - now) : 1;
		old.interval_nsec = ticks_to_ns(t->k.period);
	}
	ktimer_cancel(&t->k);
	smp_mb();                               /* a taking hart's count (ktimer.c) */
	uint64_t taken = t->k.fired;
	if (it.nsec) {
		uint64_t d = now + ns_to_ticks(it.nsec);
		if ((flags & TIMER_ABSTIME) && t->clock == CLOCK_REALTIME) {
			/* On the realtime clock as it reads now (a later setting of
			 * the clock does not move it); a time passed: at once. */
			uint64_t rt = (uint64_t)clock_get(CLOCK_REALTIME);
			d = now + (it.nsec > rt ? ns_to_ticks(it.nsec - rt) : 0);
		} else if (flags & TIMER_ABSTIME) {
			d = ns_to_ticks(it.nsec);
		}
		uint64_t period = it.interval_nsec;
		if (period && period < UTIMER_PERIOD_MIN_NS)
			period = UTIMER_PERIOD_MIN_NS;
		ktimer_arm_cookie(&t->k, d, ns_to_ticks(period), t->gen);
	}
	spin_unlock(&timers_lock);
	delivered_sync(t, taken);
	if (uold && copy_to_user((uintptr_t)uold, &old, sizeof old))
		return -EFAULT;         /* unmapped meanwhile: the timer is set */
	return 0;
}

long sys_TimerDestroy(long id)
{
	spin_lock(&timers_lock);
	struct utimer *t = mine_locked(id);
	uint64_t taken = 0;
	if (t) {
		ktimer_cancel(&t->k);
		smp_mb();
		taken = t->k.fired;
		t->gen++;
		t->owner = 0;
	}
	spin_unlock(&timers_lock);
	if (!t)
		return -EINVAL;
	delivered_sync(t, taken);
	return 0;
}

void timers_process_gone(struct process *p)
{
	spin_lock(&timers_lock);
	for (int i = 0; i < UTIMERS; i++)
		if (timers[i].owner == p) {
			ktimer_cancel(&timers[i].k);
			timers[i].gen++;
			timers[i].owner = 0;
		}
	spin_unlock(&timers_lock);
}

/* ClockTime(clockid_t id, const uint64_t *new, uint64_t *old): also the
 * CPU-time clocks (CLOCK_*_CPUTIME_ID and ClockId's), which are read only. */
long sys_ClockTime(long id, long unew, long uold)
{
	if (id < 0 || id > 0x7fffffff)
		return -EINVAL;
	int64_t now = clock_get((int)id);
	bool cpu = now < 0 && (now = cputime_get((int)id)) >= 0;
	if (now < 0)
		return -EINVAL;
	if (cpu && unew)
		return -EINVAL;                 /* CPU-time clocks are read only */
	if (uold && copy_to_user((uintptr_t)uold, &now, sizeof now))
		return -EFAULT;
	if (unew) {
		int64_t v;
		if (copy_from_user(&v, (uintptr_t)unew, sizeof v))
			return -EFAULT;
		if (clock_set((int)id, v))
			return -EINVAL;
	}
	return 0;
}

/* TimerTimeout(clockid, flags, notify, const uint64_t *ntime, uint64_t *otime):
 * the caller's next blocking call in one of the states named by flags ends
 * with ETIMEDOUT at ntime (relative ns, or absolute with TIMER_ABSTIME on
 * CLOCK_MONOTONIC).  notify must be NULL or SIGEV_UNBLOCK. */
long sys_TimerTimeout(long clockid, long flags, long notify, long untime, long uotime)
{
	struct thread *t = thread_current();
	uint64_t ns = 0, zero = 0;

	if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME)
		return -EINVAL;
	if (notify) {
		struct sigevent ev;
		if (copy_from_user(&ev, (uintptr_t)notify, sizeof ev))
			return -EFAULT;
		if (ev.sigev_notify != SIGEV_UNBLOCK)
			return -EINVAL;
	}
	if (uotime && copy_to_user((uintptr_t)uotime, &zero, sizeof zero))
		return -EFAULT;
	if (!untime) {
		t->tmo_states = 0;
		return 0;
	}
	if (copy_from_user(&ns, (uintptr_t)untime, sizeof ns))
		return -EFAULT;
	if ((flags & TIMER_ABSTIME) && clockid != CLOCK_MONOTONIC)
		return -EINVAL;
	uint64_t now = arch_time();
	t->tmo_deadline = (flags & TIMER_ABSTIME) ? ns_to_ticks(ns) : now + ns_to_ticks(ns);
	if (!t->tmo_deadline)
		t->tmo_deadline = 1;            /* 0 means "forever" to the wait queues */
	t->tmo_states = (uint32_t)flags & ~TIMER_ABSTIME;
	return 0;
}

/* ClockId(pid, tid): see <keel/clock.h>. */
long sys_ClockId(long pid, long tid)
{
	struct process *p = thread_current()->proc;
	uint32_t want = p->pid;

	if (pid && (pid < 0 || pid > CPUCLOCK_PID_MAX ||
		    !(p = process_by_pid(want = (uint32_t)pid))))
		return -ESRCH;
	if (!tid)       /* the pid looked up, not p's: p's slot may be another's by now */
		return cputime_clock_id(want, 0);
	struct thread *t = tid > 0 && tid <= 0xffffffffl ? thread_lookup((uint32_t)tid) : 0;
	/* A thread of process want, not of one that took p's slot since. */
	if (!t || t->proc != p || !process_lock_live(p, want))
		return -ESRCH;
	spin_unlock(&p->lock);
	return cputime_clock_id(want, t);
}
