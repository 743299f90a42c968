#pragma once
/* The resource-manager framework (QNX's shape, Keel's names and layouts):
 * a server creates a channel, describes its resource with an attribute
 * (iofunc_attr_t), and runs resmgr_loop, which receives the I/O messages
 * of <keel/iomsg.h>, checks each (length first: a short or unknown message
 * gets an error reply, never a crash), finds the open control block
 * (iofunc_ocb_t) of the sending connection, and calls the server's handler
 * or the iofunc default for it.
 *
 * A handler returns
 *   0             reply status 0, no data (the framework replies);
 *   an errno > 0  the framework replies with that error;
 *   RESMGR_DONE   the handler replied itself (resmgr_reply) or will later;
 *   RESMGR_DEFAULT  run the iofunc default handler for this message.
 * Opens are bound to connections by (client pid, coid); _IO_DUP binds a
 * second connection to the same open; a client's death (the channel's
 * disconnect pulse) closes all its opens.
 *
 * Replying later (a read with no data yet): the handler parks the request
 * on a resmgr_waitq_t and returns RESMGR_DONE; whoever makes the data
 * (another handler, or the server's pulse handler: an interrupt, a timer)
 * answers it from the queue, under the same handler lock.  A client that
 * is sent a signal while it waits (the channel made with
 * _NTO_CHF_UNBLOCK) makes the kernel send an unblock pulse: the unblock
 * handler finds its request and replies EINTR (resmgr_waitq_unblock).  A
 * client that dies while it waits leaves its request parked until its open
 * closes (close_ocb drops the open's requests with resmgr_waitq_drop) or a
 * reply to it fails: a server consumes data only after its reply went
 * through, so a dead reader loses nothing. */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <keel/iomsg.h>
#include <keel/msg.h>
#include <keel/sigevent.h>

#define RESMGR_DONE     (-1)
#define RESMGR_DEFAULT  (-2)

/* Bytes of a message the loop receives at once (more is MsgRead). */
#define RESMGR_MSG_MAX  2048
/* Replies up to this long wait for the loop's next receive (resmgr_reply). */
#define RESMGR_REPLY_DEFER_MAX 256

typedef struct iofunc_attr {
	uint32_t mode;                  /* S_IF* | permissions */
	uint32_t uid, gid;
	uint32_t nlink;
	uint64_t ino;
	int64_t nbytes;                 /* size */
	int64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t count;                 /* opens */
	uint32_t zero;
	void *data;                     /* the server's own */
} iofunc_attr_t;

typedef struct iofunc_ocb {
	iofunc_attr_t *attr;
	uint32_t ioflag;                /* O_* of the open */
	uint32_t refs;                  /* connections sharing this open */
	int64_t offset;
	void *data;                     /* the server's own */
	/* The framework's, in a concurrent manager (resmgr_concurrent): the
	 * I/O handlers running on this open, and the close waiting for them
	 * (its rcvid, answered when the last is done; 0: none). */
	uint32_t busy;
	int close_rcvid;
} iofunc_ocb_t;

struct resmgr;

typedef struct resmgr_context {
	int rcvid;
	/* 8-aligned: the kernel writes it at every receive, a word at a time
	 * where both sides allow (half the stores of 4-byte words). */
	struct _msg_info info __attribute__((aligned(8)));
	struct resmgr *mgr;
	size_t msglen;                  /* bytes of msg received */
	size_t msgread_skew;            /* client bytes past msg's end lie this much further
					 * (a pwrite seen as a write: resmgr_msgread) */
	/* resmgr_loop's reply to this message, sent with its next receive
	 * (MsgReplyReceives): set while a handler of the loop runs. */
	int defer;                      /* the loop runs this handler: a reply may wait */
	int reply_pending;
	long reply_status;
	size_t reply_len;
	char reply[RESMGR_REPLY_DEFER_MAX];
	union {
		struct _io_hdr hdr;
		struct _io_connect connect;
		struct _pulse pulse;
		char raw[RESMGR_MSG_MAX];
	} msg;
} resmgr_context_t;

