/* slogger: the system log, at /dev/slog.
 *
 * A write is one message (libc's syslog writes "<PRI>text", PRI being
 * facility * 8 + severity as in syslog; without it a message is
 * user.notice).  Each message becomes one line of the log,
 *     "   12.345 notice  text\n"
 * (seconds since boot, severity, the text with control characters shown
 * as '?', cut to LINE_MAX), kept in a ring of the last LINES_MAX lines.
 * The text names its writer as the kernel knows it: syslog's "ident: " or
 * "ident[N]: " becomes "ident[PID]: ", "ident[PID uid UID]: " for a
 * writer that is not root (stamp()).
 *
 * A read gives the log as one text stream: a reader's offset is a byte
 * position in everything ever logged, so reading on (sloginfo, or cat)
 * never sees a line twice; lines that fell out of the ring before they
 * were read are skipped, and the read starts at the oldest kept.  Anyone
 * may write and read (mode 0666), as anyone may log.
 *
 * The log is everyone's, so no user may take it all: the lines of one
 * writer that is not root stay at most USER_SHARE of the ring, those of
 * all such writers together at most OTHERS_SHARE; a line over its share
 * is dropped (the first drop of a run says so in a line of slogger's own),
 * not an older line of somebody else's.  Root's (the system's) lines
 * count against nothing. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resmgr.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <keel/neutrino.h>

#define LINES_MAX 512
#define LINE_MAX  200           /* bytes of a line, its newline included */
#define MSG_MAX   512           /* bytes of a message read from the writer */
#define READ_MAX  4096u
#define USER_SHARE   (LINES_MAX / 8)    /* lines of one writer that is not root */
#define OTHERS_SHARE (LINES_MAX / 2)    /* lines of all writers that are not root */
#define OVER_MAX  16                    /* writers over their share, remembered */

struct line {
	uint64_t start;         /* its first byte's position in the stream */
	uint32_t uid;           /* its writer's effective uid (0: root, the system) */
	uint16_t len;
	char text[LINE_MAX];
};

/* Writers whose last line was over their share (said once a run). */
static uint32_t over[OVER_MAX];
static unsigned nover;

static struct line ring[LINES_MAX];
static uint64_t nlines;         /* lines ever logged; line k is ring[k % LINES_MAX] */
static uint64_t stream_end;     /* bytes ever logged */

static const char *const severities[8] = {
	"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
};

