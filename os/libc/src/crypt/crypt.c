/* crypt (XSI): the "$6$" SHA-512 hash (sha512.c), the one method the
 * password database uses.  Any other setting is EINVAL (NULL). */
#include <crypt.h>
#include <errno.h>
#include "sha512.h"

char *crypt(const char *key, const char *setting)
{
	static char out[128];

	if (!key || !setting || !__sha512_crypt(key, setting, out, sizeof out)) {
		errno = EINVAL;
		return NULL;
	}
	return out;
}
