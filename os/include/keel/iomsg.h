#pragma once
/* The I/O messages: how a client talks to a resource manager (a server that
 * owns names in the path space).  QNX's shapes, Keel's numbers and layouts.
 *
 * Opening a name (open, stat, unlink, mkdir, ... by path):
 *   1. The client sends struct _io_connect (with the whole absolute path)
 *      to taskman's path manager (<keel/procmsg.h>: TASKMAN_PID/CHID).
 *   2. The path manager replies with the redirect
 *      _IO_CONNECT_RET_LINK | nentries: struct _io_connect_link_reply and
 *      nentries struct _io_connect_entry, the servers whose attached names
 *      match, longest match first (a union in its order).  When the path
 *      crosses a symbolic link of the path space it replies
 *      _IO_CONNECT_RET_LINK with nentries 0 and the rewritten path after the
 *      link reply (path_len bytes with its NUL): the client starts again
 *      with it (at most _IO_SYMLOOP_MAX times, then ELOOP).  No match: ENOENT.
 *   3. For each entry in turn the client attaches a connection to (pid,
 *      chid) and sends the connect again, now with the path that remains
 *      after prefix_len bytes ("" for the attached name itself) and the
 *      entry's handle.  A server that accepts replies status >= 0 and the
 *      connection is the file descriptor; one that has no such name replies
 *      ENOENT and the client tries the next entry; any other errno ends the
 *      open.  A server may itself reply a link (a symbolic link inside a
 *      file system): the client starts again from step 1 with that path.
 *   Combine messages: a connect with extra_type _IO_CONNECT_EXTRA_COMBINE
 *   carries an I/O message (e.g. _IO_STAT) after the path; the server does
 *   both and replies the I/O message's reply, and with subtype
 *   _IO_CONNECT_COMBINE_CLOSE closes at once, so stat(path) is one round
 *   trip to the server.
 *
 * I/O on a descriptor: every I/O message opens with struct _io_hdr; the
 * reply status is the result (bytes for read and write), errors are
 * MsgError's errno.  A server checks the length of every message before it
 * reads a field (EINVAL, or EBADMSG for an unknown type) and keeps serving.
 * Message types 0x0100-0x01ff; 0x0001-0x00ff are taskman's. */
#include <stdint.h>

/* ---- file types (the connect message's file_type and attach's) ------------ */
#define _FTYPE_ANY        0
#define _FTYPE_FILE       1
#define _FTYPE_LINK       2      /* the path manager itself */
#define _FTYPE_PIPE       3
#define _FTYPE_SHMEM      4
#define _FTYPE_NAME       5      /* name_attach/name_open */
#define _FTYPE_TERMINAL   6

/* ---- message types ---------------------------------------------------------- */
#define _IO_CONNECT   0x0100
#define _IO_READ      0x0101
#define _IO_WRITE     0x0102
#define _IO_STAT      0x0103
#define _IO_LSEEK     0x0104
#define _IO_DEVCTL    0x0105
#define _IO_CLOSE     0x0106
#define _IO_DUP       0x0107
#define _IO_CHMOD     0x0108
#define _IO_CHOWN     0x0109
#define _IO_UTIME     0x010a
#define _IO_SYNC      0x010b
#define _IO_MMAP      0x010c
#define _IO_SPACE     0x010d     /* truncate / ftruncate */
#define _IO_NOTIFY    0x010e     /* select / poll readiness */
#define _IO_PATHCONF  0x010f
#define _IO_FDINFO    0x0110     /* fcntl F_GETFL / F_SETFL */
#define _IO_PREAD     0x0111     /* pread: a read at an offset of its own */
#define _IO_PWRITE    0x0112     /* pwrite */
#define _IO_MSG       0x01ff     /* a server's own messages */

/* ---- connect ------------------------------------------------------------------ */

