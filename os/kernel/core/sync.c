/* Sync objects (see sync.h).
 *
 * Locks: a hash bucket's lock (LR_SYNC) guards the bucket's list, each
 * object's reference count, and condvar/semaphore state and waiters.  The PI
 * lock (LR_PI, never taken while a bucket lock is held) guards every mutex's
 * owner and waiters (kernel and user mutexes alike) and each thread's owned
 * list, because a priority-inheritance chain crosses mutexes in arbitrary
 * order; it is taken only on contended mutex operations. */
#include <keel/errno.h>
#include <keel/sync.h>
#include "arch.h"
#include "atomic.h"
#include "hart.h"
#include "list.h"
#include "panic.h"
#include "sched.h"
#include "spinlock.h"
#include "sync.h"
#include "thread.h"
#include "trace.h"
#include "uaccess.h"
#include "waitq.h"

#define SYNC_MAX     512
#define SYNC_BUCKETS 64
#define PI_CHAIN_MAX 64

enum sync_type { SY_MUTEX = 1, SY_COND, SY_SEM, SY_UMUTEX, SY_USEM };

struct sync_obj {
	struct list link;               /* bucket list, or the free list */
	const void *as;
	uintptr_t addr;
	enum sync_type type;
	uint32_t refs;                  /* bucket lock */
	struct waitq waiters;           /* mutexes: PI lock; others: bucket lock */
	struct thread *owner;           /* mutexes: PI lock (user: only while waited for) */
	struct list owner_link;         /* in owner->owned: PI lock */
	uintptr_t bound;                /* condvar: its mutex */
	uint32_t count;                 /* semaphore */
};

struct bucket {
	struct spinlock lock;
	struct list objs;
};

static struct sync_obj pool[SYNC_MAX];
static struct list free_objs = LIST_INIT(free_objs);
static struct spinlock pool_lock = SPINLOCK_INIT("syncpool", LR_SYNCPOOL);
static struct bucket buckets[SYNC_BUCKETS];
static struct spinlock pi_lock = SPINLOCK_INIT("pi", LR_PI);
static volatile uint32_t in_use;

void sync_init(void)
{
	for (int i = 0; i < SYNC_BUCKETS; i++) {
		spin_init(&buckets[i].lock, "syncbucket", LR_SYNC);
		list_init(&buckets[i].objs);
	}
	for (int i = 0; i < SYNC_MAX; i++)
		list_add_tail(&free_objs, &pool[i].link);
}

uint32_t sync_objects_in_use(void)
{
	return atomic_load32(&in_use);
}

static struct bucket *bucket_of(const void *as, uintptr_t addr)
{
	uint64_t h = ((uint64_t)as ^ (addr >> 2)) * 0x9e3779b97f4a7c15ull;
	return &buckets[h >> 58];
}

/* Caller holds the bucket lock. */
static struct sync_obj *find(struct bucket *b, const void *as, uintptr_t addr)
{
	list_for_each(n, &b->objs) {
		struct sync_obj *o = list_entry(n, struct sync_obj, link);
		if (o->as == as && o->addr == addr)
			return o;
	}
	return 0;
}

static struct sync_obj *create(struct bucket *b, const void *as, uintptr_t addr, enum sync_type ty)
{
	spin_lock(&pool_lock);
	struct list *n = list_first(&free_objs);
	if (n)
		list_del(n);
	spin_unlock(&pool_lock);
	if (!n)
		return 0;
	struct sync_obj *o = list_entry(n, struct sync_obj, link);
	*o = (struct sync_obj){ .as = as, .addr = addr, .type = ty };
	list_init(&o->owner_link);
	waitq_init(&o->waiters);
	list_add_tail(&b->objs, &o->link);
	atomic_add32(&in_use, 1);
	return o;
}

/* Look up (and with `make`, create) an object of type ty, taking a
 * reference.  Returns it with the bucket lock held, or NULL (lock not held)
 * with *err set. */
static struct sync_obj *get(const void *as, uintptr_t addr, enum sync_type ty, bool make, int *err)
{
	struct bucket *b = bucket_of(as, addr);

	spin_lock(&b->lock);
	struct sync_obj *o = find(b, as, addr);
	if (!o && make)
		o = create(b, as, addr, ty);
	if (!o || o->type != ty) {
		*err = !o ? (make ? -EAGAIN : -ESRCH) : -EINVAL;
		spin_unlock(&b->lock);
		return 0;
	}
	o->refs++;
	return o;
}

