/* siglongjmp (POSIX.1-2017): the mask sigsetjmp saved, then longjmp.  A
 * jump out of a signal handler ends it: the thread's handler depth goes
 * back to what it was at sigsetjmp (libc.h __in_handler). */
#include <setjmp.h>
#include <signal.h>

void __sig_depth_set(int depth);

void siglongjmp(sigjmp_buf env, int val)
{
	__sig_depth_set(env->__depth);
	if (env->__saved)
		pthread_sigmask(SIG_SETMASK, &env->__mask, NULL);
	longjmp(env->__jb, val);
}
