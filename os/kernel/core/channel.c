/* Channels: where servers receive.  A static pool of channel objects, each
 * with its own lock; a process names its channels by chid through its
 * vector (chid - 1).  See ipc.h for the contracts. */
#include <keel/errno.h>
#include <keel/msg.h>
#include "atomic.h"
#include <keel/thread.h>
#include "ipc.h"
#include "ipc_fast.h"
#include "kprintf.h"
#include "process.h"
#include "spinlock.h"
#include "thread.h"
#include "waitq.h"

#define CHAN_MAX   128

static struct channel chans[CHAN_MAX] = {
	[0 ... CHAN_MAX - 1] = { .lock = SPINLOCK_INIT("channel", LR_CHAN) },
};

/* A free channel from the pool, live and owned by p, or NULL. */
static struct channel *chan_alloc(struct process *p, uint32_t flags)
{
	for (int i = 0; i < CHAN_MAX; i++) {
		struct channel *ch = &chans[i];
		spin_lock(&ch->lock);
		if (!ch->live) {
			ch->live = true;
			ch->gen++;
			ch->owner = p;
			ch->flags = flags;
			waitq_init(&ch->receivers);
			list_init(&ch->senders);
			list_init(&ch->repliers);
			list_init(&ch->pulses);
			spin_unlock(&ch->lock);
			return ch;
		}
		spin_unlock(&ch->lock);
	}
	return 0;
}

long chan_create(struct process *p, uint32_t flags)
{
	struct channel *ch = chan_alloc(p, flags);

	if (!ch)
		return -EAGAIN;
	spin_lock(&p->lock);
	for (int c = 0; c < PROC_CHANNELS; c++)
		if (!p->chans[c]) {
			ch->chid = (uint32_t)c + 1;
			smp_mb();               /* chan_of reads the slot without the lock */
			p->chans[c] = ch;
			spin_unlock(&p->lock);
			return c + 1;
		}
	spin_unlock(&p->lock);
	spin_lock(&ch->lock);
	ch->live = false;
	spin_unlock(&ch->lock);
	return -EAGAIN;
}

/* A lock-free read: channel objects live in a static pool and are never
 * freed, and every user checks ch->live under the channel's lock. */
struct channel *chan_of(struct process *p, long chid)
{
	return chan_of_inline(p, chid);
}

/* Wake every client on list l with ESRCH (ch locked). */
static void chan_fail_clients(struct list *l)
{
	while (!list_empty(l)) {
		struct thread *c = list_entry(l->next, struct thread, ipc.link);
		list_del(&c->ipc.link);
		c->ipc.state = IPC_NONE;
		c->ipc.status = -ESRCH;
		waitq_wake_one(&c->ipc.wq, -ESRCH);
	}
}

void chan_close(struct channel *ch)
{
	spin_lock(&ch->lock);
	ch->live = false;
	ch->gen++;
	waitq_wake_all(&ch->receivers, -EINTR);
	chan_fail_clients(&ch->senders);
	chan_fail_clients(&ch->repliers);
	pulse_drop_all(ch);
	spin_unlock(&ch->lock);
}

/* Senders and receivers still blocked on a destroyed channel fail. */
int chan_destroy(struct process *p, long chid)
{
	if (chid < 1 || chid > PROC_CHANNELS)
		return -EINVAL;
	/* Taken and cleared in one hold of p's lock: two destroys of one chid
	 * at once close it once, never a channel that took the slot since. */
	spin_lock(&p->lock);
	struct channel *ch = p->chans[chid - 1];
	p->chans[chid - 1] = 0;
	spin_unlock(&p->lock);
	if (!ch)
		return -EINVAL;
	chan_close(ch);
	return 0;
}

struct thread *chan_first_receiver(struct channel *ch, bool pulse)
{
	list_for_each(n, &ch->receivers.head) {
		struct thread *r = list_entry(n, struct thread, wait_link);
		if (pulse || !r->ipc.pulse_only)
			return r;
	}
	return 0;
}

void ipc_process_gone(struct process *p)
{
	conn_drop_all(p);
	conn_tell_clients(p);
	for (int c = 0; c < PROC_CHANNELS; c++) {
		spin_lock(&p->lock);
		struct channel *ch = p->chans[c];
		p->chans[c] = 0;
		spin_unlock(&p->lock);
		if (ch)
			chan_close(ch);
	}
}

bool ipc_blocked_on(struct thread *t, struct process *server)
{
	struct channel *ch = *(struct channel *volatile *)&t->ipc.ch;

	if (!ch)
		return false;
	spin_lock(&ch->lock);
	bool on = t->ipc.ch == ch && (t->ipc.state == IPC_SEND || t->ipc.state == IPC_REPLY) &&
		  ch->live && ch->owner == server;
	spin_unlock(&ch->lock);
	return on;
}

/* What a queue link points to, for a report: a thread's link, or one of a
 * channel's queue heads. */
static void describe_link(const char *what, const struct list *n)
{
	const struct thread *t = thread_containing(n);
	uintptr_t a = (uintptr_t)n, base = (uintptr_t)chans;

	if (t)
		kprintf("  %s %p: thread %s tid 0x%x%s, ipc state %u on channel %p\n", what,
			(const void *)n, t->name, t->tid,
			n == &t->ipc.link ? "" : " (not its queue link)", t->ipc.state,
			(void *)t->ipc.ch);
	else if (a >= base && a < base + sizeof chans) {
		const struct channel *ch = &chans[(a - base) / sizeof chans[0]];
		kprintf("  %s %p: channel %p (chid %u, live %d) %s\n", what, (const void *)n,
			(const void *)ch, ch->chid, ch->live,
			n == &ch->senders ? "senders head" : n == &ch->repliers ? "repliers head" :
			"not a queue head");
	} else {
		kprintf("  %s %p: neither a thread nor a channel\n", what, (const void *)n);
	}
}

void ipc_describe_links(const struct thread *t)
{
	describe_link("next", t->ipc.link.next);
	describe_link("prev", t->ipc.link.prev);
}

uint32_t ipc_thread_state(const struct thread *t)
{
	static const uint32_t states[] = {
		[IPC_NONE] = 0, [IPC_SEND] = STATE_SEND, [IPC_REPLY] = STATE_REPLY,
		[IPC_RECEIVE] = STATE_RECEIVE,
	};
	uint32_t s = ((const volatile struct thread *)t)->ipc.state;

	return s < sizeof states / sizeof states[0] ? states[s] : 0;
}

uint32_t ipc_channels_in_use(void)
{
	uint32_t n = 0;

	for (int i = 0; i < CHAN_MAX; i++)
		n += ((volatile struct channel *)&chans[i])->live;
	return n;
}

uint32_t ipc_pulses_queued(void)
{
	uint32_t n = 0;

	for (int i = 0; i < CHAN_MAX; i++) {
		spin_lock(&chans[i].lock);
		if (chans[i].live)
			list_for_each(l, &chans[i].pulses)
				n++;
		spin_unlock(&chans[i].lock);
	}
	return n;
}