static bool idle(const struct sync_obj *o)
{
	return !o->refs && waitq_empty(&o->waiters) && !o->owner && o->type != SY_SEM;
}

static void release(struct sync_obj *o)
{
	list_del(&o->link);
	spin_lock(&pool_lock);
	list_add_tail(&free_objs, &o->link);
	spin_unlock(&pool_lock);
	atomic_add32(&in_use, (uint32_t)-1);
}

/* Drop a reference; caller holds the bucket lock, which is released. */
static void put_locked(struct sync_obj *o)
{
	struct bucket *b = bucket_of(o->as, o->addr);

	o->refs--;
	if (idle(o))
		release(o);
	spin_unlock(&b->lock);
}

static void put(struct sync_obj *o)
{
	spin_lock(&bucket_of(o->as, o->addr)->lock);
	put_locked(o);
}

static void unlock_bucket(struct sync_obj *o)
{
	spin_unlock(&bucket_of(o->as, o->addr)->lock);
}

/* ---- priority inheritance (PI lock held) ---------------------------------- */

static unsigned wanted_prio(const struct thread *t)
{
	unsigned p = t->base_prio;

	list_for_each(n, &t->owned) {
		const struct sync_obj *m = list_entry(n, struct sync_obj, owner_link);
		const struct thread *w = waitq_first(&m->waiters);
		if (w && w->prio > p)
			p = w->prio;
	}
	return p;
}

/* Give t the priority its owned mutexes call for and pass the change down
 * the chain of owners it waits for. */
static void pi_update(struct thread *t)
{
	for (int i = 0; t && i < PI_CHAIN_MAX; i++) {
		unsigned p = wanted_prio(t);
		if (p == t->prio)
			return;
		sched_set_prio(t, p);
		struct sync_obj *m = t->blocked_on;
		if (!m || t->wq != &m->waiters)
			return;
		waitq_requeue(&m->waiters, t);
		t = m->owner;
	}
}

static void take_ownership(struct sync_obj *m, struct thread *t)
{
	m->owner = t;
	list_add_tail(&t->owned, &m->owner_link);
}

/* Make t (or nobody) the owner that m's waiters lend their priority to; the
 * previous owner drops what m lent it, the new one takes it. */
static void pi_set_owner(struct sync_obj *m, struct thread *t)
{
	struct thread *old = m->owner;

	if (old == t)
		return;
	if (old) {
		list_del(&m->owner_link);
		m->owner = 0;
		pi_update(old);
	}
	if (t) {
		take_ownership(m, t);
		pi_update(t);
	}
}

void sync_thread_exit(struct thread *t)
{
	spin_lock(&pi_lock);
	t->pi_id = 0;                   /* never recorded as an owner again */
	while (!list_empty(&t->owned)) {
		struct sync_obj *m = list_entry(t->owned.next, struct sync_obj, owner_link);
		list_del(&m->owner_link);
		m->owner = 0;
	}
	spin_unlock(&pi_lock);
}

void sync_raise_base_prio(struct thread *t, uint32_t tid, unsigned prio)
{
	spin_lock(&pi_lock);
	if (t->pi_id == tid && prio > t->base_prio) {   /* still t, not yet ended */
		t->base_prio = (uint8_t)prio;
		pi_update(t);
	}
	spin_unlock(&pi_lock);
}

bool sync_set_base_prio(struct thread *t, uint32_t tid, const struct process *p, int policy,
			unsigned prio)
{
	spin_lock(&pi_lock);
	bool same = t->pi_id == tid && t->proc == p;    /* still that thread of p */
	if (same) {
		if (policy >= 0)
			t->policy = (uint8_t)policy;
		t->base_prio = (uint8_t)prio;
		pi_update(t);           /* never below what its mutexes' waiters lend it */
	}
	spin_unlock(&pi_lock);
	return same;
}

void sync_own_prio(struct thread *t)
{
	if (t->prio == t->base_prio)
		return;         /* nothing lent to drop; a boost arriving now stays */
	spin_lock(&pi_lock);
	sched_set_prio(t, wanted_prio(t));
	spin_unlock(&pi_lock);
}

/* ---- mutex ------------------------------------------------------------------ */

