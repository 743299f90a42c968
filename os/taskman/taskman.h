#pragma once
/* taskman, the process manager: the first process, and the only one that
 * may create processes and address spaces (KCALL_PRIV_PROCMGR).  The kernel
 * keeps mechanism (spaces, threads, messages); taskman keeps POSIX policy:
 * the process table with parents, groups, sessions and zombies, spawn from
 * ELF images, wait, and the path space (which server owns which name).
 *
 * Threads: the message loop (main.c) never waits on anything but
 * MsgReceive; every spawn's image is read and loaded by a loader thread of
 * its own (spawn.c); one reaper thread learns of every process's end from
 * the kernel (ProcessWait) and settles it (proc.c).  All shared state
 * (process table, path space, pending waits) is under one mutex, tm_lock,
 * held only for table work, never across a message or a kernel call that
 * blocks.
 *
 * taskman runs on the freestanding runtime (os/user): libc's fds and
 * stdio are built on taskman's own messages, and taskman must never send
 * a message to itself. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <keel/iomsg.h>
#include <keel/msg.h>
#include <keel/procmgr.h>
#include <keel/procmsg.h>
#include "urt.h"

/* ---- the lock ---------------------------------------------------------------- */
void tm_lock(void);
void tm_unlock(void);

/* ---- the boot image (bootimg.c) --------------------------------------------------- */
/* Remembers where the kernel mapped the boot image (len bytes). */
void bootimg_init(uint64_t len);
/* The file at path (absolute) in the boot image: 0 and its bytes, -ENOENT,
 * or -EACCES when it is not a regular file. */
int bootimg_find(const char *path, const void **data, size_t *size);
/* The same, with the file's mode, owner and group (of the file a chain of
 * symbolic links ends at). */
struct bootimg_file {
	uint32_t mode, uid, gid;
};
int bootimg_find_file(const char *path, const void **data, size_t *size, struct bootimg_file *f);
/* _PROC_BOOTIMG: replies bytes of the image. */
void bootimg_msg(int rcvid, const struct _msg_info *info, const void *msg, size_t len);

/* ---- memory for taskman itself (mem.c) --------------------------------------------- */
/* Zeroed pages of taskman's own, at least `bytes` long, or NULL.  Freed
 * with tm_free(ptr, the same bytes). */
