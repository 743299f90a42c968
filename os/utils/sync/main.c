/* sync: every mounted file system's writes made durable (sync(2)); with
 * FILE arguments, only those files' (fsync).  Exit status 0, or 1 if a
 * FILE could not be opened or synced. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status = 0;

	if (argc == 1) {
		sync();
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		int fd = open(argv[i], O_RDONLY);
		if (fd < 0 || fsync(fd)) {
			fprintf(stderr, "sync: %s: %s\n", argv[i], strerror(errno));
			status = 1;
		}
		if (fd >= 0)
			close(fd);
	}
	return status;
}
