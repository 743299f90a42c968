/* Decoders of the channel and connection calls (ChannelCreate/Destroy,
 * ConnectAttach/Detach/ClientInfo): check the caller's arguments, call the
 * object operation in channel.c or connect.c, copy results out. */
#include <keel/errno.h>
#include <keel/msg.h>
#include "ipc.h"
#include "kcall.h"
#include "process.h"
#include "sched.h"
#include "thread.h"
#include "uaccess.h"

static struct process *self(void)
{
	return thread_current()->proc;
}

long sys_ChannelCreate(long flags)
{
	if ((unsigned long)flags & ~(unsigned long)_NTO_CHF_KNOWN)
		return -EINVAL;         /* a flag this kernel does not have */
	return chan_create(self(), (uint32_t)flags);
}

long sys_ChannelDestroy(long chid)
{
	return chan_destroy(self(), chid);
}

/* ConnectAttach(nd, pid, chid, index, flags): a connection to channel chid
 * of process pid (0: the caller). */
long sys_ConnectAttach(long nd, long pid, long chid, long index, long flags)
{
	struct process *p = self();

	if (nd != ND_LOCAL_NODE)
		return -EINVAL;
	struct process *server = pid == 0 || (uint32_t)pid == p->pid ? p :
				 pid > 0 ? process_by_pid((uint32_t)pid) : 0;
	if (!server)
		return -ESRCH;
	struct channel *ch = chan_of(server, chid);
	if (!ch)
		return -ESRCH;
	/* The generation the connection keeps is read under the channel's
	 * lock, with the channel still server's chid: read without it, it
	 * could be that of the object's next channel, another process's.
	 * server's slot may hold another process since the lookup, with a
	 * channel of the same chid: its pid tells.  A live channel's owner
	 * keeps its slot while the lock is held (it closes the channel, under
	 * this lock, before it ends), so the pid read here is the owner's. */
	uint32_t want = pid ? (uint32_t)pid : p->pid;
	spin_lock(&ch->lock);
	bool same = ch->live && ch->owner == server && ch->chid == (uint32_t)chid &&
		    __atomic_load_n(&server->pid, __ATOMIC_RELAXED) == want;
	uint32_t gen = ch->gen;
	spin_unlock(&ch->lock);
	if (!same)
		return -ESRCH;
	return conn_attach(p, ch, gen, index & _NTO_SIDE_CHANNEL);
}

long sys_ConnectDetach(long coid)
{
	int r = conn_detach(self(), coid);

	if (r == 0)
		sched_preempt_if_needed();
	return r;
}

/* ConnectClientInfo(scoid, struct _client_info *, ngroups): the process
 * named by scoid (a pid in Keel; -1 is the caller).  A server may ask about
 * its clients only: a process holding a connection to one of the caller's
 * channels (ESRCH for any other, and for one that has ended).  The tid is
 * the caller's own for itself, 0 for a client (which thread is not known
 * here: MsgReceive's info has it). */
long sys_ConnectClientInfo(long scoid, long uinfo, long ngroups)
{
	struct process *me = self(), *p = me;
	struct _client_info ci;

	if (scoid != -1 && (uint32_t)scoid != me->pid) {
		p = scoid > 0 && scoid <= INT32_MAX ? process_by_pid((uint32_t)scoid) : 0;
		/* The check and the read in one hold of p's lock: p's slot
		 * may go to another process between two. */
		if (!p || !conn_client_of(p, (uint32_t)scoid, me, &ci))
			return -ESRCH;
	} else {
		conn_client_info(p, thread_current(), &ci);
	}
	return copy_to_user((uintptr_t)uinfo, &ci, sizeof ci);
}

/* ConnectClientOf(scoid, chid): does process scoid (-1: the caller) hold a
 * connection to the caller's channel chid?  0, or -ENOTCONN; -ESRCH for no
 * such process, -EINVAL for no such channel of the caller's.  A server of
 * several channels hears DISCONNECT per channel, and must not take a
 * client's connection to another of them for one to this. */
long sys_ConnectClientOf(long scoid, long chid)
{
	struct process *me = self(), *p = me;
	struct channel *ch = chan_of(me, chid);

	if (!ch)
		return -EINVAL;
	uint32_t pid = me->pid;
	if (scoid != -1) {
		p = scoid > 0 && scoid <= INT32_MAX ? process_by_pid((uint32_t)scoid) : 0;
		if (!p)
			return -ESRCH;
		pid = (uint32_t)scoid;
	}
	return conn_holds(p, pid, ch) ? 0 : -ENOTCONN;
}
