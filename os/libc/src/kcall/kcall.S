/* libc's kernel-call stubs: two for every row of KCALL_TABLE
 * (<keel/kcall_stubs.h>), in the QNX shapes declared by <keel/neutrino.h>;
 * Foo() reports errors through __kcall_error, which sets the calling
 * thread's errno. */
#define KCALL_ERROR_FN __kcall_error
#include <keel/kcall_stubs.h>

KCALL_TABLE(KCALL_STUBS)
