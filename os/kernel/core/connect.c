/* Connections: a process's handles on channels, by coid.  A connection
 * keeps the channel's generation, so it goes dead (EBADF) when its channel
 * is destroyed, even if the channel object is reused.  See ipc.h. */
#include <keel/errno.h>
#include <keel/msg.h>
#include <keel/signal.h>
#include "ipc.h"
#include "ipc_fast.h"
#include "kstring.h"
#include "process.h"
#include "spinlock.h"
#include "thread.h"

/* p's vector is one page allocated at its first attach (process.h):
 * ordinary coids fill it from the bottom, side ones from the top. */
long conn_attach(struct process *p, struct channel *ch, uint32_t gen, bool side)
{
	long flag = side ? _NTO_SIDE_CHANNEL : 0;

	if (proc_conns_alloc(p))
		return -ENOMEM;
	spin_lock(&p->lock);
	for (long c = 0; c < PROC_CONNECTIONS; c++) {
		struct connection *cn = &p->conns[proc_conn_slot(c | flag)];
		if (!cn->ch) {
			*cn = (struct connection){ ch, gen };
			spin_unlock(&p->lock);
			return c | flag;
		}
	}
	spin_unlock(&p->lock);
	return -EAGAIN;
}

static int conn_index(long coid)
{
	return proc_conn_slot(coid);
}

/* Clear connection c of p; *cn is what it was.  True if it was p's last
 * connection to that channel (the same generation of it): the decision is
 * made under p's lock, so of two threads detaching p's last two
 * connections at once exactly one sees the last. */
static bool conn_drop(struct process *p, int c, struct connection *cn)
{
	spin_lock(&p->lock);
	if (!p->conns) {                        /* never attached anything */
		spin_unlock(&p->lock);
		cn->ch = 0;
		return false;
	}
	*cn = p->conns[c];
	p->conns[c].ch = 0;
	bool last = cn->ch != 0;
	for (int i = 0; last && i < PROC_CONNECTIONS; i++)
		if (p->conns[i].ch == cn->ch && p->conns[i].gen == cn->gen)
			last = false;
	spin_unlock(&p->lock);
	return last;
}

/* Client process p has no connection to cn's channel any more: its server
 * hears DISCONNECT if it asked, unless the channel went away meanwhile (or,
 * with skip_own, the channel is p's own and closes with it). */
static void disconnect_pulse(struct process *p, struct connection cn, bool skip_own)
{
	struct channel *ch = cn.ch;

	spin_lock(&ch->lock);
	if (ch->live && ch->gen == cn.gen && (ch->flags & _NTO_CHF_DISCONNECT) &&
	    !(skip_own && ch->owner == p))
		pulse_queue(ch, PRIO_MAX, _PULSE_CODE_DISCONNECT, 0, (int)p->pid);
	spin_unlock(&ch->lock);
}

/* The server hears DISCONNECT when p drops its last connection to the
 * channel (QNX: per client process, not per connection). */
int conn_detach(struct process *p, long coid)
{
	struct connection cn;
	int c = conn_index(coid);

	if (c < 0)
		return -EINVAL;
	bool last = conn_drop(p, c, &cn);
	if (!cn.ch)
		return -EINVAL;
	if (last)
		disconnect_pulse(p, cn, false);
	return 0;
}

struct channel *conn_channel_locked(struct process *p, uint32_t pid, long coid)
{
	int c = conn_index(coid);

	/* The connection is read as p's, pid's: its slot may hold another
	 * process since the caller looked it up.  The channel is checked
	 * by its generation, under its own lock, once p's is dropped. */
	if (c < 0 || !process_lock_live(p, pid))
		return 0;
	struct connection cn = p->conns ? p->conns[c] : (struct connection){ 0, 0 };
	spin_unlock(&p->lock);
	if (!cn.ch)
		return 0;
	spin_lock(&cn.ch->lock);
	if (!cn.ch->live || cn.ch->gen != cn.gen) {
		spin_unlock(&cn.ch->lock);
		return 0;
	}
	return cn.ch;
}

struct channel *conn_channel_locked_own(struct process *p, long coid)
{
	uint32_t gen;
	struct channel *ch = conn_own_peek(p, coid, &gen);

	if (!ch)
		return 0;
	spin_lock(&ch->lock);
	if (!ch->live || ch->gen != gen) {
		spin_unlock(&ch->lock);
		return 0;
	}
	return ch;
}

/* As each connection goes, the last one to a channel tells its server. */
void conn_drop_all(struct process *p)
{
	struct connection cn;

	/* Only p's own threads attach in p, and they are gone: an empty slot
	 * stays empty, and is passed over without the lock. */
	for (int c = 0; p->conns && c < PROC_CONNECTIONS; c++)
		if (__atomic_load_n(&p->conns[c].ch, __ATOMIC_RELAXED) && conn_drop(p, c, &cn))
			disconnect_pulse(p, cn, true);
}