int sync_mutex_lock(const void *as, uintptr_t addr, uint64_t deadline)
{
	struct thread *cur = thread_current();
	int err;
	struct sync_obj *m = get(as, addr, SY_MUTEX, true, &err);

	if (!m)
		return err;
	unlock_bucket(m);
	spin_lock(&pi_lock);
	if (!m->owner) {
		take_ownership(m, cur);         /* keeps our reference */
		spin_unlock(&pi_lock);
		return 0;
	}
	if (m->owner == cur) {
		spin_unlock(&pi_lock);
		put(m);
		return -EDEADLK;
	}
	unsigned long s = pi_lock.irq_state;
	cur->blocked_on = m;
	waitq_prepare(&m->waiters, &pi_lock, deadline);
	pi_update(m->owner);
	pi_lock.irq_state = 0;
	spin_unlock(&pi_lock);
	int r = waitq_sleep();
	arch_irq_restore(s);
	if (r == 0)
		return 0;                       /* handed over: the reference is the owner's */
	spin_lock(&pi_lock);                    /* timed out: the owner may drop its boost */
	cur->blocked_on = 0;
	if (m->owner)
		pi_update(m->owner);
	spin_unlock(&pi_lock);
	put(m);
	return r;
}

/* Let m go: the best waiter becomes its owner.  The caller holds a
 * reference to m and no locks, and takes no bucket lock here, so a
 * condvar waiter already queued may call it.  0, and
 * the caller drops its owner reference too; or -EPERM. */
static int mutex_release(struct sync_obj *m)
{
	struct thread *cur = thread_current();

	spin_lock(&pi_lock);
	if (m->owner != cur) {
		spin_unlock(&pi_lock);
		return -EPERM;
	}
	list_del(&m->owner_link);
	m->owner = 0;
	struct thread *w = waitq_first_live(&m->waiters);
	if (w) {
		w->blocked_on = 0;
		take_ownership(m, w);           /* our owner reference moves to w */
		waitq_wake_thread(&m->waiters, w, 0);
		pi_update(w);
	}
	pi_update(cur);
	spin_unlock(&pi_lock);
	return 0;
}

int sync_mutex_unlock(const void *as, uintptr_t addr)
{
	int err;
	struct sync_obj *m = get(as, addr, SY_MUTEX, false, &err);

	if (!m)
		return -EPERM;
	unlock_bucket(m);
	int r = mutex_release(m);
	put(m);                 /* the temporary reference */
	if (r)
		return r;
	put(m);                 /* our owner reference (a new owner came with its own) */
	sched_preempt_if_needed();
	return 0;
}

/* ---- condition variable ----------------------------------------------------- */

static bool owns_mutex(const void *as, uintptr_t addr)
{
	int err;
	struct sync_obj *m = get(as, addr, SY_MUTEX, false, &err);

	if (!m)
		return false;
	unlock_bucket(m);
	spin_lock(&pi_lock);
	bool mine = m->owner == thread_current();
	spin_unlock(&pi_lock);
	put(m);
	return mine;
}

int sync_condvar_wait(const void *as, uintptr_t cv, uintptr_t mutex, uint64_t deadline)
{
	int err;

	if (!owns_mutex(as, mutex))
		return -EPERM;
	struct sync_obj *m = get(as, mutex, SY_MUTEX, false, &err);
	if (!m)
		return -EPERM;
	unlock_bucket(m);
	struct sync_obj *c = get(as, cv, SY_COND, true, &err);
	if (!c) {
		put(m);
		return err;
	}
	if (c->bound && c->bound != mutex && !waitq_empty(&c->waiters)) {
		put_locked(c);
		put(m);
		return -EINVAL;
	}
	c->bound = mutex;
	struct spinlock *bl = &bucket_of(as, cv)->lock;
	unsigned long s = bl->irq_state;
	/* Queued before the mutex is released: a signal from now on finds us. */
	waitq_prepare(&c->waiters, bl, deadline);
	bl->irq_state = 0;
	spin_unlock(bl);
	int mr = mutex_release(m);      /* no bucket lock until we are off the hart */
	int r = waitq_sleep();
	arch_irq_restore(s);
	put(m);
	if (!mr)
		put(m);
	put(c);
	int lr = sync_mutex_lock(as, mutex, WAIT_FOREVER);
	return r ? r : lr;
}

int sync_condvar_signal(const void *as, uintptr_t cv, bool all)
{
	int err;
	struct sync_obj *c = get(as, cv, SY_COND, false, &err);

	if (!c)
		return err == -ESRCH ? 0 : err;         /* no object: nobody waits */
	if (all)
		waitq_wake_all(&c->waiters, 0);
	else
		waitq_wake_one(&c->waiters, 0);
	put_locked(c);
	sched_preempt_if_needed();
	return 0;
}

