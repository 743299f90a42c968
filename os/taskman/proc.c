/* The process table: parents, groups, sessions, zombies and waits.
 *
 * Every process taskman starts is the kernel's child of taskman, so the
 * kernel reports every end to taskman's reaper thread (ProcessWait -1).
 * POSIX parentage lives here: ppid names the parent that waits, an orphan
 * goes to the first program (init) while it lives and to taskman after,
 * and taskman reaps its own zombies at once.  A wait that finds nothing to
 * report parks its rcvid in `waits` until a child of the waiter changes
 * state, the waiter is unblocked (a signal: EINTR) or it dies.
 *
 * Locking: everything here is under tm_lock. */
#include <keel/errno.h>
#include <keel/procmgr.h>
#include <keel/signal.h>
#include <keel/kcall.h>
#include "taskman.h"

#define WAITS_MAX 256
#define WAITS_PER_PROCESS 64    /* so one process cannot take them all */
/* Groups one process's end is checked for orphaning: its own and its
 * children's (a parent of more children in more groups than this: the
 * first ones'). */
#define TIES_MAX 64

static struct tproc procs[TM_PROCS];
/* Slots at and past it are free (tm_lock): the walks stop there, since
 * new processes take the lowest free slot (each walk over all 1,024 slots
 * cost about 10,000 instructions, several times per spawn). */
static int procs_top;
int32_t tm_init_pid;

/* A parked wait. */
struct pwait {
	int rcvid;                      /* 0: free slot */
	int32_t pid;                    /* the waiter */
	int32_t idtype, id;
	uint32_t options;
};
static struct pwait waits[WAITS_MAX];

/* Kernel children not yet reported by ProcessWait: the reaper sleeps on
 * kids_cv while there are none (ProcessWait would say ECHILD at once). */
static int kids;
static sync_t kids_cv;
extern sync_t tm_mutex;

struct tproc *proc_find(int32_t pid)
{
	if (pid <= 0)
		return 0;
	for (int i = 0; i < procs_top; i++)
		if (procs[i].state != TP_FREE && procs[i].pid == pid)
			return &procs[i];
	return 0;
}

struct tproc *proc_new(const struct tproc *parent)
{
	for (int i = 0; i < TM_PROCS; i++) {
		struct tproc *p = &procs[i];
		if (p->state != TP_FREE)
			continue;
		*p = (struct tproc){ .state = TP_LOADING };
		if (i >= procs_top)
			procs_top = i + 1;
		if (parent) {
			p->inheriting = true;   /* until _PROC_FORKED or an exec */
			p->ppid = parent->pid;
			p->pgid = parent->pgid;
			p->sid = parent->sid;
			p->cred = parent->cred;
			p->privs = parent->privs;       /* fork's; a spawn sets its own */
			memcpy(p->grants, parent->grants, sizeof p->grants);   /* as AsClone */
			p->ngrants = parent->ngrants;
			p->mmap_next = parent->mmap_next;       /* fork's: the same mappings */
			memcpy(p->rlim_cur, parent->rlim_cur, sizeof p->rlim_cur);
			memcpy(p->rlim_max, parent->rlim_max, sizeof p->rlim_max);
		}
		return p;
	}
	return 0;
}

void proc_free(struct tproc *p)
{
	p->state = TP_FREE;
	while (procs_top && procs[procs_top - 1].state == TP_FREE)
		procs_top--;
	p->pid = 0;
}

int proc_count_uid(uint32_t ruid)
{
	int n = 0;

	for (int i = 0; i < procs_top; i++)
		if ((procs[i].state == TP_ALIVE || procs[i].state == TP_LOADING) &&
		    procs[i].cred.ruid == ruid)
			n++;
	return n;
}

