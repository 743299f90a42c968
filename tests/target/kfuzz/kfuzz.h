#pragma once
/* kfuzz: what the argument generator (args.c) and the driver (kfuzz.c)
 * share.  Every call in KCALL_TABLE is fuzzed; a call's arguments are drawn
 * by kind (an id of some object, a pointer to some structure, a length...),
 * and a call without a row in the hint table (calls.c) gets ARG_ANY for each
 * of its nargs, so a new call joins the fuzzer by being in the table. */
#include <stdbool.h>
#include <stdint.h>
#include <keel/kcall.h>
#include "urt.h"

/* Argument kinds.  Id kinds draw from pools of ids the run has seen (live
 * or stale), ids of another kind (foreign) and garbage; pointer kinds draw
 * one of the pointer classes below around a well-formed object. */
enum arg_kind {
	ARG_ANY = 0,            /* any of the others */
	ARG_INT, ARG_ND, ARG_LEN, ARG_TEXTLEN, ARG_PRIO, ARG_FLAGS, ARG_STATUS,
	/* ids */
	ARG_CHID, ARG_CHID_OWN,         /* _OWN: never the servers' (destroy) */
	ARG_COID, ARG_COID_OWN,
	ARG_RCVID, ARG_SCOID, ARG_TID,  /* ARG_TID: never one of kfuzz's own threads */
	ARG_TID_ANY, ARG_PID, ARG_TIMER, ARG_AS, ARG_INTR, ARG_IRQ, ARG_CLOCK,
	ARG_SYNCTYPE, ARG_POLICY, ARG_TOFLAGS, ARG_PROT, ARG_MAPFLAGS, ARG_PADDR,
	ARG_VADDR, ARG_VLEN,            /* follow arg 0 (the space): only the play area of AS_SELF */
	ARG_NIOV, ARG_FUNC,
	ARG_RCVID_CHID, ARG_NIOV2,      /* MsgReplyReceivev's pairs in one register each */
	ARG_LEN2,                       /* MsgReplyReceives's two sizes in one register */
	ARG_SIGNO, ARG_HOW,             /* signals: a number (often one kfuzz keeps blocked), SIG_* how */
	ARG_FPID, ARG_FTID, ARG_FAS,    /* often the forkee's pid, its tid, the newest space */
	/* pointers */
	ARG_PTR_FIRST,
	ARG_TEXT = ARG_PTR_FIRST,       /* console text (blanks) */
	ARG_BUF_IN, ARG_BUF_OUT, ARG_IOV, ARG_EVENT, ARG_ITIMER, ARG_ITIMER_OUT, ARG_NS,
	ARG_NS_OUT, ARG_ATTR, ARG_SATTR, ARG_SPARAM, ARG_SPARAM_OUT, ARG_START, ARG_MSGINFO,
	ARG_CLIENTINFO, ARG_PEXIT, ARG_HWDEV, ARG_STR, ARG_SYNC, ARG_MUTEX, ARG_STATUSP,
	ARG_SIGSET, ARG_SIGSET_OUT, ARG_SIGINFO_OUT, ARG_SIGACT, ARG_SIGACT_OUT,
	ARG_KIND_COUNT
};

/* Pointer classes, one of which every pointer argument is drawn from. */
enum ptr_class {
	PTR_VALID, PTR_NULL, PTR_UNMAPPED, PTR_KERNEL, PTR_MISALIGNED, PTR_STRADDLE,
	PTR_READONLY, PTR_CHURN, PTR_CLASS_COUNT
};

/* Id pools: every id a create call returned, kept after it goes stale. */
enum pool {
	POOL_CHID, POOL_COID, POOL_RCVID, POOL_SCOID, POOL_TID, POOL_PID, POOL_TIMER,
	POOL_AS, POOL_INTR, POOL_COUNT
};

#define FUZZERS_MAX 8
#define SERVERS     2
#define SENDERS     2
#define SYNC_POOL   8