/* _io_connect.subtype */
#define _IO_CONNECT_COMBINE        0   /* I/O message after the path */
#define _IO_CONNECT_COMBINE_CLOSE  1   /* ... and close at once */
#define _IO_CONNECT_OPEN           2
#define _IO_CONNECT_UNLINK         3
#define _IO_CONNECT_RENAME         4   /* extra: the source path */
#define _IO_CONNECT_MKNOD          5   /* mkdir (mode S_IFDIR), mkfifo */
#define _IO_CONNECT_READLINK       6
#define _IO_CONNECT_LINK           7   /* extra: link target (symlink or hard) */

/* _io_connect.extra_type */
#define _IO_CONNECT_EXTRA_NONE     0
#define _IO_CONNECT_EXTRA_LINK     1   /* hard link: extra is the existing path */
#define _IO_CONNECT_EXTRA_SYMLINK  2   /* symlink: extra is the target text */
#define _IO_CONNECT_EXTRA_RENAME   3   /* extra is the source path */
#define _IO_CONNECT_EXTRA_COMBINE  4   /* extra is an I/O message */

/* _io_connect.eflag */
#define _IO_CONNECT_EFLAG_DIR      0x01   /* the path ended in '/' */

#define _IO_PATH_MAX       1024    /* PATH_MAX, with the NUL */
#define _IO_SYMLOOP_MAX    8

/* The connect message, followed by path_len bytes of path (with its NUL)
 * and extra_len bytes of extra data. */
struct _io_connect {
	uint16_t type;                  /* _IO_CONNECT */
	uint16_t subtype;               /* _IO_CONNECT_* */
	uint32_t file_type;             /* _FTYPE_* the client wants (ANY) */
	uint16_t reply_max;             /* bytes the client can take as a reply */
	uint16_t entry_max;             /* entries it can take in a redirect */
	uint32_t handle;                /* from the redirect entry (0 to taskman) */
	uint32_t ioflag;                /* O_* of open, libc's values */
	uint32_t mode;                  /* creation mode and type bits */
	uint32_t umask;                 /* the caller's umask */
	uint16_t path_len;
	uint8_t eflag;                  /* _IO_CONNECT_EFLAG_* */
	uint8_t extra_type;             /* _IO_CONNECT_EXTRA_* */
	uint16_t extra_len;
	uint16_t zero;
};

_Static_assert(sizeof(struct _io_connect) == 36, "struct _io_connect layout");

/* Reply status bit: the reply is a redirect (a link reply), and the low 16
 * bits are nentries. */
#define _IO_CONNECT_RET_LINK  0x10000

struct _io_connect_link_reply {
	uint32_t file_type;             /* of the name, when known */
	uint16_t nentries;
	uint16_t path_len;              /* a rewritten path follows the entries */
};

struct _io_connect_entry {
	int32_t nd;                     /* ND_LOCAL_NODE */
	int32_t pid;
	int32_t chid;
	uint32_t handle;
	uint32_t file_type;
	uint16_t prefix_len;            /* bytes of the path this server's name took */
	uint16_t flags;                 /* _PROC_PATH_* of the attachment */
};

_Static_assert(sizeof(struct _io_connect_link_reply) == 8, "link reply layout");
_Static_assert(sizeof(struct _io_connect_entry) == 24, "struct _io_connect_entry layout");

/* The most entries a redirect carries. */
#define _IO_CONNECT_ENTRIES_MAX  8

/* ---- I/O on a descriptor ----------------------------------------------------------
 *
 * Every message opens with this header; the layouts of the bodies are the
 * resource-manager framework's (libc), documented where it defines them. */
struct _io_hdr {
	uint16_t type;                  /* _IO_* */
	uint16_t combine_len;           /* bytes of this message in a combine, or 0 */
	uint32_t xflags;                /* _IO_XFLAG_*, or 0 */
};

