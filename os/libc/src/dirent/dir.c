/* Directory streams (POSIX.1-2017 opendir, readdir, rewinddir, telldir,
 * seekdir, closedir): a buffer of <keel/iomsg.h> struct _io_dirent records
 * read from the directory's descriptor.  Every record is checked against
 * the bytes the server sent before it is used: a malformed one ends the
 * stream with EIO.
 *
 * A directory's file system does not know what is mounted in it (the path
 * space's names below it: /dev, /proc and /tmp in /).  When the stream's
 * path is known (opendir, or fdopendir of a descriptor open() or openat
 * made), those names are asked of the process manager when the stream
 * opens and follow the file system's own entries, each name once: one the
 * file system listed too is not repeated.  Their positions (telldir) have
 * TAIL_POS set, which no server's position has. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/procinfo.h>
#include <unistd.h>
#include "libc.h"

#define DIRBUF 2048
#define TAIL_MAX 32                     /* names below the directory: at most */
#define TAIL_POS (1l << 62)             /* a position among them */

struct below {
	uint64_t ino;                   /* proc_path_ino of the name */
	struct _proc_path_entry e;
};

struct __dir {
	int fd;
	size_t len, pos;                /* bytes in buf, next record */
	uint64_t next;                  /* the server's position after the last record used */
	struct below *below;            /* the path space's names below it (malloc'd) */
	uint32_t nbelow, seen;          /* how many; those the file system listed too */
	uint32_t tail;                  /* past the file system's entries: next of below[] + 1 */
	struct dirent ent;
	pthread_mutex_t lock;
	_Alignas(8) unsigned char buf[DIRBUF];
};

/* The path space's names below d's directory, if its path is known. */
static void find_below(DIR *d)
{
	char path[_IO_PATH_MAX];
	struct _proc_path_entry e[_PROC_PATH_LIST_MAX];
	uint32_t from = 0;
	int saved = errno;

	if (__fd_path(d->fd, path) < 0)
		return;
	while (d->nbelow < TAIL_MAX) {
		long n = proc_path_below(path, from, e, _PROC_PATH_LIST_MAX);
		if (n <= 0)
			break;
		struct below *more = realloc(d->below, (d->nbelow + (size_t)n) * sizeof *more);
		if (!more)
			break;
		d->below = more;
		for (long i = 0; i < n && d->nbelow < TAIL_MAX; i++)
			d->below[d->nbelow++] = (struct below){ proc_path_ino(path, e[i].name), e[i] };
		from = e[n - 1].next;
	}
	errno = saved;                  /* the stream works without them */
}

DIR *fdopendir(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	DIR *d = calloc(1, sizeof *d);
	if (!d)
		return NULL;
	d->fd = fd;
	pthread_mutex_init(&d->lock, NULL);
	find_below(d);
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	DIR *d = fdopendir(fd);
	if (!d) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return d;
}

/* The file system's next record into d->ent: 1, 0 at the end, -1 with errno. */
static int next_fs_record(DIR *d)
{
	if (d->pos >= d->len) {
		__cancel_hold();        /* readdir: no cancellation point here */
		ssize_t n = read(d->fd, d->buf, sizeof d->buf);
		__cancel_unhold();
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		d->len = (size_t)n;
		d->pos = 0;
	}
	struct _io_dirent r;
	size_t left = d->len - d->pos;
	if (left < sizeof r)
		goto bad;
	memcpy(&r, d->buf + d->pos, sizeof r);
	if (r.reclen < sizeof r + (size_t)r.namelen + 1 || r.reclen > left || (r.reclen & 7) ||
	    r.namelen > NAME_MAX_DIRENT || d->buf[d->pos + sizeof r + r.namelen] != 0)
		goto bad;
	d->ent.d_ino = (ino_t)r.ino;
	d->ent.d_type = r.type;
	memcpy(d->ent.d_name, d->buf + d->pos + sizeof r, (size_t)r.namelen + 1);
	d->pos += r.reclen;
	d->next = r.next;
	return 1;
bad:
	d->pos = d->len = 0;
	errno = EIO;
	return -1;
}

/* The next name below the directory that the file system did not list:
 * 1, or 0 at the end. */
static int next_below(DIR *d)
{
	for (; d->tail <= d->nbelow; d->tail++) {
		const struct below *b = &d->below[d->tail - 1];
		if (d->seen & (1u << (d->tail - 1)))
			continue;
		d->ent.d_ino = (ino_t)b->ino;
		d->ent.d_type = b->e.type;
		strcpy(d->ent.d_name, b->e.name);
		d->tail++;
		d->next = (uint64_t)TAIL_POS | d->tail;
		return 1;
	}
	return 0;
}

/* A record the file system listed: a name below that it has too is its. */
static void mark_seen(DIR *d)
{
	for (uint32_t k = 0; k < d->nbelow; k++)
		if (!strcmp(d->below[k].e.name, d->ent.d_name))
			d->seen |= 1u << k;
}

/* The next record into d->ent: 1, 0 at the end, -1 with errno. */
static int next_record(DIR *d)
{
	if (!d->tail) {
		int r = next_fs_record(d);
		if (r > 0)
			mark_seen(d);
		if (r != 0)
			return r;
		d->tail = 1;
	}
	return next_below(d);
}

struct dirent *readdir(DIR *d)
{
	pthread_mutex_lock(&d->lock);
	int r = next_record(d);
	pthread_mutex_unlock(&d->lock);
	return r > 0 ? &d->ent : NULL;         /* end: NULL, errno untouched */
}

int readdir_r(DIR *restrict d, struct dirent *restrict entry, struct dirent **restrict result)
{
	int e = errno;

	pthread_mutex_lock(&d->lock);
	int r = next_record(d);
	if (r > 0)
		*entry = d->ent;
	pthread_mutex_unlock(&d->lock);
	*result = r > 0 ? entry : NULL;
	int err = r < 0 ? errno : 0;
	errno = e;
	return err;
}

void seekdir(DIR *d, long pos)
{
	pthread_mutex_lock(&d->lock);
	d->pos = d->len = 0;
	d->next = (uint64_t)pos;
	if (pos & TAIL_POS) {
		uint64_t k = (uint64_t)pos & ~(uint64_t)TAIL_POS;
		d->tail = k >= 1 && k <= d->nbelow + 1 ? (uint32_t)k : d->nbelow + 1;
	} else {
		d->tail = 0;
		if (pos == 0)
			d->seen = 0;            /* rewinddir: the listing is read afresh */
		lseek(d->fd, pos, SEEK_SET);
	}
	pthread_mutex_unlock(&d->lock);
}

void rewinddir(DIR *d)
{
	seekdir(d, 0);
}

long telldir(DIR *d)
{
	return (long)d->next;
}

int dirfd(DIR *d)
{
	return d->fd;
}

int closedir(DIR *d)
{
	int r = close(d->fd);

	free(d->below);
	free(d);
	return r;
}
