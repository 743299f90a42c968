#pragma once
/* taskman's messages: what libc sends to the process manager.
 *
 * taskman is the first process (pid TASKMAN_PID) and receives on channel
 * TASKMAN_CHID.  A process reaches it with
 *     ConnectAttach(ND_LOCAL_NODE, TASKMAN_PID, TASKMAN_CHID, _NTO_SIDE_CHANNEL, 0)
 * (a side-channel connection, so it never takes a file-descriptor number;
 * fork copies it with every other connection).
 *
 * Every message opens with struct _proc_hdr.  The reply status (MsgSend's
 * return value) is the result; a failure is MsgError's errno (MsgSend
 * returns -1 with errno set, MsgSend_r returns -errno).  Replies with data
 * say so below.  Every field is checked by taskman: a message shorter than
 * its type's fixed part, or with a count that runs past the bytes sent, is
 * EINVAL (EMSGSIZE for a message longer than taskman takes) and taskman
 * keeps serving.
 *
 * Ranges of message types: 0x0001-0x00ff are taskman's (this file);
 * 0x0100-0x01ff are the I/O messages of <keel/iomsg.h>, which taskman's
 * path manager also receives (_IO_CONNECT).  Keel's numbers, QNX's shapes.
 *
 * Process life without messages: a process ends with the ProcessExit kernel
 * call (exit status) or by a signal; taskman learns of it from the kernel
 * and keeps the zombie for _PROC_WAIT.  getpid, the credentials and the
 * session id of the caller come from ConnectClientInfo(-1, ...). */
#include <stdint.h>

#define TASKMAN_PID   1
#define TASKMAN_CHID  1

/* Message types. */
#define _PROC_SPAWN        0x0001  /* posix_spawn: a new process from an image */
#define _PROC_EXEC         0x0002  /* exec: the caller's image replaced (same message) */
#define _PROC_FORK         0x0003  /* fork: a copy of the caller */
#define _PROC_WAIT         0x0004  /* waitid / waitpid */
#define _PROC_GETIDS       0x0005  /* pid, ppid, pgid, sid of a process */
#define _PROC_SETPGID      0x0006  /* setpgid */
#define _PROC_SETSID       0x0007  /* setsid */
#define _PROC_SETCRED      0x0008  /* setuid and friends, setgroups */
#define _PROC_RLIMIT       0x0009  /* getrlimit / setrlimit */
#define _PROC_MMAP         0x000a  /* mmap (anonymous, physical, DMA) */
#define _PROC_MUNMAP       0x000b  /* munmap */
#define _PROC_MPROTECT     0x000c  /* mprotect */
#define _PROC_DAEMON       0x000d  /* detach from the parent (procmgr_daemon) */
#define _PROC_PATH_ATTACH  0x000e  /* resmgr_attach: a name in the path space */
#define _PROC_PATH_DETACH  0x000f  /* resmgr_detach */
#define _PROC_PATH_LINK    0x0010  /* a symbolic link in the path space */
#define _PROC_INFO         0x0011  /* one process's information (for /proc, pidin) */
#define _PROC_SETCTTY      0x0012  /* the controlling terminal of the caller's session */
#define _PROC_BOOTIMG      0x0013  /* bytes of the boot image (for the boot file system) */
#define _PROC_FORKED       0x0014  /* a forked child has taken over its fds */
#define _PROC_SYSRESET     0x0015  /* power off or reboot the machine (sysmgr_reboot) */
#define _PROC_SHM_GRANT    0x0016  /* a server lets a client map its object's pages */
#define _PROC_PATH_LIST    0x0017  /* the names one level below a directory of the path space */

struct _proc_hdr {
	uint16_t type;                  /* _PROC_* */
	uint16_t subtype;               /* 0 unless a type says otherwise */
	uint32_t zero;
};

_Static_assert(sizeof(struct _proc_hdr) == 8, "struct _proc_hdr layout");

