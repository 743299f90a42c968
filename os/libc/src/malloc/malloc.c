/* malloc: the package's allocator (nano-malloc, under the libc lock) at the
 * alignment C requires for any object, alignof(max_align_t) = 16 on RV64;
 * the package's own malloc (renamed __pkg_malloc in libc.mk) gives 8.
 * calloc and realloc are the package's and allocate through this malloc;
 * free takes every block memalign returns. */
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

void *malloc(size_t n)
{
	return memalign(_Alignof(max_align_t), n);
}