/* ---- semaphore ----------------------------------------------------------------- */

int sync_sem_init(const void *as, uintptr_t addr, uint32_t count)
{
	int err;
	struct sync_obj *o = get(as, addr, SY_SEM, true, &err);

	if (!o)
		return err;
	if (!waitq_empty(&o->waiters)) {
		put_locked(o);
		return -EBUSY;
	}
	o->count = count;
	put_locked(o);
	return 0;
}

int sync_sem_post(const void *as, uintptr_t addr)
{
	int err;
	struct sync_obj *o = get(as, addr, SY_SEM, false, &err);

	if (!o)
		return -EINVAL;
	int r = 0;
	if (!waitq_wake_one(&o->waiters, 0)) {
		if (o->count == UINT32_MAX)
			r = -EAGAIN;
		else
			o->count++;
	}
	put_locked(o);
	sched_preempt_if_needed();
	return r;
}

int sync_sem_wait(const void *as, uintptr_t addr, uint64_t deadline)
{
	int err;
	struct sync_obj *o = get(as, addr, SY_SEM, false, &err);

	if (!o)
		return -EINVAL;
	if (o->count) {
		o->count--;
		put_locked(o);
		return 0;
	}
	int r = waitq_block(&o->waiters, &bucket_of(as, addr)->lock, deadline);
	put(o);
	return r;
}

int sync_sem_value(const void *as, uintptr_t addr)
{
	int err;
	struct sync_obj *o = get(as, addr, SY_SEM, false, &err);

	if (!o)
		return -EINVAL;
	int v = (int)o->count;
	put_locked(o);
	return v;
}

int sync_destroy(const void *as, uintptr_t addr)
{
	struct bucket *b = bucket_of(as, addr);

	spin_lock(&b->lock);
	struct sync_obj *o = find(b, as, addr);
	int r = 0;
	if (!o)
		r = -EINVAL;
	else if (o->refs || o->owner || !waitq_empty(&o->waiters))
		r = -EBUSY;
	else
		release(o);
	spin_unlock(&b->lock);
	return r;
}

/* ---- user sync words ----------------------------------------------------------
 *
 * The contended paths of a sync_t that lives in user memory: the owner word
 * holds the owner's thread id, or 0, with _NTO_SYNC_WAITING or-ed in once a
 * thread waits in the kernel; a semaphore's count is its __count word.  User
 * code takes a free mutex and releases an unwaited one with one atomic on
 * the word and never enters the kernel.  Here a mutex word is changed only
 * with the PI lock held (a semaphore's with its bucket lock), so an unlock
 * in the kernel sees a word that only its owner could change, and nobody
 * sets the waiting bit unseen.
 *
 * Priority inheritance: while a user mutex has waiters, the thread its word
 * names (when that is a live thread of the same process) is recorded as the
 * object's owner and runs at the priority of its best waiter, as kernel
 * mutexes do, along chains of owners waiting for other mutexes. */

#define UW_WAITING 0x80000000u

static int word_read(uintptr_t word, uint32_t *v)
{
	return user_cas32(word, 0, 0, v);       /* an atomic read that writes nothing new */
}

/* The thread an owner word names if it is a live thread of the caller's
 * process, else NULL.  PI lock held: a thread whose pi_id still is its tid
 * has not ended and cannot end (sync_thread_exit) until the lock is let go,
 * so its slot is not recycled under us. */
static struct thread *word_owner(uint32_t v)
{
	struct thread *me = thread_current(), *t = thread_lookup(v & ~UW_WAITING);

	if (!t || t == me || t->pi_id != (v & ~UW_WAITING) || t->proc != me->proc)
		return 0;
	return t;
}

/* Take the word if it is free, else mark it waited for.  PI lock held.
 * 1: ours now; 0: marked (*v the owner word); -EAGAIN: the word moved under
 * us, look again; -EFAULT, -EDEADLK, or -EINVAL for a word that is a
 * semaphore's (SyncTypeCreate made it one, perhaps while a condvar waiter
 * meant to take it back as its mutex: no unlock would ever come). */
