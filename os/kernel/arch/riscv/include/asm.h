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
#define HART_NEED_RESCHED 112
#define HART_HANDOFF 104
#define HART_KCALL_ROWS 128

/* struct thread (thread.h): what trap.S's kernel-call dispatch writes and
 * reads (kcall.c asserts them). */
#define TH_SIG_BROKE      524
#define TH_SIG_CALL_ARG0  536
#define TH_SIG_CALL       544
/* and the words kcall_exit_busy reads, for trap.S's inline kcall_exit
 * (kcall.c asserts them). */
#define TH_RESTART_PENDING 408
#define TH_SIG_SAVED      496
#define TH_SIG_WAKE       520
#define TH_TMO_STATES     1496   /* then call_state: one aligned pair */
/* and what arch_cont_leave (switch.S) finishes a switch with (sched.c
 * asserts them). */
#define TH_ON_CPU         556
#define TH_MIGRATING      564
#define TH_WAKE_QUEUE     568
#define KCALL_COUNT_ASM   79
/* struct kcall_row (kcall.h): 32 bytes, the handler, the privileges, the
 * fast handler. */
#define KCALL_ROW_SHIFT   5
#define KCALL_ROW_PRIVS   8
#define KCALL_ROW_FASTFN  16
#define KCALL_ROW_FAST_ASM 0x40000000     /* KCALL_ROW_FAST as lw reads it */
