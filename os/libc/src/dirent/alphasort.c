/* alphasort (POSIX.1-2017): scandir's order by name.  Keel has no locales
 * (the C locale only), so strcoll is strcmp. */
#include <dirent.h>
#include <string.h>

int alphasort(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}
