/* siglongjmp (POSIX.1-2017): the mask sigsetjmp saved, then longjmp. */
#include <setjmp.h>
#include <signal.h>

void siglongjmp(sigjmp_buf env, int val)
{
	if (env->__saved)
		pthread_sigmask(SIG_SETMASK, &env->__mask, NULL);
	longjmp(env->__jb, val);
}
