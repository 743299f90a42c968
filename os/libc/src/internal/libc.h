#pragma once
/* libc's internal interfaces: hidden, never part of the ABI.  Each thread
 * has a record (struct __pthread) just below its tp; its TLS block starts
 * at tp.  Fields are written by the thread itself unless marked. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sys/types.h>
#include <time.h>
#include <keel/iomsg.h>
#include <keel/kcall.h>
#include <keel/neutrino.h>
#include <keel/start.h>
#include "thread_layout.h"

#pragma GCC visibility push(hidden)

#define __KEYS_MAX 128                  /* PTHREAD_KEYS_MAX */

/* Thread states for pthread_detach/join/exit (struct __pthread.state). */
#define __T_JOINABLE  0
#define __T_DETACHED  1                 /* detached while running */
#define __T_EXITING   2                 /* ended joinable: a joiner reaps it */

struct __cleanup {
	void (*fn)(void *);
	void *arg;
	struct __cleanup *next;
};

struct __pthread {
	struct __pthread *self;         /* == this record: pthread_self's sanity mark */
	uint32_t tid;                   /* written by the thread and its creator, same value */
	int32_t state;                  /* __T_*: changed only by atomic compare-and-swap */
	void *(*start)(void *);         /* set by the creator before ThreadCreate */
	void *arg;
	void *result;                   /* pthread_exit's value, read by the joiner */
	void *block;                    /* malloc'd stack+record+TLS; NULL for main */
	size_t block_size;
	struct __pthread *next_dead;    /* on the reaper's list once detached and ended */
	struct __cleanup *cleanup;      /* pthread_cleanup_push's chain */
	sync_t sleep;                   /* a semaphore nobody posts: nanosleep waits on it */
	int32_t cancel;                 /* __CANCEL_* bits; only pthread_cancel's bit is set by
					 * other threads: every change is atomic */
	int32_t cancel_async;           /* PTHREAD_CANCEL_ASYNCHRONOUS */
	int32_t cancel_sigmasked;       /* SIGCANCEL left blocked by its handler (cancel.c) */
	int32_t sig_depth;              /* signal handlers running on this thread (sigaction.c):
					 * nonzero, libc takes none of its locks nor malloc in
					 * an async-signal-safe call */
	uint32_t tsd_key[__KEYS_MAX];   /* the key each value was set with (its generation) */
	void *tsd[__KEYS_MAX];          /* pthread_setspecific's values */
	int32_t poll_chid, poll_coid;   /* poll's channel and its side connection (0: none) */
};

_Static_assert(sizeof(struct __pthread) <= KEEL_THREAD_RECORD_SIZE,
	       "struct __pthread outgrew KEEL_THREAD_RECORD_SIZE (thread_layout.h)");

static inline struct __pthread *__self(void)
{
	char *tp;

	__asm__("mv %0, tp" : "=r"(tp));
	return (struct __pthread *)(tp - KEEL_THREAD_RECORD_SIZE);
}

/* Cancellation (thread/cancel.c).  struct __pthread.cancel is PENDING
 * (pthread_cancel was called), DISABLED (PTHREAD_CANCEL_DISABLE, or the
 * thread is ending), plus HOLD for every libc-internal lock or section the
 * thread is in: a request is acted on only when the word is exactly
 * PENDING, so a cancellation point reached inside stdio, malloc or a
 * pthread_once waits for the next one outside.  SIGCANCEL (reserved, above
 * SIGRTMAX) wakes a blocked thread; user masks never block it. */
#define __CANCEL_PENDING  1
#define __CANCEL_DISABLED 2
#define __CANCEL_HOLD     4
#define __SIGCANCEL       _SIGMAX

static inline void __cancel_hold(void)
{
	__atomic_fetch_add(&__self()->cancel, __CANCEL_HOLD, __ATOMIC_RELAXED);
}

