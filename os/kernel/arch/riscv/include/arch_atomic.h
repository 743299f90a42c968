#pragma once
/* RISC-V AMO and LR/SC primitives behind atomic.h.  Every read-modify-write
 * of a word shared between harts goes through these; the .aq/.rl bits give
 * the ordering the name promises. */
#include <stdint.h>

#define ARCH_AMO(name, insn, type, sfx, ord)                                       \
	static inline type name(volatile type *p, type v)                          \
	{                                                                          \
		type old;                                                          \
		__asm__ volatile(insn "." sfx ord " %0, %2, %1"                    \
				 : "=r"(old), "+A"(*p) : "r"(v) : "memory");       \
		return old;                                                        \
	}

ARCH_AMO(arch_amoswap32_acq, "amoswap", uint32_t, "w", ".aq")
ARCH_AMO(arch_amoswap32_rel, "amoswap", uint32_t, "w", ".rl")
ARCH_AMO(arch_amoswap32, "amoswap", uint32_t, "w", ".aqrl")
ARCH_AMO(arch_amoadd32, "amoadd", uint32_t, "w", ".aqrl")
ARCH_AMO(arch_amoor32, "amoor", uint32_t, "w", ".aqrl")
ARCH_AMO(arch_amoand32, "amoand", uint32_t, "w", ".aqrl")
ARCH_AMO(arch_amoswap64, "amoswap", uint64_t, "d", ".aqrl")
ARCH_AMO(arch_amoadd64, "amoadd", uint64_t, "d", ".aqrl")
ARCH_AMO(arch_amoor64, "amoor", uint64_t, "d", ".aqrl")
ARCH_AMO(arch_amoand64, "amoand", uint64_t, "d", ".aqrl")

/* Compare-and-swap with LR/SC; returns the value found. */
static inline uint64_t arch_cas64(volatile uint64_t *p, uint64_t expect, uint64_t desired)
{
	uint64_t old, fail;
	__asm__ volatile("1: lr.d.aqrl %0, %2\n"
			 "   bne %0, %3, 2f\n"
			 "   sc.d.rl %1, %4, %2\n"
			 "   bnez %1, 1b\n"
			 "2:"
			 : "=&r"(old), "=&r"(fail), "+A"(*p)
			 : "r"(expect), "r"(desired)
			 : "memory");
	return old;
}

static inline uint32_t arch_cas32(volatile uint32_t *p, uint32_t expect, uint32_t desired)
{
	uint32_t old, fail;
	__asm__ volatile("1: lr.w.aqrl %0, %2\n"
			 "   bne %0, %3, 2f\n"
			 "   sc.w.rl %1, %4, %2\n"
			 "   bnez %1, 1b\n"
			 "2:"
			 : "=&r"(old), "=&r"(fail), "+A"(*p)
			 : "r"((uint32_t)(int32_t)expect), "r"(desired)
			 : "memory");
	return old;
}

static inline void arch_fence(void)
{
	__asm__ volatile("fence rw, rw" ::: "memory");
}

static inline void arch_cpu_relax(void)
{
	__asm__ volatile("nop" ::: "memory");
}
