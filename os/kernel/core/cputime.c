/* CPU-time clocks: ClockId(pid, tid) names one, ClockTime reads it.
 *
 * Keel's encoding of the ids ClockId returns (positive, opaque to users):
 *   process clock  CPUCLOCK_PROC   | pid                      (pid < 2^24)
 *   thread clock   CPUCLOCK_THREAD | generation << 12 | slot  (tid's parts)
 * so a thread clock goes stale with its thread, like the tid. */
#include <keel/clock.h>
#include <keel/errno.h>
#include "process.h"
#include "thread.h"
#include "timer.h"

#define CPUCLOCK_PROC   0x40000000
#define CPUCLOCK_THREAD 0x20000000

#define SLOT_BITS 12
_Static_assert(THREAD_MAX <= (1 << SLOT_BITS), "a thread clock keeps the slot in 12 bits");
_Static_assert((0x7fffu << SLOT_BITS | ((1u << SLOT_BITS) - 1)) < CPUCLOCK_THREAD,
	       "a thread clock's generation and slot stay below its flag");

static int thread_clock(const struct thread *t)
{
	return CPUCLOCK_THREAD | (int)((uint32_t)t->gen << SLOT_BITS | t->slot);
}

static struct thread *thread_of_clock(int id)
{
	uint32_t slot = (uint32_t)id & ((1u << SLOT_BITS) - 1);
	uint32_t gen = ((uint32_t)id >> SLOT_BITS) & 0x7fff;

	return thread_lookup(gen << 16 | slot);
}

int64_t cputime_get(int id)
{
	struct thread *me = thread_current();
	uint64_t ticks;

	if (id == CLOCK_THREAD_CPUTIME_ID)
		return (int64_t)ticks_to_ns(thread_cpu_ticks(me));
	if (id == CLOCK_PROCESS_CPUTIME_ID)
		return me->proc && process_cpu_ticks(me->proc, me->proc->pid, &ticks) ?
		       (int64_t)ticks_to_ns(ticks) : -1;
	if ((id & ~(CPUCLOCK_PROC | CPUCLOCK_PID_MAX)) == 0 && (id & CPUCLOCK_PROC)) {
		/* Read as pid's: p's slot may hold another process by now. */
		uint32_t pid = (uint32_t)id & CPUCLOCK_PID_MAX;
		struct process *p = process_by_pid(pid);
		return p && process_cpu_ticks(p, pid, &ticks) ? (int64_t)ticks_to_ns(ticks) : -1;
	}
	if ((id & ~(CPUCLOCK_THREAD | 0x7ffffff)) == 0 && (id & CPUCLOCK_THREAD)) {
		struct thread *t = thread_of_clock(id);
		return t && t->proc ? (int64_t)ticks_to_ns(thread_cpu_ticks(t)) : -1;
	}
	return -1;
}

long cputime_clock_id(uint32_t pid, const struct thread *t)
{
	return t ? thread_clock(t) : CPUCLOCK_PROC | (long)pid;
}