/* taskman's own entry (pid 1), the ancestor of everything. */
void proc_init_self(int32_t pid)
{
	struct tproc *p = proc_new(0);

	p->pid = p->pgid = p->sid = pid;
	p->state = TP_ALIVE;
	p->privs = KCALL_PRIV_IO | KCALL_PRIV_PROCMGR;
	for (int r = 0; r < _PROC_RLIMIT_COUNT; r++)
		p->rlim_cur[r] = p->rlim_max[r] = _PROC_RLIM_INFINITY;
	p->rlim_cur[_PROC_RLIMIT_NOFILE] = p->rlim_max[_PROC_RLIMIT_NOFILE] = 256;
	p->rlim_cur[_PROC_RLIMIT_STACK] = 128 * 1024;
	p->rlim_cur[_PROC_RLIMIT_CORE] = p->rlim_max[_PROC_RLIMIT_CORE] = 0;
	tm_strlcpy(p->name, "taskman", sizeof p->name);
}

/* A process taskman started with ProcessStart: the reaper has one more
 * kernel child to wait for. */
void proc_kid_started(void)
{
	if (kids++ == 0)
		SyncCondvarSignal_r(&kids_cv, 1);
}

/* ---- waits --------------------------------------------------------------------- */

static bool wait_matches(const struct pwait *w, const struct tproc *c)
{
	if (c->ppid != w->pid)
		return false;
	switch (w->idtype) {
	case _PROC_P_ALL:
		return true;
	case _PROC_P_PID:
		return c->pid == w->id;
	default:
		return c->pgid == w->id;
	}
}

/* What a child has to report to a wait with these options: true with *r
 * filled for a zombie (WEXITED), an unreported stop (WUNTRACED) or
 * continue (WCONTINUED). */
static bool reportable(const struct tproc *c, uint32_t options, struct _proc_wait_reply *r)
{
	*r = (struct _proc_wait_reply){ .pid = c->pid, .uid = c->cred.ruid };
	if (c->state == TP_ZOMBIE && (options & _PROC_WEXITED)) {
		r->status = c->wstatus;
		r->code = c->code;
		r->signo = c->signo;
		return true;
	}
	if (c->state != TP_ALIVE)
		return false;
	/* A stop is told only while the child is still stopped (continued
	 * since, its continue report is on the reaper's way). */
	if (c->news == CLD_STOPPED && (options & _PROC_WUNTRACED) &&
	    ProcessWait_r(c->pid, NULL, _PROC_WAIT_STOPPED_NOW) == c->pid) {
		r->status = _PROC_W_STOPPED(c->stopsig);
		r->code = CLD_STOPPED;
		r->signo = c->stopsig;
		return true;
	}
	if (c->news == CLD_CONTINUED && (options & _PROC_WCONTINUED)) {
		r->status = _PROC_W_CONTINUED;
		r->code = CLD_CONTINUED;
		r->signo = SIGCONT;
		return true;
	}
	return false;
}

/* The report r of c was taken by a wait (not WNOWAIT): a zombie goes, a
 * stop or continue is not reported again. */
static void consumed(struct tproc *c)
{
	if (c->state == TP_ZOMBIE)
		proc_free(c);
	else
		c->news = 0;
}

static int reply_wait(int rcvid, const struct _proc_wait_reply *r)
{
	return MsgReply_r(rcvid, 0, r, sizeof *r);
}

/* A child changed state: answer the first parked wait that takes it.  A
 * zombie whose report is consumed is freed.  A wait whose thread is gone
 * (its unblock pulse not handled yet) takes nothing: the report stays for
 * the next wait. */
static void wake_waiters(struct tproc *c)
{
	for (int i = 0; i < WAITS_MAX; i++) {
		struct pwait *w = &waits[i];
		struct _proc_wait_reply r;
		if (!w->rcvid || !wait_matches(w, c) || !reportable(c, w->options, &r))
			continue;
		int gone = reply_wait(w->rcvid, &r) < 0;
		bool keep = gone || (w->options & _PROC_WNOWAIT);
		w->rcvid = 0;
		if (!keep) {
			consumed(c);
			return;
		}
	}
}

/* The waiter has no child left that could ever match: ECHILD for its parked
 * waits that can no longer be satisfied. */
static void recheck_waits_of(int32_t pid)
{
	for (int i = 0; i < WAITS_MAX; i++) {
		struct pwait *w = &waits[i];
		bool any = false;
		if (!w->rcvid || w->pid != pid)
			continue;
		for (int k = 0; k < procs_top && !any; k++)
			any = procs[k].state != TP_FREE && wait_matches(w, &procs[k]);
		if (!any) {
			tm_error(w->rcvid, ECHILD);
			w->rcvid = 0;
		}
	}
}