/* _io_hdr.xflags: the sender blocks or ignores SIGTTOU, so a terminal lets
 * its write (with TOSTOP set) or its change of the settings through from
 * the background (POSIX.1 11.1.4; libc sets it after _IO_ERR_BACKGROUND). */
#define _IO_XFLAG_TTOU_BLOCKED  0x1u

_Static_assert(sizeof(struct _io_hdr) == 8, "struct _io_hdr layout");

/* ---- the I/O message bodies (libc's resource-manager framework) --------------
 *
 * Each body below opens with struct _io_hdr.  A server checks msglen >=
 * sizeof the body before reading a field: shorter is EINVAL, an unknown
 * type ENOSYS; I/O on a connection that has not opened (no connect
 * accepted) is EBADF.  Replies: the status is the result (>= 0), data as
 * said per message; errors are MsgError's errno. */

/* _IO_READ: reply up to nbytes of data at the open's offset, which moves;
 * status the bytes replied (0 at end of file). */
struct _io_read {
	struct _io_hdr hdr;
	uint64_t nbytes;
};

/* _IO_WRITE: nbytes of data follow the body (the server reads what did not
 * fit its receive buffer with MsgRead); status the bytes written. */
struct _io_write {
	struct _io_hdr hdr;
	uint64_t nbytes;
};

/* _IO_PREAD and _IO_PWRITE: _IO_READ and _IO_WRITE at `offset` (>= 0, else
 * EINVAL) without moving the open's offset, whatever O_APPEND says
 * (pwrite's data follows this body).  The framework runs the server's read
 * or write handler on the request as a plain one, the open's offset set to
 * `offset` for the call and put back after it (a handler of these answers
 * before it returns); on a FIFO, character device or socket they are
 * ESPIPE. */
struct _io_pread {
	struct _io_hdr hdr;
	uint64_t nbytes;
	int64_t offset;
};
#define _io_pwrite _io_pread

/* _IO_LSEEK: whence is SEEK_SET (0), SEEK_CUR (1) or SEEK_END (2); reply
 * struct _io_lseek_reply, status 0.  EINVAL for a bad whence or a
 * negative result, ESPIPE on an object that cannot seek. */
struct _io_lseek {
	struct _io_hdr hdr;
	int64_t offset;
	int32_t whence;
	uint32_t zero;
};

struct _io_lseek_reply {
	int64_t offset;
};

/* _IO_STAT: reply struct _io_stat_reply, status 0. */
struct _io_stat {
	struct _io_hdr hdr;
};

/* What stat(2) reports, in Keel's fixed layout (libc's struct stat is
 * filled from it). */
struct _io_stat_reply {
	uint64_t ino;
	uint64_t size;
	uint64_t dev, rdev;
	uint32_t mode;                  /* S_IF* type and permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	int64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t blksize;
	uint32_t zero;
	uint64_t blocks;                /* 512-byte blocks */
};

/* _IO_DEVCTL: nbytes of data follow (in); reply struct _io_devctl_reply
 * then its nbytes of data (out), status 0.  dcmd's meaning is the
 * server's (ENOTTY for one it does not know). */
struct _io_devctl {
	struct _io_hdr hdr;
	uint32_t dcmd;
	uint32_t nbytes;
};

struct _io_devctl_reply {
	int32_t ret_val;
	uint32_t nbytes;
};

/* _IO_CLOSE: the connection's open ends (the server drops its open control
 * block when no other connection shares it); status 0.  The client then
 * detaches the connection. */
struct _io_close {
	struct _io_hdr hdr;
};

/* _IO_DUP: sent on a new connection to the same server: it shares the open
 * (offset, flags) of connection `coid` of process `pid` from now on (dup
 * and dup2: pid 0, the sender's own; a spawned or forked child's inherited
 * descriptors: its parent's pid, which the server checks with taskman's
 * _PROC_GETIDS, EPERM if the sender is not that process's child or has
 * finished taking over its descriptors, _PROC_IDS_INHERITING).  EBADF if
 * that connection has no open with this server. */