static inline void __cancel_unhold(void)
{
	__atomic_fetch_sub(&__self()->cancel, __CANCEL_HOLD, __ATOMIC_RELAXED);
}

/* The process's signal entry (signal/sigstub.S). */
void __sigstub(void);
/* Whether the calling thread runs a signal handler: an async-signal-safe
 * call must then take no libc lock the code it interrupted may hold, and
 * no malloc. */
static inline bool __in_handler(void)
{
	return __self()->sig_depth != 0;
}
/* Unblocks SIGCANCEL if its handler left it blocked for this thread (for a
 * new thread, an exec'd image, a user's mask that leaves it out). */
void __cancel_unmask(void);
/* fork's child forgets the parent's ITIMER_REAL timer (time/alarm.c). */
void __itimer_forget(void) __attribute__((weak));
/* Memory for an exec's message (malloc/mman.c): mmap'd, no lock taken. */
void *__exec_alloc(size_t n);
void __exec_free(void *p, size_t n);
/* Acts on the calling thread's request: pthread_exit(PTHREAD_CANCELED). */
__attribute__((noreturn)) void __cancel_now(void);

/* A kernel call as a cancellation point: kernel call `num` with a0..a5,
 * unless the thread's request is to be acted on first, before the call
 * starts, while it blocks (a signal breaks it), or as it ends with EINTR;
 * then it never returns.  Otherwise the call's raw result. */
long __cp_call(long a0, long a1, long a2, long a3, long a4, long a5, long num,
	       const int32_t *cancel);

static inline long __kcall_cp(long num, long a0, long a1, long a2, long a3, long a4, long a5)
{
	struct __pthread *t = __self();
	long r = __cp_call(a0, a1, a2, a3, a4, a5, num, &t->cancel);

	if (__builtin_expect(r == -EINTR, 0) &&
	    __atomic_load_n(&t->cancel, __ATOMIC_ACQUIRE) == __CANCEL_PENDING)
		__cancel_now();         /* the call was broken off: nothing happened */
	return r;
}

/* pthread_testcancel's test, for a cancellation point that is no one
 * kernel call (open, close, fsync, tcdrain). */
static inline void __testcancel(void)
{
	if (__builtin_expect(__atomic_load_n(&__self()->cancel, __ATOMIC_ACQUIRE) ==
			     __CANCEL_PENDING, 0))
		__cancel_now();
}

/* The kernel's result r (>= 0 or -errno) as a Foo()-shaped result: r, or
 * -1 with errno set. */
long __syscall_ret(long r);
/* fork's child: getpid asks the kernel again (getpid.c). */
void __pid_forget(void);

/* Keel's clock id for a POSIX one, or -1 if there is none. */
int __clock_kernel(int clockid);
/* The current time of kernel clock kid in ns; 0 on failure (never a valid
 * reading of the realtime or monotonic clock after boot). */
uint64_t __clock_now(int kid);
/* A timespec as ns: -EINVAL if tv_nsec is outside [0, 1e9) or tv_sec < 0. */
int __timespec_ns(const struct timespec *ts, uint64_t *ns);

/* Arms the caller's next blocking call in `states` to end with -ETIMEDOUT
 * at the absolute time abs on POSIX clock `clockid` (CLOCK_REALTIME or
 * CLOCK_MONOTONIC).  0, -EINVAL (bad clock or timespec) or -ETIMEDOUT (the
 * time has already passed). */
int __timeout_abs(int clockid, unsigned states, const struct timespec *abs);

/* Whether [p, p+n) may be a user buffer: not NULL, inside the user half,
 * no wrap-around.  Unmapped pages inside it are not caught here. */
bool __uptr_ok(const void *p, size_t n);

/* The tid of the calling thread. */
static inline uint32_t __tid(void)
{
	return __self()->tid;
}

/* Runs the thread-specific-data destructors of the calling thread. */
void __tsd_run_dtors(void);
/* The key table: slot i's current key (generation << 8 | i, 0 if free) and
 * destructor.  Guarded by __key_lock. */
