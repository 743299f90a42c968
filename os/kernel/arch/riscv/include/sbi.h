#pragma once
/* Supervisor Binary Interface calls (arch-internal). */

#define SBI_EXT_BASE  0x10
#define SBI_EXT_TIME  0x54494D45
#define SBI_EXT_IPI   0x735049
#define SBI_EXT_RFNC  0x52464E43
#define SBI_EXT_HSM   0x48534D
#define SBI_EXT_SRST  0x53525354

/* HSM functions and hart states. */
#define SBI_HSM_HART_START   0
#define SBI_HSM_HART_STOP    1
#define SBI_HSM_HART_STATUS  2
#define SBI_HSM_STARTED      0
#define SBI_HSM_STOPPED      1

#define SBI_SRST_SHUTDOWN    0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAIL 1

#ifndef __ASSEMBLER__
#include <stdint.h>

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3, long a4);
/* Spec version as (major << 24 | minor), or 0x1 for a legacy-only firmware. */
long sbi_spec_version(void);
/* Returns nonzero if the firmware implements the extension. */
long sbi_probe(long ext);
void sbi_legacy_putchar(int c);
int sbi_legacy_getchar(void);
void sbi_set_timer(uint64_t when);
/* hart_mask is relative to hart_mask_base (SBI v0.2 convention). */
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base,
			   unsigned long start, unsigned long size);
long sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long base,
				unsigned long start, unsigned long size, unsigned long asid);
long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque);
long sbi_hart_status(unsigned long hartid);
void sbi_system_reset(unsigned long type, unsigned long reason);

#endif /* !__ASSEMBLER__ */
