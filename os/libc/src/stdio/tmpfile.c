/* tmpfile (POSIX.1-2017): a new file in /tmp (P_tmpdir) opened "w+",
 * its name removed at once, so it goes when the stream closes or the
 * process ends. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

FILE *tmpfile(void)
{
	char name[] = "/tmp/tmpfXXXXXX";
	int fd = mkstemp(name);

	if (fd < 0)
		return NULL;
	unlink(name);
	FILE *f = fdopen(fd, "w+");
	if (!f) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return f;
}
