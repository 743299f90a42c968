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
 * disconnect pulse) closes all its opens. */
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <keel/iomsg.h>
#include <keel/msg.h>

#define RESMGR_DONE     (-1)
#define RESMGR_DEFAULT  (-2)

/* Bytes of a message the loop receives at once (more is MsgRead). */
#define RESMGR_MSG_MAX  2048

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
} iofunc_ocb_t;

struct resmgr;

typedef struct resmgr_context {
	int rcvid;
	struct _msg_info info;
	struct resmgr *mgr;
	size_t msglen;                  /* bytes of msg received */
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
	 * *ocb is the new open (iofunc_open_default makes one). */
	int (*open)(resmgr_context_t *ctp, const struct _io_connect *msg, const char *path,
		    iofunc_attr_t *attr, iofunc_ocb_t **ocb);
} resmgr_connect_funcs_t;

typedef struct resmgr_io_funcs {
	int (*read)(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb);
	int (*write)(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb);
	int (*lseek)(resmgr_context_t *ctp, const struct _io_lseek *msg, iofunc_ocb_t *ocb);
	int (*stat)(resmgr_context_t *ctp, const struct _io_stat *msg, iofunc_ocb_t *ocb);
	int (*devctl)(resmgr_context_t *ctp, const struct _io_devctl *msg, iofunc_ocb_t *ocb);
	/* The open's last connection went (close, or the client's death). */
	int (*close_ocb)(resmgr_context_t *ctp, iofunc_ocb_t *ocb);
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
/* Makes resmgr_loop return after the message it is handling. */
void resmgr_stop(resmgr_t *mgr);
/* Handles the one message (or pulse) in ctp. */
void resmgr_handle(resmgr_t *mgr, resmgr_context_t *ctp);
/* Registers path in the path space (taskman's path manager) for this
 * manager's channel: _PROC_PATH_* flags, file type.  The id, or -1. */
int resmgr_attach(resmgr_t *mgr, const char *path, unsigned file_type, unsigned flags);
/* Replies status and len bytes of data; returns RESMGR_DONE. */
int resmgr_reply(resmgr_context_t *ctp, long status, const void *data, size_t len);
/* Opens bound to connections now (for tests and statistics). */
unsigned resmgr_open_count(const resmgr_t *mgr);

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

/* Client side: opens `path` at the server (pid, chid) directly with the
 * connect message of open(2) (step 3 of <keel/iomsg.h>'s open, without
 * the path manager; handle as a redirect entry gave it, 0 otherwise).
 * The new fd, or -1 and errno. */
int _connect_open(int pid, int chid, uint32_t handle, const char *path, int oflag, mode_t mode);

/* Directory servers: appends one struct _io_dirent record for name to
 * buf (size bytes, *used so far).  0, or -1 when it does not fit. */
int resmgr_dirent_add(void *buf, size_t size, size_t *used, uint64_t ino, uint64_t next,
		      unsigned type, const char *name);
