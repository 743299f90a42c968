#pragma once
/* Controlling terminals and terminal access control for terminal servers
 * (the serial console drivers, the pseudo-terminals): which session a
 * terminal belongs to, and whether a client may read it. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/resmgr.h>

/* An open of the terminal at path by the client of ctp, without O_NOCTTY:
 * if the client leads a session with no controlling terminal, this becomes
 * it (taskman decides, <keel/procmsg.h> _PROC_SETCTTY): *sid is that
 * session and *pgrp, the foreground process group, the leader's group (the
 * group of a session that had the terminal before is gone or elsewhere). */
void tty_open_ctty(resmgr_context_t *ctp, const char *path, int32_t *sid, int32_t *pgrp);
/* May the client of ctp read the terminal of session sid whose foreground
 * process group is pgrp?  0, or _IO_ERR_BACKGROUND for a process of that
 * session outside the foreground group (<keel/iomsg.h>). */
int tty_read_access(resmgr_context_t *ctp, int32_t sid, int32_t pgrp);
/* May the client of ctp write to that terminal (with TOSTOP set) or change
 * its settings (tcsetattr, tcflush, tcdrain, tcsetpgrp, the window size)?
 * 0, or _IO_ERR_BACKGROUND for a process of that session outside the
 * foreground group that does not ignore SIGTTOU (the client info says) and
 * did not send _IO_XFLAG_TTOU_BLOCKED (it blocks or ignores it). */
int tty_write_access(resmgr_context_t *ctp, int32_t sid, int32_t pgrp);
/* tcsetpgrp (_DCMD_TERM_SETPGRP) on the terminal of session sid: the new
 * foreground group into *pgrp.  0, or EINVAL for a malformed request or a
 * group id that is not > 0, ENOTTY when the terminal is not the client's
 * controlling terminal, EPERM for a group with no member in its session. */
int tty_set_pgrp(resmgr_context_t *ctp, const struct _io_devctl *m, int32_t sid, int32_t *pgrp);
/* Does terminal devctl dcmd change the terminal (tty_write_access applies)? */
bool tty_devctl_changes(unsigned dcmd);

/* The VTIME timer of a terminal's parked reads: a CLOCK_MONOTONIC timer
 * whose expiry is a pulse.  A pulse already queued when the timer is set
 * again (or disarmed) belongs to the old setting and must not end a read
 * that came since: each setting keeps its deadline, and only a pulse that
 * comes at or after the current one counts. */
struct tty_timer {
	int id;                 /* TimerCreate's (< 0: none) */
	uint64_t deadline;      /* CLOCK_MONOTONIC ns of the current setting; 0: none */
};
/* Sets t to expire deciseconds from now (0: disarms it). */
void tty_timer_arm(struct tty_timer *t, unsigned deciseconds);
/* On t's pulse: true if it is the current setting's (which is then over). */
bool tty_timer_due(struct tty_timer *t);