/* ---- spawn and exec -------------------------------------------------------
 *
 * struct _proc_spawn, then in this order: the path (pathlen bytes with its
 * NUL), argc NUL-terminated strings (argvlen bytes in all), envc
 * NUL-terminated strings (envlen bytes), and datalen bytes of startup data
 * that taskman copies, unread, onto the new stack for the new image's libc
 * (the fds it inherits and the file actions to apply; AT_KEEL_SPAWNDATA
 * below), then devlen bytes: the devices a driver child may map, as
 * NUL-terminated device-tree `compatible` strings.  The whole message is at
 * most _PROC_SPAWN_MAX bytes (E2BIG).
 *
 * Devices (_PROC_SPAWN_IOPRIV only, else EINVAL): taskman grants the
 * child's space every register range (`reg`) and bus window (`ranges`) of
 * every enabled device matching each string (AsMap AS_MAP_GRANT); it may
 * map device memory there and nowhere else.  A caller holding
 * KCALL_PRIV_PROCMGR (init) may name any device; another driver only
 * ranges it holds itself (EPERM).  ENODEV: a string matches no device;
 * ENOSPC: more ranges than a space holds (AS_GRANTS_MAX).  An exec keeps
 * the process's grants (its devlen must be 0); fork copies them.
 *
 * The path is searched by the caller (posix_spawnp): taskman takes it as
 * is, relative to the caller's working directory given by libc in cwd
 * (cwdlen bytes with its NUL, between the path and argv; empty for an
 * absolute path).  A file that starts with "#!" runs its interpreter with
 * the script's path as an argument.
 *
 * _PROC_SPAWN replies the new pid.  _PROC_EXEC replies only on failure: on
 * success the calling thread continues in the new image (same pid, same
 * connections; the other threads are gone).
 * Errors: ENOENT, EACCES (not executable), ENOEXEC (not a Keel ELF: bad
 * magic, machine, class, truncated, overlapping or misaligned segments, an
 * entry outside text), E2BIG (arguments), ENOMEM, EAGAIN (process limit,
 * RLIMIT_NPROC), EPERM (a setpgroup/setsid the rules refuse). */
#define _PROC_SPAWN_MAX        (256 * 1024)    /* ARG_MAX and the rest */

/* _proc_spawn.flags: which attributes apply (posix_spawnattr). */
#define _PROC_SPAWN_SETPGROUP  0x0001u  /* setpgid(0, pgroup) in the child */
#define _PROC_SPAWN_SETSID     0x0002u  /* setsid() in the child */
#define _PROC_SPAWN_SETSIGMASK 0x0004u  /* the child's mask is sigmask */
#define _PROC_SPAWN_SETSIGDEF  0x0008u  /* sigdefault's signals to SIG_DFL */
#define _PROC_SPAWN_RESETIDS   0x0010u  /* effective ids become the real ones */
#define _PROC_SPAWN_SETSCHEDPARAM 0x0020u /* priority */
#define _PROC_SPAWN_SETSCHEDULER  0x0040u /* policy and priority */
#define _PROC_SPAWN_NOZOMBIE   0x0080u  /* the child is reaped by nobody (daemon) */
#define _PROC_SPAWN_ACK        0x0200u  /* the reply waits for the child's
					  * _PROC_FORKED (it has taken its fds;
					  * see fork below), exec or end */
#define _PROC_SPAWN_IOPRIV     0x0100u  /* the child may use the driver calls
					  * (KCALL_PRIV_IO): only a caller that
					  * has them itself (EPERM) */