static int umutex_try(uintptr_t word, uint32_t me, uint32_t *v)
{
	uint32_t v2;

	if (user_cas32(word, 0, me, v))
		return -EFAULT;
	if (*v == 0)
		return 1;
	if (*v == _NTO_SYNC_SEM)
		return -EINVAL;
	if ((*v & ~UW_WAITING) == me)
		return -EDEADLK;
	if (*v & UW_WAITING)
		return 0;
	if (user_cas32(word, *v, *v | UW_WAITING, &v2))
		return -EFAULT;
	return v2 == *v ? 0 : -EAGAIN;
}

/* A waiter left without the mutex (timeout, or told to end): the owner
 * keeps only what the remaining waiters lend it.  PI lock held. */
static void umutex_waiter_left(struct thread *cur, struct sync_obj *o)
{
	cur->blocked_on = 0;
	if (waitq_empty(&o->waiters))
		pi_set_owner(o, 0);
	else if (o->owner)
		pi_update(o->owner);
}

int sync_umutex_lock(const void *as, uintptr_t word, uint32_t me, uint64_t deadline)
{
	struct thread *cur = thread_current();
	uint32_t v;
	int err, r;

	if (thread_killed())
		return -EINTR;          /* it would die holding it (a condvar wait's relock) */
	struct sync_obj *o = get(as, word, SY_UMUTEX, true, &err);
	if (!o)
		return err;
	unlock_bucket(o);               /* our reference keeps o; the PI lock guards the rest */
	spin_lock(&pi_lock);
	while ((r = umutex_try(word, me, &v)) == -EAGAIN) {
		spin_unlock(&pi_lock);          /* the word moved: look again */
		if (thread_killed()) {          /* a word another thread keeps moving */
			put(o);
			return -EINTR;
		}
		cpu_relax();
		spin_lock(&pi_lock);
	}
	if (r != 0) {
		spin_unlock(&pi_lock);
		put(o);
		return r > 0 ? 0 : r;
	}
	unsigned long s = pi_lock.irq_state;
	cur->blocked_on = o;
	waitq_prepare(&o->waiters, &pi_lock, deadline);
	pi_set_owner(o, word_owner(v));
	pi_update(o->owner);            /* our priority counts now */
	pi_lock.irq_state = 0;
	spin_unlock(&pi_lock);
	r = waitq_sleep();
	arch_irq_restore(s);
	if (r != 0) {
		spin_lock(&pi_lock);
		umutex_waiter_left(cur, o);
		spin_unlock(&pi_lock);
	}
	put(o);
	return r;                       /* 0: the unlocker handed it to us */
}

/* Let user mutex o (owner word `word`) go: to its best waiter if any.  The
 * caller holds a reference to o and no locks; no bucket lock is taken here
 * (see mutex_release).  0, -EPERM or -EFAULT. */
static int umutex_release(struct sync_obj *o, uintptr_t word, uint32_t me)
{
	struct thread *cur = thread_current();
	uint32_t v, old;

	spin_lock(&pi_lock);
	int r = word_read(word, &v) ? -EFAULT : (v & ~UW_WAITING) != me ? -EPERM : 0;
	/* Handed to the first waiter not told to end (one that is would die
	 * with it, the word naming it for good); the others keep the
	 * waiting bit, those ending included (they leave on their own). */
	struct thread *w = waitq_first_live(&o->waiters);
	uint32_t next = 0;
	if (w)
		next = w->tid | (o->waiters.head.next->next != &o->waiters.head ? UW_WAITING : 0);
	if (!r && (user_cas32(word, v, next, &old) || old != v))
		r = -EFAULT;
	if (!r && w) {
		w->blocked_on = 0;
		waitq_wake_thread(&o->waiters, w, 0);
		pi_set_owner(o, waitq_empty(&o->waiters) ? 0 : w);
	} else if (!r) {
		pi_set_owner(o, 0);
	}
	pi_update(cur);                 /* back to what it still holds lends it */
	spin_unlock(&pi_lock);
	return r;
}

int sync_umutex_unlock(const void *as, uintptr_t word, uint32_t me)
{
	int err;
	struct sync_obj *o = get(as, word, SY_UMUTEX, true, &err);

	if (!o)
		return err;
	unlock_bucket(o);
	int r = umutex_release(o, word, me);
	put(o);
	if (!r)
		sched_preempt_if_needed();
	return r;
}

