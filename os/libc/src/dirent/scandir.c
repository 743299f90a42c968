/* scandir (POSIX.1-2017): a directory's entries, chosen by sel and sorted
 * by cmp, as an array of copies the caller frees.  Host tools built for
 * Keel from one source (mkfs-keel's tree copy) read directories this way. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Frees n entries of list and list itself. */
static void drop(struct dirent **list, size_t n)
{
	while (n)
		free(list[--n]);
	free(list);
}

int scandir(const char *path, struct dirent ***out, int (*sel)(const struct dirent *),
	    int (*cmp)(const struct dirent **, const struct dirent **))
{
	DIR *d = opendir(path);
	struct dirent **list = NULL, *e;
	size_t n = 0, cap = 0;

	if (!d)
		return -1;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (sel && !sel(e))
			continue;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 16;
			struct dirent **nl = realloc(list, ncap * sizeof *nl);
			if (!nl)
				break;
			list = nl;
			cap = ncap;
		}
		if (!(list[n] = malloc(sizeof *e)))
			break;
		memcpy(list[n++], e, sizeof *e);
	}
	int err = e ? ENOMEM : errno;
	closedir(d);
	if (err || n > 0x7fffffff) {
		drop(list, n);
		errno = err ? err : EOVERFLOW;
		return -1;
	}
	if (cmp && n > 1)
		qsort(list, n, sizeof *list, (int (*)(const void *, const void *))cmp);
	*out = list;
	return (int)n;
}