static bool valid_wait(const struct _proc_wait *m)
{
	const uint32_t known = _PROC_WNOHANG | _PROC_WUNTRACED | _PROC_WCONTINUED |
			       _PROC_WEXITED | _PROC_WNOWAIT;

	if (m->options & ~known)
		return false;
	if (!(m->options & (_PROC_WEXITED | _PROC_WUNTRACED | _PROC_WCONTINUED)))
		return false;
	return m->idtype == _PROC_P_ALL || m->idtype == _PROC_P_PID || m->idtype == _PROC_P_PGID;
}

void proc_msg_wait(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_wait *m = msg;
	struct _proc_wait_reply r;

	if (len < sizeof *m || !valid_wait(m))
		return tm_error(rcvid, EINVAL);
	tm_lock();
	struct tproc *me = proc_find(info->pid);
	struct pwait w = { .rcvid = rcvid, .pid = info->pid, .idtype = m->idtype, .id = m->id,
			   .options = m->options };
	if (w.idtype == _PROC_P_PGID && w.id == 0 && me)
		w.id = me->pgid;
	bool any = false;
	for (int i = 0; i < procs_top; i++) {
		struct tproc *c = &procs[i];
		if (c->state == TP_FREE || !wait_matches(&w, c))
			continue;
		any = true;
		if (reportable(c, w.options, &r)) {
			/* (a client gone meanwhile takes nothing) */
			if (reply_wait(rcvid, &r) == 0 && !(w.options & _PROC_WNOWAIT))
				consumed(c);
			tm_unlock();
			return;
		}
	}
	if (!any) {
		tm_unlock();
		return tm_error(rcvid, ECHILD);
	}
	if (w.options & _PROC_WNOHANG) {
		tm_unlock();
		r = (struct _proc_wait_reply){ 0 };
		reply_wait(rcvid, &r);
		return;
	}
	int mine = 0, free_slot = -1;
	for (int i = 0; i < WAITS_MAX; i++) {
		if (!waits[i].rcvid && free_slot < 0)
			free_slot = i;
		mine += waits[i].rcvid && waits[i].pid == info->pid;
	}
	if (free_slot >= 0 && mine < WAITS_PER_PROCESS) {
		waits[free_slot] = w;
		tm_unlock();
		return;                         /* replied when a child changes state */
	}
	tm_unlock();
	tm_error(rcvid, EAGAIN);
}

/* The pulse may be stale: the wait it was for answered meanwhile (by the
 * reaper), and rcvid (the client thread) waiting again since.  Only a wait
 * whose client still asks to be unblocked is the pulse's. */
void proc_unblock(int rcvid)
{
	struct _msg_info info;

	tm_lock();
	for (int i = 0; i < WAITS_MAX; i++)
		if (waits[i].rcvid == rcvid) {
			if (MsgInfo_r(rcvid, &info) == 0 && !(info.flags & _NTO_MI_UNBLOCK_REQ))
				break;
			waits[i].rcvid = 0;
			tm_error(rcvid, EINTR);
		}
	tm_unlock();
}

/* ---- ends ---------------------------------------------------------------------- */

static void settle_status(struct tproc *p, const struct _proc_exit *ex)
{
	if (ex->how == _PROC_KILLED) {
		p->signo = ex->status;          /* the signal */
		p->code = _PROC_CLD_KILLED;
		p->wstatus = _PROC_W_SIGNALED(p->signo);
	} else {
		p->signo = ex->status & 0xff;
		p->code = _PROC_CLD_EXITED;
		p->wstatus = _PROC_W_EXITCODE(ex->status);
	}
}

/* Its children go to init (or to taskman, which frees their zombies). */
static void reparent_children(int32_t pid)
{
	struct tproc *init = proc_find(tm_init_pid);
	int32_t heir = init && init->state == TP_ALIVE && tm_init_pid != pid ? tm_init_pid : 1;

	for (int i = 0; i < procs_top; i++) {
		struct tproc *c = &procs[i];
		if (c->state == TP_FREE || c->ppid != pid)
			continue;
		c->ppid = heir;
		if (c->state == TP_ZOMBIE && heir == 1)
			proc_free(c);
		else if (c->state == TP_ZOMBIE)
			wake_waiters(c);
	}
}