struct __key_slot {
	uint32_t key;
	void (*dtor)(void *);
};
extern struct __key_slot __keys[__KEYS_MAX];

/* A mutex's timed lock: abstime NULL waits forever. */
int __mutex_timedlock(pthread_mutex_t *m, const struct timespec *abstime);

/* Sets up the main thread's record (crt0 placed it below tp). */
void __pthread_init_main(void);
/* Joins and frees detached threads that have ended. */
void __pthread_reap(void);
/* Frees an ended thread's block (kept for the next pthread_create when it
 * has the default size). */
void __pthread_free_block(void *block, size_t size);

/* Destroys the calling thread's poll channel (thread end), or forgets it
 * (after fork: the child's copy of the connection names the parent's). */
void __poll_channel_drop(bool forget);

/* Console output for fds 1 and 2 until fds are connections to servers. */
long __debug_write(const void *buf, size_t n);

/* File descriptors are connections (coids below _NTO_SIDE_CHANNEL) to
 * resource managers.  libc remembers each one's server for dup.  Until a
 * console server exists, fds 0..2 that are not connections are the
 * kernel console ("console fds": write goes to DebugPutString, read is at
 * end of file) until closed or replaced by dup2. */
#define __FD_MAX 1024
struct __fd {
	int32_t pid, chid;              /* the server; pid 0: not libc's connection */
	uint32_t flags;                 /* FD_CLOEXEC */
};
extern struct __fd __fds[__FD_MAX];
/* Whether fd is one of the console fds now. */
bool __fd_console(int fd);
/* fd leaves the console set (closed, or a connection took its number). */
void __fd_console_drop(int fd);
/* The lowest fd number a new connection may take. */
int __fd_lowest(void);
/* Sends an I/O message on fd: the reply status, or -errno (EBADF for an
 * fd that is no connection). */
long __io_sendv(int fd, const iov_t *s, size_t sn, const iov_t *r, size_t rn);
/* The same as a cancellation point (read, write and their kin). */
long __io_sendv_cp(int fd, const iov_t *s, size_t sn, const iov_t *r, size_t rn);
/* A terminal said the caller is in the background (_IO_ERR_BACKGROUND):
 * signo (SIGTTIN, SIGTTOU) to the caller's group and 0 to ask again; 1 to
 * ask again with _IO_XFLAG_TTOU_BLOCKED (SIGTTOU ignored or blocked); or
 * -EIO (SIGTTIN ignored or blocked, an orphaned group) (io/ttybg.c). */
long __tty_background(int signo);
/* A connection to (pid, chid) numbered >= lowest, or exactly `exact`
 * when that is >= 0: the fd, or -errno (EMFILE; EBADF for an exact number
 * the kernel cannot give). */
int __fd_attach(int pid, int chid, int lowest, int exact);
/* A new connection sharing fd's open, numbered >= lowest (or exactly
 * `exact` when >= 0): the new fd or -errno. */
int __fd_dup(int fd, int lowest, int exact);
/* The *at table (io/at.c): what is known of fd's directory path goes to
 * nfd too; the absolute path of directory fd (0 or -errno: ENOTSUP when
 * openat did not open it). */
void __at_dup(int fd, int nfd);
/* open() made fd from the absolute path abs (kept, checked when used). */
void __at_opened(int fd, const char *abs);
int __at_dir_path(int fd, char *out);
/* The absolute path open() remembered for fd, into out (_IO_PATH_MAX
 * bytes), if stat of it names fd's file now: 0, -EBADF (fd not open),
 * -ENOTSUP (no path known), -ENOENT (gone, or another file now). */
int __fd_path(int fd, char *out);
/* Attaches a connection to (pid, chid) at fd >= lowest and sends it the
 * connect message c with path and c->extra_len bytes of extra, the reply
 * into reply (reply_len bytes): the new fd with the server's status in
 * *status, or -errno (the connection gone).  With cp the send is a
 * cancellation point (an open of a FIFO waits there for its other end):
 * acted on, the connection is let go first. */
