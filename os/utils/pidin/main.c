/* pidin: the processes taskman knows (<sys/procinfo.h>), one line each:
 * pid, parent, process group, session, real and effective user, state
 * (R running, T stopped, Z zombie), seconds since boot it started, and
 * the program.
 *
 *   pidin              every process
 *   pidin -p PID|NAME  those with that pid, or whose program's last
 *                      component is NAME
 *   pidin -t [...]     a line per thread instead, QNX's columns read from
 *                      /proc (procfs): pid, tid, program, priority and
 *                      policy (f FIFO, r RR, o OTHER), state, and what it is
 *                      blocked on (the server's pid for SEND and REPLY)
 * Exit status: 0, 1 if -p matched nothing (or /proc cannot be read), 2 for
 * usage. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/procinfo.h>
#include <unistd.h>

static const char *base_name(const char *path)
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
	return !strcmp(base_name(p->name), sel) || !strcmp(p->name, sel);
}

/* pidin -t: the threads of each process p selects, from /proc/PID/threads. */
static int thread_lines(const struct _proc_info *p)
{
	char path[48], line[160];
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/threads", (int)p->pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;                               /* ended meanwhile */
	fgets(line, sizeof line, f);                    /* the header */
	while (fgets(line, sizeof line, f)) {
		int tid;
		unsigned prio, base;
		char state[16], policy[8], blocked[16];
		if (sscanf(line, "%d %15s %u %u %7s %15s", &tid, state, &prio, &base, policy,
			   blocked) != 6)
			continue;
		printf("%7d %7d %-16s %3u%c %-10s %s\n", (int)p->pid, tid, base_name(p->name), prio,
		       policy[0] == 'F' ? 'f' : policy[0] == 'R' ? 'r' : 'o', state,
		       strcmp(blocked, "-") ? blocked : "");
		n++;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	const char *sel = NULL;
	int c, shown = 0, per_thread = 0;

	while ((c = getopt(argc, argv, "p:t")) != -1) {
		if (c == 't') {
			per_thread = 1;
			continue;
		}
		if (c != 'p') {
			fprintf(stderr, "usage: pidin [-t] [-p pid|name]\n");
			return 2;
		}
		sel = optarg;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: pidin [-t] [-p pid|name]\n");
		return 2;
	}
	if (per_thread) {
		struct _proc_info p;
		pid_t pid = 0;
		printf("%7s %7s %-16s %4s %-10s %s\n", "pid", "tid", "name", "prio", "STATE",
		       "Blocked");
		while (proc_info(pid, 1, &p) == 0) {
			pid = p.pid;
			if (wanted(&p, sel))
				shown += thread_lines(&p);
		}
		return (sel && !shown) || !shown ? 1 : 0;
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
