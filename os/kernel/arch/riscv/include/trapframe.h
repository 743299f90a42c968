#pragma once
/* The one register frame for every trap (arch-internal layout, asm.h offsets). */
#include <stdint.h>
#include "asm.h"

struct trap_frame {
	uint64_t x[31];         /* x1 (ra) .. x31 (t6): x[n - 1] is register xn */
	uint64_t sepc;
	uint64_t sstatus;
	uint64_t scause;
	uint64_t stval;
	uint64_t kernel_sp;     /* user frames: the thread's kernel stack top */
	uint64_t hart;          /* user frames: struct hart * of the hart running it */
	uint64_t entry_instret;  /* kernel frames: instret right after the registers were saved */
};

_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame size");
_Static_assert(__builtin_offsetof(struct trap_frame, sepc) == TF_SEPC, "sepc");
_Static_assert(__builtin_offsetof(struct trap_frame, stval) == TF_STVAL, "stval");
_Static_assert(__builtin_offsetof(struct trap_frame, kernel_sp) == TF_KSP, "ksp");
_Static_assert(__builtin_offsetof(struct trap_frame, hart) == TF_HART, "hart");

#define TF_RA(f) ((f)->x[0])
#define TF_SP(f) ((f)->x[1])
#define TF_A0(f) ((f)->x[9])

#include "arch.h"
_Static_assert(sizeof(struct trap_frame) == ARCH_UFRAME_SIZE, "user frame size in arch.h");