/* The first program's end is the system's: taskman reports it and ends
 * with its status, and the kernel powers off. */
static void __attribute__((noreturn)) init_ended(const struct tproc *p, const struct _proc_exit *ex)
{
	if (ex->how == _PROC_KILLED)
		printf("taskman: init %s (pid %d) killed by signal %d\n", p->name, p->pid, p->signo);
	else
		printf("taskman: init %s (pid %d) exited with status %d\n", p->name, p->pid,
		       ex->status);
	ProcessExit(ex->how == _PROC_KILLED ? -1 : ex->status);
}

/* SIGCHLD to parent ppid (not to taskman) about child pid; status is the
 * exit code or the signal (the kernel makes si_pid and si_status of it).
 * Sent after the parent's waits were answered: a waitpid that was waiting
 * for the child returns its status, and the handler runs as it returns (sent
 * first, the signal broke the wait with EINTR, and the status waited for the
 * next waitpid). */
static void tell_parent(int32_t ppid, int32_t pid, int code, int status)
{
	intptr_t value = (intptr_t)(((uint64_t)(uint32_t)status << 32) | (uint32_t)pid);

	if (ppid > 1)
		SignalKill_r(ppid, 0, SIGCHLD, code, value);
}

static bool group_orphaned(int32_t pgid, int32_t sid);

/* The groups whose tie to job control runs through process p (its own,
 * and each child's): where p's end can orphan a group.  Up to max, with
 * each one's orphaned state while p lives. */
struct tie {
	int32_t pgid, sid;
	bool orphaned;
};

static unsigned groups_tied_to(const struct tproc *p, struct tie *out, unsigned max)
{
	unsigned n = 0;

	for (int i = -1; i < procs_top && n < max; i++) {
		const struct tproc *q = i < 0 ? p : &procs[i];
		if (i >= 0 && ((q->state != TP_ALIVE && q->state != TP_LOADING) || q->ppid != p->pid))
			continue;
		bool seen = false;
		for (unsigned k = 0; k < n && !seen; k++)
			seen = out[k].pgid == q->pgid;
		if (!seen)
			out[n++] = (struct tie){ q->pgid, q->sid, group_orphaned(q->pgid, q->sid) };
	}
	return n;
}

/* POSIX _exit: a process group that p's end orphaned, and that has a
 * stopped member, gets SIGHUP and then SIGCONT (nobody is left to continue
 * it under job control: its jobs would stay stopped for good). */
static void hang_up_orphaned(const struct tie *ties, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		if (ties[k].orphaned || !group_orphaned(ties[k].pgid, ties[k].sid))
			continue;
		bool stopped = false;
		/* The kernel's word on who is stopped now: its stop reports
		 * reach the reaper in its own order, possibly after this end. */
		for (int i = 0; i < procs_top && !stopped; i++)
			stopped = procs[i].state == TP_ALIVE && procs[i].pgid == ties[k].pgid &&
				  ProcessWait_r(procs[i].pid, NULL, _PROC_WAIT_STOPPED_NOW) ==
				  procs[i].pid;
		for (int i = 0; stopped && i < procs_top; i++) {
			if (procs[i].state != TP_ALIVE || procs[i].pgid != ties[k].pgid)
				continue;
			SignalKill_r(procs[i].pid, 0, SIGHUP, SI_USER, 0);
			SignalKill_r(procs[i].pid, 0, SIGCONT, SI_USER, 0);
		}
	}
}

/* A child stopped or continued: reported to WUNTRACED / WCONTINUED waits. */
static void process_stopped(const struct _proc_exit *ex)
{
	struct tproc *p = proc_find(ex->pid);

	if (!p || p->state != TP_ALIVE)
		return;
	p->news = ex->how == _PROC_STOPPED ? CLD_STOPPED : CLD_CONTINUED;
	p->stopsig = ex->status;
	int code = p->news;
	wake_waiters(p);
	tell_parent(p->ppid, p->pid, code, p->stopsig);
}

