#pragma once
/* <sys/wait.h>: the package's macros (their status encoding is taskman's,
 * <keel/procmsg.h> _PROC_W_*), plus waitid and the options the package
 * leaves out, with taskman's values. */
#include_next <sys/wait.h>
#include <signal.h>

#define WEXITED      0x04
#define WCONTINUED   0x08
#define WSTOPPED     WUNTRACED
#define WNOWAIT      0x20
#define WIFCONTINUED(w) ((w) == 0xffff)
#define WCOREDUMP(w) ((w) & 0x80)

typedef enum { P_ALL = 0, P_PID = 1, P_PGID = 2 } idtype_t;

#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_TRAPPED   4
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

int waitid(idtype_t idtype, id_t id, siginfo_t *info, int options);