typedef struct resmgr_connect_funcs {
	/* An _IO_CONNECT open of path (what remains after the attached name;
	 * "" for the name itself, NUL-terminated, checked).  On success
	 * *ocb is the new open (iofunc_open_default makes one).  Also called
	 * for _IO_CONNECT_COMBINE_CLOSE (msg->subtype says which): that open
	 * needs no read or write permission and lives for one I/O message. */
	int (*open)(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr, iofunc_ocb_t **ocb);
	/* The other subtypes (<keel/iomsg.h> says what each means), with the
	 * checked path and, for rename and link, the checked extra (inside
	 * the message, NUL-terminated, of the extra_type the subtype needs).
	 * A handler returns as an I/O handler does; NULL or RESMGR_DEFAULT is
	 * ENOSYS.  readlink replies the text itself (resmgr_reply). */
	int (*unlink)(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		      iofunc_attr_t *attr);
	int (*rename)(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		      const char *from, iofunc_attr_t *attr);
	int (*mknod)(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		     iofunc_attr_t *attr);
	int (*readlink)(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			iofunc_attr_t *attr);
	int (*link)(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    const char *extra, iofunc_attr_t *attr);
} resmgr_connect_funcs_t;

typedef struct resmgr_io_funcs {
	int (*read)(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb);
	int (*write)(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb);
	int (*lseek)(resmgr_context_t *ctp, const struct _io_lseek *msg, iofunc_ocb_t *ocb);
	int (*stat)(resmgr_context_t *ctp, const struct _io_stat *msg, iofunc_ocb_t *ocb);
	int (*devctl)(resmgr_context_t *ctp, const struct _io_devctl *msg, iofunc_ocb_t *ocb);
	int (*chmod)(resmgr_context_t *ctp, const struct _io_chmod *msg, iofunc_ocb_t *ocb);
	int (*chown)(resmgr_context_t *ctp, const struct _io_chown *msg, iofunc_ocb_t *ocb);
	int (*utime)(resmgr_context_t *ctp, const struct _io_utime *msg, iofunc_ocb_t *ocb);
	int (*space)(resmgr_context_t *ctp, const struct _io_space *msg, iofunc_ocb_t *ocb);
	int (*sync)(resmgr_context_t *ctp, const struct _io_sync *msg, iofunc_ocb_t *ocb);
	int (*fdinfo)(resmgr_context_t *ctp, const struct _io_fdinfo *msg, iofunc_ocb_t *ocb);
	/* The open's last connection went (close, or the client's death). */
	int (*close_ocb)(resmgr_context_t *ctp, iofunc_ocb_t *ocb);
	/* The kernel's unblock pulse: client thread rcvid was sent a signal
	 * while REPLY-blocked on this server.  A parked request of it should
	 * be answered (EINTR); a request being handled now is answered anyway.
	 * The return value is ignored.  NULL: nothing is done. */
	int (*unblock)(resmgr_context_t *ctp, int rcvid);
	/* A pulse with a user code (_PULSE_CODE_MINAVAIL..MAXAVAIL), e.g. an
	 * interrupt or a timer event the server aimed at its channel; run under
	 * the handler lock like any handler.  The return value is ignored. */
	int (*pulse)(resmgr_context_t *ctp, int code, union sigval value);
	/* _IO_NOTIFY (poll, select): answer with resmgr_notify_reply and the
	 * conditions that hold on ocb now.  NULL or RESMGR_DEFAULT: input and
	 * output always ready (a regular file). */
	int (*notify)(resmgr_context_t *ctp, const struct _io_notify *msg, iofunc_ocb_t *ocb);
	/* _IO_MMAP (<keel/iomsg.h>): grant the client the file's pages and
	 * reply the grant.  NULL or RESMGR_DEFAULT: ENODEV. */
	int (*mmap)(resmgr_context_t *ctp, const struct _io_mmap *msg, iofunc_ocb_t *ocb);
	/* Around every I/O message's handling on ocb (the framework's own
	 * work on it included: pread's and pwrite's offset), as QNX's: a
	 * concurrent manager (resmgr_concurrent) locks what the open shares
	 * here.  Not around close_ocb.  NULL: nothing. */
	void (*lock_ocb)(resmgr_context_t *ctp, iofunc_ocb_t *ocb);
	void (*unlock_ocb)(resmgr_context_t *ctp, iofunc_ocb_t *ocb);
} resmgr_io_funcs_t;

typedef struct resmgr resmgr_t;

/* A resource manager serving one attribute on channel chid (made with
 * _NTO_CHF_DISCONNECT, so a client's death closes its opens).  NULL
 * function tables or entries mean the iofunc defaults.  NULL and errno
 * ENOMEM or EINVAL on failure. */
resmgr_t *resmgr_create(int chid, const resmgr_connect_funcs_t *connect,
			const resmgr_io_funcs_t *io, iofunc_attr_t *attr);
/* Receives and handles messages until resmgr_stop; returns 0, or -1 and
 * errno if the channel fails. */
int resmgr_loop(resmgr_t *mgr);
/* Starts nthreads detached threads running resmgr_loop on mgr (a thread
 * pool: a slow handler's reply does not hold up the others' receives;
 * handlers themselves run one at a time).  0, or -1 and errno. */