static void append(int pri, const char *msg, size_t n, uint32_t uid)
{
	struct timespec ts;
	struct line *l = &ring[nlines % LINES_MAX];

	l->uid = uid;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	int head = snprintf(l->text, sizeof l->text, "%9lld.%03ld %-7s ", (long long)ts.tv_sec,
			    ts.tv_nsec / 1000000, severities[pri & 7]);
	size_t len = (size_t)head;
	for (size_t i = 0; i < n && len < sizeof l->text - 1; i++) {
		unsigned char c = (unsigned char)msg[i];
		l->text[len++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	l->text[len++] = '\n';
	l->len = (uint16_t)len;
	l->start = stream_end;
	stream_end += len;
	nlines++;
}

/* Whether a line of writer uid fits its share of the log (the kept lines,
 * with the oldest about to go when the ring is full). */
static bool within_share(uint32_t uid)
{
	unsigned mine = 0, others = 0;
	uint64_t first = nlines >= LINES_MAX ? nlines - LINES_MAX + 1 : 0;

	if (uid == 0)
		return true;
	for (uint64_t k = first; k < nlines; k++) {
		uint32_t u = ring[k % LINES_MAX].uid;
		mine += u == uid;
		others += u != 0;
	}
	return mine < USER_SHARE && others < OTHERS_SHARE;
}

/* A line of uid over its share is dropped: the first of a run says so. */
static void over_share(uint32_t uid)
{
	for (unsigned i = 0; i < nover; i++)
		if (over[i] == uid)
			return;
	if (nover == OVER_MAX)
		return;         /* no more said (said for each, root's warnings would flood) */
	over[nover++] = uid;
	char say[120];
	int n = snprintf(say, sizeof say, "slogger[%d]: uid %u is over its share of the log: "
			 "its lines are dropped until older ones leave it", (int)getpid(),
			 (unsigned)uid);
	append(4, say, (size_t)n, 0);   /* a warning, slogger's own */
}

static void under_share(uint32_t uid)
{
	for (unsigned i = 0; i < nover; i++)
		if (over[i] == uid) {
			over[i] = over[--nover];
			return;
		}
}

/* "<PRI>" at the start of a message: PRI, and the text after it. */
static int priority(const char **msg, size_t *n)
{
	const char *m = *msg;
	int pri = 0;
	size_t i = 1;

	if (*n < 3 || m[0] != '<')
		return 8 + 5;                   /* user.notice */
	while (i < *n && i < 5 && m[i] >= '0' && m[i] <= '9')
		pri = pri * 10 + (m[i++] - '0');
	if (i == 1 || i >= *n || m[i] != '>' || pri > 191)
		return 8 + 5;
	*msg += i + 1;
	*n -= i + 1;
	return pri;
}

/* The sender, as the kernel knows it, in place of what it says: a
 * message "ident[N]: text" or "ident: text" (syslog's) becomes
 * "ident[PID]: text" with the writer's own pid, and a writer that is not
 * root shows its uid too ("ident[PID uid UID]: text"); text without an
 * ident gets "[PID...]: " before it.  The log is everyone's to write to:
 * a user's line could say "login[57]: root logged in" as login's would. */
static size_t stamp(resmgr_context_t *ctp, bool root, uint32_t uid, const char *text, size_t n,
		    char *out, size_t size)
{
	size_t id = 0, rest;

	while (id < n && id < 64 && text[id] != '[' && text[id] != ':' && text[id] != ' ')
		id++;
	rest = id;
	if (rest < n && text[rest] == '[') {            /* a pid it claims: dropped */
		size_t k = rest + 1;
		while (k < n && text[k] >= '0' && text[k] <= '9')
			k++;
		if (k < n && text[k] == ']')
			rest = k + 1;
	}
	if (rest < n && text[rest] == ':' && id > 0) {
		rest++;
		if (rest < n && text[rest] == ' ')
			rest++;
	} else {
		id = rest = 0;                          /* no ident: all of it is text */
	}
	int head = !root ?
		   snprintf(out, size, "%.*s[%d uid %u]: ", (int)id, text, (int)ctp->info.pid,
			    (unsigned)uid) :
		   snprintf(out, size, "%.*s[%d]: ", (int)id, text, (int)ctp->info.pid);
	size_t len = head < 0 ? 0 : (size_t)head;
	size_t take = n - rest < size - len - 1 ? n - rest : size - len - 1;
	memcpy(out + len, text + rest, take);
	return len + take;
}

static int slog_write(resmgr_context_t *ctp, const struct _io_write *msg, iofunc_ocb_t *ocb)
{
	char buf[MSG_MAX];
	size_t want = msg->nbytes < sizeof buf ? (size_t)msg->nbytes : sizeof buf;

	if ((ocb->ioflag & O_ACCMODE) == O_RDONLY)
		return EBADF;
	long got = want ? MsgRead_r(ctp->rcvid, buf, want, sizeof *msg) : 0;
	if (got < 0)
		return EFAULT;
	size_t n = (size_t)got;
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		n--;
	const char *text = buf;
	int pri = priority(&text, &n);
	/* The writer as the kernel knows it (not known: counted as root's,
	 * as it was stamped before shares). */
	struct _client_info ci;
	bool root = iofunc_client_info(ctp, &ci) != 0 || ci.cred.euid == 0;
	uint32_t uid = root ? 0 : (uint32_t)ci.cred.euid;
	if (n && !within_share(uid)) {
		over_share(uid);
	} else if (n) {
		char line[MSG_MAX + 48];
		size_t len = stamp(ctp, root, uid, text, n, line, sizeof line);
		under_share(uid);
		append(pri, line, len, uid);
	}
	return resmgr_reply(ctp, (long)msg->nbytes, NULL, 0);  /* all of it taken */
}

static int slog_read(resmgr_context_t *ctp, const struct _io_read *msg, iofunc_ocb_t *ocb)
{
	static char out[READ_MAX];
	size_t want = msg->nbytes < READ_MAX ? (size_t)msg->nbytes : READ_MAX, done = 0;
	uint64_t first = nlines > LINES_MAX ? nlines - LINES_MAX : 0;
	uint64_t pos = (uint64_t)ocb->offset;

	if ((ocb->ioflag & O_ACCMODE) == O_WRONLY)
		return EBADF;
	if (first < nlines && pos < ring[first % LINES_MAX].start)
		pos = ring[first % LINES_MAX].start;    /* those fell out of the ring */
	for (uint64_t k = first; k < nlines && done < want; k++) {
		const struct line *l = &ring[k % LINES_MAX];
		if (pos >= l->start + l->len)
			continue;
		size_t off = (size_t)(pos - l->start), n = l->len - off;
		if (n > want - done)
			n = want - done;
		memcpy(out + done, l->text + off, n);
		done += n;
		pos += n;
	}
	ocb->offset = (int64_t)pos;
	return resmgr_reply(ctp, (long)done, out, done);
}

int main(void)
{
	static const resmgr_io_funcs_t io = { .read = slog_read, .write = slog_write };
	static iofunc_attr_t attr;
	int chid = ChannelCreate_r(_NTO_CHF_DISCONNECT | _NTO_CHF_UNBLOCK);
	resmgr_t *m;

	iofunc_attr_init(&attr, S_IFCHR | 0666);
	m = chid >= 0 ? resmgr_create(chid, NULL, &io, &attr) : NULL;
	if (!m || resmgr_attach(m, "/dev/slog", _FTYPE_ANY, 0) < 0) {
		fprintf(stderr, "slogger: cannot serve /dev/slog: %s\n", strerror(errno));
		return 1;
	}
	const char hello[] = "<46>slogger: the system log starts";    /* syslog.info */
	const char *t = hello;
	size_t n = sizeof hello - 1;
	int pri = priority(&t, &n);
	append(pri, t, n, 0);
	resmgr_loop(m);
	fprintf(stderr, "slogger: serving ended: %s\n", strerror(errno));
	return 1;
}
