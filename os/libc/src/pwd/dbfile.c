/* Reading the colon-separated databases (see dbfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dbfile.h"

int __db_split(char *line, char **field, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = 0;
	while (n < max) {
		field[n++] = line;
		char *c = strchr(line, ':');
		if (!c)
			break;
		*c = 0;
		line = c + 1;
	}
	return n;
}

int __db_id(const char *s, unsigned *id)
{
	char *end;

	if (!*s)
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v > 0xffffffffu)
		return -1;
	*id = (unsigned)v;
	return 0;
}

char *__db_copy(const char *s, char **buf, size_t *left)
{
	size_t n = strlen(s) + 1;

	if (n > *left)
		return NULL;
	char *d = memcpy(*buf, s, n);
	*buf += n;
	*left -= n;
	return d;
}

/* Closed on exec: a program that runs another while it walks a database
 * (getpwent) passes it no open of it. */
FILE *__db_open(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f)
		fcntl(fileno(f), F_SETFD, FD_CLOEXEC);
	return f;
}

int __db_line(FILE *f, char *line)
{
	while (fgets(line, __DB_LINE_MAX, f)) {
		if (strchr(line, '\n') || feof(f))
			return 1;
		int c;                          /* too long: skip the rest of it */
		while ((c = fgetc(f)) != EOF && c != '\n')
			;
	}
	return 0;
}

int __db_find(const char *path, __db_fill fill, void *ctx, int *found)
{
	char line[__DB_LINE_MAX];
	FILE *f = __db_open(path);
	int r = 0;

	*found = 0;
	if (!f)
		return errno == ENOENT ? 0 : errno;
	while (__db_line(f, line)) {
		int k = fill(line, ctx);
		if (k >= 0) {
			*found = 1;
			r = k;
			break;
		}
	}
	fclose(f);
	return r;
}

int __db_next(FILE **ent, const char *path, __db_fill fill, void *ctx)
{
	char line[__DB_LINE_MAX];

	if (!*ent && !(*ent = __db_open(path)))
		return 0;
	while (__db_line(*ent, line))
		if (fill(line, ctx) == 0)
			return 1;
	return 0;
}

void __db_rewind(FILE **ent)
{
	if (*ent)
		rewind(*ent);
}

void __db_end(FILE **ent)
{
	if (*ent)
		fclose(*ent);
	*ent = NULL;
}
