#pragma once
/* Constants shared between assembly and C (arch-internal). */
#define KERNEL_VBASE_ASM 0xffffffff80000000

/* struct hart_boot offsets (smp.c asserts them). */
#define HB_SP     0
#define HB_TP     8
#define HB_SATP   16
#define HB_VA_PA  24
#define HB_STAGE  32

/* struct trap_frame (trapframe.h): x1..x31 at (n-1)*8, then CSRs. */
#define TF_X(n)     (((n) - 1) * 8)
#define TF_SEPC     248
#define TF_SSTATUS  256
#define TF_SCAUSE   264
#define TF_STVAL    272
#define TF_KSP      280
#define TF_HART     288
#define TF_ENTRY_INSTRET 296
#define TF_SIZE     304

/* struct hart (hart.h): the running thread (user.c asserts it). */
#define HART_CURRENT 88
