/* sloginfo: the system log (slogger's /dev/slog), oldest line first.
 *
 *   sloginfo        what the log holds, then exit
 *   sloginfo -w     then wait for more, printing lines as they come
 *                   (looking twice a second) until interrupted
 * Exit status: 0, 1 if the log cannot be read, 2 for usage. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int follow = 0, c;
	char buf[4096];

	while ((c = getopt(argc, argv, "w")) != -1) {
		if (c != 'w') {
			fprintf(stderr, "usage: sloginfo [-w]\n");
			return 2;
		}
		follow = 1;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: sloginfo [-w]\n");
		return 2;
	}
	int fd = open("/dev/slog", O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "sloginfo: cannot open /dev/slog: %s\n", strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			fprintf(stderr, "sloginfo: cannot read /dev/slog: %s\n", strerror(errno));
			return 1;
		}
		if (n > 0) {
			if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
				return 1;
			continue;
		}
		if (!follow)
			break;
		fflush(stdout);
		struct timespec half = { 0, 500000000 };
		nanosleep(&half, NULL);
	}
	return fflush(stdout) ? 1 : 0;
}
