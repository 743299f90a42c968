/* getpid(2): the kernel's record of the caller (ConnectClientInfo on
 * itself), never a message to taskman, asked once: a process's pid changes
 * only in fork's child, which forgets it (__pid_forget), and an exec
 * starts libc over. */
#include <unistd.h>
#include "libc.h"

static pid_t pid;

pid_t getpid(void)
{
	pid_t p = __atomic_load_n(&pid, __ATOMIC_RELAXED);
	struct _client_info ci;

	if (p > 0)
		return p;
	if (ConnectClientInfo_r(-1, &ci, 0) != 0)
		return -1;
	__atomic_store_n(&pid, (pid_t)ci.pid, __ATOMIC_RELAXED);
	return (pid_t)ci.pid;
}

void __pid_forget(void)
{
	__atomic_store_n(&pid, 0, __ATOMIC_RELAXED);
}
