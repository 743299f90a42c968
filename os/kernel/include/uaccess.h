#pragma once
/* The only way the kernel touches user memory.  Each routine checks that the
 * whole range lies in the user half, then copies with SUM set; a fault while
 * copying is caught and returned as -EFAULT, never a panic. */
#include <stddef.h>
#include <stdint.h>

#define USER_TOP 0x0000004000000000ul   /* first address above the user half */

/* 0 or -EFAULT. */
int copy_from_user(void *dst, uintptr_t usrc, size_t n);
int copy_to_user(uintptr_t udst, const void *src, size_t n);
/* copy_to_user for a caller holding a spinlock (interrupts off), where a
 * store fault on a copy-on-write page is not resolved (trap.c): a refused
 * copy makes the range writable (vmspace_prepare_write), then goes again. */
int copy_to_user_cow(uintptr_t udst, const void *src, size_t n);     /* the second try */

static inline int copy_to_user_locked(uintptr_t udst, const void *src, size_t n)
{
	return copy_to_user(udst, src, n) ? copy_to_user_cow(udst, src, n) : 0;
}
/* The copy itself (uaccess.S), for user ranges the caller checked with
 * user_range_ok already: the message paths' buffers, checked as their
 * vectors were loaded (ipc_load_buf, load_iov).  0 or -EFAULT. */
int uaccess_copy(void *dst, const void *src, size_t n);
/* Copy a NUL-terminated string of at most max-1 bytes; returns its length,
 * -EFAULT, or -E2BIG when no NUL was found within max bytes. */
long copy_string_from_user(char *dst, uintptr_t usrc, size_t max);

/* Copy parts (>= 1) iov elements (base, length: two words each) from the
 * user array uiov (in the user half, 8-byte aligned: the caller checks)
 * into out, each buffer checked to lie in the user half.  0 or -EFAULT. */
int uaccess_iov(uint64_t *out, uintptr_t uiov, long parts);

/* Atomically replace the user word at uaddr with desired if it holds
 * expect (AMO ordering .aqrl); *old gets what it held.  0 or -EFAULT. */
int user_cas32(uintptr_t uaddr, uint32_t expect, uint32_t desired, uint32_t *old);

static inline int user_range_ok(uintptr_t p, size_t n)
{
	return p < USER_TOP && n <= USER_TOP - p;
}
