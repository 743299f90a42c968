#pragma once
/* Signals: the kernel ABI's numbers, sets, siginfo_t, struct sigaction and
 * flags (<keel/signal.h>), replacing the package's, plus the POSIX
 * functions.  <signal.h> (Keel's too) adds signal() and raise(). */
#define _SYS_SIGNAL_H                   /* the package's header: not needed */
#include <sys/types.h>
#include <sys/_timespec.h>
#include <stdint.h>
#include <keel/sigevent.h>
#include <keel/signal.h>

#ifdef __cplusplus
extern "C" {
#endif

#define _SIGSET_T_DECLARED
#define NSIG       (_SIGMAX + 1)
#define _NSIG      NSIG

typedef void (*_sig_func_ptr)(int);

typedef struct sigaltstack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

#define SS_ONSTACK  0x1
#define SS_DISABLE  0x2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ    8192

int sigaction(int sig, const struct sigaction *restrict act, struct sigaction *restrict oact);
int sigprocmask(int how, const sigset_t *restrict set, sigset_t *restrict oset);
int pthread_sigmask(int how, const sigset_t *restrict set, sigset_t *restrict oset);
int pthread_kill(pthread_t thread, int sig);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int sigwait(const sigset_t *restrict set, int *restrict sig);
int sigwaitinfo(const sigset_t *restrict set, siginfo_t *restrict info);
int sigtimedwait(const sigset_t *restrict set, siginfo_t *restrict info,
		 const struct timespec *restrict timeout);
int sigqueue(pid_t pid, int sig, const union sigval value);
int kill(pid_t pid, int sig);
int killpg(pid_t pgrp, int sig);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);

#ifdef __cplusplus
}
#endif
