/* fgets (POSIX.1-2017): the package's, which returns NULL when end of file
 * ends a last line without a newline although it stored the characters;
 * POSIX returns s whenever at least one character was read.  The package's
 * is renamed __pkg_fgets in libc.mk. */
#include <stdio.h>

char *__pkg_fgets(char *s, int n, FILE *f);

char *fgets(char *restrict s, int n, FILE *restrict f)
{
	if (n < 2)
		return __pkg_fgets(s, n, f);
	s[0] = 0;
	char *r = __pkg_fgets(s, n, f);
	if (!r && s[0] && !ferror(f))
		return s;                       /* the characters before end of file */
	return r;
}