struct _proc_spawn {
	struct _proc_hdr hdr;           /* _PROC_SPAWN or _PROC_EXEC */
	uint32_t flags;                 /* _PROC_SPAWN_* */
	int32_t pgroup;                 /* SETPGROUP: 0 means the child's pid */
	int32_t policy;                 /* SETSCHEDULER: SCHED_* of <keel/sched.h> */
	int32_t priority;               /* SETSCHEDPARAM / SETSCHEDULER */
	uint64_t sigmask;               /* SETSIGMASK: bit (signo - 1) */
	uint64_t sigdefault;            /* SETSIGDEF */
	uint32_t pathlen;               /* with the NUL; >= 2 */
	uint32_t cwdlen;                /* with the NUL, or 0 */
	uint32_t argc;                  /* >= 1 */
	uint32_t argvlen;
	uint32_t envc;
	uint32_t envlen;
	uint32_t datalen;
	uint32_t devlen;                /* IOPRIV: the devices' strings, or 0 */
};

_Static_assert(sizeof(struct _proc_spawn) == 72, "struct _proc_spawn layout");

/* ---- fork -----------------------------------------------------------------
 *
 * struct _proc_hdr only.  The parent gets the child's pid; the child
 * returns from the same MsgSend with 0.  The child shares nothing: its
 * address space is a copy-on-write copy, its connections are copies of the
 * parent's (same coids; the child's libc then tells each server with
 * _IO_DUP, as POSIX wants fds shared with the parent), its signal mask and
 * actions are the parent's, its pending signals none.
 *
 * The parent's reply waits until the child sends _PROC_FORKED (struct
 * _proc_hdr; reply 0), or ends: until then a server knows the child's
 * connections only as the parent's, and a parent closing its end of a pipe
 * right after fork would leave the pipe with no writer (end of file for a
 * reader the child was about to write to).
 * Errors: ENOSYS (the caller has made a thread: fork is for
 * single-threaded processes), EAGAIN (process limit), ENOMEM. */

/* ---- wait -------------------------------------------------------------------
 *
 * Reply: struct _proc_wait_reply when a child matched (pid 0 with WNOHANG
 * when none has changed yet).  Without WNOHANG taskman replies only when a
 * child changes state; a signal to the waiter unblocks it (EINTR).
 * Errors: ECHILD (no such child), EINVAL (bad idtype or options). */
#define _PROC_P_ALL    0
#define _PROC_P_PID    1
#define _PROC_P_PGID   2

/* options (the values libc's <sys/wait.h> uses). */
#define _PROC_WNOHANG     0x01u
#define _PROC_WUNTRACED   0x02u  /* also stopped children (WSTOPPED) */
#define _PROC_WCONTINUED  0x08u
#define _PROC_WEXITED     0x04u  /* waitid: ended children (waitpid implies it) */
#define _PROC_WNOWAIT     0x20u  /* waitid: leave the child waitable */

struct _proc_wait {
	struct _proc_hdr hdr;           /* _PROC_WAIT */
	int32_t idtype;                 /* _PROC_P_* */
	int32_t id;                     /* pid or pgid; P_PGID 0: the caller's group */
	uint32_t options;               /* _PROC_W* */
	uint32_t zero;
};

/* The status word, in the encoding <sys/wait.h>'s macros read:
 *   exited with code c:   (c & 0xff) << 8
 *   killed by signal s:   s (| 0x80 if a core was written; Keel writes none)
 *   stopped by signal s:  (s << 8) | 0x7f
 *   continued:            0xffff */
#define _PROC_W_EXITCODE(c)   (((c) & 0xff) << 8)
#define _PROC_W_SIGNALED(s)   ((s) & 0x7f)
#define _PROC_W_STOPPED(s)    (((s) << 8) | 0x7f)
#define _PROC_W_CONTINUED     0xffff

/* si_code values of waitid (POSIX CLD_*). */
#define _PROC_CLD_EXITED     1
#define _PROC_CLD_KILLED     2
#define _PROC_CLD_DUMPED     3
#define _PROC_CLD_TRAPPED    4
#define _PROC_CLD_STOPPED    5
#define _PROC_CLD_CONTINUED  6

