/* Thread attributes (POSIX.1-2017 pthread_attr_*).  A zeroed attribute is
 * the default: joinable, inherited scheduling, 64 KiB stack. */
#include <errno.h>
#include <string.h>
#include "libc.h"

int pthread_attr_init(pthread_attr_t *a)
{
	if (!a)
		return EINVAL;
	memset(a, 0, sizeof *a);
	a->__guardsize = 4096;          /* a page: pthread_create's guard */
	return 0;
}

int pthread_attr_destroy(pthread_attr_t *a)
{
	return a ? 0 : EINVAL;
}

int pthread_attr_getdetachstate(const pthread_attr_t *a, int *state)
{
	*state = (a->__flags & PTHREAD_CREATE_DETACHED) ? PTHREAD_CREATE_DETACHED
							 : PTHREAD_CREATE_JOINABLE;
	return 0;
}

int pthread_attr_setdetachstate(pthread_attr_t *a, int state)
{
	if (state != PTHREAD_CREATE_JOINABLE && state != PTHREAD_CREATE_DETACHED)
		return EINVAL;
	a->__flags = (a->__flags & ~PTHREAD_CREATE_DETACHED) | state;
	return 0;
}

int pthread_attr_getstacksize(const pthread_attr_t *a, size_t *size)
{
	*size = a->__stacksize ? a->__stacksize : 64u << 10;
	return 0;
}

int pthread_attr_setstacksize(pthread_attr_t *a, size_t size)
{
	if (size < PTHREAD_STACK_MIN)
		return EINVAL;
	a->__stacksize = size;
	return 0;
}

int pthread_attr_getstackaddr(const pthread_attr_t *a, void **addr)
{
	*addr = a->__stackaddr;
	return 0;
}

int pthread_attr_setstackaddr(pthread_attr_t *a, void *addr)
{
	a->__stackaddr = addr;
	return 0;
}

int pthread_attr_getstack(const pthread_attr_t *a, void **addr, size_t *size)
{
	*addr = a->__stackaddr;
	*size = a->__stacksize;
	return 0;
}

int pthread_attr_setstack(pthread_attr_t *a, void *addr, size_t size)
{
	if (size < PTHREAD_STACK_MIN || !addr || (uintptr_t)addr + size < (uintptr_t)addr)
		return EINVAL;
	a->__stackaddr = addr;
	a->__stacksize = size;
	return 0;
}

int pthread_attr_getguardsize(const pthread_attr_t *a, size_t *size)
{
	*size = a->__guardsize;
	return 0;
}

int pthread_attr_setguardsize(pthread_attr_t *a, size_t size)
{
	a->__guardsize = size;          /* 0: no guard page; else one page */
	return 0;
}

int pthread_attr_getinheritsched(const pthread_attr_t *a, int *inherit)
{
	*inherit = (a->__flags & PTHREAD_EXPLICIT_SCHED) ? PTHREAD_EXPLICIT_SCHED
							 : PTHREAD_INHERIT_SCHED;
	return 0;
}

int pthread_attr_setinheritsched(pthread_attr_t *a, int inherit)
{
	if (inherit != PTHREAD_INHERIT_SCHED && inherit != PTHREAD_EXPLICIT_SCHED)
		return EINVAL;
	a->__flags = (a->__flags & ~PTHREAD_EXPLICIT_SCHED) | inherit;
	return 0;
}

int pthread_attr_getschedpolicy(const pthread_attr_t *a, int *policy)
{
	*policy = a->__policy ? a->__policy : SCHED_OTHER;
	return 0;
}

int pthread_attr_setschedpolicy(pthread_attr_t *a, int policy)
{
	if (policy != SCHED_FIFO && policy != SCHED_RR && policy != SCHED_OTHER)
		return EINVAL;
	a->__policy = policy;
	return 0;
}

int pthread_attr_getschedparam(const pthread_attr_t *a, struct sched_param *p)
{
	*p = a->__param;
	return 0;
}

int pthread_attr_setschedparam(pthread_attr_t *a, const struct sched_param *p)
{
	if (p->sched_priority < SCHED_PRIO_MIN || p->sched_priority > SCHED_PRIO_MAX)
		return EINVAL;
	a->__param = *p;
	return 0;
}

int pthread_attr_getscope(const pthread_attr_t *a, int *scope)
{
	(void)a;
	*scope = PTHREAD_SCOPE_SYSTEM;
	return 0;
}

int pthread_attr_setscope(pthread_attr_t *a, int scope)
{
	(void)a;
	if (scope == PTHREAD_SCOPE_SYSTEM)
		return 0;
	return scope == PTHREAD_SCOPE_PROCESS ? ENOTSUP : EINVAL;
}