struct _io_dup {
	struct _io_hdr hdr;
	int32_t coid;
	int32_t pid;
};

_Static_assert(sizeof(struct _io_read) == 16, "struct _io_read layout");
_Static_assert(sizeof(struct _io_write) == 16, "struct _io_write layout");
_Static_assert(sizeof(struct _io_lseek) == 24, "struct _io_lseek layout");
_Static_assert(sizeof(struct _io_stat_reply) == 88, "struct _io_stat_reply layout");
_Static_assert(sizeof(struct _io_devctl) == 16, "struct _io_devctl layout");
_Static_assert(sizeof(struct _io_dup) == 16, "struct _io_dup layout");

/* _IO_CHMOD: the permission bits (07777) of mode become the file's; the
 * type bits are ignored.  EPERM unless the client owns the file or is
 * privileged. */
struct _io_chmod {
	struct _io_hdr hdr;
	uint32_t mode;
	uint32_t zero;
};

/* _IO_CHOWN: uid and gid become the owner; _IO_CHOWN_KEEP leaves one as it
 * is.  EPERM unless the client is privileged, or owns the file, keeps the
 * uid and names a group it belongs to.  A change by an unprivileged client
 * clears S_ISUID and S_ISGID. */
#define _IO_CHOWN_KEEP  0xffffffffu
struct _io_chown {
	struct _io_hdr hdr;
	uint32_t uid, gid;
};

/* _IO_UTIME: the access and modification times in ns since the epoch, or
 * _IO_UTIME_NOW (the server's clock) or _IO_UTIME_OMIT (unchanged).
 * Both now: the owner, a client with write permission or a privileged one
 * (else EACCES); any explicit time: the owner or a privileged client (else
 * EPERM).  The change time becomes now unless both are omitted. */
#define _IO_UTIME_NOW   INT64_MIN
#define _IO_UTIME_OMIT  (INT64_MIN + 1)
struct _io_utime {
	struct _io_hdr hdr;
	int64_t atime_ns, mtime_ns;
};

/* _IO_SPACE: subtype _IO_SPACE_SETSIZE makes the file len bytes long (a
 * truncate: bytes past len go, a gap reads as zeros); start is 0.  EBADF
 * unless the open may write, EINVAL for a negative len or an object that
 * is no regular file, EFBIG/ENOSPC when it cannot grow. */
#define _IO_SPACE_SETSIZE  0
struct _io_space {
	struct _io_hdr hdr;
	uint32_t subtype;
	uint32_t zero;
	int64_t start;
	int64_t len;
};

/* _IO_MMAP: the client wants len bytes of the file from `offset` (page-
 * aligned) mapped with prot and flags (mmap's: MAP_SHARED or MAP_PRIVATE).
 * A server that can share its pages grants them to the client with
 * taskman (_PROC_SHM_GRANT) and replies struct _io_mmap_reply; the client
 * then asks taskman to map the grant.  MAP_SHARED with PROT_WRITE needs an
 * open for writing, every mapping one for reading (EACCES); a range past
 * the end of the file is ENXIO; a server that maps nothing replies ENODEV
 * (the framework's default). */
struct _io_mmap {
	struct _io_hdr hdr;
	uint32_t prot;
	uint32_t flags;
	uint64_t offset;
	uint64_t len;
};

struct _io_mmap_reply {
	uint64_t grant;                 /* for _PROC_MMAP's _PROC_MAP_GRANT */
};

/* _IO_SYNC: the file's data (flag _IO_SYNC_DATA) or data and attributes
 * (_IO_SYNC_ALL) reach the server's storage before the reply; status 0. */
#define _IO_SYNC_DATA  1
#define _IO_SYNC_ALL   2
struct _io_sync {
	struct _io_hdr hdr;
	uint32_t flag;
	uint32_t zero;
};