/* A pulse on ch if it is still a channel of q, process pid, that asked
 * (flag): it may have been destroyed since it was read from q's vector,
 * the object reused by another process, or q's slot gone to another.  A
 * live channel's owner keeps its slot while ch's lock is held (it closes
 * its channels, under their locks, before it ends): its pid is read here. */
static void pulse_once(struct channel *ch, struct process *q, uint32_t pid, unsigned flag,
		       int code, long value, int scoid)
{
	spin_lock(&ch->lock);
	if (ch->live && ch->owner == q && __atomic_load_n(&q->pid, __ATOMIC_RELAXED) == pid &&
	    (ch->flags & flag))
		pulse_queue(ch, PRIO_MAX, code, value, scoid);
	spin_unlock(&ch->lock);
}

/* The first channel of q that asked for COIDDEATH, or NULL; q's pid in
 * *pid (read in the same hold, for the checks that follow). */
static struct channel *coiddeath_channel(struct process *q, uint32_t *pid)
{
	struct channel *note = 0;

	spin_lock(&q->lock);
	*pid = q->ended ? 0 : q->pid;
	for (int c = 0; c < PROC_CHANNELS && *pid && !note; c++)
		if (q->chans[c] && (q->chans[c]->flags & _NTO_CHF_COID_DISCONNECT))
			note = q->chans[c];
	spin_unlock(&q->lock);
	return note;
}

/* Whether p has a channel (no new one comes: p's threads are gone). */
static bool has_channels(struct process *p)
{
	bool any = false;

	spin_lock(&p->lock);
	for (int c = 0; c < PROC_CHANNELS && !any; c++)
		any = p->chans[c] != 0;
	spin_unlock(&p->lock);
	return any;
}

void conn_tell_clients(struct process *p)
{
	if (!has_channels(p))
		return;                 /* nobody can be connected to it */
	for (int i = 0; i < process_slots(); i++) {
		struct process *q = process_at(i);
		if (!q || q == p)
			continue;
		uint32_t qpid;
		struct channel *note = coiddeath_channel(q, &qpid);
		/* q's connections are read as qpid's: its slot may go to
		 * another process during the walk. */
		for (int c = 0; note && c < PROC_CONNECTIONS && process_lock_live(q, qpid); c++) {
			struct connection cn = q->conns ? q->conns[c] : (struct connection){ 0, 0 };
			spin_unlock(&q->lock);
			if (cn.ch && cn.ch->owner == p && cn.ch->live && cn.ch->gen == cn.gen)
				pulse_once(note, q, qpid, _NTO_CHF_COID_DISCONNECT,
					   _PULSE_CODE_COIDDEATH, proc_conn_coid(c), 0);
		}
	}
}

/* What ConnectClientInfo reports for thread t (or 0) of p.  p->lock held. */
static void client_info_locked(struct process *p, struct thread *t, struct _client_info *ci)
{
	memset(ci, 0, sizeof *ci);
	ci->pid = (int32_t)p->pid;
	ci->tid = t ? (int32_t)t->tid : 0;
	ci->cred = p->cred;
	ci->sid = p->sid;
	ci->pgid = p->pgid;
	if (p->sig_act[SIGTTOU - 1].handler == (uint64_t)(uintptr_t)SIG_IGN)
		ci->flags |= _NTO_CI_TTOU_IGNORED;
}

bool conn_client_of(struct process *p, uint32_t pid, struct process *server,
		    struct _client_info *ci)
{
	bool yes = false;

	if (!process_lock_live(p, pid))
		return false;
	if (p->conns)
		for (int c = 0; c < PROC_CONNECTIONS && !yes; c++) {
			struct channel *ch = p->conns[c].ch;
			/* Channels live in a pool and are never freed: a stale
			 * connection shows as a generation mismatch. */
			yes = ch && __atomic_load_n(&ch->owner, __ATOMIC_RELAXED) == server &&
			      __atomic_load_n(&ch->gen, __ATOMIC_RELAXED) == p->conns[c].gen;
		}
	if (yes && ci)
		client_info_locked(p, 0, ci);
	spin_unlock(&p->lock);
	return yes;
}

bool conn_holds(struct process *p, uint32_t pid, const struct channel *ch)
{
	bool yes = false;

	if (!process_lock_live(p, pid))
		return false;
	uint32_t gen = __atomic_load_n(&ch->gen, __ATOMIC_RELAXED);
	for (int c = 0; p->conns && c < PROC_CONNECTIONS && !yes; c++)
		yes = p->conns[c].ch == ch && p->conns[c].gen == gen;
	spin_unlock(&p->lock);
	return yes;
}

void conn_client_info(struct process *p, struct thread *t, struct _client_info *ci)
{
	spin_lock(&p->lock);
	client_info_locked(p, t, ci);
	spin_unlock(&p->lock);
}