struct _proc_wait_reply {
	int32_t pid;                    /* 0: WNOHANG and nothing yet */
	int32_t status;                 /* encoded as above */
	int32_t code;                   /* _PROC_CLD_* */
	int32_t signo;                  /* the signal (killed, stopped) or exit code */
	uint32_t uid;                   /* the child's real uid */
	uint32_t zero;
	uint64_t utime_ns, stime_ns;    /* the child's CPU time (for times/getrusage) */
};

_Static_assert(sizeof(struct _proc_wait) == 24, "struct _proc_wait layout");
_Static_assert(sizeof(struct _proc_wait_reply) == 40, "struct _proc_wait_reply layout");

/* ---- ids, groups and sessions ---------------------------------------------
 *
 * _PROC_GETIDS: struct _proc_ids_req; reply struct _proc_ids (ESRCH).  With
 *   subtype _PROC_GETIDS_ORPHANED the reply is only a status: 1 if the
 *   process's group is orphaned (POSIX: the parent of every member is in
 *   the group or outside its session), else 0.  With subtype
 *   _PROC_GETIDS_GROUP the request is struct _proc_group_req and the reply
 *   only a status: 1 if process group pgid has a member in session sid,
 *   else 0 (how a terminal server checks tcsetpgrp's group, POSIX EPERM).
 * _PROC_SETPGID: struct _proc_setpgid (POSIX rules: EINVAL, EACCES after
 *   the child has exec'd, EPERM across sessions or for a session leader,
 *   ESRCH); reply status 0.
 * _PROC_SETSID: struct _proc_hdr; reply status the new session id (EPERM
 *   for a process group leader).
 * _PROC_SETCTTY: struct _proc_setctty then the terminal's path (pathlen
 *   bytes with its NUL), sent by the terminal's server (the process whose
 *   path-space name covers that path: EPERM for anyone else) when process
 *   pid opened the terminal without O_NOCTTY.  If pid leads a session that
 *   has no controlling terminal and no other session has this one, the
 *   terminal becomes its session's controlling terminal (reply 0); else
 *   EPERM (no session leader), EEXIST (the session has one) or EBUSY
 *   (another session has this one).  pid 0: the terminal is gone (a
 *   pseudo-terminal pair ended) and no session keeps it.  The path
 *   /dev/tty then opens the caller's session's controlling terminal (the
 *   path manager answers with a link to its path; ENXIO without one); a
 *   session loses it when its leader ends. */
struct _proc_ids_req {
	struct _proc_hdr hdr;           /* _PROC_GETIDS */
	int32_t pid;                    /* 0: the caller */
	uint32_t zero;
};

struct _proc_ids {
	int32_t pid, ppid, pgid, sid;
	uint32_t flags;                 /* _PROC_IDS_* */
	uint32_t zero;
};

/* A forked or spawned child still taking over its parent's descriptors
 * (_IO_DUP naming the parent's connections), until its _PROC_FORKED or its
 * first exec: servers let a child share a parent's open only then. */
#define _PROC_IDS_INHERITING  0x1u

#define _PROC_GETIDS_ORPHANED  1       /* _proc_hdr.subtype of _PROC_GETIDS */
#define _PROC_GETIDS_GROUP     2       /* the same, with struct _proc_group_req */

struct _proc_group_req {
	struct _proc_hdr hdr;           /* _PROC_GETIDS, subtype _PROC_GETIDS_GROUP */
	int32_t pgid;
	int32_t sid;
};

_Static_assert(sizeof(struct _proc_group_req) == sizeof(struct _proc_ids_req),
	       "one request size for _PROC_GETIDS");

struct _proc_setpgid {
	struct _proc_hdr hdr;           /* _PROC_SETPGID */
	int32_t pid;                    /* 0: the caller */
	int32_t pgid;                   /* 0: pid */
};

struct _proc_setctty {
	struct _proc_hdr hdr;           /* _PROC_SETCTTY */
	int32_t pid;                    /* the session leader; 0: drop the terminal */
	uint32_t pathlen;
};

