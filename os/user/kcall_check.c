/* Compile-time check that <keel/neutrino.h> declares both shapes of every
 * row of KCALL_TABLE, with one type: a row without its prototypes (or with
 * two that disagree) stops the build here.  Emits no code. */
#include <keel/kcall.h>
#include "urt.h"

#define KCALL_DECLARED(num, name, nargs, priv) \
	_Static_assert(__builtin_types_compatible_p(__typeof__(&name), __typeof__(&name##_r)), \
		       #name " and " #name "_r differ");
KCALL_TABLE(KCALL_DECLARED)
