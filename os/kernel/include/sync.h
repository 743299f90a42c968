#pragma once
/* Kernel-mediated mutexes, condition variables and semaphores.
 *
 * An object is named by (address space, address): the address of the sync
 * word in that space.  Two processes that map the same page at the same
 * address still name different objects, because the space is part of the
 * key.  Objects exist in the kernel only while something waits on or owns
 * them (semaphores: until destroyed).  Every wait takes an absolute
 * timebase deadline (WAIT_FOREVER for none) and returns -ETIMEDOUT when it
 * passes.  Mutexes hand ownership straight to the best waiter and lend the
 * owner the priority of its best waiter, transitively along chains. */
#include <stdbool.h>
#include <stdint.h>

int sync_mutex_lock(const void *as, uintptr_t addr, uint64_t deadline);
int sync_mutex_unlock(const void *as, uintptr_t addr);      /* -EPERM unless owner */
/* Release `mutex`, wait on `cv`, re-acquire `mutex` (also after a timeout). */
int sync_condvar_wait(const void *as, uintptr_t cv, uintptr_t mutex, uint64_t deadline);
int sync_condvar_signal(const void *as, uintptr_t cv, bool all);
int sync_sem_init(const void *as, uintptr_t addr, uint32_t count);
int sync_sem_post(const void *as, uintptr_t addr);
int sync_sem_wait(const void *as, uintptr_t addr, uint64_t deadline);
int sync_sem_value(const void *as, uintptr_t addr);          /* count, or -EINVAL */
/* Forget an idle object; -EBUSY while owned or waited on. */
int sync_destroy(const void *as, uintptr_t addr);
uint32_t sync_objects_in_use(void);
void sync_init(void);                  /* boot hart, once */

/* The contended paths of user sync words (sync_t in user memory, see
 * <keel/sync.h>); `word` is the address of the owner word, `me` the
 * caller's thread id.  0 or a negative errno. */
int sync_umutex_lock(const void *as, uintptr_t word, uint32_t me, uint64_t deadline);
int sync_umutex_unlock(const void *as, uintptr_t word, uint32_t me);
int sync_ucond_wait(const void *as, uintptr_t cv, uintptr_t word, uint32_t me, uint64_t deadline);
int sync_usem_post(const void *as, uintptr_t count);
int sync_usem_wait(const void *as, uintptr_t count, bool tryget, uint64_t deadline);

struct thread;
/* Thread t (the caller) is ending: it stops being recorded as the owner of
 * any mutex, and never will be again.  No locks held. */
void sync_thread_exit(struct thread *t);
/* Raise t's base priority to prio if that is higher, keeping what its
 * mutexes lend it; nothing if t is no longer the live thread tid.  No locks
 * held. */
void sync_raise_base_prio(struct thread *t, uint32_t tid, unsigned prio);
/* SchedSet: thread t, if it is still thread tid of p, gets base priority
 * prio (and policy, unless < 0), its effective priority no lower than its
 * mutexes' waiters lend it, passed down the chain it waits in.  False if
 * t is another thread by now. */
struct process;
bool sync_set_base_prio(struct thread *t, uint32_t tid, const struct process *p, int policy,
			unsigned prio);
/* The calling thread t back to its own priority: its base, or what waiters
 * on mutexes it holds lend it (a server done with a client's priority). */
void sync_own_prio(struct thread *t);
