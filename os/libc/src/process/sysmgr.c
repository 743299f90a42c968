/* sysmgr_reboot, sysmgr_poweroff (<sys/sysmgr.h>): taskman's _PROC_SYSRESET. */
#include <errno.h>
#include <sys/sysmgr.h>
#include <keel/procmsg.h>
#include "libc.h"

static int sysreset(int how)
{
	struct _proc_hdr m = { .type = _PROC_SYSRESET, .subtype = (uint16_t)how };
	int tm = __taskman_coid();

	if (tm < 0)
		return -1;
	long r = MsgSend_r(tm, &m, sizeof m, 0, 0);
	return r < 0 ? (int)__syscall_ret(r) : 0;
}

int sysmgr_reboot(void)
{
	return sysreset(_PROC_SYSRESET_REBOOT);
}

int sysmgr_poweroff(void)
{
	return sysreset(_PROC_SYSRESET_POWEROFF);
}
