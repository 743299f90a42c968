/* Kernel call dispatch, expanded from the one table in <keel/kcall.h>.
 *
 * Every row names a handler sys_<name>; a row whose handler the kernel does
 * not define yet resolves to sys_enosys through a weak alias, so the table
 * stays complete and such calls answer -ENOSYS. */
#include <keel/errno.h>
#include <keel/kcall.h>
#include "kcall.h"
#include "process.h"
#include "thread.h"
#include "trace.h"
#include "waitq.h"

typedef long (*kcall_fn)(long, long, long, long, long, long);

long sys_enosys(long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0; (void)a1; (void)a2; (void)a3; (void)a4; (void)a5;
	return -ENOSYS;
}

#define KCALL_DECL_(num, name, nargs, priv) \
	long sys_##name(long, long, long, long, long, long) __attribute__((weak, alias("sys_enosys")));
KCALL_TABLE(KCALL_DECL_)
#undef KCALL_DECL_

static const struct {
	kcall_fn fn;
	uint32_t priv;
} table[KCALL_COUNT] = {
#define KCALL_ROW_(num, name, nargs, priv) [num] = { sys_##name, (priv) },
	KCALL_TABLE(KCALL_ROW_)
#undef KCALL_ROW_
};

_Static_assert(sizeof table / sizeof table[0] == KCALL_COUNT, "one handler per call");

long kcall_dispatch(uint64_t n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if (n >= KCALL_COUNT)
		return -ENOSYS;
	struct thread *t = thread_current();
	if (table[n].priv & ~t->proc->privs)
		return -EPERM;
	long r = table[n].fn(a0, a1, a2, a3, a4, a5);
	if (n != KCALL_TimerTimeout)
		t->tmo_states = 0;      /* a timeout covers one call */
	t->call_state = 0;
	return r;
}

uint64_t kcall_deadline(uint32_t state)
{
	struct thread *t = thread_current();

	t->call_state = state;          /* what ThreadState reports while it blocks */
	return (t->tmo_states & (1u << state)) ? t->tmo_deadline : WAIT_FOREVER;
}