int resmgr_pool_start(resmgr_t *mgr, unsigned nthreads);
/* Runs mgr's connect and I/O handlers without the handler lock, any number
 * at once (one per pool thread): the server locks what they share itself
 * (lock_ocb and unlock_ocb for what an open shares).
 * An I/O handler's ocb stays valid while it runs, even after its reply; a
 * close that comes meanwhile (another thread of the client, or the client
 * itself once a handler that answered early has replied) is answered only
 * when the last of them is done and the open closed (close_ocb), so a
 * close that returned closed the file.  Pulses and what runs from them
 * (the disconnect's closes, unblock, the server's pulse handler) keep the
 * handler lock.  Before resmgr_loop. */
void resmgr_concurrent(resmgr_t *mgr);
/* Makes resmgr_loop return after the message it is handling. */
void resmgr_stop(resmgr_t *mgr);
/* Handles the one message (or pulse) in ctp. */
void resmgr_handle(resmgr_t *mgr, resmgr_context_t *ctp);
/* Registers path in the path space (taskman's path manager) for this
 * manager's channel: _PROC_PATH_* flags, file type.  The id, or -1. */
int resmgr_attach(resmgr_t *mgr, const char *path, unsigned file_type, unsigned flags);
/* The same, with a handle of the server's choosing that every connect
 * through this name carries (msg->handle): how a server with several
 * names on one channel tells them apart (resmgr_attach's is 0). */
int resmgr_attach_handle(resmgr_t *mgr, const char *path, unsigned file_type, unsigned flags,
			 uint32_t handle);
/* Terminal servers: process pid opened the terminal at path (a name this
 * server attached covers it) without O_NOCTTY; if pid leads a session
 * with no controlling terminal, this becomes it (<keel/procmsg.h>
 * _PROC_SETCTTY).  pid 0: the terminal is gone, no session keeps it.
 * 0, or -1 and errno (EPERM, EEXIST, EBUSY: not made, nothing wrong). */
int resmgr_set_ctty(int pid, const char *path);
/* Terminal servers: the id of the session whose controlling terminal path
 * is (0: none), or -1 and errno (taskman's _PROC_SETCTTY_HOLDER; EPERM
 * for a path the caller does not serve). */
int resmgr_ctty_session(const char *path);
/* Terminal servers: has process group pgid a member in session sid?  1 or
 * 0, or -1 and errno (taskman's _PROC_GETIDS_GROUP). */
int resmgr_group_in_session(int pgid, int sid);
/* Replies status and len bytes of data; returns RESMGR_DONE.  In a handler
 * that resmgr_loop runs, a reply to the message being handled with at most
 * RESMGR_REPLY_DEFER_MAX bytes is kept (copied) and goes out with the
 * loop's next receive, one kernel call for both (MsgReplyReceives): the
 * client has it once the handler returns. */
int resmgr_reply(resmgr_context_t *ctp, long status, const void *data, size_t len);
/* Copies len bytes of the client's message from byte offset (of the whole
 * message, header included) into dst: what the receive buffer holds, the
 * rest with MsgRead.  A write handler takes its data with this, not with
 * MsgRead itself: it is then right for pwrite too.  The bytes copied (fewer when the message is shorter),
 * or -errno when none could be. */
long resmgr_msgread(resmgr_context_t *ctp, void *dst, size_t len, size_t offset);
/* A devctl handler's input: the size bytes of data after the _IO_DEVCTL
 * header into to.  0, or EINVAL when the client sent fewer (a malformed
 * devctl gets an error, never garbage). */
int resmgr_devctl_in(const resmgr_context_t *ctp, const struct _io_devctl *msg, void *to,
		     size_t size);
/* An open answered later (a FIFO's, waiting for its other end): the open
 * handler sets *ocb and returns RESMGR_DONE; the framework binds the open
 * to the connection at once (so the client's death closes it) but does not
 * reply.  The server answers it with resmgr_open_reply (the open's
 * success; returns RESMGR_DONE), or gives it up with resmgr_open_cancel,
 * which unbinds the ocb and closes it (close_ocb runs) before the server
 * replies the error, so that the client's connection, detached after the
 * error, leaves nothing behind.  Both under the handler lock. */
int resmgr_open_reply(int rcvid);
void resmgr_open_cancel(resmgr_t *mgr, resmgr_context_t *ctp, iofunc_ocb_t *ocb);
/* Opens bound to connections now (for tests and statistics). */
unsigned resmgr_open_count(const resmgr_t *mgr);
/* The handler lock, for a server thread other than the loop's that must
 * touch what handlers touch (recursive: a handler may take it again). */
