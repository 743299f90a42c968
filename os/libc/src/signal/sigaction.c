/* sigaction, signal (POSIX.1-2017): the kernel keeps the actions
 * (SignalAction) and enters __sigstub (sigstub.S) for a caught signal. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include "libc.h"

_Static_assert(offsetof(struct _sigframe, signo) == 8, "sigstub.S reads signo at 8");

void __sig_run(struct _sigframe *f);

/* The handler of frame f, with the thread's handler depth counted around
 * it (libc.h __in_handler; siglongjmp puts back the depth of its
 * sigsetjmp, a handler left that way being over). */
void __sig_run(struct _sigframe *f)
{
	struct __pthread *t = __self();

	t->sig_depth++;
	f->handler(f->signo, &f->info, &f->ctx);
	t->sig_depth--;
}

int __sig_depth(void)
{
	return __self()->sig_depth;
}

void __sig_depth_set(int depth)
{
	__self()->sig_depth = depth;
}

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict oact)
{
	return (int)__syscall_ret(SignalAction_r(0, __sigstub, sig, act, oact));
}

_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;

	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}