int __io_connect(int pid, int chid, int lowest, struct _io_connect *c, const char *path,
		 const void *extra, void *reply, size_t reply_len, long *status, bool cp);
/* Detaches fd's connection without a close message (a connect that opened
 * nothing) and forgets it. */
void __fd_forget(int fd);

/* A connect by path (open.c): the subtype, open's flags and mode, extra
 * data either verbatim (extra, extra_len: a symlink's text, a combine's
 * I/O message) or a second path of the same server (`from`, absolute and
 * clean: rename's source, a hard link's target; EXDEV when outside), and
 * where a non-open's reply data go. */
struct __connect {
	unsigned subtype;
	int oflag;
	mode_t mode;
	uint8_t eflag;                  /* set by __take_path */
	uint8_t extra_type;
	const void *extra;
	size_t extra_len;
	const char *from;
	void *reply;
	size_t reply_len;
	bool cp;                        /* the connect is a cancellation point (open) */
};
/* Sends rq for path (a _IO_PATH_MAX buffer, absolute and clean; rewritten
 * when links are followed) through the path manager and the servers it
 * names: an open's fd, another subtype's status, or -errno. */
long __connect_path(char *path, const struct __connect *rq);
/* Checks a caller's path (EFAULT, ENOENT for "", ENAMETOOLONG) and makes
 * it absolute and clean in buf; *eflag (if not NULL) says whether it
 * ended in '/'.  0 or -errno. */
int __take_path(const char *path, char *buf, uint8_t *eflag);
/* __take_path, then __connect_path: the status or -errno. */
long __path_call(const char *path, struct __connect *rq);
/* A combine (connect + one I/O message, closed at once) by path: msg of
 * len bytes, reply into reply; follow says whether a last component that
 * is a symbolic link is followed.  The status or -errno. */
long __path_combine(const char *path, bool follow, const void *msg, size_t len, void *reply,
		    size_t reply_len);
/* struct stat from the server's reply. */
struct stat;
void __stat_fill(struct stat *st, const struct _io_stat_reply *rep);
/* An I/O message on fd without data: the status or -errno. */
long __io_msg(int fd, const void *msg, size_t len, void *reply, size_t reply_len);
/* An _IO_DEVCTL on fd: in bytes of data sent, up to out bytes replied
 * into the same buffer.  0 or -errno (ENOTTY for a console fd). */
int __devctl(int fd, unsigned dcmd, void *data, size_t in, size_t out);
/* The same, with the server's return value in *info (may be NULL). */
int __devctl_info(int fd, unsigned dcmd, void *data, size_t in, size_t out, int *info);
/* A side-channel connection to taskman, made once: the coid or -1/errno. */
int __taskman_coid(void);
/* Maps [addr, addr + len) for the heap (sbrk.c): 0, -EEXIST if anything is
 * there, or another -errno (mman.c). */
int __heap_map(uintptr_t addr, size_t len);
/* taskman's ids of process pid (0: the caller): 0 or -errno. */
struct _proc_ids;
int __proc_ids(pid_t pid, struct _proc_ids *ids);
/* The working directory: absolute, clean (no "." or ".." parts, no
 * trailing '/' but for "/"). */
const char *__cwd(void);
/* Sets it (a clean absolute path); used by chdir and at start. */
void __cwd_set(const char *path);
/* path made absolute against the working directory and cleaned lexically
 * ("." and empty parts dropped, ".." removing the part before it) into
 * out (_IO_PATH_MAX bytes): 0, -ENOENT (empty) or -ENAMETOOLONG. */
int __path_abs(const char *path, char *out);
/* A spawned child's inherited fds and file actions (<keel/spawndata.h>),
 * from the auxiliary vector; a failed action ends the process (127). */
void __spawn_apply(const uint64_t *auxv);

#pragma GCC visibility pop
