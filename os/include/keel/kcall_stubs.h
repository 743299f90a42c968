#pragma once
/* The kernel-call stubs in assembly, for every runtime that links user
 * programs (os/user/kcall.S, os/libc/src/kcall/kcall.S): include this in a
 * .S file after defining KCALL_ERROR_FN, the function Foo() tails to with
 * a0 < 0 (it sets errno and returns -1), and expand
 *     KCALL_TABLE(KCALL_STUBS)
 * Two stubs per row of <keel/kcall.h>:
 *   Foo_r: the raw call; a0 comes back as the kernel left it (-errno on
 *          failure);
 *   Foo:   the same, but a negative a0 goes to KCALL_ERROR_FN.
 * Each stub has its own section so that --gc-sections keeps only those a
 * program calls.  The success path of Foo is li, ecall, bltz, ret. */
#include <keel/kcall.h>

#define KCALL_STUB_BEGIN_(name) \
	.section .text.kcall.name, "ax"; \
	.globl name; \
	.type name, @function; \
	.p2align 1; \
	name:

#define KCALL_STUB_END_(name) \
	.size name, . - name;

#define KCALL_STUBS(num, name, nargs, priv) \
	KCALL_STUB_BEGIN_(name##_r) \
	li a7, num; ecall; ret; \
	KCALL_STUB_END_(name##_r) \
	KCALL_STUB_BEGIN_(name) \
	li a7, num; ecall; bltz a0, 1f; ret; 1: tail KCALL_ERROR_FN; \
	KCALL_STUB_END_(name)
