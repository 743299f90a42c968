/* fflush, fdopen, fclose (POSIX.1-2017): the package's, which keeps no list
 * of its streams, so its fflush(NULL) reads through a NULL stream.  POSIX
 * says fflush(NULL) flushes every output stream: fdopen (through which
 * fopen and tmpfile open theirs) records each stream it makes, fclose
 * forgets it, and fflush(NULL) flushes stdout, stderr and every recorded
 * one, returning EOF if any of them failed (errno from the last failure).
 * The package's functions are renamed __pkg_* in libc.mk. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

int __pkg_fflush(FILE *f);
FILE *__pkg_fdopen(int fd, const char *mode);
int __pkg_fclose(FILE *f);

struct stream {
	FILE *f;
	struct stream *next;
};

static struct stream *streams;          /* guarded by lock */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

FILE *fdopen(int fd, const char *mode)
{
	struct stream *s = malloc(sizeof *s);

	if (!s)
		return NULL;
	FILE *f = __pkg_fdopen(fd, mode);
	if (!f) {
		free(s);
		return NULL;
	}
	s->f = f;
	pthread_mutex_lock(&lock);
	s->next = streams;
	streams = s;
	pthread_mutex_unlock(&lock);
	return f;
}

int fclose(FILE *f)
{
	struct stream *gone = NULL;

	pthread_mutex_lock(&lock);
	for (struct stream **p = &streams; *p; p = &(*p)->next)
		if ((*p)->f == f) {
			gone = *p;
			*p = gone->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	free(gone);
	return __pkg_fclose(f);
}

int fflush(FILE *f)
{
	if (f)
		return __pkg_fflush(f);
	int r = 0;
	if (__pkg_fflush(stdout) == EOF)
		r = EOF;
	if (__pkg_fflush(stderr) == EOF)
		r = EOF;
	pthread_mutex_lock(&lock);
	for (struct stream *s = streams; s; s = s->next)
		if ((s->f->flags & __SWR) && __pkg_fflush(s->f) == EOF)
			r = EOF;
	pthread_mutex_unlock(&lock);
	return r;
}
