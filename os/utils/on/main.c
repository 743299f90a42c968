/* on: runs a command with a priority, a scheduling policy or a set of
 * harts of its own (QNX's on, without the network options).
 *
 *   on [-p PRIORITY[f|r|o]] [-C HART] [-R MASK] COMMAND [ARG...]
 *
 * -p  the priority (1..255, up to 63 for an unprivileged user) and, with a
 *     letter after it, the policy: f FIFO, r round robin, o other;
 * -C  only hart HART (an index from 0, as /sys/harts counts them);
 * -R  only the harts of MASK (bit N is hart N; decimal, or hex with 0x).
 * on sets them on its own thread and then becomes COMMAND (exec keeps the
 * thread, and with it the priority, the policy and the run mask).  Exit
 * status: COMMAND's; 2 for a bad option or a setting the system refuses
 * (said why), 126 when COMMAND cannot be run, 127 when it is not found. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <keel/neutrino.h>
#include <keel/thread.h>

static int usage(void)
{
	fprintf(stderr, "usage: on [-p PRIORITY[f|r|o]] [-C HART] [-R MASK] COMMAND [ARG...]\n");
	return 2;
}

/* "N" or "N" and a policy letter: true with *prio and *policy (-1: keep). */
static bool parse_priority(const char *s, int *prio, int *policy)
{
	char *end;
	long n = strtol(s, &end, 10);

	if (end == s || n < 1 || n > 255)
		return false;
	*prio = (int)n;
	*policy = -1;
	if (!*end)
		return true;
	if (end[1])
		return false;
	switch (*end) {
	case 'f': *policy = SCHED_FIFO; return true;
	case 'r': *policy = SCHED_RR; return true;
	case 'o': *policy = SCHED_OTHER; return true;
	default: return false;
	}
}

static bool parse_mask(const char *s, uint64_t *mask)
{
	char *end;

	errno = 0;
	*mask = strtoull(s, &end, 0);
	return end != s && !*end && !errno && *mask && s[0] != '-';
}

int main(int argc, char **argv)
{
	int c, prio = 0, policy = -1;
	uint64_t mask = 0;
	char *end;

	while ((c = getopt(argc, argv, "+p:C:R:")) != -1) {
		switch (c) {
		case 'p':
			if (!parse_priority(optarg, &prio, &policy)) {
				fprintf(stderr, "on: bad priority '%s' (1-255, then f, r or o)\n", optarg);
				return 2;
			}
			break;
		case 'C': {
			unsigned long h = strtoul(optarg, &end, 10);
			if (end == optarg || *end || optarg[0] == '-' || h > 63) {
				fprintf(stderr, "on: bad hart '%s'\n", optarg);
				return 2;
			}
			mask = 1ull << h;
			break;
		}
		case 'R':
			if (!parse_mask(optarg, &mask)) {
				fprintf(stderr, "on: bad run mask '%s'\n", optarg);
				return 2;
			}
			break;
		default:
			return usage();
		}
	}
	if (optind == argc)
		return usage();
	if (prio) {
		struct sched_param sp = { .sched_priority = prio };
		int cur;
		struct sched_param old;
		int r = pthread_getschedparam(pthread_self(), &cur, &old);
		if (!r)
			r = pthread_setschedparam(pthread_self(), policy >= 0 ? policy : cur, &sp);
		if (r) {
			fprintf(stderr, "on: cannot run at priority %d: %s\n", prio, strerror(r));
			return 2;
		}
	}
	if (mask && ThreadCtl(_NTO_TCTL_RUNMASK, (void *)(uintptr_t)mask) == -1) {
		fprintf(stderr, "on: cannot run on harts %#llx: %s\n", (unsigned long long)mask,
			errno == EINVAL ? "no such hart here" : strerror(errno));
		return 2;
	}
	execvp(argv[optind], argv + optind);
	int e = errno;
	fprintf(stderr, "on: cannot run %s: %s\n", argv[optind], strerror(e));
	return e == ENOENT ? 127 : 126;
}
