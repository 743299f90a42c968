/* _exit and _Exit: the process ends at once (no atexit handlers, no stdio
 * flush); every thread goes with it. */
#include <stdlib.h>
#include <unistd.h>
#include <keel/neutrino.h>

void _exit(int status)
{
	ProcessExit(status);
}
