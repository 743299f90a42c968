/* Thread-specific data.  A key is (generation << 8 | slot); a thread's value
 * counts only while it was set under the slot's current key, so a deleted
 * and re-created key reads NULL in every thread without visiting them. */
#include <errno.h>
#include "libc.h"

struct __key_slot __keys[__KEYS_MAX];
static pthread_mutex_t key_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t generation;
static int ever_created;                /* no key yet: thread exit skips the walk */

static bool key_live(pthread_key_t k)
{
	unsigned slot = k & 0xff;

	return slot < __KEYS_MAX && k != 0 &&
	       __atomic_load_n(&__keys[slot].key, __ATOMIC_ACQUIRE) == k;
}

int pthread_key_create(pthread_key_t *key, void (*dtor)(void *))
{
	if (!key)
		return EINVAL;
	pthread_mutex_lock(&key_lock);
	for (unsigned i = 0; i < __KEYS_MAX; i++) {
		if (__keys[i].key)
			continue;
		generation = (generation + 1) & 0xffffff;
		if (!generation)
			generation = 1;
		__keys[i].dtor = dtor;
		__atomic_store_n(&ever_created, 1, __ATOMIC_RELAXED);
		__atomic_store_n(&__keys[i].key, generation << 8 | i, __ATOMIC_RELEASE);
		*key = __keys[i].key;
		pthread_mutex_unlock(&key_lock);
		return 0;
	}
	pthread_mutex_unlock(&key_lock);
	return EAGAIN;
}

int pthread_key_delete(pthread_key_t key)
{
	int r = EINVAL;

	pthread_mutex_lock(&key_lock);
	if (key_live(key)) {
		__atomic_store_n(&__keys[key & 0xff].key, 0, __ATOMIC_RELEASE);
		__keys[key & 0xff].dtor = NULL;
		r = 0;
	}
	pthread_mutex_unlock(&key_lock);
	return r;
}

void *pthread_getspecific(pthread_key_t key)
{
	struct __pthread *t = __self();
	unsigned slot = key & 0xff;

	if (slot >= __KEYS_MAX || t->tsd_key[slot] != key || !key_live(key))
		return NULL;
	return t->tsd[slot];
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	struct __pthread *t = __self();

	if (!key_live(key))
		return EINVAL;
	t->tsd_key[key & 0xff] = key;
	t->tsd[key & 0xff] = (void *)value;
	return 0;
}

void __tsd_run_dtors(void)
{
	struct __pthread *t = __self();

	if (!__atomic_load_n(&ever_created, __ATOMIC_RELAXED))
		return;
	for (int round = 0; round < PTHREAD_DESTRUCTOR_ITERATIONS; round++) {
		bool ran = false;
		for (unsigned i = 0; i < __KEYS_MAX; i++) {
			uint32_t k = t->tsd_key[i];
			void (*dtor)(void *) = __keys[i].dtor;
			if (!k || !t->tsd[i] || !key_live(k) || !dtor)
				continue;
			void *v = t->tsd[i];
			t->tsd[i] = NULL;
			dtor(v);
			ran = true;
		}
		if (!ran)
			break;
	}
}