void *tm_alloc(size_t bytes);
void tm_free(void *p, size_t bytes);
/* _PROC_MMAP, _PROC_MUNMAP, _PROC_MPROTECT for the sender's own space. */
void mem_msg_mmap(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
/* _PROC_SHM_GRANT: a server's pages for one client's mmap. */
void mem_msg_grant(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
/* The record of read-only shares (mem.c; tm_lock held): a fork's child
 * gets its parent's (mem_fork_room first: false if the table could not
 * take them), exec and the end drop a process's. */
void mem_fork(int32_t parent, int32_t child);
bool mem_fork_room(int32_t parent);
void mem_process_gone(int32_t pid);
/* Bytes of taskman's own memory in use now (its heap, not its image). */
size_t tm_heap_bytes(void);

/* ---- processes (proc.c) ------------------------------------------------------------ */
#define TM_PROCS        1024
#define TM_NAME         36
#define TM_CTTY         32
#define TM_ARGS         128     /* argument bytes kept per process, for _PROC_INFO */

enum tproc_state { TP_FREE = 0, TP_LOADING, TP_ALIVE, TP_ZOMBIE };

struct tproc {
	int32_t pid;
	int32_t ppid, pgid, sid;
	uint8_t state;                  /* enum tproc_state */
	bool execed;                    /* setpgid by the parent is EACCES after exec */
	bool nozombie;                  /* nobody waits: reaped at its end */
	int32_t wstatus;                /* TP_ZOMBIE: the status word */
	int32_t code, signo;            /* TP_ZOMBIE: CLD_* and the signal or exit code */
	uint8_t news;                   /* a stop (CLD_STOPPED) or continue (CLD_CONTINUED)
					 * not yet reported to a wait, or 0 */
	int32_t stopsig;                /* the signal of that stop */
	struct _cred_info cred;
	uint32_t privs;                 /* KCALL_PRIV_* the kernel gave it */
	struct tm_grant { uint64_t pa, len; } grants[AS_GRANTS_MAX];
	uint32_t ngrants;               /* device ranges its space was granted (AS_MAP_GRANT):
					 * given again to the space of an exec */
	int32_t fork_rcvid;             /* a forked child: its parent's fork, unreplied */
	bool inheriting;                /* a child taking over its parent's fds (_PROC_IDS_*) */
	uint64_t start_ns;
	uint64_t rlim_cur[_PROC_RLIMIT_COUNT], rlim_max[_PROC_RLIMIT_COUNT];
	char name[TM_NAME];
	char args[TM_ARGS];             /* its argv, NUL-separated, cut at TM_ARGS */
	uint32_t argslen;
	uint64_t mmap_next;             /* where the next mmap without an address looks first */
	char ctty[TM_CTTY];             /* a session leader: its session's controlling
					 * terminal's path, "" for none */
};

/* The pid of the first program taskman started (orphans go to it while it
 * lives), 0 before. */
extern int32_t tm_init_pid;

/* Callers hold tm_lock. */
struct tproc *proc_find(int32_t pid);
/* A new entry for a process being loaded, its parent's ids and limits
 * copied, or NULL when the table is full. */
struct tproc *proc_new(const struct tproc *parent);
void proc_free(struct tproc *p);
/* The living session leader other than pid `except` whose controlling
 * terminal is path, or NULL. */
struct tproc *proc_ctty_holder(const char *path, int32_t except);
/* Counts processes (not zombies) of a real uid, for RLIMIT_NPROC. */
int proc_count_uid(uint32_t ruid);

/* The reaper thread's body: never returns. */
void *proc_reaper(void *arg);
/* Handlers of the message loop (take the lock themselves). */
void proc_msg_wait(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void proc_msg_getids(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void proc_msg_setpgid(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void proc_msg_setsid(int rcvid, const struct _msg_info *info);
void proc_msg_rlimit(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void proc_msg_daemon(int rcvid, const struct _msg_info *info);
void proc_msg_sysreset(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void proc_msg_info(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
/* A client REPLY-blocked on taskman asked to be unblocked (a signal). */
void proc_unblock(int rcvid);

/* The kernel keeps p's group and session for SignalKill to a group and for
 * ConnectClientInfo: told after every change.  Caller holds tm_lock. */
void proc_sync_group(const struct tproc *p);
/* Is there a live (or loading) process of group pgid in session sid? */
bool group_in_session(int32_t pgid, int32_t sid);

/* ---- credentials (cred.c) ---------------------------------------------------------- */
void cred_msg_set(int rcvid, const struct _msg_info *info, const void *msg, size_t len);

/* ---- spawn (spawn.c) ------------------------------------------------------------- */
/* A _PROC_SPAWN message: checks it, then a loader thread builds and starts
 * the process and replies.  msg holds the first `got` bytes received. */
void spawn_msg(int rcvid, const struct _msg_info *info, const void *msg, size_t got);
/* A _PROC_FORK message. */
void fork_msg(int rcvid, const struct _msg_info *info);
/* _PROC_FORKED from a child, or its end: its parent's fork is answered.
 * Callers hold tm_lock. */
void fork_release(struct tproc *child);
void forked_msg(int rcvid, const struct _msg_info *info);
/* Starts the first program (taskman's own arguments) with every privilege
 * taskman holds, as the kernel used to start it.  Its pid, or -errno. */
int spawn_first(int argc, char **argv);

/* ---- the path space (path.c) --------------------------------------------------------- */
void path_msg_attach(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void path_msg_detach(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void path_msg_connect(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
void path_msg_list(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
/* _PROC_SETCTTY from a terminal's server. */
void path_msg_setctty(int rcvid, const struct _msg_info *info, const void *msg, size_t len);
/* A process ended: its names go.  Caller holds tm_lock. */
void path_process_gone(int32_t pid);
/* Session leader l ended (tm_lock held, l no longer alive): the server of
 * its session's controlling terminal, if it has one, hears of it
 * (_PROC_PULSE_CTTY_GONE: it hangs up the terminal's foreground group),
 * and the session has the terminal no more. */
void path_ctty_ended(struct tproc *l);

/* ---- small helpers (util.c) ---------------------------------------------------------- */
/* MsgError(rcvid, err) for a positive errno. */
void tm_error(int rcvid, int err);
uint64_t tm_now_ns(void);
size_t tm_strlcpy(char *dst, const char *src, size_t size);
