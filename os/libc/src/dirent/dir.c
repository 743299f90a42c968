/* Directory streams (POSIX.1-2017 opendir, readdir, rewinddir, telldir,
 * seekdir, closedir): a buffer of <keel/iomsg.h> struct _io_dirent records
 * read from the directory's descriptor.  Every record is checked against
 * the bytes the server sent before it is used: a malformed one ends the
 * stream with EIO. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "libc.h"

#define DIRBUF 2048

struct __dir {
	int fd;
	size_t len, pos;                /* bytes in buf, next record */
	uint64_t next;                  /* the server's position after the last record used */
	struct dirent ent;
	pthread_mutex_t lock;
	_Alignas(8) unsigned char buf[DIRBUF];
};

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

/* The next record into d->ent: 1, 0 at the end, -1 with errno. */
static int next_record(DIR *d)
{
	if (d->pos >= d->len) {
		ssize_t n = read(d->fd, d->buf, sizeof d->buf);
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
	lseek(d->fd, pos, SEEK_SET);
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

	free(d);
	return r;
}
