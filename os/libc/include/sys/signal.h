#pragma once
/* Signals on Keel's numbers (QNX Neutrino's values) and the sigevent of the
 * kernel ABI (<keel/sigevent.h>), replacing the package's header, whose
 * sigevent, numbers and sigaction are not Keel's.  <signal.h> (the
 * package's) adds signal(), raise() and SIG_DFL/SIG_IGN/SIG_ERR on top.
 *
 * sigset_t is one 64-bit word: bit (n - 1) is signal n. */
#define _SYS_SIGNAL_H                   /* the package's header: not needed */
#include <sys/types.h>
#include <sys/_timespec.h>
#include <stdint.h>
#include <keel/sigevent.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _SIGSET_T_DECLARED
#define _SIGSET_T_DECLARED
typedef unsigned long sigset_t;
#endif

#define SIGHUP     1
#define SIGINT     2
#define SIGQUIT    3
#define SIGILL     4
#define SIGTRAP    5
#define SIGABRT    6
#define SIGIOT     SIGABRT
#define SIGEMT     7
#define SIGFPE     8
#define SIGKILL    9
#define SIGBUS     10
#define SIGSEGV    11
#define SIGSYS     12
#define SIGPIPE    13
#define SIGALRM    14
#define SIGTERM    15
#define SIGUSR1    16
#define SIGUSR2    17
#define SIGCHLD    18
#define SIGCLD     SIGCHLD
#define SIGPWR     19
#define SIGWINCH   20
#define SIGURG     21
#define SIGPOLL    22
#define SIGIO      SIGPOLL
#define SIGSTOP    23
#define SIGTSTP    24
#define SIGCONT    25
#define SIGVTALRM  26
#define SIGPROF    27
#define SIGXCPU    28
#define SIGXFSZ    29
#define SIGTTIN    30
#define SIGTTOU    31
#define SIGRTMIN   41
#define SIGRTMAX   56
#define NSIG       65                   /* signals are 1..64 */
#define _NSIG      NSIG

typedef void (*_sig_func_ptr)(int);

/* si_code values (QNX's). */
#define SI_USER    0
#define SI_QUEUE   (-1)
#define SI_TIMER   (-2)
#define SI_ASYNCIO (-3)
#define SI_MESGQ   (-4)

typedef struct {
	int si_signo;
	int si_code;
	int si_errno;
	pid_t si_pid;
	uid_t si_uid;
	int si_status;
	void *si_addr;
	union sigval si_value;
} siginfo_t;

struct sigaction {
	union {
		_sig_func_ptr sa_handler;
		void (*sa_sigaction)(int, siginfo_t *, void *);
	};
	int sa_flags;
	sigset_t sa_mask;
};

#define SA_NOCLDSTOP  0x0001
#define SA_SIGINFO    0x0002
#define SA_RESETHAND  0x0004
#define SA_ONSTACK    0x0008
#define SA_NODEFER    0x0010
#define SA_NOCLDWAIT  0x0020
#define SA_RESTART    0x0040

typedef struct sigaltstack {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

#define SS_ONSTACK  0x1
#define SS_DISABLE  0x2
#define MINSIGSTKSZ 2048
#define SIGSTKSZ    8192

#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

int sigaction(int sig, const struct sigaction *act, struct sigaction *oact);
int sigprocmask(int how, const sigset_t *set, sigset_t *oset);
int pthread_sigmask(int how, const sigset_t *set, sigset_t *oset);
int sigpending(sigset_t *set);
int sigsuspend(const sigset_t *mask);
int sigwait(const sigset_t *set, int *sig);
int sigwaitinfo(const sigset_t *set, siginfo_t *info);
int sigtimedwait(const sigset_t *set, siginfo_t *info, const struct timespec *timeout);
int sigqueue(pid_t pid, int sig, const union sigval value);
int sigaltstack(const stack_t *ss, stack_t *oss);
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
