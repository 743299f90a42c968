#pragma once
/* POSIX unnamed semaphores on the kernel's semaphore word (<keel/sync.h>):
 * __count is the value; a wait that finds it positive takes a unit with
 * one compare-and-swap in user space, only an empty one blocks in the
 * kernel (SyncSemWait); a post always asks the kernel, which hands the unit
 * to a waiter or counts it. */
#include <sys/types.h>
#include <time.h>
#include <keel/sync.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef sync_t sem_t;

#define SEM_VALUE_MAX  0x0fffffff
#define SEM_FAILED     ((sem_t *)0)

int sem_init(sem_t *sem, int pshared, unsigned value);
int sem_destroy(sem_t *sem);
int sem_wait(sem_t *sem);
int sem_trywait(sem_t *sem);
int sem_timedwait(sem_t *sem, const struct timespec *abstime);
int sem_clockwait(sem_t *sem, clockid_t clock, const struct timespec *abstime);
int sem_post(sem_t *sem);
int sem_getvalue(sem_t *sem, int *value);
sem_t *sem_open(const char *name, int oflag, ...);
int sem_close(sem_t *sem);
int sem_unlink(const char *name);

#ifdef __cplusplus
}
#endif
