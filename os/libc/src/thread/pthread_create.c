/* pthread_create, the thread trampoline and the reaper of detached threads.
 *
 * A thread made here lives in one block of its own pages (mmap):
 * [stack | record | TLS], tp at the TLS block, the record (struct
 * __pthread) just below it, the stack growing down from the record.  Below
 * the block one page stays unmapped (MAP_STACK: taskman leaves it out), so
 * a stack that overflows faults there (SIGSEGV) instead of writing over
 * other memory; a guard size of 0 (pthread_attr_setguardsize) leaves it
 * out, and any other size gets that one page.  With a stack from
 * pthread_attr_setstack, the record and TLS are carved from its top and
 * the caller's memory has whatever guard the caller made.
 *
 * Kernel threads are never made detached: a thread that ends detached puts
 * itself on the dead list and the next pthread_create (or pthread_detach)
 * joins it in the kernel (so the thread is surely off its stack) before
 * freeing its block. */
#include <errno.h>
#include <picolibc.h>
#include <picotls.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "libc.h"

#define DEFAULT_STACK (64u << 10)
#define PAGE          4096u

static struct __pthread *dead;          /* a stack pushed and emptied atomically */

/* Blocks of ended default-size threads (guard included), for the next
 * creates: a new block costs two trips to taskman (mmap, munmap). */
#define CACHE_MAX 8
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static void *cache[CACHE_MAX];
static int ncache;

static size_t tls_size(void);

/* Block sizes are whole pages; the low bit of a size says "no guard". */
static size_t block_size(size_t stack, bool guard)
{
	size_t n = (stack + tls_size() + KEEL_THREAD_RECORD_SIZE + 16 + PAGE - 1) & ~(size_t)(PAGE - 1);

	return guard ? n : n | 1;
}

static size_t default_block(void)
{
	return block_size(DEFAULT_STACK, true);
}

void __pthread_free_block(void *block, size_t size)
{
	if (block && size == default_block()) {
		pthread_mutex_lock(&cache_lock);
		if (ncache < CACHE_MAX) {
			cache[ncache++] = block;
			block = NULL;
		}
		pthread_mutex_unlock(&cache_lock);
	}
	if (block)
		munmap(block, size & ~(size_t)1);
}

static void *alloc_block(size_t size)
{
	void *b = NULL;

	if (size == default_block()) {
		pthread_mutex_lock(&cache_lock);
		if (ncache)
			b = cache[--ncache];
		pthread_mutex_unlock(&cache_lock);
	}
	if (b)
		return b;
	b = mmap(NULL, size & ~(size_t)1, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | ((size & 1) ? 0 : MAP_STACK), -1, 0);
	return b == MAP_FAILED ? NULL : b;
}

void __pthread_reap(void)
{
	struct __pthread *t = __atomic_exchange_n(&dead, NULL, __ATOMIC_ACQUIRE);

	while (t) {
		struct __pthread *next = t->next_dead;
		ThreadJoin_r((int)t->tid, NULL);
		__pthread_free_block(t->block, t->block_size);
		t = next;
	}
}

/* Called by pthread_exit for a thread that ends detached. */
__attribute__((visibility("hidden"))) void __pthread_bury(struct __pthread *t);

void __pthread_bury(struct __pthread *t)
{
	struct __pthread *head = __atomic_load_n(&dead, __ATOMIC_RELAXED);

	do
		t->next_dead = head;
	while (!__atomic_compare_exchange_n(&dead, &head, t, true, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED));
}

static void *trampoline(void *arg)
{
	struct __pthread *t = arg;
	struct _client_info ci;

	/* Our tid before anything can lock a mutex; the creator stores the
	 * same value when ThreadCreate returns. */
	if (ConnectClientInfo_r(-1, &ci, 0) == 0)
		__atomic_store_n(&t->tid, (uint32_t)ci.tid, __ATOMIC_RELAXED);
	__cancel_unmask();              /* the creator's mask had libc's block of SIGCANCEL */
	pthread_exit(t->start(t->arg));
}

static size_t tls_size(void)
{
	return (_tls_size() + 15) & ~(size_t)15;
}

/* The record and TLS at the top of [base, base+size); the stack below. */
static struct __pthread *carve(char *base, size_t size, char **tp)
{
	uintptr_t top = ((uintptr_t)base + size) & ~(uintptr_t)15;

	*tp = (char *)(top - tls_size());
	return (struct __pthread *)(*tp - KEEL_THREAD_RECORD_SIZE);
}

int pthread_create(pthread_t *th, const pthread_attr_t *attr, void *(*start)(void *), void *arg)
{
	pthread_attr_t def;
	char *base, *tp, *block = NULL;
	size_t size;

	if (!th || !start)
		return EINVAL;
	__pthread_reap();
	if (!attr) {
		pthread_attr_init(&def);
		attr = &def;
	}
	size = attr->__stacksize ? attr->__stacksize : DEFAULT_STACK;
	if (attr->__stackaddr) {
		base = attr->__stackaddr;
		if (size < tls_size() + KEEL_THREAD_RECORD_SIZE + PTHREAD_STACK_MIN / 2)
			return EINVAL;
	} else {
		size = block_size(size, attr->__guardsize != 0);
		if (!(block = alloc_block(size)))
			return EAGAIN;
		base = block;
	}
	struct __pthread *t = carve(base, size & ~(size_t)1, &tp);
	memset(t, 0, sizeof *t);
	_init_tls(tp);
	t->self = t;
	t->start = start;
	t->arg = arg;
	t->block = block;
	t->block_size = block ? size : 0;
	int detached = (attr->__flags & PTHREAD_CREATE_DETACHED) != 0;
	t->state = detached ? __T_DETACHED : __T_JOINABLE;
	t->cancel_sigmasked = __self()->cancel_sigmasked;

	struct _thread_attr ka = {
		.stackaddr = base,
		.stacksize = (size_t)((char *)t - base) & ~(size_t)15,
		.exitfunc = (void (*)(void *))pthread_exit,
		.tls = tp,
	};
	if (attr->__flags & PTHREAD_EXPLICIT_SCHED) {
		ka.flags |= _NTO_TA_EXPLICIT_SCHED;
		ka.policy = attr->__policy;
		ka.param = attr->__param;
	}
	int tid = ThreadCreate_r(0, trampoline, t, &ka);
	if (tid < 0) {
		__pthread_free_block(block, size);
		return tid == -EINVAL || tid == -EPERM ? -tid : EAGAIN;
	}
	if (!detached)                  /* a detached one may be gone already */
		__atomic_store_n(&t->tid, (uint32_t)tid, __ATOMIC_RELAXED);
	*th = t;
	return 0;
}
