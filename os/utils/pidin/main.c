/* pidin: the processes taskman knows (<sys/procinfo.h>), one line each:
 * pid, parent, process group, session, real and effective user, state
 * (R running, T stopped, Z zombie), seconds since boot it started, and
 * the program.
 *
 *   pidin              every process
 *   pidin -p PID|NAME  those with that pid, or whose program's last
 *                      component is NAME
 * Exit status: 0, 1 if -p matched nothing, 2 for usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procinfo.h>
#include <unistd.h>

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static int wanted(const struct _proc_info *p, const char *sel)
{
	char *end;

	if (!sel)
		return 1;
	long pid = strtol(sel, &end, 10);
	if (*sel && !*end)
		return pid == p->pid;
	return !strcmp(base(p->name), sel) || !strcmp(p->name, sel);
}

int main(int argc, char **argv)
{
	const char *sel = NULL;
	int c, shown = 0;

	while ((c = getopt(argc, argv, "p:")) != -1) {
		if (c != 'p') {
			fprintf(stderr, "usage: pidin [-p pid|name]\n");
			return 2;
		}
		sel = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: pidin [-p pid|name]\n");
		return 2;
	}
	printf("%7s %7s %7s %7s %5s %5s %-5s %9s  %s\n", "pid", "ppid", "pgid", "sid", "uid",
	       "euid", "state", "started", "name");
	struct _proc_info p;
	pid_t pid = 0;
	while (proc_info(pid, 1, &p) == 0) {
		pid = p.pid;
		if (!wanted(&p, sel))
			continue;
		printf("%7d %7d %7d %7d %5u %5u %-5c %9.3f  %s\n", (int)p.pid, (int)p.ppid,
		       (int)p.pgid, (int)p.sid, (unsigned)p.ruid, (unsigned)p.euid, (char)p.state,
		       (double)p.start_ns / 1e9, p.name);
		shown++;
	}
	if (errno != ESRCH) {
		fprintf(stderr, "pidin: cannot ask taskman: %s\n", strerror(errno));
		return 1;
	}
	return sel && !shown ? 1 : 0;
}
