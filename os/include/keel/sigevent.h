#pragma once
/* Events: what a timer, an interrupt, a server (MsgDeliverEvent) or the
 * kernel sends to a thread when something happens.  Keel delivers pulse
 * events now; signal events arrive with signals.  Names and values follow
 * QNX Neutrino. */
#include <stddef.h>
#include <stdint.h>

union sigval {
	int sival_int;
	void *sival_ptr;
};

/* sigev_notify */
#define SIGEV_NONE           0
#define SIGEV_SIGNAL         1
#define SIGEV_SIGNAL_CODE    2
#define SIGEV_SIGNAL_THREAD  3
#define SIGEV_PULSE          4
#define SIGEV_UNBLOCK        5
#define SIGEV_INTR           6
#define SIGEV_THREAD         7

/* sigev_priority of a pulse event: the priority of the thread that causes
 * the delivery (QNX value). */
#define SIGEV_PULSE_PRIO_INHERIT  (-1)

struct sigevent {
	int32_t sigev_notify;           /* SIGEV_* */
	union {
		int32_t sigev_signo;    /* SIGEV_SIGNAL* */
		int32_t sigev_coid;     /* SIGEV_PULSE: the connection it goes to */
		int32_t sigev_id;
	};
	union sigval sigev_value;       /* pulse value or signal value */
	int16_t sigev_code;             /* pulse code or signal code */
	int16_t sigev_priority;         /* pulse priority, or SIGEV_PULSE_PRIO_INHERIT */
	uint32_t sigev_reserved;        /* must be 0 */
};

_Static_assert(sizeof(union sigval) == 8, "sigval is one register");
_Static_assert(sizeof(struct sigevent) == 24, "struct sigevent layout");
_Static_assert(offsetof(struct sigevent, sigev_value) == 8, "sigevent layout");
_Static_assert(offsetof(struct sigevent, sigev_code) == 16, "sigevent layout");

#define SIGEV_NONE_INIT(e) \
	((e)->sigev_notify = SIGEV_NONE, (e)->sigev_reserved = 0)
#define SIGEV_UNBLOCK_INIT(e) \
	((e)->sigev_notify = SIGEV_UNBLOCK, (e)->sigev_reserved = 0)
#define SIGEV_INTR_INIT(e) \
	((e)->sigev_notify = SIGEV_INTR, (e)->sigev_reserved = 0)
#define SIGEV_SIGNAL_INIT(e, signo) \
	((e)->sigev_notify = SIGEV_SIGNAL, (e)->sigev_signo = (signo), \
	 (e)->sigev_reserved = 0)
#define SIGEV_PULSE_INIT(e, coid, prio, code, value) \
	((e)->sigev_notify = SIGEV_PULSE, (e)->sigev_coid = (coid), \
	 (e)->sigev_priority = (int16_t)(prio), (e)->sigev_code = (int16_t)(code), \
	 (e)->sigev_value.sival_int = (value), (e)->sigev_reserved = 0)
#define SIGEV_PULSE_PTR_INIT(e, coid, prio, code, ptr) \
	((e)->sigev_notify = SIGEV_PULSE, (e)->sigev_coid = (coid), \
	 (e)->sigev_priority = (int16_t)(prio), (e)->sigev_code = (int16_t)(code), \
	 (e)->sigev_value.sival_ptr = (ptr), (e)->sigev_reserved = 0)
