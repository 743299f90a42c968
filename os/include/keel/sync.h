#pragma once
/* Sync objects: the user word that SyncMutexLock and friends name.  The
 * kernel keys its object by (address space, address of the word), so the
 * word must stay at one address while the object is in use.
 *
 * The word (QNX shape): __owner is 0 when a mutex is free (a zeroed sync_t
 * is a free mutex), the owner's thread id when held, with _NTO_SYNC_WAITING
 * or'ed in by the kernel while threads wait in it.  An uncontended lock is
 * one compare-and-swap of __owner from 0 to the caller's tid in user space,
 * an uncontended unlock one compare-and-swap back; only a failed swap enters
 * the kernel, whose calls define the contended protocol.  __count holds a
 * mutex's recursion count and attribute bits, or a semaphore's value.
 * Names and values follow QNX Neutrino unless marked. */
#include <stdint.h>

/* 8-aligned: the kernel takes the word only at such an address (EFAULT
 * otherwise), so a mutex or semaphore inside a struct after an int must
 * not land on 4. */
typedef struct _sync {
	int32_t __count;
	uint32_t __owner;
} __attribute__((aligned(8))) sync_t;

_Static_assert(sizeof(sync_t) == 8, "sync_t layout");

/* __owner */
#define _NTO_SYNC_MUTEX_FREE   0x00000000u
#define _NTO_SYNC_WAITING      0x80000000u   /* or'ed into a held mutex's owner */
#define _NTO_SYNC_SEM          0xfffffffcu   /* the word is a semaphore */

/* __count of a mutex */
#define _NTO_SYNC_NONRECURSIVE 0x80000000u
#define _NTO_SYNC_NOERRORCHECK 0x40000000u
#define _NTO_SYNC_COUNTMASK    0x0fffffffu

/* SyncTypeCreate types (Keel's values: QNX passes these as __owner values). */
#define _NTO_SYNC_TYPE_MUTEX   0u
#define _NTO_SYNC_TYPE_SEM     1u
#define _NTO_SYNC_TYPE_COND    2u

/* SyncTypeCreate attributes; NULL means all zero. */
struct _sync_attr {
	int32_t protocol;               /* 0: priority inheritance (the only one) */
	int32_t flags;                  /* 0 */
	int32_t prioceiling;            /* 0 */
	int32_t clockid;                /* condvars: the clock of their timeouts */
	int32_t reserved[4];
};
