/* newc cpio reader (see cpio.h).  Every offset kept here is <= len, and each
 * step first compares what it needs with what is left (len - off), so no
 * sum can wrap and no byte outside the buffer is read. */
#include "cpio.h"
#include "lib_string.h"

#define NEWC_MAGIC      "070701"
#define NEWC_MAGIC_LEN  6u
#define NEWC_TRAILER    "TRAILER!!!"

/* The header's hex fields, in order after the magic. */
enum newc_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
	F_COUNT
};

_Static_assert(NEWC_MAGIC_LEN + 8 * F_COUNT == CPIO_HEADER_SIZE, "newc header layout");

static int hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the 8 hex digits at p into *v; false if any is not hex. */
static bool hex8(const uint8_t *p, uint32_t *v)
{
	uint32_t x = 0;
	int i, d;

	for (i = 0; i < 8; i++) {
		d = hex_digit(p[i]);
		if (d < 0)
			return false;
		x = x << 4 | (uint32_t)d;
	}
	*v = x;
	return true;
}

/* Moves *off past n bytes if they lie inside [0, len). */
static bool skip(size_t *off, size_t n, size_t len)
{
	if (n > len - *off)
		return false;
	*off += n;
	return true;
}

/* Moves *off up to the next multiple of 4 if that stays inside the buffer. */
static bool pad4(size_t *off, size_t len)
{
	return skip(off, (4 - (*off & 3)) & 3, len);
}

/* Reads the header at off into f[]; off <= len. */
static int read_header(const uint8_t *base, size_t len, size_t off, uint32_t f[F_COUNT])
{
	const uint8_t *h = base + off;
	int i;

	if (CPIO_HEADER_SIZE > len - off)
		return CPIO_E_TRUNCATED;
	if (memcmp(h, NEWC_MAGIC, NEWC_MAGIC_LEN) != 0)
		return CPIO_E_MAGIC;
	for (i = 0; i < F_COUNT; i++)
		if (!hex8(h + NEWC_MAGIC_LEN + 8 * i, &f[i]))
			return CPIO_E_HEADER;
	return 0;
}

static void fill_entry(struct cpio_entry *e, const uint32_t f[F_COUNT], const char *name,
		       const uint8_t *data)
{
	e->name = name;
	e->namelen = f[F_NAMESIZE] - 1;
	e->data = data;
	e->size = f[F_FILESIZE];
	e->mode = f[F_MODE];
	e->ino = f[F_INO];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
}

/* Reads the entry at it->off and moves past it.  Returns 1 (entry in *e),
 * 0 (the trailer) or a CPIO_E_* error. */
static int read_entry(struct cpio_iter *it, struct cpio_entry *e)
{
	size_t off = it->off, len = it->len;
	uint32_t f[F_COUNT];
	const char *name;
	int r;

	if (!pad4(&off, len))
		return CPIO_E_TRUNCATED;
	r = read_header(it->base, len, off, f);
	if (r < 0)
		return r;
	off += CPIO_HEADER_SIZE;
	name = (const char *)it->base + off;
	if (f[F_NAMESIZE] == 0)
		return CPIO_E_NAME;
	if (!skip(&off, f[F_NAMESIZE], len))
		return CPIO_E_TRUNCATED;
	if (strnlen(name, f[F_NAMESIZE]) != f[F_NAMESIZE] - 1)
		return CPIO_E_NAME;
	if (strcmp(name, NEWC_TRAILER) == 0)
		return 0;
	if (!pad4(&off, len))
		return CPIO_E_TRUNCATED;
	if (f[F_FILESIZE] > len - off)
		return CPIO_E_TRUNCATED;
	fill_entry(e, f, name, it->base + off);
	it->off = off + f[F_FILESIZE];
	return 1;
}

void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len)
{
	it->base = archive;
	it->len = len;
	it->off = 0;
	it->done = false;
}

int cpio_next(struct cpio_iter *it, struct cpio_entry *e)
{
	int r;

	if (it->done)
		return CPIO_E_END;
	r = read_entry(it, e);
	if (r <= 0)
		it->done = true;
	return r;
}

const char *cpio_path(const char *path)
{
	for (;;) {
		if (path[0] == '/')
			path++;
		else if (path[0] == '.' && (path[1] == '/' || path[1] == '\0'))
			path++;
		else
			return path;
	}
}

int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e)
{
	struct cpio_iter it;
	struct cpio_entry cur, found;
	bool have = false;
	int r;

	path = cpio_path(path);
	cpio_iter_init(&it, archive, len);
	while ((r = cpio_next(&it, &cur)) == 1) {
		if (strcmp(cpio_path(cur.name), path) == 0) {
			found = cur;
			have = true;
		}
	}
	if (r < 0)
		return r;
	if (!have)
		return CPIO_E_NOTFOUND;
	*e = found;
	return 0;
}

const char *cpio_strerror(int err)
{
	switch (err) {
	case 0:                return "no error";
	case CPIO_E_TRUNCATED: return "archive truncated or entry outside it";
	case CPIO_E_MAGIC:     return "not a newc cpio header";
	case CPIO_E_HEADER:    return "header field is not hex";
	case CPIO_E_NAME:      return "bad entry name";
	case CPIO_E_NOTFOUND:  return "no such file in archive";
	case CPIO_E_END:       return "iteration already ended";
	default:               return "unknown error";
	}
}