static void process_ended(const struct _proc_exit *ex)
{
	struct tproc *p = proc_find(ex->pid);

	if (ex->how == _PROC_STOPPED || ex->how == _PROC_CONTINUED)
		return process_stopped(ex);
	kids--;
	if (!p) {
		printf("taskman: pid %d ended but was never in the table\n", ex->pid);
		return;
	}
	settle_status(p, ex);
	fork_release(p);                /* a child that died before _PROC_FORKED */
	if (p->pid == tm_init_pid)
		init_ended(p, ex);
	struct tie ties[TIES_MAX];
	unsigned nties = groups_tied_to(p, ties, TIES_MAX);
	p->state = TP_ZOMBIE;
	path_ctty_ended(p);
	path_process_gone(p->pid);
	mem_process_gone(p->pid);
	for (int i = 0; i < WAITS_MAX; i++)
		if (waits[i].rcvid && waits[i].pid == p->pid)
			waits[i].rcvid = 0;     /* its rcvids died with it */
	reparent_children(p->pid);
	hang_up_orphaned(ties, nties);
	int32_t parent = p->ppid;
	if (parent == 1 || p->nozombie) {
		proc_free(p);
	} else {
		int32_t pid = p->pid;
		int code = p->code, signo = p->signo;
		wake_waiters(p);                /* may free p */
		tell_parent(parent, pid, code, signo);
	}
	recheck_waits_of(parent);
}

void *proc_reaper(void *arg)
{
	(void)arg;
	for (;;) {
		struct _proc_exit ex;
		tm_lock();
		while (kids == 0)
			SyncCondvarWait_r(&kids_cv, &tm_mutex);
		tm_unlock();
		int pid = ProcessWait_r(-1, &ex, _PROC_WAIT_STOPPED | _PROC_WAIT_CONTINUED);
		if (pid < 0) {
			printf("taskman: ProcessWait: error %d\n", pid);
			continue;
		}
		tm_lock();
		process_ended(&ex);
		tm_unlock();
	}
	return 0;
}

/* ---- ids, groups, sessions ---------------------------------------------------------- */

void proc_sync_group(const struct tproc *p)
{
	int r = ProcessSetGroup_r(p->pid, p->pgid, p->sid);

	if (r < 0 && r != -ESRCH)
		printf("taskman: ProcessSetGroup(%d): error %d\n", p->pid, r);
}

/* POSIX's orphaned process group: no member has a parent in another group
 * of the same session (one that could continue it under job control). */
static bool group_orphaned(int32_t pgid, int32_t sid)
{
	for (int i = 0; i < procs_top; i++) {
		const struct tproc *q = &procs[i];
		if ((q->state != TP_ALIVE && q->state != TP_LOADING) || q->pgid != pgid)
			continue;
		const struct tproc *parent = proc_find(q->ppid);
		if (parent && (parent->state == TP_ALIVE || parent->state == TP_LOADING) &&
		    parent->pgid != pgid && parent->sid == sid)
			return false;
	}
	return true;
}

void proc_msg_getids(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_ids_req *m = msg;

	if (len < sizeof *m)
		return tm_error(rcvid, EINVAL);
	if (m->hdr.subtype == _PROC_GETIDS_GROUP) {
		const struct _proc_group_req *g = msg;
		tm_lock();
		bool in = g->pgid > 0 && g->sid > 0 && group_in_session(g->pgid, g->sid);
		tm_unlock();
		MsgReply_r(rcvid, in, NULL, 0);
		return;
	}
	tm_lock();
	struct tproc *p = proc_find(m->pid ? m->pid : info->pid);
	if (!p || p->state == TP_FREE) {
		tm_unlock();
		return tm_error(rcvid, ESRCH);
	}
	if (m->hdr.subtype == _PROC_GETIDS_ORPHANED) {
		bool orphaned = group_orphaned(p->pgid, p->sid);
		tm_unlock();
		MsgReply_r(rcvid, orphaned, NULL, 0);
		return;
	}
	if (m->hdr.subtype) {
		tm_unlock();
		return tm_error(rcvid, EINVAL);
	}
	struct _proc_ids r = { p->pid, p->ppid, p->pgid, p->sid,
			       p->inheriting ? _PROC_IDS_INHERITING : 0, 0 };
	tm_unlock();
	MsgReply_r(rcvid, 0, &r, sizeof r);
}

