#pragma once
/* The pthread types (for <sys/types.h> and <pthread.h>).  Mutexes are the
 * kernel's sync_t word (<keel/sync.h>): a zeroed word is a free mutex; the
 * uncontended paths are one compare-and-swap in user space.  Layouts are
 * Keel's ABI: never change a size. */
#include <stddef.h>
#include <stdint.h>
#include <keel/sched.h>
#include <keel/sync.h>

typedef struct __pthread *pthread_t;
typedef unsigned pthread_key_t;

typedef struct {
	int32_t __state;                /* 0 never run, 1 running, 2 done */
	int32_t __reserved;
} pthread_once_t;

typedef struct {
	int32_t __flags;                /* detach state, explicit sched */
	int32_t __policy;
	struct sched_param __param;
	void *__stackaddr;
	size_t __stacksize;
	size_t __guardsize;
} pthread_attr_t;

/* __count holds the recursion count and the type bits
 * (_NTO_SYNC_NONRECURSIVE, _NTO_SYNC_NOERRORCHECK); __owner the owner's tid. */
typedef sync_t pthread_mutex_t;

typedef struct {
	int32_t __type;
	int32_t __protocol;
	int32_t __pshared;
	int32_t __robust;
} pthread_mutexattr_t;

/* The kernel keys a condvar's waiters on __sync.__count's address. */
typedef struct {
	sync_t __sync;
	int32_t __clock;                /* of pthread_cond_timedwait's deadline */
	uint32_t __reserved;
} pthread_cond_t;

typedef struct {
	int32_t __clock;
	int32_t __pshared;
} pthread_condattr_t;

typedef struct {
	pthread_mutex_t __lock;
	pthread_cond_t __readers;       /* waiting readers */
	pthread_cond_t __writers;       /* waiting writers */
	int32_t __active;               /* readers inside, or -1: a writer inside */
	uint32_t __writer;              /* the writer's tid while __active is -1 */
	int32_t __wwait;                /* writers waiting (they go first) */
	int32_t __reserved;
} pthread_rwlock_t;

typedef struct {
	int32_t __pshared;
	int32_t __reserved;
} pthread_rwlockattr_t;

typedef struct {
	pthread_mutex_t __lock;
	pthread_cond_t __cond;
	uint32_t __count;               /* threads per cycle */
	uint32_t __waiting;             /* arrived in this cycle */
	uint32_t __cycle;
	uint32_t __reserved;
} pthread_barrier_t;

typedef struct {
	int32_t __pshared;
	int32_t __reserved;
} pthread_barrierattr_t;

typedef struct {
	uint32_t __owner;               /* tid of the holder, 0 free */
	uint32_t __reserved;
} pthread_spinlock_t;