void resmgr_lock(resmgr_t *mgr);
void resmgr_unlock(resmgr_t *mgr);
/* The channel's connection for the server's own pulses (interrupt and
 * timer events aimed at the manager), made on first use; -1 and errno. */
int resmgr_self_coid(resmgr_t *mgr);

/* ---- requests answered later ---------------------------------------------------- */

typedef struct resmgr_waiter {
	struct resmgr_waiter *next;
	int rcvid;                      /* the client thread to answer */
	int32_t pid;                    /* its process */
	iofunc_ocb_t *ocb;              /* the open it asked on */
	uint64_t nbytes;                /* of its read or write */
	uint64_t done;                  /* bytes already moved (a write taken in parts) */
	uint16_t type;                  /* _IO_READ, _IO_WRITE, ... */
	uint16_t zero;
	uint32_t flags;                 /* the server's own */
} resmgr_waiter_t;

/* A FIFO of parked requests; zero-initialised is empty. */
typedef struct resmgr_waitq {
	resmgr_waiter_t *head;
	resmgr_waiter_t **tail;         /* NULL while empty */
	unsigned n;
} resmgr_waitq_t;

/* Parks the request in ctp (of nbytes, on ocb) at the end of q.  Returns
 * RESMGR_DONE (the handler's answer), ENOMEM, or EINTR when its client
 * already asks to be unblocked (its unblock pulse may have come before). */
int resmgr_waitq_park(resmgr_waitq_t *q, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
		      uint16_t type, uint64_t nbytes);
/* Parks write ctp of nbytes, done of which already went (w->done): as
 * resmgr_waitq_park, but a write that cannot be parked (its client asks to
 * be unblocked, or no memory) and moved some bytes is answered their count
 * here, and RESMGR_DONE returned. */
int resmgr_waitq_park_write(resmgr_waitq_t *q, resmgr_context_t *ctp, iofunc_ocb_t *ocb,
			    uint64_t nbytes, uint64_t done);
/* The oldest parked request, or NULL. */
resmgr_waiter_t *resmgr_waitq_first(const resmgr_waitq_t *q);
/* Takes w off q and frees it (the caller has answered it). */
void resmgr_waitq_remove(resmgr_waitq_t *q, resmgr_waiter_t *w);
/* Replies err to the request of client thread rcvid in q (a write that
 * moved some bytes: their count), if it is there and the kernel says that
 * client asked to be unblocked; returns 1 then, else 0. */
int resmgr_waitq_unblock(resmgr_waitq_t *q, int rcvid, int err);
/* Drops every request on ocb (its open is closing): EBADF to each read or
 * write whose client is still there (a write that moved some bytes: their
 * count); a parked open, no reply (its canceller answers it). */
void resmgr_waitq_drop(resmgr_waitq_t *q, const iofunc_ocb_t *ocb);
/* Replies err to every request on q and empties it. */
void resmgr_waitq_fail_all(resmgr_waitq_t *q, int err);

/* ---- readiness (poll, select) ------------------------------------------------------ */

/* An armed _IO_NOTIFY: client thread rcvid waits for events on ocb. */
typedef struct resmgr_notify {
	struct resmgr_notify *next;
	int rcvid;
	iofunc_ocb_t *ocb;
	uint32_t events;
	int32_t coid, code;             /* the client's pulse */
	int64_t value;
} resmgr_notify_t;

/* The arms of one object (a pipe, a terminal); zero-initialised is empty. */
typedef struct resmgr_notifyq {
	resmgr_notify_t *head;
} resmgr_notifyq_t;

/* Answers the _IO_NOTIFY in ctp, on ocb, where the conditions `ready` hold
 * now: replies those of them the client asked for (_NOTIFY_ERR and
 * _NOTIFY_HUP always count) and, for a POLLARM with none of them, arms on
 * q (replacing that thread's earlier arm on ocb).  RESMGR_DONE, or ENOMEM. */
int resmgr_notify_reply(resmgr_notifyq_t *q, resmgr_context_t *ctp,
			const struct _io_notify *msg, iofunc_ocb_t *ocb, uint32_t ready);
/* The conditions `ready` now hold on ocb (NULL: on every open of q): each
 * arm waiting for one of them (or any arm, for _NOTIFY_ERR and _NOTIFY_HUP)
 * gets its pulse and is dropped. */
void resmgr_notify_ready(resmgr_notifyq_t *q, const iofunc_ocb_t *ocb, uint32_t ready);
/* Drops ocb's arms (its open closes). */
void resmgr_notify_drop(resmgr_notifyq_t *q, const iofunc_ocb_t *ocb);

