#pragma once
/* <glob.h> (POSIX.1-2017), in place of the package's: that one is an old
 * BSD header (int counts, its own error numbers, no GLOB_NOMATCH,
 * GLOB_ABORTED or GLOB_NOESCAPE) for a glob the package does not build.
 * Keel's glob (dirent/glob.c) is the POSIX one: this header says only
 * what POSIX does. */
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
	size_t gl_pathc;                /* paths matched */
	char **gl_pathv;                /* gl_offs NULLs, the paths, a NULL */
	size_t gl_offs;                 /* NULLs before the paths (GLOB_DOOFFS) */
} glob_t;

/* flags */
#define GLOB_APPEND   0x01              /* add to the paths of an earlier call */
#define GLOB_DOOFFS   0x02              /* gl_offs NULLs first */
#define GLOB_ERR      0x04              /* stop at a directory that cannot be read */
#define GLOB_MARK     0x08              /* a '/' after each directory */
#define GLOB_NOCHECK  0x10              /* no match: the pattern itself */
#define GLOB_NOESCAPE 0x20              /* '\\' is an ordinary character */
#define GLOB_NOSORT   0x40              /* paths in the order found */

/* glob's errors */
#define GLOB_ABORTED  1                 /* a read error stopped the scan */
#define GLOB_NOMATCH  2
#define GLOB_NOSPACE  3

int glob(const char *__restrict pattern, int flags, int (*errfunc)(const char *epath, int eerrno),
	 glob_t *__restrict pglob);
void globfree(glob_t *pglob);

#ifdef __cplusplus
}
#endif