int sync_ucond_wait(const void *as, uintptr_t cv, uintptr_t word, uint32_t me, uint64_t deadline)
{
	uint32_t v;
	int err;

	if (word_read(word, &v))
		return -EFAULT;
	if ((v & ~UW_WAITING) != me)
		return -EPERM;
	struct sync_obj *m = get(as, word, SY_UMUTEX, true, &err);
	if (!m)
		return err;
	unlock_bucket(m);
	struct sync_obj *c = get(as, cv, SY_COND, true, &err);
	if (!c) {
		put(m);
		return err;
	}
	struct spinlock *bl = &bucket_of(as, cv)->lock;
	unsigned long s = bl->irq_state;
	waitq_prepare(&c->waiters, bl, deadline);      /* queued before the mutex is released */
	bl->irq_state = 0;
	spin_unlock(bl);
	umutex_release(m, word, me);    /* no bucket lock until we are off the hart */
	int r = waitq_sleep();
	arch_irq_restore(s);
	put(m);
	put(c);
	/* The mutex back before the call returns, whatever ended the wait:
	 * a signal that came (and is still to be delivered) must not break
	 * this wait, or the caller would go on without the mutex, believing
	 * it held (POSIX pthread_cond_wait).  A thread told to end still
	 * goes (waitq_prepare). */
	struct thread *t = thread_current();
	atomic_store32(&t->sig_nointr, 1);
	int lr = sync_umutex_lock(as, word, me, WAIT_FOREVER);
	atomic_store32(&t->sig_nointr, 0);
	return r ? r : lr;
}

/* A semaphore's count word is user memory that the process may rewrite at
 * any moment: a compare-and-swap that keeps losing to it is retried only
 * SEM_CAS_TRIES times under the bucket lock (interrupts off), then the
 * lock is dropped and the call starts over, with interrupts on, unless the
 * caller is told to end or a signal came (EINTR; SyncSemPost is always
 * restarted after a handler).  Retried under the lock without a bound, a
 * thread that kept changing the word held the hart, every thread of that
 * bucket and every TLB shootdown waiting for them. */
#define SEM_CAS_TRIES 8

static int sem_contended(void)
{
	struct thread *t = thread_current();

	if (atomic_load32(&t->killed))
		return -EINTR;
	if (atomic_load32(&t->sig_wake) && !atomic_load32(&t->sig_nointr)) {
		atomic_store32(&t->sig_broke, 1);       /* a signal ended it (sig_user_return) */
		return -EINTR;
	}
	cpu_relax();
	return 0;
}

int sync_usem_post(const void *as, uintptr_t count)
{
	int err, r;
	uint32_t v, old;

	do {
		struct sync_obj *o = get(as, count, SY_USEM, true, &err);
		if (!o)
			return err;
		r = 0;
		if (!waitq_wake_one(&o->waiters, 0)) {          /* no waiter: count it */
			for (unsigned i = 0;; i++) {
				if ((r = word_read(count, &v)) || (int32_t)v < 0 || v >= 0x0fffffffu) {
					r = r ? r : -EINVAL;
					break;
				}
				if ((r = user_cas32(count, v, v + 1, &old)) || old == v)
					break;
				if (i + 1 == SEM_CAS_TRIES) {
					r = -EAGAIN;
					break;
				}
			}
		}
		put_locked(o);
	} while (r == -EAGAIN && !(r = sem_contended()));
	sched_preempt_if_needed();
	return r;
}

int sync_usem_wait(const void *as, uintptr_t count, bool tryget, uint64_t deadline)
{
	int err;
	uint32_t v, old;
	struct sync_obj *o;

again:
	if (!(o = get(as, count, SY_USEM, true, &err)))
		return err;
	for (unsigned i = 0;; i++) {
		int bad = word_read(count, &v) ? -EFAULT : (int32_t)v < 0 ? -EINVAL : 0;
		if (bad) {
			put_locked(o);
			return bad;
		}
		if (!v)
			break;
		if (user_cas32(count, v, v - 1, &old)) {
			put_locked(o);
			return -EFAULT;
		}
		if (old == v) {
			put_locked(o);
			return 0;
		}
		if (i + 1 == SEM_CAS_TRIES) {           /* see SEM_CAS_TRIES */
			put_locked(o);
			int r = sem_contended();
			if (r)
				return r;
			goto again;
		}
	}
	if (tryget) {
		put_locked(o);
		return -EAGAIN;
	}
	int r = waitq_block(&o->waiters, &bucket_of(as, count)->lock, deadline);
	put(o);
	return r;                               /* 0: a post handed us its unit */
}
