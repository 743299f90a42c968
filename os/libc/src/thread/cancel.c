/* Cleanup handlers and cancellation (POSIX.1-2017 2.9.5 Thread
 * Cancellation; pthread_cleanup_push, pthread_cancel, pthread_testcancel,
 * pthread_setcancelstate, pthread_setcanceltype).
 *
 * pthread_cancel sets PENDING in the target's word (libc.h) and, unless the
 * target has cancellation disabled, sends it SIGCANCEL.  A deferred request
 * is acted on at a cancellation point: each is a kernel call made through
 * __cp_call (cp.S), which tests the word before its ecall, or a call to
 * __testcancel.  The signal is what reaches a thread already blocked in
 * such a call: its handler (cancel_handler) finds the interrupted pc in
 * __cp_call's window and sends the thread to __cp_cancel instead of back
 * into the call.  Interrupted anywhere else (running, in a call that is no
 * cancellation point, or in another signal's handler that broke into a
 * cancellation point), the handler leaves SIGCANCEL pending and blocked in
 * the mask the interrupted code gets back: the word is tested at the next
 * cancellation point anyway, and when a handler it broke into returns to
 * the point it had interrupted, the mask that handler restores lets the
 * signal in again there.  Asynchronous cancellation acts in the handler
 * wherever the thread is, except inside libc (HOLD), where it waits for
 * the next cancellation point. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <unistd.h>
#include "libc.h"

extern const char __cp_begin[], __cp_end[], __cp_cancel[];

void __pthread_cleanup_push(struct __pthread_cleanup *c, void (*fn)(void *), void *arg)
{
	struct __pthread *t = __self();
	struct __cleanup *k = (struct __cleanup *)c;

	_Static_assert(sizeof(struct __cleanup) == sizeof(struct __pthread_cleanup),
		       "cleanup record layouts");
	k->fn = fn;
	k->arg = arg;
	k->next = t->cleanup;
	t->cleanup = k;
}

void __pthread_cleanup_pop(struct __pthread_cleanup *c, int run)
{
	struct __pthread *t = __self();
	struct __cleanup *k = (struct __cleanup *)c;

	t->cleanup = k->next;
	if (run)
		k->fn(k->arg);
}

void __cancel_now(void)
{
	/* A timeout armed for the call that was to be made (a timed wait's)
	 * must not end some call of the cleanup handlers. */
	TimerTimeout_r(CLOCK_MONOTONIC, 0, NULL, NULL, NULL);
	pthread_exit(PTHREAD_CANCELED);
}

static void cancel_handler(int sig, siginfo_t *info, void *uc)
{
	struct _sigregs *ctx = uc;
	struct _sigframe *f = (struct _sigframe *)((char *)ctx - offsetof(struct _sigframe, ctx));
	struct __pthread *t = __self();
	int saved = errno;

	(void)sig;
	(void)info;
	if (__atomic_load_n(&t->cancel, __ATOMIC_ACQUIRE) != __CANCEL_PENDING)
		return;                 /* disabled, inside libc, or no request of ours */
	const char *pc = (const char *)(uintptr_t)ctx->pc;
	if (pc >= __cp_begin && pc < __cp_end) {
		ctx->pc = (uintptr_t)__cp_cancel;
		return;
	}
	if (t->cancel_async)
		__cancel_now();         /* on the handler's frame; SIGCANCEL stays blocked */
	sigaddset(&f->mask, __SIGCANCEL);
	t->cancel_sigmasked = 1;
	SignalKill_r(getpid(), (int)t->tid, __SIGCANCEL, SI_USER, 0);
	errno = saved;
}

/* Installs cancel_handler once per process (a fork's child inherits it;
 * an exec'd image starts without, and installs its own when it cancels). */
static int handler_ready(void)
{
	static int ready;               /* 0, or the pid that installed it */
	pid_t me = getpid();

	if (__atomic_load_n(&ready, __ATOMIC_ACQUIRE) == me)
		return 0;
	struct sigaction sa = { .sa_sigaction = cancel_handler,
				.sa_flags = SA_SIGINFO | SA_RESTART };
	sigemptyset(&sa.sa_mask);
	int r = (int)SignalAction_r(0, __sigstub, __SIGCANCEL, &sa, NULL);
	if (r < 0)
		return -r;
	__atomic_store_n(&ready, me, __ATOMIC_RELEASE);
	return 0;
}

int pthread_cancel(pthread_t t)
{
	if (!t || t->self != t)
		return ESRCH;
	int32_t old = __atomic_fetch_or(&t->cancel, __CANCEL_PENDING, __ATOMIC_ACQ_REL);
	if (t == __self()) {
		if (t->cancel_async && (old | __CANCEL_PENDING) == __CANCEL_PENDING)
			__cancel_now();
		return 0;               /* deferred: the next cancellation point */
	}
	if (old & (__CANCEL_PENDING | __CANCEL_DISABLED))
		return 0;               /* woken already, or it tests the word on enabling */
	/* A thread that has not started yet (tid 0) tests the word at its
	 * first cancellation point; one that has ended needs no wake-up. */
	uint32_t tid = __atomic_load_n(&t->tid, __ATOMIC_RELAXED);
	if (!tid || __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == __T_EXITING)
		return 0;
	int r = handler_ready();
	if (r)
		return r;
	SignalKill_r(getpid(), (int)tid, __SIGCANCEL, SI_USER, 0);
	return 0;
}

void pthread_testcancel(void)
{
	__testcancel();
}

/* Asynchronous cancellation acts at once on a pending request when it
 * becomes possible (POSIX: "at any time"). */
static void async_check(struct __pthread *t)
{
	if (t->cancel_async && __atomic_load_n(&t->cancel, __ATOMIC_ACQUIRE) == __CANCEL_PENDING)
		__cancel_now();
}

int pthread_setcancelstate(int state, int *old)
{
	struct __pthread *t = __self();

	if (state != PTHREAD_CANCEL_ENABLE && state != PTHREAD_CANCEL_DISABLE)
		return EINVAL;
	int32_t was = state == PTHREAD_CANCEL_DISABLE
		? __atomic_fetch_or(&t->cancel, __CANCEL_DISABLED, __ATOMIC_ACQ_REL)
		: __atomic_fetch_and(&t->cancel, ~__CANCEL_DISABLED, __ATOMIC_ACQ_REL);
	if (old)
		*old = (was & __CANCEL_DISABLED) ? PTHREAD_CANCEL_DISABLE : PTHREAD_CANCEL_ENABLE;
	async_check(t);
	return 0;
}

int pthread_setcanceltype(int type, int *old)
{
	struct __pthread *t = __self();

	if (type != PTHREAD_CANCEL_DEFERRED && type != PTHREAD_CANCEL_ASYNCHRONOUS)
		return EINVAL;
	if (old)
		*old = t->cancel_async ? PTHREAD_CANCEL_ASYNCHRONOUS : PTHREAD_CANCEL_DEFERRED;
	t->cancel_async = type == PTHREAD_CANCEL_ASYNCHRONOUS;
	async_check(t);
	return 0;
}

static int concurrency;

int pthread_getconcurrency(void)
{
	return concurrency;
}

int pthread_setconcurrency(int level)
{
	if (level < 0)
		return EINVAL;
	concurrency = level;
	return 0;
}

void __cancel_unmask(void)
{
	struct __pthread *t = __self();
	sigset_t s;

	if (!t->cancel_sigmasked)
		return;
	sigemptyset(&s);
	sigaddset(&s, __SIGCANCEL);
	t->cancel_sigmasked = 0;
	SignalProcmask_r(0, 0, SIG_UNBLOCK, &s, NULL);
}