bool group_in_session(int32_t pgid, int32_t sid)
{
	for (int i = 0; i < procs_top; i++)
		if ((procs[i].state == TP_ALIVE || procs[i].state == TP_LOADING) &&
		    procs[i].pgid == pgid && procs[i].sid == sid)
			return true;
	return false;
}

/* setpgid's rules (POSIX.1-2017 setpgid()): 0 or an errno. */
static int setpgid_locked(int32_t caller, int32_t pid, int32_t pgid)
{
	struct tproc *me = proc_find(caller);
	struct tproc *t = proc_find(pid ? pid : caller);

	if (pgid < 0)
		return EINVAL;
	if (!me || !t || t->state == TP_ZOMBIE || (t != me && t->ppid != caller))
		return ESRCH;
	if (t != me && t->execed)
		return EACCES;
	if (t->sid != me->sid || t->sid == t->pid)
		return EPERM;           /* another session, or a session leader */
	if (!pgid)
		pgid = t->pid;
	if (pgid != t->pid && !group_in_session(pgid, me->sid))
		return EPERM;
	t->pgid = pgid;
	proc_sync_group(t);
	return 0;
}

void proc_msg_setpgid(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_setpgid *m = msg;

	if (len < sizeof *m)
		return tm_error(rcvid, EINVAL);
	tm_lock();
	int err = setpgid_locked(info->pid, m->pid, m->pgid);
	tm_unlock();
	if (err)
		return tm_error(rcvid, err);
	MsgReply_r(rcvid, 0, 0, 0);
}

/* setsid's rules: EPERM for a process group leader (its pid names a group). */
struct tproc *proc_ctty_holder(const char *path, int32_t except)
{
	for (int i = 0; i < procs_top; i++) {
		struct tproc *p = &procs[i];
		if (p->state == TP_ALIVE && p->pid != except && p->sid == p->pid && p->ctty[0] &&
		    !strcmp(p->ctty, path))
			return p;
	}
	return 0;
}

int proc_setsid_locked(struct tproc *p)
{
	for (int i = 0; i < procs_top; i++)
		if (procs[i].state != TP_FREE && procs[i].state != TP_ZOMBIE &&
		    procs[i].pgid == p->pid)
			return -EPERM;
	p->sid = p->pgid = p->pid;
	p->ctty[0] = 0;                 /* a new session has no terminal */
	proc_sync_group(p);
	return p->sid;
}

void proc_msg_setsid(int rcvid, const struct _msg_info *info)
{
	tm_lock();
	struct tproc *p = proc_find(info->pid);
	int r = p ? proc_setsid_locked(p) : -ESRCH;
	tm_unlock();
	if (r < 0)
		return tm_error(rcvid, -r);
	MsgReply_r(rcvid, r, 0, 0);
}

void proc_msg_rlimit(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_rlimit *m = msg;
	struct _proc_rlimit r;

	if (len < sizeof *m || m->resource < 0 || m->resource >= _PROC_RLIMIT_COUNT ||
	    m->hdr.subtype > 1)
		return tm_error(rcvid, EINVAL);
	tm_lock();
	struct tproc *p = proc_find(info->pid);
	int err = p ? 0 : ESRCH;
	if (!err && m->hdr.subtype == 1) {
		if (m->cur > m->max)
			err = EINVAL;
		else if (m->max > p->rlim_max[m->resource] && p->cred.euid != 0)
			err = EPERM;
		else {
			p->rlim_cur[m->resource] = m->cur;
			p->rlim_max[m->resource] = m->max;
		}
	}
	if (!err) {
		r = *m;
		r.cur = p->rlim_cur[m->resource];
		r.max = p->rlim_max[m->resource];
	}
	tm_unlock();
	if (err)
		return tm_error(rcvid, err);
	MsgReply_r(rcvid, 0, &r, sizeof r);
}

/* procmgr_daemon: the parent no longer waits for the caller (it becomes
 * taskman's child, reaped at its end), and the parent's waits see it go. */