/* _PROC_SETCTTY with subtype _PROC_SETCTTY_HOLDER (pid ignored) changes
 * nothing: the reply status is the id of the session whose controlling
 * terminal the path is, or 0 (the path's server only, as for _PROC_SETCTTY:
 * EPERM for anyone else). */
#define _PROC_SETCTTY_HOLDER  1

/* The pulse taskman sends the server of a session's controlling terminal
 * when the session's leader ends (POSIX _exit: SIGHUP to that terminal's
 * foreground process group, and the terminal is the session's no more),
 * value the session id, on a connection to the channel that serves the
 * terminal's path.  A terminal server leaves this code free for it and,
 * since any client can send it any pulse, asks _PROC_SETCTTY_HOLDER before
 * it hangs anyone up. */
#define _PROC_PULSE_CTTY_GONE 127

/* _PROC_SETCRED: subtype says which call; ids[] as that call takes them
 * (-1: unchanged, for the re/res forms).  POSIX permission rules (EPERM,
 * EINVAL). */
#define _PROC_SETUID     1   /* ids[0] */
#define _PROC_SETEUID    2
#define _PROC_SETREUID   3   /* ids[0] real, ids[1] effective */
#define _PROC_SETRESUID  4   /* real, effective, saved */
#define _PROC_SETGID     5
#define _PROC_SETEGID    6
#define _PROC_SETREGID   7
#define _PROC_SETRESGID  8
#define _PROC_SETGROUPS  9   /* ngroups, groups[] */

#define _PROC_NGROUPS_MAX 32

struct _proc_setcred {
	struct _proc_hdr hdr;           /* _PROC_SETCRED, subtype _PROC_SET* */
	int32_t ids[3];
	uint32_t ngroups;
	uint32_t groups[_PROC_NGROUPS_MAX];
};

_Static_assert(sizeof(struct _proc_ids) == 24, "struct _proc_ids layout");
_Static_assert(sizeof(struct _proc_setcred) == 152, "struct _proc_setcred layout");

/* ---- the machine's end ------------------------------------------------------
 *
 * _PROC_SYSRESET, struct _proc_hdr with subtype _PROC_SYSRESET_REBOOT or
 * _PROC_SYSRESET_POWEROFF: taskman ends the machine at once (the kernel's
 * SystemReset); nothing is stopped or synced first, which is init's work
 * before it asks.  No reply on success.  Errors: EPERM the caller's
 * effective uid is not 0; EINVAL another subtype. */
#define _PROC_SYSRESET_POWEROFF 0
#define _PROC_SYSRESET_REBOOT   1

/* ---- resource limits --------------------------------------------------------
 *
 * subtype 0: get (reply struct _proc_rlimit with the values);
 * subtype 1: set (reply status 0; EPERM raising max without euid 0,
 * EINVAL cur > max or a bad resource). */
#define _PROC_RLIMIT_CORE    0
#define _PROC_RLIMIT_CPU     1
#define _PROC_RLIMIT_DATA    2
#define _PROC_RLIMIT_FSIZE   3
#define _PROC_RLIMIT_NOFILE  4
#define _PROC_RLIMIT_STACK   5
#define _PROC_RLIMIT_AS      6
#define _PROC_RLIMIT_NPROC   7
#define _PROC_RLIMIT_COUNT   8
#define _PROC_RLIM_INFINITY  (~(uint64_t)0)

struct _proc_rlimit {
	struct _proc_hdr hdr;           /* _PROC_RLIMIT */
	int32_t resource;
	uint32_t zero;
	uint64_t cur, max;
};

_Static_assert(sizeof(struct _proc_rlimit) == 32, "struct _proc_rlimit layout");

