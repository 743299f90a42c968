#pragma once
/* The colon-separated databases (/etc/passwd, /etc/group): a line split
 * into its fields in place. */
#include <stdio.h>
#include <sys/types.h>

#pragma GCC visibility push(hidden)

#define __DB_LINE_MAX 1024

/* Splits line (its newline removed) at ':' into at most max fields:
 * the count found. */
int __db_split(char *line, char **field, int max);
/* A decimal id field: 0 and *id set, or -1 when it is not a number. */
int __db_id(const char *s, unsigned *id);
/* Copies s into *buf (advancing it, *left shrinking): the copy or NULL
 * when it does not fit. */
char *__db_copy(const char *s, char **buf, size_t *left);
/* Opens path for reading: the stream, or NULL (errno). */
FILE *__db_open(const char *path);
/* The next line of f into line (whole lines only; longer ones skipped):
 * 1, or 0 at the end. */
int __db_line(FILE *f, char *line);

/* fill(line, ctx): -1 to skip the line (malformed or no match), else the
 * lookup's result (0 or ERANGE), which ends it. */
typedef int (*__db_fill)(char *line, void *ctx);
/* The first line of path that fill takes: fill's result with *found set,
 * 0 with *found clear when none does (or the database is missing), or an
 * errno when it cannot be read. */
int __db_find(const char *path, __db_fill fill, void *ctx, int *found);
/* getXXent's walk: the next line fill takes (1), or 0 at the end. */
int __db_next(FILE **ent, const char *path, __db_fill fill, void *ctx);
void __db_rewind(FILE **ent);
void __db_end(FILE **ent);

struct group;
/* getgrent on a stream and a buffer of the caller's own (*f NULL to start;
 * __db_end(f) after), so that a walk such as getgrouplist's leaves alone
 * what getgrent, getgrgid and getgrnam returned to the program. */
struct group *__getgrent_own(FILE **f, struct group *gr, char *buf, size_t len);

#pragma GCC visibility pop