/* _IO_FDINFO: the open's file status flags (fcntl F_GETFL/F_SETFL).
 * _IO_FDINFO_GETFL replies status the access mode and status flags (O_*
 * of libc); _IO_FDINFO_SETFL sets the changeable ones (O_APPEND,
 * O_NONBLOCK) from flags and leaves the rest; status 0. */
#define _IO_FDINFO_GETFL  0
#define _IO_FDINFO_SETFL  1
struct _io_fdinfo {
	struct _io_hdr hdr;
	uint32_t subtype;
	uint32_t flags;
};

/* _IO_NOTIFY: readiness, for poll and select.  events holds the conditions
 * the client waits for (_NOTIFY_* bits, the values of poll.h's POLL*).  The
 * server replies status the conditions that hold now among them, with
 * _NOTIFY_ERR and _NOTIFY_HUP always reported when they hold.  With
 * _NOTIFY_ACTION_POLLARM and none of them holding, the server also arms:
 * once one of them comes to hold, it sends the client one pulse (code,
 * value) on the client's connection coid (MsgDeliverEvent to the sending
 * thread), and forgets the arm; a new arm from the same thread on the same
 * open replaces the old one, and the open's close drops it.  A server that
 * knows nothing of readiness (a regular file) answers input and output
 * always ready. */
#define _NOTIFY_ACTION_POLL     0
#define _NOTIFY_ACTION_POLLARM  1

#define _NOTIFY_IN      0x001   /* POLLIN: a read would not block */
#define _NOTIFY_PRI     0x002   /* POLLPRI */
#define _NOTIFY_OUT     0x004   /* POLLOUT: a write would not block */
#define _NOTIFY_ERR     0x008   /* POLLERR: e.g. a pipe with no reader */
#define _NOTIFY_HUP     0x010   /* POLLHUP: a pipe with no writer, a hung-up line */
#define _NOTIFY_RDNORM  0x040   /* POLLRDNORM */
#define _NOTIFY_RDBAND  0x080   /* POLLRDBAND */
#define _NOTIFY_WRNORM  0x100   /* POLLWRNORM */
#define _NOTIFY_WRBAND  0x200   /* POLLWRBAND */

struct _io_notify {
	struct _io_hdr hdr;
	uint32_t action;                /* _NOTIFY_ACTION_* */
	uint32_t events;                /* _NOTIFY_* waited for */
	int32_t coid;                   /* the client's connection the pulse goes on */
	int32_t code;                   /* the pulse's code */
	int64_t value;                  /* and value */
};

_Static_assert(sizeof(struct _io_notify) == 32, "struct _io_notify layout");
_Static_assert(sizeof(struct _io_chmod) == 16, "struct _io_chmod layout");
_Static_assert(sizeof(struct _io_chown) == 16, "struct _io_chown layout");
_Static_assert(sizeof(struct _io_utime) == 24, "struct _io_utime layout");
_Static_assert(sizeof(struct _io_space) == 32, "struct _io_space layout");
_Static_assert(sizeof(struct _io_mmap) == 32, "struct _io_mmap layout");
_Static_assert(sizeof(struct _io_sync) == 16, "struct _io_sync layout");
_Static_assert(sizeof(struct _io_fdinfo) == 16, "struct _io_fdinfo layout");