/* ---- memory -------------------------------------------------------------------
 *
 * _PROC_MMAP: struct _proc_mmap; reply struct _proc_mmap_reply.
 *   prot: PROT_* of <keel/procmgr.h>; flags below.  addr is a hint unless
 *   MAP_FIXED (which replaces what was mapped there).  Anonymous memory is
 *   zeroed.  PROT_WRITE|PROT_EXEC together is EINVAL (W^X); an executable
 *   mapping is made coherent on every hart before it is returned.
 *   _PROC_MAP_PHYS maps the physical range at paddr (drivers only: EPERM
 *   without KCALL_PRIV_IO); _PROC_MAP_ANON|_PROC_MAP_CONTIG gives
 *   physically contiguous memory for DMA and replies its physical address.
 *   _PROC_MAP_NOREPLACE is MAP_FIXED that fails with EEXIST instead of
 *   replacing (libc's heap grows with it).  _PROC_MAP_SHARED with
 *   _PROC_MAP_ANON is memory that stays shared with the children the
 *   process forks (each writes the same pages).  _PROC_MAP_CONTIG (drivers
 *   too) replies the physical address in paddr.  A mapping that would take
 *   the process's mapped bytes past its RLIMIT_AS is ENOMEM.
 *   Errors: ENOMEM (no memory, no room, or RLIMIT_AS), EINVAL, EPERM.
 *   _PROC_MAP_SHARED|_PROC_MAP_GRANT maps a shared memory object's pages
 *   that its server granted this process (paddr: the grant, used up): len
 *   and prot within the grant's, else EACCES; an unknown grant is EINVAL.
 * _PROC_MUNMAP, _PROC_MPROTECT: struct _proc_mmap with addr, len (and
 *   prot); reply status 0.  A read-only mapping of an object never becomes
 *   writable (EACCES).
 *
 * _PROC_SHM_GRANT: struct _proc_shm_grant; reply struct _proc_shm_grant_reply.
 *   A server of shared memory objects (/dev/shmem) lets process `pid` map
 *   len bytes of its own object pages at va with at most prot: the grant
 *   is a number only pid can use, once (_PROC_MMAP with _PROC_MAP_GRANT),
 *   and the oldest grants are forgotten when many are outstanding.  How a
 *   client gets one: _IO_MMAP on its open of the object (<keel/iomsg.h>).
 *   Errors: EINVAL (bad range or prot, or pid not a live process). */
struct _proc_shm_grant {
	struct _proc_hdr hdr;           /* _PROC_SHM_GRANT */
	int32_t pid;                    /* who may map it */
	uint32_t prot;                  /* PROT_READ, PROT_WRITE at most */
	uint64_t va;                    /* in the sender's space, page-aligned */
	uint64_t len;                   /* page-aligned, > 0 */
};

struct _proc_shm_grant_reply {
	uint64_t grant;
};

_Static_assert(sizeof(struct _proc_shm_grant) == 32, "struct _proc_shm_grant layout");
#define _PROC_MAP_SHARED    0x0001u
#define _PROC_MAP_PRIVATE   0x0002u
#define _PROC_MAP_FIXED     0x0010u
#define _PROC_MAP_ANON      0x0080u
#define _PROC_MAP_PHYS      0x0100u
#define _PROC_MAP_CONTIG    0x0200u
#define _PROC_MAP_STACK     0x0400u  /* a stack: one unmapped guard page below */
#define _PROC_MAP_NOREPLACE 0x0800u  /* at addr exactly, EEXIST if anything is there */
#define _PROC_MAP_GRANT     0x1000u  /* the pages of grant paddr (_PROC_SHM_GRANT) */

struct _proc_mmap {
	struct _proc_hdr hdr;           /* _PROC_MMAP, _PROC_MUNMAP, _PROC_MPROTECT */
	uint64_t addr;
	uint64_t len;
	uint32_t prot;
	uint32_t flags;
	uint64_t paddr;                 /* _PROC_MAP_PHYS */
};

struct _proc_mmap_reply {
	uint64_t addr;
	uint64_t paddr;                 /* _PROC_MAP_CONTIG: the physical address */
};

