/* Controlling terminals and terminal access control (ttyctl.h). */
#include <keel/iomsg.h>
#include "ttyctl.h"

void tty_open_ctty(resmgr_context_t *ctp, const char *path, int32_t *sid)
{
	if (resmgr_set_ctty(ctp->info.pid, path) == 0)
		*sid = ctp->info.pid;           /* a session leader's pid is its session's id */
}

int tty_read_access(resmgr_context_t *ctp, int32_t sid, int32_t pgrp)
{
	struct _client_info ci;

	if (sid <= 0 || pgrp <= 0 || iofunc_client_info(ctp, &ci))
		return 0;
	return ci.sid == sid && ci.pgid > 0 && ci.pgid != pgrp ? _IO_ERR_BACKGROUND : 0;
}