/* ---- connect subtypes other than open ------------------------------------------
 *
 * Each goes to the server with the path that remains (as an open does);
 * the server replies status 0 (nothing else) or an error, and the client
 * detaches the connection again.  ENOSYS from a server that does not
 * handle the subtype.
 *   _IO_CONNECT_UNLINK    removes the name: with mode S_IFDIR (rmdir) a
 *                         directory, else ENOTDIR; with mode 0 (unlink)
 *                         anything but a directory, else EPERM.
 *   _IO_CONNECT_MKNOD     makes the name with mode (S_IFDIR: mkdir) less
 *                         the umask; EEXIST if it exists.
 *   _IO_CONNECT_RENAME    extra (_IO_CONNECT_EXTRA_RENAME) is the source,
 *                         a path inside the same server, NUL-terminated.
 *   _IO_CONNECT_LINK      extra _IO_CONNECT_EXTRA_LINK: a hard link to the
 *                         existing path (same server) named path;
 *                         _IO_CONNECT_EXTRA_SYMLINK: a symbolic link named
 *                         path whose text is the extra (NUL-terminated).
 *   _IO_CONNECT_READLINK  replies status the length and the link's text
 *                         (no NUL; at most reply_max bytes); EINVAL for a
 *                         name that is no symbolic link.
 *   _IO_CONNECT_COMBINE_CLOSE  extra (_IO_CONNECT_EXTRA_COMBINE) is one I/O
 *                         message (_IO_STAT, _IO_CHMOD, _IO_CHOWN,
 *                         _IO_UTIME, _IO_DEVCTL; any other is ENOSYS) done
 *                         on a temporary open of the name that needs no
 *                         read or write permission; its reply is the
 *                         reply.
 * The last component of the path is never followed when it is a symbolic
 * link, except by OPEN and by COMBINE_CLOSE without O_NOFOLLOW in ioflag
 * (stat against lstat); an OPEN with O_NOFOLLOW of a link is ELOOP.  A
 * link met anywhere else makes the server reply the link (as the path
 * manager does): _IO_CONNECT_RET_LINK with nentries 0 and the rewritten
 * absolute path; the client starts again with it. */

/* The devctl of statvfs (POSIX): out struct _io_statvfs_reply.  ENOTTY
 * from a server that is no file system. */
#define _DCMD_FSYS_STATVFS   0x4601u
struct _io_statvfs_reply {
	uint64_t bsize, frsize;
	uint64_t blocks, bfree, bavail;         /* in frsize units */
	uint64_t files, ffree, favail;
	uint64_t fsid;
	uint64_t flag;                          /* ST_RDONLY, ST_NOSUID */
	uint64_t namemax;
};

_Static_assert(sizeof(struct _io_statvfs_reply) == 88, "struct _io_statvfs_reply layout");

/* The devctls of a mounted file system's server (fs-keel; mount, umount,
 * df and fsck-keel send them).
 * _DCMD_FSYS_UNMOUNT, in: uint32 flags.  The server unmounts its volume
 *   (marking it clean), replies, detaches its names and exits.  EPERM
 *   unless the client is privileged or the user that mounted; EBUSY while
 *   other opens than the sender's are alive, unless _FSYS_UNMOUNT_FORCE.
 * _DCMD_FSYS_MOUNTINFO, out: struct _io_mountinfo_reply.  A server that
 *   mounts a volume attaches, beside its mount point, the name
 *   /dev/fsys/<its pid> (_FSYS_INFO_DIR), so tools find the mounted
 *   volumes by walking the processes: this devctl on that name says what
 *   it serves.  The device is named by the stat ids of the file the server
 *   opened (dev, ino), so a tool can tell whether a given file is mounted. */
#define _DCMD_FSYS_UNMOUNT    0x4602u
#define _DCMD_FSYS_MOUNTINFO  0x4603u
#define _FSYS_UNMOUNT_FORCE   1u
#define _FSYS_INFO_DIR        "/dev/fsys"

struct _io_mountinfo_reply {
	uint64_t dev_dev, dev_ino;              /* stat ids of the device file */
	uint64_t flag;                          /* ST_RDONLY */
	char type[16];                          /* "keel" */
	char device[256];                       /* as the server was given it */
	char mountpoint[256];
};

_Static_assert(sizeof(struct _io_mountinfo_reply) == 552, "struct _io_mountinfo_reply layout");

/* The reply to an accepted _IO_CONNECT (open): status 0, and this body
 * when the client can take it. */