_Static_assert(sizeof(struct _proc_mmap) == 40, "struct _proc_mmap layout");

/* ---- the path space ------------------------------------------------------------
 *
 * _PROC_PATH_ATTACH: struct _proc_path_attach then the path (pathlen bytes
 *   with its NUL, absolute, no "." or ".." parts).  The caller's channel
 *   chid answers _IO_CONNECT for names under it (or for the name itself
 *   without _PROC_PATH_DIR), with `handle` in the connect message.  Several
 *   servers at one path form a union, tried newest first, or in the order
 *   _PROC_PATH_BEFORE/_PROC_PATH_AFTER ask.  Reply status: the attachment's
 *   id (> 0).  Errors: EINVAL, ENOMEM, EEXIST (the same chid and path twice).
 * _PROC_PATH_DETACH: struct _proc_path_detach; only the process that
 *   attached may detach (EPERM).  A process's end detaches all its names.
 * _PROC_PATH_LINK: struct _proc_path_attach (chid unused, handle 0), the
 *   link's path, then the target (targetlen bytes with its NUL): a symbolic
 *   link in the path space, e.g. /etc -> /usr/conf.  PRIV_PROCMGR or
 *   euid 0 only (EPERM).
 * The path space's own directories: a path that no name is but names lie
 *   below (/dev, with /dev/null and /dev/pts under it) is a directory of
 *   the path space.  A server attached with _PROC_PATH_VDIRS (path "/",
 *   one at a time: EEXIST) is the last entry of the redirect for such a
 *   path, after every server whose name covers it: an open that the file
 *   systems answer with ENOENT reaches it, with the whole path less its
 *   leading '/' (prefix_len 0).  It lists the directory with
 *   _PROC_PATH_LIST.
 * _PROC_PATH_LIST: struct _proc_path_list then the path (pathlen bytes with
 *   its NUL, clean and absolute).  Reply status: how many struct
 *   _proc_path_entry follow (at most _PROC_PATH_LIST_MAX, 0 at the end):
 *   each name one level below path, once, from position `from` (0 first;
 *   an entry's `next` is the position after it).  ENOENT if path is no
 *   directory of the path space (a name is path itself, or none is below).
 *   With subtype _PROC_PATH_LIST_BELOW, the names below path also when a
 *   name is path itself (a file system's directory: what is mounted in
 *   it, which libc's readdir adds to the file system's own entries), and
 *   no ENOENT: 0 entries when none lies below. */
#define _PROC_PATH_DIR      0x0001u  /* serves the names below path, too */
#define _PROC_PATH_BEFORE   0x0002u  /* first in a union */
#define _PROC_PATH_AFTER    0x0004u  /* last in a union */
#define _PROC_PATH_FTYPEONLY 0x0008u /* answers only connects of its file_type */
#define _PROC_PATH_VDIRS    0x0010u  /* serves the path space's own directories */

struct _proc_path_attach {
	struct _proc_hdr hdr;           /* _PROC_PATH_ATTACH or _PROC_PATH_LINK */
	uint32_t flags;                 /* _PROC_PATH_* */
	int32_t chid;
	uint32_t handle;
	uint32_t file_type;             /* _FTYPE_* of <keel/iomsg.h> */
	uint32_t pathlen;
	uint32_t targetlen;             /* _PROC_PATH_LINK */
};

struct _proc_path_detach {
	struct _proc_hdr hdr;           /* _PROC_PATH_DETACH */
	int32_t id;
	uint32_t zero;
};

_Static_assert(sizeof(struct _proc_path_attach) == 32, "struct _proc_path_attach layout");

#define _PROC_PATH_LIST_MAX 16
#define _PROC_PATH_LIST_BELOW 1         /* subtype: below any path, no ENOENT */
#define _PROC_PATH_NAME_MAX 58          /* a listed name's bytes, its NUL not counted */

