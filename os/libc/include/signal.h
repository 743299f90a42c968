#pragma once
/* <signal.h> on Keel's signals (<sys/signal.h>, <keel/signal.h>); the
 * package's header (an in-process table on its own numbers) is not used. */
#define _SIGNAL_H_
#include <sys/signal.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int sig_atomic_t;
typedef _sig_func_ptr sighandler_t;

_sig_func_ptr signal(int sig, _sig_func_ptr handler);
int raise(int sig);
void psignal(int sig, const char *s);
void psiginfo(const siginfo_t *info, const char *s);
char *strsignal(int sig);

#ifdef __cplusplus
}
#endif
