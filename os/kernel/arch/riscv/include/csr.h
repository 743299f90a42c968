#pragma once
/* RISC-V supervisor CSRs and bits (arch-internal). */
#include <stdint.h>

#define SSTATUS_SIE   (1ul << 1)
#define SSTATUS_SPIE  (1ul << 5)
#define SSTATUS_SPP   (1ul << 8)
#define SSTATUS_SUM   (1ul << 18)
#define SSTATUS_FS    (3ul << 13)
#define SSTATUS_FS_OFF     (0ul << 13)
#define SSTATUS_FS_INITIAL (1ul << 13)
#define SSTATUS_FS_CLEAN   (2ul << 13)
#define SSTATUS_FS_DIRTY   (3ul << 13)

#define SIE_SSIE      (1ul << 1)
#define SIE_STIE      (1ul << 5)
#define SIE_SEIE      (1ul << 9)

#define SCAUSE_IRQ    (1ul << 63)
#define IRQ_S_SOFT    1
#define IRQ_S_TIMER   5
#define IRQ_S_EXT     9

#define EXC_INST_MISALIGNED  0
#define EXC_INST_ACCESS      1
#define EXC_ILLEGAL          2
#define EXC_BREAKPOINT       3
#define EXC_LOAD_MISALIGNED  4
#define EXC_LOAD_ACCESS      5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS     7
#define EXC_ECALL_U          8
#define EXC_ECALL_S          9
#define EXC_INST_PAGE        12
#define EXC_LOAD_PAGE        13
#define EXC_STORE_PAGE       15

#define SATP_MODE_SV39 (8ul << 60)

#ifndef __ASSEMBLY__
#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, " #csr : "=r"(v_)); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" :: "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs " #csr ", %0" :: "rK"((uint64_t)(bits)) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " #csr ", %0" :: "rK"((uint64_t)(bits)) : "memory")
#define csr_read_clear(csr, bits) ({ uint64_t v_; \
	__asm__ volatile("csrrc %0, " #csr ", %1" : "=r"(v_) : "rK"((uint64_t)(bits)) : "memory"); v_; })

/* Under QEMU -icount, instret counts guest instructions since reset. */
static inline uint64_t rdinstret(void)
{
	uint64_t n;
	__asm__ volatile("rdinstret %0" : "=r"(n));
	return n;
}

static inline uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}
#endif
