/* SBI calls: ecall into the M-mode firmware (SBI v0.2+ calling convention,
 * with the v0.1 legacy console and shutdown as fallbacks). */
#include "sbi.h"

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3, long a4)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = ext;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ .error = r0, .value = r1 };
}

long sbi_spec_version(void)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0, 0, 0);
	return r.error ? 1 : r.value;
}

long sbi_probe(long ext)
{
	struct sbiret r = sbi_call(SBI_EXT_BASE, 3, ext, 0, 0, 0, 0);
	return r.error ? 0 : r.value;
}

void sbi_legacy_putchar(int c)
{
	sbi_call(0x01, 0, c, 0, 0, 0, 0);
}

int sbi_legacy_getchar(void)
{
	return (int)sbi_call(0x02, 0, 0, 0, 0, 0, 0).error;
}

void sbi_set_timer(uint64_t when)
{
	sbi_call(SBI_EXT_TIME, 0, (long)when, 0, 0, 0, 0);
}

long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_call(SBI_EXT_IPI, 0, hart_mask, hart_mask_base, 0, 0, 0).error;
}

long sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_call(SBI_EXT_RFNC, 0, hart_mask, hart_mask_base, 0, 0, 0).error;
}

long sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long base,
			   unsigned long start, unsigned long size)
{
	return sbi_call(SBI_EXT_RFNC, 1, hart_mask, base, start, size, 0).error;
}

long sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long base,
				unsigned long start, unsigned long size, unsigned long asid)
{
	return sbi_call(SBI_EXT_RFNC, 2, hart_mask, base, start, size, asid).error;
}

long sbi_hart_start(unsigned long hartid, unsigned long start_pa, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start_pa, opaque, 0, 0).error;
}

long sbi_hart_status(unsigned long hartid)
{
	struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_STATUS, hartid, 0, 0, 0, 0);
	return r.error ? r.error : r.value;
}

void sbi_system_reset(unsigned long type, unsigned long reason)
{
	if (sbi_probe(SBI_EXT_SRST))
		sbi_call(SBI_EXT_SRST, 0, type, reason, 0, 0, 0);
	else if (type == SBI_SRST_SHUTDOWN)
		sbi_call(0x08, 0, 0, 0, 0, 0, 0);       /* legacy shutdown */
}
