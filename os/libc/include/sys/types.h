#pragma once
/* <sys/types.h>: the package's, plus the pthread types (POSIX puts them
 * here; <pthread.h> documents them). */
#include_next <sys/types.h>
#include <bits/pthreadtypes.h>
