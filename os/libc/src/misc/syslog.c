/* The system log (POSIX.1-2017 openlog, syslog, closelog, setlogmask, and
 * vsyslog): each message is one write of "<PRI>ident[pid]: text" to
 * /dev/slog (slogger), opened at the first message (or by openlog with
 * LOG_NDELAY) and kept, close-on-exec.  %m is strerror(errno).  When the
 * log cannot be reached the message is lost, or with LOG_CONS written to
 * /dev/console; LOG_PERROR copies it to stderr. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "libc.h"

#define MSG_MAX 512

extern const char *__progname;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static const char *log_ident;
static int log_opts, log_facility = LOG_USER, log_mask = 0xff;

static void open_log(void)
{
	if (log_fd < 0)
		log_fd = open("/dev/slog", O_WRONLY | O_CLOEXEC);
}

void openlog(const char *ident, int option, int facility)
{
	pthread_mutex_lock(&log_lock);
	log_ident = ident;
	log_opts = option;
	if (facility && !(facility & ~LOG_FACMASK))
		log_facility = facility;
	if (option & LOG_NDELAY)
		open_log();
	pthread_mutex_unlock(&log_lock);
}

void closelog(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = -1;
	log_ident = NULL;
	pthread_mutex_unlock(&log_lock);
}

int setlogmask(int mask)
{
	pthread_mutex_lock(&log_lock);
	int old = log_mask;
	if (mask)
		log_mask = mask;
	pthread_mutex_unlock(&log_lock);
	return old;
}

/* format with each %m replaced by the text of err (its % doubled). */
static void expand_m(char *out, size_t size, const char *format, int err)
{
	const char *text = strerror(err);
	size_t o = 0;

	for (const char *f = format; *f && o + 1 < size; f++) {
		if (f[0] == '%' && f[1] == '%') {
			if (o + 2 >= size)
				break;
			out[o++] = *f++;
			out[o++] = *f;
		} else if (f[0] == '%' && f[1] == 'm') {
			for (const char *t = text; *t && o + 2 < size; t++) {
				if (*t == '%')
					out[o++] = '%';
				out[o++] = *t;
			}
			f++;
		} else {
			out[o++] = *f;
		}
	}
	out[o] = '\0';
}

void vsyslog(int priority, const char *format, va_list ap)
{
	int err = errno;
	char fmt[MSG_MAX], msg[MSG_MAX];

	if (priority & ~(LOG_PRIMASK | LOG_FACMASK))
		priority &= LOG_PRIMASK | LOG_FACMASK;
	__cancel_hold();                /* its writes are no cancellation point under log_lock */
	pthread_mutex_lock(&log_lock);
	if (!(log_mask & LOG_MASK(LOG_PRI(priority)))) {
		pthread_mutex_unlock(&log_lock);
		__cancel_unhold();
		return;
	}
	if (!(priority & LOG_FACMASK))
		priority |= log_facility;
	char pid[16] = "";
	if (log_opts & LOG_PID)
		snprintf(pid, sizeof pid, "[%d]", (int)getpid());
	/* The ident is cut to 64 bytes: the text always has room. */
	int head = snprintf(msg, sizeof msg, "<%d>%.64s%s: ", priority,
			    log_ident ? log_ident : __progname, pid);
	expand_m(fmt, sizeof fmt, format, err);
	int body = vsnprintf(msg + head, sizeof msg - (size_t)head, fmt, ap);
	size_t len = (size_t)head + (body < 0 ? 0 : (size_t)body);
	if (len > sizeof msg - 1)
		len = sizeof msg - 1;
	open_log();
	bool logged = log_fd >= 0 && write(log_fd, msg, len) == (ssize_t)len;
	const char *text = strchr(msg, '>') + 1;
	if (!logged && (log_opts & LOG_CONS)) {
		int c = open("/dev/console", O_WRONLY | O_CLOEXEC);
		if (c >= 0) {
			dprintf(c, "%s\n", text);
			close(c);
		}
	}
	if (log_opts & LOG_PERROR)
		dprintf(STDERR_FILENO, "%s\n", text);
	pthread_mutex_unlock(&log_lock);
	__cancel_unhold();
	errno = err;
}

void syslog(int priority, const char *format, ...)
{
	va_list ap;

	va_start(ap, format);
	vsyslog(priority, format, ap);
	va_end(ap);
}