struct _io_connect_reply {
	uint32_t file_type;             /* _FTYPE_* of what was opened */
	uint32_t zero;
};

/* ---- directories ------------------------------------------------------------------
 *
 * An _IO_READ on an open directory replies whole records, as many as fit
 * nbytes (never part of one; EINVAL if nbytes cannot hold the next), 0
 * bytes at the end.  The open's offset is the directory position: an
 * opaque cookie the server gives in each record's `next` (lseek SEEK_SET
 * to 0 rewinds, to a record's `next` resumes after that record). */
struct _io_dirent {
	uint64_t ino;
	uint64_t next;                  /* the position after this record */
	uint16_t reclen;                /* bytes of this record, a multiple of 8 */
	uint16_t namelen;               /* without the NUL that follows the name */
	uint8_t type;                   /* DT_* of <dirent.h>, or 0 */
	uint8_t zero[3];
	/* char name[namelen + 1], then padding to reclen */
};

_Static_assert(sizeof(struct _io_dirent) == 24, "struct _io_dirent layout");

/* ---- terminal devctl commands (_IO_DEVCTL dcmd) -------------------------------
 *
 * The data is libc's struct termios (<termios.h>: 4 x uint32_t flags,
 * NCCS = 20 control characters, 2 x uint32_t speeds, 44 bytes) or struct
 * winsize (4 x uint16_t).  A server that is no terminal answers ENOTTY. */
#define _DCMD_TERM_GETATTR   0x5401u   /* out: struct termios */
#define _DCMD_TERM_SETATTR   0x5402u   /* in: struct termios, now */
#define _DCMD_TERM_SETATTRW  0x5403u   /* in: after output drains (TCSADRAIN) */
#define _DCMD_TERM_SETATTRF  0x5404u   /* in: drain, then discard input (TCSAFLUSH) */
#define _DCMD_TERM_GETWINSZ  0x5413u   /* out: struct winsize */
#define _DCMD_TERM_SETWINSZ  0x5414u   /* in: struct winsize */
#define _DCMD_TERM_FLUSH     0x540bu   /* in: int32 queue selector (TCIFLUSH ...) */
#define _DCMD_TERM_DRAIN     0x5409u   /* waits until output is sent */
#define _DCMD_TERM_GETPGRP   0x540fu   /* out: int32 foreground process group */
#define _DCMD_TERM_SETPGRP   0x5410u   /* in: int32 */
/* Keel's own (root only; a terminal server may answer ENOTTY): every open
 * of the terminal that a process other than root made is hung up for
 * good, as a hang-up leaves them: reads are end of file, writes and
 * devctls EIO, waiting reads and writes answered so.  getty's first step,
 * so that nothing of the last login session keeps the line (opens root's
 * processes made, init's and the services' logs, stay). */
#define _DCMD_TERM_REVOKE    0x5437u
#define _DCMD_FIONREAD       0x541bu   /* out: int32 bytes ready to read */

/* A read of a terminal by a process of the terminal's session that is not
 * in its foreground process group (POSIX.1 11.1.4, terminal access
 * control): the server answers this error status, which no call returns.
 * libc's read then sends SIGTTIN to the caller's process group and asks
 * again once it runs on (stopped by it, then continued, usually in the
 * foreground), or fails EIO when the caller ignores or blocks SIGTTIN. */
#define _IO_ERR_BACKGROUND   4001

/* Pseudo-terminals: the master's own commands (the open of /dev/ptmx).
 * A slave answers them ENOTTY. */
#define _DCMD_PTY_NUMBER     0x5430u   /* out: int32 N, the slave is /dev/pts/N */
#define _DCMD_PTY_UNLOCK     0x5431u   /* in: int32 0 unlocks the slave, else locks */
#define _DCMD_PTY_GRANT      0x5432u   /* the slave's owner becomes the caller's real
					* uid, group tty, mode 0620 */
