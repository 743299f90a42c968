#pragma once
/* Starting a server program for a conformance program (header only, as
 * conf.h): spawn it, then wait until the name it serves opens. */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <conf.h>

/* Starts server argv and waits (up to a second) until path opens: its
 * pid, or -1 (the server killed and reaped). */
__attribute__((unused)) static pid_t conf_start_server(char *const argv[], const char *path)
{
	pid_t pid;
	int fd = -1;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL) != 0)
		return -1;
	for (int i = 0; i < 200 && (fd = open(path, O_RDONLY)) < 0; i++) {
		struct timespec ts = { 0, 5000000 };
		nanosleep(&ts, NULL);
	}
	if (fd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(fd);
	return pid;
}

/* Starts /sbin/pipe (which serves pipe(2) and FIFOs' opens) for the
 * conformance program who and waits (up to 5 s) until a pipe can be made:
 * its pid, or -1 having said why. */
__attribute__((unused)) static pid_t conf_start_pipe(const char *who)
{
	char *argv[] = { "/sbin/pipe", NULL };
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int p[2] = { -1, -1 };
	pid_t pid;

	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, NULL)) {
		conf_line("%s: cannot start /sbin/pipe", who);
		return -1;
	}
	for (int i = 0; i < 500 && pipe(p) < 0; i++)
		nanosleep(&tick, NULL);
	if (p[0] < 0) {
		conf_line("%s: /sbin/pipe never served %s", who, "/dev/pipe");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return -1;
	}
	close(p[0]);
	close(p[1]);
	return pid;
}