void proc_msg_daemon(int rcvid, const struct _msg_info *info)
{
	tm_lock();
	struct tproc *p = proc_find(info->pid);
	if (!p) {
		tm_unlock();
		return tm_error(rcvid, ESRCH);
	}
	int32_t parent = p->ppid;
	p->ppid = 1;
	recheck_waits_of(parent);
	tm_unlock();
	MsgReply_r(rcvid, 0, 0, 0);
}

/* _PROC_SYSRESET: root ends the machine (after init has stopped everything). */
void proc_msg_sysreset(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_hdr *h = msg;
	char name[TM_NAME];

	if (len != sizeof *h || (h->subtype != _PROC_SYSRESET_REBOOT &&
				 h->subtype != _PROC_SYSRESET_POWEROFF))
		return tm_error(rcvid, EINVAL);
	tm_lock();
	struct tproc *p = proc_find(info->pid);
	bool root = p && p->cred.euid == 0;
	if (p)
		memcpy(name, p->name, sizeof name);
	tm_unlock();
	if (!p)
		return tm_error(rcvid, ESRCH);
	if (!root)
		return tm_error(rcvid, EPERM);
	printf("taskman: %s asked by %s (pid %d)\n",
	       h->subtype == _PROC_SYSRESET_REBOOT ? "reboot" : "power-off", name, info->pid);
	int r = SystemReset_r(h->subtype == _PROC_SYSRESET_REBOOT ? _SYSRESET_REBOOT
								   : _SYSRESET_POWEROFF);
	tm_error(rcvid, -r);
}

static bool next_pid(int32_t after, int32_t *pid)
{
	int32_t best = 0;

	for (int i = 0; i < procs_top; i++)
		if (procs[i].state != TP_FREE && procs[i].pid > after &&
		    (!best || procs[i].pid < best))
			best = procs[i].pid;
	*pid = best;
	return best != 0;
}

void proc_msg_info(int rcvid, const struct _msg_info *info, const void *msg, size_t len)
{
	const struct _proc_info_req *m = msg;
	int32_t pid = m->pid;

	if (len < sizeof *m || m->hdr.subtype > _PROC_INFO_NEXT)
		return tm_error(rcvid, EINVAL);
	tm_lock();
	if (m->hdr.subtype == _PROC_INFO_NEXT ? !next_pid(pid, &pid) : !pid && !(pid = info->pid)) {
		tm_unlock();
		return tm_error(rcvid, ESRCH);
	}
	struct tproc *p = proc_find(pid);
	if (!p) {
		tm_unlock();
		return tm_error(rcvid, ESRCH);
	}
	static const char state[] = { [TP_LOADING] = 'R', [TP_ALIVE] = 'R', [TP_ZOMBIE] = 'Z' };
	struct _proc_info r = { .pid = p->pid, .ppid = p->ppid, .pgid = p->pgid, .sid = p->sid,
				.ruid = p->cred.ruid, .euid = p->cred.euid, .rgid = p->cred.rgid,
				.egid = p->cred.egid, .state = (uint32_t)state[p->state],
				.start_ns = p->start_ns,
				.mem_bytes = p->pid == 1 ? tm_heap_bytes() : 0,
				.argslen = p->argslen };
	if (p->state == TP_ALIVE && ProcessWait_r(p->pid, NULL, _PROC_WAIT_STOPPED_NOW) == p->pid)
		r.state = _PROC_STATE_STOPPED;  /* the kernel's word: a stop report may lag */
	int as = p->pid != 1 && p->state == TP_ALIVE ? AsOpen_r(p->pid) : -1;
	struct _as_info ai;
	if (as >= 0) {
		if (AsInfo_r(as, &ai) == 0) {
			r.mem_bytes = ai.pages * 4096u;
			r.shared_bytes = ai.object_pages * 4096u;
			r.cow_bytes = ai.cow_pages * 4096u;
		}
		AsDestroy_r(as);
	}
	tm_strlcpy(r.name, p->name, sizeof r.name);
	char args[TM_ARGS];
	memcpy(args, p->args, p->argslen);
	iov_t v[2];
	SETIOV(&v[0], &r, sizeof r);
	SETIOV(&v[1], args, p->argslen);
	tm_unlock();
	MsgReplyv_r(rcvid, 0, v, 2);
}
