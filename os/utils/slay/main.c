/* slay: signals processes by the name of their program (the last
 * component of its path, or the whole path), SIGTERM unless -s names
 * another signal (a number, or a name with or without "SIG").
 *
 *   slay [-s signal] [-q] name...
 * -q: say nothing about what was signalled.  Exit status: 0 if every name
 * matched a process and every signal was sent, 1 otherwise, 2 for usage. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/procinfo.h>
#include <unistd.h>

static const struct { const char *name; int sig; } sigs[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
	{ "USR1", SIGUSR1 }, { "USR2", SIGUSR2 }, { "ALRM", SIGALRM }, { "TERM", SIGTERM },
	{ "CHLD", SIGCHLD }, { "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP },
	{ "PIPE", SIGPIPE },
};

static int parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		if (!strcasecmp(s, sigs[i].name))
			return sigs[i].sig;
	return -1;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
	int sig = SIGTERM, quiet = 0, c, status = 0;

	while ((c = getopt(argc, argv, "s:q")) != -1) {
		if (c == 's' && (sig = parse_signal(optarg)) < 0) {
			fprintf(stderr, "slay: unknown signal '%s'\n", optarg);
			return 2;
		} else if (c == 'q') {
			quiet = 1;
		} else if (c != 's') {
			fprintf(stderr, "usage: slay [-s signal] [-q] name...\n");
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "usage: slay [-s signal] [-q] name...\n");
		return 2;
	}
	pid_t me = getpid();
	for (int i = optind; i < argc; i++) {
		struct _proc_info p;
		pid_t pid = 0;
		int found = 0;
		while (proc_info(pid, 1, &p) == 0) {
			pid = p.pid;
			if (pid == me || p.state == _PROC_STATE_ZOMBIE ||
			    (strcmp(base(p.name), argv[i]) && strcmp(p.name, argv[i])))
				continue;
			found++;
			if (kill(pid, sig) != 0) {
				fprintf(stderr, "slay: %s (pid %d): %s\n", p.name, (int)pid,
					strerror(errno));
				status = 1;
			} else if (!quiet) {
				printf("slay: signal %d to %s (pid %d)\n", sig, p.name, (int)pid);
			}
		}
		if (!found) {
			fprintf(stderr, "slay: no process named '%s'\n", argv[i]);
			status = 1;
		}
	}
	return status;
}
