/* pipe(2) over the pipe server (<keel/pipemsg.h>): the read end makes a
 * new pipe, whose number names it for the write end's open. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <keel/pipemsg.h>
#include "libc.h"

int pipe(int fds[2])
{
	char path[32];
	int32_t id = -1;
	int rd = open(PIPE_SERVER_PATH, O_RDONLY);

	if (rd < 0)
		return -1;
	int r = __devctl(rd, _DCMD_PIPE_ID, &id, 0, sizeof id);
	if (r < 0) {
		close(rd);
		errno = -r;
		return -1;
	}
	snprintf(path, sizeof path, "%s/%d", PIPE_SERVER_PATH, (int)id);
	int wr = open(path, O_WRONLY);
	if (wr < 0) {
		int e = errno;
		close(rd);
		errno = e;
		return -1;
	}
	fds[0] = rd;
	fds[1] = wr;
	return 0;
}
