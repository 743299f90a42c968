#pragma once
/* <sys/types.h>: the package's, plus the pthread types (POSIX puts them
 * here; <pthread.h> documents them) and the kernel's sigset_t (the one
 * every header must agree on; the package's <sys/select.h> would make its
 * own). */
#include_next <sys/types.h>
#include <bits/pthreadtypes.h>
#include <keel/signal.h>
#ifndef _SIGSET_T_DECLARED
#define _SIGSET_T_DECLARED
#endif
