/* The kernel-call stubs, two for every row of KCALL_TABLE (<keel/kcall.h>):
 *   Foo_r: the raw call; a0 comes back as the kernel left it (-errno on
 *          failure);
 *   Foo:   the same, but a negative a0 goes to __urt_kcall_error, which sets
 *          errno and returns -1.
 * Each stub has its own section so that --gc-sections keeps only those a
 * program calls.  The success path of Foo is li, ecall, bltz, ret. */
#include <keel/kcall.h>

#define STUB_BEGIN(name) \
	.section .text.kcall.name, "ax"; \
	.globl name; \
	.type name, @function; \
	.p2align 1; \
	name:

#define STUB_END(name) \
	.size name, . - name;

#define KCALL_STUBS(num, name, nargs, priv) \
	STUB_BEGIN(name##_r) \
	li a7, num; ecall; ret; \
	STUB_END(name##_r) \
	STUB_BEGIN(name) \
	li a7, num; ecall; bltz a0, 1f; ret; 1: tail __urt_kcall_error; \
	STUB_END(name)

KCALL_TABLE(KCALL_STUBS)