struct _proc_path_list {
	struct _proc_hdr hdr;           /* _PROC_PATH_LIST */
	uint32_t from;                  /* position: 0, or an entry's next */
	uint32_t pathlen;
};

struct _proc_path_entry {
	uint32_t next;                  /* the position after this entry */
	uint8_t type;                   /* DT_DIR, DT_LNK or DT_UNKNOWN (<dirent.h>) */
	char name[_PROC_PATH_NAME_MAX + 1];
};

_Static_assert(sizeof(struct _proc_path_list) == 16, "struct _proc_path_list layout");
_Static_assert(sizeof(struct _proc_path_entry) == 64, "struct _proc_path_entry layout");

/* ---- process information ---------------------------------------------------------
 *
 * _PROC_INFO: struct _proc_info_req; reply struct _proc_info followed by
 * the process's argument strings (argslen bytes, NUL-separated, cut to what
 * fits the reply buffer).  pid 0 is the caller; with _PROC_INFO_NEXT the
 * first live process with a pid above `pid` (ESRCH when there is none), so
 * a walk over all processes starts at pid 0 with NEXT. */
#define _PROC_INFO_NEXT     1   /* subtype */

struct _proc_info_req {
	struct _proc_hdr hdr;           /* _PROC_INFO */
	int32_t pid;
	uint32_t zero;
};

#define _PROC_STATE_RUNNING  'R'
#define _PROC_STATE_STOPPED  'T'
#define _PROC_STATE_ZOMBIE   'Z'

struct _proc_info {
	int32_t pid, ppid, pgid, sid;
	uint32_t ruid, euid, rgid, egid;
	uint32_t nthreads;
	uint32_t state;                 /* _PROC_STATE_* */
	uint64_t mem_bytes;             /* bytes its space maps (taskman: its heap) */
	uint64_t start_ns;              /* CLOCK_MONOTONIC at its start */
	uint32_t argslen;
	char name[36];                  /* the image's path, cut */
	uint64_t shared_bytes;          /* of mem_bytes: shared memory objects */
	uint64_t cow_bytes;             /* of mem_bytes: RAM shared copy-on-write */
};

_Static_assert(sizeof(struct _proc_info) == 112, "struct _proc_info layout");

/* ---- the boot image ----------------------------------------------------------------
 *
 * _PROC_BOOTIMG: struct _proc_bootimg.  The boot image (the initrd, a CPIO
 * archive in newc format) is read-only, and root's to read (the boot file
 * system's: it applies each file's mode; the image holds /etc/shadow).
 * Reply: up to len bytes from offset (fewer at the end; none past it),
 * status the number of bytes, or with len 0 the image's size.  Errors:
 * ENOENT (no boot image), EPERM (not root). */
struct _proc_bootimg {
	struct _proc_hdr hdr;           /* _PROC_BOOTIMG */
	uint64_t offset;
	uint64_t len;
};

_Static_assert(sizeof(struct _proc_bootimg) == 24, "struct _proc_bootimg layout");

/* ---- what a new image finds on its stack ------------------------------------------
 *
 * <keel/start.h> gives a0 = argc, a1 = argv, a2 = envp, a3 = auxv: an array
 * of (type, value) pairs of uint64_t ending with AT_NULL.  The types below
 * keep the ELF numbers where ELF has one. */
#define AT_NULL              0
#define AT_PAGESZ            6
#define AT_ENTRY             9
#define AT_UID               11
#define AT_EUID              12
#define AT_GID               13
#define AT_EGID              14
#define AT_SECURE            23
#define AT_RANDOM            25      /* 16 random bytes */
#define AT_EXECFN            31      /* the path run */
#define AT_KEEL_SPAWNDATA    0x4b00  /* the spawn message's startup data */
#define AT_KEEL_SPAWNDATALEN 0x4b01
#define AT_KEEL_PID          0x4b02
#define AT_KEEL_STACKBASE    0x4b03  /* lowest address of the stack mapping */
#define AT_KEEL_STACKSIZE    0x4b04
