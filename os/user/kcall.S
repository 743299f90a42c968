/* The kernel-call stubs of the freestanding runtime: two for every row of
 * KCALL_TABLE (<keel/kcall_stubs.h>); Foo() reports errors through
 * __urt_kcall_error. */
#define KCALL_ERROR_FN __urt_kcall_error
#include <keel/kcall_stubs.h>

KCALL_TABLE(KCALL_STUBS)
