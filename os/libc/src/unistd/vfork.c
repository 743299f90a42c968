/* vfork (POSIX.1-2001, withdrawn in 2008; programs still call it before an
 * exec): Keel's fork, which POSIX always allowed vfork to be.  The child
 * has its own copy-on-write memory, so it may do more than vfork's child
 * may; fork's errors (EAGAIN, ENOMEM, ENOSYS once a thread exists). */
#include <unistd.h>

pid_t vfork(void)
{
	return fork();
}
