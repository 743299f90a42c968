/* File-backed block device (see blkfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "blkfile.h"

/* Moves len bytes at off between buf and the file, through short counts. */
static int bf_io(struct blkfile *bf, uint64_t off, uint8_t *buf, size_t len, bool write)
{
	ssize_t n;

	if (off > bf->dev.size_bytes || len > bf->dev.size_bytes - off)
		return -EIO;
	while (len) {
		off_t at = (off_t)(bf->base + off);
		n = write ? pwrite(bf->fd, buf, len, at) : pread(bf->fd, buf, len, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		buf += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int bf_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	return bf_io(ctx, off, buf, len, false);
}

/* bf_io does not write through buf when writing. */
static int bf_write(void *ctx, uint64_t off, const void *buf, size_t len)
{
	return bf_io(ctx, off, (uint8_t *)(uintptr_t)buf, len, true);
}

static int bf_flush(void *ctx)
{
	struct blkfile *bf = ctx;

	if (!bf->durable)
		return 0;
	return fdatasync(bf->fd) ? -errno : 0;
}

static int64_t bf_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int blkfile_open(struct blkfile *bf, const char *path, uint64_t base, uint64_t size,
		 unsigned flags)
{
	int oflags = flags & BLKFILE_RDONLY ? O_RDONLY : O_RDWR;
	struct stat st;

	if (flags & BLKFILE_CREATE)
		oflags |= O_CREAT;
	bf->fd = open(path, oflags, 0644);
	if (bf->fd < 0)
		return -errno;
	if (fstat(bf->fd, &st))
		goto fail;
	if ((flags & BLKFILE_CREATE) && (uint64_t)st.st_size < base + size &&
	    ftruncate(bf->fd, (off_t)(base + size)))
		goto fail;
	if (size == 0) {
		if ((uint64_t)st.st_size <= base) {
			errno = EINVAL;
			goto fail;
		}
		size = (uint64_t)st.st_size - base;
	}
	bf->base = base;
	bf->durable = flags & BLKFILE_DURABLE;
	bf->dev = (struct fsk_blkdev){
		.ctx = bf, .size_bytes = size / FSK_SECTOR * FSK_SECTOR, .read = bf_read,
		.write = bf_write, .flush = bf_flush, .now_ns = bf_now,
	};
	return 0;
fail:
	size = (uint64_t)errno;
	close(bf->fd);
	return -(int)size;
}

void blkfile_close(struct blkfile *bf)
{
	close(bf->fd);
}

bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	int shift = 0;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno)
		return false;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case 'T': case 't': shift = 40; end++; break;
	}
	if (*end || (shift && v > UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

void random_uuid(uint8_t uuid[16])
{
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd < 0 || read(fd, uuid, 16) != 16)
		memset(uuid, 0, 16);
	if (fd >= 0)
		close(fd);
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);   /* version 4 */
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}