/* Fixed places in kfuzz's own space (far from its image and stack). */
#define PLAY_BASE     0x0000003e00000000ul   /* AS_SELF map/unmap/protect/write */
#define PLAY_PAGES    64
#define ARENA_BASE    0x0000003d00000000ul   /* per-fuzzer page + hole pairs */
#define RO_PAGE       0x0000003d00100000ul   /* read only, filled with blanks */
#define CHURN_PAGE    0x0000003d00200000ul   /* mapped and unmapped all the time */
#define CHURN_EVENT_PAGE 0x0000003d00201000ul /* the same, read only (zeros): events */
#define RAM_BASE_FOR_FUZZ 0x80000000ul     /* where RAM starts on every Keel board */
#define CHILD_CODE_VA 0x0000000000010000ul   /* where a child's code goes */
#define CHILD_ARGS_VA (CHILD_CODE_VA + 0x800) /* and its call's six arguments */

/* One fuzzer's state: its random stream and its well-formed objects. */
struct fuzzer {
	uint64_t rng;
	int index;
	uint32_t tid;
	volatile int child;             /* a child via_child waits for, 0 if none */
	volatile long current;          /* the call in progress, -1 between calls */
	volatile long args[6];          /* its arguments as made (a stall's report) */
	unsigned calls;
	long prev[KCALL_MAX_ARGS];     /* the arguments drawn so far for this call */
	char scratch[2048] __attribute__((aligned(16)));
	unsigned used;                  /* bytes of scratch handed out for this call */
};

uint64_t fz_next(struct fuzzer *f);
static inline unsigned fz_below(struct fuzzer *f, unsigned n)
{
	return (unsigned)(fz_next(f) % n);
}

/* Draws argument `i` of kind k for the next call. */
long fz_arg(struct fuzzer *f, int i, enum arg_kind k);
/* Remembers an id a call returned and returns the one it pushed out of the
 * pool (POOL_EMPTY if none), which the caller releases; pool_get draws one
 * (live or stale; POOL_EMPTY before the pool has any). */
#define POOL_EMPTY (-1L)
void pools_init(void);
long pool_put(enum pool p, long id);
long pool_get(struct fuzzer *f, enum pool p);
long pool_newest(enum pool p);
/* Is id one of pool p's now? */
bool pool_holds(enum pool p, long id);
/* Ids that must never be destroyed, detached or joined by a fuzzed call. */
void protect_tid(long tid);
bool tid_protected(long tid);

/* The servers' channels and connections; the traffic channel, which no
 * server receives on, gets messages and pulses from a sender thread for the
 * fuzzed receives (and then replies, reads, writes...). */
extern int server_chid[SERVERS], server_coid[SERVERS];
extern int traffic_chid;
extern int fork_chid;                   /* the forkee's (kfuzz.c) */
extern int sender_tid[SENDERS];         /* rcvids while they wait for a reply */
extern volatile long last_irq;          /* of the newest InterruptAttachEvent */
extern int own_pid;
extern sync_t sync_pool[SYNC_POOL];
/* The forkee: a child process of kfuzz whose one thread is blocked on a
 * channel of kfuzz's (0 while there is none), for AsClone, ProcessFork and
 * ProcessExec to work on. */
extern volatile int forkee_pid, forkee_tid;
/* The signals kfuzz leaves at their default action (ignore) and keeps
 * blocked in its threads, so a SignalKill of one stays pending for a
 * SignalWaitinfo. */
#define FZ_KEPT_SIGNALS ((1ull << (SIGURG - 1)) | (1ull << (SIGWINCH - 1)) | \
			 (1ull << (SIGCHLD - 1)))

/* The hint table (calls.c): the kinds of each call's arguments. */
extern const uint8_t call_hint[KCALL_COUNT][KCALL_MAX_ARGS];
extern const char *const call_name[KCALL_COUNT];
extern const uint8_t call_nargs[KCALL_COUNT];
extern const uint8_t call_priv[KCALL_COUNT];

/* The victim threads' entry (no stack use) and the child processes' code. */
extern const char fz_victim[], fz_child[], fz_child_end[], fz_forkee[];
