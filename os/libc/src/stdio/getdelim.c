/* getdelim, getline (POSIX.1-2017): read up to and including the delimiter
 * into a buffer that grows with realloc.  *line and *cap are the caller's
 * buffer (NULL and 0 to have one allocated); the result is the number of
 * bytes stored before the terminating NUL, or -1 with errno at end of file
 * before any byte (errno untouched), on a read error, EINVAL (a NULL
 * pointer or a delimiter that is no byte), ENOMEM, or EOVERFLOW (the line
 * is longer than ssize_t counts).  On error the bytes read so far stay stored
 * and terminated. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* The package's <limits.h> has no SSIZE_MAX; ssize_t is ptrdiff_t-sized. */
#define LINE_MAX_BYTES ((size_t)PTRDIFF_MAX)

/* Makes room for at least need bytes: 0, or -1 with errno. */
static int grow(char **line, size_t *cap, size_t need)
{
	if (need <= *cap && *line)
		return 0;
	size_t n = *cap < 120 ? 120 : *cap;
	while (n < need) {
		if (n > SIZE_MAX / 2) {
			errno = ENOMEM;
			return -1;
		}
		n *= 2;
	}
	char *p = realloc(*line, n);
	if (!p)
		return -1;
	*line = p;
	*cap = n;
	return 0;
}

ssize_t getdelim(char **restrict line, size_t *restrict cap, int delim, FILE *restrict f)
{
	if (!line || !cap || !f || delim < 0 || delim > UCHAR_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (!*line)
		*cap = 0;
	if (grow(line, cap, 1) < 0)
		return -1;
	size_t len = 0;
	for (;;) {
		int c = getc(f);
		if (c == EOF)
			break;
		if (len >= LINE_MAX_BYTES - 1) {
			(*line)[len] = 0;
			errno = EOVERFLOW;
			return -1;
		}
		if (grow(line, cap, len + 2) < 0) {
			(*line)[len] = 0;
			return -1;
		}
		(*line)[len++] = (char)c;
		if (c == delim)
			break;
	}
	(*line)[len] = 0;
	if (len == 0 || ferror(f))
		return -1;              /* end of file before any byte, or a read error */
	return (ssize_t)len;
}

ssize_t getline(char **restrict line, size_t *restrict cap, FILE *restrict f)
{
	return getdelim(line, cap, '\n', f);
}
