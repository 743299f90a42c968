#pragma once
/* The freestanding user runtime: what on-target test programs need until
 * libc exists.  Kernel calls come from <keel/neutrino.h>; this adds errno,
 * program start and exit, console output, a few string routines (also the
 * ones the compiler may call on its own) and thread creation. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <keel/errno.h>
#include <keel/neutrino.h>

/* Set by the Foo() shape of every kernel call.  One word for the whole
 * process: threads that need their own error should use the Foo_r() shape. */
extern int errno;
extern char **environ;
/* a3 at process start (<keel/start.h>): the auxiliary vector, or for the
 * first process the length of the boot image. */
extern uint64_t urt_start_a3;

/* The program: crt0 calls main(argc, argv, envp) and passes its return value
 * to ProcessExit. */
int main(int argc, char **argv, char **envp);

/* ProcessExit(status). */
__attribute__((noreturn)) void exit(int status);

/* r if r >= 0; otherwise sets errno to -r and returns -1.  Turns a Foo_r()
 * result into the Foo() shape. */
long urt_errno(long r);

/* Console output through DebugPutString: the text is formatted first, then
 * written one line per call, so a line printed by one call never mixes with
 * another thread's output.  Formats: %d %i %u %x %X %o %c %s %p %% with the
 * flags - 0 + space #, width and precision (also *), and the length
 * modifiers hh h l ll z t j.  Return the number of characters formatted. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
int puts(const char *s);                 /* s and a newline */
/* C semantics: at most size bytes including the NUL; returns the length the
 * whole output would have. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* C semantics for bases 0 and 2..36; no errno on overflow (it saturates). */
unsigned long strtoul(const char *s, char **end, int base);
long strtol(const char *s, char **end, int base);

/* Starts func(arg) on a new thread of this process on the stack
 * [stack, stack + size) at priority prio (0: the caller's), joinable.
 * func's return value ends the thread as ThreadDestroy's status.  Returns
 * the tid, or -errno (the Foo_r shape). */
int urt_thread_create(void *(*func)(void *), void *arg, void *stack, size_t size, int prio);
/* Ends the calling thread with status (ThreadDestroy(0, -1, status)). */
__attribute__((noreturn)) void urt_thread_exit(void *status);

/* Blocks the calling thread for about ms milliseconds. */
void urt_sleep_ms(unsigned ms);

/* The calling thread's id (0 if the kernel cannot say). */
uint32_t urt_tid(void);
/* Mutexes (a zeroed or SyncTypeCreate'd sync_t) for the thread whose id is
 * `me`: the uncontended paths stay in user space. */
void urt_mutex_lock(sync_t *m, uint32_t me);
void urt_mutex_unlock(sync_t *m, uint32_t me);