/* The iofunc defaults. */
void iofunc_attr_init(iofunc_attr_t *attr, uint32_t mode);
int iofunc_open_default(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
			iofunc_attr_t *attr, iofunc_ocb_t **ocb);
int iofunc_read_default(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb);
int iofunc_write_default(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb);
int iofunc_lseek_default(resmgr_context_t *ctp, const struct _io_lseek *msg, iofunc_ocb_t *ocb);
int iofunc_stat_default(resmgr_context_t *ctp, const struct _io_stat *msg, iofunc_ocb_t *ocb);
int iofunc_devctl_default(resmgr_context_t *ctp, const struct _io_devctl *msg, iofunc_ocb_t *ocb);
int iofunc_close_ocb_default(resmgr_context_t *ctp, iofunc_ocb_t *ocb);
/* chmod, chown and utime change the attribute by <keel/iomsg.h>'s rules
 * (ctime too); space is EINVAL but for a regular file, whose nbytes it
 * sets (the server's own storage is its business: a server with data
 * supplies its own); sync does nothing; fdinfo reads and sets the
 * open's ioflag. */
int iofunc_chmod_default(resmgr_context_t *ctp, const struct _io_chmod *msg, iofunc_ocb_t *ocb);
int iofunc_chown_default(resmgr_context_t *ctp, const struct _io_chown *msg, iofunc_ocb_t *ocb);
int iofunc_utime_default(resmgr_context_t *ctp, const struct _io_utime *msg, iofunc_ocb_t *ocb);
int iofunc_space_default(resmgr_context_t *ctp, const struct _io_space *msg, iofunc_ocb_t *ocb);
int iofunc_sync_default(resmgr_context_t *ctp, const struct _io_sync *msg, iofunc_ocb_t *ocb);
int iofunc_mmap_default(resmgr_context_t *ctp, const struct _io_mmap *msg, iofunc_ocb_t *ocb);
int iofunc_fdinfo_default(resmgr_context_t *ctp, const struct _io_fdinfo *msg, iofunc_ocb_t *ocb);
int iofunc_notify_default(resmgr_context_t *ctp, const struct _io_notify *msg,
			  iofunc_ocb_t *ocb);

/* The credentials of the client of ctp (the kernel's ConnectClientInfo,
 * which answers a server about its clients): 0 or EACCES. */
int iofunc_client_info(resmgr_context_t *ctp, struct _client_info *ci);
/* Whether the client may access attr as want says (bits 4 read, 2 write,
 * 1 execute/search): 0 or EACCES.  A privileged client (euid 0) may do
 * anything but execute a file with no execute bit. */
int iofunc_check_access(resmgr_context_t *ctp, const iofunc_attr_t *attr, unsigned want);
/* Whether the client owns attr or is privileged: 0 or EPERM. */
int iofunc_check_owner(resmgr_context_t *ctp, const iofunc_attr_t *attr);
/* The realtime clock in ns, for the times of an attribute. */
int64_t iofunc_time_now(void);

/* Client side: opens `path` at the server (pid, chid) directly with the
 * connect message of open(2) (step 3 of <keel/iomsg.h>'s open, without
 * the path manager; handle as a redirect entry gave it, 0 otherwise).
 * The new fd, or -1 and errno. */
int _connect_open(int pid, int chid, uint32_t handle, const char *path, int oflag, mode_t mode);

/* Directory servers: appends one struct _io_dirent record for name to
 * buf (size bytes, *used so far).  0, or -1 when it does not fit. */
int resmgr_dirent_add(void *buf, size_t size, size_t *used, uint64_t ino, uint64_t next,
		      unsigned type, const char *name);

/* File system servers: replies the link met in path (the component that
 * starts at byte `at`; its text is target, what follows it is rest) as the
 * rewritten absolute path: target in place of path up to the link, then
 * rest.  A relative target is relative to the link's directory, which is
 * mount (the server's attached name) joined with path[0..at).  Returns
 * RESMGR_DONE (replied), or ENAMETOOLONG past _IO_PATH_MAX. */
int resmgr_link_reply(resmgr_context_t *ctp, const char *mount, const char *path, size_t at,
		      const char *target, const char *rest);
/* File system servers: the open of an S_IFIFO node (permission checked)
 * answered with a link to the pipe server's pipe of that node
 * (<keel/pipemsg.h>): dev and ino as the server's stat reports them.  The
 * open (ctp's client, its message's end) is granted to the pipe server
 * first, which lets only granted opens through that name.  Returns
 * RESMGR_DONE (replied), or an errno when the grant could not be made. */
int resmgr_fifo_reply(resmgr_context_t *ctp, uint64_t dev, uint64_t ino);
