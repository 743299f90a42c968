#pragma once
/* A bounds-checked reader for "newc" cpio archives (magic "070701"), the
 * format of the boot image (initrd).
 *
 * An entry is a 110-byte header of ASCII hex fields, the NUL-terminated name
 * (c_namesize bytes, counting the NUL) padded to a multiple of 4 from the
 * archive start, then c_filesize bytes of data padded the same way.  The
 * entry named "TRAILER!!!" ends the archive; bytes after it are ignored (GNU
 * cpio pads to 512).  Any entry that does not fit the buffer, a bad magic,
 * a field that is not 8 hex digits, a name that is empty, unterminated or
 * has a NUL inside, and a buffer that ends before the trailer are errors:
 * nothing is ever read outside [archive, archive + len).  Nothing is
 * allocated; the archive must stay mapped and unchanged while entries from
 * it are in use.  Hard links are not resolved: of a group of links, only the
 * one that carries the data has a non-zero size. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CPIO_HEADER_SIZE 110u

enum cpio_err {
	CPIO_E_TRUNCATED = -1,    /* an entry runs past the buffer, or no trailer */
	CPIO_E_MAGIC     = -2,    /* not "070701" */
	CPIO_E_HEADER    = -3,    /* a header field is not 8 hex digits */
	CPIO_E_NAME      = -4,    /* name empty, unterminated or with a NUL inside */
	CPIO_E_NOTFOUND  = -5,    /* cpio_find: no entry has that path */
	CPIO_E_END       = -6,    /* cpio_next: the iterator is already done */
};

/* File type bits of cpio_entry.mode (the st_mode values). */
#define CPIO_S_IFMT   0170000u
#define CPIO_S_IFREG  0100000u
#define CPIO_S_IFDIR  0040000u
#define CPIO_S_IFLNK  0120000u

/* One entry; name and data point into the archive. */
struct cpio_entry {
	const char *name;         /* NUL-terminated, as stored ("./bin/x", "bin/x") */
	size_t namelen;           /* strlen(name) */
	const uint8_t *data;      /* c_filesize bytes (for a symlink: its target) */
	size_t size;
	uint32_t mode;            /* type and permission bits */
	uint32_t ino, uid, gid, nlink, mtime;
};

/* A position in an archive. */
struct cpio_iter {
	const uint8_t *base;
	size_t len;
	size_t off;               /* of the next header */
	bool done;                /* the trailer was read, or an error */
};

/* Starts an iteration over archive[0..len).  Cannot fail. */
void cpio_iter_init(struct cpio_iter *it, const void *archive, size_t len);

/* The next entry into *e (not the trailer).  Returns 1 with *e filled, 0 at
 * the trailer, or a negative CPIO_E_* (then *e is unchanged).  After 0 or
 * an error, further calls return CPIO_E_END. */
int cpio_next(struct cpio_iter *it, struct cpio_entry *e);

/* Finds the entry whose name equals path once leading "/" and "./" are
 * dropped from both ("/bin/x", "./bin/x" and "bin/x" are one path).  The
 * whole archive is read: a malformed one is an error even where the entry
 * comes before the damage, and of two entries with one path the later wins
 * (as when an archive is appended to).  Returns 0 with *e filled,
 * CPIO_E_NOTFOUND, or another CPIO_E_* (then *e is unchanged). */
int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *e);

/* path without its leading "/" and "./" parts (a lone "." is the root,
 * ""): the form cpio_find compares. */
const char *cpio_path(const char *path);

/* A short description of a CPIO_E_* value ("unknown error" otherwise). */
const char *cpio_strerror(int err);
