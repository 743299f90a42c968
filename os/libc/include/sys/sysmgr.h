#pragma once
/* The machine's end (QNX's <sys/sysmgr.h>): taskman's _PROC_SYSRESET.
 * Only root (effective uid 0) may; nothing is stopped or synced first, so
 * this is init's last step after it has stopped everything (shutdown -r
 * asks init for that).  On success the call does not return; -1 with errno
 * EPERM otherwise. */

int sysmgr_reboot(void);

/* Keel's own: the same, powering off. */
int sysmgr_poweroff(void);
