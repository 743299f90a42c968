#pragma once
/* <setjmp.h>: the package's setjmp/longjmp, plus sigsetjmp/siglongjmp
 * (the package offers them only for its hosted targets).  sigsetjmp must
 * be a macro: setjmp has to run in the caller's own frame. */
#include_next <setjmp.h>
#include <signal.h>

typedef struct {
	jmp_buf __jb;
	int __saved;                    /* sigsetjmp's savemask */
	int __depth;                    /* signal handlers running at sigsetjmp */
	sigset_t __mask;
} sigjmp_buf[1];

int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict oset);
int __sig_depth(void);

#define sigsetjmp(env, savemask) \
	((env)->__saved = (savemask), (env)->__depth = __sig_depth(), \
	 (env)->__saved ? (void)pthread_sigmask(SIG_BLOCK, 0, &(env)->__mask) : (void)0, \
	 setjmp((env)->__jb))

/* Restores the mask sigsetjmp saved (if it did), then longjmp. */
__attribute__((noreturn)) void siglongjmp(sigjmp_buf env, int val);
